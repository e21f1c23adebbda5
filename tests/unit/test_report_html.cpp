// report.html and its SVG charts (control/report/html_report, svg_chart):
// the structure tests/integration/check_report_html.py checks in Chromium,
// gaps, downsampling, escaping, latency bars.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "control/report/html_report.hpp"
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
