// QQ-TEA: the 16-round TEA block cipher in QQ's own chaining mode with
// random header padding (qq-protocol.md "QQ-TEA").
//
// Sources: pidgin 2.4/2.7 libqq qq_crypt.c (qq_encipher, qq_encrypt,
// qq_decipher, qq_decrypt), itself "converted from ASM code provided by
// PerlOICQ"; the known-answer vector in testdata/qq_tea_kat.txt.
//
// Everything here is hot-path code: no allocation, no exceptions. The block
// functions are inline and constexpr so that a later SIMD batch version can be
// checked against them lane by lane.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "protocols/bytes.hpp"

namespace qqgen::proto {

// A 128-bit QQ-TEA key as it travels on the wire (four big-endian words).
struct tea_key {
    std::array<std::byte, 16> bytes{};

    friend constexpr bool operator==(const tea_key&, const tea_key&) = default;
};

// The first 16 bytes of `raw` as a key (e.g. the session key at bytes 1..16
// of a login-OK reply, pidgin 2.4 qq_process_login_ok); refused as truncated
// when fewer than 16 bytes are present.
constexpr result<tea_key> tea_key_from_bytes(const_byte_span raw) noexcept {
    if (raw.size() < 16) return result<tea_key>::fail(decode_error::truncated, raw.size());
    result<tea_key> r;
    for (std::size_t i = 0; i < 16; ++i) r.value.bytes[i] = raw[i];
    return r;
}

// A key of sixteen equal bytes: pidgin 2.4's initial login key is sixteen
// 0x01 bytes (qq-protocol.md "Keys").
constexpr tea_key tea_key_filled(std::byte b) noexcept {
    tea_key k;
    k.bytes.fill(b);
    return k;
}

// The key as the four 32-bit words the rounds use (big-endian on the wire,
// pidgin qq_encipher: g_ntohl(k[i])).
struct tea_key_words {
    std::uint32_t k0, k1, k2, k3;
};

constexpr tea_key_words tea_words(const tea_key& key) noexcept {
    auto w = [&](std::size_t i) {
        return (std::to_integer<std::uint32_t>(key.bytes[i]) << 24) |
               (std::to_integer<std::uint32_t>(key.bytes[i + 1]) << 16) |
               (std::to_integer<std::uint32_t>(key.bytes[i + 2]) << 8) | std::to_integer<std::uint32_t>(key.bytes[i + 3]);
    };
    return {w(0), w(4), w(8), w(12)};
}

// One 64-bit block as two big-endian words (y = bytes 0..3, z = bytes 4..7).
struct tea_block {
    std::uint32_t y, z;

    friend constexpr bool operator==(const tea_block&, const tea_block&) = default;
};

inline constexpr std::uint32_t tea_delta = 0x9E3779B9u;
// QQ uses 16 rounds, not TEA's 32 (pidgin qq_crypt.c: "QQ uses 16 rounds").
inline constexpr int tea_rounds = 16;

constexpr tea_block encrypt_block(tea_block v, const tea_key_words& k) noexcept {
    std::uint32_t y = v.y, z = v.z, sum = 0;
    for (int i = 0; i < tea_rounds; ++i) {
        sum += tea_delta;
        y += ((z << 4) + k.k0) ^ (z + sum) ^ ((z >> 5) + k.k1);
        z += ((y << 4) + k.k2) ^ (y + sum) ^ ((y >> 5) + k.k3);
    }
    return {y, z};
}

constexpr tea_block decrypt_block(tea_block v, const tea_key_words& k) noexcept {
    // Starts at delta * 16 mod 2^32 = 0xE3779B90 (pidgin qq_decipher).
    std::uint32_t y = v.y, z = v.z, sum = tea_delta * static_cast<std::uint32_t>(tea_rounds);
    for (int i = 0; i < tea_rounds; ++i) {
        z -= ((y << 4) + k.k2) ^ (y + sum) ^ ((y >> 5) + k.k3);
        y -= ((z << 4) + k.k0) ^ (z + sum) ^ ((z >> 5) + k.k1);
        sum -= tea_delta;
    }
    return {y, z};
}

// Padding for n plaintext bytes: pad = (n+10) mod 8, then 8 - pad if non-zero
// (pidgin qq_encrypt). The padded buffer is
//   [(random & 0xF8) | pad] [pad random] [2 random] [plaintext] [7 zeros].
constexpr std::size_t tea_pad(std::size_t plain_len) noexcept {
    const std::size_t r = (plain_len + 10) % 8;
    return r ? 8 - r : 0;
}
// Where the plaintext starts inside the ciphertext (1 + pad + 2): the offset
// at which a caller places the plaintext to encrypt in place.
constexpr std::size_t tea_plain_offset(std::size_t plain_len) noexcept { return tea_pad(plain_len) + 3; }
// Ciphertext size: n + pad + 10, a multiple of 8, at least 16.
constexpr std::size_t tea_cipher_size(std::size_t plain_len) noexcept { return plain_len + tea_pad(plain_len) + 10; }
inline constexpr std::size_t tea_min_cipher_size = 16;

// The 10 bytes of random filler an encryption uses: filler[0]'s top five bits
// go into byte 0 (its low three bits carry pad), filler[1..pad+2] follow it.
using tea_filler = std::array<std::byte, 10>;

// The filler tea_encrypt derives from pad_seed (a pure function of the seed).
tea_filler tea_filler_from_seed(std::uint64_t pad_seed) noexcept;

// Encrypts `plain` into `out` and returns the ciphertext size
// (tea_cipher_size(plain.size())), or 0 if `out` is too small (nothing is
// written then). The filler bytes come from pad_seed, so the same seed, key
// and plaintext give the same ciphertext.
//
// plain and out may overlap in any way. In particular, the dataplane can
// write the plaintext straight into the frame at
// out.data() + tea_plain_offset(plain.size()) and encrypt there: in that case
// no copy is made at all (see tea_encrypt_in_place).
std::size_t tea_encrypt(const tea_key& key, const_byte_span plain, byte_span out, std::uint64_t pad_seed) noexcept;

// tea_encrypt with explicit filler bytes (for known-answer tests and for
// reproducing a capture byte for byte).
std::size_t tea_encrypt_with_filler(const tea_key& key, const_byte_span plain, byte_span out,
                                    const tea_filler& filler) noexcept;

// In-place form: the plaintext of plain_len bytes already sits at
// buf[tea_plain_offset(plain_len)...]; on return buf[0, result) holds the
// ciphertext. Returns 0 (buf untouched) if buf is shorter than
// tea_cipher_size(plain_len).
std::size_t tea_encrypt_in_place(const tea_key& key, byte_span buf, std::size_t plain_len,
                                 std::uint64_t pad_seed) noexcept;

// Decrypts `cipher` into `out` and returns the plaintext length.
// Refuses with
//   bad_padding (offset 0)          size not a multiple of 8 or < 16, or the
//                                   pad byte leaves no room for a plaintext;
//   too_long    (offset 0)          out smaller than the plaintext;
//   bad_padding (offset size - 7)   the last 7 padded bytes are not zero
//                                   (wrong key or corrupted ciphertext).
// On a refusal the contents of out are unspecified.
//
// out may be exactly the ciphertext's memory (out.data() == cipher.data()):
// the plaintext then lands at the front of the ciphertext, with no extra
// buffer (each block is read before any byte at or after it is written).
// Other overlaps are not allowed.
result<std::size_t> tea_decrypt(const tea_key& key, const_byte_span cipher, byte_span out) noexcept;

}  // namespace qqgen::proto
