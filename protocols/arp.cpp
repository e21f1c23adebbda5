#include "protocols/arp.hpp"

#include <cstring>

namespace qqgen::proto {

namespace {
constexpr std::uint16_t hw_ethernet = 1;  // ar$hrd, RFC 826 / IANA "Hardware Types"
}  // namespace

std::size_t encode_arp(byte_span out, const arp_message& m) noexcept {
    byte_writer w(out);
    w.u16(hw_ethernet);
    w.u16(ethertype::ipv4);  // ar$pro uses the ethertype numbers
    w.u8(6);                 // ar$hln
    w.u8(4);                 // ar$pln
    w.u16(static_cast<std::uint16_t>(m.op));
    w.bytes(m.sender_mac.bytes);
    w.bytes(m.sender_ip.bytes);
    w.bytes(m.target_mac.bytes);
    w.bytes(m.target_ip.bytes);
    return w.finish();
}

std::size_t write_arp_frame(byte_span out, const arp_message& m, std::optional<vlan_tag> vlan) noexcept {
    const ethernet_header eth{m.op == arp_op::request ? mac_address::broadcast() : m.target_mac, m.sender_mac, vlan};
    const std::size_t l2 = write_ethernet_header(out, eth, ethertype::arp);
    if (l2 == 0) return 0;
    const std::size_t n = encode_arp(out.subspan(l2), m);
    if (n == 0) return 0;
    return pad_frame(out, l2 + n);
}

result<arp_message> decode_arp(const_byte_span in) noexcept {
    using R = result<arp_message>;
    byte_reader r(in);
    const std::uint16_t hrd = r.u16();
    const std::uint16_t pro = r.u16();
    const std::uint8_t hln = r.u8();
    const std::uint8_t pln = r.u8();
    const std::uint16_t op = r.u16();
    R out;
    auto sha = r.bytes(6);
    auto spa = r.bytes(4);
    auto tha = r.bytes(6);
    auto tpa = r.bytes(4);
    if (!r.ok()) return R::fail(decode_error::truncated, r.offset());
    if (hrd != hw_ethernet) return R::fail(decode_error::bad_value, 0);
    if (pro != ethertype::ipv4) return R::fail(decode_error::bad_value, 2);
    if (hln != 6) return R::fail(decode_error::bad_value, 4);
    if (pln != 4) return R::fail(decode_error::bad_value, 5);
    if (op != 1 && op != 2) return R::fail(decode_error::bad_value, 6);
    out.value.op = static_cast<arp_op>(op);
    std::memcpy(out.value.sender_mac.bytes.data(), sha.data(), 6);
    std::memcpy(out.value.sender_ip.bytes.data(), spa.data(), 4);
    std::memcpy(out.value.target_mac.bytes.data(), tha.data(), 6);
    std::memcpy(out.value.target_ip.bytes.data(), tpa.data(), 4);
    // A multicast sender hardware address would poison a neighbour cache
    // (RFC 1812 3.3.2 tells routers to ignore such ARP).
    if (out.value.sender_mac.is_multicast()) return R::fail(decode_error::bad_value, 8);
    return out;
}

}  // namespace qqgen::proto
