// What one worker's companion applications did (app_engine.hpp), one set per
// application (app_kind order). Plain uint64 runs and a latency histogram:
// part of engine_counters, hence of the shared-memory stats block; the
// control process sums workers with +=.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "dataplane/engine/app_settings.hpp"
#include "dataplane/engine/latency_histogram.hpp"

namespace qqgen::engine {

struct app_counters {
    std::uint64_t sessions_started = 0;
    std::uint64_t sessions_completed = 0;  // every transaction done (and, over TCP, the connection closed)
    std::uint64_t sessions_failed = 0;     // gave up: failed_timeout + failed_reset + failed_corrupt
    std::uint64_t sessions_stopped = 0;    // ended early because the worker stopped
    std::uint64_t failed_timeout = 0;      // a query or segment unanswered after every try
    std::uint64_t failed_reset = 0;        // RST received, or a DNS error answer
    std::uint64_t failed_corrupt = 0;      // received bytes differ from what the peer must have sent
    std::uint64_t transactions = 0;        // completed: answers, responses, datagrams received by the server
    std::uint64_t retransmits = 0;         // queries and segments sent again (both halves)
    std::uint64_t corrupt = 0;             // frames whose payload differs from the derivation (both halves)
    std::uint64_t unexpected = 0;          // frames for no session or state (late, stale)
    std::uint64_t datagrams_lost = 0;      // udp_stream: sent but never received by the server
    // Frames and their bytes (whole Ethernet frames, as the port counts them)
    // per port, index_of(port_role): the application's share of the ports.
    std::array<std::uint64_t, 2> frames_sent{};
    std::array<std::uint64_t, 2> bytes_sent{};
    std::array<std::uint64_t, 2> frames_received{};
    std::array<std::uint64_t, 2> bytes_received{};
    std::uint64_t payload_bytes = 0;       // application bytes delivered (requests and responses, in order)
    latency_histogram latency{};           // request first sent -> whole answer received (udp_stream: none)
    latency_histogram connect_latency{};   // TCP: SYN first sent -> SYN-ACK received

    app_counters& operator+=(const app_counters& o) noexcept;  // engine_counters.cpp
};

using app_counter_set = std::array<app_counters, app_kind_count>;

}  // namespace qqgen::engine
