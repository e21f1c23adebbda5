// A run's pass/fail verdict (issue 7): did it end normally, are its counters
// consistent with each other and over time, and is it inside the thresholds
// the profile set (report.thresholds: failures, loss, drops, p99 latencies,
// and a soak's drift of memory, mbufs and session-table occupancy).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "control/profile/run_profile.hpp"
#include "control/report/dataplane_totals.hpp"
#include "control/report/run_report.hpp"
#include "control/report/time_series.hpp"

namespace qqgen::control {

struct verdict_check {
    std::string name;    // "users failed", "login p99", "resident memory drift", ...
    std::string limit;   // as the profile set it, "" when informational
    std::string value;   // what the run measured
    bool pass = true;
    std::string detail;  // why it failed, or how it was measured
};

struct run_verdict {
    bool pass = true;
    std::vector<verdict_check> checks;
};

// Drift of one gauge over the steady phase: the median of the last quarter
// of its samples against the median of the second quarter (the first is the
// settling after the ramp), in percent of the second (of `floor` when that
// is smaller). Empty below 8 samples.
std::optional<double> steady_drift_percent(const std::vector<series_sample>& samples, double series_sample::*field,
                                           double floor);

run_verdict judge_run(const report_thresholds& limits, const run_facts& facts, const dataplane_totals& totals,
                      const std::vector<series_sample>& samples);

nlohmann::json to_json(const run_verdict& v);

// "verdict: PASS (7 checks)" and a line per failed check.
void print_verdict(std::FILE* out, const run_verdict& v);

}  // namespace qqgen::control
