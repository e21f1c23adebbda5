// qqgen-dataplane: the DPDK primary process (design.md, "Processes").
//
//   qqgen-dataplane [EAL options] -- [qqgen options]
//
// EAL options come first, as in every DPDK application; qqgen's own options
// follow `--` and are parsed (and --help answered) before EAL starts, so a
// typo never costs a hugepage mapping.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "dataplane/io/dataplane_runtime.hpp"
#include "dataplane/io/eal_session.hpp"
#include "dataplane/io/signal_watch.hpp"
#include "dataplane/io/stats_printer.hpp"
#include "dataplane/engine/chat_content.hpp"
#include "dataplane/engine_runner.hpp"
#include "dataplane/load_options.hpp"
#include "dataplane/rx_sink_engine.hpp"
#include "dataplane/shm_control.hpp"

namespace {

namespace po = boost::program_options;
using namespace qqgen::dpdk;

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;       // set-up failed, or the run ended unclean (leak, error)
constexpr int exit_usage = 2;        // bad command line
constexpr int exit_no_engine = 3;    // load asked for, but no session engine in this build

struct command_line {
    std::vector<std::string> eal;  // argv[0] and the EAL options
    std::vector<std::string> app;  // after `--`
};

// Everything before the first `--` is EAL's; everything after is ours. With
// no `--` at all, every argument is ours (so `qqgen-dataplane --help` works
// and EAL options without `--` are reported rather than silently eaten).
command_line split(int argc, char** argv) {
    command_line cl;
    cl.eal.emplace_back(argc > 0 ? argv[0] : "qqgen-dataplane");
    int i = 1;
    int dashes = -1;
    for (int j = 1; j < argc; ++j)
        if (std::string(argv[j]) == "--") {
            dashes = j;
            break;
        }
    if (dashes > 0) {
        for (; i < dashes; ++i) cl.eal.emplace_back(argv[i]);
        i = dashes + 1;
    }
    for (; i < argc; ++i) cl.app.emplace_back(argv[i]);
    return cl;
}

struct parsed {
    runtime_options runtime;
    qqgen::dataplane::load_options load;
    std::string shm_instance;  // empty: the load comes from the command line
    double profile_timeout_s = 60;
    bool dry_run = false;
    bool help = false;
};

po::options_description describe(parsed& p, std::string& topology, std::string& capture_dir,
                                 double& link_timeout_s, double& stop_grace_s) {
    po::options_description d("qqgen options (after `--`)");
    auto& r = p.runtime;
    d.add_options()
        ("help,h", po::bool_switch(&p.help), "print this help and exit")
        ("topology", po::value(&topology)->default_value("wire"),
         "wire: client and server ports joined back to back inside the process (one ring pair "
         "per worker, no NIC needed); ports: two DPDK ports named by --client-port and "
         "--server-port (PCI, net_af_packet, net_pcap, ... created with EAL --vdev)")
        ("client-port", po::value(&r.client_port), "DPDK name of the client-side port (topology ports)")
        ("server-port", po::value(&r.server_port), "DPDK name of the server-side port (topology ports)")
        ("workers", po::value(&r.workers)->default_value(0),
         "poll-mode workers, one per worker lcore and one queue pair per port each "
         "(0: every worker lcore EAL was given)")
        ("capture", po::value(&r.capture_path),
         "also write frames to this pcap file (drained by the main lcore, never by a worker)")
        ("capture-sample", po::value(&r.capture_sample)->default_value(1),
         "capture 1 frame in N (per worker)")
        ("capture-direction", po::value(&capture_dir)->default_value("tx"),
         "tx, rx or both: frames sent and/or received on either port")
        ("duration", po::value(&r.duration_s)->default_value(0),
         "stop after this many seconds (0: run until SIGINT or SIGTERM)")
        ("stats-interval", po::value(&r.stats_interval_s)->default_value(1),
         "seconds between statistics lines (0: none)")
        ("mbufs-per-worker", po::value(&r.mbufs_per_worker)->default_value(16383),
         "size of each worker's mempool")
        ("rx-desc", po::value(&r.rx_desc)->default_value(1024), "RX descriptors per queue")
        ("tx-desc", po::value(&r.tx_desc)->default_value(1024), "TX descriptors per queue")
        ("wire-ring-size", po::value(&r.wire_ring_size)->default_value(1024),
         "slots per ring of the wire topology (power of two)")
        ("link-timeout", po::value(&link_timeout_s)->default_value(5.0),
         "seconds to wait for each port's link to come up")
        ("stop-grace", po::value(&stop_grace_s)->default_value(2.0),
         "seconds the engine gets to stop gracefully (logouts) after a stop request; "
         "a second SIGINT skips it")
        ("dry-run", po::bool_switch(&p.dry_run),
         "bring ports, workers and capture up and count what arrives, sending nothing")
        ("shm", po::value(&p.shm_instance),
         "take the load from the control process (`qqgen run/apply`) over shared memory "
         "/dev/shm/qqgen.INSTANCE instead of the load options below; live profile changes, "
         "stats and stop go the same way")
        ("profile-timeout", po::value(&p.profile_timeout_s)->default_value(60),
         "with --shm: seconds to wait for control's first profile");
    po::options_description load("QQ load (per worker; until the control process hands profiles over shared memory)");
    qqgen::dataplane::describe_load_options(load, p.load);
    d.add(load);
    return d;
}

void print_help(const po::options_description& d) {
    std::cout
        << "usage: qqgen-dataplane [EAL options] -- [qqgen options]\n"
           "\n"
           "The qqgen dataplane: DPDK workers that emulate QQ clients on the client port and QQ\n"
           "servers on the server port. EAL options (before `--`) are DPDK's, for example\n"
           "  -l 0-2                 lcores: the first is the main lcore (housekeeping only),\n"
           "                         each other one runs a worker\n"
           "  --in-memory            no runtime files (several instances at once)\n"
           "  --no-huge -m 512       no hugepages needed\n"
           "  --no-pci               do not probe PCI devices\n"
           "  --vdev net_af_packet0,iface=veth0   a port on a Linux interface\n"
           "  --vdev net_pcap0,tx_pcap=out.pcap   a port writing a pcap file\n"
           "\n"
        << d
        << "\n"
           "examples:\n"
           "  qqgen-dataplane -l 0-1 --in-memory --no-pci -- --topology wire --duration 10\n"
           "  qqgen-dataplane -l 0-2 --in-memory --no-pci --vdev net_af_packet0,iface=vc \\\n"
           "      --vdev net_af_packet1,iface=vs -- --topology ports --client-port net_af_packet0 \\\n"
           "      --server-port net_af_packet1 --workers 1 --capture run.pcap\n"
           "\n"
           "exit status: 0 clean run, 1 set-up failed or unclean stop (a leak is unclean),\n"
           "2 bad command line, 3 no session engine in this build.\n";
}

// Returns an empty string when the options make sense together.
std::string validate(parsed& p, const std::string& topology, const std::string& capture_dir,
                     double link_timeout_s, double stop_grace_s) {
    auto& r = p.runtime;
    if (topology == "wire") {
        r.topology = topology_kind::wire;
        if (!r.client_port.empty() || !r.server_port.empty())
            return "--client-port/--server-port name ports of --topology ports; the wire topology "
                   "makes its own";
    } else if (topology == "ports") {
        r.topology = topology_kind::ports;
        if (r.client_port.empty() || r.server_port.empty())
            return "--topology ports needs --client-port NAME and --server-port NAME";
    } else {
        return "--topology must be wire or ports, not '" + topology + "'";
    }
    if (capture_dir == "tx") r.capture_dir = capture_direction::tx;
    else if (capture_dir == "rx") r.capture_dir = capture_direction::rx;
    else if (capture_dir == "both") r.capture_dir = capture_direction::both;
    else return "--capture-direction must be tx, rx or both";
    if (r.capture_sample == 0) return "--capture-sample must be at least 1";
    if (r.duration_s < 0 || r.stats_interval_s < 0 || link_timeout_s < 0 || stop_grace_s < 0)
        return "--duration, --stats-interval, --link-timeout and --stop-grace cannot be negative";
    if (r.wire_ring_size < 2 || (r.wire_ring_size & (r.wire_ring_size - 1)) != 0)
        return "--wire-ring-size must be a power of two";
    r.link_timeout = std::chrono::milliseconds(static_cast<long>(link_timeout_s * 1000));
    r.timing.stop_grace_ns = static_cast<std::uint64_t>(stop_grace_s * 1e9);
    return {};
}

// The QQ load: one session engine per worker; the run ends when every worker
// has run its users (--sessions), at --duration, or on SIGINT/SIGTERM.
// With `shm` (control's segment), the workers also take live profiles and
// publish their stats there, and control's stop command ends the run.
int run_load(dataplane_runtime& runtime, const qqgen::dataplane::load_options& load,
             const qqgen::engine::chat_texts& texts, signal_watch& signals, qqgen::shm::segment* shm = nullptr,
             std::uint64_t generation = 0) {
    using qqgen::dataplane::engine_runner;
    using qqgen::dataplane::worker_result;
    using qqgen::dataplane::worker_shm_view;
    const unsigned workers = runtime.worker_count();
    const qqgen::engine::queue_steering& steering = runtime.steering();
    if (const std::string why = load.settings.validate_for_workers(workers, steering); !why.empty()) {
        std::cerr << "qqgen-dataplane: " << why << "\n";
        return exit_usage;
    }
    if (steering.steered())
        std::cout << "RSS steering: each worker picks client ports whose flows hash to its own queue ("
                  << steering.queues << " queues)\n";
    auto results = std::make_unique<worker_result[]>(workers);
    // ARP reaches one queue only: the worker behind it resolves for all.
    qqgen::engine::next_hop_board next_hops;
    std::vector<worker_shm_view> views(workers);
    for (unsigned w = 0; w < workers; ++w) views[w] = worker_shm_view{shm, w};
    std::optional<qqgen::dataplane::shm_stop_watch> stop_watch;
    if (shm != nullptr) {
        stop_watch.emplace(*shm);
        shm->set_state(qqgen::shm::dataplane_state::running);
    }
    bool stopped_by_control = false, said_stopping = false;
    const auto& settings = load.settings;
    const run_report report = runtime.run(
        [&](const worker_info& w) {
            return engine_runner<dpdk_frame_io>(settings, w.index, w.count, texts, results[w.index],
                                                shm != nullptr ? &views[w.index] : nullptr, generation, steering,
                                                workers > 1 ? &next_hops : nullptr);
        },
        &signals,
        [&](const run_snapshot&) {
            // Also called while the workers stop: beats, and says "stopping"
            // so that control allows the graceful stop its time.
            const auto stop = [&] {
                if (shm != nullptr && !said_stopping) shm->set_state(qqgen::shm::dataplane_state::stopping);
                said_stopping = true;
                return true;
            };
            if (stop_watch && stop_watch->stop_requested()) {
                stopped_by_control = true;
                return stop();
            }
            // Done when every worker has run its users or its phases.
            for (unsigned w = 0; w < workers; ++w)
                if (!results[w].done.load(std::memory_order_relaxed)) return false;
            return stop();
        });
    if (shm != nullptr) {
        shm->set_state(qqgen::shm::dataplane_state::stopping);
        shm->set_message(stopped_by_control ? "stopped by control" : "the run ended");
    }
    print_summary(stdout, report);

    qqgen::engine::engine_counters total{};
    std::size_t table_bytes = 0, bytes_per_session = 0;
    std::string keys;
    std::uint64_t keys_dropped = 0;
    for (unsigned w = 0; w < workers; ++w) {
        if (!results[w].finished) continue;
        total += results[w].counters;
        table_bytes += results[w].table_bytes;
        bytes_per_session = results[w].bytes_per_session;
        keys += results[w].keylog;
        keys_dropped += results[w].keylog_dropped;
    }
    std::printf("\nQQ users (%u worker%s, %u session slots each, %zu bytes per session, %.1f MiB of tables)\n",
                workers, workers == 1 ? "" : "s", settings.users, bytes_per_session,
                static_cast<double>(table_bytes) / (1024.0 * 1024.0));
    qqgen::engine::print_summary(stdout, total);
    int status = report.errors.empty() ? exit_ok : exit_failed;
    if (!load.keylog_path.empty()) {
        std::ofstream f(load.keylog_path, std::ios::binary | std::ios::trunc);
        f << keys;
        if (!f.flush()) {
            std::cerr << "qqgen-dataplane: cannot write the key log " << load.keylog_path << "\n";
            status = exit_failed;
        } else if (keys_dropped != 0) {
            std::cerr << "qqgen-dataplane: the key log lost " << keys_dropped << " lines (buffer full)\n";
        }
    }
    return status;
}

// --shm: the segment, the first profile from control, then the run with
// live profiles, stats and stop over shared memory.
int run_with_control(dataplane_runtime& runtime, parsed& p, const qqgen::engine::chat_texts& texts,
                     signal_watch& signals) {
    auto created = qqgen::shm::segment::create(p.shm_instance, runtime.worker_count(), runtime.clock().hz());
    if (!created.seg) {
        std::cerr << "qqgen-dataplane: " << created.error << "\n";
        return exit_failed;
    }
    if (!created.notice.empty()) std::cerr << "qqgen-dataplane: " << created.notice << "\n";
    qqgen::shm::segment& seg = *created.seg;
    std::printf("shared memory %s: waiting for a profile from control (qqgen run / qqgen apply --instance %s)\n",
                qqgen::shm::segment_path(p.shm_instance).c_str(), p.shm_instance.c_str());
    std::fflush(stdout);
    std::string why;
    const auto first = qqgen::dataplane::wait_for_first_profile(
        seg, signals, std::chrono::milliseconds(static_cast<long>(p.profile_timeout_s * 1000)), why);
    if (!first) {
        std::cerr << "qqgen-dataplane: " << why << "\n";
        seg.set_message(why);
        return exit_failed;
    }
    std::printf("profile generation %llu applied\n", static_cast<unsigned long long>(first->generation));
    std::fflush(stdout);
    p.load.settings = first->settings;
    return run_load(runtime, p.load, texts, signals, &seg, first->generation);
}

}  // namespace

int main(int argc, char** argv) {
    const command_line cl = split(argc, argv);
    parsed p;
    std::string topology;
    std::string capture_dir;
    double link_timeout_s = 0;
    double stop_grace_s = 0;
    const auto desc = describe(p, topology, capture_dir, link_timeout_s, stop_grace_s);
    try {
        po::variables_map vm;
        po::store(po::command_line_parser(cl.app).options(desc).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "qqgen-dataplane: " << e.what()
                  << "\n(EAL options go before `--`, qqgen options after it; see --help)\n";
        return exit_usage;
    }
    if (p.help) {
        print_help(desc);
        return exit_ok;
    }
    if (const std::string why = validate(p, topology, capture_dir, link_timeout_s, stop_grace_s);
        !why.empty()) {
        std::cerr << "qqgen-dataplane: " << why << "\n";
        return exit_usage;
    }
    qqgen::engine::chat_texts_result texts;
    if (!p.dry_run) {
        if (const std::string why = qqgen::dataplane::finish_load_options(p.load); !why.empty()) {
            std::cerr << "qqgen-dataplane: " << why << "\n";
            return exit_usage;
        }
        // Set-up time: every corpus line converted once into every charset.
        texts = qqgen::engine::build_chat_texts();
        if (!texts.ok()) {
            std::cerr << "qqgen-dataplane: chat text: " << texts.error << "\n";
            return exit_failed;
        }
    }

    signal_watch signals;
    if (auto st = signals.open(); !st) {
        std::cerr << "qqgen-dataplane: " << st.message() << "\n";
        return exit_failed;
    }
    eal_session eal;
    if (auto st = eal.init(cl.eal); !st) {
        std::cerr << "qqgen-dataplane: " << st.message() << "\n";
        return exit_failed;
    }
    int status = exit_ok;
    {
        dataplane_runtime runtime(p.runtime, stdout);
        if (auto st = runtime.setup(); !st) {
            std::cerr << "qqgen-dataplane: " << st.message() << "\n";
            status = exit_failed;
        } else {
            if (p.dry_run) {
                const run_report report = runtime.run(
                    [](const worker_info&) { return qqgen::dataplane::rx_sink_engine{}; }, &signals);
                print_summary(stdout, report);
                if (!report.errors.empty()) status = exit_failed;
            } else {
                status = p.shm_instance.empty() ? run_load(runtime, p.load, texts.texts, signals)
                                                : run_with_control(runtime, p, texts.texts, signals);
            }
        }
        const shutdown_report down = runtime.shutdown();
        print_shutdown(stdout, down);
        if (!down.clean()) status = exit_failed;
    }
    eal.cleanup();
    return status;
}
