// What a run leaves in its directory at the end, or on demand for a running
// dataplane: report.json (counters, time series, verdict), report.html;
// timeseries.csv is written row by row as samples are taken (series_csv).
#pragma once

#include <string>
#include <vector>

#include "control/report/run_verdict.hpp"

namespace qqgen::control {

struct written_report {
    run_verdict verdict;
    std::string error;  // empty when every file was written
};

// The time series as report.json keeps it: columns and rows.
nlohmann::json to_json(const std::vector<series_sample>& samples, double interval_s);

written_report write_run_outputs(const std::string& dir, const run_profile& profile, const run_facts& facts,
                                 const dataplane_totals& totals, const std::vector<series_sample>& samples);

}  // namespace qqgen::control
