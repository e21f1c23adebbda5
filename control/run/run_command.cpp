// `qqgen run PROFILE`: one command for a whole run (issue 4). Starts
// qqgen-dataplane with the profile's EAL and port settings and a shared
// memory segment, hands it the profile, prints progress once per
// report.interval, stops it (Ctrl-C: graceful, twice: at once), and writes
// report.json (plus the capture and key log the profile asks for) into the
// run directory.
#include <boost/program_options.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "control/commands.hpp"
#include "control/profile/profile_loader.hpp"
#include "control/run/command_line.hpp"
#include "control/run/control_signals.hpp"
#include "control/run/dataplane_process.hpp"
#include "control/report/dataplane_totals.hpp"
#include "control/run/profile_publication.hpp"
#include "control/report/process_memory.hpp"
#include "control/report/run_outputs.hpp"
#include "control/report/time_series.hpp"
#include "control/shm/shm_attach.hpp"

namespace qqgen::control {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string default_out_dir(const std::string& name) {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    return "qqgen-runs/" + name + "-" + stamp;
}

void print_log_tail(const std::string& path, std::size_t lines) {
    std::ifstream f(path);
    std::vector<std::string> all;
    for (std::string l; std::getline(f, l);) all.push_back(l);
    const std::size_t from = all.size() > lines ? all.size() - lines : 0;
    std::fprintf(stderr, "--- last lines of %s ---\n", path.c_str());
    for (std::size_t i = from; i < all.size(); ++i) std::fprintf(stderr, "%s\n", all[i].c_str());
}

// Attaches to the segment the child creates (and to no other: an older
// dataplane of the same instance name is not ours).
std::optional<shm_attachment> attach_child(const std::string& instance, dataplane_process& child,
                                           std::chrono::seconds timeout, std::string& why) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (!child.running()) {
            why = "qqgen-dataplane exited (status " + std::to_string(child.exit_status()) + ") during start-up";
            return std::nullopt;
        }
        attach_result r = shm_attachment::attach(instance);
        if (r.handle && r.handle->pid() == static_cast<std::uint32_t>(child.pid())) return std::move(r.handle);
        if (r.error != attach_error::none && r.error != attach_error::no_such_instance &&
            r.error != attach_error::stale) {
            why = r.message;
            return std::nullopt;
        }
        if (std::chrono::steady_clock::now() >= end) {
            why = "qqgen-dataplane did not create its shared memory within " + std::to_string(timeout.count()) + " s";
            return std::nullopt;
        }
        std::this_thread::sleep_for(20ms);
    }
}

}  // namespace

int run_command(int argc, char** argv) {
    std::string profile_path, out_dir, instance = "qqgen", binary;
    std::vector<std::string> sets;
    po::options_description opts(
        "usage: qqgen run PROFILE [options]\n\n"
        "Runs a QQ load from a YAML profile (configs/*.yaml): starts qqgen-dataplane with the\n"
        "profile's ports, hands it the profile over shared memory, shows progress, stops at the\n"
        "end of the phases (Ctrl-C: graceful stop now; twice: immediate), prints the summary and\n"
        "writes report.json (and capture.pcap, keylog.txt when the profile enables them) to --out.\n\noptions");
    opts.add_options()
        ("help,h", "this text")
        ("out,o", po::value(&out_dir), "directory for the run's files (default qqgen-runs/NAME-DATE-TIME)")
        ("set", po::value(&sets)->composing(), "override a profile field: --set phases.steady.duration=30s (repeatable)")
        ("instance", po::value(&instance)->default_value(instance),
         "name of the dataplane instance (shared memory /dev/shm/qqgen.NAME); `qqgen apply/stats/stop` use it")
        ("dataplane", po::value(&binary), "qqgen-dataplane binary (default: beside qqgen, or $QQGEN_DATAPLANE)");
    if (const int rc = parse_command_line("run", argc, argv, opts, &profile_path); rc >= 0) return rc;
    if (const std::string bad = shm::instance_name_problem(instance); !bad.empty()) {
        std::cerr << "qqgen run: --instance: " << bad << "\n";
        return 2;
    }

    profile_result loaded = load_profile(profile_path, sets);
    if (auto* errors = std::get_if<std::vector<profile_error>>(&loaded)) {
        for (const auto& e : *errors) std::cerr << e.to_string() << "\n";
        std::cerr << "qqgen run: " << errors->size() << " error(s) in the profile; nothing was started\n";
        return 2;
    }
    const run_profile& profile = std::get<run_profile>(loaded);

    if (out_dir.empty()) out_dir = default_out_dir(profile.name);
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (ec) {
        std::cerr << "qqgen run: cannot create " << out_dir << ": " << ec.message() << "\n";
        return 1;
    }
    const std::string out_abs = fs::absolute(out_dir).string();
    const std::string log_path = out_abs + "/dataplane.log";
    if (binary.empty()) binary = find_dataplane_binary();
    if (binary.find('/') != std::string::npos) binary = fs::absolute(binary).string();

    std::vector<std::string> args = profile.eal_args;
    args.emplace_back("--");
    args.insert(args.end(), profile.dataplane_args.begin(), profile.dataplane_args.end());
    args.insert(args.end(), {"--shm", instance, "--stats-interval", "0"});

    watch_stop_signals();
    run_facts facts;
    facts.profile_file = profile_path;
    facts.instance = instance;
    facts.start_unix_ns = shm::unix_ns();
    const auto t0 = std::chrono::steady_clock::now();

    dataplane_process child;
    if (const std::string why = child.start(binary, args, out_abs, log_path); !why.empty()) {
        std::cerr << "qqgen run: " << why << "\n";
        return 1;
    }
    facts.dataplane_pid = static_cast<std::uint32_t>(child.pid());
    std::printf("qqgen run: profile %s, %u worker(s), dataplane pid %d, files in %s\n", profile.name.c_str(),
                profile.workers, child.pid(), out_abs.c_str());
    std::fflush(stdout);

    std::string why;
    std::optional<shm_attachment> shm = attach_child(instance, child, 60s, why);
    if (!shm) {
        std::cerr << "qqgen run: " << why << "\n";
        child.signal(SIGTERM);
        child.wait(5000);
        print_log_tail(log_path, 20);
        return 1;
    }
    // The first profile: the workers start once the dataplane has it.
    const publication first = publish_and_wait(*shm, profile, 120s, 5s);
    if (!print_acks(stdout, first)) {
        shm->send_command(shm::command::stop);
        child.wait(10000);
        print_log_tail(log_path, 20);
        return 1;
    }
    facts.apply_ack_ms = static_cast<double>(first.acks.took.count()) / 1e6;

    const double planned_s = profile.steady_s > 0 ? profile.ramp_up_s + profile.steady_s + profile.ramp_down_s : 0;
    const auto interval = std::chrono::duration<double>(profile.stats_interval_s > 0 ? profile.stats_interval_s : 1.0);
    dataplane_totals before = read_totals(*shm);
    auto next_print = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::nanoseconds>(interval);
    // The time series: a sample per report.sample_interval, each row also
    // appended to timeseries.csv as it is taken.
    const auto sample_step = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(profile.sample_interval_s));
    std::vector<series_sample> samples;
    series_csv csv;
    if (const std::string err = csv.open(out_abs + "/timeseries.csv"); !err.empty())
        std::fprintf(stderr, "qqgen run: %s (the run goes on without it)\n", err.c_str());
    dataplane_totals sampled = before;
    auto next_sample = std::chrono::steady_clock::now() + sample_step;
    const auto take_sample = [&](const dataplane_totals& now) {
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        samples.push_back(make_sample(now, sampled, t, read_process_memory(child.pid())));
        csv.append(samples.back());
        sampled = now;
    };
    int signals_seen = 0;
    facts.end_reason = "the phases ended";
    for (;;) {
        std::this_thread::sleep_for(20ms);
        if (const int s = stop_signals(); s != signals_seen) {
            signals_seen = s;
            shm->send_command(s == 1 ? shm::command::stop : shm::command::stop_now);
            if (s > 1) child.signal(SIGINT);  // the dataplane's own second-signal path: stop at once
            facts.end_reason = "stopped by the user";
            std::printf("qqgen run: stopping: every user logs out (Ctrl-C again to stop at once)\n");
            std::fflush(stdout);
        }
        if (!child.running()) break;
        // While it stops (every user logging out, ports closing) the main
        // lcore beats less; its process being gone is still noticed at once.
        shm::shm_status st{};
        const bool stopping = shm->read_status(st) && st.state == shm::dataplane_state::stopping;
        if (const liveness l = shm->dataplane_alive(stopping ? 60s : 1s); !l.alive) {
            if (shm->read_status(st) && st.state == shm::dataplane_state::exited) break;  // a normal end
            facts.end_reason = "dataplane stopped responding: " + l.problem;
            std::fprintf(stderr, "qqgen run: %s\n", l.problem.c_str());
            break;
        }
        if (std::chrono::steady_clock::now() >= next_sample) {
            take_sample(read_totals(*shm));
            next_sample += sample_step;
        }
        if (profile.stats_interval_s > 0 && std::chrono::steady_clock::now() >= next_print) {
            const dataplane_totals now = read_totals(*shm);
            const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::printf("%s\n", progress_line(now, before, elapsed, planned_s).c_str());
            std::fflush(stdout);
            before = now;
            next_print += std::chrono::duration_cast<std::chrono::nanoseconds>(interval);
        }
    }
    facts.dataplane_exit_status = child.wait(30000);
    // The segment is unlinked when the dataplane exits, but our mapping
    // holds the final counters each worker published as it finished.
    const dataplane_totals final_totals = read_totals(*shm);
    take_sample(final_totals);
    facts.end_unix_ns = shm::unix_ns();
    facts.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (facts.dataplane_exit_status != 0 && facts.end_reason == "the phases ended")
        facts.end_reason = "dataplane exited with status " + std::to_string(facts.dataplane_exit_status);

    std::printf("\nQQ users (%u worker(s), %.1f s, %s)\n", profile.workers, facts.duration_s, facts.end_reason.c_str());
    engine::print_summary(stdout, final_totals.engine);
    const written_report written = write_run_outputs(out_abs, profile, facts, final_totals, samples);
    if (!written.error.empty()) {
        std::cerr << "qqgen run: " << written.error << "\n";
        return 1;
    }
    print_verdict(stdout, written.verdict);
    std::printf("report: %s/report.json, report.html, timeseries.csv (%zu samples)\n", out_abs.c_str(),
                samples.size());
    if (facts.dataplane_exit_status != 0) {
        print_log_tail(log_path, 20);
        return 1;
    }
    return written.verdict.pass ? 0 : 3;  // 3: ran, but outside the profile's thresholds
}

}  // namespace qqgen::control
