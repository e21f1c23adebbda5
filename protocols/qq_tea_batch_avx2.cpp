// The QQ-TEA batch on AVX2: 4 x 8 lanes (qq_tea_batch_lanes.hpp).
//
// Compiled with a function-level target, not -mavx2, so that the project
// builds and runs on any x86-64; qq_tea_batch.cpp calls in here only when
// __builtin_cpu_supports("avx2"). Every header is included before the target
// region: an inline function first defined inside it would be AVX2 code that
// the linker could pick for baseline callers too.
#if defined(__x86_64__)

#include <immintrin.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>

#include "protocols/qq_tea.hpp"
#include "protocols/qq_tea_batch.hpp"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2")
#endif

#include "protocols/qq_tea_batch_lanes.hpp"

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

namespace qqgen::proto::tea_batch_detail {

// Four vectors of eight (32 lanes): a half-round is a chain of five dependent
// operations, so it takes four independent vectors to keep AVX2's pipes busy
// (measured on Zen 3: 1, 2, 3, 4 vectors give 1.0, 1.7, 2.2, 2.4 GB/s of bare
// rounds). The keys then live in memory operands; 16 registers hold the rest.
void encrypt_avx2(std::span<tea_encrypt_job> jobs) noexcept {
    run_lanes<avx2_ops, 4, encrypt_direction>(jobs);
}
void decrypt_avx2(std::span<tea_decrypt_job> jobs) noexcept {
    run_lanes<avx2_ops, 4, decrypt_direction>(jobs);
}

}  // namespace qqgen::proto::tea_batch_detail

#endif
