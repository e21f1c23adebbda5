// A validated profile, ready to run: the load every worker runs and how to
// start the dataplane that runs it (configs/README.md documents the YAML).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/engine/load_settings.hpp"

namespace qqgen::control {

// The limits a run's verdict checks (report.thresholds; each optional).
struct report_thresholds {
    std::optional<double> max_failed_percent;  // users failed / started
    std::optional<double> max_lost_percent;    // messages lost / sent
    std::optional<std::uint64_t> max_drops;    // frames qqgen itself dropped (pool dry, TX queue full)
    // p99 latency limits in microseconds: DNS, login, message delivery, TCP connect.
    std::array<std::optional<std::uint64_t>, 4> max_p99_us{};
    // Resident memory, mbufs in use and session-table occupancy over the
    // steady phase: the last quarter against the second (a soak's leak check).
    std::optional<double> max_drift_percent;
};

// QQ's weights in the profile's `applications` mix (the companions' are in
// load.apps[k].weight): what report.json's application_mix compares the
// sessions started with. `given` is false without an applications section
// (QQ only).
struct qq_weights {
    std::uint32_t udp = 0;
    std::uint32_t tcp = 0;
    bool given = false;
    [[nodiscard]] std::uint64_t total() const noexcept { return std::uint64_t{udp} + tcp; }
};

struct run_profile {
    // Per worker, for `workers` workers: the profile's totals (users, rates,
    // QQ numbers) are divided, rounding up. Goes to the dataplane over shared memory.
    engine::load_settings load;
    qq_weights qq_weight;  // applications.qq_udp, qq_tcp
    unsigned workers = 1;  // worker lcores (the lcores but the main one, or the running dataplane's count)

    // How `qqgen run` starts qqgen-dataplane: `eal_args`, then "--", then
    // `dataplane_args` (topology, ports, capture, pool sizes; never the load,
    // which goes over shared memory). Capture and key-log file names are
    // relative: the run's --out directory is the dataplane's working directory.
    std::vector<std::string> eal_args;        // e.g. {"-l", "0-1", "--in-memory", "--no-pci"}
    std::vector<std::string> dataplane_args;  // e.g. {"--topology", "wire", "--stop-grace", "2"}

    // Phases in seconds; steady_s 0 = until stopped (or users.total is reached).
    double ramp_up_s = 1, steady_s = 0, ramp_down_s = 0;
    double stats_interval_s = 1;   // report.interval; 0 = no periodic report lines
    double sample_interval_s = 1;  // report.sample_interval: the time series' step
    std::string dut;               // report.dut: what the traffic went through, in the user's words
    report_thresholds thresholds;

    bool capture = false;
    std::string capture_file;  // relative to the run directory; set when capture is on
    bool keylog = false;       // keylog.txt in the run directory

    std::string applied_yaml;  // the profile after --set overrides, re-emitted (report.json keeps it)
    std::string name;          // the profile's `name`, else the file's stem
};

}  // namespace qqgen::control
