// Suggestions for misspelt names (profile keys, charsets, fonts, --set paths).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace qqgen::control {

// Optimal-string-alignment distance (Levenshtein plus adjacent
// transpositions, the commonest typo), ASCII case-insensitive, and '-' equal
// to '_' because CLI habits leak into YAML keys.
std::size_t edit_distance(std::string_view a, std::string_view b);

// "; did you mean 'x'?" naming the closest candidate when it is close enough
// to be a typo, else "; expected one of: a, b, c". Empty when there are no
// candidates.
std::string did_you_mean(std::string_view word, std::span<const std::string> candidates);

}  // namespace qqgen::control
