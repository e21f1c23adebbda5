// How a worker's counters reach the main lcore: the worker keeps plain
// counters on its own lines and, about once a millisecond, copies them into
// its slot with relaxed atomic stores; the main lcore reads them with relaxed
// atomic loads. One writer per slot, so no read-modify-write and no lock; a
// reader may see a slightly old value, never a torn one. (The same pattern
// as the per-worker stats blocks of the control shared memory, design.md.)
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "dataplane/engine/frame_io.hpp"
#include "dataplane/io/capture_tap.hpp"

namespace qqgen::dpdk {

enum class worker_state : std::uint32_t { starting = 0, running = 1, stopping = 2, finished = 3 };

// A copy of a worker's counters at one moment.
struct worker_snapshot {
    engine::io_counters io{};
    capture_counters capture{};
    std::uint64_t loops = 0;  // poll-loop turns
};

// One per worker, on its own cache lines so that publishing never
// invalidates a line another worker or the main lcore writes.
struct alignas(64) worker_stats_slot {
    worker_snapshot published{};
    std::atomic<worker_state> state{worker_state::starting};
    // Why the worker ended before it was told to (empty if it did not);
    // written before `state` becomes finished (release), read after (acquire).
    std::array<char, 160> failure{};

    void publish(const worker_snapshot& now) noexcept {
        for (std::size_t p = 0; p < now.io.port.size(); ++p)
            for (auto field : engine::port_counters::fields)
                store(published.io.port[p].*field, now.io.port[p].*field);
        for (auto field : capture_counters::fields)
            store(published.capture.*field, now.capture.*field);
        store(published.loops, now.loops);
    }

    worker_snapshot read() const noexcept {
        worker_snapshot s;
        for (std::size_t p = 0; p < s.io.port.size(); ++p)
            for (auto field : engine::port_counters::fields)
                s.io.port[p].*field = load(published.io.port[p].*field);
        for (auto field : capture_counters::fields) s.capture.*field = load(published.capture.*field);
        s.loops = load(published.loops);
        return s;
    }

private:
    static void store(std::uint64_t& to, std::uint64_t v) noexcept {
        std::atomic_ref<std::uint64_t>(to).store(v, std::memory_order_relaxed);
    }
    static std::uint64_t load(const std::uint64_t& from) noexcept {
        // atomic_ref<const T> is not in C++20; the load does not write.
        return std::atomic_ref<std::uint64_t>(const_cast<std::uint64_t&>(from))
            .load(std::memory_order_relaxed);
    }
};

// The main lcore's word to all workers, on a line of its own that workers
// only read (so it stays shared in their caches until it changes).
struct alignas(64) run_control {
    enum class phase : std::uint32_t { run = 0, stop = 1, stop_now = 2 };
    std::atomic<phase> current{phase::run};

    phase get() const noexcept { return current.load(std::memory_order_relaxed); }
    void request(phase p) noexcept { current.store(p, std::memory_order_relaxed); }
};

}  // namespace qqgen::dpdk
