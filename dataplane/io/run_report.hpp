// What a run did (counters) and how it ended (stop reason, leaks, errors).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dataplane/engine/frame_io.hpp"
#include "dataplane/io/worker_stats_slot.hpp"

namespace qqgen::dpdk {

// All workers' published counters at one moment.
struct run_snapshot {
    double elapsed_s = 0;
    worker_snapshot total{};
    std::vector<worker_snapshot> workers;
};

struct run_report {
    run_snapshot final{};
    std::string stop_reason;
    std::uint64_t capture_written = 0;
    std::vector<std::string> errors;
};

struct pool_usage {
    std::string pool;
    unsigned in_use = 0;
    unsigned size = 0;
};

struct shutdown_report {
    unsigned wire_frames_dropped = 0;   // still on the wire at stop; freed
    std::vector<pool_usage> pools;      // every pool, checked after the ports closed
    std::vector<std::string> errors;    // leaks among them
    bool clean() const noexcept { return errors.empty(); }
};

}  // namespace qqgen::dpdk
