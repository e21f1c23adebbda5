// The poll-mode loop every worker lcore runs, as a template on the engine:
// poll the engine, flush TX on a TSC drain deadline (l3fwd's
// BURST_TX_DRAIN_US), look at the stop word and publish counters only at that
// deadline (not every turn), then stop gracefully.
#pragma once

#include <cstdint>

#include <rte_cycles.h>

#include "dataplane/engine/worker_engine.hpp"
#include "dataplane/io/dpdk_frame_io.hpp"
#include "dataplane/io/tsc_clock.hpp"
#include "dataplane/io/worker_stats_slot.hpp"

namespace qqgen::dpdk {

struct worker_loop_timing {
    std::uint64_t drain_ns = 100'000;          // TX drain period
    std::uint64_t publish_ns = 1'000'000;      // counter publication period
    std::uint64_t stop_grace_ns = 2'000'000'000;  // longest graceful stop
};

namespace detail {
inline worker_snapshot snapshot_of(const dpdk_frame_io& io, std::uint64_t loops) noexcept {
    worker_snapshot s;
    s.io = io.counters();
    if (const capture_counters* c = io.capture()) s.capture = *c;
    s.loops = loops;
    return s;
}
inline void flush_all(dpdk_frame_io& io) noexcept {
    io.flush(port_role::client);
    io.flush(port_role::server);
}
}  // namespace detail

template <class Engine>
    requires engine::worker_engine<Engine, dpdk_frame_io>
void run_worker_loop(Engine& engine, dpdk_frame_io& io, const run_control& control,
                     worker_stats_slot& slot, const tsc_clock& clock,
                     const worker_loop_timing& timing) noexcept {
    const std::uint64_t drain_ticks = clock.ticks_for_ns(timing.drain_ns);
    const std::uint64_t publish_ticks = clock.ticks_for_ns(timing.publish_ns);
    std::uint64_t loops = 0;
    std::uint64_t now = rte_rdtsc();
    std::uint64_t next_drain = now + drain_ticks;
    std::uint64_t next_publish = now + publish_ticks;
    slot.state.store(worker_state::running, std::memory_order_relaxed);

    for (;;) {
        engine.poll(io);
        ++loops;
        now = rte_rdtsc();
        if (now < next_drain) [[likely]]
            continue;
        detail::flush_all(io);
        next_drain = now + drain_ticks;
        if (control.get() != run_control::phase::run) [[unlikely]]
            break;
        if (now >= next_publish) {
            slot.publish(detail::snapshot_of(io, loops));
            next_publish = now + publish_ticks;
        }
    }

    slot.state.store(worker_state::stopping, std::memory_order_relaxed);
    const std::uint64_t give_up = rte_rdtsc() + clock.ticks_for_ns(timing.stop_grace_ns);
    while (control.get() != run_control::phase::stop_now) {
        const bool done = engine.graceful_stop_step(io);
        detail::flush_all(io);
        ++loops;
        now = rte_rdtsc();
        if (now >= next_publish) {
            slot.publish(detail::snapshot_of(io, loops));
            next_publish = now + publish_ticks;
        }
        if (done || now >= give_up) break;
    }
    detail::flush_all(io);
    slot.publish(detail::snapshot_of(io, loops));
}

}  // namespace qqgen::dpdk
