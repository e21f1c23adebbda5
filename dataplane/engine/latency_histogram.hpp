// A log-linear latency histogram (HdrHistogram's bucket layout, fixed size):
// values in microseconds, exact below 8 us, then 8 sub-buckets per power of
// two, so every bucket is at most 12.5% wide. A plain struct of counters:
// the control process sums workers' histograms with +=.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace qqgen::engine {

struct latency_histogram {
    static constexpr unsigned sub_bits = 3;
    static constexpr std::uint32_t sub_count = 1u << sub_bits;
    // 32-bit microsecond values: bucket indices 0 .. (32 - sub_bits) * 8 + 7.
    static constexpr std::size_t bucket_count = (32 - sub_bits + 1) * sub_count;

    std::array<std::uint64_t, bucket_count> buckets{};
    std::uint64_t count = 0;
    std::uint64_t sum_us = 0;
    std::uint32_t min_us = 0xFFFFFFFFu;
    std::uint32_t max_us = 0;

    static constexpr std::size_t bucket_of(std::uint32_t us) noexcept {
        if (us < sub_count) return us;
        const unsigned e = static_cast<unsigned>(std::bit_width(us)) - 1 - sub_bits;
        return (std::size_t{e} + 1) * sub_count + ((us >> e) & (sub_count - 1));
    }
    // Smallest and largest value of bucket b.
    static constexpr std::uint64_t bucket_low(std::size_t b) noexcept {
        if (b < sub_count) return b;
        const unsigned e = static_cast<unsigned>(b / sub_count) - 1;
        return (std::uint64_t{sub_count} + b % sub_count) << e;
    }
    static constexpr std::uint64_t bucket_high(std::size_t b) noexcept {
        if (b < sub_count) return b;
        const unsigned e = static_cast<unsigned>(b / sub_count) - 1;
        return bucket_low(b) + (std::uint64_t{1} << e) - 1;
    }

    void record(std::uint32_t us) noexcept {
        ++buckets[bucket_of(us)];
        ++count;
        sum_us += us;
        min_us = std::min(min_us, us);
        max_us = std::max(max_us, us);
    }

    // The value at or below which `p` percent (0..100) of the samples lie,
    // as the upper edge of its bucket (never above the largest sample); 0
    // with no samples.
    [[nodiscard]] std::uint64_t percentile(double p) const noexcept {
        if (count == 0) return 0;
        const double want = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(count);
        std::uint64_t rank = static_cast<std::uint64_t>(want);
        if (static_cast<double>(rank) < want || rank == 0) ++rank;
        std::uint64_t seen = 0;
        for (std::size_t b = 0; b < bucket_count; ++b) {
            seen += buckets[b];
            if (seen >= rank) return std::min<std::uint64_t>(bucket_high(b), max_us);
        }
        return max_us;
    }
    [[nodiscard]] double mean_us() const noexcept {
        return count == 0 ? 0.0 : static_cast<double>(sum_us) / static_cast<double>(count);
    }

    latency_histogram& operator+=(const latency_histogram& o) noexcept {
        for (std::size_t b = 0; b < bucket_count; ++b) buckets[b] += o.buckets[b];
        count += o.count;
        sum_us += o.sum_us;
        min_us = std::min(min_us, o.min_us);
        max_us = std::max(max_us, o.max_us);
        return *this;
    }
};

static_assert(latency_histogram::bucket_of(0xFFFFFFFFu) == latency_histogram::bucket_count - 1);
static_assert(latency_histogram::bucket_high(latency_histogram::bucket_count - 1) == 0xFFFFFFFFu);
static_assert(latency_histogram::bucket_of(8) == 8 && latency_histogram::bucket_low(8) == 8);
static_assert(latency_histogram::bucket_of(1000) == latency_histogram::bucket_of(1023));

}  // namespace qqgen::engine
