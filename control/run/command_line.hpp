// Command-line parsing shared by the control commands: options, --help, and
// an optional positional PROFILE, with the same messages everywhere.
#pragma once

#include <string>

#include <boost/program_options.hpp>

namespace qqgen::control {

// Parses `argv` with `opts` (+ one positional PROFILE when `profile` is
// given). Returns -1 to go on, else the exit code (0 after --help, 2 on a
// bad command line or a missing PROFILE).
int parse_command_line(const char* name, int argc, char** argv, boost::program_options::options_description& opts,
                       std::string* profile);

}  // namespace qqgen::control
