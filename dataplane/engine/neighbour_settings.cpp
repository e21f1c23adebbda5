#include "dataplane/engine/neighbour_settings.hpp"

namespace qqgen::engine {

namespace {

bool zero_mac(const proto::mac_address& m) noexcept { return m == proto::mac_address{}; }

std::string where(std::size_t p, const char* field) {
    return std::string(field) + "[" + std::string(to_string(all_port_roles[p])) + "]";
}

// The last 32 bits of an address (all of an IPv4 one).
std::uint32_t low32(const proto::ip_address& a) noexcept {
    const std::size_t o = a.is_v4() ? 0 : 12;
    return (std::to_integer<std::uint32_t>(a.bytes[o]) << 24) | (std::to_integer<std::uint32_t>(a.bytes[o + 1]) << 16) |
           (std::to_integer<std::uint32_t>(a.bytes[o + 2]) << 8) | std::to_integer<std::uint32_t>(a.bytes[o + 3]);
}

}  // namespace

neighbour_settings neighbour_settings_from(const load_settings& s) noexcept {
    neighbour_settings n;
    n.ip_version = s.ip_version;
    for (const port_role r : all_port_roles) {
        auto& p = n[r];
        p.local_mac = s.local_mac[index_of(r)];
        p.vlan_id = s.vlan_id[index_of(r)];
        p.next_hop_mac = s.next_hop_mac[index_of(r)];
    }
    auto& client = n[port_role::client];
    client.range_base = s.client_address_base;
    client.range_count = s.client_address_count;
    client.gateway_ip = s.dns_server;  // bridging default: the server port answers for it

    auto& server = n[port_role::server];
    server.fixed[server.fixed_count++] = s.dns_server;
    const std::size_t logins = s.login_server_count < max_login_servers ? s.login_server_count : max_login_servers;
    for (std::size_t i = 0; i < logins; ++i) server.fixed[server.fixed_count++] = s.login_servers[i];
    // The companion applications' servers (app_settings.hpp).
    for (const app_spec& a : s.apps.apps)
        if (a.enabled()) server.fixed[server.fixed_count++] = a.server;
    server.gateway_ip = s.client_address_base;  // bridging default: the client port answers for it

    // A routing DUT: resolve its interface address on each side instead.
    for (const port_role r : all_port_roles) {
        if (!is_unset(s.gateway_ip[index_of(r)])) n[r].gateway_ip = s.gateway_ip[index_of(r)];
        if (!is_unset(s.interface_ip[index_of(r)])) n[r].interface_ip = s.interface_ip[index_of(r)];
    }
    return n;
}

std::string validate(const neighbour_settings& s) {
    if (s.ip_version != 4 && s.ip_version != 6) return "ip_version must be 4 or 6, not " + std::to_string(s.ip_version);
    const auto version = s.ip_version == 6 ? proto::ip_version::v6 : proto::ip_version::v4;
    const std::string vname = s.ip_version == 6 ? "an IPv6" : "an IPv4";
    if (s.retry_ns == 0) return "retry_ns must be above 0 (the interval between unanswered ARP/NS requests)";
    if (s.announce_range > max_neighbour_announcements)
        return "announce_range is " + std::to_string(s.announce_range) + "; at most " +
               std::to_string(max_neighbour_announcements) +
               " addresses per port are announced at start (routers ask for the others when they need them)";
    for (std::size_t i = 0; i < s.port.size(); ++i) {
        const auto& p = s.port[i];
        if (zero_mac(p.local_mac) || p.local_mac.is_multicast())
            return where(i, "local_mac") + " must be a unicast, non-zero MAC address";
        if (p.vlan_id > 4094) return where(i, "vlan_id") + " must be 0 (untagged) or 1..4094";
        if (p.next_hop_mac.is_multicast())
            return where(i, "next_hop_mac") + " must be unicast (or zero to resolve the gateway's MAC)";
        if (p.range_count == 0 && p.fixed_count == 0)
            return "the " + std::string(to_string(all_port_roles[i])) + " port emulates no address to answer for";
        if (p.range_count != 0) {
            if (p.range_base.version != version) return where(i, "range_base") + " must be " + vname + " address";
            if (std::uint64_t{low32(p.range_base)} + p.range_count - 1 > 0xFFFFFFFFull)
                return where(i, "range_base") + " + range_count must stay within the last 32 bits";
        }
        if (p.fixed_count > p.fixed.size())
            return where(i, "fixed_count") + " is above " + std::to_string(p.fixed.size());
        for (std::size_t k = 0; k < p.fixed_count; ++k)
            if (p.fixed[k].version != version) return where(i, "fixed") + " addresses must be " + vname + " address";
        if (!is_unset(p.interface_ip) && p.interface_ip.version != version)
            return where(i, "interface_ip") + " must be " + vname + " address (or unset)";
        if (zero_mac(p.next_hop_mac)) {
            if (is_unset(p.gateway_ip) || p.gateway_ip.version != version)
                return where(i, "gateway_ip") + " must be " + vname +
                       " address: next_hop_mac is zero, so the next hop's MAC is resolved from it "
                       "(or configure next_hop_mac)";
            if (owns(p, p.gateway_ip))
                return where(i, "gateway_ip") + " is an address this port answers for itself; give the next hop's "
                       "address (the DUT's, or one the other port emulates through a bridge)";
        }
    }
    return {};
}

}  // namespace qqgen::engine
