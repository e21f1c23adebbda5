// ARP (RFC 826) and IPv6 neighbour discovery (RFC 4861).
//
// Known-answer frames were written by this code and decoded by tshark 4.0.17
// ("Who has 10.0.0.2? Tell 10.0.0.1", "ARP Announcement for 10.0.0.1",
// "Neighbor Solicitation for 2001:db8::2 from 02:00:00:00:00:01", "Neighbor
// Advertisement 2001:db8::2 (sol, ovr) is at 02:00:00:00:00:02", ICMPv6
// checksums "Good").
#include <catch2/catch.hpp>

#include <string_view>
#include <vector>

#include "protocols/arp.hpp"
#include "protocols/checksum.hpp"
#include "protocols/ndp.hpp"

using namespace qqgen::proto;

namespace {

std::vector<std::byte> hex(std::string_view s) {
    std::vector<std::byte> out;
    auto nib = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    for (std::size_t i = 0; i + 1 < s.size(); i += 2) out.push_back(std::byte(nib(s[i]) << 4 | nib(s[i + 1])));
    return out;
}

const mac_address mac1 = *mac_address::parse("02:00:00:00:00:01");
const mac_address mac2 = *mac_address::parse("02:00:00:00:00:02");
const ipv4_address ip1 = *ipv4_address::parse("10.0.0.1");
const ipv4_address ip2 = *ipv4_address::parse("10.0.0.2");
const ipv6_address a6 = *ipv6_address::parse("2001:db8::1");
const ipv6_address b6 = *ipv6_address::parse("2001:db8::2");

std::vector<std::byte> arp_frame(const arp_message& m, std::optional<vlan_tag> vlan = {}) {
    std::vector<std::byte> buf(128);
    const std::size_t n = write_arp_frame(buf, m, vlan);
    REQUIRE(n != 0);
    buf.resize(n);
    return buf;
}

std::vector<std::byte> ndp_frame_bytes(const ndp_frame& f) {
    std::vector<std::byte> buf(256);
    const std::size_t n = write_ndp_frame(buf, f);
    REQUIRE(n != 0);
    buf.resize(n);
    return buf;
}

// RFC 1071 4.1 word by word, for an independent check of the ICMPv6 checksum.
std::uint32_t naive_sum(const_byte_span d) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < d.size(); i += 2) {
        sum += std::to_integer<std::uint32_t>(d[i]) << 8;
        if (i + 1 < d.size()) sum += std::to_integer<std::uint32_t>(d[i + 1]);
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

// An ICMPv6 message from a frame with its checksum redone after an edit.
std::vector<std::byte> recheck(std::vector<std::byte> m, const ipv6_address& s, const ipv6_address& d) {
    store_be16(m.data() + 2, 0);
    store_be16(m.data() + 2, internet_checksum(m, ipv6_pseudo_header_sum(s.bytes, d.bytes, 58,
                                                                         static_cast<std::uint32_t>(m.size()))));
    return m;
}

std::vector<std::byte> icmp_of(const std::vector<std::byte>& frame) {
    return {frame.begin() + 54, frame.end()};
}

}  // namespace

// ---- ARP -----------------------------------------------------------------------------

TEST_CASE("arp: known-answer request, reply and announcement", "[arp]") {
    const arp_message req = make_arp_request(mac1, ip1, ip2);
    CHECK(arp_frame(req) == hex("ffffffffffff020000000001080600010800060400010200000000010a0000010000000000000a000002"
                                "000000000000000000000000000000000000"));
    const arp_message rep = make_arp_reply(req, mac2);
    CHECK(rep.op == arp_op::reply);
    CHECK(rep.sender_mac == mac2);
    CHECK(rep.sender_ip == ip2);
    CHECK(rep.target_mac == mac1);
    CHECK(rep.target_ip == ip1);
    CHECK(arp_frame(rep, vlan_tag{100, 0, false}) ==
          hex("02000000000102000000000281000064080600010800060400020200000000020a0000020200000000010a000001"
              "0000000000000000000000000000"));
    const arp_message grat = make_gratuitous_arp(mac1, ip1);
    CHECK(grat.sender_ip == grat.target_ip);
    CHECK(arp_frame(grat) == hex("ffffffffffff020000000001080600010800060400010200000000010a0000010000000000000a000001"
                                 "000000000000000000000000000000000000"));
}

TEST_CASE("arp: frame -> parse_frame -> decode_arp round trip", "[arp]") {
    const arp_message msgs[] = {make_arp_request(mac1, ip1, ip2), make_arp_reply(make_arp_request(mac1, ip1, ip2), mac2),
                                make_gratuitous_arp(mac2, ip2)};
    for (const auto& m : msgs) {
        for (bool tagged : {false, true}) {
            const auto f = arp_frame(m, tagged ? std::optional<vlan_tag>{vlan_tag{7, 3, true}} : std::nullopt);
            CHECK(f.size() == 60);
            const auto p = parse_frame(f);
            REQUIRE(p.ok());
            CHECK(p.value.ethertype == ethertype::arp);
            CHECK(p.value.src_mac == m.sender_mac);
            CHECK(p.value.dst_mac == (m.op == arp_op::request ? mac_address::broadcast() : m.target_mac));
            if (tagged) CHECK(p.value.vlan == vlan_tag{7, 3, true});
            const auto a = decode_arp(p.value.l3);
            REQUIRE(a.ok());
            CHECK(a.value == m);
        }
    }
}

TEST_CASE("arp: every truncation and every bad field is refused", "[arp]") {
    std::array<std::byte, arp_size> b{};
    REQUIRE(encode_arp(b, make_arp_request(mac1, ip1, ip2)) == arp_size);
    for (std::size_t n = 0; n < arp_size; ++n) {
        const auto r = decode_arp(const_byte_span{b}.first(n));
        REQUIRE_FALSE(r.ok());
        CHECK(r.why.code == decode_error::truncated);
    }
    for (std::size_t n = 0; n < arp_size; ++n) CHECK(encode_arp(byte_span{b}.first(n), {}) == 0);
    struct edit {
        std::size_t at;
        std::uint8_t value;
        std::uint32_t offset;
    };
    for (auto e : {edit{1, 6, 0}, edit{2, 0x86, 2}, edit{4, 8, 4}, edit{5, 16, 5}, edit{7, 3, 6}, edit{7, 0, 6},
                   edit{8, 0x01, 8}}) {
        auto c = b;
        c[e.at] = std::byte{e.value};
        const auto r = decode_arp(c);
        INFO("byte " << e.at);
        CHECK(r.why.code == decode_error::bad_value);
        CHECK(r.why.offset == e.offset);
    }
    std::array<std::byte, 59> small{};
    CHECK(write_arp_frame(small, make_arp_request(mac1, ip1, ip2)) == 0);
}

// ---- NDP -----------------------------------------------------------------------------

TEST_CASE("ndp: solicited-node multicast address and its MAC", "[ndp]") {
    const auto a = *ipv6_address::parse("2001:db8::1:2345:6789");
    const auto g = solicited_node_multicast(a);
    CHECK(g.to_string() == "ff02::1:ff45:6789");
    CHECK(multicast_mac(g) == *mac_address::parse("33:33:ff:45:67:89"));
    CHECK(is_solicited_node_multicast(g));
    CHECK_FALSE(is_solicited_node_multicast(a));
    CHECK_FALSE(is_solicited_node_multicast(all_nodes_multicast));
    CHECK(all_nodes_multicast.to_string() == "ff02::1");
    CHECK(multicast_mac(all_nodes_multicast) == *mac_address::parse("33:33:00:00:00:01"));
}

TEST_CASE("ndp: known-answer solicitation and advertisements", "[ndp]") {
    CHECK(ndp_frame_bytes(make_neighbor_solicitation(mac1, {}, a6, b6)) ==
          hex("3333ff00000202000000000186dd6000000000203aff20010db8000000000000000000000001ff0200000000000000000001"
              "ff00000287001c270000000020010db80000000000000000000000020101020000000001"));
    CHECK(ndp_frame_bytes(make_neighbor_advertisement(mac2, {}, b6, a6, mac1)) ==
          hex("02000000000102000000000286dd6000000000203aff20010db800000000000000000000000220010db80000000000000000"
              "0000000188008a716000000020010db80000000000000000000000020201020000000002"));
    CHECK(ndp_frame_bytes(make_unsolicited_advertisement(mac2, {}, b6)) ==
          hex("33330000000102000000000286dd6000000000203aff20010db8000000000000000000000002ff0200000000000000000000"
              "000000018800f9272000000020010db80000000000000000000000020201020000000002"));
    // Duplicate address detection: from ::, no source link-layer option.
    CHECK(ndp_frame_bytes(make_neighbor_solicitation(mac1, {}, ipv6_address{}, b6)) ==
          hex("3333ff00000202000000000186dd6000000000183aff00000000000000000000000000000000ff0200000000000000000001"
              "ff00000287004ceb0000000020010db8000000000000000000000002"));
}

TEST_CASE("ndp: builders follow RFC 4861 7.2", "[ndp]") {
    const auto dad = make_neighbor_solicitation(mac1, {}, ipv6_address{}, b6);
    CHECK_FALSE(dad.msg.link_layer.has_value());
    const auto to_dad = make_neighbor_advertisement(mac2, {}, b6, ipv6_address{}, mac1);
    CHECK(to_dad.dst_ip == all_nodes_multicast);
    CHECK(to_dad.eth.dst == multicast_mac(all_nodes_multicast));
    CHECK_FALSE(to_dad.msg.flag_solicited);
    CHECK(to_dad.msg.flag_override);
    const auto na = make_neighbor_advertisement(mac2, vlan_tag{9, 0, false}, b6, a6, mac1);
    CHECK(na.eth.dst == mac1);
    CHECK(na.eth.vlan == vlan_tag{9, 0, false});
    CHECK(na.msg.flag_solicited);
    CHECK(na.msg.target == b6);
    CHECK(na.msg.link_layer == mac2);
    const auto un = make_unsolicited_advertisement(mac2, {}, b6);
    CHECK_FALSE(un.msg.flag_solicited);
    CHECK(un.msg.flag_override);
}

TEST_CASE("ndp: frames round-trip through parse_frame and decode_ndp", "[ndp]") {
    const ndp_frame frames[] = {make_neighbor_solicitation(mac1, {}, a6, b6),
                                make_neighbor_solicitation(mac1, vlan_tag{5, 1, false}, ipv6_address{}, b6),
                                make_neighbor_advertisement(mac2, vlan_tag{5, 1, false}, b6, a6, mac1),
                                make_neighbor_advertisement(mac2, {}, b6, ipv6_address{}, mac1),
                                make_unsolicited_advertisement(mac2, {}, b6)};
    for (const auto& nf : frames) {
        const auto f = ndp_frame_bytes(nf);
        const auto p = parse_frame(f);
        REQUIRE(p.ok());
        CHECK(p.value.ttl == 255);
        CHECK(p.value.src_ip == ip_address{nf.src_ip});
        CHECK(p.value.dst_ip == ip_address{nf.dst_ip});
        CHECK(p.value.dst_mac == nf.eth.dst);
        CHECK(p.value.vlan == nf.eth.vlan);
        // The ICMPv6 checksum, summed naively with its pseudo-header.
        std::vector<std::byte> ph(nf.src_ip.bytes.begin(), nf.src_ip.bytes.end());
        ph.insert(ph.end(), nf.dst_ip.bytes.begin(), nf.dst_ip.bytes.end());
        ph.insert(ph.end(), {{}, {}, {}, std::byte(p.value.l4.size()), {}, {}, {}, std::byte{58}});
        ph.insert(ph.end(), p.value.l4.begin(), p.value.l4.end());
        CHECK(naive_sum(ph) == 0xffff);
        const auto m = decode_ndp(p.value);
        REQUIRE(m.ok());
        CHECK(m.value == nf.msg);
    }
}

TEST_CASE("ndp: every truncation and every flipped bit is refused", "[ndp]") {
    const auto nf = make_neighbor_advertisement(mac2, {}, b6, a6, mac1);
    const auto msg = icmp_of(ndp_frame_bytes(nf));
    REQUIRE(decode_ndp(msg, b6, a6, 255).ok());
    for (std::size_t n = 0; n < msg.size(); ++n)
        REQUIRE_FALSE(decode_ndp(const_byte_span{msg}.first(n), b6, a6, 255).ok());
    for (std::size_t i = 0; i < msg.size(); ++i) {
        auto c = msg;
        c[i] ^= std::byte{0x04};
        INFO("byte " << i);
        REQUIRE_FALSE(decode_ndp(c, b6, a6, 255).ok());
    }
    // Wrong addresses in the pseudo-header.
    CHECK(decode_ndp(msg, a6, a6, 255).why.code == bad_checksum_error);
    CHECK(decode_ndp(msg, a6, a6, 255).why.offset == 2);
    std::array<std::byte, 85> small{};
    CHECK(write_ndp_frame(small, nf) == 0);
}

TEST_CASE("ndp: RFC 4861 7.1 validity checks", "[ndp]") {
    const auto ns = make_neighbor_solicitation(mac1, {}, a6, b6);
    const auto good = icmp_of(ndp_frame_bytes(ns));
    const auto& src = ns.src_ip;
    const auto& dst = ns.dst_ip;
    CHECK(decode_ndp(good, src, dst, 254).why.code == decode_error::bad_value);  // hop limit not 255

    auto c = good;
    c[1] = std::byte{1};  // code
    CHECK(decode_ndp(recheck(c, src, dst), src, dst, 255).why.offset == 1);
    c = good;
    c[0] = std::byte{128};  // echo request: not neighbour discovery
    CHECK(decode_ndp(recheck(c, src, dst), src, dst, 255).why.code == decode_error::unknown_command);
    c = good;
    c[8] = std::byte{0xff};  // multicast target
    auto r = decode_ndp(recheck(c, src, dst), src, dst, 255);
    CHECK(r.why.code == decode_error::bad_value);
    CHECK(r.why.offset == 8);
    c = good;
    c[25] = std::byte{0};  // option length zero
    r = decode_ndp(recheck(c, src, dst), src, dst, 255);
    CHECK(r.why.code == decode_error::bad_length);
    CHECK(r.why.offset == 25);
    c = good;
    c.insert(c.end(), 8, std::byte{0});
    c[25] = std::byte{2};  // a 16-byte link-layer option is not Ethernet's
    CHECK(decode_ndp(recheck(c, src, dst), src, dst, 255).why.code == decode_error::bad_value);
    c = good;
    c[25] = std::byte{2};  // runs past the end
    CHECK(decode_ndp(recheck(c, src, dst), src, dst, 255).why.code == decode_error::truncated);
    c = good;
    c.insert(c.end(), {std::byte{14}, std::byte{1}, {}, {}, {}, {}, {}, {}});  // unknown option: skipped
    CHECK(decode_ndp(recheck(c, src, dst), src, dst, 255).ok());

    // From :: (duplicate address detection): no source link-layer option,
    // and only to a solicited-node group.
    const ipv6_address any{};
    CHECK(decode_ndp(recheck(good, any, dst), any, dst, 255).why.code == decode_error::bad_value);
    const auto dad = icmp_of(ndp_frame_bytes(make_neighbor_solicitation(mac1, {}, any, b6)));
    CHECK(decode_ndp(dad, any, dst, 255).ok());
    CHECK(decode_ndp(recheck(dad, any, all_nodes_multicast), any, all_nodes_multicast, 255).why.code ==
          decode_error::bad_value);

    // An advertisement to a multicast group must not claim to be solicited.
    auto na = make_unsolicited_advertisement(mac2, {}, b6);
    na.msg.flag_solicited = true;
    const auto bad_na = icmp_of(ndp_frame_bytes(na));
    r = decode_ndp(bad_na, na.src_ip, na.dst_ip, 255);
    CHECK(r.why.code == decode_error::bad_value);
    CHECK(r.why.offset == 4);

    // Not ICMPv6 at all.
    parsed_frame udp;
    udp.ip_version = 6;
    udp.protocol = ip_protocol::udp;
    CHECK(decode_ndp(udp).why.code == decode_error::bad_value);
}
