// The qqgen subcommands. Each takes the arguments after `qqgen` (argv[0] is the
// command name) and returns the process exit code: 0 ok, 1 failed, 2 bad usage.
#pragma once

namespace qqgen::control {

int sample_command(int argc, char** argv);
int run_command(int argc, char** argv);       // control/run/run_command.cpp
int validate_command(int argc, char** argv);  // control/run/instance_commands.cpp
int apply_command(int argc, char** argv);
int stats_command(int argc, char** argv);
int stop_command(int argc, char** argv);
int report_command(int argc, char** argv);  // control/run/report_command.cpp

}  // namespace qqgen::control
