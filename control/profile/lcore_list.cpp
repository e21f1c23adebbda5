#include "control/profile/lcore_list.hpp"

#include <bitset>
#include <charconv>

namespace qqgen::control {

std::optional<unsigned> count_lcores(std::string_view list) noexcept {
    // 1024 covers RTE_MAX_LCORE of every DPDK build we know of.
    std::bitset<1024> seen;
    const auto number = [](std::string_view t) -> std::optional<unsigned> {
        unsigned v = 0;
        const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        if (t.empty() || ec != std::errc{} || end != t.data() + t.size() || v >= 1024) return std::nullopt;
        return v;
    };
    std::size_t pos = 0;
    while (pos <= list.size()) {
        std::size_t comma = list.find(',', pos);
        if (comma == std::string_view::npos) comma = list.size();
        const std::string_view part = list.substr(pos, comma - pos);
        const std::size_t dash = part.find('-');
        const auto lo = number(part.substr(0, dash));
        const auto hi = dash == std::string_view::npos ? lo : number(part.substr(dash + 1));
        if (!lo || !hi || *lo > *hi) return std::nullopt;
        for (unsigned c = *lo; c <= *hi; ++c) seen.set(c);
        pos = comma + 1;
    }
    return static_cast<unsigned>(seen.count());
}

}  // namespace qqgen::control
