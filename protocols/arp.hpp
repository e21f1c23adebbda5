// ARP for Ethernet and IPv4 (RFC 826): requests, replies and gratuitous ARP.
//
// The dataplane answers ARP for the client addresses it emulates and asks
// for its gateway's MAC; parse_frame hands it the ARP bytes (parsed_frame::l3)
// of any frame with ethertype 0x0806.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "protocols/bytes.hpp"
#include "protocols/net_headers.hpp"

namespace qqgen::proto {

enum class arp_op : std::uint16_t { request = 1, reply = 2 };  // RFC 826 ar$op

struct arp_message {
    arp_op op = arp_op::request;
    mac_address sender_mac;
    ipv4_address sender_ip;
    mac_address target_mac;  // ignored in a request (sent as zero)
    ipv4_address target_ip;
    friend constexpr bool operator==(const arp_message&, const arp_message&) = default;
};

inline constexpr std::size_t arp_size = 28;  // for hardware 6 / protocol 4 byte addresses

// The 28-byte ARP packet (hardware type 1 Ethernet, protocol 0x0800).
std::size_t encode_arp(byte_span out, const arp_message& m) noexcept;

// A whole frame: Ethernet (+ optional 802.1Q) header, ARP, padding to 60
// bytes. The Ethernet source is m.sender_mac; the destination is broadcast
// for a request and m.target_mac for a reply. Returns the size or 0.
std::size_t write_arp_frame(byte_span out, const arp_message& m, std::optional<vlan_tag> vlan = {}) noexcept;

// Who has target_ip? Tell sender_ip.
[[nodiscard]] constexpr arp_message make_arp_request(const mac_address& my_mac, ipv4_address my_ip,
                                                     ipv4_address target_ip) noexcept {
    return {arp_op::request, my_mac, my_ip, mac_address{}, target_ip};
}
// The answer to `request` from the owner of request.target_ip (RFC 826,
// "Packet Reception": swap the sender and target fields, fill in our MAC).
[[nodiscard]] constexpr arp_message make_arp_reply(const arp_message& request, const mac_address& my_mac) noexcept {
    return {arp_op::reply, my_mac, request.target_ip, request.sender_mac, request.sender_ip};
}
// An ARP announcement (RFC 5227 section 3, gratuitous ARP): a broadcast
// request whose sender and target addresses are both my_ip.
[[nodiscard]] constexpr arp_message make_gratuitous_arp(const mac_address& my_mac, ipv4_address my_ip) noexcept {
    return {arp_op::request, my_mac, my_ip, mac_address{}, my_ip};
}

// Reads an ARP packet (trailing Ethernet padding is ignored). Refuses:
// truncated; bad_value for a hardware type other than Ethernet, a protocol
// other than IPv4, address lengths other than 6 and 4, an opcode other than
// request or reply, or a multicast sender MAC.
result<arp_message> decode_arp(const_byte_span in) noexcept;

}  // namespace qqgen::proto
