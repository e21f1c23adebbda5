// Profiles are UTF-8 (YAML 1.2 section 5.2; font names such as 宋体 are
// written in it). yaml-cpp reads other bytes but re-emits them as U+FFFD, so
// a profile that is not UTF-8 would not be the profile report.json records:
// it is refused up front, at the first bad byte.
#pragma once

#include <cstddef>
#include <string_view>

namespace qqgen::control {

// Offset of the first byte that does not belong to a well-formed UTF-8
// sequence (RFC 3629: no overlong forms, no surrogates, nothing past
// U+10FFFF), or npos.
std::size_t first_invalid_utf8(std::string_view text) noexcept;

}  // namespace qqgen::control
