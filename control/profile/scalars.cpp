#include "control/profile/scalars.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace qqgen::control {

namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (x != b[i]) return false;
    }
    return true;
}

}  // namespace

std::optional<std::uint64_t> parse_unsigned(std::string_view text) noexcept {
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    // Separators only between digits: "1_000" yes, "_1", "1_" and "1__0" no.
    std::array<char, 32> digits{};
    std::size_t n = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '_') {
            if (i == 0 || i + 1 == text.size() || text[i + 1] == '_') return std::nullopt;
            continue;
        }
        if (n == digits.size()) return std::nullopt;
        digits[n++] = text[i];
    }
    if (n == 0) return std::nullopt;
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + n, v, base);
    if (ec != std::errc{} || end != digits.data() + n) return std::nullopt;
    return v;
}

std::optional<double> parse_number(std::string_view text) noexcept {
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, std::chars_format::fixed);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::optional<std::uint64_t> parse_size_bytes(std::string_view text) noexcept {
    if (const std::optional<std::uint64_t> plain = parse_unsigned(text)) return plain;
    struct unit {
        std::string_view name;
        std::uint64_t bytes;
    };
    constexpr std::array<unit, 5> units{{{"KiB", 1024}, {"MiB", 1u << 20}, {"KB", 1000}, {"MB", 1'000'000}, {"B", 1}}};
    for (const unit& u : units) {
        if (!text.ends_with(u.name)) continue;
        const std::string_view number = text.substr(0, text.size() - u.name.size());
        if (number.empty() || number.front() == '-' || number.front() == '+') return std::nullopt;
        const std::optional<double> v = parse_number(number);
        if (!v || *v < 0 || *v > 1e15) return std::nullopt;
        const double bytes = *v * static_cast<double>(u.bytes);
        if (bytes != std::floor(bytes)) return std::nullopt;
        return static_cast<std::uint64_t>(bytes);
    }
    return std::nullopt;
}

std::optional<bool> parse_bool(std::string_view text) noexcept {
    for (std::string_view t : {"true", "yes", "on"})
        if (iequals(text, t)) return true;
    for (std::string_view f : {"false", "no", "off"})
        if (iequals(text, f)) return false;
    return std::nullopt;
}

}  // namespace qqgen::control
