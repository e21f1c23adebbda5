// The neighbour module (dataplane/engine/neighbour_handler.hpp): ARP and
// neighbour discovery for the emulated addresses, next-hop resolution,
// announcements at start. Requests are built with the protocol library's
// encoders, fed through memory_frame_io or straight into handle_neighbour,
// and the answers decoded with its decoders (ICMPv6 checksums included).
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "dataplane/engine/load_settings.hpp"
#include "dataplane/engine/memory_frame_io.hpp"
#include "dataplane/engine/neighbour_handler.hpp"
#include "dataplane/engine/neighbour_settings.hpp"
#include "engine_test_support.hpp"
#include "protocols/arp.hpp"
#include "protocols/ndp.hpp"
#include "protocols/net_headers.hpp"

using namespace qqgen;
using engine::load_settings;
using engine::memory_frame_io;
using engine::neighbour_handler;
using engine::neighbour_settings;
using engine::port_role;
using proto::ip_address;
using proto::ipv4_address;
using proto::ipv6_address;
using proto::mac_address;

namespace {

using frame = std::vector<std::byte>;

constexpr std::uint64_t second = 1'000'000'000;

const mac_address dut_mac = *mac_address::parse("02:aa:00:00:00:01");
const mac_address dut_mac2 = *mac_address::parse("02:aa:00:00:00:02");
const ipv4_address dut_ip = *ipv4_address::parse("10.1.0.1");
const ipv6_address dut_ip6 = *ipv6_address::parse("fe80::1");

ipv4_address v4(const char* text) { return *ipv4_address::parse(text); }
ipv6_address v6(const char* text) { return *ipv6_address::parse(text); }

frame arp_bytes(const proto::arp_message& m, std::optional<proto::vlan_tag> vlan = {}) {
    frame f(128);
    const std::size_t n = proto::write_arp_frame(f, m, vlan);
    REQUIRE(n != 0);
    f.resize(n);
    return f;
}

frame ndp_bytes(const proto::ndp_frame& m) {
    frame f(256);
    const std::size_t n = proto::write_ndp_frame(f, m);
    REQUIRE(n != 0);
    f.resize(n);
    return f;
}

// handle_neighbour on a frame as the engine hands it over: parsed.
bool feed(neighbour_handler& h, memory_frame_io& io, port_role port, const frame& bytes) {
    const auto parsed = proto::parse_frame(bytes);
    REQUIRE(parsed.ok());
    return h.handle_neighbour(port, parsed.value, io);
}

// What `from` sent: flushed and read off the far end of the wire.
std::vector<frame> sent_on(memory_frame_io& io, port_role from) {
    io.flush(from);
    std::vector<frame> out;
    while (io.rx_burst(engine::peer_of(from),
                       [&](std::span<const std::byte> f) { out.emplace_back(f.begin(), f.end()); }) != 0) {
    }
    return out;
}

proto::arp_message arp_of(const frame& f, std::optional<proto::vlan_tag>* vlan = nullptr) {
    const auto parsed = proto::parse_frame(f);
    REQUIRE(parsed.ok());
    REQUIRE(parsed.value.ethertype == proto::ethertype::arp);
    if (vlan != nullptr) *vlan = parsed.value.vlan;
    const auto m = proto::decode_arp(parsed.value.l3);
    REQUIRE(m.ok());
    return m.value;
}

// A sent IPv6 ND frame: parsed (hop limit, ICMPv6 checksum and RFC 4861
// 7.1 checks done by decode_ndp).
struct nd_seen {
    proto::parsed_frame frame;
    proto::ndp_message msg;
};
nd_seen nd_of(const frame& f) {
    const auto parsed = proto::parse_frame(f);
    REQUIRE(parsed.ok());
    REQUIRE(parsed.value.ip_version == 6);
    REQUIRE(parsed.value.protocol == proto::ip_protocol::icmpv6);
    const auto m = proto::decode_ndp(parsed.value);
    INFO("decode_ndp: " << proto::to_string(m.why.code));
    REQUIRE(m.ok());
    return {parsed.value, m.value};
}

// The ARP requests among `frames` that are not announcements.
std::vector<proto::arp_message> requests_in(const std::vector<frame>& frames) {
    std::vector<proto::arp_message> out;
    for (const auto& f : frames) {
        const auto m = arp_of(f);
        if (m.op == proto::arp_op::request && m.sender_ip != m.target_ip) out.push_back(m);
    }
    return out;
}

ipv4_address client_v4(const load_settings& s, std::uint32_t i) {
    return ipv4_address::from_u32(s.client_address_base.v4().to_u32() + i);
}

load_settings v6_settings() {
    load_settings s;
    s.ip_version = 6;
    s.client_address_base = v6("2001:db8:1::1");
    s.dns_server = v6("2001:db8:2::53");
    s.login_servers[0] = v6("2001:db8:2::1:1");
    s.login_servers[1] = v6("2001:db8:2::1:2");
    REQUIRE(s.validate().empty());
    return s;
}

ipv6_address client_v6(const load_settings& s, std::uint8_t i) {
    ipv6_address a = s.client_address_base.v6();
    a.bytes[15] = std::byte(std::to_integer<unsigned>(a.bytes[15]) + i);
    return a;
}

// A routed client port: the DUT is 10.1.0.1, we are 10.1.0.2 on its subnet.
neighbour_settings routed(const load_settings& s) {
    neighbour_settings n = engine::neighbour_settings_from(s);
    n[port_role::client].next_hop_mac = {};
    n[port_role::client].gateway_ip = dut_ip;
    n[port_role::client].interface_ip = v4("10.1.0.2");
    REQUIRE(engine::validate(n).empty());
    return n;
}

}  // namespace

TEST_CASE("ARP requests for client addresses are answered with the client port's MAC", "[neighbour][arp]") {
    const load_settings s;
    neighbour_handler h(s);
    memory_frame_io io;
    const ipv4_address asker = v4("198.18.255.254");
    for (const std::uint32_t i : {0u, 5u, s.client_address_count - 1}) {
        const auto request = proto::make_arp_request(dut_mac, asker, client_v4(s, i));
        CHECK(feed(h, io, port_role::client, arp_bytes(request)));
        const auto sent = sent_on(io, port_role::client);
        REQUIRE(sent.size() == 1);
        CHECK(sent[0].size() == proto::ethernet_min_frame);
        const auto parsed = proto::parse_frame(sent[0]);
        REQUIRE(parsed.ok());
        CHECK(parsed.value.dst_mac == dut_mac);
        CHECK(parsed.value.src_mac == s.local_mac[0]);
        CHECK(!parsed.value.vlan);
        const auto reply = arp_of(sent[0]);
        CHECK(reply == proto::make_arp_reply(request, s.local_mac[0]));
        CHECK(reply.op == proto::arp_op::reply);
        CHECK(reply.sender_ip == client_v4(s, i));
        CHECK(reply.target_mac == dut_mac);
        CHECK(reply.target_ip == asker);
    }
    CHECK(h.counters(port_role::client).arp_answered == 3);
    CHECK(h.counters(port_role::client).for_nobody == 0);
    CHECK(h.counters(port_role::server) == engine::neighbour_counters{});
    CHECK(io.buffers_free() == io.buffers_total());
}

TEST_CASE("ARP requests for the servers are answered on the server port only", "[neighbour][arp]") {
    const load_settings s;
    neighbour_handler h(s);
    memory_frame_io io;
    for (const ip_address& server : {s.dns_server, s.login_servers[0], s.login_servers[1]}) {
        const auto request = proto::make_arp_request(dut_mac, v4("198.19.255.254"), server.v4());
        CHECK(feed(h, io, port_role::server, arp_bytes(request)));
        const auto sent = sent_on(io, port_role::server);
        REQUIRE(sent.size() == 1);
        CHECK(arp_of(sent[0]) == proto::make_arp_reply(request, s.local_mac[1]));
    }
    CHECK(h.counters(port_role::server).arp_answered == 3);

    // Not configured (login_server_count is 2), a client address, and the DNS
    // server asked for on the client port: nobody's here.
    CHECK_FALSE(feed(h, io, port_role::server, arp_bytes(proto::make_arp_request(dut_mac, dut_ip, s.login_servers[2].v4()))));
    CHECK_FALSE(feed(h, io, port_role::server, arp_bytes(proto::make_arp_request(dut_mac, dut_ip, client_v4(s, 0)))));
    CHECK_FALSE(feed(h, io, port_role::client, arp_bytes(proto::make_arp_request(dut_mac, dut_ip, s.dns_server.v4()))));
    CHECK(sent_on(io, port_role::server).empty());
    CHECK(sent_on(io, port_role::client).empty());
    CHECK(h.counters(port_role::server).for_nobody == 2);
    CHECK(h.counters(port_role::client).for_nobody == 1);
    CHECK(h.counters(port_role::client).arp_answered == 0);
}

TEST_CASE("ARP for addresses we do not own, and frames that are not ARP/ND, are ignored and counted",
          "[neighbour][arp]") {
    const load_settings s;
    neighbour_handler h(s);
    memory_frame_io io;
    const auto base = s.client_address_base.v4().to_u32();
    for (const std::uint32_t a : {base + s.client_address_count, base - 1, v4("10.0.0.1").to_u32()})
        CHECK_FALSE(feed(h, io, port_role::client,
                         arp_bytes(proto::make_arp_request(dut_mac, dut_ip, ipv4_address::from_u32(a)))));
    // A reply or an announcement asks nothing of us.
    CHECK_FALSE(feed(h, io, port_role::client,
                     arp_bytes({proto::arp_op::reply, dut_mac, dut_ip, s.local_mac[0], client_v4(s, 0)})));
    CHECK_FALSE(feed(h, io, port_role::client, arp_bytes(proto::make_gratuitous_arp(dut_mac, dut_ip))));
    // Our own request come back (a bridge flooding it to the same port).
    CHECK_FALSE(feed(h, io, port_role::client,
                     arp_bytes(proto::make_arp_request(s.local_mac[0], dut_ip, client_v4(s, 1)))));
    // IPv4 TCP: not ours to take.
    proto::frame_desc d;
    d.eth = {s.local_mac[0], dut_mac, {}};
    d.src_ip = dut_ip;
    d.dst_ip = client_v4(s, 0);
    d.protocol = proto::ip_protocol::tcp;
    d.src_port = 80;
    d.dst_port = 10000;
    frame tcp(128);
    tcp.resize(proto::write_frame(tcp, d, {}));
    REQUIRE(!tcp.empty());
    CHECK_FALSE(feed(h, io, port_role::client, tcp));
    CHECK(h.counters(port_role::client).for_nobody == 7);

    // ARP with a hardware type other than Ethernet: decode_arp refuses it.
    frame bad = arp_bytes(proto::make_arp_request(dut_mac, dut_ip, client_v4(s, 0)));
    bad[15] = std::byte{2};
    CHECK_FALSE(feed(h, io, port_role::client, bad));
    CHECK(h.counters(port_role::client).malformed == 1);

    CHECK(sent_on(io, port_role::client).empty());
    CHECK(h.counters(port_role::client).arp_answered == 0);
}

TEST_CASE("A port's VLAN tag is honoured and the request's tag kept in the reply", "[neighbour][arp][vlan]") {
    load_settings s;
    s.vlan_id = {100, 200};
    neighbour_handler h(s);
    memory_frame_io io;
    const auto request = proto::make_arp_request(dut_mac, dut_ip, client_v4(s, 2));
    const proto::vlan_tag tag{100, 5, false};
    CHECK(feed(h, io, port_role::client, arp_bytes(request, tag)));
    const auto sent = sent_on(io, port_role::client);
    REQUIRE(sent.size() == 1);
    std::optional<proto::vlan_tag> reply_tag;
    CHECK(arp_of(sent[0], &reply_tag) == proto::make_arp_reply(request, s.local_mac[0]));
    REQUIRE(reply_tag);
    CHECK(*reply_tag == tag);

    // Untagged, or the other port's VLAN: not for this port.
    CHECK_FALSE(feed(h, io, port_role::client, arp_bytes(request)));
    CHECK_FALSE(feed(h, io, port_role::client, arp_bytes(request, proto::vlan_tag{200, 0, false})));
    CHECK(h.counters(port_role::client).for_nobody == 2);
    CHECK(sent_on(io, port_role::client).empty());

    // Frames we originate carry the port's tag.
    h.start(io, 0);
    for (const auto& f : sent_on(io, port_role::server)) {
        std::optional<proto::vlan_tag> t;
        (void)arp_of(f, &t);
        REQUIRE(t);
        CHECK(*t == proto::vlan_tag{200, 0, false});
    }
}

TEST_CASE("Neighbour solicitations for emulated IPv6 addresses get a solicited NA", "[neighbour][ndp]") {
    const load_settings s = v6_settings();
    neighbour_handler h(s);
    memory_frame_io io;
    const ipv6_address target = client_v6(s, 3);

    SECTION("to the solicited-node group, from a router's link-local address") {
        const auto ns = proto::make_neighbor_solicitation(dut_mac, {}, dut_ip6, target);
        REQUIRE(ns.dst_ip == proto::solicited_node_multicast(target));
        CHECK(feed(h, io, port_role::client, ndp_bytes(ns)));
        const auto sent = sent_on(io, port_role::client);
        REQUIRE(sent.size() == 1);
        const auto na = nd_of(sent[0]);  // checksum verified here
        CHECK(na.frame.dst_mac == dut_mac);
        CHECK(na.frame.src_mac == s.local_mac[0]);
        CHECK(na.frame.src_ip == ip_address(target));
        CHECK(na.frame.dst_ip == ip_address(dut_ip6));
        CHECK(na.frame.ttl == proto::ndp_hop_limit);
        CHECK(na.msg.type == proto::ndp_type::neighbor_advertisement);
        CHECK(na.msg.target == target);
        CHECK(na.msg.flag_solicited);
        CHECK(na.msg.flag_override);
        CHECK_FALSE(na.msg.flag_router);
        REQUIRE(na.msg.link_layer);
        CHECK(*na.msg.link_layer == s.local_mac[0]);
        CHECK(h.counters(port_role::client).ns_answered == 1);
    }
    SECTION("unicast to the target (reachability check), tagged") {
        load_settings tagged = s;
        tagged.vlan_id = {7, 0};
        neighbour_handler ht(tagged);
        auto ns = proto::make_neighbor_solicitation(dut_mac, proto::vlan_tag{7, 3, false}, dut_ip6, target);
        ns.eth.dst = s.local_mac[0];
        ns.dst_ip = target;
        CHECK(feed(ht, io, port_role::client, ndp_bytes(ns)));
        const auto sent = sent_on(io, port_role::client);
        REQUIRE(sent.size() == 1);
        const auto na = nd_of(sent[0]);
        REQUIRE(na.frame.vlan);
        CHECK(*na.frame.vlan == proto::vlan_tag{7, 3, false});
        CHECK(na.msg.flag_solicited);
        CHECK(na.frame.dst_mac == dut_mac);
    }
    SECTION("duplicate address detection from :: is answered to all-nodes") {
        const auto ns = proto::make_neighbor_solicitation(dut_mac, {}, ipv6_address{}, target);
        CHECK(feed(h, io, port_role::client, ndp_bytes(ns)));
        const auto sent = sent_on(io, port_role::client);
        REQUIRE(sent.size() == 1);
        const auto na = nd_of(sent[0]);
        CHECK(na.frame.dst_ip == ip_address(proto::all_nodes_multicast));
        CHECK_FALSE(na.msg.flag_solicited);
    }
    SECTION("a login server on the server port") {
        const auto ns = proto::make_neighbor_solicitation(dut_mac, {}, dut_ip6, s.login_servers[1].v6());
        CHECK(feed(h, io, port_role::server, ndp_bytes(ns)));
        const auto sent = sent_on(io, port_role::server);
        REQUIRE(sent.size() == 1);
        const auto na = nd_of(sent[0]);
        CHECK(na.msg.target == s.login_servers[1].v6());
        CHECK(*na.msg.link_layer == s.local_mac[1]);
        CHECK(h.counters(port_role::server).ns_answered == 1);
    }
    SECTION("not ours, sent to the wrong group, or with a bad checksum") {
        CHECK_FALSE(feed(h, io, port_role::client,
                         ndp_bytes(proto::make_neighbor_solicitation(dut_mac, {}, dut_ip6, client_v6(s, 16)))));
        CHECK_FALSE(feed(h, io, port_role::server,
                         ndp_bytes(proto::make_neighbor_solicitation(dut_mac, {}, dut_ip6, target))));
        auto wrong_group = proto::make_neighbor_solicitation(dut_mac, {}, dut_ip6, target);
        wrong_group.dst_ip = proto::solicited_node_multicast(client_v6(s, 4));
        CHECK_FALSE(feed(h, io, port_role::client, ndp_bytes(wrong_group)));
        CHECK(h.counters(port_role::client).for_nobody == 2);
        CHECK(h.counters(port_role::server).for_nobody == 1);

        frame bad = ndp_bytes(proto::make_neighbor_solicitation(dut_mac, {}, dut_ip6, target));
        bad[14 + 40 + 2] ^= std::byte{0x01};  // the ICMPv6 checksum
        CHECK_FALSE(feed(h, io, port_role::client, bad));
        CHECK(h.counters(port_role::client).malformed == 1);
        // ARP on an IPv6 port has no address to be for.
        CHECK_FALSE(feed(h, io, port_role::client, arp_bytes(proto::make_arp_request(dut_mac, dut_ip, v4("198.18.0.1")))));
        CHECK(h.counters(port_role::client).for_nobody == 3);
        CHECK(sent_on(io, port_role::client).empty());
        CHECK(sent_on(io, port_role::server).empty());
    }
}

TEST_CASE("A configured next-hop MAC makes a port ready at once, with no requests", "[neighbour][resolve]") {
    const load_settings s;
    neighbour_handler h(s);
    memory_frame_io io;
    for (const port_role r : engine::all_port_roles) {
        CHECK(h.ready(r));
        CHECK(h.next_hop_mac(r) == s.next_hop_mac[engine::index_of(r)]);
    }
    h.start(io, 0);
    h.poll(io, 1 * second);
    h.poll(io, 5 * second);
    for (const port_role r : engine::all_port_roles) {
        CHECK(requests_in(sent_on(io, r)).empty());
        CHECK(h.counters(r).resolve_sent == 0);
    }
    // Someone claiming the (unused) gateway address does not change it.
    CHECK_FALSE(feed(h, io, port_role::client, arp_bytes(proto::make_gratuitous_arp(dut_mac, s.dns_server.v4()))));
    CHECK(h.next_hop_mac(port_role::client) == s.next_hop_mac[0]);
}

TEST_CASE("The gateway's MAC is resolved with ARP, retried every second, and learned from the reply",
          "[neighbour][resolve]") {
    const load_settings s;
    neighbour_handler h(routed(s));
    memory_frame_io io;
    CHECK_FALSE(h.ready(port_role::client));
    CHECK(h.next_hop_mac(port_role::client) == mac_address{});
    CHECK(h.ready(port_role::server));

    h.start(io, 0);
    auto requests = requests_in(sent_on(io, port_role::client));
    REQUIRE(requests.size() == 1);
    const proto::arp_message first = requests[0];
    CHECK(first == proto::make_arp_request(s.local_mac[0], v4("10.1.0.2"), dut_ip));
    CHECK(requests_in(sent_on(io, port_role::server)).empty());

    io.set_now_ns(second / 2);
    h.poll(io, io.now_ns());
    CHECK(sent_on(io, port_role::client).empty());
    io.set_now_ns(second - 1);
    h.poll(io, io.now_ns());
    CHECK(sent_on(io, port_role::client).empty());
    io.set_now_ns(second);
    h.poll(io, io.now_ns());
    CHECK(requests_in(sent_on(io, port_role::client)).size() == 1);
    io.set_now_ns(2 * second);
    h.poll(io, io.now_ns());
    CHECK(requests_in(sent_on(io, port_role::client)).size() == 1);
    CHECK(h.counters(port_role::client).resolve_sent == 3);
    CHECK_FALSE(h.ready(port_role::client));

    // The DUT answers; the reply comes in over the wire.
    REQUIRE(io.inject(port_role::client, arp_bytes(proto::make_arp_reply(first, dut_mac))));
    io.rx_burst(port_role::client, [&](std::span<const std::byte> f) {
        const auto parsed = proto::parse_frame(f);
        REQUIRE(parsed.ok());
        CHECK(h.handle_neighbour(port_role::client, parsed.value, io));
    });
    CHECK(h.ready(port_role::client));
    CHECK(h.next_hop_mac(port_role::client) == dut_mac);
    CHECK(h.counters(port_role::client).resolved == 1);

    // No more requests once resolved.
    io.set_now_ns(3 * second);
    h.poll(io, io.now_ns());
    io.set_now_ns(10 * second);
    h.poll(io, io.now_ns());
    CHECK(sent_on(io, port_role::client).empty());
    CHECK(h.counters(port_role::client).resolve_sent == 3);

    // The gateway moves (failover) and announces it: taken at once.
    CHECK(feed(h, io, port_role::client, arp_bytes(proto::make_gratuitous_arp(dut_mac2, dut_ip))));
    CHECK(h.next_hop_mac(port_role::client) == dut_mac2);
    CHECK(h.counters(port_role::client).next_hop_changed == 1);
    CHECK(h.counters(port_role::client).resolved == 1);

    // The interface address is answered for like the emulated ones.
    CHECK(feed(h, io, port_role::client, arp_bytes(proto::make_arp_request(dut_mac2, dut_ip, v4("10.1.0.2")))));
    CHECK(h.counters(port_role::client).arp_answered == 1);
}

TEST_CASE("The gateway is learned from its unsolicited ARP or its own request", "[neighbour][resolve]") {
    const load_settings s;
    const bool by_request = GENERATE(false, true);
    neighbour_handler h(routed(s));
    memory_frame_io io;
    h.start(io, 0);
    const auto learn_from = by_request ? proto::make_arp_request(dut_mac, dut_ip, client_v4(s, 9))
                                       : proto::make_gratuitous_arp(dut_mac, dut_ip);
    CHECK(feed(h, io, port_role::client, arp_bytes(learn_from)));
    CHECK(h.ready(port_role::client));
    CHECK(h.next_hop_mac(port_role::client) == dut_mac);
    CHECK(h.counters(port_role::client).arp_answered == (by_request ? 1u : 0u));
}

TEST_CASE("An IPv6 gateway is resolved with neighbour solicitations", "[neighbour][resolve][ndp]") {
    const load_settings s = v6_settings();
    neighbour_settings n = engine::neighbour_settings_from(s);
    n[port_role::server].next_hop_mac = {};
    n[port_role::server].gateway_ip = dut_ip6;
    REQUIRE(engine::validate(n).empty());
    neighbour_handler h(n);
    memory_frame_io io;
    h.start(io, 0);

    const auto solicitations = [&] {
        std::vector<nd_seen> out;
        for (const auto& f : sent_on(io, port_role::server)) {
            auto seen = nd_of(f);
            if (seen.msg.type == proto::ndp_type::neighbor_solicitation) out.push_back(seen);
        }
        return out;
    };
    auto sent = solicitations();
    REQUIRE(sent.size() == 1);
    const auto group = proto::solicited_node_multicast(dut_ip6);
    CHECK(sent[0].frame.dst_ip == ip_address(group));
    CHECK(sent[0].frame.dst_mac == proto::multicast_mac(group));
    CHECK(sent[0].frame.src_ip == s.dns_server);  // the port's first address
    CHECK(sent[0].msg.target == dut_ip6);
    REQUIRE(sent[0].msg.link_layer);
    CHECK(*sent[0].msg.link_layer == s.local_mac[1]);

    h.poll(io, second - 1);
    CHECK(solicitations().empty());
    h.poll(io, second);
    CHECK(solicitations().size() == 1);

    const auto na = proto::make_neighbor_advertisement(dut_mac, {}, dut_ip6, s.dns_server.v6(), s.local_mac[1]);
    CHECK(feed(h, io, port_role::server, ndp_bytes(na)));
    CHECK(h.ready(port_role::server));
    CHECK(h.next_hop_mac(port_role::server) == dut_mac);
    h.poll(io, 5 * second);
    CHECK(solicitations().empty());

    // An unsolicited NA (failover) moves it.
    CHECK(feed(h, io, port_role::server, ndp_bytes(proto::make_unsolicited_advertisement(dut_mac2, {}, dut_ip6))));
    CHECK(h.next_hop_mac(port_role::server) == dut_mac2);
    CHECK(h.counters(port_role::server).resolved == 1);
    CHECK(h.counters(port_role::server).next_hop_changed == 1);
}

TEST_CASE("Start announces a bounded number of addresses with well-formed gratuitous ARP", "[neighbour][announce]") {
    load_settings s;
    s.client_address_count = 1'000'000;  // announcing them all would be pointless
    neighbour_handler h(s);
    memory_frame_io io;
    h.start(io, 0);

    const auto client = sent_on(io, port_role::client);
    REQUIRE(client.size() == h.settings().announce_range);
    for (std::uint32_t i = 0; i < client.size(); ++i) {
        CHECK(client[i].size() == proto::ethernet_min_frame);
        const auto parsed = proto::parse_frame(client[i]);
        REQUIRE(parsed.ok());
        CHECK(parsed.value.dst_mac == mac_address::broadcast());
        CHECK(parsed.value.src_mac == s.local_mac[0]);
        CHECK(arp_of(client[i]) == proto::make_gratuitous_arp(s.local_mac[0], client_v4(s, i)));
    }
    const auto server = sent_on(io, port_role::server);
    REQUIRE(server.size() == 1u + s.login_server_count);
    CHECK(arp_of(server[0]) == proto::make_gratuitous_arp(s.local_mac[1], s.dns_server.v4()));
    CHECK(arp_of(server[1]) == proto::make_gratuitous_arp(s.local_mac[1], s.login_servers[0].v4()));
    CHECK(arp_of(server[2]) == proto::make_gratuitous_arp(s.local_mac[1], s.login_servers[1].v4()));
    CHECK(h.counters(port_role::client).gratuitous_sent == h.settings().announce_range);
    CHECK(h.counters(port_role::server).gratuitous_sent == 3);
}

TEST_CASE("Start announces IPv6 addresses with unsolicited NAs", "[neighbour][announce][ndp]") {
    const load_settings s = v6_settings();
    neighbour_handler h(s);
    memory_frame_io io;
    h.start(io, 0);
    const auto client = sent_on(io, port_role::client);
    REQUIRE(client.size() == s.client_address_count);  // 16, the default announce_range
    for (std::uint8_t i = 0; i < client.size(); ++i) {
        const auto na = nd_of(client[i]);
        CHECK(na.frame.dst_mac == proto::multicast_mac(proto::all_nodes_multicast));
        CHECK(na.frame.dst_ip == ip_address(proto::all_nodes_multicast));
        CHECK(na.frame.src_ip == ip_address(client_v6(s, i)));
        CHECK(na.msg.target == client_v6(s, i));
        CHECK(na.msg.flag_override);
        CHECK_FALSE(na.msg.flag_solicited);
        CHECK(*na.msg.link_layer == s.local_mac[0]);
    }
    CHECK(sent_on(io, port_role::server).size() == 3);
}

TEST_CASE("Through a bridge each port resolves the other", "[neighbour][resolve][bridge]") {
    // The memory wire is the bridge: what one port sends, the other receives.
    const int version = GENERATE(4, 6);
    load_settings s = version == 6 ? v6_settings() : load_settings{};
    s.next_hop_mac = {};
    const neighbour_settings n = engine::neighbour_settings_from(s);
    REQUIRE(engine::validate(n).empty());
    neighbour_handler h(n);
    memory_frame_io io;
    h.start(io, 0);
    for (int turn = 0; turn < 4 && !(h.ready(port_role::client) && h.ready(port_role::server)); ++turn) {
        for (const port_role r : engine::all_port_roles) {
            io.flush(engine::peer_of(r));
            io.rx_burst(r, [&](std::span<const std::byte> f) {
                const auto parsed = proto::parse_frame(f);
                REQUIRE(parsed.ok());
                (void)h.handle_neighbour(r, parsed.value, io);
            });
        }
        h.poll(io, static_cast<std::uint64_t>(turn + 1) * second);
    }
    CHECK(h.next_hop_mac(port_role::client) == s.local_mac[1]);
    CHECK(h.next_hop_mac(port_role::server) == s.local_mac[0]);
    CHECK(h.counters(port_role::client).malformed == 0);
    CHECK(h.counters(port_role::server).malformed == 0);
}

TEST_CASE("neighbour settings are validated with a message naming the field", "[neighbour][settings]") {
    const load_settings s;
    neighbour_settings n = engine::neighbour_settings_from(s);
    CHECK(engine::validate(n).empty());
    CHECK(n[port_role::client].range_count == s.client_address_count);
    CHECK(n[port_role::server].fixed_count == 1 + s.login_server_count);

    SECTION("a zero next-hop MAC needs a gateway") {
        n[port_role::client].next_hop_mac = {};
        n[port_role::client].gateway_ip = {};
        CHECK_THAT(engine::validate(n), Catch::Contains("gateway_ip[client]"));
    }
    SECTION("the gateway is not one of our own addresses") {
        n[port_role::server].next_hop_mac = {};
        n[port_role::server].gateway_ip = s.login_servers[1];
        CHECK_THAT(engine::validate(n), Catch::Contains("gateway_ip[server]"));
    }
    SECTION("the announcements are bounded") {
        n.announce_range = engine::max_neighbour_announcements + 1;
        CHECK_THAT(engine::validate(n), Catch::Contains("announce_range"));
    }
    SECTION("the address family is the same everywhere") {
        n[port_role::client].interface_ip = v6("2001:db8::2");
        CHECK_THAT(engine::validate(n), Catch::Contains("interface_ip[client]"));
    }
}

TEST_CASE("The session engine hands ARP to the neighbour module", "[neighbour][engine]") {
    const load_settings s = test::quick_settings(4);
    test::engine_t e(s, 0, 1, test::texts());
    memory_frame_io io(test::roomy_wire());
    std::vector<proto::arp_message> replies;
    io.set_wire_hook([&](port_role from, std::span<std::byte> f) {
        const auto parsed = proto::parse_frame(f);
        if (from == port_role::client && parsed && parsed.value.ethertype == proto::ethertype::arp) {
            const auto m = proto::decode_arp(parsed.value.l3);
            if (m && m.value.op == proto::arp_op::reply) replies.push_back(m.value);
        }
        return engine::wire_verdict::deliver;
    });
    const auto request = proto::make_arp_request(dut_mac, dut_ip, client_v4(s, 1));
    REQUIRE(io.inject(port_role::client, arp_bytes(request)));
    e.poll(io);
    io.flush(port_role::client);
    REQUIRE(replies.size() == 1);
    CHECK(replies[0] == proto::make_arp_reply(request, s.local_mac[0]));
    CHECK(e.counters().neighbour_frames[0] == 1);
    CHECK(e.neighbours().counters(port_role::client).arp_answered == 1);
}
