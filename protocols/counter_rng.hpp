// Counter-based random numbers: a value is a pure function of (seed, stream, counter).
//
// design.md: "Keys and padding come from a counter-based generator, so a run is
// reproducible from its seed." SplitMix64's finaliser (Steele, Lea, Flood 2014) is
// a bijective mixer good enough for test traffic; it needs no state beyond the
// counter, so a session's keys are re-derived on demand instead of stored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace qqgen::proto {

constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// counter_random in two steps, for callers that draw several values of one
// stream: the stream's part once, then each value from it.
constexpr std::uint64_t stream_key(std::uint64_t seed, std::uint64_t stream) noexcept {
    return mix64(seed ^ mix64(stream));
}
constexpr std::uint64_t counter_random_in(std::uint64_t stream_key, std::uint64_t counter) noexcept {
    return mix64(stream_key + counter);
}

// The value number `counter` of stream `stream` under `seed`.
constexpr std::uint64_t counter_random(std::uint64_t seed, std::uint64_t stream, std::uint64_t counter) noexcept {
    return counter_random_in(stream_key(seed, stream), counter);
}

// A tiny sequential generator over counter_random, for set-up code and tests.
class counter_rng {
public:
    constexpr counter_rng(std::uint64_t seed, std::uint64_t stream) noexcept : seed_(seed), stream_(stream) {}

    constexpr std::uint64_t next() noexcept { return counter_random(seed_, stream_, counter_++); }
    // Uniform in [0, bound) (bound > 0); Lemire's multiply-shift, bias < 2^-32 for small bounds.
    constexpr std::uint32_t below(std::uint32_t bound) noexcept {
        return static_cast<std::uint32_t>(((next() >> 32) * bound) >> 32);
    }
    void fill(std::span<std::byte> out) noexcept {
        std::size_t i = 0;
        while (i < out.size()) {
            std::uint64_t v = next();
            for (int b = 0; b < 8 && i < out.size(); ++b, ++i) out[i] = std::byte(v >> (8 * b));
        }
    }

private:
    std::uint64_t seed_;
    std::uint64_t stream_;
    std::uint64_t counter_ = 0;
};

}  // namespace qqgen::proto
