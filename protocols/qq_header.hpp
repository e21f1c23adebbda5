// QQ UDP framing: start tag, header, body, end tag (qq-protocol.md "Framing").
//
//   client -> server: 02 | version(2) | command(2) | sequence(2) | qq_number(4) | body | 03
//   server -> client: 02 | version(2) | command(2) | sequence(2)                | body | 03
//
// Sources: pidgin 2.4 libqq send_core.c _create_packet_head_seq and
// qq_send_cmd (client header, uid after the sequence), pidgin 2.7 qq_network.c
// packet_get_header (7-byte server header), qq_define.h (tags 0x02/0x03),
// Wireshark packet-oicq.c (field order).
//
// Two dialects. classic is pidgin 2.4 byte for byte. modern sends the same
// packets except the first exchange of each server flow (the 0x0062 token
// request and its reply), which carries the "signature form" nDPI 4.2 keys on:
// the datagram is zero-padded before the end tag to one of the sizes below and
// the version field holds that size's signature word (qq-protocol.md "What
// DPI engines check").
//
// nDPI 4.2 src/lib/protocols/qq.c ndpi_search_qq (checked in the nDPI source):
// UDP payload only; QQ is detected when (payload length, first 4 bytes) is one
// of 72/02 00 48 00, 64/02 00 40 00, 60/02 00 42 00, 84/02 00 5a 00,
// 56/02 00 38 00, or length >= 39 with 28 00 00 00. Otherwise, once
// flow->num_processed_pkts > 4 (it counts every packet of the flow, both
// directions, ndpi_main.c ndpi_detection_process_packet), QQ is excluded.
// So a signature datagram must be among the first 5 packets of the UDP flow
// (either direction); the 4th byte being 00 means the command's high byte
// must be zero. Only 56, 64 and 72 also have the version equal to the length,
// which libprotoident's "bytes 1-2 equal the datagram length" rule wants;
// 56 is qqgen's default.
//
// Checked with the installed tools on a generated pcap: a modern flow (client
// port 4001) is OICQ for tshark 4.0.17 and QQ for ndpiReader 4.2; the classic
// flow is OICQ / Unknown. But with client port 4000, tshark shows the two
// signature datagrams as ICQv2: UDP tries the lower port first, ICQ owns 4000,
// and "02 00" reads as ICQ version 2 (little-endian). Classic packets
// ("02 0D ...") are not taken by it. So a modern-dialect client must not use
// source port 4000.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "protocols/bytes.hpp"
#include "protocols/qq_command.hpp"

namespace qqgen::proto {

inline constexpr std::byte qq_start_tag{0x02};  // qq_define.h QQ_PACKET_TAG
inline constexpr std::byte qq_end_tag{0x03};    // qq_define.h QQ_PACKET_TAIL
inline constexpr std::size_t client_header_size = 11;
inline constexpr std::size_t server_header_size = 7;  // pidgin QQ_UDP_HEADER_LENGTH
inline constexpr std::size_t tail_size = 1;
// Where the body starts: the offset at which the dataplane places (or
// encrypts) a body before calling frame_client_body / frame_server_body.
inline constexpr std::size_t client_body_offset = client_header_size;
inline constexpr std::size_t server_body_offset = server_header_size;
inline constexpr std::size_t min_client_packet = client_header_size + tail_size;
inline constexpr std::size_t min_server_packet = server_header_size + tail_size;

enum class dialect : std::uint8_t {
    classic,  // pidgin 2.4, version 0x0D55, every packet plain
    modern,   // classic, but the first exchange per server flow in signature form
};
inline constexpr dialect default_dialect = dialect::modern;

enum class packet_form : std::uint8_t { plain, signature };

// Which form a packet takes: only the first exchange of a server flow
// (0x0062 request and reply, and their resends) of the modern dialect is
// in signature form.
constexpr packet_form form_for(dialect d, bool first_exchange_of_flow) noexcept {
    return d == dialect::modern && first_exchange_of_flow ? packet_form::signature : packet_form::plain;
}

// One nDPI 4.2 QQ rule: UDP payload size and the version word that must follow
// the start tag (then a zero byte: the command's high byte).
struct ndpi_qq_signature {
    std::uint16_t payload_size;
    std::uint16_t version;
};
inline constexpr std::array<ndpi_qq_signature, 5> ndpi42_qq_signatures{{
    {72, 0x0048}, {64, 0x0040}, {60, 0x0042}, {84, 0x005A}, {56, 0x0038}}};
inline constexpr std::size_t default_signature_size = 56;

// The version word nDPI 4.2 wants for a datagram of `payload_size` bytes, or 0
// if no rule has that size.
constexpr std::uint16_t signature_version(std::size_t payload_size) noexcept {
    for (const auto& s : ndpi42_qq_signatures)
        if (s.payload_size == payload_size) return s.version;
    return 0;
}

// nDPI 4.2's per-packet QQ test on a UDP payload (ndpi_search_qq), for tests
// and for checking what the rest of a flow looks like to it.
constexpr bool ndpi42_qq_match(const_byte_span p) noexcept {
    if (p.size() < 4) return false;
    const std::uint32_t w = (std::to_integer<std::uint32_t>(p[0]) << 24) | (std::to_integer<std::uint32_t>(p[1]) << 16) |
                            (std::to_integer<std::uint32_t>(p[2]) << 8) | std::to_integer<std::uint32_t>(p[3]);
    if (p.size() >= 39 && w == 0x28000000u) return true;
    const std::uint16_t v = signature_version(p.size());
    return v != 0 && w == ((0x02u << 24) | (std::uint32_t{v} << 8));
}

struct client_header {
    std::uint16_t version = qq_version::pidgin_2_4;
    qq_command command{};
    std::uint16_t sequence = 0;
    std::uint32_t qq_number = 0;

    friend constexpr bool operator==(const client_header&, const client_header&) = default;
};

struct server_header {
    std::uint16_t version = qq_version::pidgin_2_4;
    qq_command command{};
    std::uint16_t sequence = 0;

    friend constexpr bool operator==(const server_header&, const server_header&) = default;
};

// A decoded packet: header fields and the body between header and end tag (a
// view into the input). In signature form the body includes the zero padding;
// body decoders ignore trailing bytes.
struct client_packet_view {
    client_header header;
    const_byte_span body;
    bool signature = false;  // (size, version) is one of nDPI 4.2's QQ rules
};
struct server_packet_view {
    server_header header;
    const_byte_span body;
    bool signature = false;
};

// --- encoders: return the datagram size, 0 if out is too small -------------

// Header, body, end tag. body may overlap out (it is moved into place).
std::size_t encode_client_packet(byte_span out, const client_header& h, const_byte_span body) noexcept;
std::size_t encode_server_packet(byte_span out, const server_header& h, const_byte_span body) noexcept;

// Header and end tag around a body of body_len bytes the caller already placed
// at out[client_body_offset] (resp. server_body_offset), e.g. by encrypting
// straight into the frame. Returns the datagram size, 0 if it does not fit.
std::size_t frame_client_body(byte_span out, const client_header& h, std::size_t body_len) noexcept;
std::size_t frame_server_body(byte_span out, const server_header& h, std::size_t body_len) noexcept;

// Signature form: like encode_*_packet, but the body is followed by zero bytes
// up to exactly `payload_size` bytes of UDP payload and the version field is
// signature_version(payload_size) (h.version is ignored). Returns 0 if
// payload_size is not an nDPI 4.2 rule size, the command's high byte is not
// zero (nDPI wants byte 3 = 00), or header + body + tail exceed payload_size
// or out.
std::size_t encode_signature_client_packet(byte_span out, const client_header& h, const_byte_span body,
                                           std::size_t payload_size = default_signature_size) noexcept;
std::size_t encode_signature_server_packet(byte_span out, const server_header& h, const_byte_span body,
                                           std::size_t payload_size = default_signature_size) noexcept;
// In-place signature form: the body is already at out[*_body_offset].
std::size_t frame_signature_client_body(byte_span out, const client_header& h, std::size_t body_len,
                                        std::size_t payload_size = default_signature_size) noexcept;
std::size_t frame_signature_server_body(byte_span out, const server_header& h, std::size_t body_len,
                                        std::size_t payload_size = default_signature_size) noexcept;

// --- decoders -----------------------------------------------------------------

// Refuse: truncated (shorter than header + tail; offset = size), bad_tag
// (byte 0 not 0x02: offset 0; last byte not 0x03: offset size - 1).
// Version, command and sequence are not judged here (unknown commands are the
// caller's business); both the plain and the signature form are accepted.
result<client_packet_view> decode_client_packet(const_byte_span packet) noexcept;
result<server_packet_view> decode_server_packet(const_byte_span packet) noexcept;

}  // namespace qqgen::proto
