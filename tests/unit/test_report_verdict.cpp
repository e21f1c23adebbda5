// The verdict (control/report/run_verdict): a normal end, consistent
// counters, the profile's thresholds and a soak's drift.
#include <catch2/catch.hpp>

#include <algorithm>

#include "control/report/run_verdict.hpp"
#include "dataplane/shm/shm_abi.hpp"

using namespace qqgen;
using namespace qqgen::control;

namespace {

run_facts normal_end() {
    run_facts f;
    f.end_reason = "the phases ended";
    f.dataplane_exit_status = 0;
    return f;
}

dataplane_totals ended(std::uint64_t started, std::uint64_t completed, std::uint64_t failed) {
    dataplane_totals t;
    t.engine.users.started = started;
    t.engine.users.completed = completed;
    t.engine.users.failed = failed;
    return t;
}

const verdict_check* find(const run_verdict& v, const std::string& name) {
    const auto it = std::find_if(v.checks.begin(), v.checks.end(), [&](const verdict_check& c) { return c.name == name; });
    return it == v.checks.end() ? nullptr : &*it;
}

std::vector<series_sample> steady_samples(std::size_t n, double rss_from, double rss_to) {
    std::vector<series_sample> v;
    for (std::size_t i = 0; i < n; ++i) {
        series_sample s;
        s.t_s = static_cast<double>(i);
        s.phase = static_cast<double>(shm::worker_phase::steady);
        s.rss_bytes = rss_from + (rss_to - rss_from) * static_cast<double>(i) / static_cast<double>(n - 1);
        s.hugetlb_bytes = 0;
        s.mbufs_in_use = 100;
        s.mbufs_total = 1000;
        s.active_users = 5000;
        s.slots = 10000;
        s.started = static_cast<double>(i * 10);
        v.push_back(s);
    }
    return v;
}

}  // namespace

TEST_CASE("a normal run with no thresholds passes", "[report]") {
    const run_verdict v = judge_run({}, normal_end(), ended(100, 90, 10), {});
    CHECK(v.pass);
    CHECK(find(v, "counters consistent")->pass);
    CHECK(find(v, "users failed") == nullptr);  // no limit set: not judged
}

TEST_CASE("a dataplane that died fails the verdict", "[report]") {
    run_facts f = normal_end();
    f.end_reason = "dataplane exited with status 1";
    f.dataplane_exit_status = 1;
    CHECK_FALSE(judge_run({}, f, ended(1, 1, 0), {}).pass);
}

TEST_CASE("inconsistent counters fail the verdict, naming what and when", "[report]") {
    // Users unaccounted for at the end.
    run_verdict v = judge_run({}, normal_end(), ended(100, 80, 10), {});
    CHECK_FALSE(v.pass);
    CHECK(find(v, "counters consistent")->detail.find("started 100") != std::string::npos);
    // A counter that went down between samples.
    std::vector<series_sample> s = steady_samples(3, 1e8, 1e8);
    s[2].messages_sent = 5;
    s[1].messages_sent = 9;
    v = judge_run({}, normal_end(), ended(0, 0, 0), s);
    CHECK_FALSE(v.pass);
    CHECK(find(v, "counters consistent")->detail == "at 2.0 s: messages_sent went down");
    s = steady_samples(3, 1e8, 1e8);
    s[1].stages[2].started = 10;  // login: started 10, then 0
    v = judge_run({}, normal_end(), ended(0, 0, 0), s);
    CHECK(find(v, "counters consistent")->detail == "at 2.0 s: stage login counters went down");
    s = steady_samples(3, 1e8, 1e8);
    s[1].active_users = s[1].slots + 1;
    CHECK_FALSE(judge_run({}, normal_end(), ended(0, 0, 0), s).pass);
}

TEST_CASE("thresholds: failures, loss, drops and p99 latency", "[report]") {
    report_thresholds limits;
    limits.max_failed_percent = 5;
    limits.max_lost_percent = 1;
    limits.max_drops = 0;
    limits.max_p99_us[1] = 1000;  // login
    dataplane_totals t = ended(100, 96, 4);
    t.engine.messages.sent = 1000;
    t.engine.messages.lost = 10;
    for (int i = 0; i < 100; ++i) t.engine.login_latency.record(500);
    run_verdict v = judge_run(limits, normal_end(), t, {});
    CHECK(v.pass);
    CHECK(find(v, "users failed")->value == "4.000 %");
    t.engine.users.failed = 6;
    t.engine.users.completed = 94;
    t.engine.messages.lost = 11;
    t.io.port[0].tx_refused = 1;
    t.engine.login_latency.record(5000);
    t.engine.login_latency.record(5000);
    v = judge_run(limits, normal_end(), t, {});
    CHECK_FALSE(v.pass);
    CHECK_FALSE(find(v, "users failed")->pass);
    CHECK_FALSE(find(v, "messages lost")->pass);
    CHECK_FALSE(find(v, "frames dropped by qqgen")->pass);
    CHECK_FALSE(find(v, "login p99")->pass);
    CHECK(find(v, "DNS answer p99") == nullptr);
}

TEST_CASE("a soak's drift: flat passes, growing memory fails, too few samples cannot pass", "[report]") {
    report_thresholds limits;
    limits.max_drift_percent = 10;
    CHECK(judge_run(limits, normal_end(), ended(0, 0, 0), steady_samples(40, 1e9, 1.02e9)).pass);
    const run_verdict leak = judge_run(limits, normal_end(), ended(0, 0, 0), steady_samples(40, 1e9, 1.5e9));
    CHECK_FALSE(leak.pass);
    CHECK_FALSE(find(leak, "resident memory drift")->pass);
    CHECK(find(leak, "mbufs in use drift")->pass);
    const run_verdict short_run = judge_run(limits, normal_end(), ended(0, 0, 0), steady_samples(5, 1e9, 1e9));
    CHECK_FALSE(short_run.pass);
    CHECK(find(short_run, "resident memory drift")->value == "not measured");
    // Ramp samples are not the steady phase.
    auto s = steady_samples(40, 1e9, 1e9);
    for (std::size_t i = 0; i < 10; ++i) {
        s[i].phase = static_cast<double>(shm::worker_phase::ramp_up);
        s[i].rss_bytes = 1e8;
    }
    CHECK(steady_drift_percent(s, &series_sample::rss_bytes, 1) == Approx(0.0));
}

TEST_CASE("companions: their failed sessions count, a corrupt payload fails the run", "[report][apps]") {
    report_thresholds limits;
    limits.max_failed_percent = 2;
    dataplane_totals t = ended(100, 99, 1);
    // QQ alone: the check keeps its name, no companion check.
    run_verdict v = judge_run(limits, normal_end(), t, {});
    CHECK(find(v, "users failed")->pass);
    CHECK(find(v, "companion payloads intact") == nullptr);
    auto& dns = t.engine.apps[static_cast<std::size_t>(engine::app_kind::dns)];
    dns.sessions_started = 100;
    dns.sessions_completed = 96;
    dns.sessions_failed = 4;
    v = judge_run(limits, normal_end(), t, {});
    CHECK_FALSE(v.pass);
    const verdict_check* failed = find(v, "sessions failed");
    REQUIRE(failed != nullptr);
    CHECK(failed->value == "2.500 %");  // (1 + 4) of (100 + 100)
    CHECK(failed->detail == "5 of 200 (QQ users 1 of 100, companions 4 of 100)");
    CHECK(find(v, "users failed") == nullptr);
    CHECK(find(v, "companion payloads intact")->pass);
    // Counters consistency is QQ's only: companions have no active gauge to balance with.
    CHECK(find(v, "counters consistent")->pass);
    dns.sessions_failed = 1;
    dns.sessions_completed = 99;
    auto& http = t.engine.apps[static_cast<std::size_t>(engine::app_kind::http)];
    http.sessions_started = 10;
    http.sessions_completed = 10;
    http.corrupt = 3;
    v = judge_run(limits, normal_end(), t, {});
    CHECK_FALSE(v.pass);
    CHECK(find(v, "sessions failed")->pass);
    const verdict_check* corrupt = find(v, "companion payloads intact");
    REQUIRE(corrupt != nullptr);
    CHECK_FALSE(corrupt->pass);
    CHECK(corrupt->value == "3 corrupt");
    CHECK(corrupt->detail.starts_with("http 3: companion payloads are derived and checked byte for byte"));
    // Judged without any threshold set.
    CHECK_FALSE(judge_run({}, normal_end(), t, {}).pass);
}
