// DNS messages (RFC 1035) for the look-ups a QQ client makes before logging
// in: an A query for a login server name ("sz.tencent.com",
// qq-protocol.md "Session sequence") and the answer to it.
//
// The client half encodes queries and decodes responses; the server half
// (qqgen also emulates the resolver) decodes queries and encodes responses.
// Names are decoded into a fixed buffer, so nothing allocates.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "protocols/bytes.hpp"
#include "protocols/net_headers.hpp"

namespace qqgen::proto {

namespace dns_type {
inline constexpr std::uint16_t a = 1;  // RFC 1035 3.2.2
inline constexpr std::uint16_t cname = 5;
inline constexpr std::uint16_t aaaa = 28;  // RFC 3596
}  // namespace dns_type
inline constexpr std::uint16_t dns_class_in = 1;

namespace dns_rcode {  // RFC 1035 4.1.1
inline constexpr std::uint8_t no_error = 0;
inline constexpr std::uint8_t format_error = 1;
inline constexpr std::uint8_t server_failure = 2;
inline constexpr std::uint8_t name_error = 3;  // NXDOMAIN
inline constexpr std::uint8_t refused = 5;
}  // namespace dns_rcode

namespace dns_flag {  // the second header word, RFC 1035 4.1.1
inline constexpr std::uint16_t qr = 0x8000;  // response
inline constexpr std::uint16_t opcode_mask = 0x7800;
inline constexpr std::uint16_t aa = 0x0400;  // authoritative answer
inline constexpr std::uint16_t tc = 0x0200;  // truncated
inline constexpr std::uint16_t rd = 0x0100;  // recursion desired
inline constexpr std::uint16_t ra = 0x0080;  // recursion available
inline constexpr std::uint16_t rcode_mask = 0x000f;
}  // namespace dns_flag

inline constexpr std::size_t dns_header_size = 12;
inline constexpr std::size_t dns_max_name_wire = 255;  // RFC 1035 2.3.4
inline constexpr std::size_t dns_max_label = 63;
inline constexpr std::size_t dns_max_addresses = 16;  // A answers a decoded response keeps

// A decoded name in dotted form without the final dot ("" is the root). At
// most 253 characters follow from the 255-byte wire limit.
struct dns_name {
    std::array<char, 256> text{};
    std::uint8_t size = 0;

    [[nodiscard]] constexpr std::string_view view() const noexcept { return {text.data(), size}; }
};

struct dns_query {
    std::uint16_t id = 0;
    std::uint16_t flags = 0;
    dns_name name;
    std::uint16_t qtype = 0;
    std::uint16_t qclass = 0;

    [[nodiscard]] constexpr bool recursion_desired() const noexcept { return (flags & dns_flag::rd) != 0; }
};

struct dns_response {
    std::uint16_t id = 0;
    std::uint16_t flags = 0;
    std::uint8_t rcode = 0;
    dns_name name;  // of the question
    std::uint16_t qtype = 0;
    std::uint16_t qclass = 0;
    std::uint16_t answer_count = 0;  // ANCOUNT, all types
    std::array<ipv4_address, dns_max_addresses> addresses{};  // the first class IN type A answers
    std::uint8_t address_count = 0;
    std::uint32_t ttl = 0;  // the smallest TTL of those A answers

    [[nodiscard]] constexpr std::span<const ipv4_address> answers() const noexcept {
        return std::span<const ipv4_address>{addresses}.first(address_count);
    }
};

// What the server half answers.
struct dns_response_desc {
    std::uint16_t id = 0;
    std::string_view name;  // the question's name, dotted
    std::uint16_t qtype = dns_type::a;
    std::uint8_t rcode = dns_rcode::no_error;
    bool recursion_desired = true;    // copied from the query (RFC 1035 4.1.1)
    bool recursion_available = true;  // answering as a recursive resolver would
    bool authoritative = false;
    std::uint32_t ttl = 300;
    std::span<const ipv4_address> addresses;  // A answers; empty for NXDOMAIN
};

// Writes `name` ("sz.tencent.com", a final dot allowed) as labels. Returns
// the bytes written, 0 for a name that breaks RFC 1035 2.3.4 (empty label,
// label over 63 bytes, name over 255 bytes) or does not fit.
std::size_t encode_dns_name(byte_span out, std::string_view name) noexcept;

// A query with one question of class IN: header (QDCOUNT 1), name, type.
std::size_t encode_dns_query(byte_span out, std::uint16_t id, std::string_view name,
                             std::uint16_t qtype = dns_type::a, bool recursion_desired = true) noexcept;
// The question, then one A record per address whose owner name is the
// pointer 0xC00C to the question name (RFC 1035 4.1.4).
std::size_t encode_dns_response(byte_span out, const dns_response_desc& d) noexcept;

// Both decoders refuse: truncated; bad_value for a header that is not a
// query (QR set, opcode not QUERY) or not a response (QR clear), or a
// QDCOUNT other than 1; bad_name for a label of type 0x40/0x80, a label
// holding a '.', a name over 255 bytes, a compression pointer that does not
// point before the name part it is in (which also stops loops) or a chain of
// more than 64 pointers; bad_length for an A record whose data is not 4
// bytes. Sections after the answers are not read.
result<dns_query> decode_dns_query(const_byte_span in) noexcept;
result<dns_response> decode_dns_response(const_byte_span in) noexcept;

}  // namespace qqgen::proto
