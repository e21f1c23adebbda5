// One worker drives both halves over a wire of bounded depth (net_ring's
// 1024 frames): each poll must take in what the last one sent, or the wire
// overflows and the engine drops its own frames (issue 6: "no frame dropped
// by qqgen itself below the reported maximum rate").
#include <catch2/catch.hpp>

#include "engine_test_support.hpp"

using namespace qqgen;
using namespace qqgen::test;

TEST_CASE("full sessions started as fast as the worker can overflow no 1024-frame wire", "[engine][drain]") {
    load_settings s = quick_settings(4000);
    s.new_user_rate = 1'000'000;  // far above what one worker completes: as fast as it can
    s.new_user_burst = 4000;
    s.chats_per_user = 0;  // bench/e2e.sh's full-session scenario
    s.keepalive_count = 0;
    memory_wire_config w;
    w.buffer_count = 8192;
    w.wire_depth = 1024;
    memory_frame_io io(w);
    engine_t e(s, 0, 1, texts());
    // Polls 100 us of simulated time apart, as the DPDK loop's drain period.
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 120'000'000'000));
    settle(e, io, 2'000'000'000);
    const auto& c = e.counters();
    CHECK(c.users.completed == 4000);
    CHECK(io.counters()[port_role::client].tx_refused == 0);
    CHECK(io.counters()[port_role::server].tx_refused == 0);
    CHECK(c.server.corrupt == 0);
}
