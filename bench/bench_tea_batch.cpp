// Batched QQ-TEA throughput per instruction set against the scalar path, for
// bursts of 64 messages of 64, 200 or 700 bytes (QQ bodies run ~20..700), and
// for a burst of mixed lengths 20..700 (argument 0), where lanes are refilled
// as their messages end; and bursts of 32 and 128 (the engine's batches run
// up to 128 bodies: a TX burst of 64 frames on each port) of mixed lengths
// 16..256, like a chat burst of acks and messages (argument 0, second
// argument 32 or 128). Bytes are plaintext bytes, as in bench_tea.cpp.
// Instruction sets this CPU lacks are not registered.
//
// A burst repeated every iteration trains the branch predictors on its
// exact pattern of lanes ending and starting; the engine never sees the
// same burst twice. The `_distinct` benchmarks cycle through 256 bursts of
// one shape, each of other lengths and contents (~3 MB in all: L3, not L1);
// the chat phase's mix in 64 and in 128 messages (both ports' received
// bursts decrypted together: rx_bursts) shows what a bigger batch buys.
// On 2026-12-07 (AVX-512, best of 30 runs each) distinct chat-message
// bursts ran 1.16x (encrypt) and 1.29x (decrypt) slower than one repeated
// at b0dd2ad, 1.13x and 1.11x once 68b736b and 5da42d6 had taken branches
// out of the job order and the edge blocks.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <string>
#include <vector>

#include "protocols/counter_rng.hpp"
#include "protocols/qq_tea.hpp"
#include "protocols/qq_tea_batch.hpp"

using namespace qqgen::proto;

namespace {

constexpr std::size_t burst = 64;

// A burst of `count` messages: length n each, or mixed when n == 0 (20..700
// in bursts of 64, 16..256 in the others), or the chat phase's message
// bodies when n == 1 (56..100 bytes), or the mix the dataplane's chat phase
// batches when n == 2 (counted there, bench/RESULTS.md: 26 % 2-block acks,
// 25 % of 4 blocks, 44 % messages of 10..26 blocks, 5 % of 35..111 blocks).
std::size_t chat_phase_length(counter_rng& rng) {
    const std::uint32_t r = rng.below(100);
    if (r < 26) return rng.below(7);              // 0..6 bytes: 2 blocks
    if (r < 51) return 15 + rng.below(8);         // 15..22: 4 blocks
    if (r < 95) return 63 + rng.below(136);       // 63..198: 10..26 blocks
    return 263 + rng.below(616);                  // 263..878: 35..111 blocks
}
struct burst_data {
    std::vector<tea_key> keys;
    std::vector<std::vector<std::byte>> plain, cipher, out;
    std::size_t bytes = 0;

    burst_data(std::size_t n, std::size_t count, std::uint64_t seed) {
        counter_rng rng(seed, n);
        for (std::size_t i = 0; i < count; ++i) {
            tea_key k;
            rng.fill(k.bytes);
            keys.push_back(k);
            plain.emplace_back(n == 1   ? 56 + rng.below(45)
                               : n == 2 ? chat_phase_length(rng)
                               : n != 0 ? n
                               : count == burst ? 20 + rng.below(681)
                                                : 16 + rng.below(241));
            rng.fill(plain.back());
            cipher.emplace_back(tea_cipher_size(plain.back().size()));
            tea_encrypt(k, plain.back(), cipher.back(), rng.next());
            out.emplace_back(cipher.back().size());
            bytes += plain.back().size();
        }
    }
};

// `bursts` bursts of one shape, each of its own lengths and contents.
std::vector<burst_data> make_bursts(const benchmark::State& state, std::size_t bursts) {
    std::vector<burst_data> d;
    d.reserve(bursts);
    for (std::size_t b = 0; b < bursts; ++b)
        d.emplace_back(static_cast<std::size_t>(state.range(0)), static_cast<std::size_t>(state.range(1)), 42 + b);
    return d;
}

void bm_tea_batch_encrypt(benchmark::State& state, tea_isa isa, std::size_t bursts) {
    const auto count = static_cast<std::size_t>(state.range(1));
    std::vector<burst_data> data = make_bursts(state, bursts);
    std::vector<tea_encrypt_job> jobs(count);
    std::uint64_t seed = 0, bytes = 0;
    std::size_t at = 0;
    for (auto _ : state) {
        burst_data& d = data[at];
        at = at + 1 == bursts ? 0 : at + 1;
        for (std::size_t i = 0; i < count; ++i) jobs[i] = {d.keys[i], d.plain[i], d.out[i], ++seed, 0};
        tea_encrypt_batch(jobs, isa);
        bytes += d.bytes;
        benchmark::DoNotOptimize(jobs.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void bm_tea_batch_decrypt(benchmark::State& state, tea_isa isa, std::size_t bursts) {
    const auto count = static_cast<std::size_t>(state.range(1));
    std::vector<burst_data> data = make_bursts(state, bursts);
    std::vector<tea_decrypt_job> jobs(count);
    std::uint64_t bytes = 0;
    std::size_t at = 0;
    for (auto _ : state) {
        burst_data& d = data[at];
        at = at + 1 == bursts ? 0 : at + 1;
        for (std::size_t i = 0; i < count; ++i) jobs[i] = {d.keys[i], d.cipher[i], d.out[i], {}};
        tea_decrypt_batch(jobs, isa);
        bytes += d.bytes;
        benchmark::DoNotOptimize(jobs.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

constexpr std::size_t distinct_bursts = 256;

// Registered for the instruction sets this CPU runs (scalar is the
// reference), so the names read bm_tea_batch_encrypt/avx2/200 and so on.
[[maybe_unused]] const bool registered = [] {
    for (const tea_isa isa : tea_isas) {
        if (!tea_batch_supported(isa)) continue;
        const std::string name(to_string(isa));
        benchmark::RegisterBenchmark(("bm_tea_batch_encrypt/" + name).c_str(), bm_tea_batch_encrypt, isa, 1)
            ->Args({64, 64})
            ->Args({200, 64})
            ->Args({700, 64})
            ->Args({0, 64})
            ->Args({1, 64})
            ->Args({2, 64})
            ->Args({0, 32})
            ->Args({0, 128});
        benchmark::RegisterBenchmark(("bm_tea_batch_decrypt/" + name).c_str(), bm_tea_batch_decrypt, isa, 1)
            ->Args({64, 64})
            ->Args({200, 64})
            ->Args({700, 64})
            ->Args({0, 64})
            ->Args({1, 64})
            ->Args({2, 64})
            ->Args({0, 32})
            ->Args({0, 128});
        benchmark::RegisterBenchmark(("bm_tea_batch_encrypt_distinct/" + name).c_str(), bm_tea_batch_encrypt, isa,
                                     distinct_bursts)
            ->Args({1, 64})
            ->Args({2, 64})
            ->Args({2, 128});
        benchmark::RegisterBenchmark(("bm_tea_batch_decrypt_distinct/" + name).c_str(), bm_tea_batch_decrypt, isa,
                                     distinct_bursts)
            ->Args({1, 64})
            ->Args({2, 64})
            ->Args({2, 128});
    }
    return true;
}();

}  // namespace
