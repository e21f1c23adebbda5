// The session engine's work per frame, counted rather than timed: the engine
// runs over memory_frame_io (no DPDK) for a fixed stretch of simulated time,
// so the same build does exactly the same work every run, and the program
// prints the frames it built and received. Under
//     valgrind --tool=callgrind build/bench/engine_work chat
// the instructions per frame compare two builds on a shared, noisy machine
// where timings of a few percent drown (bench/RESULTS.md). valgrind has no
// AVX-512: QQ-TEA runs its AVX2 lanes there.
//
//     engine_work chat|sessions [simulated-ms]
//   chat      2,000 users logged in, chatting back to back (bench/e2e.sh's chat);
//   sessions  full sessions (DNS to logout, no chat) started at 100,000/s.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "dataplane/engine/burst_limits.hpp"
#include "dataplane/engine/chat_content.hpp"
#include "dataplane/engine/load_settings.hpp"
#include "dataplane/engine/memory_frame_io.hpp"
#include "dataplane/engine/session_engine.hpp"

using namespace qqgen;

int main(int argc, char** argv) {
    const std::string_view kind = argc > 1 ? argv[1] : "chat";
    const std::uint64_t run_ms = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 200;
    if (kind != "chat" && kind != "sessions") {
        std::fprintf(stderr, "usage: engine_work chat|sessions [simulated-ms]\n");
        return 2;
    }
    engine::load_settings s;
    s.ramp_ms = 0;
    s.new_user_burst = 64;
    s.message_delay_min_ms = 0;
    s.message_delay_max_ms = 0;
    s.total_sessions = 0;  // users start again until the run ends
    s.new_user_rate = 100000;
    if (kind == "chat") {
        s.users = 2000;
        s.chats_per_user = 100;
        s.messages_per_chat = 100;
        s.buddies_per_user = 7;
        s.keepalive_interval_ms = 600000;
    } else {
        s.users = 20000;
        s.chats_per_user = 0;
        s.keepalive_count = 0;
    }
    const engine::chat_texts_result texts = engine::build_chat_texts();
    if (!texts.ok()) return 1;
    engine::memory_wire_config w;
    w.buffer_count = 16384;
    w.wire_depth = 8192;
    w.tx_burst = engine::max_burst_frames;  // as dpdk_frame_io
    w.rx_burst = engine::max_burst_frames;
    engine::memory_frame_io io(w);
    engine::session_engine<engine::memory_frame_io> e(s, 0, 1, texts.texts);
    // Warm-up (logins): 100 ms of simulated time, not counted.
    auto run = [&](std::uint64_t ms) {
        for (std::uint64_t t = 0; t < ms * 100; ++t) {  // a poll every 10 us
            e.poll(io);
            io.advance_ns(10'000);
        }
    };
    run(100);
    const engine::engine_counters before = e.counters();
    run(run_ms);
    const engine::engine_counters& after = e.counters();
    const std::uint64_t sent = after.frames_sent[0] + after.frames_sent[1] - before.frames_sent[0] - before.frames_sent[1];
    const std::uint64_t received =
        after.frames_received[0] + after.frames_received[1] - before.frames_received[0] - before.frames_received[1];
    std::printf("%s: %llu ms simulated, frames sent %llu, received %llu, users completed %llu, corrupt %llu\n",
                std::string(kind).c_str(), static_cast<unsigned long long>(run_ms),
                static_cast<unsigned long long>(sent), static_cast<unsigned long long>(received),
                static_cast<unsigned long long>(after.users.completed - before.users.completed),
                static_cast<unsigned long long>(after.messages.corrupt + after.server.corrupt));
    return 0;
}
