// QQ friend lists: get friend list 0x0026 and get online friends 0x0027
// (plaintext bodies).
//
// Layouts follow pidgin 2.4 libqq buddy_list.c (qq_send_packet_get_buddies_list,
// qq_process_get_buddies_list_reply, qq_send_packet_get_buddies_online,
// qq_process_get_buddies_online_reply) and buddy_list.h. Replies come in pages;
// decoders iterate the entries of a page in place, without allocating.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "protocols/bytes.hpp"
#include "protocols/qq_status.hpp"

namespace qqgen::proto {

// What a page encoder wrote: the body size (0 = not even the page header fit
// or an entry is invalid) and how many entries it holds.
struct page_encoding {
    std::size_t size = 0;
    std::size_t entries = 0;
};

// ---------------------------------------------------------------- 0x0026

// Positions (pidgin 2.4 buddy_list.h QQ_FRIENDS_LIST_POSITION_*).
inline constexpr std::uint16_t friend_list_start = 0x0000;
inline constexpr std::uint16_t friend_list_done = 0xFFFF;

// Request: start position (2) + 0x00 (pidgin 2.4: "March 22, found the
// 00,00,00 starts to work as well").
inline constexpr std::size_t friend_list_request_size = 3;

struct friend_list_request {
    std::uint16_t start_position = friend_list_start;
};

std::size_t encode_friend_list_request(const friend_list_request& request, byte_span out) noexcept;
result<friend_list_request> decode_friend_list_request(const_byte_span in) noexcept;

// One reply entry: uid 4, face 2, age 1, gender 1, nickname as a Pascal string
// (length byte + bytes, pidgin convert_as_pascal_string), 2 unknown bytes,
// flag1 and comm_flag; 13 + nickname length bytes. uid 0 is refused.
inline constexpr std::size_t friend_entry_fixed_size = 13;

struct friend_entry {
    std::uint32_t uid = 0;
    std::uint16_t face = 0;
    std::uint8_t age = 0;
    std::uint8_t gender = 0;
    const_byte_span nickname;  // raw bytes in the caller's charset, at most 255
    std::uint16_t unknown = 0;
    std::uint8_t flag1 = 0;      // pidgin: bit1 = QQ show
    std::uint8_t comm_flag = 0;  // pidgin: bit1 member, bit4 TCP, bit5 mobile QQ, bit6 bound to mobile, bit7 video
};

// The encoded size of one entry.
constexpr std::size_t friend_entry_size(const friend_entry& e) noexcept {
    return friend_entry_fixed_size + e.nickname.size();
}

// Reply page: next position (2; 0xFFFF = done), then the entries.
struct friend_list_page {
    std::uint16_t next_position = friend_list_done;
    const_byte_span entries;  // the raw entries, iterate with friend_entry_reader
};

// Writes the page header and as many whole entries as fit. An entry with uid 0
// or a nickname longer than 255 bytes makes the whole encode fail (size 0).
page_encoding encode_friend_list_reply(std::uint16_t next_position, std::span<const friend_entry> entries,
                                       byte_span out) noexcept;
// Rewrites the next position of an encoded page (for a caller that learns only
// from page_encoding::entries where the next page starts).
void set_friend_list_next_position(byte_span page, std::uint16_t next_position) noexcept;
// Checks only the page header; entries are checked as they are read.
result<friend_list_page> decode_friend_list_reply(const_byte_span in) noexcept;

// Iterates the entries of a decoded page. Refusal offsets are relative to the
// start of the reply body. After a refusal done() is true: entries have no
// boundary marks, so nothing after a bad entry can be trusted.
class friend_entry_reader {
public:
    explicit friend_entry_reader(const friend_list_page& page) noexcept : rest_(page.entries) {}

    [[nodiscard]] bool done() const noexcept { return rest_.empty(); }
    result<friend_entry> next() noexcept;

private:
    const_byte_span rest_;
    std::size_t offset_ = 2;  // the entries start after the 2-byte position
};

// ---------------------------------------------------------------- 0x0027

// Positions (pidgin 2.4 buddy_list.h QQ_FRIENDS_ONLINE_POSITION_*): one byte.
inline constexpr std::uint8_t online_friends_start = 0x00;
inline constexpr std::uint8_t online_friends_done = 0xFF;

// Request: sub-command 0x02, position, 0x00, 0x0000 (pidgin 2.4: "only 0x02
// and 0x03 returns info from server, other values all return 0xff").
inline constexpr std::size_t online_friends_request_size = 5;
inline constexpr std::uint8_t online_friends_subcommand = 0x02;

struct online_friends_request {
    std::uint8_t subcommand = online_friends_subcommand;  // 0x02 or 0x03
    std::uint8_t start_position = online_friends_start;
};

std::size_t encode_online_friends_request(const online_friends_request& request, byte_span out) noexcept;
result<online_friends_request> decode_online_friends_request(const_byte_span in) noexcept;

// One reply entry, 38 bytes (pidgin 2.4 QQ_ONLINE_BUDDY_ENTRY_LEN): the 31-byte
// status record, unknown 2, flag1, comm_flag, unknown 2, ending (0x00).
inline constexpr std::size_t online_friend_entry_size = 38;

struct online_friend_entry {
    buddy_status_record status;
    std::uint16_t unknown1 = 0;
    std::uint8_t flag1 = 0;
    std::uint8_t comm_flag = 0;
    std::uint16_t unknown2 = 0;
    std::uint8_t ending = 0x00;
};

// Reply page: next position (1; 0xFF = done), then the entries.
struct online_friends_page {
    std::uint8_t next_position = online_friends_done;
    const_byte_span entries;  // iterate with online_friend_reader
};

// Writes as many whole entries as fit; uid 0 in any entry fails the encode.
page_encoding encode_online_friends_reply(std::uint8_t next_position, std::span<const online_friend_entry> entries,
                                          byte_span out) noexcept;
result<online_friends_page> decode_online_friends_reply(const_byte_span in) noexcept;

class online_friend_reader {
public:
    explicit online_friend_reader(const online_friends_page& page) noexcept : rest_(page.entries) {}

    [[nodiscard]] bool done() const noexcept { return rest_.empty(); }
    result<online_friend_entry> next() noexcept;

private:
    const_byte_span rest_;
    std::size_t offset_ = 1;  // the entries start after the 1-byte position
};

}  // namespace qqgen::proto
