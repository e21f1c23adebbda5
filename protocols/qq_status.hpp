// QQ online status: set status 0x000D, the 31-byte buddy status record and the
// server's friend status change 0x0081 (plaintext bodies).
//
// Layouts follow pidgin 2.4 libqq buddy_status.c (qq_send_packet_change_status,
// qq_process_change_status_reply, qq_buddy_status_read,
// qq_process_friend_change_status) and buddy_status.h.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "protocols/bytes.hpp"

namespace qqgen::proto {

// Status byte values (pidgin 2.4 buddy_status.h QQ_BUDDY_*; 0x00 appears only
// in status records, for a buddy who is offline).
inline constexpr std::uint8_t status_offline_record = 0x00;
inline constexpr std::uint8_t status_online = 0x0A;
inline constexpr std::uint8_t status_offline = 0x14;
inline constexpr std::uint8_t status_away = 0x1E;
inline constexpr std::uint8_t status_invisible = 0x28;

// True for the four values a client may set with 0x000D.
constexpr bool is_settable_status(std::uint8_t s) noexcept {
    return s == status_online || s == status_offline || s == status_away || s == status_invisible;
}

// ---------------------------------------------------------------- 0x000D

// Request: status (1) + misc status (4). pidgin 2.4 sets misc bit 0x00000001
// when the "show fake video" preference is on (QQ_MISC_STATUS_HAVING_VIIDEO).
inline constexpr std::size_t set_status_request_size = 5;
inline constexpr std::uint32_t misc_status_video = 0x00000001;

struct set_status_request {
    std::uint8_t status = status_online;
    std::uint32_t misc_status = 0;
};

// Reply: one byte, 0x30 (ASCII '0') = OK (pidgin 2.4 QQ_CHANGE_ONLINE_STATUS_REPLY_OK).
inline constexpr std::uint8_t set_status_reply_ok = 0x30;

struct set_status_reply {
    std::uint8_t result = set_status_reply_ok;
};

// 0 if status is not one of the four settable values or out is too small.
std::size_t encode_set_status_request(const set_status_request& request, byte_span out) noexcept;
result<set_status_request> decode_set_status_request(const_byte_span in) noexcept;
std::size_t encode_set_status_reply(const set_status_reply& reply, byte_span out) noexcept;
result<set_status_reply> decode_set_status_reply(const_byte_span in) noexcept;

// ---------------------------------------------------------------- status record

// pidgin 2.4 qq_buddy_status_read: 31 bytes, uid must be non-zero. pidgin notes
// that since 2006 the IP and port are all zeros.
inline constexpr std::size_t buddy_status_record_size = 31;

struct buddy_status_record {
    std::uint32_t uid = 0;                  // 000-003
    std::uint8_t unknown1 = 0x01;           // 004 pidgin: "0x01"
    std::uint32_t ip = 0;                   // 005-008
    std::uint16_t port = 0;                 // 009-010
    std::uint8_t unknown2 = 0x00;           // 011 pidgin: "0x00"
    std::uint8_t status = status_online;    // 012
    std::uint16_t client_version = 0;       // 013-014
    std::array<std::byte, 16> unknown_key{};  // 015-030
};

// Appends a record to w (w turns not-ok if it does not fit).
void write_buddy_status_record(byte_writer& w, const buddy_status_record& record) noexcept;
// Reads a record; the refusal offset is relative to the start of in. uid 0 is
// refused (bad_value) as pidgin 2.4 does.
result<buddy_status_record> read_buddy_status_record(const_byte_span in) noexcept;

// ---------------------------------------------------------------- 0x0081

// Server push: a status record and the receiver's uid (0 when the receiver is
// invisible), 35 bytes (pidgin 2.4 qq_process_friend_change_status).
inline constexpr std::size_t friend_status_change_size = buddy_status_record_size + 4;

struct friend_status_change {
    buddy_status_record record;
    std::uint32_t my_uid = 0;
};

std::size_t encode_friend_status_change(const friend_status_change& change, byte_span out) noexcept;
result<friend_status_change> decode_friend_status_change(const_byte_span in) noexcept;

}  // namespace qqgen::proto
