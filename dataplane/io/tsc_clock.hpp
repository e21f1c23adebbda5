// Monotonic nanoseconds from the TSC, for the hot path.
//
// rte_get_tsc_hz() is read once, when the clock is made on the main lcore;
// every worker gets a copy (a trivially copyable value, no shared state), so
// all workers of a run count from the same epoch. Conversion is a multiply and
// a shift, not a division per call.
#pragma once

#include <cstdint>

#include <rte_cycles.h>

namespace qqgen::dpdk {

class tsc_clock {
public:
    // A clock whose zero is now. Call after rte_eal_init.
    static tsc_clock start_now() noexcept { return tsc_clock(rte_rdtsc(), rte_get_tsc_hz()); }

    tsc_clock(std::uint64_t epoch_tsc, std::uint64_t hz) noexcept
        : epoch_tsc_(epoch_tsc), hz_(hz == 0 ? 1 : hz),
          // ns per tick in 32.32 fixed point; exact enough for 2^32 ticks of
          // error below one nanosecond per second.
          ns_per_tick_q32_(static_cast<std::uint64_t>((u128{1'000'000'000} << 32) / hz_)) {}

    std::uint64_t now_ns() const noexcept { return to_ns(rte_rdtsc() - epoch_tsc_); }
    std::uint64_t to_ns(std::uint64_t ticks) const noexcept {
        return static_cast<std::uint64_t>((u128{ticks} * ns_per_tick_q32_) >> 32);
    }
    std::uint64_t ticks_for_ns(std::uint64_t ns) const noexcept {
        return static_cast<std::uint64_t>(u128{ns} * hz_ / 1'000'000'000);
    }
    std::uint64_t hz() const noexcept { return hz_; }
    std::uint64_t epoch_tsc() const noexcept { return epoch_tsc_; }

private:
    __extension__ using u128 = unsigned __int128;

    std::uint64_t epoch_tsc_;
    std::uint64_t hz_;
    std::uint64_t ns_per_tick_q32_;
};

}  // namespace qqgen::dpdk
