// QQ-TEA: known-answer vector, an independent reference of the chaining,
// round trips of every length, in-place operation and every refusal.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocols/counter_rng.hpp"
#include "protocols/md5.hpp"
#include "protocols/qq_tea.hpp"

using namespace qqgen::proto;

namespace {

std::vector<std::byte> from_hex(const std::string& hex) {
    if (hex.size() % 2 != 0) throw std::runtime_error("odd hex length");
    auto nib = [](char c) -> unsigned {
        if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
        if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
        if (c >= 'A' && c <= 'F') return static_cast<unsigned>(c - 'A' + 10);
        throw std::runtime_error(std::string("bad hex digit ") + c);
    };
    std::vector<std::byte> out;
    for (std::size_t i = 0; i < hex.size(); i += 2) out.push_back(std::byte((nib(hex[i]) << 4) | nib(hex[i + 1])));
    return out;
}

// "name: value" lines of testdata/qq_tea_kat.txt ('#' starts a comment).
std::map<std::string, std::string> read_kat() {
    const std::string path = std::string(QQGEN_SHARED_TESTDATA) + "/qq_tea_kat.txt";
    std::ifstream f(path);
    if (!f) throw std::runtime_error("cannot open " + path);
    std::map<std::string, std::string> kv;
    std::string line;
    while (std::getline(f, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        value.erase(value.find_last_not_of(" \t\r") + 1);
        kv[line.substr(0, colon)] = value;
    }
    return kv;
}

std::vector<std::byte> random_bytes(counter_rng& rng, std::size_t n) {
    std::vector<std::byte> v(n);
    rng.fill(v);
    return v;
}

tea_key random_key(counter_rng& rng) {
    tea_key k;
    rng.fill(k.bytes);
    return k;
}

tea_block block_at(const std::vector<std::byte>& v, std::size_t off) {
    return {load_be32(v.data() + off), load_be32(v.data() + off + 4)};
}

// The chaining written straight from qq-protocol.md, on an already padded
// buffer: X(i) = P(i) ^ C(i-1), C(i) = E(X(i)) ^ X(i-1), X(-1) = C(-1) = 0.
std::vector<std::byte> reference_encrypt(const tea_key& key, const std::vector<std::byte>& padded) {
    const tea_key_words k = tea_words(key);
    std::vector<std::byte> out(padded.size());
    tea_block x_prev{0, 0}, c_prev{0, 0};
    for (std::size_t off = 0; off < padded.size(); off += 8) {
        const tea_block p = block_at(padded, off);
        const tea_block x{p.y ^ c_prev.y, p.z ^ c_prev.z};
        const tea_block e = encrypt_block(x, k);
        const tea_block c{e.y ^ x_prev.y, e.z ^ x_prev.z};
        store_be32(out.data() + off, c.y);
        store_be32(out.data() + off + 4, c.z);
        x_prev = x;
        c_prev = c;
    }
    return out;
}

// The padded buffer of qq-protocol.md for a given filler.
std::vector<std::byte> reference_pad(const std::vector<std::byte>& plain, const tea_filler& filler) {
    const std::size_t n = plain.size();
    std::size_t pad = (n + 10) % 8;
    if (pad != 0) pad = 8 - pad;
    std::vector<std::byte> v;
    v.push_back((filler[0] & std::byte{0xF8}) | std::byte(pad));
    for (std::size_t i = 0; i < pad + 2; ++i) v.push_back(filler[1 + i]);
    v.insert(v.end(), plain.begin(), plain.end());
    v.insert(v.end(), 7, std::byte{0});
    return v;
}

std::vector<std::byte> decrypt_ok(const tea_key& key, const std::vector<std::byte>& cipher) {
    std::vector<std::byte> out(cipher.size());
    const auto r = tea_decrypt(key, cipher, out);
    REQUIRE(r.ok());
    out.resize(r.value);
    return out;
}

}  // namespace

TEST_CASE("tea sizes follow n + pad + 10", "[qq_tea]") {
    STATIC_REQUIRE(tea_cipher_size(0) == 16);
    STATIC_REQUIRE(tea_cipher_size(1) == 16);
    STATIC_REQUIRE(tea_cipher_size(6) == 16);
    STATIC_REQUIRE(tea_cipher_size(7) == 24);
    STATIC_REQUIRE(tea_cipher_size(14) == 24);
    STATIC_REQUIRE(tea_cipher_size(15) == 32);
    STATIC_REQUIRE(tea_plain_offset(6) == 3);
    STATIC_REQUIRE(tea_plain_offset(7) == 10);
    for (std::size_t n = 0; n < 200; ++n) {
        const std::size_t c = tea_cipher_size(n);
        CHECK(c % 8 == 0);
        CHECK(c >= 16);
        CHECK(c - n >= 10);
        CHECK(c - n <= 17);  // pidgin: "length of crypted buffer must be plain_len + 17"
        CHECK(tea_plain_offset(n) == c - n - 7);
    }
}

TEST_CASE("tea block functions invert each other", "[qq_tea]") {
    counter_rng rng(1, 1);
    for (int i = 0; i < 1000; ++i) {
        const tea_key_words k = tea_words(random_key(rng));
        const std::uint64_t v = rng.next();
        const tea_block b{static_cast<std::uint32_t>(v >> 32), static_cast<std::uint32_t>(v)};
        const tea_block e = encrypt_block(b, k);
        CHECK(e != b);
        CHECK(decrypt_block(e, k) == b);
    }
    // constexpr: usable as a compile-time reference for a SIMD version.
    constexpr tea_key_words zero{0, 0, 0, 0};
    STATIC_REQUIRE(decrypt_block(encrypt_block({1, 2}, zero), zero) == tea_block{1, 2});
}

TEST_CASE("tea known-answer vector: a real login-OK reply", "[qq_tea]") {
    const auto kv = read_kat();
    REQUIRE(kv.count("password") == 1);
    const auto key_bytes = from_hex(kv.at("key"));
    const auto cipher = from_hex(kv.at("ciphertext"));
    const auto plain = from_hex(kv.at("plaintext"));
    REQUIRE(key_bytes.size() == 16);

    const auto key = tea_key_from_bytes(key_bytes);
    REQUIRE(key.ok());
    CHECK(password_key(kv.at("password")) == key.value);  // key = MD5(MD5("python"))

    SECTION("decrypts exactly") {
        CHECK(decrypt_ok(key.value, cipher) == plain);
        CHECK(plain[0] == std::byte{0x00});  // login reply result: OK
    }
    SECTION("decrypts in place") {
        std::vector<std::byte> buf = cipher;
        const auto r = tea_decrypt(key.value, buf, buf);
        REQUIRE(r.ok());
        CHECK(std::vector<std::byte>(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(r.value)) == plain);
    }
    SECTION("re-encrypts byte for byte with the capture's filler") {
        // Recover the padded header with the block functions: P0 = D(C0),
        // P1 = D(C1 ^ X0) ^ C0 (the header spans at most 10 bytes).
        const tea_key_words k = tea_words(key.value);
        const tea_block c0 = block_at(cipher, 0), c1 = block_at(cipher, 8);
        const tea_block x0 = decrypt_block(c0, k);
        const tea_block x1 = decrypt_block({c1.y ^ x0.y, c1.z ^ x0.z}, k);
        std::vector<std::byte> head(16);
        store_be32(head.data(), x0.y);
        store_be32(head.data() + 4, x0.z);
        store_be32(head.data() + 8, x1.y ^ c0.y);
        store_be32(head.data() + 12, x1.z ^ c0.z);
        const std::size_t pad = std::to_integer<std::size_t>(head[0]) & 7;
        CHECK(pad == tea_pad(plain.size()));
        tea_filler filler{};
        filler[0] = head[0];
        for (std::size_t i = 0; i < pad + 2; ++i) filler[1 + i] = head[1 + i];

        std::vector<std::byte> out(cipher.size());
        REQUIRE(tea_encrypt_with_filler(key.value, plain, out, filler) == cipher.size());
        CHECK(out == cipher);
    }
}

TEST_CASE("tea_encrypt matches the reference chaining and padding", "[qq_tea]") {
    counter_rng rng(2, 2);
    for (std::size_t n = 0; n < 64; ++n) {
        const tea_key key = random_key(rng);
        const auto plain = random_bytes(rng, n);
        const std::uint64_t seed = rng.next();
        const auto expected = reference_encrypt(key, reference_pad(plain, tea_filler_from_seed(seed)));
        std::vector<std::byte> out(tea_cipher_size(n));
        REQUIRE(tea_encrypt(key, plain, out, seed) == out.size());
        CHECK(out == expected);
    }
}

TEST_CASE("tea round trips every length 0..300 and strided to 4096", "[qq_tea]") {
    counter_rng rng(3, 3);
    std::vector<std::size_t> lengths;
    for (std::size_t n = 0; n <= 300; ++n) lengths.push_back(n);
    for (std::size_t n = 301; n < 4096; n += 53) lengths.push_back(n);
    lengths.push_back(4095);
    lengths.push_back(4096);

    for (const std::size_t n : lengths) {
        INFO("plaintext length " << n);
        const tea_key key = random_key(rng);
        const auto plain = random_bytes(rng, n);
        const std::uint64_t seed = rng.next();

        std::vector<std::byte> cipher(tea_cipher_size(n));
        REQUIRE(tea_encrypt(key, plain, cipher, seed) == cipher.size());
        CHECK(decrypt_ok(key, cipher) == plain);

        // Deterministic in the seed.
        std::vector<std::byte> again(cipher.size());
        REQUIRE(tea_encrypt(key, plain, again, seed) == again.size());
        CHECK(again == cipher);

        // In place: plaintext already at the plain offset inside the buffer.
        std::vector<std::byte> frame(cipher.size() + 5, std::byte{0xEE});
        if (n != 0) std::memcpy(frame.data() + tea_plain_offset(n), plain.data(), n);
        REQUIRE(tea_encrypt_in_place(key, frame, n, seed) == cipher.size());
        CHECK(std::equal(cipher.begin(), cipher.end(), frame.begin()));
        CHECK(frame.back() == std::byte{0xEE});  // nothing written past the ciphertext

        // Overlap the other way: out starts at the plaintext's first byte.
        std::vector<std::byte> ov(cipher.size());
        if (n != 0) std::memcpy(ov.data(), plain.data(), n);
        REQUIRE(tea_encrypt(key, const_byte_span{ov.data(), n}, ov, seed) == cipher.size());
        CHECK(ov == cipher);

        // Decrypt in place, and into an output of exactly n bytes.
        std::vector<std::byte> inplace = cipher;
        const auto r = tea_decrypt(key, inplace, inplace);
        REQUIRE(r.ok());
        CHECK(r.value == n);
        CHECK(std::equal(plain.begin(), plain.end(), inplace.begin()));
        std::vector<std::byte> exact(n);
        const auto r2 = tea_decrypt(key, cipher, exact);
        REQUIRE(r2.ok());
        CHECK(exact == plain);
    }
}

TEST_CASE("tea filler: pad in byte 0, seed changes the ciphertext", "[qq_tea]") {
    counter_rng rng(4, 4);
    const tea_key key = random_key(rng);
    const auto plain = random_bytes(rng, 33);
    std::vector<std::byte> a(tea_cipher_size(33)), b(a.size());
    REQUIRE(tea_encrypt(key, plain, a, 1) == a.size());
    REQUIRE(tea_encrypt(key, plain, b, 2) == b.size());
    CHECK(a != b);
    // First padded byte carries pad in its low three bits.
    const tea_block x0 = decrypt_block(block_at(a, 0), tea_words(key));
    CHECK((x0.y >> 24 & 7) == tea_pad(33));
}

TEST_CASE("tea_encrypt refuses a short output and writes nothing", "[qq_tea]") {
    counter_rng rng(5, 5);
    const tea_key key = random_key(rng);
    for (std::size_t n : {0u, 1u, 7u, 100u}) {
        const auto plain = random_bytes(rng, n);
        std::vector<std::byte> out(tea_cipher_size(n) - 1, std::byte{0x5A});
        CHECK(tea_encrypt(key, plain, out, 9) == 0);
        CHECK(std::all_of(out.begin(), out.end(), [](std::byte b) { return b == std::byte{0x5A}; }));
        CHECK(tea_encrypt_in_place(key, out, n, 9) == 0);
        CHECK(std::all_of(out.begin(), out.end(), [](std::byte b) { return b == std::byte{0x5A}; }));
    }
}

TEST_CASE("tea_decrypt refuses bad sizes", "[qq_tea]") {
    const tea_key key = tea_key_filled(std::byte{1});
    std::vector<std::byte> out(64);
    for (std::size_t len : {0u, 1u, 7u, 8u, 15u, 17u, 20u, 23u, 31u}) {
        std::vector<std::byte> c(len, std::byte{0x11});
        const auto r = tea_decrypt(key, c, out);
        CHECK_FALSE(r.ok());
        CHECK(r.why.code == decode_error::bad_padding);
        CHECK(r.why.offset == 0);
    }
}

TEST_CASE("tea_decrypt refuses a 16-byte ciphertext whose pad leaves no plaintext", "[qq_tea]") {
    // Padded: 0x07, 7 filler + 2 filler would need 17 bytes before the zero
    // tail; in 16 bytes that gives n = -1.
    const tea_key key = tea_key_filled(std::byte{1});
    std::vector<std::byte> padded(16, std::byte{0});
    padded[0] = std::byte{0x07};
    const auto cipher = reference_encrypt(key, padded);
    std::vector<std::byte> out(16);
    const auto r = tea_decrypt(key, cipher, out);
    CHECK(r.why.code == decode_error::bad_padding);
    CHECK(r.why.offset == 0);
    // The same layout with pad 6 is the valid empty plaintext.
    padded[0] = std::byte{0x06};
    const auto r2 = tea_decrypt(key, reference_encrypt(key, padded), out);
    REQUIRE(r2.ok());
    CHECK(r2.value == 0);
}

TEST_CASE("tea_decrypt refuses an output smaller than the plaintext", "[qq_tea]") {
    counter_rng rng(6, 6);
    const tea_key key = random_key(rng);
    const auto plain = random_bytes(rng, 40);
    std::vector<std::byte> cipher(tea_cipher_size(40));
    REQUIRE(tea_encrypt(key, plain, cipher, 3) != 0);
    std::vector<std::byte> out(39);
    const auto r = tea_decrypt(key, cipher, out);
    CHECK(r.why.code == decode_error::too_long);
}

TEST_CASE("tea_decrypt refuses non-zero tail bytes", "[qq_tea]") {
    // A padded buffer whose last 7 bytes are not all zero, encrypted by the
    // reference: each of the 7 positions must be caught.
    const tea_key key = tea_key_filled(std::byte{0x42});
    for (std::size_t pos = 1; pos < 8; ++pos) {
        std::vector<std::byte> padded(24, std::byte{0});
        padded[0] = std::byte{0x03};  // pad 3: n = 24 - 13 = 11
        padded[16 + pos] = std::byte{0x80};
        std::vector<std::byte> out(24);
        const auto r = tea_decrypt(key, reference_encrypt(key, padded), out);
        CHECK(r.why.code == decode_error::bad_padding);
        CHECK(r.why.offset == 24 - 7);
    }
}

TEST_CASE("tea_decrypt: tampered ciphertext is refused or decrypts differently", "[qq_tea]") {
    counter_rng rng(7, 7);
    const tea_key key = random_key(rng);
    const auto plain = random_bytes(rng, 50);
    std::vector<std::byte> cipher(tea_cipher_size(50));
    REQUIRE(tea_encrypt(key, plain, cipher, 5) != 0);
    int refused = 0;
    for (std::size_t i = 0; i < cipher.size(); ++i) {
        for (int bit = 0; bit < 8; bit += 3) {
            auto bad = cipher;
            bad[i] ^= std::byte(1u << bit);
            std::vector<std::byte> out(bad.size());
            const auto r = tea_decrypt(key, bad, out);
            if (!r.ok()) {
                ++refused;
                continue;
            }
            out.resize(r.value);
            CHECK(out != plain);
        }
    }
    // Every block feeds the last one through the chaining, so nearly all are refused.
    CHECK(refused >= static_cast<int>(cipher.size() * 3) - 2);
}

TEST_CASE("tea_decrypt with a wrong key is refused", "[qq_tea]") {
    counter_rng rng(8, 8);
    const tea_key key = random_key(rng);
    const auto plain = random_bytes(rng, 100);
    std::vector<std::byte> cipher(tea_cipher_size(100));
    REQUIRE(tea_encrypt(key, plain, cipher, 11) != 0);
    std::vector<std::byte> out(cipher.size());
    for (int i = 0; i < 2000; ++i) {
        tea_key wrong = key;
        wrong.bytes[static_cast<std::size_t>(i) % 16] ^= std::byte(1 + rng.below(255));
        const auto r = tea_decrypt(wrong, cipher, out);
        CHECK(r.why.code == decode_error::bad_padding);
    }
}

TEST_CASE("tea keys from bytes", "[qq_tea]") {
    std::array<std::byte, 20> raw{};
    for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = std::byte(i);
    const auto k = tea_key_from_bytes(raw);
    REQUIRE(k.ok());
    CHECK(k.value.bytes[15] == std::byte{15});
    const auto short_key = tea_key_from_bytes(const_byte_span{raw}.first(15));
    CHECK(short_key.why.code == decode_error::truncated);
    CHECK(short_key.why.offset == 15);
    const tea_key ones = tea_key_filled(std::byte{1});
    CHECK(tea_words(ones).k0 == 0x01010101u);
    CHECK(tea_words(k.value).k3 == 0x0C0D0E0Fu);
}
