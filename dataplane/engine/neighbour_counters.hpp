// What the neighbour module (neighbour_handler.hpp) did on one port. Plain
// integers written by the owning worker only, like port_counters.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace qqgen::engine {

struct neighbour_counters {
    std::uint64_t arp_answered = 0;      // ARP requests for our addresses, replied to
    std::uint64_t ns_answered = 0;       // neighbour solicitations for our addresses, advertised to
    std::uint64_t gratuitous_sent = 0;   // ARP announcements and unsolicited NAs at start
    std::uint64_t resolve_sent = 0;      // ARP requests / NS for the gateway (first and retries)
    std::uint64_t resolved = 0;          // the gateway's MAC became known
    std::uint64_t next_hop_changed = 0;  // a known gateway announced another MAC, which we took
    std::uint64_t for_nobody = 0;        // ARP/ND not for our addresses, other protocols, wrong VLAN
    std::uint64_t malformed = 0;         // ARP or ND that decode_arp/decode_ndp refused (checksum included)
    std::uint64_t conflicts = 0;         // another MAC claimed one of our addresses (ARP sender, NA target)
    std::uint64_t tx_failed = 0;         // no TX buffer, or the frame did not fit: a reply or request not sent

    static constexpr std::array fields{
        &neighbour_counters::arp_answered,     &neighbour_counters::ns_answered,
        &neighbour_counters::gratuitous_sent,  &neighbour_counters::resolve_sent,
        &neighbour_counters::resolved,         &neighbour_counters::next_hop_changed,
        &neighbour_counters::for_nobody,       &neighbour_counters::malformed,
        &neighbour_counters::conflicts,        &neighbour_counters::tx_failed,
    };
    static constexpr std::array<std::string_view, fields.size()> field_names{
        "arp_answered", "ns_answered", "gratuitous_sent", "resolve_sent", "resolved",
        "next_hop_changed", "for_nobody", "malformed", "conflicts", "tx_failed",
    };

    constexpr neighbour_counters& operator+=(const neighbour_counters& other) noexcept {
        for (auto field : fields) this->*field += other.*field;
        return *this;
    }
    friend constexpr bool operator==(const neighbour_counters&, const neighbour_counters&) = default;
};

}  // namespace qqgen::engine
