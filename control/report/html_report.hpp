// report.html: one self-contained file (inline CSS and SVG, no script, no
// external resource) with the run's profile, the DUT and topology, the
// verdict, summary tables, charts over time and latency distributions.
// Structure (ids and classes) is a contract kept by
// tests/integration/check_report_html.py; docs/report.md describes it.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "control/report/svg_chart.hpp"
#include "control/report/time_series.hpp"
#include "dataplane/engine/engine_counters.hpp"

namespace qqgen::control {

// `report` is report.json's content (make_report plus "verdict");
// `totals` the final counters (for the latency distributions).
std::string render_html_report(const nlohmann::json& report, const std::vector<series_sample>& samples,
                               const engine::engine_counters& totals);

// The latency histogram as at most `max_bars` bars in milliseconds (adjacent
// log-linear buckets merged), from the first non-empty bucket to the last.
histogram_chart latency_bars(const engine::latency_histogram& h, std::size_t max_bars, std::string id,
                             std::string title);

}  // namespace qqgen::control
