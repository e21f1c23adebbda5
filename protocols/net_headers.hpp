// Ethernet / 802.1Q / IPv4 / IPv6 / UDP / TCP frames: write them with their
// checksums, parse received ones.
//
// The dataplane builds each frame from a frame_desc: either in one call
// (write_frame) or in two, writing the headers first, encrypting the QQ
// payload straight into the frame, then finish_checksums. parse_frame reads a
// received frame without copying: the payload is a view into it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "protocols/bytes.hpp"

namespace qqgen::proto {

// ---- addresses ---------------------------------------------------------------

struct mac_address {
    std::array<std::byte, 6> bytes{};

    static constexpr mac_address broadcast() noexcept {
        return {{std::byte{0xff}, std::byte{0xff}, std::byte{0xff}, std::byte{0xff}, std::byte{0xff}, std::byte{0xff}}};
    }
    // I/G bit, the least significant bit of the first octet (IEEE 802-2014 8.2).
    [[nodiscard]] constexpr bool is_multicast() const noexcept { return (bytes[0] & std::byte{1}) != std::byte{0}; }
    // "aa:bb:cc:dd:ee:ff" (or '-' separated); for set-up code.
    static std::optional<mac_address> parse(std::string_view text) noexcept;
    [[nodiscard]] std::string to_string() const;
    friend constexpr bool operator==(const mac_address&, const mac_address&) = default;
};

struct ipv4_address {
    std::array<std::byte, 4> bytes{};

    static constexpr ipv4_address from_u32(std::uint32_t v) noexcept {
        return {{std::byte(v >> 24), std::byte(v >> 16), std::byte(v >> 8), std::byte(v)}};
    }
    [[nodiscard]] constexpr std::uint32_t to_u32() const noexcept {
        return std::to_integer<std::uint32_t>(bytes[0]) << 24 | std::to_integer<std::uint32_t>(bytes[1]) << 16 |
               std::to_integer<std::uint32_t>(bytes[2]) << 8 | std::to_integer<std::uint32_t>(bytes[3]);
    }
    static std::optional<ipv4_address> parse(std::string_view text) noexcept;
    [[nodiscard]] std::string to_string() const;
    friend constexpr bool operator==(const ipv4_address&, const ipv4_address&) = default;
};

struct ipv6_address {
    std::array<std::byte, 16> bytes{};

    // ff00::/8 (RFC 4291 section 2.7).
    [[nodiscard]] constexpr bool is_multicast() const noexcept { return bytes[0] == std::byte{0xff}; }
    [[nodiscard]] constexpr bool is_unspecified() const noexcept { return *this == ipv6_address{}; }
    static std::optional<ipv6_address> parse(std::string_view text) noexcept;
    [[nodiscard]] std::string to_string() const;  // RFC 5952 form
    friend constexpr bool operator==(const ipv6_address&, const ipv6_address&) = default;
};

enum class ip_version : std::uint8_t { v4 = 4, v6 = 6 };

// An IPv4 or an IPv6 address; an IPv4 one lives in the first 4 bytes.
struct ip_address {
    ip_version version = ip_version::v4;
    std::array<std::byte, 16> bytes{};

    constexpr ip_address() noexcept = default;
    constexpr ip_address(ipv4_address a) noexcept {  // NOLINT(google-explicit-constructor): an address is an address
        for (std::size_t i = 0; i < 4; ++i) bytes[i] = a.bytes[i];
    }
    constexpr ip_address(const ipv6_address& a) noexcept : version(ip_version::v6), bytes(a.bytes) {}  // NOLINT

    [[nodiscard]] constexpr bool is_v4() const noexcept { return version == ip_version::v4; }
    [[nodiscard]] constexpr bool is_v6() const noexcept { return version == ip_version::v6; }
    [[nodiscard]] constexpr ipv4_address v4() const noexcept { return {{bytes[0], bytes[1], bytes[2], bytes[3]}}; }
    [[nodiscard]] constexpr ipv6_address v6() const noexcept { return {bytes}; }
    // The 4 or 16 address bytes as they go on the wire.
    [[nodiscard]] constexpr const_byte_span wire() const noexcept {
        return const_byte_span{bytes}.first(is_v4() ? 4 : 16);
    }
    // Dotted quad or RFC 4291 text; for set-up code.
    static std::optional<ip_address> parse(std::string_view text) noexcept;
    [[nodiscard]] std::string to_string() const;
    friend constexpr bool operator==(const ip_address&, const ip_address&) = default;
};

// ---- Ethernet ----------------------------------------------------------------

namespace ethertype {
inline constexpr std::uint16_t ipv4 = 0x0800;
inline constexpr std::uint16_t arp = 0x0806;
inline constexpr std::uint16_t vlan = 0x8100;  // IEEE 802.1Q C-tag TPID
inline constexpr std::uint16_t ipv6 = 0x86dd;
}  // namespace ethertype

namespace ip_protocol {
inline constexpr std::uint8_t tcp = 6;
inline constexpr std::uint8_t udp = 17;
inline constexpr std::uint8_t icmpv6 = 58;
}  // namespace ip_protocol

// 802.1Q tag control information: priority code point (3 bits), drop
// eligible indicator (1 bit), VLAN id (12 bits).
struct vlan_tag {
    std::uint16_t id = 0;
    std::uint8_t pcp = 0;
    bool dei = false;
    friend constexpr bool operator==(const vlan_tag&, const vlan_tag&) = default;
};

struct ethernet_header {
    mac_address dst;
    mac_address src;
    std::optional<vlan_tag> vlan;
};

inline constexpr std::size_t ethernet_min_frame = 60;  // 64-byte minimum less the FCS (IEEE 802.3 4.4.2)

[[nodiscard]] constexpr std::size_t ethernet_header_size(const ethernet_header& h) noexcept {
    return h.vlan ? 18 : 14;
}
// Writes dst, src, the optional 802.1Q tag and `type`; returns 14, 18 or 0.
std::size_t write_ethernet_header(byte_span out, const ethernet_header& h, std::uint16_t type) noexcept;

// Zero-fills frame[size .. 60) so that a short frame reaches the Ethernet
// minimum; returns the padded size, or 0 if `frame` is too small for it.
std::size_t pad_frame(byte_span frame, std::size_t size) noexcept;

// ---- TCP fields --------------------------------------------------------------

namespace tcp_flag {
inline constexpr std::uint8_t fin = 0x01;
inline constexpr std::uint8_t syn = 0x02;
inline constexpr std::uint8_t rst = 0x04;
inline constexpr std::uint8_t psh = 0x08;
inline constexpr std::uint8_t ack = 0x10;
inline constexpr std::uint8_t urg = 0x20;
inline constexpr std::uint8_t ece = 0x40;
inline constexpr std::uint8_t cwr = 0x80;
}  // namespace tcp_flag

struct tcp_timestamps {
    std::uint32_t value = 0;  // TSval
    std::uint32_t echo = 0;   // TSecr
    friend constexpr bool operator==(const tcp_timestamps&, const tcp_timestamps&) = default;
};

// The options qqgen sends and reads (RFC 9293 3.2 MSS, RFC 7323 window scale
// and timestamps, RFC 2018 SACK-permitted). Others are skipped on decode.
struct tcp_options {
    std::optional<std::uint16_t> mss;
    std::optional<std::uint8_t> window_scale;
    bool sack_permitted = false;
    std::optional<tcp_timestamps> timestamps;
    friend constexpr bool operator==(const tcp_options&, const tcp_options&) = default;
};

// Bytes the options take on the wire, a multiple of 4 (at most 20).
[[nodiscard]] std::size_t tcp_options_size(const tcp_options& o) noexcept;
// Writes the options in Linux's layout (net/ipv4/tcp_output.c,
// tcp_options_write): 4-byte words padded with NOPs. Returns the size or 0.
std::size_t write_tcp_options(byte_span out, const tcp_options& o) noexcept;
// Reads the option bytes of a TCP header (data offset * 4 - 20 bytes).
// Refuses options whose length runs past the header (bad_length) or whose
// length is wrong for their kind (bad_value); offsets are within `in`.
result<tcp_options> parse_tcp_options(const_byte_span in) noexcept;

struct tcp_fields {
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    std::uint8_t flags = 0;  // tcp_flag bits
    std::uint16_t window = 0;
    tcp_options options;
};

// ---- frames ------------------------------------------------------------------

// One UDP or TCP frame to send.
struct frame_desc {
    ethernet_header eth;
    ip_address src_ip;  // both addresses of the same version
    ip_address dst_ip;
    std::uint8_t ttl = 64;  // hop limit for IPv6
    std::uint8_t dscp = 0;  // upper 6 bits of TOS / traffic class; ECN is 0
    std::uint16_t ipv4_id = 0;
    bool dont_fragment = true;
    std::uint32_t ipv6_flow_label = 0;  // 20 bits
    std::uint8_t protocol = ip_protocol::udp;  // udp or tcp
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    tcp_fields tcp;  // used when protocol is tcp
};

// Bytes from the Ethernet header to the end of the UDP/TCP header.
[[nodiscard]] std::size_t header_size(const frame_desc& d) noexcept;

// Where write_headers put things, for finish_checksums and for a dataplane
// that patches a template. frame_size == 0 means the frame did not fit.
struct frame_layout {
    std::uint16_t l3_offset = 0;
    std::uint16_t l4_offset = 0;
    std::uint16_t payload_offset = 0;
    std::uint32_t payload_size = 0;
    std::uint32_t frame_size = 0;         // including padding to 60 bytes
    std::uint8_t protocol = 0;         // ip_protocol::udp or ::tcp
    std::uint32_t pseudo_header_sum = 0;  // partial sum, see checksum.hpp

    [[nodiscard]] constexpr std::size_t l4_checksum_offset() const noexcept {
        return l4_offset + (protocol == ip_protocol::tcp ? 16u : 6u);
    }
    [[nodiscard]] constexpr std::uint32_t l4_size() const noexcept {
        return std::uint32_t{payload_offset} - l4_offset + payload_size;
    }
};

// Step 1: writes L2..L4 headers for a payload of payload_size bytes (with the
// IPv4 header checksum), zero-fills any Ethernet padding after the payload
// room, and leaves the payload bytes and the UDP/TCP checksum to the caller.
// Refuses (frame_size 0) a frame that does not fit `out`, mixed IP versions,
// an unknown protocol, or an IP datagram over 65535 bytes.
frame_layout write_headers(byte_span out, const frame_desc& d, std::size_t payload_size) noexcept;
// Step 2, once the payload is in place: computes the UDP/TCP checksum.
void finish_checksums(byte_span frame, const frame_layout& layout) noexcept;
// Both steps with a copy of `payload`; returns the frame size or 0.
std::size_t write_frame(byte_span out, const frame_desc& d, const_byte_span payload) noexcept;

// ---- parsing -----------------------------------------------------------------

// decode_error has no dedicated reasons for these yet; parse_frame uses these
// names so that tests and counters change in one place when it gets them.
inline constexpr decode_error bad_checksum_error = decode_error::bad_checksum;  // offset: the checksum field
inline constexpr decode_error unsupported_error = decode_error::unsupported;  // offset: fragment field/header

struct parse_options {
    bool verify_ip_checksum = true;  // false when the NIC already checked it
    bool verify_l4_checksum = true;  // UDP and TCP only
};

struct parsed_frame {
    mac_address dst_mac;
    mac_address src_mac;
    std::optional<vlan_tag> vlan;
    std::uint16_t ethertype = 0;  // after the VLAN tag
    // Everything after the Ethernet header: for IP trimmed to the IP length
    // (Ethernet padding dropped); for other ethertypes (ARP) up to the end of
    // the frame, padding included, for the caller's own decoder.
    const_byte_span l3;
    // Only for IPv4/IPv6 frames:
    std::uint8_t ip_version = 0;  // 0 (not IP), 4 or 6
    ip_address src_ip;
    ip_address dst_ip;
    std::uint8_t ttl = 0;  // hop limit for IPv6
    std::uint8_t dscp = 0;
    std::uint16_t ipv4_id = 0;
    bool dont_fragment = false;
    std::uint8_t protocol = 0;  // after IPv6 extension headers
    // The upper-layer message (UDP/TCP header and payload; the whole ICMPv6
    // message for protocol 58 or any other protocol, unchecked).
    const_byte_span l4;
    // Only for UDP and TCP:
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    tcp_fields tcp;
    const_byte_span payload;
};

// Parses a received frame. Refuses: truncated (any header or the IP length
// past the end), bad_length (IPv4 header length < 5 or total length below it,
// a UDP length or TCP data offset that does not fit), bad_value (IP version
// field wrong, malformed TCP options), bad_checksum_error (IPv4 header, UDP,
// TCP; a zero UDP checksum is "none" over IPv4 but invalid over IPv6, RFC
// 8200 8.1), unsupported_error (IPv4 or IPv6 fragments, more than 8 IPv6
// extension headers).
result<parsed_frame> parse_frame(const_byte_span frame, parse_options opts = {}) noexcept;

}  // namespace qqgen::proto
