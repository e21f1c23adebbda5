// QQ system messages: receive 0x0080 and its ack 0x0012 (plaintext bodies).
//
// 0x0080 (pidgin 2.4 libqq sys_msg.c qq_process_msg_sys): text fields separated
// by 0x1F: type, from uid, to uid, message; pidgin needs at least these four
// and ignores any further fields. The type is two ASCII digits (LumaQQ
// SystemNotificationPacket reads "Util.getString(buf, 2)", e.g. "03"); the
// uids are decimal. LumaQQ shows later servers appending 0x1F and an
// "unknown id" after the message; qqgen keeps whatever follows as a trailer.
//
// 0x0012 (pidgin 2.4 _qq_send_packet_ack_msg_sys): code byte, 0x1E, from uid
// in decimal, 0x1E, the 0x0080 packet's sequence (2 bytes). The code byte is
// the first character of the type string (pidgin sends code[0], so "01"
// gives 0x30). pidgin sends the ack with its own next sequence number
// (qq_send_cmd(.., is_auto_seq TRUE, ..)); the server's sequence is in the body.
#pragma once

#include <cstddef>
#include <cstdint>

#include "protocols/bytes.hpp"

namespace qqgen::proto {

// Types known to pidgin 2.4 (sys_msg.c enum QQ_MSG_SYS_*).
inline constexpr std::uint8_t system_message_being_added = 1;
inline constexpr std::uint8_t system_message_add_request = 2;
inline constexpr std::uint8_t system_message_add_approved = 3;
inline constexpr std::uint8_t system_message_add_rejected = 4;
inline constexpr std::uint8_t system_message_new_version = 9;

inline constexpr std::uint8_t system_message_separator = 0x1F;
inline constexpr std::uint8_t system_message_ack_separator = 0x1E;

struct system_message {
    std::uint8_t type = system_message_being_added;  // 0..99, written as two digits
    std::uint32_t from_uid = 0;
    std::uint32_t to_uid = 0;
    const_byte_span text;      // raw bytes (GBK), no 0x1F inside
    bool has_trailer = false;  // a 0x1F and more fields follow the text
    const_byte_span trailer;   // the bytes after that 0x1F (may be empty)
};

// 0 if type > 99, the text contains 0x1F or out is too small.
std::size_t encode_system_message(const system_message& message, byte_span out) noexcept;
result<system_message> decode_system_message(const_byte_span in) noexcept;

struct system_message_ack {
    std::uint8_t code = '0';
    std::uint32_t from_uid = 0;
    std::uint16_t sequence = 0;  // the sequence of the 0x0080 packet acknowledged
};

// The ack pidgin 2.4 sends for a message that arrived with server_sequence.
constexpr system_message_ack make_system_message_ack(const system_message& m, std::uint16_t server_sequence) noexcept {
    return {static_cast<std::uint8_t>('0' + m.type / 10), m.from_uid, server_sequence};
}

std::size_t encode_system_message_ack(const system_message_ack& ack, byte_span out) noexcept;
result<system_message_ack> decode_system_message_ack(const_byte_span in) noexcept;

}  // namespace qqgen::proto
