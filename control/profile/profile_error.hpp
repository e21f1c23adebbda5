// One thing wrong with a profile, located for the user who has to fix it.
#pragma once

#include <string>

namespace qqgen::control {

struct profile_error {
    std::string file;  // the profile's path as given, or "--set PATH=VALUE" for a value from an override
    int line = 0;      // 1-based; 0 when there is no position (missing file, value from --set)
    int column = 0;    // 1-based
    std::string path;  // field path, e.g. "phases.steady.duration" or "login.servers[1].name"; may be empty
    std::string message;

    // "file:line:col: path: message", leaving out what is unknown.
    [[nodiscard]] std::string to_string() const;
};

}  // namespace qqgen::control
