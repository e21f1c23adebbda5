// Checksums and Ethernet/IPv4/IPv6/UDP/TCP frames.
//
// Known-answer frames below were written by this code and checked with
// tshark 4.0.17 (ip/udp/tcp.check_checksum on: all "Good"), so they pin the
// byte layout; the checksum tests also recompute every sum with a naive
// word-by-word RFC 1071 loop independent of checksum.cpp.
#include <catch2/catch.hpp>

#include <cstring>
#include <string_view>
#include <vector>

#include "protocols/checksum.hpp"
#include "protocols/counter_rng.hpp"
#include "protocols/net_headers.hpp"

using namespace qqgen::proto;

namespace {

std::vector<std::byte> hex(std::string_view s) {
    std::vector<std::byte> out;
    auto nib = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    for (std::size_t i = 0; i + 1 < s.size(); i += 2) out.push_back(std::byte(nib(s[i]) << 4 | nib(s[i + 1])));
    return out;
}

// RFC 1071 section 4.1, literally: 16-bit big-endian words, odd byte padded.
std::uint32_t naive_sum(const_byte_span d, std::uint32_t sum = 0) {
    for (std::size_t i = 0; i < d.size(); i += 2) {
        std::uint32_t w = std::to_integer<std::uint32_t>(d[i]) << 8;
        if (i + 1 < d.size()) w |= std::to_integer<std::uint32_t>(d[i + 1]);
        sum += w;
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

// The pseudo-header as bytes (RFC 768 / RFC 8200 8.1), summed naively.
std::uint32_t naive_pseudo(const ip_address& s, const ip_address& d, std::uint8_t proto, std::uint32_t len) {
    std::vector<std::byte> ph;
    for (auto b : s.wire()) ph.push_back(b);
    for (auto b : d.wire()) ph.push_back(b);
    if (s.is_v4()) {
        ph.insert(ph.end(), {std::byte{0}, std::byte{proto}, std::byte(len >> 8), std::byte(len)});
    } else {
        ph.insert(ph.end(), {std::byte(len >> 24), std::byte(len >> 16), std::byte(len >> 8), std::byte(len),
                             std::byte{0}, std::byte{0}, std::byte{0}, std::byte{proto}});
    }
    return naive_sum(ph);
}

frame_desc make_desc(bool v6, bool tcp, bool vlan) {
    frame_desc d;
    d.eth.src = *mac_address::parse("02:00:00:00:00:01");
    d.eth.dst = *mac_address::parse("02:00:00:00:00:02");
    if (vlan) d.eth.vlan = vlan_tag{100, 5, false};
    d.src_ip = *ip_address::parse(v6 ? "2001:db8::1" : "10.0.0.1");
    d.dst_ip = *ip_address::parse(v6 ? "2001:db8::2" : "10.0.0.2");
    d.ttl = 63;
    d.dscp = 46;
    d.ipv4_id = 0x1234;
    d.ipv6_flow_label = v6 ? 0x12345 : 0;
    d.src_port = 4000;
    d.dst_port = 8000;
    if (tcp) {
        d.protocol = ip_protocol::tcp;
        d.tcp.seq = 0x01020304;
        d.tcp.ack = 0xa0b0c0d0;
        d.tcp.flags = tcp_flag::ack | tcp_flag::psh;
        d.tcp.window = 64240;
        d.tcp.options.mss = 1460;
        d.tcp.options.window_scale = 7;
        d.tcp.options.sack_permitted = true;
        d.tcp.options.timestamps = tcp_timestamps{0x11223344, 0x55667788};
    }
    return d;
}

std::vector<std::byte> make_payload(std::size_t n) {
    std::vector<std::byte> p(n);
    for (std::size_t i = 0; i < n; ++i) p[i] = std::byte(i);
    return p;
}

std::vector<std::byte> build(const frame_desc& d, const_byte_span payload) {
    std::vector<std::byte> buf(2048);
    const std::size_t n = write_frame(buf, d, payload);
    REQUIRE(n != 0);
    buf.resize(n);
    return buf;
}

void refix_ipv4_checksum(std::vector<std::byte>& f, std::size_t l3) {
    store_be16(f.data() + l3 + 10, 0);
    store_be16(f.data() + l3 + 10, internet_checksum({f.data() + l3, 20}));
}

}  // namespace

// ---- checksum ---------------------------------------------------------------------

TEST_CASE("checksum: RFC 1071 section 3 example", "[checksum]") {
    const auto b = hex("0001f203f4f5f6f7");
    CHECK(checksum_partial(b) == 0xddf2);
    CHECK(internet_checksum(b) == 0x220d);
}

TEST_CASE("checksum: a published IPv4 header checks out and sums to 0xFFFF", "[checksum]") {
    // The IPv4 header example of the Wikipedia "Internet checksum" article.
    auto h = hex("450000730000400040110000c0a80001c0a800c7");
    CHECK(internet_checksum(h) == 0xb861);
    store_be16(h.data() + 10, 0xb861);
    CHECK(checksum_partial(h) == 0xffff);
}

TEST_CASE("checksum: fast sum equals the naive one at every length and alignment", "[checksum]") {
    counter_rng rng(7, 1);
    std::vector<std::byte> buf(600);
    rng.fill(buf);
    for (std::size_t off = 0; off < 8; ++off) {
        for (std::size_t n = 0; n <= 300; ++n) {
            const_byte_span s{buf.data() + off, n};
            INFO("offset " << off << " length " << n);
            REQUIRE(checksum_fold(checksum_partial(s)) == checksum_fold(naive_sum(s)));
        }
    }
    // All ones everywhere: the accumulators must not overflow on long input.
    std::vector<std::byte> ff(9000, std::byte{0xff});
    CHECK(checksum_partial(ff) == 0xffff);
    CHECK(checksum_partial({}) == 0);
}

TEST_CASE("checksum: partial sums chain at even boundaries", "[checksum]") {
    counter_rng rng(7, 2);
    std::vector<std::byte> buf(257);
    rng.fill(buf);
    for (std::size_t cut = 0; cut <= buf.size(); cut += 2) {
        const std::uint32_t head = checksum_partial(const_byte_span{buf}.first(cut));
        CHECK(checksum_partial(const_byte_span{buf}.subspan(cut), head) == checksum_partial(buf));
    }
}

TEST_CASE("checksum: pseudo-header sums match the RFC 768 / RFC 8200 layouts", "[checksum]") {
    const ip_address s4 = *ip_address::parse("192.0.2.1"), d4 = *ip_address::parse("198.51.100.200");
    CHECK(ipv4_pseudo_header_sum(s4.v4().bytes, d4.v4().bytes, 17, 1234) == naive_pseudo(s4, d4, 17, 1234));
    const ip_address s6 = *ip_address::parse("fe80::1:2:3:4"), d6 = *ip_address::parse("2001:db8:ffff::9");
    CHECK(ipv6_pseudo_header_sum(s6.v6().bytes, d6.v6().bytes, 6, 0x12345) == naive_pseudo(s6, d6, 6, 0x12345));
}

TEST_CASE("checksum: RFC 1624 incremental update equals a full recomputation", "[checksum]") {
    counter_rng rng(9, 3);
    std::vector<std::byte> pkt(64);
    for (int round = 0; round < 2000; ++round) {
        rng.fill(pkt);
        store_be16(pkt.data() + 10, 0);
        const std::uint16_t before = internet_checksum(pkt);
        const std::uint16_t old16 = load_be16(pkt.data() + 20);
        const std::uint32_t old32 = load_be32(pkt.data() + 40);
        const auto new16 = static_cast<std::uint16_t>(rng.next());
        const auto new32 = static_cast<std::uint32_t>(rng.next());
        store_be16(pkt.data() + 20, new16);
        store_be32(pkt.data() + 40, new32);
        const std::uint16_t after = internet_checksum(pkt);
        const std::uint16_t inc = checksum_update32(checksum_update16(before, old16, new16), old32, new32);
        REQUIRE(checksum_fold(inc) == checksum_fold(after));  // equal up to the sign of zero
    }
    // RFC 1624 section 4's example: HC 0xDD2F, m 0x5555 -> 0x3285 gives 0x0000.
    CHECK(checksum_update16(0xdd2f, 0x5555, 0x3285) == 0x0000);
}

// ---- addresses --------------------------------------------------------------------

TEST_CASE("addresses: parse and format", "[net]") {
    CHECK(mac_address::parse("02:00:5e:10:AB:ff")->to_string() == "02:00:5e:10:ab:ff");
    CHECK(mac_address::parse("02-00-5e-10-ab-ff").has_value());
    CHECK_FALSE(mac_address::parse("02:00:5e:10:ab").has_value());
    CHECK_FALSE(mac_address::parse("02:00-5e:10:ab:ff").has_value());
    CHECK_FALSE(mac_address::parse("02:00:5e:10:ab:fg").has_value());
    CHECK(mac_address::broadcast().is_multicast());
    CHECK(ipv4_address::parse("10.1.2.3")->to_u32() == 0x0a010203);
    CHECK(ipv4_address::from_u32(0xc0000201).to_string() == "192.0.2.1");
    CHECK_FALSE(ipv4_address::parse("10.1.2").has_value());
    CHECK_FALSE(ipv4_address::parse("10.1.2.256").has_value());
    const auto a = ip_address::parse("2001:DB8:0:0:0:0:0:1");
    REQUIRE(a.has_value());
    CHECK(a->is_v6());
    CHECK(a->to_string() == "2001:db8::1");
    CHECK(a->wire().size() == 16);
    CHECK(ip_address::parse("10.0.0.1")->is_v4());
    CHECK(ip_address::parse("10.0.0.1")->wire().size() == 4);
    CHECK_FALSE(ip_address::parse("2001:db8:::1").has_value());
    CHECK_FALSE(ip_address::parse(std::string(60, '1')).has_value());
}

// ---- TCP options ------------------------------------------------------------------

TEST_CASE("tcp options: Linux layout known answer", "[net][tcp]") {
    tcp_options o;
    o.mss = 1460;
    o.sack_permitted = true;
    o.timestamps = tcp_timestamps{0x11223344, 0};
    o.window_scale = 7;
    std::array<std::byte, 40> buf{};
    REQUIRE(write_tcp_options(buf, o) == 20);
    CHECK(std::vector<std::byte>(buf.begin(), buf.begin() + 20) == hex("020405b40402080a112233440000000001030307"));
}

TEST_CASE("tcp options: every option set round-trips in 4-byte words", "[net][tcp]") {
    for (int mask = 0; mask < 16; ++mask) {
        tcp_options o;
        if (mask & 1) o.mss = 536;
        if (mask & 2) o.window_scale = 14;
        if (mask & 4) o.sack_permitted = true;
        if (mask & 8) o.timestamps = tcp_timestamps{0xdeadbeef, 0x01020304};
        std::array<std::byte, 40> buf{};
        const std::size_t n = write_tcp_options(buf, o);
        INFO("mask " << mask);
        CHECK(n == tcp_options_size(o));
        CHECK(n % 4 == 0);
        if (mask != 0) CHECK(n != 0);
        const auto r = parse_tcp_options(const_byte_span{buf}.first(n));
        REQUIRE(r.ok());
        CHECK(r.value == o);
        if (n > 0) CHECK(write_tcp_options(byte_span{buf}.first(n - 1), o) == 0);
    }
}

TEST_CASE("tcp options: malformed options are refused, unknown ones skipped", "[net][tcp]") {
    CHECK(parse_tcp_options(hex("0204")).why.code == decode_error::bad_length);    // runs past the end
    CHECK(parse_tcp_options(hex("01010200")).why.code == decode_error::bad_length);  // length 0
    CHECK(parse_tcp_options(hex("0101011e")).why.code == decode_error::bad_length);  // kind with no length byte
    const auto bad_mss = parse_tcp_options(hex("010203050000"));
    CHECK(bad_mss.why.code == decode_error::bad_value);
    CHECK(bad_mss.why.offset == 1);
    CHECK(parse_tcp_options(hex("0402ff")).why.code == decode_error::bad_length);
    CHECK(parse_tcp_options(hex("080600000000")).why.code == decode_error::bad_value);
    const auto skip = parse_tcp_options(hex("1e0401020204ffff"));  // kind 30 (MPTCP), then MSS
    REQUIRE(skip.ok());
    CHECK(skip.value.mss == 0xffff);
    const auto eol = parse_tcp_options(hex("000204"));  // end of list: the rest is not read
    REQUIRE(eol.ok());
    CHECK_FALSE(eol.value.mss.has_value());
}

// ---- writing frames: known answers -------------------------------------------------

TEST_CASE("frames: known-answer bytes checked with tshark", "[net][frame]") {
    frame_desc d = make_desc(false, false, false);
    d.ttl = 64;
    d.dscp = 0;
    const auto payload = make_payload(100);
    CHECK(build(d, payload) ==
          hex("02000000000202000000000108004500008012344000401114370a0000010a0000020fa01f40006c2066"
              "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
              "303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
              "60616263"));
    // Short: 3 bytes of payload, padded to 60.
    CHECK(build(d, const_byte_span{payload}.first(3)) ==
          hex("02000000000202000000000108004500001f12344000401114980a0000010a0000020fa01f40000bbaf4000102"
              "000000000000000000000000000000"));

    frame_desc t = d;
    t.protocol = ip_protocol::tcp;
    t.eth.vlan = vlan_tag{100, 5, false};
    t.tcp.seq = 0x01020304;
    t.tcp.flags = tcp_flag::syn;
    t.tcp.window = 64240;
    t.tcp.options.mss = 1460;
    t.tcp.options.sack_permitted = true;
    t.tcp.options.timestamps = tcp_timestamps{0x11223344, 0};
    t.tcp.options.window_scale = 7;
    t.dst_port = 443;
    t.dscp = 46;
    CHECK(build(t, {}) == hex("0200000000020200000000018100a064080045b8003c12344000400613ce0a0000010a0000020fa001bb"
                              "0102030400000000a002faf0df450000020405b40402080a112233440000000001030307"));

    frame_desc v = d;
    v.src_ip = *ip_address::parse("2001:db8::1");
    v.dst_ip = *ip_address::parse("2001:db8::2");
    v.ipv6_flow_label = 0x12345;
    const auto v6 = build(v, payload);
    CHECK(std::vector<std::byte>(v6.begin(), v6.begin() + 62) ==
          hex("02000000000202000000000186dd60012345006c1140"                // Ethernet, IPv6 to hop limit
              "20010db8000000000000000000000001" "20010db8000000000000000000000002"  // addresses
              "0fa01f40006cd8f3"));                                         // UDP
}

// ---- round trips ------------------------------------------------------------------

TEST_CASE("frames: every v4/v6 x udp/tcp x vlan combination round-trips", "[net][frame]") {
    const auto payload = make_payload(100);
    for (int combo = 0; combo < 8; ++combo) {
        const bool v6 = combo & 1, tcp = combo & 2, vlan = combo & 4;
        INFO("v6 " << v6 << " tcp " << tcp << " vlan " << vlan);
        const frame_desc d = make_desc(v6, tcp, vlan);
        const auto f = build(d, payload);
        CHECK(f.size() == header_size(d) + payload.size());

        // Checksums recomputed independently.
        const std::size_t l3 = vlan ? 18 : 14;
        const std::size_t l4 = l3 + (v6 ? 40 : 20);
        const std::size_t l4_len = f.size() - l4;
        if (!v6) CHECK(naive_sum({f.data() + l3, 20}) == 0xffff);
        CHECK(naive_sum({f.data() + l4, l4_len}, naive_pseudo(d.src_ip, d.dst_ip, d.protocol, l4_len)) == 0xffff);

        const auto r = parse_frame(f);
        REQUIRE(r.ok());
        const parsed_frame& p = r.value;
        CHECK(p.dst_mac == d.eth.dst);
        CHECK(p.src_mac == d.eth.src);
        CHECK(p.vlan == d.eth.vlan);
        CHECK(p.ethertype == (v6 ? ethertype::ipv6 : ethertype::ipv4));
        CHECK(p.ip_version == (v6 ? 6 : 4));
        CHECK(p.src_ip == d.src_ip);
        CHECK(p.dst_ip == d.dst_ip);
        CHECK(p.ttl == d.ttl);
        CHECK(p.dscp == d.dscp);
        if (!v6) {
            CHECK(p.ipv4_id == d.ipv4_id);
            CHECK(p.dont_fragment == d.dont_fragment);
        }
        CHECK(p.protocol == d.protocol);
        CHECK(p.src_port == d.src_port);
        CHECK(p.dst_port == d.dst_port);
        if (tcp) {
            CHECK(p.tcp.seq == d.tcp.seq);
            CHECK(p.tcp.ack == d.tcp.ack);
            CHECK(p.tcp.flags == d.tcp.flags);
            CHECK(p.tcp.window == d.tcp.window);
            CHECK(p.tcp.options == d.tcp.options);
        }
        CHECK(std::vector<std::byte>(p.payload.begin(), p.payload.end()) == payload);
        CHECK(p.l3.data() == f.data() + l3);
        CHECK(p.l3.size() == f.size() - l3);
        CHECK(p.l4.size() == l4_len);
    }
}

TEST_CASE("frames: two-step write equals one-step write", "[net][frame]") {
    const auto payload = make_payload(77);
    for (int combo = 0; combo < 4; ++combo) {
        const frame_desc d = make_desc(combo & 1, combo & 2, true);
        const auto one = build(d, payload);
        std::vector<std::byte> two(2048, std::byte{0xee});
        const frame_layout L = write_headers(two, d, payload.size());
        REQUIRE(L.frame_size == one.size());
        CHECK(L.payload_offset == header_size(d));
        CHECK(L.payload_size == payload.size());
        std::memcpy(two.data() + L.payload_offset, payload.data(), payload.size());
        finish_checksums(two, L);
        two.resize(L.frame_size);
        CHECK(two == one);
        // Finished again over whatever the checksum field holds (it is
        // summed as it stands and taken out, not zeroed first): the same.
        for (const std::uint16_t held : {std::uint16_t{0x0000}, std::uint16_t{0x5a5a}, std::uint16_t{0xffff}}) {
            store_be16(two.data() + L.l4_checksum_offset(), held);
            finish_checksums(two, L);
            CHECK(two == one);
        }
    }
}

TEST_CASE("frames: a computed UDP checksum of zero is sent as 0xFFFF", "[net][frame]") {
    for (bool v6 : {false, true}) {
        frame_desc d = make_desc(v6, false, false);
        std::array<std::byte, 2> payload{};
        auto f = build(d, payload);
        const std::size_t csum = (v6 ? 54u : 34u) + 6;
        // A payload word equal to the checksum of the zero payload makes the
        // sum 0xFFFF, so the computed checksum is zero.
        store_be16(payload.data(), load_be16(f.data() + csum));
        f = build(d, payload);
        CHECK(load_be16(f.data() + csum) == 0xffff);
        CHECK(parse_frame(f).ok());
    }
}

TEST_CASE("frames: encoder refusals", "[net][frame]") {
    const auto payload = make_payload(100);
    frame_desc d = make_desc(false, true, true);
    const std::size_t size = build(d, payload).size();
    std::vector<std::byte> buf(size);
    for (std::size_t n = 0; n < size; ++n) REQUIRE(write_frame(byte_span{buf}.first(n), d, payload) == 0);
    CHECK(write_frame(buf, d, payload) == size);
    frame_desc mixed = d;
    mixed.dst_ip = *ip_address::parse("::1");
    CHECK(write_frame(buf, mixed, payload) == 0);
    frame_desc bad_vlan = d;
    bad_vlan.eth.vlan = vlan_tag{4095, 0, false};
    CHECK(write_frame(buf, bad_vlan, payload) == 0);
    frame_desc icmp = d;
    icmp.protocol = 1;
    CHECK(write_frame(buf, icmp, payload) == 0);
    std::vector<std::byte> big(70000);
    CHECK(write_headers(big, make_desc(false, false, false), 65535 - 28).frame_size != 0);
    CHECK(write_headers(big, make_desc(false, false, false), 65535 - 27).frame_size == 0);
}

// ---- parsing: refusals -------------------------------------------------------------

TEST_CASE("frames: every truncation is refused", "[net][frame]") {
    const auto payload = make_payload(100);
    for (int combo = 0; combo < 8; ++combo) {
        const auto f = build(make_desc(combo & 1, combo & 2, combo & 4), payload);
        for (std::size_t n = 0; n < f.size(); ++n) {
            INFO("combo " << combo << " length " << n);
            const auto r = parse_frame(const_byte_span{f}.first(n));
            REQUIRE_FALSE(r.ok());
            CHECK(r.why.code == decode_error::truncated);
        }
    }
}

TEST_CASE("frames: any flipped bit in IP or L4 bytes is refused", "[net][frame]") {
    const auto payload = make_payload(40);
    for (int combo = 0; combo < 4; ++combo) {
        const bool v6 = combo & 1;
        const auto f = build(make_desc(v6, combo & 2, false), payload);
        // IPv6 has no header checksum: its first 8 bytes (class, flow,
        // length, next header, hop limit) are not all covered.
        for (std::size_t i = v6 ? 14 + 8 : 14; i < f.size(); ++i) {
            for (std::byte bit : {std::byte{0x01}, std::byte{0x80}}) {
                auto g = f;
                g[i] ^= bit;
                INFO("combo " << combo << " byte " << i);
                REQUIRE_FALSE(parse_frame(g).ok());
            }
        }
    }
}

TEST_CASE("frames: corrupted checksums are refused unless verification is off", "[net][frame]") {
    const auto payload = make_payload(20);
    for (int combo = 0; combo < 4; ++combo) {
        const bool v6 = combo & 1, tcp = combo & 2;
        const auto f = build(make_desc(v6, tcp, false), payload);
        const std::size_t l4 = v6 ? 54 : 34;
        const std::size_t l4_csum = l4 + (tcp ? 16 : 6);
        auto g = f;
        g[l4_csum] ^= std::byte{0x5a};
        auto r = parse_frame(g);
        CHECK(r.why.code == bad_checksum_error);
        CHECK(r.why.offset == l4_csum);
        CHECK(parse_frame(g, {true, false}).ok());
        g = f;
        g.back() ^= std::byte{1};  // payload
        CHECK(parse_frame(g).why.offset == l4_csum);
        if (!v6) {
            g = f;
            g[24] ^= std::byte{0x10};  // IPv4 header checksum
            r = parse_frame(g);
            CHECK(r.why.code == bad_checksum_error);
            CHECK(r.why.offset == 24);
            CHECK(parse_frame(g, {false, true}).ok());
        }
    }
}

TEST_CASE("frames: UDP checksum zero means none over IPv4, invalid over IPv6", "[net][frame]") {
    for (bool v6 : {false, true}) {
        auto f = build(make_desc(v6, false, false), make_payload(10));
        const std::size_t csum = (v6 ? 54u : 34u) + 6;
        store_be16(f.data() + csum, 0);
        const auto r = parse_frame(f);
        CHECK(r.ok() == !v6);
        if (v6) CHECK(r.why.offset == csum);
    }
}

TEST_CASE("frames: Ethernet padding is ignored, the IP length rules", "[net][frame]") {
    for (int combo = 0; combo < 4; ++combo) {
        const auto payload = make_payload(3);
        auto f = build(make_desc(combo & 1, combo & 2, false), payload);
        f.insert(f.end(), 20, std::byte{0xaa});  // non-zero trailer after the datagram
        const auto r = parse_frame(f);
        REQUIRE(r.ok());
        CHECK(r.value.payload.size() == 3);
        CHECK(std::vector<std::byte>(r.value.payload.begin(), r.value.payload.end()) == payload);
    }
    // A padded frame (3-byte payload, 45 bytes of IPv4 content in 60).
    const auto f = build(make_desc(false, false, false), make_payload(3));
    CHECK(f.size() == 60);
    for (std::size_t n = 45; n <= 60; ++n) CHECK(parse_frame(const_byte_span{f}.first(n)).ok());
    CHECK_FALSE(parse_frame(const_byte_span{f}.first(44)).ok());
}

TEST_CASE("frames: bad IPv4 header and total lengths", "[net][frame]") {
    const auto f = build(make_desc(false, false, false), make_payload(30));
    auto g = f;
    g[14] = std::byte{0x44};  // IHL 4
    CHECK(parse_frame(g).why.code == decode_error::bad_length);
    g = f;
    g[14] = std::byte{0x55};  // version 5
    CHECK(parse_frame(g).why.code == decode_error::bad_value);
    g = f;
    store_be16(g.data() + 16, 19);  // total length below the header
    CHECK(parse_frame(g).why.code == decode_error::bad_length);
    CHECK(parse_frame(g).why.offset == 16);
    g = f;
    store_be16(g.data() + 16, 20 + 4);  // too short for the UDP header
    refix_ipv4_checksum(g, 14);
    CHECK(parse_frame(g).why.code == decode_error::bad_length);
    g = f;
    store_be16(g.data() + 38, 7);  // UDP length below 8
    CHECK(parse_frame(g).why.code == decode_error::bad_length);
    CHECK(parse_frame(g).why.offset == 38);
    // IPv4 options are skipped: IHL 6 with one option word (NOPs).
    g = f;
    g.insert(g.begin() + 34, {std::byte{1}, std::byte{1}, std::byte{1}, std::byte{0}});
    g[14] = std::byte{0x46};
    store_be16(g.data() + 16, static_cast<std::uint16_t>(load_be16(g.data() + 16) + 4));
    store_be16(g.data() + 24, 0);
    store_be16(g.data() + 24, internet_checksum({g.data() + 14, 24}));
    const auto r = parse_frame(g);
    REQUIRE(r.ok());
    CHECK(r.value.payload.size() == 30);
}

TEST_CASE("frames: fragments are refused as unsupported", "[net][frame]") {
    const auto f = build(make_desc(false, false, false), make_payload(30));
    for (std::uint16_t frag : {0x2000, 0x0001, 0x4010}) {  // MF; offset 8; DF + offset
        auto g = f;
        store_be16(g.data() + 20, frag);
        refix_ipv4_checksum(g, 14);
        const auto r = parse_frame(g);
        CHECK(r.why.code == unsupported_error);
        CHECK(r.why.offset == 20);
    }
    // IPv6: a fragment header (44) in front of UDP.
    auto v = build(make_desc(true, false, false), make_payload(30));
    v.insert(v.begin() + 54, {std::byte{17}, {}, {}, {}, {}, {}, {}, std::byte{1}});
    v[20] = std::byte{44};
    store_be16(v.data() + 18, static_cast<std::uint16_t>(load_be16(v.data() + 18) + 8));
    const auto r = parse_frame(v);
    CHECK(r.why.code == unsupported_error);
    CHECK(r.why.offset == 54);
}

TEST_CASE("frames: IPv6 extension headers are skipped", "[net][frame]") {
    auto v = build(make_desc(true, false, false), make_payload(30));
    // Hop-by-hop (0) then destination options (60), each 8 bytes of PadN;
    // the UDP checksum does not cover them (RFC 8200 8.1).
    v.insert(v.begin() + 54, {std::byte{60}, {}, std::byte{1}, std::byte{4}, {}, {}, {}, {},  //
                              std::byte{17}, {}, std::byte{1}, std::byte{4}, {}, {}, {}, {}});
    v[20] = std::byte{0};
    store_be16(v.data() + 18, static_cast<std::uint16_t>(load_be16(v.data() + 18) + 16));
    const auto r = parse_frame(v);
    REQUIRE(r.ok());
    CHECK(r.value.protocol == ip_protocol::udp);
    CHECK(r.value.src_port == 4000);
    CHECK(r.value.payload.size() == 30);
    v[63] = std::byte{2};  // second header claims 24 bytes, more than the payload length allows
    store_be16(v.data() + 18, 16 + 8);
    CHECK(parse_frame(v).why.code == decode_error::bad_length);
}

TEST_CASE("frames: non-IP and non-UDP/TCP payloads are handed over", "[net][frame]") {
    // An ARP request: ethertype and the L3 bytes (padding included).
    const auto arp = hex("ffffffffffff020000000001080600010800060400010200000000010a0000010000000000000a000002"
                         "000000000000000000000000000000000000");
    auto r = parse_frame(arp);
    REQUIRE(r.ok());
    CHECK(r.value.ethertype == ethertype::arp);
    CHECK(r.value.ip_version == 0);
    CHECK(r.value.l3.size() == 46);
    CHECK(r.value.l3.data() == arp.data() + 14);
    // An ICMPv6 neighbour solicitation: protocol 58 and the whole message.
    const auto ns = hex("3333ff00000202000000000186dd6000000000203aff20010db8000000000000000000000001ff020000"
                        "0000000000000001ff00000287001c270000000020010db80000000000000000000000020101020000000001");
    r = parse_frame(ns);
    REQUIRE(r.ok());
    CHECK(r.value.protocol == ip_protocol::icmpv6);
    CHECK(r.value.ttl == 255);
    CHECK(r.value.l4.size() == 32);
    CHECK(r.value.l4.data() == ns.data() + 54);
    CHECK(r.value.src_port == 0);
    // VLAN-tagged ARP reply.
    const auto tagged = hex("02000000000102000000000281000064080600010800060400020200000000020a000002020000000001"
                            "0a0000010000000000000000000000000000");
    r = parse_frame(tagged);
    REQUIRE(r.ok());
    REQUIRE(r.value.vlan.has_value());
    CHECK(r.value.vlan->id == 100);
    CHECK(r.value.ethertype == ethertype::arp);
}
