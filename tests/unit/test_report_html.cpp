// report.html and its SVG charts (control/report/html_report, svg_chart):
// the structure tests/integration/check_report_html.py checks in Chromium,
// gaps, downsampling, escaping, latency bars.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "control/report/app_report.hpp"
#include "control/report/html_report.hpp"
#include "control/report/run_report.hpp"
#include "control/report/run_outputs.hpp"

using namespace qqgen;
using namespace qqgen::control;

namespace {

std::size_t count(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("a line chart: a series group per series with a line, gaps split the line", "[report]") {
    const double gap = std::nan("");
    line_chart c{"chart-x", "T <&>", "frames/s", {0, 1, 2, 3, 4}, {}};
    c.series.push_back({"a", {1, 2, gap, 4, 5}});
    c.series.push_back({"only dots", {1, gap, 3, gap, 5}});
    c.series.push_back({"b \"q\"", {0, 0, 0, 0, 0}, true});
    const std::string svg = render_line_chart(c);
    CHECK(svg.starts_with("<figure class=\"chart timeseries\" id=\"chart-x\">"));
    CHECK(count(svg, "<g class=\"series\"") == 2);  // "only dots" has no line
    CHECK(svg.find("(no values: only dots)") != std::string::npos);
    CHECK(count(svg, "<polyline") == 3);  // a: two runs; b: one
    CHECK(svg.find("data-name=\"b &quot;q&quot;\"") != std::string::npos);
    CHECK(svg.find("T &lt;&amp;&gt;") != std::string::npos);
    CHECK(svg.find("stroke-dasharray") != std::string::npos);
}

TEST_CASE("downsampling averages consecutive samples and keeps gaps", "[report]") {
    line_chart c{"id", "t", "u", {}, {{"s", {}}}};
    for (int i = 0; i < 1000; ++i) {
        c.x.push_back(i);
        c.series[0].y.push_back(i < 500 ? 2.0 : std::nan(""));
    }
    const line_chart d = downsampled(c, 100);
    REQUIRE(d.x.size() == 100);
    CHECK(d.series[0].y[0] == 2.0);
    CHECK(std::isnan(d.series[0].y[99]));
    CHECK(d.x.back() == 999);
    CHECK(downsampled(c, 2000).x.size() == 1000);
}

TEST_CASE("latency bars: the non-empty range, merged to at most N bars, in ms", "[report]") {
    engine::latency_histogram h;
    for (std::uint32_t us = 100; us < 100'000; us += 37) h.record(us);
    const histogram_chart bars = latency_bars(h, 20, "dist-x", "x");
    REQUIRE(!bars.bars.empty());
    CHECK(bars.bars.size() <= 20);
    std::uint64_t total = 0;
    for (const auto& b : bars.bars) total += b.count;
    CHECK(total == h.count);
    CHECK(bars.bars.front().low <= 0.1);
    CHECK(bars.bars.back().high >= 99.9);
    const std::string svg = render_histogram(bars);
    CHECK(count(svg, "<rect class=\"bar\"") == bars.bars.size());
    CHECK(latency_bars(engine::latency_histogram{}, 20, "d", "t").bars.empty());
}

TEST_CASE("report.html: the contract's sections and charts, self-contained", "[report]") {
    std::vector<series_sample> samples(5);
    for (std::size_t i = 0; i < samples.size(); ++i) {
        samples[i].t_s = static_cast<double>(i);
        samples[i].client_tx_fps = 100.0 * static_cast<double>(i);
        samples[i].active_users = 10;
        samples[i].slots = 100;
        samples[i].login_p99_us = 1000;
        samples[i].rss_bytes = 1 << 24;
        samples[i].mbufs_total = 100;
    }
    engine::engine_counters c;
    c.login_latency.record(1000);
    nlohmann::json report = {{"schema", "qqgen-report/1"},
                             {"profile", {{"name", "t<script>"}, {"file", "t.yaml"}, {"workers", 1},
                                          {"applied_yaml", "name: t\n"}, {"dut", "a router"}}},
                             {"run", {{"duration_s", 4.0}, {"end_reason", "the phases ended"}, {"start_unix_ns", 0}}},
                             {"verdict", {{"pass", false},
                                          {"checks", {{{"name", "users failed"}, {"limit", "<= 1 %"},
                                                       {"value", "2 %"}, {"pass", false}, {"detail", ""}}}}}}};
    const std::string html = render_html_report(report, samples, c);
    CHECK(html.find("<main id=\"qqgen-report\" data-schema=\"qqgen-report-html/1\">") != std::string::npos);
    CHECK(html.find("<section id=\"verdict\" data-verdict=\"fail\"") != std::string::npos);
    CHECK(html.find("<tr class=\"check\" data-pass=\"false\">") != std::string::npos);
    for (const char* id : {"chart-rates", "chart-users", "chart-latency", "chart-failures", "chart-memory",
                           "dist-login"})
        CHECK(html.find(std::string("id=\"") + id + "\"") != std::string::npos);
    CHECK(html.find("dist-dns") == std::string::npos);  // no DNS samples: no chart
    CHECK(html.find("<table class=\"summary") != std::string::npos);
    CHECK(html.find("<section id=\"phases\">") != std::string::npos);
    CHECK(html.find("t&lt;script&gt;") != std::string::npos);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("a router") != std::string::npos);
    // Nothing the browser would fetch.
    CHECK(html.find("src=") == std::string::npos);
    CHECK(html.find("href=") == std::string::npos);
    CHECK(html.find("url(") == std::string::npos);
}

TEST_CASE("report.json's time series: columns and rows, null for no value", "[report]") {
    std::vector<series_sample> samples(2);
    samples[1].t_s = 1.25;
    const nlohmann::json j = to_json(samples, 1.0);
    const auto names = column_names();
    CHECK(j["columns"].size() == names.size());
    CHECK(j["rows"].size() == 2);
    CHECK(j["rows"][0].size() == names.size());
    CHECK(j["rows"][1][0] == 1.25);
    const auto rss = static_cast<std::size_t>(std::find(names.begin(), names.end(), "rss_bytes") - names.begin());
    CHECK(j["rows"][0][rss].is_null());  // not read
}

// --- per application (issue 8) -----------------------------------------------------

namespace {

// A blended run's profile and counters: QQ 60 + 10, dns 20, http 10.
run_profile blended_profile() {
    run_profile p;
    p.qq_weight = {60, 10, true};
    p.load.tcp_share_ppm = 142857;
    p.load.apps[engine::app_kind::dns].session_rate = 20;
    p.load.apps[engine::app_kind::dns].weight = 20;
    p.load.apps[engine::app_kind::http].session_rate = 10;
    p.load.apps[engine::app_kind::http].weight = 10;
    return p;
}

dataplane_totals blended_totals() {
    dataplane_totals t;
    auto& e = t.engine;
    e.users.started = 700;
    e.users.completed = 690;
    e.users.failed = 10;
    e.stages[0].gave_up[0] = 6;  // dns stage: timeout
    e.stages[2].gave_up[1] = 4;  // login: refused
    e.stages[2].resends = 5;
    e.tcp.retransmits = {2, 1};
    e.tcp.attempted = 120;
    e.tcp.established = 118;
    e.server.requests = 9000;
    for (int i = 0; i < 10; ++i) e.login_latency.record(2000);
    auto& dns = e.apps[static_cast<std::size_t>(engine::app_kind::dns)];
    dns.sessions_started = 200;
    dns.sessions_completed = 197;
    dns.sessions_failed = 3;
    dns.failed_timeout = 2;
    dns.failed_reset = 1;
    dns.transactions = 597;
    dns.retransmits = 4;
    dns.frames_sent = {600, 597};
    dns.frames_received = {597, 600};
    dns.bytes_sent = {45'000, 60'000};
    dns.bytes_received = {60'000, 45'000};
    dns.payload_bytes = 70'000;
    for (int i = 0; i < 100; ++i) dns.latency.record(300);
    auto& http = e.apps[static_cast<std::size_t>(engine::app_kind::http)];
    http.sessions_started = 100;
    http.sessions_completed = 100;
    http.corrupt = 2;
    http.frames_sent = {1000, 4000};
    http.frames_received = {4000, 1000};
    for (int i = 0; i < 10; ++i) http.connect_latency.record(150);
    t.io.port[0].tx_frames = 11'600;  // QQ 10,000 + dns 600 + http 1,000
    t.io.port[0].rx_frames = 14'597;
    t.io.port[0].tx_bytes = 1'045'000;
    return t;
}

}  // namespace

TEST_CASE("report.json: applications per kind, QQ from its own counters, and the mix achieved", "[report][apps]") {
    run_facts facts;
    const nlohmann::json r = make_report(blended_profile(), facts, blended_totals());
    const nlohmann::json& a = r["applications"];
    CHECK(a.size() == 3);  // qq, dns, http: tls and the streams did not run
    CHECK_FALSE(a.contains("tls"));
    const nlohmann::json& dns = a["dns"];
    CHECK(dns["weight"] == 20);
    CHECK(dns["sessions"] == nlohmann::json{{"started", 200}, {"completed", 197}, {"failed", 3}, {"stopped", 0},
                                            {"failed_timeout", 2}, {"failed_reset", 1}, {"failed_corrupt", 0}});
    CHECK(dns["transactions"] == 597);
    CHECK(dns["retransmits"] == 4);
    CHECK(dns["payload_bytes"] == 70'000);
    CHECK(dns["frames"]["client"] == nlohmann::json{{"sent", 600}, {"received", 597}});
    CHECK(dns["frames"]["server"] == nlohmann::json{{"sent", 597}, {"received", 600}});
    CHECK(dns["bytes"]["server"]["sent"] == 60'000);
    CHECK(dns["latency_us"]["count"] == 100);
    CHECK(dns["latency_us"]["p50"].get<std::uint64_t>() >= 280);
    CHECK(dns["latency_us"]["p99"].get<std::uint64_t>() <= 340);
    CHECK(dns["connect_latency_us"]["count"] == 0);
    CHECK(dns["connect_latency_us"]["p50"].is_null());
    CHECK(a["http"]["corrupt"] == 2);
    CHECK(a["http"]["connect_latency_us"]["count"] == 10);
    const nlohmann::json& qq = a["qq"];
    CHECK(qq["weight"] == 70);
    CHECK(qq["transports"]["tcp"]["weight"] == 10);
    CHECK(qq["transports"]["tcp"]["connections"]["attempted"] == 120);
    CHECK(qq["sessions"]["started"] == 700);
    CHECK(qq["sessions"]["failed_timeout"] == 6);
    CHECK(qq["sessions"]["failed_reset"] == 4);  // refused
    CHECK(qq["retransmits"] == 8);               // 5 resends + 3 TCP retransmits
    CHECK(qq["transactions"] == 9000);
    CHECK(qq["frames"]["client"]["sent"] == 10'000);  // the port's less the companions'
    CHECK(qq["frames"]["client"]["received"] == 10'000);
    CHECK(qq["bytes"]["client"]["sent"] == 1'000'000);
    CHECK(qq["latency_us"]["count"] == 10);
    // The per-worker and summed COUNTERS keep every companion's raw counters.
    CHECK(r["totals"]["counters"]["apps"].size() == engine::app_kind_count);
    CHECK(r["totals"]["counters"]["apps"]["dns"]["sessions"]["started"] == 200);
    CHECK(r["totals"]["counters"]["apps"]["tcp_stream"]["sessions"]["started"] == 0);
    // The mix: each application's share of the weights and of the sessions started.
    const nlohmann::json& mix = r["application_mix"];
    CHECK(mix["qq"]["weight_share"].get<double>() == Approx(0.7));
    CHECK(mix["qq"]["session_share"].get<double>() == Approx(0.7));
    CHECK(mix["dns"]["weight_share"].get<double>() == Approx(0.2));
    CHECK(mix["dns"]["session_share"].get<double>() == Approx(0.2));
    CHECK(mix["http"]["sessions_started"] == 100);
}

TEST_CASE("report.json: a QQ-only run has QQ alone, the whole mix", "[report][apps]") {
    run_facts facts;
    dataplane_totals t;
    t.engine.users.started = 5;
    const nlohmann::json r = make_report(run_profile{}, facts, t);
    CHECK(r["applications"].size() == 1);
    CHECK(r["applications"]["qq"]["weight"].is_null());
    CHECK(r["application_mix"]["qq"]["weight_share"] == 1.0);
    CHECK(r["application_mix"]["qq"]["session_share"] == 1.0);
    CHECK(applications_html(r).empty());
}

TEST_CASE("report.html: the Applications table", "[report][apps]") {
    run_facts facts;
    nlohmann::json r = make_report(blended_profile(), facts, blended_totals());
    r["verdict"] = {{"pass", true}, {"checks", nlohmann::json::array()}};
    const std::string html = render_html_report(r, {}, blended_totals().engine);
    const std::size_t at = html.find("<h3 id=\"applications\">Applications</h3>");
    REQUIRE(at != std::string::npos);
    const std::string table = html.substr(at, html.find("</table>", at) - at);
    CHECK(table.find("<table class=\"summary applications\">") != std::string::npos);
    CHECK(count(table, "<tr data-app=") == 3);
    // QQ first, then the companions in app_kind order.
    CHECK(table.find("data-app=\"qq\"") < table.find("data-app=\"dns\""));
    CHECK(table.find("data-app=\"dns\"") < table.find("data-app=\"http\""));
    const std::size_t dns = table.find("data-app=\"dns\"");
    const std::string row = table.substr(dns, table.find("</tr>", dns) - dns);
    CHECK(row.find("<td>20 (20.0)</td>") != std::string::npos);   // weight (share %)
    CHECK(row.find("<td>200 (20.0)</td>") != std::string::npos);  // sessions started (share %)
    CHECK(row.find("<td>3: 2 / 1 / 0</td>") != std::string::npos);
    CHECK(row.find("<td>597</td>") != std::string::npos);
    CHECK(row.find("<td>600 / 597</td>") != std::string::npos);      // client port frames
    CHECK(row.find("<td>0.0 / 0.1</td>") != std::string::npos);      // client port MB: 45,000 / 60,000 bytes
    CHECK(row.find("<td>0.300</td>") != std::string::npos);  // p50 ms (300 us, within a bucket)
    CHECK(html.find("<script") == std::string::npos);
}

TEST_CASE("the printed summary: a line per application once a companion counted anything", "[report][apps]") {
    const auto printed = [](const engine::engine_counters& c) {
        char* buf = nullptr;
        std::size_t size = 0;
        std::FILE* f = open_memstream(&buf, &size);
        engine::print_summary(f, c);
        std::fclose(f);
        std::string s(buf, size);
        std::free(buf);
        return s;
    };
    CHECK(printed(engine::engine_counters{}).find("app ") == std::string::npos);
    const std::string s = printed(blended_totals().engine);
    CHECK(count(s, "\napp ") == engine::app_kind_count);
    CHECK(s.find("app dns: sessions started 200, completed 197, failed 3 (timeout 2, reset 1, corrupt 0), stopped 0; "
                 "transactions 597; client frames sent/recv 600/597, server frames sent/recv 597/600; payload bytes "
                 "70000; retransmits 4; corrupt 0, unexpected 0, lost 0; latency p50 ") != std::string::npos);
    CHECK(s.find("app http: sessions started 100, ") != std::string::npos);
    CHECK(s.find("app tls: sessions started 0, completed 0, failed 0 (timeout 0, reset 0, corrupt 0), stopped 0; "
                 "transactions 0; client frames sent/recv 0/0, server frames sent/recv 0/0; payload bytes 0; "
                 "retransmits 0; corrupt 0, unexpected 0, lost 0; latency none\n") != std::string::npos);
}
