#include "control/report/run_outputs.hpp"

#include <cmath>
#include <fstream>

#include "control/report/html_report.hpp"
#include "control/report/phase_summary.hpp"

namespace qqgen::control {

nlohmann::json to_json(const std::vector<series_sample>& samples, double interval_s) {
    nlohmann::json columns = column_names();
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& s : samples) {
        nlohmann::json row = nlohmann::json::array();
        for (const double v : column_values(s)) {
            if (std::isnan(v)) row.push_back(nullptr);
            else if (v == std::floor(v) && std::fabs(v) < 9e15) row.push_back(static_cast<std::int64_t>(v));
            else row.push_back(std::round(v * 1000) / 1000);
        }
        rows.push_back(std::move(row));
    }
    return {{"file", "timeseries.csv"}, {"interval_s", interval_s}, {"columns", columns}, {"rows", rows}};
}

written_report write_run_outputs(const std::string& dir, const run_profile& profile, const run_facts& facts,
                                 const dataplane_totals& totals, const std::vector<series_sample>& samples) {
    written_report out;
    out.verdict = judge_run(profile.thresholds, facts, totals, samples);
    nlohmann::json report = make_report(profile, facts, totals);
    report["verdict"] = to_json(out.verdict);
    report["phases"] = to_json(summarize_phases(samples));
    report["timeseries"] = to_json(samples, profile.sample_interval_s);
    if (std::string err = write_json(dir + "/report.json", report); !err.empty()) {
        out.error = err;
        return out;
    }
    const std::string html_path = dir + "/report.html";
    std::ofstream f(html_path, std::ios::binary | std::ios::trunc);
    f << render_html_report(report, samples, totals.engine);
    if (!f.flush()) out.error = "cannot write " + html_path;
    return out;
}

}  // namespace qqgen::control
