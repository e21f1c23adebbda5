// The engine's hierarchical timer wheel: insert, cancel, expiry order, long
// timeouts (60-s keep-alives at 1-ms ticks), tick wrap-around.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "dataplane/engine/timer_wheel.hpp"

using qqgen::engine::timer_node;
using qqgen::engine::timer_none;
using qqgen::engine::timer_wheel;

namespace {

struct nodes_of {
    std::vector<timer_node>* v;
    timer_node& operator()(std::uint32_t id) const noexcept { return (*v)[id]; }
};

struct fixture {
    explicit fixture(std::uint32_t n, std::uint32_t now = 0) : nodes(n), wheel(n, nodes_of{&nodes}, now) {}
    std::vector<timer_node> nodes;
    timer_wheel<nodes_of> wheel;

    // Runs ticks up to `now`, returning the ids that expired, in order.
    std::vector<std::uint32_t> run_to(std::uint32_t now) {
        std::vector<std::uint32_t> out;
        wheel.advance(now);
        for (std::uint32_t id; (id = wheel.pop_expired()) != timer_none;) out.push_back(id);
        return out;
    }
};

}  // namespace

TEST_CASE("timers expire at their tick, not before", "[timer_wheel]") {
    fixture f(8);
    f.wheel.schedule(0, 5);
    f.wheel.schedule(1, 3);
    f.wheel.schedule(2, 300);  // level 1
    CHECK(f.wheel.armed_count() == 3);
    CHECK(f.run_to(2).empty());
    CHECK(f.run_to(3) == std::vector<std::uint32_t>{1});
    CHECK(f.run_to(4).empty());
    CHECK(f.run_to(5) == std::vector<std::uint32_t>{0});
    CHECK(f.run_to(299).empty());
    CHECK(f.run_to(300) == std::vector<std::uint32_t>{2});
    CHECK(f.wheel.armed_count() == 0);
    CHECK_FALSE(f.wheel.armed(2));
}

TEST_CASE("expiry order follows deadlines across levels", "[timer_wheel]") {
    const std::uint32_t n = 2000;
    fixture f(n);
    std::mt19937 rng(7);
    std::vector<std::uint32_t> deadline(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        deadline[i] = 1 + rng() % 200'000;  // up to level 2
        f.wheel.schedule(i, deadline[i]);
    }
    std::vector<std::uint32_t> fired_at(n, 0);
    std::uint32_t fired = 0;
    for (std::uint32_t t = 0;; t += 1 + rng() % 500) {
        t = std::min<std::uint32_t>(t, 200'000);
        for (std::uint32_t id : f.run_to(t)) {
            REQUIRE(fired_at[id] == 0);
            fired_at[id] = t;
            ++fired;
        }
        if (t == 200'000) break;
    }
    CHECK(fired == n);
    for (std::uint32_t i = 0; i < n; ++i) {
        // Fired on the first advance at or after its deadline.
        REQUIRE(fired_at[i] >= deadline[i]);
        REQUIRE(fired_at[i] - deadline[i] < 500);
    }
}

TEST_CASE("each tick expires in deadline order when advanced one tick at a time", "[timer_wheel]") {
    fixture f(64);
    for (std::uint32_t i = 0; i < 64; ++i) f.wheel.schedule(i, 1000 - i * 10);
    std::vector<std::uint32_t> order;
    for (std::uint32_t t = 0; t <= 1000; ++t)
        for (std::uint32_t id : f.run_to(t)) order.push_back(id);
    REQUIRE(order.size() == 64);
    for (std::uint32_t i = 0; i < 64; ++i) CHECK(order[i] == 63 - i);
}

TEST_CASE("cancel and re-arm", "[timer_wheel]") {
    fixture f(4);
    f.wheel.schedule(0, 10);
    f.wheel.schedule(1, 10);
    f.wheel.schedule(2, 70'000);
    f.wheel.cancel(1);
    f.wheel.cancel(1);  // twice: no effect
    f.wheel.cancel(3);  // never armed: no effect
    CHECK(f.wheel.armed_count() == 2);
    f.wheel.schedule(0, 20);  // re-arm moves it
    CHECK(f.wheel.armed_count() == 2);
    CHECK(f.run_to(10).empty());
    CHECK(f.run_to(20) == std::vector<std::uint32_t>{0});
    f.wheel.cancel(2);  // cancel from a high level
    CHECK(f.run_to(80'000).empty());
    CHECK(f.wheel.armed_count() == 0);
}

TEST_CASE("60-s keep-alives at 1-ms ticks, many rounds", "[timer_wheel]") {
    // 1000 sessions re-arm a 60,000-tick keep-alive each time it fires,
    // staggered; over 10 minutes each fires exactly 10 times, on time.
    const std::uint32_t n = 1000;
    fixture f(n);
    std::vector<std::uint32_t> due(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        due[i] = 60'000 + i * 37;
        f.wheel.schedule(i, due[i]);
    }
    std::vector<std::uint32_t> count(n, 0);
    for (std::uint32_t t = 1; t <= 600'000 + 37 * n; t += 1) {
        f.wheel.advance(t);
        for (std::uint32_t id; (id = f.wheel.pop_expired()) != timer_none;) {
            REQUIRE(due[id] == t);
            ++count[id];
            if (count[id] < 10) {
                due[id] = t + 60'000;
                f.wheel.schedule(id, due[id]);
            }
        }
    }
    for (std::uint32_t i = 0; i < n; ++i) REQUIRE(count[i] == 10);
    CHECK(f.wheel.armed_count() == 0);
}

TEST_CASE("a long jump of the clock expires everything due", "[timer_wheel]") {
    fixture f(3);
    f.wheel.schedule(0, 60'000);
    f.wheel.schedule(1, 3'600'000);     // one hour: level 2
    f.wheel.schedule(2, 100'000'000);   // ~28 hours: level 3
    CHECK(f.run_to(59'999).empty());
    CHECK(f.run_to(4'000'000) == std::vector<std::uint32_t>{0, 1});
    CHECK(f.run_to(99'999'999).empty());
    CHECK(f.run_to(100'000'000) == std::vector<std::uint32_t>{2});
}

TEST_CASE("ticks wrap around 2^32", "[timer_wheel]") {
    const std::uint32_t start = 0xFFFFFF00u;
    fixture f(2, start);
    f.wheel.schedule(0, start + 0x80);   // before the wrap
    f.wheel.schedule(1, start + 0x1000); // after it (small value)
    CHECK(f.run_to(start + 0x7F).empty());
    CHECK(f.run_to(start + 0x80) == std::vector<std::uint32_t>{0});
    CHECK(f.run_to(start + 0xFFF).empty());
    CHECK(f.run_to(start + 0x1000) == std::vector<std::uint32_t>{1});
}

TEST_CASE("a timer scheduled in the past fires with the next tick run", "[timer_wheel]") {
    fixture f(2);
    CHECK(f.run_to(100).empty());
    f.wheel.schedule(0, 50);
    CHECK(f.run_to(100).empty());  // tick 100 has run already
    CHECK(f.run_to(101) == std::vector<std::uint32_t>{0});
}
