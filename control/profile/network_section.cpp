// network: the addresses users and servers use, and the two ports' layer 2.
// Port 0 of load_settings' per-port arrays is the client side, 1 the server
// side; MACs, next hops and gateways map as qqgen-dataplane's --client-mac,
// --client-next-hop, --client-gateway ... do (dataplane/load_options.cpp).
#include <array>

#include "control/profile/profile_sections.hpp"

namespace qqgen::control {

namespace {

// One side's layer 2 and its router. A gateway without a next-hop MAC means
// "resolve the gateway's MAC with ARP/ND", which the engine reads from a zero
// next_hop_mac.
void read_port(yaml_section& side, std::size_t port, engine::load_settings& s) {
    side.integer("vlan", s.vlan_id[port], 0, 4094);
    side.mac("mac", s.local_mac[port]);
    const bool next_hop = side.mac("next_hop", s.next_hop_mac[port]);
    if (side.address("gateway", s.gateway_ip[port], s.ip_version) && !next_hop)
        s.next_hop_mac[port] = proto::mac_address{};
    side.address("interface", s.interface_ip[port], s.ip_version);
}

}  // namespace

void read_network(yaml_section& root, engine::load_settings& s) {
    yaml_section n = root.section("network");
    std::string version = "4";
    n.choice("ip_version", version, {"4", "6"});
    s.ip_version = version == "6" ? 6 : 4;
    if (s.ip_version == 6) {
        // RFC 5180's benchmarking range 2001:2::/48, as qqgen-dataplane --ipv6
        // uses: clients, DNS, login servers.
        s.client_address_base = *proto::ip_address::parse("2001:2:0:1::1");
        s.dns_server = *proto::ip_address::parse("2001:2:0:2::53");
        for (std::size_t i = 0; i < s.login_servers.size(); ++i)
            s.login_servers[i] = *proto::ip_address::parse("2001:2:0:2::1:" + std::to_string(i + 1));
    }
    {
        yaml_section c = n.section("client");
        c.address("first_address", s.client_address_base, s.ip_version);
        c.integer("addresses", s.client_address_count, 1);
        c.integer("first_port", s.client_port_base, 1);
        c.integer("ports_per_address", s.client_ports_per_address, 1);
        read_port(c, 0, s);
    }
    {
        yaml_section sv = n.section("server");
        read_port(sv, 1, s);
    }
    n.address("dns_server", s.dns_server, s.ip_version);
}

}  // namespace qqgen::control
