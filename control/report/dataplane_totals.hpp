// The sum of every worker's stats block at one moment, and the rates
// between two such moments: what `qqgen run` and `qqgen stats` print and
// what report.json keeps.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "control/shm/shm_attach.hpp"
#include "dataplane/shm/shm_abi.hpp"

namespace qqgen::control {

struct dataplane_totals {
    std::vector<shm::shm_worker_stats> workers;  // as read, per worker
    engine::engine_counters engine{};
    engine::io_counters io{};
    std::uint64_t active_users = 0;
    std::uint64_t slots = 0;
    std::uint64_t loops = 0;
    std::uint64_t mbufs_in_use = 0;  // out of the workers' pools
    std::uint64_t mbufs_total = 0;
    std::uint64_t read_mono_ns = 0;  // when it was read
    shm::worker_phase phase = shm::worker_phase::waiting;  // the least advanced worker's
    std::uint32_t unreadable = 0;  // workers whose block gave no stable copy this time

    // Every worker's applied generation is at least `g`.
    [[nodiscard]] bool all_applied(std::uint64_t g) const noexcept;
};

// Frames qqgen itself could not send or keep: pool dry, TX queue full, bad
// length, multi-segment receive (the engine's tx_no_buffer is the same event
// as tx_alloc_failed, seen from above, so it is not added).
std::uint64_t frames_dropped(const engine::io_counters& io);

// Reads and sums every worker's block.
dataplane_totals read_totals(const shm_attachment& shm);

// One progress line: phase, elapsed, users active and how many of them are
// in each stage group (login, sync, chat, keep-alive, logout), started,
// done, failed; frames/s per port and direction and Mbit/s per port (both
// directions) since `before`; failures.
// Users inside the given stages now (started, not completed or given up).
std::uint64_t in_stages(const engine::engine_counters& e, std::initializer_list<engine::stage> stages);

std::string progress_line(const dataplane_totals& now, const dataplane_totals& before, double elapsed_s,
                          double planned_s);

}  // namespace qqgen::control
