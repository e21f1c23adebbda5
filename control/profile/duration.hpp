// Durations in profiles: a number and a unit, e.g. "250ms", "2s", "1.5m",
// "1h30m". The unit is required (only "0" may go without) because the
// dataplane's command line counts in ms and a profile in seconds would make a
// bare "500" ambiguous; a typo there should fail, not run 1000 times longer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qqgen::control {

// Units: ms, s, m, h, d. Parts add up ("1h30m"); fractions are allowed
// ("1.5s"); the total must be a whole number of milliseconds. nullopt for
// anything else, including negative values.
std::optional<std::uint64_t> parse_duration_ms(std::string_view text) noexcept;

// The shortest exact form: "1h", "90s", "250ms".
std::string format_duration_ms(std::uint64_t ms);

// What a duration looks like, for error messages.
inline constexpr std::string_view duration_forms = "a number and a unit (ms, s, m, h, d), e.g. 250ms, 2s, 1.5m, 1h30m";

}  // namespace qqgen::control
