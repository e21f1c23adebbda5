// QQ instant messages: send 0x0016 and its reply, receive 0x0017 and its ack
// (plaintext bodies), with the font tail.
//
// Layouts follow qq-protocol.md "Instant message body" and pidgin 2.4 libqq
// im.c (qq_send_packet_im, qq_get_send_im_tail, qq_process_send_im_reply,
// qq_process_recv_im, _qq_normal_im_common_read, _qq_process_recv_normal_im_text,
// _qq_send_packet_recv_im_ack) and char_conv.c (qq_encode_to_purple, which
// reads the font tail). Text and font names are raw bytes in the caller's
// charset; nothing is converted here. A smiley is 0x14 followed by a code
// byte and is ordinary text to these functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "protocols/bytes.hpp"

namespace qqgen::proto {

// ---------------------------------------------------------------- font tail

// Charset field values (qq-protocol.md; pidgin 2.4 writes 0x8622 for GB and
// char_conv.c notes that receivers cannot rely on the field).
inline constexpr std::uint16_t charset_gb = 0x8602;
inline constexpr std::uint16_t charset_big5 = 0x8603;
inline constexpr std::uint16_t charset_english = 0x0000;
inline constexpr std::uint16_t charset_gb_pidgin = 0x8622;

// The attribute byte (pidgin 2.4 qq_get_send_im_tail: size in the low bits,
// bold |= 0x20, italic |= 0x40, underline |= 0x80).
inline constexpr std::uint8_t font_size_mask = 0x1F;
inline constexpr std::uint8_t font_bold = 0x20;
inline constexpr std::uint8_t font_italic = 0x40;
inline constexpr std::uint8_t font_underline = 0x80;

// Tail: 0x00, attribute, R, G, B, 0x00, charset (2), name, total tail length
// (= name length + 9; pidgin: send_im_tail[tail_len - 1] = tail_len).
inline constexpr std::size_t font_tail_fixed_size = 9;
// Font names come from Windows LOGFONT (LF_FACESIZE = 32 with the NUL), so
// qqgen caps them at 31 bytes; it also refuses control bytes (< 0x20) in them,
// so that truncations of a message with a font tail are detected (exactly
// when the name is shorter than 24 bytes; see qq_im.cpp read_im_text).
inline constexpr std::size_t font_name_max = 31;

// 宋体 (SimSun) in GBK, the default font (pidgin 2.4 im.c simsun[]).
inline constexpr std::array<std::byte, 4> font_name_simsun_gbk = {std::byte{0xCB}, std::byte{0xCE}, std::byte{0xCC},
                                                                  std::byte{0xE5}};

struct font_style {
    std::uint8_t size = 9;  // 1..31 (low 5 bits of the attribute byte)
    bool bold = false;
    bool italic = false;
    bool underline = false;
    std::uint8_t red = 0;
    std::uint8_t green = 0;
    std::uint8_t blue = 0;
    std::uint16_t charset = charset_gb;
    const_byte_span name;  // raw bytes, 0..31, no byte below 0x20
};

constexpr std::uint8_t font_attribute(const font_style& f) noexcept {
    return static_cast<std::uint8_t>((f.size & font_size_mask) | (f.bold ? font_bold : 0) |
                                     (f.italic ? font_italic : 0) | (f.underline ? font_underline : 0));
}
constexpr std::size_t font_tail_size(const font_style& f) noexcept { return font_tail_fixed_size + f.name.size(); }

// 0 if the style is invalid (size 0 or > 31, name too long or with a control
// byte) or out is too small.
std::size_t encode_font_tail(const font_style& font, byte_span out) noexcept;
// Decodes a whole tail (exactly font_tail_size bytes, last byte included).
result<font_style> decode_font_tail(const_byte_span tail) noexcept;

// ---------------------------------------------------------------- common parts

// Normal IM type "text" (pidgin 2.4 im.c QQ_NORMAL_IM_TEXT); the other normal
// types are file-transfer messages, carried here as an opaque payload.
inline constexpr std::uint16_t normal_im_text = 0x000B;
// Text message kind (pidgin 2.4 QQ_IM_TEXT / QQ_IM_AUTO_REPLY).
inline constexpr std::uint8_t im_reply_normal = 0x01;
inline constexpr std::uint8_t im_reply_auto = 0x02;

// The 28-byte normal-IM header (pidgin 2.4 _qq_normal_im_common_read):
// sender version, sender uid, receiver uid, MD5 (16), normal IM type. In a
// send IM it follows the sender and receiver uids; in a received IM, the
// 20-byte receive header. The MD5 is qq-protocol.md's MD5(uid ‖ session key),
// computed by the caller (pidgin 2.4 utils.c _gen_session_md5 actually copies
// the uid and then the key to the same address, so it hashes key ‖ 4 unset bytes).
inline constexpr std::size_t normal_im_header_size = 28;

struct normal_im_header {
    std::uint16_t sender_version = 0x0D55;
    std::uint32_t sender_uid = 0;
    std::uint32_t receiver_uid = 0;
    std::array<std::byte, 16> session_md5{};
    std::uint16_t im_type = normal_im_text;
};

// The text part that follows a normal-IM header of type 0x000B (pidgin 2.4
// qq_send_packet_im "036-" onwards and _qq_process_recv_normal_im_text).
inline constexpr std::size_t im_text_fixed_size = 17;  // before the text

struct im_text {
    std::uint16_t message_sequence = 0;
    std::uint32_t send_time = 0;  // Unix time
    std::uint16_t face = 0;
    bool has_font = true;             // the 4-byte flag 00 00 00 01; a font tail follows the text
    std::uint8_t fragment_count = 0;  // LumaQQ: total fragments; pidgin writes zeros
    std::uint8_t fragment_index = 0;
    std::uint16_t message_id = 0;
    std::uint8_t reply_type = im_reply_normal;
    const_byte_span text;  // raw bytes, no 0x00 (pidgin reads the text as a C string)
    font_style font;       // meaningful when has_font
};

constexpr std::size_t im_text_size(const im_text& m) noexcept {
    return im_text_fixed_size + m.text.size() + (m.has_font ? font_tail_size(m.font) : 0);
}

// ---------------------------------------------------------------- 0x0016 send

// Sender uid, receiver uid, then the normal-IM header (whose uids must be the
// same two), then the text part: 53 bytes before the text (pidgin 2.4
// QQ_SEND_IM_BEFORE_MSG_LEN).
inline constexpr std::size_t send_im_before_text_size = 8 + normal_im_header_size + im_text_fixed_size;

struct send_im {
    normal_im_header header;
    im_text message;
};

constexpr std::size_t send_im_size(const send_im& m) noexcept {
    return 8 + normal_im_header_size + im_text_size(m.message);
}

// 0 if the type is not 0x000B, the text holds 0x00, the font is invalid, the
// reply type unknown or out too small.
std::size_t encode_send_im(const send_im& im, byte_span out) noexcept;
result<send_im> decode_send_im(const_byte_span in) noexcept;

// The server's reply: one byte, 0x00 = OK (pidgin 2.4 QQ_SEND_IM_REPLY_OK).
inline constexpr std::uint8_t send_im_reply_ok = 0x00;

struct send_im_reply {
    std::uint8_t result = send_im_reply_ok;
};

std::size_t encode_send_im_reply(const send_im_reply& reply, byte_span out) noexcept;
result<send_im_reply> decode_send_im_reply(const_byte_span in) noexcept;

// ---------------------------------------------------------------- 0x0017 receive

// Receive header types (qq-protocol.md; pidgin 2.4 im.h QQ_RECV_IM_*).
inline constexpr std::uint16_t recv_im_from_buddy = 0x0009;
inline constexpr std::uint16_t recv_im_from_stranger = 0x000A;
inline constexpr std::uint16_t recv_im_system = 0x0030;

constexpr bool is_normal_recv_im(std::uint16_t type) noexcept {
    return type == recv_im_from_buddy || type == recv_im_from_stranger;
}

// pidgin 2.4 struct _qq_recv_im_header, 20 bytes. IPs are the big-endian value
// of their 4 bytes ("if the message is delivered via server, it is server IP/port").
inline constexpr std::size_t recv_im_header_size = 20;

struct recv_im_header {
    std::uint32_t sender_uid = 0;
    std::uint32_t receiver_uid = 0;
    std::uint32_t server_im_sequence = 0;
    std::uint32_t sender_ip = 0;
    std::uint16_t sender_port = 0;
    std::uint16_t im_type = recv_im_from_buddy;
};

// A received IM. Which members mean something depends on the types:
// header.im_type 0x0009/0x000A -> normal is read; then normal.im_type 0x000B ->
// message is read. Whatever follows the last header read (a group or system
// message, a file-transfer request) is payload, kept as raw bytes.
struct recv_im {
    recv_im_header header;
    normal_im_header normal;
    im_text message;
    const_byte_span payload;
};

std::size_t encode_recv_im(const recv_im& im, byte_span out) noexcept;
result<recv_im> decode_recv_im(const_byte_span in) noexcept;

// The client's ack (command 0x0017, the server's sequence): the first 16 bytes
// of the received plaintext, i.e. sender uid, receiver uid, server IM sequence,
// sender IP (pidgin 2.4 _qq_send_packet_recv_im_ack: "we send an ACK which is
// the first 16 bytes of incoming packet").
inline constexpr std::size_t recv_im_ack_size = 16;

struct recv_im_ack {
    std::uint32_t sender_uid = 0;
    std::uint32_t receiver_uid = 0;
    std::uint32_t server_im_sequence = 0;
    std::uint32_t sender_ip = 0;
};

constexpr recv_im_ack make_recv_im_ack(const recv_im_header& h) noexcept {
    return {h.sender_uid, h.receiver_uid, h.server_im_sequence, h.sender_ip};
}

std::size_t encode_recv_im_ack(const recv_im_ack& ack, byte_span out) noexcept;
// pidgin's literal rule: copy the first 16 bytes of the received plaintext
// (0 if it is shorter; pidgin then sends no ack).
std::size_t copy_recv_im_ack(const_byte_span received_plain, byte_span out) noexcept;
result<recv_im_ack> decode_recv_im_ack(const_byte_span in) noexcept;

}  // namespace qqgen::proto
