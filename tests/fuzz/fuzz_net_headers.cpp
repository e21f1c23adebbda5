// Feeds untrusted bytes to every frame, TCP option, ARP and NDP decoder;
// whatever decodes is encoded again and must decode to the same fields.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "protocols/arp.hpp"
#include "protocols/ndp.hpp"
#include "protocols/net_headers.hpp"

using namespace qqgen::proto;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

bool same(const_byte_span a, const_byte_span b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

std::array<std::byte, 70000> out;

void fuzz_frame(const_byte_span in) {
    // A frame that passes with checks on passes with them off, too.
    if (parse_frame(in).ok()) check(parse_frame(in, {false, false}).ok());
    // Without checksum checks random input gets far more often; the
    // re-encoded frame gets real checksums and must pass with checks on.
    {
        const auto r = parse_frame(in, {false, false});
        if (!r.ok()) return;
        const parsed_frame& p = r.value;
        check(p.l3.size() <= in.size() && p.l4.size() <= p.l3.size() && p.payload.size() <= p.l4.size());
        if (p.ip_version == 0 || (p.protocol != ip_protocol::udp && p.protocol != ip_protocol::tcp)) return;
        frame_desc d;
        d.eth = {p.dst_mac, p.src_mac, p.vlan};
        d.src_ip = p.src_ip;
        d.dst_ip = p.dst_ip;
        d.ttl = p.ttl;
        d.dscp = p.dscp;
        d.ipv4_id = p.ipv4_id;
        d.dont_fragment = p.dont_fragment;
        d.protocol = p.protocol;
        d.src_port = p.src_port;
        d.dst_port = p.dst_port;
        d.tcp = p.tcp;
        const std::size_t n = write_frame(out, d, p.payload);
        if (n == 0) {
            // Only a reserved VLAN id (4095) or a datagram grown past 64 KiB
            // by re-encoded TCP options may be refused.
            check((p.vlan && p.vlan->id == 4095) || p.payload.size() > 65000);
            return;
        }
        const auto again = parse_frame(const_byte_span{out}.first(n));
        check(again.ok());
        const parsed_frame& q = again.value;
        check(q.dst_mac == p.dst_mac && q.src_mac == p.src_mac && q.vlan == p.vlan && q.ethertype == p.ethertype);
        check(q.ip_version == p.ip_version && q.src_ip == p.src_ip && q.dst_ip == p.dst_ip && q.ttl == p.ttl);
        check(q.dscp == p.dscp && q.protocol == p.protocol && q.src_port == p.src_port && q.dst_port == p.dst_port);
        if (p.ip_version == 4) check(q.ipv4_id == p.ipv4_id && q.dont_fragment == p.dont_fragment);
        if (p.protocol == ip_protocol::tcp) {
            check(q.tcp.seq == p.tcp.seq && q.tcp.ack == p.tcp.ack && q.tcp.flags == p.tcp.flags);
            check(q.tcp.window == p.tcp.window && q.tcp.options == p.tcp.options);
        }
        check(same(q.payload, p.payload));
    }
}

void fuzz_tcp_options(const_byte_span in) {
    if (in.size() > 40) in = in.first(40);
    const auto r = parse_tcp_options(in);
    if (!r.ok()) return;
    const std::size_t n = write_tcp_options(out, r.value);
    check(n == tcp_options_size(r.value) && n % 4 == 0);
    const auto again = parse_tcp_options(const_byte_span{out}.first(n));
    check(again.ok() && again.value == r.value);
}

void fuzz_arp(const_byte_span in) {
    const auto r = decode_arp(in);
    if (!r.ok()) return;
    check(encode_arp(out, r.value) == arp_size);
    check(same(const_byte_span{out}.first(arp_size), in.first(arp_size)));
    const std::size_t n = write_arp_frame(out, r.value);
    check(n == 60);
    const auto f = parse_frame(const_byte_span{out}.first(n));
    check(f.ok() && f.value.ethertype == ethertype::arp);
    const auto again = decode_arp(f.value.l3);
    check(again.ok() && again.value == r.value);
}

void check_ndp(const ndp_message& m, const ipv6_address& src, const ipv6_address& dst) {
    const std::size_t n = encode_ndp(out, m, src, dst);
    check(n != 0);
    const auto again = decode_ndp(const_byte_span{out}.first(n), src, dst, ndp_hop_limit);
    check(again.ok() && again.value == m);
}

void fuzz_ndp(const_byte_span in) {
    // The first 33 bytes choose the addresses and the hop limit.
    if (in.size() < 33) return;
    ipv6_address src, dst;
    std::memcpy(src.bytes.data(), in.data(), 16);
    std::memcpy(dst.bytes.data(), in.data() + 16, 16);
    const auto hop = std::to_integer<std::uint8_t>(in[32]);
    const auto r = decode_ndp(in.subspan(33), src, dst, hop);
    if (r.ok()) check_ndp(r.value, src, dst);
}

void fuzz_ndp_frame(const_byte_span in) {
    const auto p = parse_frame(in);
    if (!p.ok() || p.value.protocol != ip_protocol::icmpv6 || p.value.ip_version != 6) return;
    const auto r = decode_ndp(p.value);
    if (r.ok()) check_ndp(r.value, p.value.src_ip.v6(), p.value.dst_ip.v6());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const const_byte_span in{reinterpret_cast<const std::byte*>(data), size};
    fuzz_frame(in);
    fuzz_tcp_options(in);
    fuzz_arp(in);
    fuzz_ndp(in);
    fuzz_ndp_frame(in);
    return 0;
}
