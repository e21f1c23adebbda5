// What the neighbour module (neighbour_handler.hpp) needs to know about each
// port: the addresses it answers ARP / neighbour solicitations for, the MAC
// and VLAN it answers with, and where the next hop's MAC comes from.
//
// A plain, trivially copyable struct that set-up code fills from
// load_settings (neighbour_settings_from) and checks (validate). The
// handler keeps its own copy.
//
// Next hop: a non-zero next_hop_mac is used as configured (the `wire`
// topology, or a DUT whose MAC the user knows). A zero one is resolved: the
// module asks for gateway_ip (ARP, or NS for IPv6) until someone answers.
// - routing DUT: gateway_ip is the DUT's interface address on that port;
// - bridging DUT (or the same L2 segment): gateway_ip is any address the
//   other port emulates, so each port learns the other port's MAC through
//   the bridge. neighbour_settings_from defaults to this: the client port
//   resolves the DNS server, the server port the first client address.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include "dataplane/engine/frame_io.hpp"
#include "dataplane/engine/load_settings.hpp"
#include "protocols/net_headers.hpp"

namespace qqgen::engine {

// The fixed addresses of one port: the DNS server, the login servers and
// the companion applications' servers.
inline constexpr std::size_t max_neighbour_fixed_addresses = 1 + max_login_servers + app_kind_count;
// Gratuitous ARPs / unsolicited NAs sent per port at start for the address
// range. A router learns a neighbour from them only where it accepts
// unsolicited ARP (Linux: net.ipv4.conf.*.arp_accept, off by default) and
// otherwise asks when it first routes to an address, so announcing millions
// of client addresses would only burst the TX queue; the first few are
// enough to teach a bridge's forwarding table our MAC and to show up in a
// capture.
inline constexpr std::uint32_t max_neighbour_announcements = 256;

struct neighbour_port_settings {
    proto::mac_address local_mac;  // we answer with it and send from it
    std::uint16_t vlan_id = 0;     // 0 = untagged; frames we send carry it
    // Addresses this port answers for: range_base .. range_base +
    // range_count - 1 (arithmetic on the last 32 bits), plus fixed[0 ..
    // fixed_count).
    proto::ip_address range_base;
    std::uint32_t range_count = 0;
    std::array<proto::ip_address, max_neighbour_fixed_addresses> fixed{};
    std::uint8_t fixed_count = 0;
    // Non-zero: the next hop's MAC, used as is. Zero: resolve gateway_ip.
    proto::mac_address next_hop_mac;
    proto::ip_address gateway_ip;
    // The port's own address on the DUT's subnet, for a routing DUT that
    // reaches the emulated addresses through a route "via" it: answered for
    // like the others and the sender of our requests. Unset (all zero): the
    // requests come from the first fixed address, else range_base.
    proto::ip_address interface_ip;
};

struct neighbour_settings {
    std::uint8_t ip_version = 4;  // 4: ARP; 6: neighbour discovery. Every address has it.
    std::array<neighbour_port_settings, port_role_count> port{};
    std::uint32_t announce_range = 16;             // first addresses of the range announced at start
    std::uint64_t retry_ns = 1'000'000'000;        // resolution requests while unanswered

    [[nodiscard]] constexpr neighbour_port_settings& operator[](port_role r) noexcept { return port[index_of(r)]; }
    [[nodiscard]] constexpr const neighbour_port_settings& operator[](port_role r) const noexcept {
        return port[index_of(r)];
    }
};

static_assert(std::is_trivially_copyable_v<neighbour_settings>);

// 0.0.0.0 or ::, whatever the version field says.
[[nodiscard]] constexpr bool is_unset(const proto::ip_address& a) noexcept {
    for (const std::byte b : a.bytes)
        if (b != std::byte{0}) return false;
    return true;
}

// Whether a port answers for `a`: arithmetic on the range (no table, however
// many client addresses), then the few fixed addresses and the interface
// address. Per received ARP/NS, so noexcept and branch-light.
[[nodiscard]] constexpr bool owns(const neighbour_port_settings& p, const proto::ip_address& a) noexcept {
    if (p.range_count != 0 && a.version == p.range_base.version) {
        const std::size_t o = a.is_v4() ? 0 : 12;  // the last 32 bits
        bool same_prefix = true;
        for (std::size_t i = 0; i < o; ++i) same_prefix = same_prefix && a.bytes[i] == p.range_base.bytes[i];
        std::uint32_t low = 0, base = 0;
        for (std::size_t i = o; i < o + 4; ++i) {
            low = low << 8 | std::to_integer<std::uint32_t>(a.bytes[i]);
            base = base << 8 | std::to_integer<std::uint32_t>(p.range_base.bytes[i]);
        }
        if (same_prefix && low - base < p.range_count) return true;  // unsigned: below base wraps high
    }
    for (std::size_t i = 0; i < p.fixed_count && i < p.fixed.size(); ++i)
        if (p.fixed[i] == a) return true;
    return !is_unset(p.interface_ip) && p.interface_ip == a;
}

// The module's view of an engine's settings: the client port answers for
// the client address range, the server port for the DNS and login servers;
// local MACs, VLAN ids and next-hop MACs per port as configured; gateways
// for a zero next-hop MAC as the bridging default above. load_settings has
// no per-port gateway or interface address yet; when it gets them, this is
// the one place that copies them.
[[nodiscard]] neighbour_settings neighbour_settings_from(const load_settings& s) noexcept;

// Empty when the settings can run; else one sentence naming the port and
// field, what is wrong and what to change. Set-up code only.
[[nodiscard]] std::string validate(const neighbour_settings& s);

}  // namespace qqgen::engine
