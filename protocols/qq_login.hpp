// QQ login bodies (plaintext): login token 0x0062, login 0x0022 and its replies.
//
// Layouts follow pidgin 2.4 libqq login_logout.c (qq_send_packet_request_login_token,
// qq_send_packet_login, qq_process_request_login_token_reply, _qq_process_login_ok,
// _qq_process_login_redirect, _qq_process_login_wrong_pwd), client version 0x0D55.
// QQ-TEA is the caller's job (protocols/qq_tea.hpp); these functions see plaintext.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "protocols/bytes.hpp"

namespace qqgen::proto {

// ---------------------------------------------------------------- 0x0062 token

// Request body: one 0x00 byte, sent in clear (pidgin 2.4 qq_send_packet_request_login_token).
inline constexpr std::size_t login_token_request_size = 1;

struct login_token_request {};  // the body has no fields

// Reply: result (0x00 = OK), token length, token (pidgin 2.4
// qq_process_request_login_token_reply; the token is normally 24 bytes).
inline constexpr std::uint8_t login_token_reply_ok = 0x00;
inline constexpr std::size_t login_token_usual_size = 24;

struct login_token_reply {
    std::uint8_t result = login_token_reply_ok;
    const_byte_span token;  // view into the decoded input / the caller's bytes
};

std::size_t encode_login_token_request(byte_span out) noexcept;
result<login_token_request> decode_login_token_request(const_byte_span in) noexcept;

// 0 if the token is longer than 255 bytes or out is too small.
std::size_t encode_login_token_reply(const login_token_reply& reply, byte_span out) noexcept;
// Refuses a length byte that disagrees with the bytes present (bad_length).
result<login_token_reply> decode_login_token_reply(const_byte_span in) noexcept;

// ---------------------------------------------------------------- 0x0022 login

// Login modes at block offset 52 (pidgin 2.4 qq.h QQ_LOGIN_MODE_*).
inline constexpr std::uint8_t login_mode_online = 0x0A;
inline constexpr std::uint8_t login_mode_away = 0x1E;
inline constexpr std::uint8_t login_mode_hidden = 0x28;

// The 416-byte plain block (pidgin 2.4 QQ_LOGIN_DATA_LENGTH) and its offsets
// (pidgin 2.4 qq_send_packet_login comments "000-015", "052-052", "069", "070-093").
inline constexpr std::size_t login_block_size = 416;
inline constexpr std::size_t login_block_password_check_offset = 0;   // 16 bytes
inline constexpr std::size_t login_block_fixed_23_offset = 23;        // 29 fixed bytes
inline constexpr std::size_t login_block_mode_offset = 52;
inline constexpr std::size_t login_block_fixed_53_offset = 53;        // 16 fixed bytes
inline constexpr std::size_t login_block_token_length_offset = 69;
inline constexpr std::size_t login_block_token_offset = 70;
inline constexpr std::size_t login_block_tail_size = 100;             // login_100_bytes
// The token is followed by the 100 fixed bytes, so it can be at most 246 long.
inline constexpr std::size_t login_block_max_token =
    login_block_size - login_block_token_offset - login_block_tail_size;

// pidgin 2.4's fixed byte arrays ("for QQ 2005? copy from lumaqq"), written as
// unsigned bytes (pidgin declares them gint8: -122 = 0x86 and so on).
extern const std::array<std::byte, 29> login_fixed_23_51;
extern const std::array<std::byte, 16> login_fixed_53_68;
extern const std::array<std::byte, 100> login_fixed_100;

// The password check at block offset 0 is TEA(password key, empty plaintext):
// an empty QQ-TEA plaintext encrypts to 16 bytes. The caller computes it.
inline constexpr std::size_t password_check_size = 16;

struct login_block {
    std::array<std::byte, password_check_size> password_check{};
    std::uint8_t login_mode = login_mode_online;
    const_byte_span token;  // at most login_block_max_token bytes
};

// Writes exactly login_block_size bytes; 0 if out is too small, the token too
// long or the login mode not one of the three above.
std::size_t encode_login_block(const login_block& block, byte_span out) noexcept;
// Refuses anything but pidgin 2.4's layout: wrong size, non-zero reserved
// bytes, fixed bytes that differ, an unknown mode, a token that overruns.
result<login_block> decode_login_block(const_byte_span in) noexcept;

// The login request body is the initial key in clear followed by
// TEA(initial key, block). QQ-TEA of 416 bytes pads by 6 and adds 10
// (qq-protocol.md "QQ-TEA"), so the ciphertext is 432 bytes, the body 448 and
// the UDP datagram 11 + 448 + 1 = 460 bytes.
inline constexpr std::size_t login_key_size = 16;
inline constexpr std::size_t login_ciphertext_size = 432;
inline constexpr std::size_t login_request_body_size = login_key_size + login_ciphertext_size;
inline constexpr std::size_t login_request_datagram_size = 11 + login_request_body_size + 1;
// pidgin 2.4 _gen_login_key: sixteen 0x01 bytes ("any value works").
inline constexpr std::uint8_t pidgin_initial_key_byte = 0x01;

// Where the parts of a login request body go, so that the caller writes the
// key and then encrypts the block straight into the ciphertext slot.
struct login_request_slots {
    byte_span initial_key;  // login_key_size bytes
    byte_span ciphertext;   // login_ciphertext_size bytes
};
// Empty spans if body is shorter than login_request_body_size.
login_request_slots login_request_layout(byte_span body) noexcept;

// Copies the initial key into place; returns login_request_body_size (the
// size the body will have once the caller has filled the ciphertext slot), or
// 0 if body is too small.
std::size_t encode_login_request_key(std::span<const std::byte, login_key_size> initial_key, byte_span body) noexcept;

struct login_request {
    const_byte_span initial_key;  // 16 bytes
    const_byte_span ciphertext;   // 432 bytes: TEA(initial key, login block)
};
result<login_request> decode_login_request(const_byte_span in) noexcept;

// ---------------------------------------------------------------- login replies

enum class login_reply_kind : std::uint8_t {
    ok = 0x00,              // encrypted with the password key
    redirect = 0x01,        // encrypted with the initial key
    wrong_password = 0x05,  // encrypted with the initial key
};

// pidgin 2.4 struct _qq_login_reply_ok, 139 bytes (QQ_LOGIN_REPLY_OK_PACKET_LEN)
// including the result byte. IPs are the big-endian value of their 4 bytes.
inline constexpr std::size_t login_ok_size = 139;
struct login_ok {
    std::array<std::byte, 16> session_key{};  // 001-016
    std::uint32_t uid = 0;                    // 017-020
    std::uint32_t client_ip = 0;              // 021-024 as the server saw it
    std::uint16_t client_port = 0;            // 025-026
    std::uint32_t server_ip = 0;              // 027-030
    std::uint16_t server_port = 0;            // 031-032
    std::uint32_t login_time = 0;             // 033-036 Unix time
    std::array<std::byte, 26> unknown1{};     // 037-062
    std::uint32_t unknown_server1_ip = 0;     // 063-066
    std::uint16_t unknown_server1_port = 0;   // 067-068
    std::uint32_t unknown_server2_ip = 0;     // 069-072
    std::uint16_t unknown_server2_port = 0;   // 073-074
    std::uint16_t unknown2 = 0x0001;          // 075-076 pidgin: "0x0001"
    std::uint16_t unknown3 = 0x0000;          // 077-078 pidgin: "0x0000"
    std::array<std::byte, 32> unknown4{};     // 079-110
    std::array<std::byte, 12> unknown5{};     // 111-122
    std::uint32_t last_client_ip = 0;         // 123-126 login IP of the last session
    std::uint32_t last_login_time = 0;        // 127-130
    std::array<std::byte, 8> unknown6{};      // 131-138
};

// pidgin 2.4 struct _qq_login_reply_redirect, 11 bytes (QQ_LOGIN_REPLY_REDIRECT_PACKET_LEN).
inline constexpr std::size_t login_redirect_size = 11;
struct login_redirect {
    std::uint32_t uid = 0;
    std::uint32_t new_server_ip = 0;
    std::uint16_t new_server_port = 0;
};

// A decoded login reply: kind says which member is meaningful.
struct login_reply {
    login_reply_kind kind = login_reply_kind::ok;
    login_ok ok;
    login_redirect redirect;
    const_byte_span message;  // wrong_password: server text (GBK), may be empty
};

std::size_t encode_login_ok(const login_ok& reply, byte_span out) noexcept;
std::size_t encode_login_redirect(const login_redirect& reply, byte_span out) noexcept;
std::size_t encode_login_wrong_password(const_byte_span message, byte_span out) noexcept;
// Encodes whichever member kind names.
std::size_t encode_login_reply(const login_reply& reply, byte_span out) noexcept;

// Unknown result codes (pidgin 2.7's 0x06 activation, 0x0A extended redirect)
// are refused with bad_value at offset 0; OK and redirect must have their exact size.
result<login_reply> decode_login_reply(const_byte_span in) noexcept;

}  // namespace qqgen::proto
