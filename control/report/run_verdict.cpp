#include "control/report/run_verdict.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "dataplane/shm/shm_abi.hpp"

namespace qqgen::control {

namespace {

std::string fmt(const char* format, double v) {
    char b[64];
    std::snprintf(b, sizeof b, format, v);
    return b;
}

std::string count_text(std::uint64_t v) { return std::to_string(v); }

std::string latency_text(std::uint64_t us) {
    return us >= 10'000 ? fmt("%.0f ms", static_cast<double>(us) / 1000) : fmt("%.3g ms", static_cast<double>(us) / 1000);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void check_end(const run_facts& facts, const dataplane_totals& totals, run_verdict& out) {
    const bool normal = facts.end_reason == "the phases ended" || facts.end_reason == "stopped by the user" ||
                        facts.end_reason == still_running;
    out.checks.push_back({"run ended normally", "", facts.end_reason, normal && facts.dataplane_exit_status == 0,
                          "dataplane exit status " + std::to_string(facts.dataplane_exit_status)});
    out.checks.push_back({"every worker's counters readable", "", std::to_string(totals.unreadable) + " unreadable",
                          totals.unreadable == 0, ""});
}

// Counters only grow; gauges stay inside what they count.
void check_consistency(const dataplane_totals& totals, const std::vector<series_sample>& samples, run_verdict& out) {
    std::string problem;
    const auto note = [&problem](const std::string& p) {
        if (problem.empty()) problem = p;
    };
    static constexpr std::array<double series_sample::*, 20> cumulative{
        &series_sample::started,          &series_sample::logged_in,        &series_sample::redirected,
        &series_sample::completed,        &series_sample::failed,           &series_sample::stopped,
        &series_sample::gave_up_timeout,  &series_sample::gave_up_refused,  &series_sample::gave_up_bad_reply,
        &series_sample::gave_up_stopped,  &series_sample::messages_sent,    &series_sample::messages_delivered,
        &series_sample::messages_lost,    &series_sample::messages_corrupt, &series_sample::resends,
        &series_sample::tcp_attempted,    &series_sample::tcp_established,  &series_sample::tcp_retransmits,
        &series_sample::tcp_rst,          &series_sample::drops};
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const series_sample& s = samples[i];
        const std::string at = fmt("at %.1f s: ", s.t_s);
        if (i > 0)
            for (auto f : cumulative)
                if (s.*f < samples[i - 1].*f) {
                    for (const auto& c : series_columns)
                        if (c.field == f) note(at + std::string(c.name) + " went down");
                }
        if (i > 0)
            for (std::size_t st = 0; st < s.stages.size(); ++st) {
                const auto& a = samples[i - 1].stages[st];
                const auto& b = s.stages[st];
                if (b.started < a.started || b.completed < a.completed || b.gave_up < a.gave_up)
                    note(at + "stage " + std::string(to_string(static_cast<engine::stage>(st))) + " counters went down");
                if (b.completed + b.gave_up > b.started)
                    note(at + "stage " + std::string(to_string(static_cast<engine::stage>(st))) +
                         " ended more than it started");
            }
        if (s.active_users > s.slots) note(at + "more active users than session slots");
        if (s.completed + s.failed + s.stopped > s.started) note(at + "more users ended than started");
        if (s.logged_in > s.started) note(at + "more users logged in than started");
        if (s.mbufs_in_use > s.mbufs_total) note(at + "more mbufs in use than the pools hold");
    }
    // At the end every user started is accounted for: ended, or still active
    // (a stopped run's users that had not logged out yet).
    const auto& u = totals.engine.users;
    if (u.completed + u.failed + u.stopped + totals.active_users != u.started)
        note("at the end: started " + count_text(u.started) + " != completed + failed + stopped + active " +
             count_text(u.completed + u.failed + u.stopped + totals.active_users));
    out.checks.push_back({"counters consistent", "", problem.empty() ? "yes" : "no", problem.empty(),
                          problem.empty() ? std::to_string(samples.size()) + " samples checked" : problem});
}

void check_percent(const char* name, std::optional<double> limit, std::uint64_t part, std::uint64_t whole,
                   run_verdict& out) {
    if (!limit) return;
    const double p = whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
    out.checks.push_back({name, fmt("<= %g %%", *limit), fmt("%.3f %%", p), p <= *limit,
                          count_text(part) + " of " + count_text(whole)});
}

// Failed sessions: QQ users, and once companions ran, their sessions too
// (a failed DNS look-up or page fetch is a failure of the run as much as a
// QQ user giving up).
void check_failed(const report_thresholds& limits, const engine::engine_counters& e, run_verdict& out) {
    std::uint64_t started = 0, failed = 0;
    for (const auto& a : e.apps) {
        started += a.sessions_started;
        failed += a.sessions_failed;
    }
    if (started == 0) {
        check_percent("users failed", limits.max_failed_percent, e.users.failed, e.users.started, out);
        return;
    }
    check_percent("sessions failed", limits.max_failed_percent, e.users.failed + failed, e.users.started + started,
                  out);
    if (limits.max_failed_percent)
        out.checks.back().detail += " (QQ users " + count_text(e.users.failed) + " of " + count_text(e.users.started) +
                                    ", companions " + count_text(failed) + " of " + count_text(started) + ")";
}

// Companions' payloads are derived from the seed and checked byte for byte
// by the receiving half: a corrupt one is content the path changed (a DUT
// rewriting or truncating it) or a qqgen bug, never noise. Judged whenever
// companions ran.
void check_app_corrupt(const engine::engine_counters& e, run_verdict& out) {
    std::uint64_t started = 0, corrupt = 0;
    std::string each;
    for (std::size_t k = 0; k < e.apps.size(); ++k) {
        const auto& a = e.apps[k];
        started += a.sessions_started;
        corrupt += a.corrupt;
        if (a.corrupt != 0)
            each += std::string(each.empty() ? "" : ", ") + std::string(to_string(static_cast<engine::app_kind>(k))) +
                    " " + count_text(a.corrupt);
    }
    if (started == 0 && corrupt == 0) return;
    out.checks.push_back(
        {"companion payloads intact", "0 corrupt", count_text(corrupt) + " corrupt", corrupt == 0,
         corrupt == 0 ? "every companion frame received matched what its peer must have sent"
                      : each + ": companion payloads are derived and checked byte for byte, so these frames were "
                               "changed on the way (a device rewriting or truncating content) or qqgen has a bug"});
}

void check_latency(const report_thresholds& limits, const engine::engine_counters& e, run_verdict& out) {
    const std::array<std::pair<const char*, const engine::latency_histogram*>, 4> kinds{
        {{"DNS answer p99", &e.dns_latency},
         {"login p99", &e.login_latency},
         {"message delivery p99", &e.delivery_latency},
         {"TCP connect p99", &e.connect_latency}}};
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        if (!limits.max_p99_us[i]) continue;
        const auto& h = *kinds[i].second;
        const std::uint64_t limit = *limits.max_p99_us[i];
        if (h.count == 0) {
            out.checks.push_back({kinds[i].first, "<= " + latency_text(limit), "no samples", true, ""});
            continue;
        }
        const std::uint64_t p99 = h.percentile(99);
        out.checks.push_back({kinds[i].first, "<= " + latency_text(limit), latency_text(p99), p99 <= limit,
                              count_text(h.count) + " samples"});
    }
}

void check_drift(const report_thresholds& limits, const std::vector<series_sample>& samples, run_verdict& out) {
    struct gauge {
        const char* name;
        double series_sample::*field;
        double series_sample::*capacity;  // what it is a share of, or null
        double floor;  // the smallest base the growth is a percentage of (bytes, or a share of capacity)
    };
    // mbufs in flight and users online wobble by tens from one second to the
    // next; a leak shows as growth against the pool or the table, so those
    // two are measured against at least 5 % and 1 % of their capacity.
    const std::array<gauge, 4> gauges{{{"resident memory drift", &series_sample::rss_bytes, nullptr, 1 << 20},
                                       {"hugepage memory drift", &series_sample::hugetlb_bytes, nullptr, 1 << 20},
                                       {"mbufs in use drift", &series_sample::mbufs_in_use, &series_sample::mbufs_total, 0.05},
                                       {"session-table occupancy drift", &series_sample::active_users, &series_sample::slots, 0.01}}};
    // Judged only when the profile asks (a soak): the steady phase of a
    // shorter run also holds its ramps' tails, where everything moves.
    if (!limits.max_drift_percent) return;
    const std::string limit = fmt("<= %g %%", *limits.max_drift_percent);
    for (const auto& g : gauges) {
        const double floor = g.capacity == nullptr || samples.empty()
                                 ? g.floor
                                 : std::max(1.0, g.floor * (samples.back().*g.capacity));
        const std::optional<double> drift = steady_drift_percent(samples, g.field, floor);
        if (!drift) {
            // A soak that set the limit must have sampled enough to be judged.
            out.checks.push_back({g.name, limit, "not measured", false, "fewer than 8 samples in the steady phase"});
            continue;
        }
        const bool pass = std::fabs(*drift) <= *limits.max_drift_percent;
        out.checks.push_back({g.name, limit, fmt("%+.2f %%", *drift), pass,
                              "median of the steady phase's last quarter against its second"});
    }
}

}  // namespace

std::optional<double> steady_drift_percent(const std::vector<series_sample>& samples, double series_sample::*field,
                                           double floor) {
    std::vector<double> steady;
    for (const auto& s : samples)
        if (s.phase == static_cast<double>(shm::worker_phase::steady) && !std::isnan(s.*field)) steady.push_back(s.*field);
    if (steady.size() < 8) return std::nullopt;
    // The first quarter is left out: concurrency is still settling there
    // (users who arrived during the ramp leave, their successors arrive).
    const auto q = static_cast<std::ptrdiff_t>(steady.size() / 4);
    const double first = median({steady.begin() + q, steady.begin() + 2 * q});
    const double last = median({steady.end() - q, steady.end()});
    return (last - first) / std::max(first, floor) * 100.0;
}

run_verdict judge_run(const report_thresholds& limits, const run_facts& facts, const dataplane_totals& totals,
                      const std::vector<series_sample>& samples) {
    run_verdict v;
    const auto& e = totals.engine;
    check_end(facts, totals, v);
    check_consistency(totals, samples, v);
    check_failed(limits, e, v);
    check_percent("messages lost", limits.max_lost_percent, e.messages.lost, e.messages.sent, v);
    if (limits.max_drops) {
        const std::uint64_t drops = frames_dropped(totals.io);
        v.checks.push_back({"frames dropped by qqgen", "<= " + count_text(*limits.max_drops), count_text(drops),
                            drops <= *limits.max_drops, "pool dry, TX queue full, bad length, multi-segment"});
    }
    check_app_corrupt(e, v);
    check_latency(limits, e, v);
    check_drift(limits, samples, v);
    v.pass = std::all_of(v.checks.begin(), v.checks.end(), [](const verdict_check& c) { return c.pass; });
    return v;
}

void print_verdict(std::FILE* out, const run_verdict& v) {
    std::fprintf(out, "verdict: %s (%zu checks)\n", v.pass ? "PASS" : "FAIL", v.checks.size());
    for (const auto& c : v.checks)
        if (!c.pass)
            std::fprintf(out, "  failed: %s: %s%s%s%s%s\n", c.name.c_str(), c.value.c_str(),
                         c.limit.empty() ? "" : " (limit ", c.limit.c_str(), c.limit.empty() ? "" : ")",
                         c.detail.empty() ? "" : ("; " + c.detail).c_str());
}

nlohmann::json to_json(const run_verdict& v) {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& c : v.checks)
        checks.push_back({{"name", c.name}, {"limit", c.limit}, {"value", c.value}, {"pass", c.pass}, {"detail", c.detail}});
    return {{"pass", v.pass}, {"checks", checks}};
}

}  // namespace qqgen::control
