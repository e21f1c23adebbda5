// The qqgen subcommands. Each takes the arguments after `qqgen` (argv[0] is the
// command name) and returns the process exit code: 0 ok, 1 failed, 2 bad usage.
#pragma once

namespace qqgen::control {

int sample_command(int argc, char** argv);

}  // namespace qqgen::control
