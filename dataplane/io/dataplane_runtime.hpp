// One run of the dataplane: ports and mempools up, one poll-mode worker per
// worker lcore, housekeeping on the main lcore, clean stop, leak check.
//
//   eal_session eal;  eal.init(...)             (main: EAL args before `--`)
//   dataplane_runtime rt(options, stdout);
//   rt.setup();                                 pools, topology, ports, capture
//   run_report r = rt.run(make_engine, &sigs);  workers until signal/duration
//   shutdown_report s = rt.shutdown();          ports closed, leaks checked
//
// The main lcore does no packet I/O: it prints stats, drains capture into
// the pcap file and watches for SIGINT/SIGTERM. Workers are told to stop
// through an atomic word, run the engine's graceful-stop step, publish their
// final counters and free every mbuf they hold.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <string>
#include <utility>
#include <vector>

#include <rte_launch.h>
#include <rte_lcore.h>

#include "dataplane/engine/queue_steering.hpp"
#include "dataplane/engine/worker_engine.hpp"
#include "dataplane/io/capture_writer.hpp"
#include "dataplane/io/dpdk_frame_io.hpp"
#include "dataplane/io/eth_port.hpp"
#include "dataplane/io/io_status.hpp"
#include "dataplane/io/mbuf_pool.hpp"
#include "dataplane/io/run_report.hpp"
#include "dataplane/io/signal_watch.hpp"
#include "dataplane/io/tsc_clock.hpp"
#include "dataplane/io/wire_topology.hpp"
#include "dataplane/io/worker_info.hpp"
#include "dataplane/io/worker_loop.hpp"
#include "dataplane/io/worker_stats_slot.hpp"

namespace qqgen::dpdk {

enum class topology_kind : std::uint8_t { wire, ports };

struct runtime_options {
    topology_kind topology = topology_kind::wire;
    std::string client_port;                 // topology ports: DPDK port names
    std::string server_port;
    unsigned workers = 0;                    // 0: one per worker lcore
    unsigned mbufs_per_worker = 16383;
    std::uint16_t rx_desc = 1024;
    std::uint16_t tx_desc = 1024;
    unsigned wire_ring_size = 1024;
    std::chrono::milliseconds link_timeout{5000};
    std::string capture_path;                // empty: no capture
    std::uint32_t capture_sample = 1;        // 1 in N
    capture_direction capture_dir = capture_direction::tx;
    unsigned capture_ring_size = 4096;
    double duration_s = 0;                   // 0: until SIGINT/SIGTERM
    double stats_interval_s = 1;             // 0: no periodic stats
    worker_loop_timing timing{};
    std::string name_prefix = "qqgen";       // for EAL object names; <= 10 chars
};

// Asked each housekeeping tick (about every millisecond); true stops the run.
// Still asked while the workers stop (the answer ignored), so that it can beat.
using stop_predicate = std::function<bool(const run_snapshot&)>;

class dataplane_runtime {
public:
    dataplane_runtime(runtime_options options, std::FILE* out);
    dataplane_runtime(const dataplane_runtime&) = delete;
    dataplane_runtime& operator=(const dataplane_runtime&) = delete;
    ~dataplane_runtime();

    // Needs an initialised EAL. Makes per-worker mempools on the workers'
    // sockets, the topology, both ports (one queue pair per worker) and the
    // capture file. On failure, shutdown() undoes what was done.
    io_status setup();

    unsigned worker_count() const noexcept { return static_cast<unsigned>(workers_.size()); }
    const std::vector<port_facts>& ports() const noexcept { return port_facts_; }
    // How the ports spread received flows over the workers' queues, for the
    // engines' choice of client ports (after setup; none on the wire
    // topology, with one worker, or without L4 RSS on both ports).
    const engine::queue_steering& steering() const noexcept { return steering_; }
    // The queues and pool of worker `w`, for code that drives a
    // dpdk_frame_io itself on the main lcore (tests).
    worker_queues queues_of(unsigned w) const noexcept { return workers_.at(w).queues; }
    const tsc_clock& clock() const noexcept { return clock_; }
    capture_writer& capture() noexcept { return capture_; }

    // Launches make_engine(const worker_info&) -> Engine on every worker
    // lcore (concurrently: the factory must be safe to call from several
    // threads at once), runs until a signal, the duration, or stop_when, then
    // stops the workers and closes the capture file.
    template <class Factory>
    run_report run(Factory&& make_engine, signal_watch* signals, stop_predicate stop_when = {});

    // Closes the ports, empties the wire, checks every mempool is full again
    // (a leak is an error in the report), frees the pools. Idempotent.
    shutdown_report shutdown();

private:
    // Everything a worker needs, written by the main lcore before launch and
    // only read afterwards; one per worker, on its own cache lines.
    struct alignas(64) worker_context {
        worker_info info{};
        worker_queues queues{};
        capture_tap tap{};
        worker_stats_slot* slot = nullptr;
        const run_control* control = nullptr;
        tsc_clock clock{0, 1};
        worker_loop_timing timing{};
    };

    template <class Factory>
    struct launch_args {
        worker_context* context;
        Factory* factory;
    };

    template <class Factory>
    static int worker_entry(void* arg) noexcept;

    run_report housekeeping(signal_watch* signals, const stop_predicate& stop_when,
                            std::vector<std::string> launch_errors);
    run_snapshot collect(double elapsed_s) const;

    runtime_options options_;
    std::FILE* out_;
    tsc_clock clock_{0, 1};
    std::vector<worker_context> workers_;
    std::unique_ptr<worker_stats_slot[]> slots_;  // not movable: atomics
    run_control control_;
    std::vector<mbuf_pool> pools_;
    wire_topology wire_;
    std::vector<std::uint16_t> open_ports_;
    std::vector<port_facts> port_facts_;
    engine::queue_steering steering_;
    capture_writer capture_;
    bool set_up_ = false;
    bool ran_ = false;
};

template <class Factory>
int dataplane_runtime::worker_entry(void* arg) noexcept {
    auto& a = *static_cast<launch_args<Factory>*>(arg);
    worker_context& ctx = *a.context;
    using engine_t = std::invoke_result_t<Factory&, const worker_info&>;
    static_assert(engine::worker_engine<engine_t, dpdk_frame_io>,
                  "the factory must return an engine with noexcept poll(Io&) and "
                  "graceful_stop_step(Io&) -> bool");
    // Builds the engine in place from the factory's prvalue, so the engine
    // need not be movable.
    struct make_engine {
        Factory& factory;
        const worker_info& info;
        operator engine_t() const { return factory(info); }
    };
    int status = 0;
    {
        // Made here, on the worker's lcore: its stack, its mempool cache, its
        // first-touch memory.
        capture_tap tap = ctx.tap;
        dpdk_frame_io io(ctx.queues, ctx.clock, &tap);
        std::optional<engine_t> engine;
        try {
            engine.emplace(make_engine{*a.factory, ctx.info});
        } catch (const std::exception& e) {
            std::snprintf(ctx.slot->failure.data(), ctx.slot->failure.size(),
                          "engine construction failed: %s", e.what());
            status = -1;
        } catch (...) {
            std::snprintf(ctx.slot->failure.data(), ctx.slot->failure.size(),
                          "engine construction failed");
            status = -1;
        }
        if (engine) run_worker_loop(*engine, io, *ctx.control, *ctx.slot, ctx.clock, ctx.timing);
    }
    // io destroyed: every mbuf it held is back in the pool.
    ctx.slot->state.store(worker_state::finished, std::memory_order_release);
    return status;
}

template <class Factory>
run_report dataplane_runtime::run(Factory&& make_engine, signal_watch* signals,
                                  stop_predicate stop_when) {
    using factory_t = std::remove_reference_t<Factory>;
    std::vector<launch_args<factory_t>> args;
    args.reserve(workers_.size());
    std::vector<std::string> errors;
    if (!set_up_ || ran_) {
        errors.push_back(set_up_ ? "run: a runtime runs once" : "run: setup() did not succeed");
        run_report r;
        r.errors = std::move(errors);
        return r;
    }
    ran_ = true;
    control_.request(run_control::phase::run);
    for (auto& w : workers_) {
        args.push_back({&w, &make_engine});
        if (int ret = rte_eal_remote_launch(&worker_entry<factory_t>, &args.back(), w.info.lcore);
            ret != 0) {
            errors.push_back("cannot launch worker " + std::to_string(w.info.index) + " on lcore " +
                             std::to_string(w.info.lcore) + ": lcore busy");
            // Not launched: housekeeping must not wait for it.
            w.slot->state.store(worker_state::finished, std::memory_order_release);
        }
    }
    return housekeeping(signals, stop_when, std::move(errors));
}

}  // namespace qqgen::dpdk
