#include "dataplane/io/dataplane_runtime.hpp"

#include <algorithm>
#include <csignal>
#include <cstring>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "dataplane/io/stats_printer.hpp"

namespace qqgen::dpdk {

dataplane_runtime::dataplane_runtime(runtime_options options, std::FILE* out)
    : options_(std::move(options)), out_(out) {}

dataplane_runtime::~dataplane_runtime() { (void)shutdown(); }

io_status dataplane_runtime::setup() {
    if (set_up_) return io_status::fail("setup: already done");
    if (rte_lcore_count() == 0)
        return io_status::fail("setup: EAL is not initialised");
    clock_ = tsc_clock::start_now();

    // --- lcores: the main lcore keeps housekeeping, each worker gets one ---
    std::vector<unsigned> lcores;
    for (unsigned l = rte_get_next_lcore(static_cast<unsigned>(-1), 1, 0); l < RTE_MAX_LCORE;
         l = rte_get_next_lcore(l, 1, 0))
        lcores.push_back(l);
    if (lcores.empty())
        return io_status::fail("no worker lcore: the main lcore does housekeeping only, so give EAL "
                               "at least two (e.g. -l 0-1)");
    const unsigned n = options_.workers == 0 ? static_cast<unsigned>(lcores.size()) : options_.workers;
    if (n > lcores.size())
        return io_status::fail(std::to_string(n) + " workers asked but EAL has " +
                               std::to_string(lcores.size()) +
                               " worker lcores; widen -l (e.g. -l 0-" + std::to_string(n) +
                               ") or lower --workers");
    if (options_.topology == topology_kind::wire && n > wire_topology::max_queues)
        return io_status::fail("the wire topology carries at most " +
                               std::to_string(wire_topology::max_queues) + " workers");

    // Enough mbufs for what the ports and the wire can hold at once, plus,
    // per port, the TX cache, the TX buffer and the RX burst in hand (a
    // worker holds both ports' RX bursts while it handles them: rx_bursts),
    // and the mempool's own lcore cache.
    const unsigned held = options_.topology == topology_kind::wire
                              ? 2 * options_.wire_ring_size
                              : 2u * (options_.rx_desc + options_.tx_desc);
    const unsigned need = held + 6 * dpdk_frame_io::burst_size + 2 * 256 + 64;
    if (options_.mbufs_per_worker < need)
        return io_status::fail("--mbufs-per-worker " + std::to_string(options_.mbufs_per_worker) +
                               " is too small: the queues alone can hold " + std::to_string(held) +
                               " mbufs; give at least " + std::to_string(need));

    workers_.resize(n);
    slots_ = std::make_unique<worker_stats_slot[]>(n);
    std::vector<int> sockets(n);
    std::vector<rte_mempool*> rx_pools(n);
    for (unsigned w = 0; w < n; ++w) {
        auto& ctx = workers_[w];
        ctx.info = worker_info{w, n, lcores[w], static_cast<int>(rte_lcore_to_socket_id(lcores[w]))};
        sockets[w] = ctx.info.socket;
        mbuf_pool pool;
        if (auto st = mbuf_pool::create(options_.name_prefix + "_w" + std::to_string(w),
                                        options_.mbufs_per_worker, ctx.info.socket, pool);
            !st)
            return st;
        rx_pools[w] = pool.get();
        pools_.push_back(std::move(pool));
        ctx.slot = &slots_[w];
        ctx.control = &control_;
        ctx.clock = clock_;
        ctx.timing = options_.timing;
    }

    // --- topology ---
    std::uint16_t client = 0;
    std::uint16_t server = 0;
    if (options_.topology == topology_kind::wire) {
        if (auto st = wire_.create(options_.name_prefix + "_wire", n, options_.wire_ring_size, sockets);
            !st)
            return st;
        client = wire_.client_port();
        server = wire_.server_port();
    } else {
        if (options_.client_port.empty() || options_.server_port.empty())
            return io_status::fail("topology ports needs --client-port and --server-port");
        if (options_.client_port == options_.server_port)
            return io_status::fail("--client-port and --server-port must be two different ports");
        if (auto st = find_port(options_.client_port, client); !st) return st;
        if (auto st = find_port(options_.server_port, server); !st) return st;
    }

    // --- ports ---
    port_queue_plan plan;
    plan.rx_desc = options_.rx_desc;
    plan.tx_desc = options_.tx_desc;
    plan.rx_pools = rx_pools;
    plan.queue_sockets = sockets;
    plan.link_timeout = options_.link_timeout;
    plan.queues_are_isolated = options_.topology == topology_kind::wire;
    for (const std::uint16_t id : {client, server}) {
        port_facts facts;
        open_ports_.push_back(id);
        if (auto st = start_port(id, plan, facts); !st) return st;
        port_facts_.push_back(facts);
        if (out_ != nullptr) {
            std::fprintf(out_,
                         "port %-28s id %u driver %s socket %d: %u queue pair(s), %u/%u desc, "
                         "rss %s, promiscuous %s, fast-free %s, %s\n",
                         facts.name.c_str(), facts.port_id, facts.driver.c_str(), facts.socket,
                         facts.queues, facts.rx_desc, facts.tx_desc, facts.rss ? "on" : "off",
                         facts.promiscuous ? "on" : "off", facts.fast_free ? "on" : "off",
                         facts.link.c_str());
            if (!facts.warning.empty())
                std::fprintf(out_, "warning: port %s: %s\n", facts.name.c_str(), facts.warning.c_str());
        }
    }
    // Steering: both ports hash UDP/TCP ports with one symmetric key (the
    // client port's flows come back on the server port and the other way).
    steering_ = {};
    const port_facts& cp = port_facts_[0];
    const port_facts& sp = port_facts_[1];
    if (n > 1 && cp.rss_l4 && sp.rss_l4 && cp.rss_key.size() >= steering_.key.size() &&
        sp.rss_key.size() >= steering_.key.size()) {
        for (std::size_t i = 0; i < steering_.key.size(); ++i) {
            if (cp.rss_key[i] != sp.rss_key[i])
                return io_status::fail("ports " + cp.name + " and " + sp.name +
                                       " hash with different RSS keys, so a flow's two directions land on "
                                       "different queues; give both the symmetric key");
            steering_.key[i] = std::byte{cp.rss_key[i]};
        }
        // The run announces it once the load has accepted it (a worker count
        // that is not a power of two is refused there).
        steering_.queues = n;
    }
    for (unsigned w = 0; w < n; ++w) {
        auto& q = workers_[w].queues;
        q.port_id = {client, server};
        q.pool = {rx_pools[w], rx_pools[w]};
        q.queue = static_cast<std::uint16_t>(w);
    }

    // --- capture ---
    if (!options_.capture_path.empty()) {
        capture_plan cp;
        cp.path = options_.capture_path;
        cp.sample_every = std::max<std::uint32_t>(1, options_.capture_sample);
        cp.direction = options_.capture_dir;
        cp.ring_size = options_.capture_ring_size;
        cp.pool_size = 2 * options_.capture_ring_size - 1;
        cp.name_prefix = options_.name_prefix;
        if (auto st = capture_.open(cp, sockets, clock_); !st) return st;
        for (unsigned w = 0; w < n; ++w) workers_[w].tap = capture_.make_tap(w);
    }
    if (out_ != nullptr) {
        std::fprintf(out_, "%u worker(s) on lcore(s)", n);
        for (const auto& w : workers_) std::fprintf(out_, " %u", w.info.lcore);
        std::fprintf(out_, ", main lcore %u does housekeeping\n", rte_get_main_lcore());
        std::fflush(out_);
    }
    set_up_ = true;
    return io_status::ok();
}

run_snapshot dataplane_runtime::collect(double elapsed_s) const {
    run_snapshot s;
    s.elapsed_s = elapsed_s;
    s.workers.reserve(workers_.size());
    for (std::size_t w = 0; w < workers_.size(); ++w) {
        s.workers.push_back(slots_[w].read());
        const auto& ws = s.workers.back();
        s.total.io += ws.io;
        for (auto field : capture_counters::fields) s.total.capture.*field += ws.capture.*field;
        s.total.loops += ws.loops;
    }
    return s;
}

run_report dataplane_runtime::housekeeping(signal_watch* signals, const stop_predicate& stop_when,
                                           std::vector<std::string> launch_errors) {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    const auto elapsed = [&] { return std::chrono::duration<double>(clock::now() - start).count(); };
    const auto interval = std::chrono::duration<double>(options_.stats_interval_s);
    auto next_stats = start + std::chrono::duration_cast<clock::duration>(interval);
    run_snapshot last = collect(0);
    run_report report;
    report.errors = std::move(launch_errors);
    bool stopping = false;
    const auto all_finished = [&] {
        for (std::size_t w = 0; w < workers_.size(); ++w)
            if (slots_[w].state.load(std::memory_order_acquire) != worker_state::finished)
                return false;
        return true;
    };
    // A worker that finished while the run was still on ended early.
    const auto first_failure = [&]() -> std::string {
        for (std::size_t w = 0; w < workers_.size(); ++w) {
            if (slots_[w].state.load(std::memory_order_acquire) != worker_state::finished) continue;
            const char* why = slots_[w].failure.data();
            return "worker " + std::to_string(w) + " ended early: " + (*why != '\0' ? why : "?");
        }
        return {};
    };
    const auto begin_stop = [&](std::string reason) {
        report.stop_reason = std::move(reason);
        control_.request(run_control::phase::stop);
        stopping = true;
    };
    if (!report.errors.empty()) begin_stop("a worker could not be launched");

    for (;;) {
        const int sig = signals != nullptr ? signals->wait(std::chrono::milliseconds(1)) : 0;
        if (signals == nullptr) {
            timespec ts{0, 1'000'000};
            nanosleep(&ts, nullptr);
        }
        capture_.drain();
        const run_snapshot now = collect(elapsed());
        if (!stopping) {
            if (sig != 0)
                begin_stop(std::string("signal ") + sigabbrev_np(sig));
            else if (options_.duration_s > 0 && now.elapsed_s >= options_.duration_s)
                begin_stop("duration reached");
            else if (stop_when && stop_when(now))
                begin_stop("stop condition met");
            else if (const std::string failed = first_failure(); !failed.empty())
                begin_stop(failed);
        } else {
            // Asked on every turn while the workers stop too (its answer no
            // longer matters): the caller's heartbeat goes on through a long
            // graceful stop.
            if (stop_when) (void)stop_when(now);
            if (sig != 0 && control_.get() != run_control::phase::stop_now) {
                control_.request(run_control::phase::stop_now);
                if (out_ != nullptr) std::fprintf(out_, "second signal: skipping the graceful stop\n");
            }
            if (all_finished()) break;
        }
        if (options_.stats_interval_s > 0 && clock::now() >= next_stats) {
            print_interval(out_, last, now);
            last = now;
            next_stats += std::chrono::duration_cast<clock::duration>(interval);
        }
    }
    for (std::size_t w = 0; w < workers_.size(); ++w) {
        if (rte_eal_wait_lcore(workers_[w].info.lcore) != 0 && slots_[w].failure[0] != '\0')
            report.errors.push_back("worker " + std::to_string(w) + ": " + slots_[w].failure.data());
    }
    report.final = collect(elapsed());
    if (auto st = capture_.close(); !st) report.errors.push_back(st.message());
    report.capture_written = capture_.frames_written();
    return report;
}

shutdown_report dataplane_runtime::shutdown() {
    shutdown_report report;
    if (pools_.empty() && open_ports_.empty() && !wire_.created() && capture_.pools().empty())
        return report;
    // Workers were joined in run(), so nothing else touches ports or pools.
    if (auto st = capture_.close(); !st) report.errors.push_back(st.message());
    for (const std::uint16_t id : open_ports_) close_port(id);
    open_ports_.clear();
    report.wire_frames_dropped = wire_.drain();
    wire_.destroy();

    const auto check = [&](const mbuf_pool& p) {
        pool_usage u{p.name(), p.in_use(), p.size()};
        if (u.in_use != 0)
            report.errors.push_back("mempool " + u.pool + ": " + std::to_string(u.in_use) +
                                    " mbufs never came back (leak)");
        report.pools.push_back(std::move(u));
    };
    for (const auto& p : pools_) check(p);
    for (const auto& p : capture_.pools()) check(p);
    capture_.release_pools();
    pools_.clear();
    return report;
}

}  // namespace qqgen::dpdk
