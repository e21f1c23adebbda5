#include "control/profile/profile_error.hpp"

namespace qqgen::control {

std::string profile_error::to_string() const {
    // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive)
    // on ":" + std::to_string(...).
    std::string s = file;
    if (line > 0) s.append(":").append(std::to_string(line)).append(":").append(std::to_string(column));
    s.append(": ");
    if (!path.empty()) s.append(path).append(": ");
    return s.append(message);
}

}  // namespace qqgen::control
