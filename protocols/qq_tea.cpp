#include "protocols/qq_tea.hpp"

#include <bit>
#include <cstring>

#include "protocols/counter_rng.hpp"

namespace qqgen::proto {
namespace {

// Whole-word big-endian access: one load plus a byte swap instead of the
// per-byte shifts of load_be32 (this is the inner loop of every encrypted
// packet).
inline std::uint32_t load_word(const std::byte* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap32(v);
    return v;
}
inline void store_word(std::byte* p, std::uint32_t v) noexcept {
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap32(v);
    std::memcpy(p, &v, 4);
}
inline tea_block load_block(const std::byte* p) noexcept { return {load_word(p), load_word(p + 4)}; }
inline void store_block(std::byte* p, tea_block b) noexcept {
    store_word(p, b.y);
    store_word(p + 4, b.z);
}
inline tea_block operator^(tea_block a, tea_block b) noexcept { return {a.y ^ b.y, a.z ^ b.z}; }

// Encrypts the padded buffer buf[0, len) in place, len a multiple of 8.
// QQ chaining (pidgin qq_crypt.c encrypt_out): with X(-1) = C(-1) = 0,
// X(i) = P(i) ^ C(i-1) and C(i) = E(X(i)) ^ X(i-1).
void encrypt_padded(const tea_key_words& k, std::byte* buf, std::size_t len) noexcept {
    tea_block x_prev{0, 0}, c_prev{0, 0};
    for (std::size_t off = 0; off < len; off += 8) {
        const tea_block x = load_block(buf + off) ^ c_prev;
        const tea_block c = encrypt_block(x, k) ^ x_prev;
        store_block(buf + off, c);
        x_prev = x;
        c_prev = c;
    }
}

// Lays out the padded plaintext in out (header, plaintext, 7 zeros) and
// encrypts it. out.size() >= tea_cipher_size(plain.size()) is checked by the
// callers. memmove first: plain may overlap out anywhere, and the header and
// zero tail are written only after the plaintext has reached its place.
std::size_t encrypt_into(const tea_key& key, const_byte_span plain, byte_span out,
                         const tea_filler& filler) noexcept {
    const std::size_t n = plain.size();
    const std::size_t pad = tea_pad(n);
    const std::size_t hdr = pad + 3;
    const std::size_t len = n + pad + 10;
    std::byte* const buf = out.data();
    if (n != 0 && plain.data() != buf + hdr) std::memmove(buf + hdr, plain.data(), n);
    // Byte 0: random high bits, pad in the low three (pidgin qq_encrypt:
    // (rand() & 0xf8) | padding); then pad + 2 random bytes.
    buf[0] = (filler[0] & std::byte{0xF8}) | std::byte(pad);
    std::memcpy(buf + 1, filler.data() + 1, pad + 2);
    std::memset(buf + hdr + n, 0, 7);
    encrypt_padded(tea_words(key), buf, len);
    return len;
}

}  // namespace

tea_filler tea_filler_from_seed(std::uint64_t pad_seed) noexcept {
    // Two independent 64-bit draws of the counter-based mixer (counter_rng.hpp)
    // cover the at most 10 filler bytes.
    const std::uint64_t a = mix64(pad_seed);
    const std::uint64_t b = mix64(a ^ 0x5445415F50414421ull);  // "TEA_PAD!": separates the second draw
    tea_filler f;
    for (std::size_t i = 0; i < 8; ++i) f[i] = std::byte(a >> (8 * i));
    f[8] = std::byte(b);
    f[9] = std::byte(b >> 8);
    return f;
}

std::size_t tea_encrypt_with_filler(const tea_key& key, const_byte_span plain, byte_span out,
                                    const tea_filler& filler) noexcept {
    if (plain.size() > out.size() || out.size() - plain.size() < tea_pad(plain.size()) + 10) return 0;
    return encrypt_into(key, plain, out, filler);
}

std::size_t tea_encrypt(const tea_key& key, const_byte_span plain, byte_span out, std::uint64_t pad_seed) noexcept {
    return tea_encrypt_with_filler(key, plain, out, tea_filler_from_seed(pad_seed));
}

std::size_t tea_encrypt_in_place(const tea_key& key, byte_span buf, std::size_t plain_len,
                                 std::uint64_t pad_seed) noexcept {
    if (plain_len > buf.size() || buf.size() - plain_len < tea_pad(plain_len) + 10) return 0;
    const const_byte_span plain{buf.data() + tea_plain_offset(plain_len), plain_len};
    return encrypt_into(key, plain, buf, tea_filler_from_seed(pad_seed));
}

result<std::size_t> tea_decrypt(const tea_key& key, const_byte_span cipher, byte_span out) noexcept {
    using r = result<std::size_t>;
    const std::size_t len = cipher.size();
    // pidgin qq_decrypt: "at least 16 bytes and %8 == 0".
    if (len % 8 != 0 || len < tea_min_cipher_size) return r::fail(decode_error::bad_padding, 0);

    const tea_key_words k = tea_words(key);
    const std::byte* const in = cipher.data();
    std::byte* const dst = out.data();

    // Decryption: X(i) = D(C(i) ^ X(i-1)), P(i) = X(i) ^ C(i-1).
    tea_block c = load_block(in);
    tea_block x = decrypt_block(c, k);  // X(-1) = 0, C(-1) = 0: P(0) = X(0)
    const std::size_t pad = (x.y >> 24) & 7;
    const std::size_t hdr = pad + 3;
    if (len < pad + 10) return r::fail(decode_error::bad_padding, 0);  // only 16 bytes with pad 7
    const std::size_t n = len - pad - 10;
    if (out.size() < n) return r::fail(decode_error::too_long, 0);

    // Block i holds padded bytes [8i, 8i+8); plaintext is padded [hdr, hdr+n),
    // written to out[pos - hdr]. Interior blocks are stored whole; only the
    // first blocks (header) and the last one (zero tail) are cut.
    const std::size_t end = hdr + n;
    tea_block p = x;
    tea_block c_prev{0, 0};
    for (std::size_t off = 0;;) {
        if (off >= hdr && off + 8 <= end) {
            store_block(dst + (off - hdr), p);
        } else {
            std::byte tmp[8];
            store_block(tmp, p);
            const std::size_t from = off < hdr ? hdr : off;
            const std::size_t to = off + 8 < end ? off + 8 : end;
            if (from < to) std::memcpy(dst + (from - hdr), tmp + (from - off), to - from);
        }
        off += 8;
        if (off == len) break;
        c_prev = c;
        c = load_block(in + off);  // read before the next store: in-place safe
        x = decrypt_block(c ^ x, k);
        p = x ^ c_prev;
    }
    // The last 7 padded bytes are bytes 1..7 of the last block (len is a
    // multiple of 8) and must be zero (pidgin qq_decrypt "check last 7 bytes").
    if ((p.y & 0x00FFFFFFu) != 0 || p.z != 0) return r::fail(decode_error::bad_padding, len - 7);
    r ok;
    ok.value = n;
    return ok;
}

}  // namespace qqgen::proto
