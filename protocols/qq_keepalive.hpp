// QQ keep-alive 0x0002 (plaintext bodies).
//
// Request: pidgin 2.4 libqq keep_alive.c qq_send_packet_keep_alive sends the
// uid as 4 binary bytes ("In fact, we can send whatever we like to server").
// pidgin 2.7 qq_base.c qq_request_keep_alive_2007 sends the uid as ASCII
// decimal instead; both are supported, the caller says which.
//
// Reply: pidgin 2.4 qq_process_keep_alive_reply splits the body at 0x1F into
// (at least) 6 text fields: "0", "0", the number of users online, the client's
// IP as the server sees it (dotted), its port, and a last field ("the last one
// is 60, don't know what it is"). The QQ2007/2008 binary reply (pidgin 2.7
// qq_process_keep_alive_2008, LumaQQ KeepAliveReplyPacket) is not handled here.
#pragma once

#include <cstddef>
#include <cstdint>

#include "protocols/bytes.hpp"

namespace qqgen::proto {

// Recommended interval: 60 s (pidgin 2.7; LumaQQ uses 100 s).
inline constexpr std::uint32_t keep_alive_interval_s = 60;

enum class keep_alive_uid_format : std::uint8_t {
    binary,         // 4 bytes big-endian (pidgin 2.4, classic clients)
    ascii_decimal,  // "%u" without terminator (pidgin 2.7 QQ2007 mode)
};

inline constexpr std::size_t keep_alive_max_request_size = 10;  // "4294967295"

struct keep_alive_request {
    std::uint32_t uid = 0;
};

// 0 if uid is 0 or out is too small.
std::size_t encode_keep_alive_request(const keep_alive_request& request, keep_alive_uid_format format,
                                      byte_span out) noexcept;
// ASCII: canonical decimal (no leading zeros), uid 0 refused.
result<keep_alive_request> decode_keep_alive_request(const_byte_span in, keep_alive_uid_format format) noexcept;

// The field separator of the text reply.
inline constexpr std::uint8_t keep_alive_separator = 0x1F;
// Four 10-digit numbers, a 15-byte IP, a 5-digit port and 5 separators.
inline constexpr std::size_t keep_alive_max_reply_size = 4 * 10 + 15 + 5 + 5;

struct keep_alive_reply {
    std::uint32_t result = 0;        // field 0, pidgin: always "0"
    std::uint32_t unknown = 0;       // field 1, pidgin: always "0"
    std::uint32_t online_total = 0;  // field 2; pidgin treats 0 as "Keep alive error"
    std::uint32_t client_ip = 0;     // field 3, dotted quad, big-endian value of the 4 bytes
    std::uint16_t client_port = 0;   // field 4
    std::uint32_t last = 60;         // field 5, pidgin: "the last one is 60"
};

std::size_t encode_keep_alive_reply(const keep_alive_reply& reply, byte_span out) noexcept;
// Exactly six fields of canonical decimals (and one dotted IP); anything else
// is refused with bad_value at the offending byte.
result<keep_alive_reply> decode_keep_alive_reply(const_byte_span in) noexcept;

}  // namespace qqgen::proto
