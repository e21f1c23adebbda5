// MD5 through OpenSSL libcrypto, and the QQ password key derived from it.
//
// Called at login time on the dataplane's hot path (the password key, the
// per-login MD5(uid || session key)): no allocation, no lock, no failure
// (md5.cpp says why it uses libcrypto's MD5_* functions, not EVP). About
// 110 ns a digest of a short input.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "protocols/bytes.hpp"
#include "protocols/qq_tea.hpp"

namespace qqgen::proto {

using md5_digest = std::array<std::byte, 16>;

// MD5 of `data` (RFC 1321).
md5_digest md5(const_byte_span data) noexcept;

// MD5 of a ‖ b without building the concatenation (e.g. MD5(uid ‖ session key)
// in the 0x0016 send-IM body, qq-protocol.md "Instant message body").
md5_digest md5(const_byte_span a, const_byte_span b) noexcept;

// The password key: MD5(MD5(password)) (pidgin 2.4 libqq login_logout.c
// _gen_pwkey: "QQ 2003iii uses double MD5 for the pwkey"; qq-protocol.md
// "Keys"). The password bytes are hashed as given, like pidgin's strlen(pwd).
tea_key password_key(std::string_view password) noexcept;

}  // namespace qqgen::proto
