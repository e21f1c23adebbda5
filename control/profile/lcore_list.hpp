// EAL's -l argument ("0-1", "0,2-3"): the lowest lcore is the main one
// (housekeeping, no packet I/O), each other one runs a worker.
#pragma once

#include <optional>
#include <string_view>

namespace qqgen::control {

// How many distinct lcores the list names; nullopt when it is not a list of
// numbers and ranges (lo-hi, lo <= hi) separated by commas, or names an lcore
// above 1023.
std::optional<unsigned> count_lcores(std::string_view list) noexcept;

}  // namespace qqgen::control
