// Internal to the QQ-TEA batch: the lane scheduler and the QQ chaining,
// written once over a vector-ops class, and the AVX2 ops. Included only by
// qq_tea_batch_avx2.cpp and qq_tea_batch_avx512.cpp, inside their target
// region and after every header this one uses, so that everything here is
// compiled for that instruction set. Everything here has internal linkage: a
// function compiled for AVX2 or AVX-512 must never stand in, at link time, for
// a baseline copy of the same inline function (that would fault on an older
// CPU). Library templates it instantiates (std::sort) were defined before the
// region and so stay baseline code.
//
// A vector-ops class V provides: vec (W lanes of 32 bits), width (W), add,
// sub, bxor, xor3, shl<N>, shr<N>, set1, zero, load_words (W key words),
// load_blocks / store_blocks (the big-endian 8-byte blocks at W addresses <->
// the y and z words of each lane, in lane order), load_tile / store_tile (the
// next tile_steps blocks of W lanes, read or written as one row per lane and
// transposed into or out of a y and a z vector per block) and clear_lanes
// (zero the lanes whose bit is set).
#pragma once

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

namespace qqgen::proto {
namespace {

struct avx2_ops {
    using vec = __m256i;
    static constexpr std::size_t width = 8;

    static vec add(vec a, vec b) noexcept { return _mm256_add_epi32(a, b); }
    static vec sub(vec a, vec b) noexcept { return _mm256_sub_epi32(a, b); }
    static vec bxor(vec a, vec b) noexcept { return _mm256_xor_si256(a, b); }
    static vec xor3(vec a, vec b, vec c) noexcept { return bxor(bxor(a, b), c); }
    template <int n>
    static vec shl(vec a) noexcept {
        return _mm256_slli_epi32(a, n);
    }
    template <int n>
    static vec shr(vec a) noexcept {
        return _mm256_srli_epi32(a, n);
    }
    static vec set1(std::uint32_t v) noexcept { return _mm256_set1_epi32(static_cast<int>(v)); }
    static vec zero() noexcept { return _mm256_setzero_si256(); }
    static vec load_words(const std::uint32_t* w) noexcept {
        return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w));
    }

    // Byte order inside each 32-bit word reversed: QQ-TEA words are big-endian
    // on the wire (pidgin qq_encipher: g_ntohl).
    static vec bswap32(vec v) noexcept {
        const vec order = _mm256_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12,  //
                                           3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
        return _mm256_shuffle_epi8(v, order);
    }
    static long long load64(std::uint64_t at) noexcept {
        long long v;
        std::memcpy(&v, reinterpret_cast<const void*>(at), 8);
        return v;
    }
    static void store64(std::uint64_t at, long long v) noexcept { std::memcpy(reinterpret_cast<void*>(at), &v, 8); }

    // The block at address at[i] into lane i. shuffle_ps picks words 0 and 2
    // (y) or 1 and 3 (z) of a, then of b, in each 128-bit half: loading
    // blocks 0,1,4,5 into a and 2,3,6,7 into b leaves the lanes in order with
    // no lane-crossing move.
    static void load_blocks(const std::uint64_t* at, vec& y, vec& z) noexcept {
        const vec a = bswap32(_mm256_set_epi64x(load64(at[5]), load64(at[4]), load64(at[1]), load64(at[0])));
        const vec b = bswap32(_mm256_set_epi64x(load64(at[7]), load64(at[6]), load64(at[3]), load64(at[2])));
        y = _mm256_castps_si256(
            _mm256_shuffle_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b), _MM_SHUFFLE(2, 0, 2, 0)));
        z = _mm256_castps_si256(
            _mm256_shuffle_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b), _MM_SHUFFLE(3, 1, 3, 1)));
    }
    // Lane i as the big-endian block at address at[i]: the inverse of
    // load_blocks, one 8-byte store per lane straight from the register.
    static void store_blocks(vec y, vec z, const std::uint64_t* at) noexcept {
        const vec lo = bswap32(_mm256_unpacklo_epi32(y, z));  // blocks 0, 1 | 4, 5
        const vec hi = bswap32(_mm256_unpackhi_epi32(y, z));  // blocks 2, 3 | 6, 7
        const __m128i b01 = _mm256_castsi256_si128(lo), b45 = _mm256_extracti128_si256(lo, 1);
        const __m128i b23 = _mm256_castsi256_si128(hi), b67 = _mm256_extracti128_si256(hi, 1);
        store64(at[0], _mm_cvtsi128_si64(b01));
        store64(at[1], _mm_extract_epi64(b01, 1));
        store64(at[2], _mm_cvtsi128_si64(b23));
        store64(at[3], _mm_extract_epi64(b23, 1));
        store64(at[4], _mm_cvtsi128_si64(b45));
        store64(at[5], _mm_extract_epi64(b45, 1));
        store64(at[6], _mm_cvtsi128_si64(b67));
        store64(at[7], _mm_extract_epi64(b67, 1));
    }

    // A tile: the next tile_steps blocks of every lane, read as one 32-byte
    // row per lane and transposed, so that col[2s] and col[2s + 1] are the y
    // and z words of block s in lane order (8 x 8 words: three stages of
    // eight shuffles). store_tile is the inverse; a transpose is its own.
    static constexpr std::size_t tile_steps = 4;
    static void transpose(vec (&r)[8]) noexcept {
        vec a[8], b[8];
        for (std::size_t p = 0; p < 4; ++p) {
            a[2 * p] = _mm256_unpacklo_epi32(r[2 * p], r[2 * p + 1]);
            a[2 * p + 1] = _mm256_unpackhi_epi32(r[2 * p], r[2 * p + 1]);
        }
        for (std::size_t q = 0; q < 2; ++q) {
            b[4 * q] = _mm256_unpacklo_epi64(a[4 * q], a[4 * q + 2]);      // column 4k + 0, rows 4q..4q+3
            b[4 * q + 1] = _mm256_unpackhi_epi64(a[4 * q], a[4 * q + 2]);  // column 4k + 1
            b[4 * q + 2] = _mm256_unpacklo_epi64(a[4 * q + 1], a[4 * q + 3]);
            b[4 * q + 3] = _mm256_unpackhi_epi64(a[4 * q + 1], a[4 * q + 3]);
        }
        for (std::size_t m = 0; m < 4; ++m) {
            r[m] = _mm256_permute2x128_si256(b[m], b[4 + m], 0x20);
            r[4 + m] = _mm256_permute2x128_si256(b[m], b[4 + m], 0x31);
        }
    }
    static void load_tile(const std::uint64_t* at, vec (&col)[8]) noexcept {
        for (std::size_t i = 0; i < 8; ++i)
            col[i] = bswap32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(static_cast<std::uintptr_t>(at[i]))));
        transpose(col);
    }
    static void store_tile(vec (&col)[8], const std::uint64_t* at) noexcept {
        transpose(col);
        for (std::size_t i = 0; i < 8; ++i)
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(static_cast<std::uintptr_t>(at[i])), bswap32(col[i]));
    }

    static vec clear_lanes(vec v, std::uint64_t bits) noexcept {
        const vec bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
        const vec hit = _mm256_and_si256(_mm256_set1_epi32(static_cast<int>(bits & 0xFF)), bit);
        return _mm256_andnot_si256(_mm256_cmpeq_epi32(hit, bit), v);
    }
};

// U vectors of W lanes run side by side: each half-round is a chain of four
// (AVX-512) or five (AVX2) dependent operations, so one vector alone would
// leave most of the core's vector pipes idle; U independent chains fill them.
template <class V, std::size_t U>
struct lane_vectors {
    typename V::vec y[U], z[U];
};

template <class V, std::size_t U>
struct lane_keys {
    static constexpr std::size_t lanes = V::width * U;
    alignas(64) std::uint32_t words[4][lanes];
    typename V::vec k[4][U];

    void set(std::size_t lane, const tea_key& key) noexcept {
        const tea_key_words w = tea_words(key);
        words[0][lane] = w.k0;
        words[1][lane] = w.k1;
        words[2][lane] = w.k2;
        words[3][lane] = w.k3;
    }
    void reload() noexcept {
        for (std::size_t j = 0; j < 4; ++j)
            for (std::size_t u = 0; u < U; ++u) k[j][u] = V::load_words(&words[j][u * V::width]);
    }
};

// The 16 rounds of qq-protocol.md / pidgin qq_encipher, lane-wise.
template <class V, std::size_t U>
void encipher(lane_vectors<V, U>& v, const lane_keys<V, U>& key) noexcept {
    std::uint32_t sum = 0;
    for (int r = 0; r < tea_rounds; ++r) {
        sum += tea_delta;
        const typename V::vec s = V::set1(sum);
        for (std::size_t u = 0; u < U; ++u) {
            const typename V::vec z = v.z[u];
            v.y[u] = V::add(v.y[u], V::xor3(V::add(V::template shl<4>(z), key.k[0][u]), V::add(z, s),
                                            V::add(V::template shr<5>(z), key.k[1][u])));
        }
        for (std::size_t u = 0; u < U; ++u) {
            const typename V::vec y = v.y[u];
            v.z[u] = V::add(v.z[u], V::xor3(V::add(V::template shl<4>(y), key.k[2][u]), V::add(y, s),
                                            V::add(V::template shr<5>(y), key.k[3][u])));
        }
    }
}

// pidgin qq_decipher: the rounds backwards from sum = delta * 16.
template <class V, std::size_t U>
void decipher(lane_vectors<V, U>& v, const lane_keys<V, U>& key) noexcept {
    std::uint32_t sum = tea_delta * static_cast<std::uint32_t>(tea_rounds);
    for (int r = 0; r < tea_rounds; ++r) {
        const typename V::vec s = V::set1(sum);
        for (std::size_t u = 0; u < U; ++u) {
            const typename V::vec y = v.y[u];
            v.z[u] = V::sub(v.z[u], V::xor3(V::add(V::template shl<4>(y), key.k[2][u]), V::add(y, s),
                                            V::add(V::template shr<5>(y), key.k[3][u])));
        }
        for (std::size_t u = 0; u < U; ++u) {
            const typename V::vec z = v.z[u];
            v.y[u] = V::sub(v.y[u], V::xor3(V::add(V::template shl<4>(z), key.k[0][u]), V::add(z, s),
                                            V::add(V::template shr<5>(z), key.k[1][u])));
        }
        sum -= tea_delta;
    }
}

// The chaining state of every lane: X(i-1) and C(i-1), zero at a message's
// start (qq-protocol.md: X(-1) = C(-1) = 0).
template <class V, std::size_t U>
struct lane_chain {
    lane_vectors<V, U> x, c;

    void clear(std::uint64_t bits) noexcept {
        for (std::size_t u = 0; u < U; ++u) {
            const std::uint64_t b = bits >> (u * V::width);
            x.y[u] = V::clear_lanes(x.y[u], b);
            x.z[u] = V::clear_lanes(x.z[u], b);
            c.y[u] = V::clear_lanes(c.y[u], b);
            c.z[u] = V::clear_lanes(c.z[u], b);
        }
    }
};

// Every lane's place, as addresses in flat arrays (the compiler steps and
// compares them with vector instructions). Once the rounds are vectorised,
// the per-lane bookkeeping is what limits a batch, so the common case (a
// whole block in, a whole block out, the message not finished) costs no
// per-lane branch at all.
template <class V, std::size_t U, class Job>
struct lane_table {
    static constexpr std::size_t lanes = V::width * U;
    alignas(64) std::uint64_t pos[lanes];   // the block each lane reads next
    alignas(64) std::uint64_t cur[lanes];   // the block being worked on now
    alignas(64) std::uint64_t stop[lanes];  // just past its message; 0 when idle
    alignas(64) std::uint64_t step[lanes];  // 8; 0 when idle (it stays on its scratch slot)
    alignas(64) std::uint64_t dst[lanes];   // decrypt: where this block's plaintext goes
    alignas(64) std::uint64_t edge[lanes];  // decrypt: the next block that needs byte care
    std::size_t hdr[lanes];                 // decrypt: where the plaintext starts (pad + 3)
    Job* job[lanes];                        // the job of the block read next
    Job* job_now[lanes];                    // decrypt: the job of the block worked on now
    lane_keys<V, U> keys;
    // Idle lanes read and write here; decrypt's edge blocks land here first.
    // A tile reads and writes a whole row from each lane's slot: the last
    // slot's row runs up to tile_bytes - 8 past the slots.
    static constexpr std::size_t tile_bytes = V::tile_steps * 8;
    alignas(64) std::byte scratch[lanes * 8 + tile_bytes - 8];

    std::uint64_t scratch_at(std::size_t i) noexcept { return reinterpret_cast<std::uint64_t>(scratch + i * 8); }
    void idle(std::size_t i) noexcept {
        job[i] = nullptr;
        pos[i] = dst[i] = scratch_at(i);
        stop[i] = step[i] = edge[i] = 0;
    }
};

inline std::uint64_t addr(const void* p) noexcept {
    return reinterpret_cast<std::uint64_t>(p);
}

// Copies n <= 16 bytes as two fixed-size moves that overlap: a message's
// filler and its edge blocks' plaintext are 0 to 9 bytes each, and a
// variable-length memcpy is a library call that costs more than the copy
// (the engine's bursts are 64 messages of ~80 bytes: several per step).
// Both loads come before both stores, so src and dst may overlap.
template <class W>
void copy_two_moves(std::byte* dst, const std::byte* src, std::size_t n) noexcept {
    W head, tail;
    std::memcpy(&head, src, sizeof head);
    std::memcpy(&tail, src + n - sizeof tail, sizeof tail);
    std::memcpy(dst, &head, sizeof head);
    std::memcpy(dst + n - sizeof tail, &tail, sizeof tail);
}
inline void copy_short(std::byte* dst, const std::byte* src, std::size_t n) noexcept {
    if (n >= 8) {
        copy_two_moves<std::uint64_t>(dst, src, n);
    } else if (n >= 4) {
        copy_two_moves<std::uint32_t>(dst, src, n);
    } else if (n >= 2) {
        copy_two_moves<std::uint16_t>(dst, src, n);
    } else if (n == 1) {
        *dst = *src;
    }
}

// Encryption, as tea_encrypt: lay the padded plaintext out in job.out (the
// bytes of qq_tea.cpp encrypt_into), then encrypt it there block by block.
struct encrypt_direction {
    using job = tea_encrypt_job;
    static constexpr bool writes_elsewhere = false;  // each output block replaces its input

    static std::size_t blocks(const job& j) noexcept { return tea_cipher_size(j.plain.size()) / 8; }

    // Returns whether the job needs a lane (false: answered already).
    template <class T>
    static bool start(job& j, T& t, std::size_t i) noexcept {
        const std::size_t n = j.plain.size();
        const std::size_t pad = tea_pad(n);
        j.out_len = 0;
        if (n > j.out.size() || j.out.size() - n < pad + 10) return false;  // too small: nothing written
        const std::size_t hdr = pad + 3;
        std::byte* const buf = j.out.data();
        // memmove first: plain may overlap out anywhere (tea_encrypt's contract).
        if (n != 0 && j.plain.data() != buf + hdr) std::memmove(buf + hdr, j.plain.data(), n);
        // pidgin qq_encrypt: byte 0 = (rand() & 0xf8) | pad, then pad + 2 random bytes.
        const tea_filler filler = tea_filler_from_seed(j.pad_seed);
        buf[0] = (filler[0] & std::byte{0xF8}) | std::byte(pad);
        copy_short(buf + 1, filler.data() + 1, pad + 2);
        std::memset(buf + hdr + n, 0, 7);
        j.out_len = n + pad + 10;
        t.pos[i] = addr(buf);
        t.stop[i] = addr(buf + j.out_len);
        return true;
    }

    // X(i) = P(i) ^ C(i-1), C(i) = E(X(i)) ^ X(i-1); v holds P(i), then C(i).
    template <class V, std::size_t U>
    static void step(lane_vectors<V, U>& v, lane_chain<V, U>& ch, const lane_keys<V, U>& key) noexcept {
        for (std::size_t u = 0; u < U; ++u) {
            v.y[u] = V::bxor(v.y[u], ch.c.y[u]);
            v.z[u] = V::bxor(v.z[u], ch.c.z[u]);
        }
        const lane_vectors<V, U> x = v;
        encipher(v, key);
        for (std::size_t u = 0; u < U; ++u) {
            v.y[u] = V::bxor(v.y[u], ch.x.y[u]);
            v.z[u] = V::bxor(v.z[u], ch.x.z[u]);
        }
        ch.x = x;
        ch.c = v;
    }

    // Returns the lanes whose message was refused (never, here).
    template <class V, std::size_t U, class T>
    static std::uint64_t store(const lane_vectors<V, U>& v, T& t, std::uint64_t) noexcept {
        for (std::size_t u = 0; u < U; ++u) V::store_blocks(v.y[u], v.z[u], t.cur + u * V::width);
        return 0;
    }
};

// Decryption, as tea_decrypt, refusals included.
struct decrypt_direction {
    using job = tea_decrypt_job;
    using r = result<std::size_t>;
    static constexpr bool writes_elsewhere = true;  // output at dst

    static std::size_t blocks(const job& j) noexcept { return j.cipher.size() / 8; }

    template <class T>
    static bool start(job& j, T& t, std::size_t i) noexcept {
        j.plain_len = {};
        const std::size_t len = j.cipher.size();
        // pidgin qq_decrypt: "at least 16 bytes and %8 == 0".
        if (len % 8 != 0 || len < tea_min_cipher_size) {
            j.plain_len = r::fail(decode_error::bad_padding, 0);
            return false;
        }
        t.pos[i] = t.edge[i] = addr(j.cipher.data());  // block 0 (the header) needs care
        t.stop[i] = addr(j.cipher.data() + len);
        return true;
    }

    // X(i) = D(C(i) ^ X(i-1)), P(i) = X(i) ^ C(i-1); v holds C(i), then P(i).
    template <class V, std::size_t U>
    static void step(lane_vectors<V, U>& v, lane_chain<V, U>& ch, const lane_keys<V, U>& key) noexcept {
        const lane_vectors<V, U> c = v;
        for (std::size_t u = 0; u < U; ++u) {
            v.y[u] = V::bxor(v.y[u], ch.x.y[u]);
            v.z[u] = V::bxor(v.z[u], ch.x.z[u]);
        }
        decipher(v, key);
        ch.x = v;
        for (std::size_t u = 0; u < U; ++u) {
            v.y[u] = V::bxor(v.y[u], ch.c.y[u]);
            v.z[u] = V::bxor(v.z[u], ch.c.z[u]);
        }
        ch.c = c;
    }

    // Blocks wholly inside the plaintext go straight to out; edge blocks go
    // to the scratch slot and are finished byte by byte as tea_decrypt does.
    // Returns the lanes whose message was refused at its first block.
    template <class V, std::size_t U, class T>
    static std::uint64_t store(const lane_vectors<V, U>& v, T& t, std::uint64_t care) noexcept {
        for (std::uint64_t b = care; b != 0; b &= b - 1) {
            const std::size_t i = static_cast<std::size_t>(std::countr_zero(b));
            t.dst[i] = t.scratch_at(i);
        }
        for (std::size_t u = 0; u < U; ++u) V::store_blocks(v.y[u], v.z[u], t.dst + u * V::width);
        // A lane's edge is its header block or a later one (the last, or
        // block 1 where the header reaches into it). Which one follows the
        // burst's lengths, and no predictor learns it from one burst to the
        // next, so the kinds are told apart without a branch and each done
        // in a pass of its own, whose branches then mostly go one way
        // (bench_tea_batch's _distinct bursts).
        std::uint64_t heads = 0;
        for (std::uint64_t b = care; b != 0; b &= b - 1) {
            const std::size_t i = static_cast<std::size_t>(std::countr_zero(b));
            heads |= std::uint64_t{t.cur[i] == addr(t.job_now[i]->cipher.data())} << i;
        }
        std::uint64_t refused = 0;
        for (std::uint64_t b = heads; b != 0; b &= b - 1) {
            const std::size_t i = static_cast<std::size_t>(std::countr_zero(b));
            if (!header_block(t, i)) refused |= std::uint64_t{1} << i;
        }
        for (std::uint64_t b = care & ~heads; b != 0; b &= b - 1) {
            later_edge_block(t, static_cast<std::size_t>(std::countr_zero(b)));
        }
        return refused;
    }

    // The job of lane i's edge block, the block (in scratch) and the
    // message's length.
    struct edge {
        job& j;
        const std::byte* block;
        std::size_t len;
    };
    template <class T>
    static edge edge_at(T& t, std::size_t i) noexcept {
        job& j = *t.job_now[i];
        return {j, t.scratch + i * 8, j.cipher.size()};
    }

    // A message's block 0, now in scratch: check the header, place the
    // plaintext bytes it holds, and aim the lane's output at block 1.
    // Returns false when the header refuses the message.
    template <class T>
    static bool header_block(T& t, std::size_t i) noexcept {
        const auto [j, block, len] = edge_at(t, i);
        const std::size_t pad = std::to_integer<std::size_t>(block[0]) & 7;
        if (len < pad + 10) {  // only 16 bytes with pad 7
            j.plain_len = r::fail(decode_error::bad_padding, 0);
            return false;
        }
        const std::size_t plain = len - pad - 10;
        if (j.out.size() < plain) {
            j.plain_len = r::fail(decode_error::too_long, 0);
            return false;
        }
        const std::size_t hdr = pad + 3;
        t.hdr[i] = hdr;
        if (plain >= 8) {
            // Bytes [hdr, 8) go to out[0, 8 - hdr) in one 8-byte store (no
            // branch on their count, 0..5): the bytes it writes past them
            // are plaintext that the next blocks write again, from
            // out[8 - hdr] on, before the batch ends.
            std::uint64_t w;
            std::memcpy(&w, block, sizeof w);
            const unsigned shift = static_cast<unsigned>(hdr & 7) * 8;
            w = std::endian::native == std::endian::little ? w >> shift : w << shift;
            std::memcpy(j.out.data(), &w, sizeof w);
        } else {
            const std::size_t to = len - 7 < 8 ? len - 7 : 8;
            if (hdr < to) copy_short(j.out.data(), block + hdr, to - hdr);
        }
        // Next care: block 1 when the header reaches into it, else the last.
        t.edge[i] = addr(j.cipher.data()) + (hdr > 8 ? 8 : len - 8);
        // Interior blocks: out + offset - hdr (block 0's; advanced with pos).
        t.dst[i] = addr(j.out.data()) - hdr;
        return true;
    }

    // A message's last block, or its block 1 where the header reaches into
    // it, now in scratch: copy its plaintext bytes, and check the zero tail
    // of the last (the message's answer) or aim the lane's output on.
    template <class T>
    static void later_edge_block(T& t, std::size_t i) noexcept {
        const auto [j, block, len] = edge_at(t, i);
        const std::size_t off = t.cur[i] - addr(j.cipher.data());
        const std::size_t hdr = t.hdr[i];
        const std::size_t end = len - 7;
        // Plaintext is padded [hdr, end), written to out[pos - hdr]; with
        // out == cipher every write lands before the next block to be read.
        const std::size_t from = off < hdr ? hdr : off;
        const std::size_t to = off + 8 < end ? off + 8 : end;
        if (from < to) copy_short(j.out.data() + (from - hdr), block + (from - off), to - from);
        if (off + 8 == len) {
            // pidgin qq_decrypt "check last 7 bytes": bytes 1..7 of the last block.
            std::uint64_t last;
            std::memcpy(&last, block, sizeof last);
            constexpr std::uint64_t bytes_1_to_7 =
                std::endian::native == std::endian::little ? ~std::uint64_t{0xFF} : ~(std::uint64_t{0xFF} << 56);
            if ((last & bytes_1_to_7) != 0) {
                j.plain_len = r::fail(decode_error::bad_padding, len - 7);
                return;
            }
            j.plain_len.value = end - hdr;
            return;
        }
        t.edge[i] = addr(j.cipher.data()) + len - 8;
        t.dst[i] = addr(j.out.data()) + off - hdr;
    }
};

// The order lanes take jobs in: longest first, window by window. A lane
// refilled with the next longest job as it frees up finishes about when the
// others do (Graham's LPT rule); taken as they come, a burst of mixed lengths
// (QQ bodies run ~20..700 bytes) leaves most lanes idle while the last few
// long messages finish. The order changes nothing but timing: jobs are
// independent.
template <class D>
class job_order {
public:
    using job = typename D::job;
    explicit job_order(std::span<job> jobs) noexcept : jobs_(jobs) {}

    job* next() noexcept {
        if (at_ == count_ && !load_window()) return nullptr;
        const std::size_t k = window - 1 - static_cast<std::size_t>(keys_[at_++] & 0xFFFF);
        return &jobs_[base_ + k];
    }

private:
    static constexpr std::size_t window = 256;

    bool load_window() noexcept {
        base_ += count_;
        if (base_ >= jobs_.size()) return false;
        count_ = jobs_.size() - base_ < window ? jobs_.size() - base_ : window;
        at_ = 0;
        // Key: blocks above, (window - 1 - index) below, so that a descending
        // sort puts the longest first and keeps equal lengths in list order.
        std::uint64_t longest = 0;
        for (std::size_t k = 0; k < count_; ++k) {
            const std::uint64_t blocks = D::blocks(jobs_[base_ + k]);
            keys_[k] = (blocks < 0xFFFFFFFFFFFF ? blocks : 0xFFFFFFFFFFFF) << 16 | (window - 1 - k);
            longest = std::max(longest, blocks);
        }
        if (longest < counted_blocks) {
            sort_by_counting(static_cast<std::size_t>(longest));
        } else {
            std::sort(keys_, keys_ + count_, std::greater<>());
        }
        return true;
    }

    // The same order as the descending sort, by counting: a burst's lengths
    // are a few distinct small numbers, and a comparison sort of them
    // mispredicts about every other branch (std::sort was 4 % of a batch of
    // 64 chat bodies, bench_tea_batch's _distinct runs). Stable, so equal
    // lengths stay in list order.
    void sort_by_counting(std::size_t longest) noexcept {
        std::uint16_t first[counted_blocks];  // where each length's run starts
        std::fill_n(first, longest + 1, std::uint16_t{0});
        for (std::size_t k = 0; k < count_; ++k) ++first[keys_[k] >> 16];
        std::uint16_t at = 0;
        for (std::size_t b = longest + 1; b-- > 0;) {
            const std::uint16_t n = first[b];
            first[b] = at;
            at = static_cast<std::uint16_t>(at + n);
        }
        std::uint64_t sorted[window];
        for (std::size_t k = 0; k < count_; ++k) sorted[first[keys_[k] >> 16]++] = keys_[k];
        std::copy_n(sorted, count_, keys_);
    }

    // Bursts whose longest message is shorter than this many blocks (2 KB;
    // QQ bodies over UDP run up to ~1.4 KB) are sorted by counting.
    static constexpr std::size_t counted_blocks = 256;

    std::span<job> jobs_;
    std::size_t base_ = 0, count_ = 0, at_ = 0;
    std::uint64_t keys_[window];
};

// How many of the coming steps need no look at any lane: until a lane's
// next block is an edge (decrypt: edges) or the last of its message. Idle
// lanes (edge = stop = 0, below every address) wrap to the largest distance
// and never count. A burst of long messages of one length (700-byte bodies:
// 89 blocks, three or four of them edges) then skips the lane scan, the job
// copy and the refill on nearly every step, and runs most of them as tiles;
// one of mixed lengths, whose lanes end somewhere every step or two, pays
// this one pass of vector minima per step.
template <bool edges, class T>
std::size_t quiet_steps(const T& t) noexcept {
    std::uint64_t least = ~std::uint64_t{0};
    for (std::size_t i = 0; i < T::lanes; ++i) {
        const std::uint64_t to_last = t.stop[i] - t.pos[i] - 8;  // 0: the next block is the last
        least = std::min(least, to_last);
        if constexpr (edges) least = std::min(least, t.edge[i] - t.pos[i]);  // 0: the next is an edge
    }
    return static_cast<std::size_t>(least / 8);
}

// V::tile_steps quiet steps at once: every lane's next blocks read as one
// row and transposed (V::load_tile) instead of gathered block by block, the
// steps run on them, and the rows written back the same way, so that a
// burst of long messages spends its time in the rounds. The blocks are
// interior ones (no edge, not the last), whole and inside the message, and
// each lane's output row ends before its next unread block (in place:
// decrypt writes hdr bytes behind what it reads).
template <class V, std::size_t U, class D, class T>
void run_tile(T& t, lane_chain<V, U>& chain) noexcept {
    constexpr std::size_t w = V::width;
    constexpr std::size_t steps = V::tile_steps;
    lane_vectors<V, U> blocks[steps];
    typename V::vec col[2 * steps];
    for (std::size_t u = 0; u < U; ++u) {
        V::load_tile(t.pos + u * w, col);
        for (std::size_t k = 0; k < steps; ++k) {
            blocks[k].y[u] = col[2 * k];
            blocks[k].z[u] = col[2 * k + 1];
        }
    }
    for (std::size_t k = 0; k < steps; ++k) D::step(blocks[k], chain, t.keys);
    const std::uint64_t* const out = D::writes_elsewhere ? t.dst : t.pos;
    for (std::size_t u = 0; u < U; ++u) {
        for (std::size_t k = 0; k < steps; ++k) {
            col[2 * k] = blocks[k].y[u];
            col[2 * k + 1] = blocks[k].z[u];
        }
        V::store_tile(col, out + u * w);
    }
    for (std::size_t i = 0; i < T::lanes; ++i) {
        t.pos[i] += steps * t.step[i];
        if constexpr (D::writes_elsewhere) t.dst[i] += steps * t.step[i];
    }
}

// A burst's size for choosing how many vectors of lanes to run it on: its
// blocks and its longest message. On `lanes` lanes refilled longest first it
// takes about steps_on(lanes) steps: at least its longest message (a
// message's blocks are a chain, one lane's), at least its blocks spread over
// every lane. The chat phase's bursts mix 2- and 4-block acks, 10..26-block
// messages and a few of 35..111 blocks (counted in the dataplane,
// bench/RESULTS.md), so the longest message bounds most bursts: more lanes
// then only idle, and fewer, cheaper steps win.
struct burst_shape {
    std::size_t total = 0;
    std::size_t longest = 0;

    template <class D>
    static burst_shape of(std::span<const typename D::job> jobs) noexcept {
        burst_shape b;
        for (const auto& j : jobs) {
            const std::size_t n = D::blocks(j);
            b.total += n;
            b.longest = std::max(b.longest, n);
        }
        return b;
    }
    std::size_t steps_on(std::size_t lanes) const noexcept { return std::max(longest, (total + lanes - 1) / lanes); }
};

// Runs every job through W * U lanes, one block of every busy lane per step.
// A lane whose message ends takes the next job at once (chain state cleared,
// key loaded), so lanes idle only once the list runs dry; idle lanes work on
// their scratch slot and their output is dropped.
//
// Each step is pipelined: the next step's lanes are chosen and its blocks
// loaded before this step's rounds, so that the out-of-order core overlaps
// that scalar work with the rounds instead of running it in between. Steps
// in which no lane meets an edge or its end (quiet_steps) skip the scan, and
// run tile_steps at a time where they can (run_tile).
template <class V, std::size_t U, class D>
void run_lanes(std::span<typename D::job> jobs) noexcept {
    using job = typename D::job;
    constexpr std::size_t w = V::width;
    constexpr std::size_t lanes = w * U;
    static_assert(lanes <= 64, "lane bits are one 64-bit mask");

    lane_table<V, U, job> t;
    job_order<D> order(jobs);
    std::size_t busy = 0;
    auto fill = [&](std::size_t i) noexcept {
        while (job* const next = order.next()) {
            job& j = *next;
            if (!D::start(j, t, i)) continue;
            t.job[i] = &j;
            t.step[i] = 8;
            t.keys.set(i, j.key);
            return true;
        }
        t.idle(i);
        return false;
    };
    // The lanes in bits take their next job (fresh) or go idle (leaving).
    auto refill = [&](std::uint64_t bits, std::uint64_t& fresh, std::size_t& leaving) noexcept {
        for (std::uint64_t b = bits; b != 0; b &= b - 1) {
            const std::size_t i = static_cast<std::size_t>(std::countr_zero(b));
            if (fill(i)) {
                fresh |= std::uint64_t{1} << i;
            } else {
                ++leaving;
            }
        }
    };
    for (std::size_t i = 0; i < lanes; ++i) busy += fill(i) ? 1 : 0;
    t.keys.reload();
    lane_chain<V, U> chain;
    for (std::size_t u = 0; u < U; ++u) {
        chain.x.y[u] = chain.x.z[u] = chain.c.y[u] = chain.c.z[u] = V::zero();
    }
    lane_vectors<V, U> v, ahead;
    for (std::size_t u = 0; u < U; ++u) V::load_blocks(t.pos + u * w, v.y[u], v.z[u]);

    std::size_t quiet = 0;  // steps ahead in which no lane reaches an edge or its end
    while (busy != 0) {
        if (quiet >= V::tile_steps) {
            run_tile<V, U, D>(t, chain);
            quiet -= V::tile_steps;
            for (std::size_t u = 0; u < U; ++u) V::load_blocks(t.pos + u * w, v.y[u], v.z[u]);
            continue;
        }
        // The lanes of the next step: the next block of each message, or the
        // first block of the next job where a message ends with this one.
        std::uint64_t care = 0, ending = 0, fresh = 0;
        std::size_t leaving = 0;
        const bool eventful = quiet == 0;
        if (!eventful) {
            // Every lane moves one block on: nothing to look at or refill.
            --quiet;
            for (std::size_t i = 0; i < lanes; ++i) {
                t.cur[i] = t.pos[i];
                t.pos[i] += t.step[i];
            }
        } else {
            if constexpr (D::writes_elsewhere) std::memcpy(t.job_now, t.job, sizeof t.job);  // edge_block's
            for (std::size_t i = 0; i < lanes; ++i) {
                const std::uint64_t p = t.pos[i];
                t.cur[i] = p;
                if constexpr (D::writes_elsewhere) care |= std::uint64_t{p == t.edge[i]} << i;
                t.pos[i] = p + t.step[i];
                ending |= std::uint64_t{p + t.step[i] == t.stop[i]} << i;
            }
            refill(ending, fresh, leaving);
        }
        for (std::size_t u = 0; u < U; ++u) V::load_blocks(t.pos + u * w, ahead.y[u], ahead.z[u]);

        D::step(v, chain, t.keys);

        // A message refused at its header ends now: its lane is refilled and
        // the blocks read ahead for it are read again.
        const std::uint64_t refused = D::template store<V, U>(v, t, care);
        if (refused != 0) {
            refill(refused, fresh, leaving);
            for (std::size_t u = 0; u < U; ++u) V::load_blocks(t.pos + u * w, ahead.y[u], ahead.z[u]);
        }
        if constexpr (D::writes_elsewhere) {
            for (std::size_t i = 0; i < lanes; ++i) t.dst[i] += t.step[i];
        }
        busy -= leaving;
        if (fresh != 0) {
            t.keys.reload();
            chain.clear(fresh);
        }
        v = ahead;
        if (eventful) quiet = quiet_steps<D::writes_elsewhere>(t);
    }
}

}  // namespace
}  // namespace qqgen::proto
