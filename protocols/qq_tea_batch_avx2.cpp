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

namespace {

// Up to four vectors of eight (32 lanes): a half-round is a chain of five
// dependent operations, so it takes four independent vectors to keep AVX2's
// pipes busy (bench_protocols, 64 x 700 B, every lane busy, best of 16 runs
// on Zen 4: one, two and four vectors 1.15, 1.70 and 2.05 GB/s, so a step
// costs 0.45, 0.6 and 1 of four's). The keys then live in memory operands;
// 16 registers hold the rest. Where a long message bounds the burst's steps
// (burst_shape), fewer vectors take as many steps for less.
template <class D>
void run_avx2(std::span<typename D::job> jobs) noexcept {
    const burst_shape b = burst_shape::of<D>(jobs);
    const std::size_t one = b.steps_on(8) * 45, two = b.steps_on(16) * 60, four = b.steps_on(32) * 100;
    if (four <= two && four <= one) {
        run_lanes<avx2_ops, 4, D>(jobs);
    } else if (two <= one) {
        run_lanes<avx2_ops, 2, D>(jobs);
    } else {
        run_lanes<avx2_ops, 1, D>(jobs);
    }
}

}  // namespace

void encrypt_avx2(std::span<tea_encrypt_job> jobs) noexcept {
    run_avx2<encrypt_direction>(jobs);
}
void decrypt_avx2(std::span<tea_decrypt_job> jobs) noexcept {
    run_avx2<decrypt_direction>(jobs);
}

}  // namespace qqgen::proto::tea_batch_detail

#endif
