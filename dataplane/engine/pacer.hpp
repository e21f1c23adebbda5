// The per-worker pacer of new sessions: a token bucket filled along the
// profile's phases, read on the worker's nanosecond clock (design.md
// "Pacing").
//
// The fill is exact rather than incremental: allowance(t) is how many users
// the phases allow by time t since start (a linear ramp from 0 to `rate`
// over `ramp`, integrated: rate * t^2 / (2 * ramp), then `rate` per second),
// and the bucket is the difference between that and what was granted,
// capped at `burst`. So no rounding error accumulates over hours and the
// same clock readings always grant the same users. The concurrency cap is the
// caller's (free slots); a grant the caller cannot use is given back.
#pragma once

#include <algorithm>
#include <cstdint>

namespace qqgen::engine {

struct pacer_phases {
    std::uint64_t rate = 1000;   // users per second in the steady phase
    std::uint64_t ramp_ns = 0;   // linear ramp-up from 0; 0 = start at full rate
    std::uint64_t burst = 32;    // bucket depth: most users granted at once after a pause
};

class pacer {
public:
    pacer() = default;
    explicit pacer(pacer_phases phases) noexcept : phases_(phases) {
        if (phases_.burst == 0) phases_.burst = 1;
    }

    // The phases start now; nothing is granted before.
    void start(std::uint64_t now_ns) noexcept {
        start_ns_ = now_ns;
        granted_ = 0;
        started_ = true;
    }
    void stop() noexcept { started_ = false; }
    [[nodiscard]] bool running() const noexcept { return started_; }

    // Up to `want` users may start now; returns how many. Tokens not taken
    // stay in the bucket (up to burst).
    std::uint64_t take(std::uint64_t now_ns, std::uint64_t want) noexcept {
        if (!started_ || want == 0) return 0;
        const std::uint64_t allowed = allowance(now_ns - std::min(now_ns, start_ns_));
        // The bucket never holds more than `burst`: what could not be used
        // while the caller was saturated is forgotten, as a token bucket does.
        if (allowed > granted_ + phases_.burst) granted_ = allowed - phases_.burst;
        const std::uint64_t n = std::min(want, allowed - std::min(allowed, granted_));
        granted_ += n;
        return n;
    }

    // Gives back `n` users granted by take() that could not be started.
    void give_back(std::uint64_t n) noexcept { granted_ -= std::min(n, granted_); }

    // Users the phases allow `t_ns` after start (not capped by the bucket).
    [[nodiscard]] std::uint64_t allowance(std::uint64_t t_ns) const noexcept {
        const u128 rate = phases_.rate;
        const u128 ramp = phases_.ramp_ns;
        if (t_ns < phases_.ramp_ns) {
            const u128 t = t_ns;
            return static_cast<std::uint64_t>(rate * t * t / (2 * ramp * ns_per_s));
        }
        // The ramp's triangle, then the steady rectangle.
        return static_cast<std::uint64_t>((rate * ramp / 2 + rate * (t_ns - phases_.ramp_ns)) / ns_per_s);
    }

    [[nodiscard]] std::uint64_t granted() const noexcept { return granted_; }
    [[nodiscard]] const pacer_phases& phases() const noexcept { return phases_; }

private:
    __extension__ using u128 = unsigned __int128;
    static constexpr u128 ns_per_s = 1'000'000'000;

    pacer_phases phases_{};
    std::uint64_t start_ns_ = 0;
    std::uint64_t granted_ = 0;
    bool started_ = false;
};

}  // namespace qqgen::engine
