// Batched QQ-TEA throughput per instruction set against the scalar path, for
// bursts of 64 messages of 64, 200 or 700 bytes (QQ bodies run ~20..700), and
// for a burst of mixed lengths 20..700 (argument 0), where lanes are refilled
// as their messages end; and bursts of 32 and 128 (the engine's batches run
// up to 128 bodies: a TX burst of 64 frames on each port) of mixed lengths
// 16..256, like a chat burst of acks and messages (argument 0, second
// argument 32 or 128). Bytes are plaintext bytes, as in bench_tea.cpp.
// Instruction sets this CPU lacks are not registered.
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
// in bursts of 64, 16..256 in the others).
struct burst_data {
    std::vector<tea_key> keys;
    std::vector<std::vector<std::byte>> plain, cipher, out;
    std::size_t bytes = 0;

    burst_data(std::size_t n, std::size_t count) {
        counter_rng rng(42, n);
        for (std::size_t i = 0; i < count; ++i) {
            tea_key k;
            rng.fill(k.bytes);
            keys.push_back(k);
            plain.emplace_back(n != 0 ? n : count == burst ? 20 + rng.below(681) : 16 + rng.below(241));
            rng.fill(plain.back());
            cipher.emplace_back(tea_cipher_size(plain.back().size()));
            tea_encrypt(k, plain.back(), cipher.back(), rng.next());
            out.emplace_back(cipher.back().size());
            bytes += plain.back().size();
        }
    }
};

void bm_tea_batch_encrypt(benchmark::State& state, tea_isa isa) {
    const auto count = static_cast<std::size_t>(state.range(1));
    burst_data d(static_cast<std::size_t>(state.range(0)), count);
    std::vector<tea_encrypt_job> jobs(count);
    std::uint64_t seed = 0;
    for (auto _ : state) {
        for (std::size_t i = 0; i < count; ++i) jobs[i] = {d.keys[i], d.plain[i], d.out[i], ++seed, 0};
        tea_encrypt_batch(jobs, isa);
        benchmark::DoNotOptimize(jobs.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.bytes));
}

void bm_tea_batch_decrypt(benchmark::State& state, tea_isa isa) {
    const auto count = static_cast<std::size_t>(state.range(1));
    burst_data d(static_cast<std::size_t>(state.range(0)), count);
    std::vector<tea_decrypt_job> jobs(count);
    for (auto _ : state) {
        for (std::size_t i = 0; i < count; ++i) jobs[i] = {d.keys[i], d.cipher[i], d.out[i], {}};
        tea_decrypt_batch(jobs, isa);
        benchmark::DoNotOptimize(jobs.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.bytes));
}

// Registered for the instruction sets this CPU runs (scalar is the
// reference), so the names read bm_tea_batch_encrypt/avx2/200 and so on.
[[maybe_unused]] const bool registered = [] {
    for (const tea_isa isa : tea_isas) {
        if (!tea_batch_supported(isa)) continue;
        const std::string name(to_string(isa));
        benchmark::RegisterBenchmark(("bm_tea_batch_encrypt/" + name).c_str(), bm_tea_batch_encrypt, isa)
            ->Args({64, 64})
            ->Args({200, 64})
            ->Args({700, 64})
            ->Args({0, 64})
            ->Args({0, 32})
            ->Args({0, 128});
        benchmark::RegisterBenchmark(("bm_tea_batch_decrypt/" + name).c_str(), bm_tea_batch_decrypt, isa)
            ->Args({64, 64})
            ->Args({200, 64})
            ->Args({700, 64})
            ->Args({0, 64})
            ->Args({0, 32})
            ->Args({0, 128});
    }
    return true;
}();

}  // namespace
