// The time series (control/report/time_series): samples from two readings of
// the counters, interval percentiles from histogram differences, the CSV.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include "control/report/phase_summary.hpp"
#include "control/report/time_series.hpp"
#include "dataplane/shm/shm_abi.hpp"

using namespace qqgen;
using namespace qqgen::control;

namespace {

dataplane_totals reading(std::uint64_t mono_ns) {
    dataplane_totals t;
    t.read_mono_ns = mono_ns;
    t.slots = 1000;
    return t;
}

}  // namespace

TEST_CASE("interval percentiles count only what the interval recorded", "[report]") {
    engine::latency_histogram before, now;
    for (int i = 0; i < 100; ++i) before.record(10'000);  // 10 ms, before the interval
    now = before;
    CHECK(std::isnan(interval_percentile(now, before, 99)));  // nothing new
    for (int i = 0; i < 99; ++i) now.record(100);
    now.record(5000);
    // The interval's own values: 99 x 100 us and one 5 ms; the 10 ms ones are older.
    CHECK(interval_percentile(now, before, 50) == engine::latency_histogram::bucket_high(
                                                      engine::latency_histogram::bucket_of(100)));
    CHECK(interval_percentile(now, before, 99) < 200);
    CHECK(interval_percentile(now, before, 100) >= 5000);
    CHECK(interval_percentile(now, before, 100) < 10'000);
}

TEST_CASE("a sample: gauges as read, counters cumulative, rates over the interval", "[report]") {
    dataplane_totals before = reading(1'000'000'000), now = reading(3'000'000'000);  // 2 s apart
    before.io.port[0].tx_frames = 1000;
    now.io.port[0].tx_frames = 21'000;     // 10,000 fps
    now.io.port[1].rx_bytes = 2'500'000;   // 10 Mbit/s
    now.active_users = 400;
    now.engine.users.started = 500;
    now.engine.users.completed = 100;
    now.engine[engine::stage::chat].started = 50;
    now.engine[engine::stage::chat].completed = 20;
    now.engine[engine::stage::chat].gave_up[static_cast<std::size_t>(engine::give_up_reason::timeout)] = 5;
    now.engine[engine::stage::login].resends = 7;
    now.engine.messages.relay_resends = 3;
    now.io.port[0].tx_refused = 2;
    now.io.port[1].tx_alloc_failed = 1;
    now.engine.login_latency.record(300);
    now.mbufs_in_use = 12;
    now.mbufs_total = 4096;
    const series_sample s = make_sample(now, before, 2.5, process_memory{1 << 20, 2 << 20});
    CHECK(s.t_s == 2.5);
    CHECK(s.client_tx_fps == 10'000.0);
    CHECK(s.server_rx_mbps == 10.0);
    CHECK(s.active_users == 400);
    CHECK(s.slots == 1000);
    CHECK(s.users_chat == 25);  // 50 started, 20 completed, 5 gave up
    CHECK(s.gave_up_timeout == 5);
    CHECK(s.resends == 10);
    CHECK(s.drops == 3);
    CHECK(s.started == 500);
    CHECK(s.stages[static_cast<std::size_t>(engine::stage::chat)].started == 50);
    CHECK(s.stages[static_cast<std::size_t>(engine::stage::chat)].gave_up == 5);
    CHECK(s.completed == 100);
    CHECK(s.login_p50_us >= 300);
    CHECK(std::isnan(s.dns_p99_us));
    CHECK(s.rss_bytes == 1 << 20);
    CHECK(s.hugetlb_bytes == 2 << 20);
    CHECK(s.mbufs_in_use == 12);
    CHECK(std::isnan(make_sample(now, before, 1, std::nullopt).rss_bytes));
}

TEST_CASE("timeseries.csv: a header of every column, a row per sample, empty cells for no value", "[report]") {
    const std::string header = csv_header();
    CHECK(header.starts_with("t_s,phase,active_users,"));
    CHECK(header.find("login_p99_us") != std::string::npos);
    CHECK(header.find("mbufs_in_use,mbufs_total") != std::string::npos);
    series_sample s;
    s.t_s = 1.5;
    s.client_tx_fps = 123.4567;
    s.started = 42;
    const std::string row = csv_row(s);
    std::size_t commas_row = 0, commas_header = 0;
    for (char c : row) commas_row += c == ',';
    for (char c : header) commas_header += c == ',';
    CHECK(commas_row == commas_header);
    CHECK(commas_header + 1 == column_names().size());
    CHECK(header.ends_with(",stage_logout_started,stage_logout_completed,stage_logout_gave_up"));
    CHECK(row.starts_with("1.500,0,"));
    CHECK(row.find(",42,") != std::string::npos);
    CHECK(row.find(",123.457,") != std::string::npos);
    CHECK(row.find(",,") != std::string::npos);  // latency with no samples: empty
    // Every column names a distinct field.
    for (std::size_t i = 0; i < series_columns.size(); ++i)
        for (std::size_t j = i + 1; j < series_columns.size(); ++j) CHECK(series_columns[i].field != series_columns[j].field);
}

TEST_CASE("phase by phase: counters' differences, peaks, means and the worst interval", "[report]") {
    std::vector<series_sample> v;
    const auto add = [&v](double t, shm::worker_phase ph, double started, double fps, double login_p99) {
        series_sample s;
        s.t_s = t;
        s.phase = static_cast<double>(ph);
        s.started = started;
        s.active_users = started / 2;
        s.client_tx_fps = fps;
        s.login_p99_us = login_p99;
        v.push_back(s);
    };
    add(1, shm::worker_phase::ramp_up, 10, 100, 500);
    add(2, shm::worker_phase::ramp_up, 30, 300, std::nan(""));
    add(3, shm::worker_phase::steady, 60, 600, 800);
    add(5, shm::worker_phase::steady, 100, 600, 700);
    add(6, shm::worker_phase::stopping, 100, 50, std::nan(""));
    const auto p = summarize_phases(v);
    REQUIRE(p.size() == 3);
    CHECK(p[0].phase == "ramp_up");
    CHECK(p[0].from_s == 0);
    CHECK(p[0].to_s == 2);
    CHECK(p[0].users_started == 30);
    CHECK(p[0].client_tx_fps == 200);  // (100 x 1 s + 300 x 1 s) / 2 s
    CHECK(p[0].worst_login_p99_us == 500);
    CHECK(p[1].phase == "steady");
    CHECK(p[1].from_s == 2);
    CHECK(p[1].users_started == 70);
    CHECK(p[1].peak_active_users == 50);
    CHECK(p[1].client_tx_fps == 600);
    CHECK(p[1].worst_login_p99_us == 800);
    CHECK(p[2].phase == "stopping");
    CHECK(p[2].users_started == 0);
    CHECK(std::isnan(p[2].worst_login_p99_us));
    CHECK(to_json(p)[1]["users"]["started"] == 70);
    CHECK(summarize_phases({}).empty());
}
