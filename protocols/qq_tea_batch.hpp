// Batched QQ-TEA: many independent messages encrypted or decrypted at once,
// one message per 32-bit SIMD lane (issue 6).
//
// QQ-TEA's chaining (qq-protocol.md "QQ-TEA"; pidgin 2.4 qq_crypt.c) makes
// every block of a message wait for the previous one, and a block is a chain
// of 32 dependent half-rounds: one message cannot use a modern core's width.
// Different messages (different sessions, different keys) are independent,
// so a burst of them runs side by side in vector lanes: AVX2 (4 vectors of 8
// lanes) or AVX-512 (2 of 16), several vectors so that independent chains
// hide the round latency. Lanes are refilled from the job list, longest job
// first, as their message ends, so messages of different lengths keep the
// lanes busy.
//
// Every job gives exactly the bytes and the result tea_encrypt / tea_decrypt
// (qq_tea.hpp) would give for it, on every instruction set; the scalar path
// is those functions. No allocation, no exceptions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "protocols/bytes.hpp"
#include "protocols/qq_tea.hpp"

namespace qqgen::proto {

// One message to encrypt: the arguments of tea_encrypt and its answer. The key
// is held by value (16 bytes) so that a job is one self-contained cache line.
struct tea_encrypt_job {
    tea_key key;
    const_byte_span plain;
    byte_span out;
    std::uint64_t pad_seed = 0;
    // Set by the batch: tea_encrypt(key, plain, out, pad_seed).
    std::size_t out_len = 0;
};

// One message to decrypt: the arguments of tea_decrypt and its answer.
struct tea_decrypt_job {
    tea_key key;
    const_byte_span cipher;
    byte_span out;
    // Set by the batch: tea_decrypt(key, cipher, out).
    result<std::size_t> plain_len;
};

// The instruction sets the batch can run on.
enum class tea_isa : std::uint8_t { scalar, avx2, avx512 };
inline constexpr std::array<tea_isa, 3> tea_isas{tea_isa::scalar, tea_isa::avx2, tea_isa::avx512};

constexpr std::string_view to_string(tea_isa isa) noexcept {
    switch (isa) {
        case tea_isa::scalar:
            return "scalar";
        case tea_isa::avx2:
            return "avx2";
        case tea_isa::avx512:
            return "avx512";
    }
    return "?";
}

// Whether this CPU (and OS) runs `isa`: scalar always; avx2 and avx512
// (AVX-512F) as __builtin_cpu_supports says, on x86-64 builds only.
bool tea_batch_supported(tea_isa isa) noexcept;

// What the dispatch picks: the widest supported instruction set.
tea_isa tea_batch_isa() noexcept;

// Encrypts (decrypts) every job as tea_encrypt (tea_decrypt) would and stores
// the answer in the job. Each job's buffers may overlap each other exactly as
// the scalar functions allow (encrypt: any overlap; decrypt: out.data() ==
// cipher.data()), but no job's out may overlap another job's memory: jobs run
// interleaved, not one after the other.
void tea_encrypt_batch(std::span<tea_encrypt_job> jobs) noexcept;
void tea_decrypt_batch(std::span<tea_decrypt_job> jobs) noexcept;

// The same on a chosen instruction set (tests and benchmarks compare them);
// an unsupported one runs the scalar path instead of faulting.
void tea_encrypt_batch(std::span<tea_encrypt_job> jobs, tea_isa isa) noexcept;
void tea_decrypt_batch(std::span<tea_decrypt_job> jobs, tea_isa isa) noexcept;

// The per-instruction-set implementations (qq_tea_batch_avx2.cpp,
// qq_tea_batch_avx512.cpp; x86-64 builds only). Not an API: they fault on a
// CPU without the instruction set; call the functions above.
namespace tea_batch_detail {
void encrypt_avx2(std::span<tea_encrypt_job> jobs) noexcept;
void decrypt_avx2(std::span<tea_decrypt_job> jobs) noexcept;
void encrypt_avx512(std::span<tea_encrypt_job> jobs) noexcept;
void decrypt_avx512(std::span<tea_decrypt_job> jobs) noexcept;
}  // namespace tea_batch_detail

}  // namespace qqgen::proto
