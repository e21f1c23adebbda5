// Fuzzes tea_decrypt with arbitrary key and ciphertext, and checks that
// whatever decrypts re-encrypts and decrypts to the same plaintext, that
// in-place and copying decryption agree, and that arbitrary plaintexts round
// trip (copying and in place).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "protocols/qq_tea.hpp"

using namespace qqgen::proto;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto* in = reinterpret_cast<const std::byte*>(data);
    tea_key key{};
    const std::size_t klen = size < 16 ? size : 16;
    std::memcpy(key.bytes.data(), in, klen);
    const const_byte_span rest{in + klen, size - klen};
    std::uint64_t seed = 0;
    std::memcpy(&seed, key.bytes.data(), sizeof seed);

    // 1. Decrypt untrusted bytes: copying and in place must agree.
    std::vector<std::byte> plain(rest.size());
    const auto r = tea_decrypt(key, rest, plain);
    std::vector<std::byte> inplace(rest.begin(), rest.end());
    const auto ri = tea_decrypt(key, inplace, inplace);
    if (r.ok() != ri.ok() || r.why.code != ri.why.code || r.why.offset != ri.why.offset) __builtin_trap();
    if (r.ok()) {
        if (r.value > rest.size() || tea_cipher_size(r.value) != rest.size()) __builtin_trap();
        if (std::memcmp(plain.data(), inplace.data(), r.value) != 0) __builtin_trap();
        std::vector<std::byte> c(tea_cipher_size(r.value));
        if (tea_encrypt(key, const_byte_span{plain.data(), r.value}, c, seed) != c.size()) __builtin_trap();
        std::vector<std::byte> back(r.value);
        const auto rb = tea_decrypt(key, c, back);
        if (!rb.ok() || rb.value != r.value || std::memcmp(back.data(), plain.data(), r.value) != 0) __builtin_trap();
    }

    // 2. Encrypt the bytes as plaintext; decrypt must give them back.
    const std::size_t n = rest.size();
    std::vector<std::byte> cipher(tea_cipher_size(n));
    if (tea_encrypt(key, rest, cipher, seed) != cipher.size()) __builtin_trap();
    std::vector<std::byte> frame(cipher.size());
    if (n != 0) std::memcpy(frame.data() + tea_plain_offset(n), rest.data(), n);
    if (tea_encrypt_in_place(key, frame, n, seed) != cipher.size() || frame != cipher) __builtin_trap();
    std::vector<std::byte> round(n);
    const auto rr = tea_decrypt(key, cipher, round);
    if (!rr.ok() || rr.value != n || (n != 0 && std::memcmp(round.data(), rest.data(), n) != 0)) __builtin_trap();
    return 0;
}
