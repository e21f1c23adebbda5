// The session engine's phases and live profile changes over memory_frame_io:
// the concurrency target holds, the ramp-down logs users out and ends the
// run, a live rate change shows at once, a change that needs a restart is
// refused and the engine keeps its settings.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>

#include "engine_test_support.hpp"

using namespace qqgen;
using namespace qqgen::test;
using engine::run_phase;

namespace {

constexpr std::uint64_t ms = 1'000'000;

// Users who stay online long (many keep-alives) so that concurrency builds up.
load_settings long_users(std::uint32_t slots) {
    load_settings s = quick_settings(slots);
    s.total_sessions = 0;
    s.chats_per_user = 0;
    s.keepalive_interval_ms = 1000;
    s.keepalive_count = 1000;
    s.redirect_ppm = 0;
    return s;
}

}  // namespace

TEST_CASE("the concurrency target caps active users below the slots", "[engine][phases]") {
    load_settings s = long_users(100);
    s.concurrent_target = 40;
    s.new_user_rate = 10000;
    memory_frame_io io(roomy_wire());
    engine_t e(s, 0, 1, texts());
    std::uint32_t most = 0;
    run_until(e, io, [&] {
        most = std::max(most, e.active_users());
        return false;
    }, 500 * ms, ms);
    CHECK(most == 40);
    CHECK(e.phase() == run_phase::steady);
}

TEST_CASE("ramp-down: users log out, the phases end, the engine is done", "[engine][phases]") {
    load_settings s = long_users(200);
    s.new_user_rate = 2000;
    s.ramp_ms = 50;
    s.steady_ms = 300;
    s.ramp_down_ms = 200;
    memory_frame_io io(roomy_wire());
    engine_t e(s, 0, 1, texts());
    run_until(e, io, [&] { return e.phase() == run_phase::steady; }, 100 * ms, ms);
    run_until(e, io, [&] { return e.phase() == run_phase::ramp_down; }, 400 * ms, ms);
    const std::uint32_t at_start_of_ramp_down = e.active_users();
    CHECK(at_start_of_ramp_down == 200);
    // Halfway down: about half the users are left.
    run_until(e, io, [] { return false; }, 100 * ms, ms);
    CHECK(e.active_users() <= 101);
    CHECK(e.active_users() >= 90);
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 300 * ms, ms));
    CHECK(e.phase() == run_phase::ended);
    const auto& c = e.counters();
    CHECK(c.users.stopped == c.users.started);  // every one logged out early (1000 keep-alives)
    CHECK(c.users.failed == 0);
    CHECK(c[stage::logout].completed == c.users.started);
}

TEST_CASE("a live rate change shows within the next polls", "[engine][phases]") {
    load_settings s = long_users(100000);
    s.new_user_rate = 1000;
    s.ramp_ms = 0;
    s.new_user_burst = 4;  // above what one 1-ms poll is granted at 2000/s
    memory_frame_io io(roomy_wire());
    engine_t e(s, 0, 1, texts());
    run_until(e, io, [] { return false; }, 200 * ms, ms);
    const std::uint64_t before = e.counters().users.started;
    run_until(e, io, [] { return false; }, 100 * ms, ms);
    const std::uint64_t slow = e.counters().users.started - before;
    CHECK(slow >= 99);
    CHECK(slow <= 101);

    load_settings doubled = s;
    doubled.new_user_rate = 2000;
    doubled.keepalive_interval_ms = 500;
    doubled.message_delay_max_ms = 40;
    CHECK(e.apply(doubled).empty());
    CHECK(e.settings().new_user_rate == 2000);
    const std::uint64_t at_change = e.counters().users.started;
    run_until(e, io, [] { return false; }, 100 * ms, ms);
    const std::uint64_t fast = e.counters().users.started - at_change;
    CHECK(fast >= 199);
    CHECK(fast <= 201);
    CHECK(e.counters().users.failed == 0);
}

TEST_CASE("a change that needs a restart is refused; the old settings stay", "[engine][phases]") {
    load_settings s = long_users(50);
    memory_frame_io io(roomy_wire());
    engine_t e(s, 0, 1, texts());
    run_until(e, io, [] { return false; }, 50 * ms, ms);

    load_settings bigger = s;
    bigger.users = 100;
    const std::string why = e.apply(bigger);
    CHECK(why.find("users cannot change") != std::string::npos);
    load_settings reseeded = s;
    reseeded.seed = 2;
    reseeded.new_user_rate = 5;
    CHECK(e.apply(reseeded).find("seed") == 0);
    load_settings invalid = s;
    invalid.new_user_rate = 0;
    CHECK(e.apply(invalid).find("new_user_rate") != std::string::npos);
    load_settings over_target = s;
    over_target.concurrent_target = 51;
    CHECK(e.apply(over_target).find("concurrent_target") != std::string::npos);

    CHECK(e.settings().users == 50);
    CHECK(e.settings().seed == 1);
    CHECK(e.settings().new_user_rate == s.new_user_rate);
    run_until(e, io, [] { return false; }, 50 * ms, ms);
    CHECK(e.counters().users.failed == 0);
}

TEST_CASE("lowering the concurrency target live logs the excess out", "[engine][phases]") {
    load_settings s = long_users(100);
    s.new_user_rate = 100000;
    memory_frame_io io(roomy_wire());
    engine_t e(s, 0, 1, texts());
    run_until(e, io, [&] { return e.active_users() == 100; }, 200 * ms, ms);
    load_settings fewer = s;
    fewer.concurrent_target = 30;
    REQUIRE(e.apply(fewer).empty());
    run_until(e, io, [] { return false; }, 20 * ms, ms);
    CHECK(e.active_users() == 30);
    CHECK(e.counters().users.stopped == 70);
}
