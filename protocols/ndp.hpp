// IPv6 neighbour discovery (RFC 4861): neighbour solicitation and
// advertisement, the IPv6 counterpart of ARP.
//
// parse_frame hands over ICMPv6 messages (protocol 58) unchecked with their
// addresses and hop limit; decode_ndp does the RFC 4861 7.1 validation,
// ICMPv6 checksum included.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "protocols/bytes.hpp"
#include "protocols/net_headers.hpp"

namespace qqgen::proto {

enum class ndp_type : std::uint8_t { neighbor_solicitation = 135, neighbor_advertisement = 136 };  // RFC 4861 4.3, 4.4

struct ndp_message {
    ndp_type type = ndp_type::neighbor_solicitation;
    ipv6_address target;
    // Neighbour advertisement flags (RFC 4861 4.4); zero in a solicitation.
    bool flag_router = false;
    bool flag_solicited = false;
    bool flag_override = false;
    // The source link-layer address option (type 1) of a solicitation or the
    // target link-layer address option (type 2) of an advertisement (4.6.1).
    std::optional<mac_address> link_layer;
    friend constexpr bool operator==(const ndp_message&, const ndp_message&) = default;
};

// A neighbour discovery frame to send.
struct ndp_frame {
    ethernet_header eth;
    ipv6_address src_ip;
    ipv6_address dst_ip;
    ndp_message msg;
};

inline constexpr std::uint8_t ndp_hop_limit = 255;  // RFC 4861 7.1: proves the sender is on-link

// ff02::1 (RFC 4291 2.7.1).
inline constexpr ipv6_address all_nodes_multicast{
    {std::byte{0xff}, std::byte{0x02}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, std::byte{0x01}}};

// ff02::1:ffXX:XXXX, the low 24 bits of `a` (RFC 4291 2.7.1).
[[nodiscard]] constexpr ipv6_address solicited_node_multicast(const ipv6_address& a) noexcept {
    ipv6_address m{{std::byte{0xff}, std::byte{0x02}, {}, {}, {}, {}, {}, {}, {}, {}, {}, std::byte{0x01},
                    std::byte{0xff}, a.bytes[13], a.bytes[14], a.bytes[15]}};
    return m;
}
[[nodiscard]] constexpr bool is_solicited_node_multicast(const ipv6_address& a) noexcept {
    return solicited_node_multicast(a) == a;
}
// 33:33 followed by the low 32 bits of an IPv6 multicast address (RFC 2464
// section 7); for a solicited-node group that is 33:33:ff:xx:xx:xx.
[[nodiscard]] constexpr mac_address multicast_mac(const ipv6_address& group) noexcept {
    return {{std::byte{0x33}, std::byte{0x33}, group.bytes[12], group.bytes[13], group.bytes[14], group.bytes[15]}};
}

// Who has `target`? Sent to target's solicited-node group with our MAC as
// source link-layer option, or, when my_ip is unspecified (duplicate address
// detection, RFC 4862 5.4.2), from :: without the option (RFC 4861 7.2.2).
[[nodiscard]] ndp_frame make_neighbor_solicitation(const mac_address& my_mac, std::optional<vlan_tag> vlan,
                                                   const ipv6_address& my_ip, const ipv6_address& target) noexcept;
// The answer to a solicitation for my_ip that came from (peer_ip, peer_mac):
// solicited and override set, our MAC as target link-layer option. A
// solicitation from :: is answered to all-nodes with solicited clear (7.2.4).
[[nodiscard]] ndp_frame make_neighbor_advertisement(const mac_address& my_mac, std::optional<vlan_tag> vlan,
                                                    const ipv6_address& my_ip, const ipv6_address& peer_ip,
                                                    const mac_address& peer_mac) noexcept;
// An unsolicited advertisement to all-nodes announcing my_mac (7.2.6):
// override set, solicited clear.
[[nodiscard]] ndp_frame make_unsolicited_advertisement(const mac_address& my_mac, std::optional<vlan_tag> vlan,
                                                       const ipv6_address& my_ip) noexcept;

// The ICMPv6 message alone (24 bytes, + 8 with the link-layer option), with
// its checksum over the pseudo-header of src and dst. Returns size or 0.
std::size_t encode_ndp(byte_span out, const ndp_message& m, const ipv6_address& src,
                       const ipv6_address& dst) noexcept;
// Ethernet (+ 802.1Q), IPv6 with hop limit 255, the message. Size or 0.
std::size_t write_ndp_frame(byte_span out, const ndp_frame& f) noexcept;

// Validates and reads a solicitation or advertisement (RFC 4861 7.1.1,
// 7.1.2). Offsets are within `icmpv6`. Refuses: truncated; unknown_command
// for other ICMPv6 types; bad_value for a code other than 0, a hop limit
// other than 255 (offset 0), a multicast target, a link-layer option that is
// not 8 bytes, a solicitation from :: not sent to a solicited-node group or
// carrying a source link-layer option, an advertisement to a multicast group
// with the solicited flag; bad_length for an option of length zero;
// bad_checksum_error for the ICMPv6 checksum.
result<ndp_message> decode_ndp(const_byte_span icmpv6, const ipv6_address& src, const ipv6_address& dst,
                               std::uint8_t hop_limit) noexcept;
// The same for a parsed frame; bad_value if it is not ICMPv6 over IPv6.
result<ndp_message> decode_ndp(const parsed_frame& f) noexcept;

}  // namespace qqgen::proto
