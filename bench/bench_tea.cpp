// QQ-TEA throughput for typical QQ body sizes (keep-alive ~16 B, IM ~100-500 B).
// The chaining is serial, so this is the single-stream scalar speed; a batch
// (SIMD across sessions) version would be measured against it.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <vector>

#include "protocols/counter_rng.hpp"
#include "protocols/qq_tea.hpp"

using namespace qqgen::proto;

namespace {

tea_key bench_key() {
    tea_key k;
    counter_rng(42, 0).fill(k.bytes);
    return k;
}

void bm_tea_encrypt(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const tea_key key = bench_key();
    std::vector<std::byte> plain(n), out(tea_cipher_size(n));
    counter_rng(7, 0).fill(plain);
    std::uint64_t seed = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(tea_encrypt(key, plain, out, ++seed));
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void bm_tea_decrypt(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const tea_key key = bench_key();
    std::vector<std::byte> plain(n), cipher(tea_cipher_size(n)), out(n);
    counter_rng(7, 0).fill(plain);
    tea_encrypt(key, plain, cipher, 1);
    for (auto _ : state) {
        auto r = tea_decrypt(key, cipher, out);
        benchmark::DoNotOptimize(r);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

}  // namespace

BENCHMARK(bm_tea_encrypt)->RangeMultiplier(2)->Range(16, 512);
BENCHMARK(bm_tea_decrypt)->RangeMultiplier(2)->Range(16, 512);

BENCHMARK_MAIN();
