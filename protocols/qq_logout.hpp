// QQ logout 0x0001 (plaintext body).
//
// pidgin 2.4 libqq login_logout.c qq_send_packet_logout: the body is the
// password key (16 bytes), encrypted by the caller with the session key; the
// packet is sent four times, each with sequence 0xFFFF, and gets no reply.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "protocols/bytes.hpp"

namespace qqgen::proto {

inline constexpr std::size_t logout_body_size = 16;
inline constexpr int logout_repeat_count = 4;             // pidgin: for (i = 0; i < 4; i++)
inline constexpr std::uint16_t logout_sequence = 0xFFFF;  // pidgin: qq_send_cmd(.., 0xffff, ..)

struct logout_body {
    std::array<std::byte, logout_body_size> password_key{};  // MD5(MD5(password))
};

std::size_t encode_logout(const logout_body& body, byte_span out) noexcept;
result<logout_body> decode_logout(const_byte_span in) noexcept;

}  // namespace qqgen::proto
