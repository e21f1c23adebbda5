// `qqgen report`: report.json, report.html and timeseries.csv of a dataplane
// that is running now (started by `qqgen run` in another shell, or by
// qqgen-dataplane --shm), on demand: it samples the counters for --duration
// and writes what a run writes at its end, the verdict judged on what it saw.
#include <boost/program_options.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "control/commands.hpp"
#include "control/report/process_memory.hpp"
#include "control/report/run_outputs.hpp"
#include "control/run/command_line.hpp"
#include "control/shm/shm_attach.hpp"

namespace qqgen::control {

namespace po = boost::program_options;
namespace fs = std::filesystem;

int report_command(int argc, char** argv) {
    std::string instance = "qqgen", out_dir = ".";
    double duration_s = 10, interval_s = 1;
    po::options_description opts(
        "usage: qqgen report [options]\n\n"
        "Samples a running dataplane's counters for --duration and writes report.json, report.html\n"
        "and timeseries.csv for that stretch (the run's own report comes at its end).\n\noptions");
    opts.add_options()("help,h", "this text")
        ("instance", po::value(&instance)->default_value(instance), "the dataplane instance (/dev/shm/qqgen.NAME)")
        ("out,o", po::value(&out_dir)->default_value(out_dir), "directory for the files")
        ("duration", po::value(&duration_s)->default_value(duration_s), "seconds to sample (0: one reading)")
        ("interval", po::value(&interval_s)->default_value(interval_s), "seconds between samples (0.1 at least)");
    if (const int rc = parse_command_line("report", argc, argv, opts, nullptr); rc >= 0) return rc;
    if (!(duration_s >= 0) || !(interval_s >= 0.1)) {
        std::cerr << "qqgen report: --duration must be 0 or more and --interval 0.1 or more seconds\n";
        return 2;
    }
    attach_result r = shm_attachment::attach(instance);
    if (!r.handle) {
        std::cerr << "qqgen report: " << r.message << "\n";
        return 1;
    }
    shm_attachment& shm = *r.handle;
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (ec) {
        std::cerr << "qqgen report: cannot create " << out_dir << ": " << ec.message() << "\n";
        return 1;
    }
    const std::string dir = fs::absolute(out_dir).string();
    run_profile profile;
    profile.name = "instance " + instance;
    profile.workers = shm.worker_count();
    profile.sample_interval_s = interval_s;
    run_facts facts;
    facts.instance = instance;
    facts.dataplane_pid = shm.pid();
    facts.start_unix_ns = shm::unix_ns();
    facts.end_reason = still_running;
    const int pid = static_cast<int>(shm.pid());

    series_csv csv;
    if (const std::string err = csv.open(dir + "/timeseries.csv"); !err.empty()) {
        std::cerr << "qqgen report: " << err << "\n";
        return 1;
    }
    std::vector<series_sample> samples;
    const auto t0 = std::chrono::steady_clock::now();
    dataplane_totals before = read_totals(shm);
    const auto step = std::chrono::duration<double>(interval_s);
    for (auto next = t0 + step; std::chrono::duration<double>(next - t0).count() <= duration_s + 1e-9; next += step) {
        std::this_thread::sleep_until(next);
        if (const liveness l = shm.dataplane_alive(std::chrono::seconds(1)); !l.alive) {
            facts.end_reason = "dataplane stopped responding: " + l.problem;
            break;
        }
        const dataplane_totals now = read_totals(shm);
        samples.push_back(make_sample(now, before, std::chrono::duration<double>(next - t0).count(),
                                      read_process_memory(pid)));
        csv.append(samples.back());
        before = now;
    }
    facts.end_unix_ns = shm::unix_ns();
    facts.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    facts.dataplane_exit_status = 0;  // running: no exit yet
    const written_report written = write_run_outputs(dir, profile, facts, before, samples);
    if (!written.error.empty()) {
        std::cerr << "qqgen report: " << written.error << "\n";
        return 1;
    }
    print_verdict(stdout, written.verdict);
    std::printf("report: %s/report.json, report.html, timeseries.csv (%zu samples of dataplane pid %d)\n",
                dir.c_str(), samples.size(), pid);
    return 0;
}

}  // namespace qqgen::control
