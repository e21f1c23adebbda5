// The per-worker pacer of new sessions: a token bucket filled along the
// profile's phases, read on the worker's nanosecond clock (design.md
// "Pacing").
//
// Phases: ramp-up (the new-user rate grows linearly from 0 to `rate`),
// steady (`rate`, for steady_ns or for ever when it is 0), ramp-down (the
// rate falls linearly back to 0), then ended (nothing more is granted).
// The fill is exact rather than incremental: allowance(t) is how many users
// the phases allow by time t since start (the integral of the rate curve),
// and the bucket is the difference between that and what was granted,
// capped at `burst`. So no rounding error accumulates over hours and the
// same clock readings always grant the same users.
//
// retune() changes the phases of a running pacer (a live profile change):
// the new curve applies from the elapsed time of the change on, and an
// offset keeps the allowance continuous there, so nothing is granted twice
// or lost. The concurrency cap is the caller's (free slots and the phase's
// concurrency target); a grant the caller cannot use is given back.
#pragma once

#include <algorithm>
#include <cstdint>

namespace qqgen::engine {

struct pacer_phases {
    std::uint64_t rate = 1000;      // users per second in the steady phase
    std::uint64_t ramp_ns = 0;      // linear ramp-up from 0; 0 = start at full rate
    std::uint64_t burst = 32;       // bucket depth: most users granted at once after a pause
    std::uint64_t steady_ns = 0;    // 0 = the steady phase never ends
    std::uint64_t ramp_down_ns = 0; // linear ramp-down to 0 after the steady phase

    friend constexpr bool operator==(const pacer_phases&, const pacer_phases&) = default;
};

enum class pacer_phase : std::uint8_t { waiting, ramp_up, steady, ramp_down, ended };

class pacer {
public:
    pacer() = default;
    explicit pacer(pacer_phases phases) noexcept : phases_(normalised(phases)) {}

    // The phases start now; nothing is granted before.
    void start(std::uint64_t now_ns) noexcept {
        start_ns_ = now_ns;
        granted_ = 0;
        offset_ = 0;
        started_ = true;
    }
    void stop() noexcept { started_ = false; }
    [[nodiscard]] bool running() const noexcept { return started_; }

    // Up to `want` users may start now; returns how many. Tokens not taken
    // stay in the bucket (up to burst).
    std::uint64_t take(std::uint64_t now_ns, std::uint64_t want) noexcept {
        if (!started_ || want == 0) return 0;
        const std::uint64_t allowed = allowed_at(elapsed(now_ns));
        // The bucket never holds more than `burst`: what could not be used
        // while the caller was saturated is forgotten, as a token bucket does.
        if (allowed > granted_ + phases_.burst) granted_ = allowed - phases_.burst;
        const std::uint64_t n = std::min(want, allowed - std::min(allowed, granted_));
        granted_ += n;
        return n;
    }

    // Gives back `n` users granted by take() that could not be started.
    void give_back(std::uint64_t n) noexcept { granted_ -= std::min(n, granted_); }

    // New phases from now on (before start: simply the phases to start with).
    void retune(std::uint64_t now_ns, pacer_phases next) noexcept {
        next = normalised(next);
        if (started_) {
            const std::uint64_t t = elapsed(now_ns);
            const __int128 before = static_cast<__int128>(offset_) + allowance(t);
            phases_ = next;
            offset_ = static_cast<std::int64_t>(before - static_cast<__int128>(allowance(t)));
        } else {
            phases_ = next;
        }
    }

    // Which phase the pacer is in at now_ns, and how far into it.
    [[nodiscard]] pacer_phase phase(std::uint64_t now_ns) const noexcept {
        if (!started_) return pacer_phase::waiting;
        const std::uint64_t t = elapsed(now_ns);
        if (t < phases_.ramp_ns) return pacer_phase::ramp_up;
        if (phases_.steady_ns == 0 || t - phases_.ramp_ns < phases_.steady_ns) return pacer_phase::steady;
        if (t - phases_.ramp_ns - phases_.steady_ns < phases_.ramp_down_ns) return pacer_phase::ramp_down;
        return pacer_phase::ended;
    }
    // Nanoseconds since the ramp-down began (0 before it).
    [[nodiscard]] std::uint64_t into_ramp_down(std::uint64_t now_ns) const noexcept {
        if (!started_ || phases_.steady_ns == 0) return 0;
        const std::uint64_t t = elapsed(now_ns), start = phases_.ramp_ns + phases_.steady_ns;
        return t > start ? t - start : 0;
    }

    // Users the phases allow `t_ns` after start (not capped by the bucket,
    // without a retune's offset).
    [[nodiscard]] std::uint64_t allowance(std::uint64_t t_ns) const noexcept {
        const u128 rate = phases_.rate;
        const u128 ramp = phases_.ramp_ns;
        if (t_ns < phases_.ramp_ns) {
            const u128 t = t_ns;
            return static_cast<std::uint64_t>(rate * t * t / (2 * ramp * ns_per_s));
        }
        // The ramp's triangle, the steady rectangle, the ramp-down's trapezoid.
        const u128 up = rate * ramp / 2;
        const u128 t = t_ns - phases_.ramp_ns;
        if (phases_.steady_ns == 0 || t < phases_.steady_ns) return static_cast<std::uint64_t>((up + rate * t) / ns_per_s);
        const u128 steady = rate * phases_.steady_ns;
        const u128 down_len = phases_.ramp_down_ns;
        const u128 d = std::min<u128>(t - phases_.steady_ns, down_len);
        // Rate falls from `rate` to 0 over down_len: integral rate*(d - d^2/(2 down_len)).
        const u128 down = down_len == 0 ? 0 : rate * d - rate * d * d / (2 * down_len);
        return static_cast<std::uint64_t>((up + steady + down) / ns_per_s);
    }

    [[nodiscard]] std::uint64_t granted() const noexcept { return granted_; }
    [[nodiscard]] const pacer_phases& phases() const noexcept { return phases_; }

private:
    __extension__ using u128 = unsigned __int128;
    static constexpr u128 ns_per_s = 1'000'000'000;

    static pacer_phases normalised(pacer_phases p) noexcept {
        if (p.burst == 0) p.burst = 1;
        return p;
    }
    [[nodiscard]] std::uint64_t elapsed(std::uint64_t now_ns) const noexcept {
        return now_ns - std::min(now_ns, start_ns_);
    }
    [[nodiscard]] std::uint64_t allowed_at(std::uint64_t t) const noexcept {
        const std::int64_t a = static_cast<std::int64_t>(allowance(t)) + offset_;
        return a < 0 ? 0 : static_cast<std::uint64_t>(a);
    }

    pacer_phases phases_{};
    std::uint64_t start_ns_ = 0;
    std::uint64_t granted_ = 0;
    std::int64_t offset_ = 0;  // from retunes: keeps the allowance continuous
    bool started_ = false;
};

}  // namespace qqgen::engine
