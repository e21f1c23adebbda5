#include "control/profile/duration.hpp"

#include <array>
#include <cmath>

namespace qqgen::control {

namespace {

struct unit {
    std::string_view name;
    std::uint64_t ms;
};
// Longest first, so that "ms" is not read as "m" followed by garbage.
constexpr std::array<unit, 5> units{{{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}}};

// Twenty-odd years: far beyond any run, far below where double loses whole
// milliseconds.
constexpr double max_ms = 1e12;

}  // namespace

std::optional<std::uint64_t> parse_duration_ms(std::string_view text) noexcept {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    if (text == "0") return 0;
    if (text.empty()) return std::nullopt;
    double total = 0;
    while (!text.empty()) {
        // The number: digits with at most one '.', at least one digit.
        std::size_t i = 0, digits = 0;
        bool dot = false;
        double value = 0, scale = 1;
        for (; i < text.size(); ++i) {
            const char c = text[i];
            if (c >= '0' && c <= '9') {
                ++digits;
                if (dot) {
                    scale /= 10;
                    value += (c - '0') * scale;
                } else {
                    value = value * 10 + (c - '0');
                }
            } else if (c == '.' && !dot) {
                dot = true;
            } else {
                break;
            }
            if (value > max_ms) return std::nullopt;
        }
        if (digits == 0) return std::nullopt;
        text.remove_prefix(i);
        const unit* u = nullptr;
        for (const unit& candidate : units)
            if (text.starts_with(candidate.name)) {
                u = &candidate;
                break;
            }
        if (u == nullptr) return std::nullopt;
        text.remove_prefix(u->name.size());
        total += value * static_cast<double>(u->ms);
        if (total > max_ms) return std::nullopt;
    }
    const double whole = std::round(total);
    if (std::fabs(total - whole) > 1e-6) return std::nullopt;  // finer than 1 ms
    return static_cast<std::uint64_t>(whole);
}

std::string format_duration_ms(std::uint64_t ms) {
    if (ms == 0) return "0s";
    for (auto it = units.rbegin(); it != units.rend(); ++it)
        if (ms % it->ms == 0) return std::to_string(ms / it->ms) + std::string(it->name);
    return std::to_string(ms) + "ms";
}

}  // namespace qqgen::control
