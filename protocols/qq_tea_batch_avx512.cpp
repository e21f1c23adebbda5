// The QQ-TEA batch on AVX-512F: 2 x 16 lanes (qq_tea_batch_lanes.hpp).
//
// Function-level target as in qq_tea_batch_avx2.cpp; qq_tea_batch.cpp calls
// in here only when __builtin_cpu_supports("avx512f"). Only the arithmetic is
// 512 bits wide: blocks are moved in and out as two AVX2 halves with the
// AVX2 path's (tested) load and store, and three-way XOR is one vpternlogd.
#if defined(__x86_64__)

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
// GCC 12's AVX-512 intrinsics fill unused operands from a self-initialised
// variable (_mm512_undefined_epi32: __m512i __Y = __Y), which its own
// -W(maybe-)uninitialized reports once inlined (GCC PR 105593, fixed in 13).
// The pragma must come before <immintrin.h>, where the warning points; the
// same lane code is still checked without it in qq_tea_batch_avx2.cpp.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

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
#pragma clang attribute push(__attribute__((target("avx2,avx512f"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,avx512f")
#endif

#include "protocols/qq_tea_batch_lanes.hpp"

namespace qqgen::proto {
namespace {

struct avx512_ops {
    using vec = __m512i;
    static constexpr std::size_t width = 16;

    static vec add(vec a, vec b) noexcept { return _mm512_add_epi32(a, b); }
    static vec sub(vec a, vec b) noexcept { return _mm512_sub_epi32(a, b); }
    static vec bxor(vec a, vec b) noexcept { return _mm512_xor_si512(a, b); }
    // 0x96 is the truth table of a ^ b ^ c.
    static vec xor3(vec a, vec b, vec c) noexcept { return _mm512_ternarylogic_epi32(a, b, c, 0x96); }
    template <int n>
    static vec shl(vec a) noexcept {
        return _mm512_slli_epi32(a, n);
    }
    template <int n>
    static vec shr(vec a) noexcept {
        return _mm512_srli_epi32(a, n);
    }
    static vec set1(std::uint32_t v) noexcept { return _mm512_set1_epi32(static_cast<int>(v)); }
    static vec zero() noexcept { return _mm512_setzero_si512(); }
    static vec load_words(const std::uint32_t* w) noexcept { return _mm512_loadu_si512(w); }

    static vec join(__m256i lo, __m256i hi) noexcept { return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1); }
    static void load_blocks(const std::uint64_t* at, vec& y, vec& z) noexcept {
        __m256i y0, z0, y1, z1;
        avx2_ops::load_blocks(at, y0, z0);
        avx2_ops::load_blocks(at + 8, y1, z1);
        y = join(y0, y1);
        z = join(z0, z1);
    }
    static void store_blocks(vec y, vec z, const std::uint64_t* at) noexcept {
        avx2_ops::store_blocks(_mm512_castsi512_si256(y), _mm512_castsi512_si256(z), at);
        avx2_ops::store_blocks(_mm512_extracti64x4_epi64(y, 1), _mm512_extracti64x4_epi64(z, 1), at + 8);
    }
    // Byte order inside each 32-bit word reversed with AVX-512F alone (the
    // byte shuffle needs AVX-512BW): bytes 3 and 1 come from the word rotated
    // right by 8, bytes 2 and 0 from it rotated left by 8 (0xCA: a ? b : c).
    static vec bswap32(vec v) noexcept {
        return _mm512_ternarylogic_epi32(_mm512_set1_epi32(static_cast<int>(0xFF00FF00u)), _mm512_ror_epi32(v, 8),
                                         _mm512_rol_epi32(v, 8), 0xCA);
    }

    // A tile (qq_tea_batch_lanes.hpp avx2_ops): 16 lanes' next 8 blocks as
    // 64-byte rows, transposed 16 x 16 words in four stages of 16 shuffles:
    // words within 128-bit lanes by unpacking pairs, then 128-bit lanes
    // across registers.
    static constexpr std::size_t tile_steps = 8;
    static void transpose(vec (&r)[16]) noexcept {
        vec a[16], b[16];
        for (std::size_t p = 0; p < 8; ++p) {
            a[2 * p] = _mm512_unpacklo_epi32(r[2 * p], r[2 * p + 1]);
            a[2 * p + 1] = _mm512_unpackhi_epi32(r[2 * p], r[2 * p + 1]);
        }
        // b[4q + m], 128-bit lane k: column 4k + m of rows 4q..4q+3.
        for (std::size_t q = 0; q < 4; ++q) {
            b[4 * q] = _mm512_unpacklo_epi64(a[4 * q], a[4 * q + 2]);
            b[4 * q + 1] = _mm512_unpackhi_epi64(a[4 * q], a[4 * q + 2]);
            b[4 * q + 2] = _mm512_unpacklo_epi64(a[4 * q + 1], a[4 * q + 3]);
            b[4 * q + 3] = _mm512_unpackhi_epi64(a[4 * q + 1], a[4 * q + 3]);
        }
        // Column 4k + m gathers lane k of b[m], b[4 + m], b[8 + m], b[12 + m].
        for (std::size_t m = 0; m < 4; ++m) {
            const vec even_lo = _mm512_shuffle_i32x4(b[m], b[4 + m], 0x88);  // lanes 0, 2 of each
            const vec odd_lo = _mm512_shuffle_i32x4(b[m], b[4 + m], 0xDD);   // lanes 1, 3
            const vec even_hi = _mm512_shuffle_i32x4(b[8 + m], b[12 + m], 0x88);
            const vec odd_hi = _mm512_shuffle_i32x4(b[8 + m], b[12 + m], 0xDD);
            r[m] = _mm512_shuffle_i32x4(even_lo, even_hi, 0x88);
            r[4 + m] = _mm512_shuffle_i32x4(odd_lo, odd_hi, 0x88);
            r[8 + m] = _mm512_shuffle_i32x4(even_lo, even_hi, 0xDD);
            r[12 + m] = _mm512_shuffle_i32x4(odd_lo, odd_hi, 0xDD);
        }
    }
    static void load_tile(const std::uint64_t* at, vec (&col)[16]) noexcept {
        for (std::size_t i = 0; i < 16; ++i)
            col[i] = bswap32(_mm512_loadu_si512(reinterpret_cast<const void*>(static_cast<std::uintptr_t>(at[i]))));
        transpose(col);
    }
    static void store_tile(vec (&col)[16], const std::uint64_t* at) noexcept {
        transpose(col);
        for (std::size_t i = 0; i < 16; ++i)
            _mm512_storeu_si512(reinterpret_cast<void*>(static_cast<std::uintptr_t>(at[i])), bswap32(col[i]));
    }

    static vec clear_lanes(vec v, std::uint64_t bits) noexcept {
        return _mm512_maskz_mov_epi32(static_cast<__mmask16>(~bits & 0xFFFF), v);
    }
};

}  // namespace
}  // namespace qqgen::proto

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

namespace qqgen::proto::tea_batch_detail {
namespace {

// Sixteen, 32 or 64 lanes, whichever runs the burst in the least time: its
// steps on that many lanes (burst_shape) times the cost of a step, measured
// with every lane busy (bench_protocols, 64 x 700 B, best of 16 runs each:
// one AVX-512 vector 1.69 GB/s, two 2.10, four 2.30, so a step costs 0.62, 1
// and 1.83 of two vectors'). A round is a chain of dependent operations: one
// vector leaves the pipes waiting, more chains fill them, but lanes without
// a message cost as much as busy ones. Where one long message bounds a burst
// (the chat phase's mix), AVX2's single vector of eight lanes is cheaper
// still: 0.46 of two AVX-512 vectors' step (its four vectors run as fast as
// two of these, and one costs 0.45 of four; qq_tea_batch_avx2.cpp). The chat
// phase's mix in bench_tea_batch: +22 to +34 %; in the dataplane, cycles a
// block -11 % (encrypt) and -13 %.
//
// Sixteen lanes run as two AVX2 vectors rather than one AVX-512 vector: the
// same step cost where every lane is busy (1.70 against 1.69 GB/s), but on
// the engine's bursts, whose lanes start, end or meet an edge nearly every
// step, fewer cycles a block (in the dataplane, rdtsc around each batch, all
// batches forced to one layout, two runs each: chat decrypt 23.1 / 23.2 ->
// 20.9 / 21.2, encrypt 22.0 / 22.2 -> 20.5 / 20.9; full sessions decrypt
// 20.9 / 20.8 -> 19.6 / 19.5, encrypt 19.0 / 19.1 -> 17.8 / 17.9).
template <class D>
void run_avx512(std::span<typename D::job> jobs) noexcept {
    const burst_shape b = burst_shape::of<D>(jobs);
    const std::size_t sixteen = b.steps_on(16) * 62, two = b.steps_on(32) * 100, four = b.steps_on(64) * 183;
    const std::size_t eight = b.steps_on(8) * 46;
    if (eight < sixteen && eight < two && eight < four) {
        run_lanes<avx2_ops, 1, D>(jobs);
    } else if (four < two && four < sixteen) {
        run_lanes<avx512_ops, 4, D>(jobs);
    } else if (sixteen < two) {
        run_lanes<avx2_ops, 2, D>(jobs);
    } else {
        run_lanes<avx512_ops, 2, D>(jobs);
    }
}

}  // namespace

void encrypt_avx512(std::span<tea_encrypt_job> jobs) noexcept {
    run_avx512<encrypt_direction>(jobs);
}
void decrypt_avx512(std::span<tea_decrypt_job> jobs) noexcept {
    run_avx512<decrypt_direction>(jobs);
}

}  // namespace qqgen::proto::tea_batch_detail

#endif
