// MD5 through OpenSSL libcrypto, and the QQ password key derived from it.
//
// Set-up time only (key derivation when a session is created, per-session
// constants such as MD5(uid || session key)): every call goes through the EVP
// layer, which is far too slow for the per-packet path.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "protocols/bytes.hpp"
#include "protocols/qq_tea.hpp"

namespace qqgen::proto {

using md5_digest = std::array<std::byte, 16>;

// MD5 of `data` (RFC 1321). Throws std::runtime_error, with a message naming
// the OpenSSL provider problem, if libcrypto refuses MD5 (a FIPS-only
// configuration, for instance).
md5_digest md5(const_byte_span data);

// MD5 of a ‖ b without building the concatenation (e.g. MD5(uid ‖ session key)
// in the 0x0016 send-IM body, qq-protocol.md "Instant message body").
md5_digest md5(const_byte_span a, const_byte_span b);

// The password key: MD5(MD5(password)) (pidgin 2.4 libqq login_logout.c
// _gen_pwkey: "QQ 2003iii uses double MD5 for the pwkey"; qq-protocol.md
// "Keys"). The password bytes are hashed as given, like pidgin's strlen(pwd).
tea_key password_key(std::string_view password);

}  // namespace qqgen::proto
