// report: how often `qqgen run` prints progress and samples its time series,
// the device under test as the user describes it, and the thresholds the
// run's verdict checks (docs/report.md).
#include <array>
#include <string_view>

#include "control/profile/profile_sections.hpp"

namespace qqgen::control {

namespace {

// The p99 limits, in report_thresholds::max_p99_us order.
constexpr std::array<std::string_view, 4> p99_keys{"max_dns_p99", "max_login_p99", "max_delivery_p99",
                                                   "max_tcp_connect_p99"};

void read_thresholds(yaml_section& t, report_thresholds& out) {
    double percent = 0;
    if (t.number("max_failed_percent", percent, 0, 100)) out.max_failed_percent = percent;
    if (t.number("max_lost_percent", percent, 0, 100)) out.max_lost_percent = percent;
    if (t.number("max_drift_percent", percent, 0, 1000)) out.max_drift_percent = percent;
    std::uint64_t drops = 0;
    if (t.integer("max_drops", drops)) out.max_drops = drops;
    for (std::size_t i = 0; i < p99_keys.size(); ++i) {
        std::uint64_t ms = 0;
        if (t.duration(p99_keys[i], ms, 0, 3'600'000)) out.max_p99_us[i] = ms * 1000;
    }
}

}  // namespace

void read_report(yaml_section& root, run_profile& out) {
    yaml_section r = root.section("report");
    std::uint64_t interval_ms = 1000, sample_ms = 1000;
    r.duration("interval", interval_ms, 0, 3'600'000);
    out.stats_interval_s = static_cast<double>(interval_ms) / 1000.0;
    // 100 ms at the finest: the workers publish once a millisecond, and a
    // sample reads every worker's 9 KB block.
    r.duration("sample_interval", sample_ms, 100, 3'600'000);
    out.sample_interval_s = static_cast<double>(sample_ms) / 1000.0;
    r.text("dut", out.dut);
    yaml_section t = r.section("thresholds");
    read_thresholds(t, out.thresholds);
}

}  // namespace qqgen::control
