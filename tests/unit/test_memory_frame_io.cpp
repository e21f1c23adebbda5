// memory_frame_io: the in-memory wire the session engine is tested over.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <set>
#include <vector>

#include "dataplane/engine/memory_frame_io.hpp"

using qqgen::engine::frame_io;
using qqgen::engine::memory_frame_io;
using qqgen::engine::memory_wire_config;
using qqgen::engine::port_role;
using qqgen::engine::wire_verdict;

static_assert(frame_io<memory_frame_io>);

namespace {

// Writes a frame whose bytes are a function of (seq, length) and commits it.
bool send_frame(memory_frame_io& io, port_role role, std::uint32_t seq, std::uint16_t length) {
    auto buf = io.tx_begin(role);
    if (buf.empty()) return false;
    REQUIRE(buf.size() >= length);
    for (std::uint16_t i = 0; i < length; ++i)
        buf[i] = static_cast<std::byte>((seq * 31u + i) & 0xffu);
    io.tx_commit(role, length);
    return true;
}

bool frame_matches(std::span<const std::byte> frame, std::uint32_t seq) {
    for (std::size_t i = 0; i < frame.size(); ++i)
        if (frame[i] != static_cast<std::byte>((seq * 31u + i) & 0xffu)) return false;
    return true;
}

// Receives everything waiting on `role`; returns the frames' first bytes' seq
// check results in order.
std::size_t receive_all(memory_frame_io& io, port_role role, std::uint32_t& next_seq,
                        std::size_t& mismatches) {
    std::size_t got = 0;
    while (unsigned n = io.rx_burst(role, [&](std::span<const std::byte> f) {
               if (!frame_matches(f, next_seq)) ++mismatches;
               ++next_seq;
           })) {
        got += n;
    }
    return got;
}

}  // namespace

TEST_CASE("frames committed on one port arrive intact on the other, both ways") {
    memory_frame_io io;
    for (const port_role from : {port_role::client, port_role::server}) {
        const port_role to = qqgen::engine::peer_of(from);
        std::uint32_t seq_rx = 0;
        std::size_t mismatches = 0;
        std::uint64_t bytes = 0;
        for (std::uint32_t seq = 0; seq < 100; ++seq) {
            const auto length = static_cast<std::uint16_t>(60 + seq * 7);
            REQUIRE(send_frame(io, from, seq, length));
            bytes += length;
        }
        io.flush(from);
        CHECK(receive_all(io, to, seq_rx, mismatches) == 100);
        CHECK(mismatches == 0);
        CHECK(io.counters()[from].tx_frames == 100);
        CHECK(io.counters()[from].tx_bytes == bytes);
        CHECK(io.counters()[to].rx_frames == 100);
        CHECK(io.counters()[to].rx_bytes == bytes);
        CHECK(io.rx_burst(from, [](auto) {}) == 0);  // nothing looped back
    }
    CHECK(io.buffers_free() == io.buffers_total());
}

TEST_CASE("rx_bursts takes a burst from each port before handing on any frame") {
    memory_wire_config cfg;
    cfg.rx_burst = 8;
    memory_frame_io io(cfg);
    // 5 frames towards the server port, 11 towards the client port.
    for (std::uint32_t seq = 0; seq < 5; ++seq) REQUIRE(send_frame(io, port_role::client, seq, 64));
    for (std::uint32_t seq = 100; seq < 111; ++seq) REQUIRE(send_frame(io, port_role::server, seq, 64));
    io.flush(port_role::client);
    io.flush(port_role::server);

    std::vector<std::size_t> seen_before;  // per port, as before_bursts saw them
    std::vector<std::pair<port_role, std::uint32_t>> handed;
    std::vector<std::vector<std::byte>> copies;
    std::size_t mismatches = 0;
    std::uint32_t next_client = 100, next_server = 0;
    const unsigned n = io.rx_bursts(
        [&](const qqgen::engine::port_bursts& b) {
            REQUIRE(handed.empty());  // before any frame is handed on
            for (const auto& burst : b) seen_before.push_back(burst.size());
            for (const auto& burst : b)
                for (const auto f : burst) copies.emplace_back(f.begin(), f.end());
        },
        [&](port_role role, std::span<const std::byte> f) {
            std::uint32_t& next = role == port_role::client ? next_client : next_server;
            if (!frame_matches(f, next)) ++mismatches;
            handed.emplace_back(role, next++);
        });
    CHECK(n == 8 + 5);  // a burst of at most rx_burst from each port
    CHECK(seen_before == std::vector<std::size_t>{8, 5});
    REQUIRE(handed.size() == 13);
    CHECK(mismatches == 0);
    // The client port's frames first, each port's in wire order.
    for (std::size_t i = 0; i < 8; ++i) CHECK(handed[i] == std::pair{port_role::client, 100u + static_cast<std::uint32_t>(i)});
    for (std::size_t i = 0; i < 5; ++i) CHECK(handed[8 + i] == std::pair{port_role::server, static_cast<std::uint32_t>(i)});
    CHECK(copies.size() == 13);
    CHECK(io.counters()[port_role::client].rx_frames == 8);
    CHECK(io.counters()[port_role::server].rx_frames == 5);

    // The rest of the client port's frames, then nothing: 0 and no callback.
    bool called = false;
    CHECK(io.rx_bursts([&](const auto&) { called = true; }, [](port_role, auto) {}) == 3);
    CHECK(called);
    called = false;
    CHECK(io.rx_bursts([&](const auto&) { called = true; }, [](port_role, auto) {}) == 0);
    CHECK_FALSE(called);
    CHECK(io.buffers_free() == io.buffers_total());
}

TEST_CASE("committed frames wait in the TX buffer until a burst is full or flush") {
    memory_wire_config config;
    config.tx_burst = 8;
    memory_frame_io io(config);
    for (std::uint32_t seq = 0; seq < 7; ++seq) REQUIRE(send_frame(io, port_role::client, seq, 64));
    CHECK(io.tx_queued(port_role::client) == 7);
    CHECK(io.in_flight(port_role::server) == 0);
    REQUIRE(send_frame(io, port_role::client, 7, 64));  // the eighth fills the burst
    CHECK(io.tx_queued(port_role::client) == 0);
    CHECK(io.in_flight(port_role::server) == 8);
    REQUIRE(send_frame(io, port_role::client, 8, 64));
    io.flush(port_role::client);
    CHECK(io.in_flight(port_role::server) == 9);
}

TEST_CASE("buffers are reused: a small pool carries many frames") {
    memory_wire_config config;
    config.buffer_count = 4;
    memory_frame_io io(config);
    std::set<const std::byte*> seen;
    std::uint32_t seq_rx = 0;
    std::size_t mismatches = 0;
    for (std::uint32_t seq = 0; seq < 10'000; ++seq) {
        seen.insert(io.tx_begin(port_role::client).data());
        REQUIRE(send_frame(io, port_role::client, seq, 100));
        io.flush(port_role::client);
        REQUIRE(receive_all(io, port_role::server, seq_rx, mismatches) == 1);
    }
    CHECK(mismatches == 0);
    CHECK(seen.size() <= 4);
    CHECK(io.counters()[port_role::client].tx_alloc_failed == 0);
    CHECK(io.buffers_free() == 4);
}

TEST_CASE("an empty pool makes tx_begin fail and counts it") {
    memory_wire_config config;
    config.buffer_count = 3;
    memory_frame_io io(config);
    for (std::uint32_t seq = 0; seq < 3; ++seq) REQUIRE(send_frame(io, port_role::client, seq, 60));
    CHECK(io.tx_begin(port_role::client).empty());
    CHECK(io.tx_begin(port_role::server).empty());
    CHECK(io.counters()[port_role::client].tx_alloc_failed == 1);
    CHECK(io.counters()[port_role::server].tx_alloc_failed == 1);
    io.flush(port_role::client);
    std::uint32_t seq_rx = 0;
    std::size_t mismatches = 0;
    CHECK(receive_all(io, port_role::server, seq_rx, mismatches) == 3);
    CHECK_FALSE(io.tx_begin(port_role::client).empty());  // given back by RX
}

TEST_CASE("tx_begin twice hands back the same buffer; abort returns it") {
    memory_frame_io io;
    const auto before = io.buffers_free();
    auto a = io.tx_begin(port_role::server);
    auto b = io.tx_begin(port_role::server);
    CHECK(a.data() == b.data());
    CHECK(a.size() >= qqgen::engine::min_tx_capacity);
    CHECK(io.buffers_free() == before - 1);
    io.tx_abort(port_role::server);
    CHECK(io.buffers_free() == before);
    io.tx_abort(port_role::server);
    io.tx_commit(port_role::server, 60);
    CHECK(io.counters()[port_role::server].tx_no_frame == 2);
}

TEST_CASE("bad lengths are dropped and counted") {
    memory_frame_io io;
    REQUIRE_FALSE(io.tx_begin(port_role::client).empty());
    io.tx_commit(port_role::client, 0);
    REQUIRE_FALSE(io.tx_begin(port_role::client).empty());
    io.tx_commit(port_role::client, 65000);
    CHECK(io.counters()[port_role::client].tx_bad_length == 2);
    CHECK(io.buffers_free() == io.buffers_total());
}

TEST_CASE("a full wire refuses frames, counts them and frees their buffers") {
    memory_wire_config config;
    config.wire_depth = 10;
    config.tx_burst = 4;
    memory_frame_io io(config);
    for (std::uint32_t seq = 0; seq < 25; ++seq) REQUIRE(send_frame(io, port_role::client, seq, 60));
    io.flush(port_role::client);
    CHECK(io.counters()[port_role::client].tx_frames == 10);
    CHECK(io.counters()[port_role::client].tx_refused == 15);
    CHECK(io.buffers_free() == io.buffers_total() - 10);
}

TEST_CASE("drop_every and corrupt_every act on every Nth frame and are counted") {
    memory_wire_config config;
    config.drop_every = 10;
    config.corrupt_every = 7;
    config.wire_depth = 1024;  // all 700 in flight at once
    memory_frame_io io(config);
    for (std::uint32_t seq = 0; seq < 700; ++seq) {
        REQUIRE(send_frame(io, port_role::server, seq, 80));
        if (seq % 32 == 31) io.flush(port_role::server);
    }
    io.flush(port_role::server);
    // Frame bytes are (seq * 31 + i) mod 256, so an intact 80-byte frame's
    // last byte is its first plus 79.
    std::size_t received = 0;
    std::size_t corrupted = 0;
    while (io.rx_burst(port_role::client, [&](std::span<const std::byte> f) {
        ++received;
        if (f.back() != static_cast<std::byte>((static_cast<unsigned>(f[0]) + 79u) & 0xffu))
            ++corrupted;
    })) {
    }
    const auto& w = io.wire(port_role::server);
    CHECK(w.carried == 700);
    CHECK(w.dropped == 70);
    // Frames 7, 14, ... are corrupted unless also dropped (every 70th is).
    CHECK(w.corrupted == 100 - 10);
    CHECK(corrupted == 90);
    CHECK(w.delivered == 630);
    CHECK(received == 630);
    CHECK(io.counters()[port_role::client].rx_frames == 630);
    CHECK(io.counters()[port_role::server].tx_frames == 700);  // the port sent them all
    CHECK(io.buffers_free() == io.buffers_total());
}

TEST_CASE("corrupted frames differ from what was sent in their last byte") {
    memory_wire_config config;
    config.corrupt_every = 2;
    memory_frame_io io(config);
    for (std::uint32_t seq = 0; seq < 10; ++seq) REQUIRE(send_frame(io, port_role::client, seq, 64));
    io.flush(port_role::client);
    std::uint32_t seq_rx = 0;
    std::size_t mismatches = 0;
    CHECK(receive_all(io, port_role::server, seq_rx, mismatches) == 10);
    CHECK(mismatches == 5);
}

TEST_CASE("a wire hook sees every frame and can drop or rewrite it") {
    memory_frame_io io;
    std::vector<port_role> seen;
    io.set_wire_hook([&](port_role from, std::span<std::byte> frame) {
        seen.push_back(from);
        frame[0] = std::byte{0xaa};
        return frame.size() == 99 ? wire_verdict::drop : wire_verdict::deliver;
    });
    REQUIRE(send_frame(io, port_role::client, 1, 99));
    REQUIRE(send_frame(io, port_role::client, 2, 100));
    io.flush(port_role::client);
    std::vector<std::byte> got;
    CHECK(io.rx_burst(port_role::server, [&](std::span<const std::byte> f) { got.assign(f.begin(), f.end()); }) == 1);
    REQUIRE(got.size() == 100);
    CHECK(got[0] == std::byte{0xaa});
    CHECK(seen == std::vector<port_role>{port_role::client, port_role::client});
    CHECK(io.wire(port_role::client).dropped == 1);
}

TEST_CASE("the wire delay holds frames until the clock reaches their arrival") {
    memory_wire_config config;
    config.delay_ns = 1'000;
    memory_frame_io io(config);
    io.set_now_ns(5'000);
    REQUIRE(send_frame(io, port_role::client, 0, 60));
    io.flush(port_role::client);
    CHECK(io.rx_burst(port_role::server, [](auto) {}) == 0);
    io.advance_ns(999);
    CHECK(io.rx_burst(port_role::server, [](auto) {}) == 0);
    io.advance_ns(1);
    CHECK(io.now_ns() == 6'000);
    CHECK(io.rx_burst(port_role::server, [](auto) {}) == 1);
}

TEST_CASE("hold_back reorders a frame behind the next burst, or releases it 1 ms late") {
    memory_frame_io io;
    io.set_wire_hook([](port_role, std::span<std::byte> frame) {
        return frame.size() == 61 ? wire_verdict::hold_back : wire_verdict::deliver;
    });
    const auto lengths_received = [&] {
        std::vector<std::size_t> v;
        while (io.rx_burst(port_role::server, [&](std::span<const std::byte> f) { v.push_back(f.size()); })) {
        }
        return v;
    };
    // Held in its burst: the burst's other frames pass it; the next burst too.
    REQUIRE(send_frame(io, port_role::client, 0, 61));
    REQUIRE(send_frame(io, port_role::client, 1, 62));
    io.flush(port_role::client);
    CHECK(io.in_flight(port_role::server) == 2);
    CHECK(lengths_received() == std::vector<std::size_t>{62});
    REQUIRE(send_frame(io, port_role::client, 2, 63));
    io.flush(port_role::client);
    CHECK(lengths_received() == std::vector<std::size_t>{63, 61});
    CHECK(io.wire(port_role::client).reordered == 1);
    // Alone on the wire: it arrives once 1 ms has passed.
    REQUIRE(send_frame(io, port_role::client, 3, 61));
    io.flush(port_role::client);
    CHECK(lengths_received().empty());
    io.advance_ns(999'999);
    CHECK(lengths_received().empty());
    io.advance_ns(1);
    CHECK(lengths_received() == std::vector<std::size_t>{61});
    // One held at a time: a second one asked for goes in order.
    REQUIRE(send_frame(io, port_role::client, 4, 61));
    REQUIRE(send_frame(io, port_role::client, 5, 61));
    io.flush(port_role::client);
    CHECK(io.wire(port_role::client).reordered == 3);
    CHECK(lengths_received() == std::vector<std::size_t>{61});
    io.advance_ns(1'000'000);
    CHECK(lengths_received() == std::vector<std::size_t>{61});
    CHECK(io.buffers_free() == io.buffers_total());
}

TEST_CASE("rx_burst hands at most one burst, and on_frame may answer at once") {
    memory_wire_config config;
    config.rx_burst = 16;
    memory_frame_io io(config);
    for (std::uint32_t seq = 0; seq < 40; ++seq) REQUIRE(send_frame(io, port_role::client, seq, 70));
    io.flush(port_role::client);
    // An echo responder: every frame received on the server port is sent back.
    const auto echo = [&](std::span<const std::byte> f) {
        auto out = io.tx_begin(port_role::server);
        REQUIRE(out.size() >= f.size());
        std::copy(f.begin(), f.end(), out.begin());
        io.tx_commit(port_role::server, static_cast<std::uint16_t>(f.size()));
    };
    CHECK(io.rx_burst(port_role::server, echo) == 16);
    CHECK(io.rx_burst(port_role::server, echo) == 16);
    CHECK(io.rx_burst(port_role::server, echo) == 8);
    io.flush(port_role::server);
    std::uint32_t seq_rx = 0;
    std::size_t mismatches = 0;
    CHECK(receive_all(io, port_role::client, seq_rx, mismatches) == 40);
    CHECK(mismatches == 0);
    CHECK(io.buffers_free() == io.buffers_total());
}

TEST_CASE("inject puts a made-up frame on a port's RX") {
    memory_frame_io io;
    const std::array<std::byte, 3> frame{std::byte{1}, std::byte{2}, std::byte{3}};
    REQUIRE(io.inject(port_role::client, frame));
    std::size_t size = 0;
    CHECK(io.rx_burst(port_role::client, [&](std::span<const std::byte> f) { size = f.size(); }) == 1);
    CHECK(size == 3);
}
