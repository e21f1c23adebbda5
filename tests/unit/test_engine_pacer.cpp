// The new-session pacer on a fake clock: steady rate, linear ramp, bucket
// depth, concurrency limits through `want`, give-back.
#include <catch2/catch.hpp>

#include <cstdint>

#include "dataplane/engine/pacer.hpp"

using qqgen::engine::pacer;
using qqgen::engine::pacer_phases;

namespace {
constexpr std::uint64_t ms = 1'000'000;
constexpr std::uint64_t s = 1'000 * ms;

// Takes as many as allowed every `step` ns from `from` to `to`.
std::uint64_t drain(pacer& p, std::uint64_t from, std::uint64_t to, std::uint64_t step) {
    std::uint64_t n = 0;
    for (std::uint64_t t = from; t <= to; t += step) n += p.take(t, 1'000'000);
    return n;
}
}  // namespace

TEST_CASE("nothing before start, steady rate after", "[pacer]") {
    pacer p(pacer_phases{1000, 0, 32});
    CHECK(p.take(5 * s, 100) == 0);  // not started
    p.start(10 * s);
    CHECK(p.take(10 * s, 100) == 0);
    // 1000/s polled every ms: one per ms, 1000 in a second.
    CHECK(drain(p, 10 * s + ms, 11 * s, ms) == 1000);
    CHECK(p.granted() == 1000);
}

TEST_CASE("linear ramp: half the steady rate's users during the ramp", "[pacer]") {
    pacer p(pacer_phases{1000, 2 * s, 1'000'000});
    p.start(0);
    CHECK(p.allowance(s) == 250);       // 1000 * 1^2 / (2 * 2)
    CHECK(p.allowance(2 * s) == 1000);  // end of ramp: the triangle
    CHECK(p.allowance(3 * s) == 2000);  // then 1000 per second
    CHECK(drain(p, 0, s, ms) == 250);
    CHECK(drain(p, s + ms, 2 * s, ms) == 750);
    CHECK(drain(p, 2 * s + ms, 3 * s, ms) == 1000);
}

TEST_CASE("the bucket holds at most burst after a pause", "[pacer]") {
    pacer p(pacer_phases{1000, 0, 32});
    p.start(0);
    // The caller could not start anyone for 5 s (no free slot).
    CHECK(p.take(5 * s, 1'000'000) == 32);
    CHECK(p.take(5 * s, 1'000'000) == 0);
    CHECK(p.take(5 * s + 10 * ms, 1'000'000) == 10);
}

TEST_CASE("want caps a grant; what is not taken stays", "[pacer]") {
    pacer p(pacer_phases{1000, 0, 100});
    p.start(0);
    CHECK(p.take(50 * ms, 20) == 20);
    CHECK(p.take(50 * ms, 100) == 30);
    CHECK(p.take(50 * ms, 100) == 0);
    p.give_back(5);
    CHECK(p.take(50 * ms, 100) == 5);
}

TEST_CASE("stop grants nothing more", "[pacer]") {
    pacer p(pacer_phases{1000, 0, 100});
    p.start(0);
    CHECK(p.take(10 * ms, 100) == 10);
    p.stop();
    CHECK_FALSE(p.running());
    CHECK(p.take(10 * s, 100) == 0);
}

TEST_CASE("high rates and long runs do not overflow", "[pacer]") {
    pacer p(pacer_phases{10'000'000, 3600 * s, 1'000'000'000});
    p.start(0);
    // After 10 days at 10M/s (ramp of one hour): about 8.6e12 users.
    const std::uint64_t t = 10ull * 86400 * s;
    const std::uint64_t want = 10'000'000ull * (t / s) - 10'000'000ull * 3600 / 2;
    CHECK(p.allowance(t) == want);
}

TEST_CASE("steady then ramp-down: the rate falls to 0 and the phases end", "[pacer]") {
    // 1 s ramp-up, 2 s steady, 2 s ramp-down at 1000/s.
    pacer p(pacer_phases{1000, s, 1'000'000, 2 * s, 2 * s});
    using qqgen::engine::pacer_phase;
    CHECK(p.phase(0) == pacer_phase::waiting);
    p.start(0);
    CHECK(p.phase(500 * ms) == pacer_phase::ramp_up);
    CHECK(p.phase(s) == pacer_phase::steady);
    CHECK(p.phase(3 * s) == pacer_phase::ramp_down);
    CHECK(p.phase(5 * s) == pacer_phase::ended);
    CHECK(p.allowance(s) == 500);
    CHECK(p.allowance(3 * s) == 2500);
    CHECK(p.allowance(4 * s) == 2500 + 750);  // first half of the ramp-down: 3/4 of 1000
    CHECK(p.allowance(5 * s) == 3500);        // the whole ramp-down triangle
    CHECK(p.allowance(60 * s) == 3500);       // nothing after the end
    CHECK(drain(p, 0, 10 * s, ms) == 3500);
    CHECK(p.into_ramp_down(4 * s) == s);
}

TEST_CASE("retune: a live rate change applies from its moment, nothing granted twice", "[pacer]") {
    pacer p(pacer_phases{1000, 0, 1'000'000});
    p.start(0);
    CHECK(drain(p, ms, 2 * s, ms) == 2000);
    p.retune(2 * s, pacer_phases{2000, 0, 1'000'000});
    CHECK(p.take(2 * s, 1'000'000) == 0);  // continuous at the change
    CHECK(drain(p, 2 * s + ms, 3 * s, ms) == 2000);
    // Halving later, and ending the steady phase at 4 s with a 1 s ramp-down.
    p.retune(3 * s, pacer_phases{1000, 0, 1'000'000, 4 * s, s});
    CHECK(drain(p, 3 * s + ms, 4 * s, ms) == 1000);
    CHECK(drain(p, 4 * s + ms, 10 * s, ms) == 500);
    CHECK(p.phase(10 * s) == qqgen::engine::pacer_phase::ended);
}
