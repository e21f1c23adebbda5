#include "control/report/html_report.hpp"

#include <cmath>
#include <ctime>
#include <functional>

#include "control/report/app_report.hpp"
#include "control/report/phase_summary.hpp"
#include "control/report/svg_chart.hpp"

namespace qqgen::control {

using nlohmann::json;

namespace {

constexpr std::size_t chart_points = 600;

const char* const style = R"(
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;margin:0;background:#f6f7f9;color:#222}
main{max-width:1100px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ccd;padding-bottom:4px}
.badge{display:inline-block;padding:2px 12px;border-radius:12px;font-weight:600;color:#fff}
.pass .badge,.badge.pass{background:#1a7f37}.fail .badge,.badge.fail{background:#cf222e}
table{border-collapse:collapse;margin:6px 0 12px;background:#fff}th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:right}
th{background:#eef1f4}td:first-child,th:first-child{text-align:left}
tr.check[data-pass="false"] td{background:#ffebe9}tr.check[data-pass="true"] td:nth-child(4){color:#1a7f37}
figure{background:#fff;border:1px solid #d0d7de;margin:10px 0;padding:6px}figcaption{font-size:13px;color:#444;padding:2px 6px}
svg{display:block;max-width:100%;height:auto;font-size:11px}svg text{fill:#333}
.axis line{stroke:#888}.grid{stroke:#e3e6ea}
pre{background:#fff;border:1px solid #d0d7de;padding:8px;overflow:auto;font-size:12px}
.meta td{text-align:left}
)";

std::string esc(const std::string& s) { return html_escape(s); }

std::string cell(const json& v) {
    if (v.is_null()) return "&ndash;";
    if (v.is_number_unsigned() || v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
    if (v.is_number_float()) {
        char b[32];
        std::snprintf(b, sizeof b, "%.3f", v.get<double>());
        return b;
    }
    if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
    if (v.is_string()) return esc(v.get<std::string>());
    return esc(v.dump());
}

const json& at(const json& j, std::initializer_list<const char*> path) {
    static const json null_value;
    const json* p = &j;
    for (const char* k : path) {
        if (!p->is_object() || !p->contains(k)) return null_value;
        p = &(*p)[k];
    }
    return *p;
}

// A table of rows: first column a label, then values.
std::string table(const std::vector<std::string>& head, const std::vector<std::vector<std::string>>& rows) {
    std::string t = "<table class=\"summary\"><tr>";
    for (const auto& h : head) t += "<th>" + esc(h) + "</th>";
    t += "</tr>\n";
    for (const auto& r : rows) {
        t += "<tr>";
        for (const auto& c : r) t += "<td>" + c + "</td>";
        t += "</tr>\n";
    }
    return t + "</table>\n";
}

std::string utc_text(std::uint64_t unix_ns) {
    const std::time_t t = static_cast<std::time_t>(unix_ns / 1'000'000'000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char b[40];
    std::strftime(b, sizeof b, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return b;
}

std::string verdict_section(const json& verdict) {
    const bool pass = at(verdict, {"pass"}).is_boolean() && verdict["pass"].get<bool>();
    std::string s = "<section id=\"verdict\" data-verdict=\"" + std::string(pass ? "pass" : "fail") + "\" class=\"" +
                    (pass ? "pass" : "fail") + "\">\n<h2>Verdict <span class=\"badge\">" + (pass ? "PASS" : "FAIL") +
                    "</span></h2>\n<table class=\"summary checks\"><tr><th>check</th><th>limit</th><th>measured</th>"
                    "<th>result</th><th>detail</th></tr>\n";
    for (const auto& c : at(verdict, {"checks"})) {
        const bool ok = c.value("pass", false);
        s += "<tr class=\"check\" data-pass=\"" + std::string(ok ? "true" : "false") + "\"><td>" + cell(at(c, {"name"})) +
             "</td><td>" + cell(at(c, {"limit"})) + "</td><td>" + cell(at(c, {"value"})) + "</td><td>" + (ok ? "pass" : "FAIL") +
             "</td><td>" + cell(at(c, {"detail"})) + "</td></tr>\n";
    }
    return s + "</table>\n</section>\n";
}

// The TCP share the run used: the loader's (applications.qq_tcp may set it), else the profile's field.
std::string tcp_share(const json& r, const std::string& from_profile) {
    const json& share = at(r, {"applications", "qq", "transports", "tcp", "share_percent"});
    if (!share.is_number() || !at(r, {"applications", "qq", "weight"}).is_number()) return from_profile;
    char b[32];
    std::snprintf(b, sizeof b, "%g", share.get<double>());
    return b;
}

std::string run_section(const json& r) {
    const json& run = at(r, {"run"});
    const json& prof = at(r, {"profile"});
    const json& applied = at(prof, {"applied"});
    const auto opt = [&](std::initializer_list<const char*> p, const char* dflt) {
        const json& v = at(applied, p);
        return v.is_null() ? std::string(dflt) : cell(v);
    };
    std::string dut = at(prof, {"dut"}).is_string() && !at(prof, {"dut"}).get<std::string>().empty()
                          ? esc(at(prof, {"dut"}).get<std::string>())
                          : "not described (set report.dut in the profile)";
    std::vector<std::vector<std::string>> rows{
        {"profile", cell(at(prof, {"name"})) + " (" + cell(at(prof, {"file"})) + ")"},
        {"started", run.contains("start_unix_ns") ? utc_text(at(run, {"start_unix_ns"}).get<std::uint64_t>()) : "&ndash;"},
        {"duration", cell(at(run, {"duration_s"})) + " s"},
        {"ended", cell(at(run, {"end_reason"}))},
        {"workers", cell(at(prof, {"workers"}))},
        {"device under test", dut},
        {"topology", opt({"dataplane", "topology"}, "wire")},
        {"client port", opt({"dataplane", "client_port"}, "the wire's client end")},
        {"server port", opt({"dataplane", "server_port"}, "the wire's server end")},
        {"virtual devices", opt({"dataplane", "vdevs"}, "none")},
        {"IP version", opt({"network", "ip_version"}, "4")},
        {"transport", tcp_share(r, opt({"transport", "tcp_percent"}, "0")) + " % of users over TCP"},
    };
    std::string s = "<section id=\"run\"><h2>Run and topology</h2>\n<table class=\"summary meta\">";
    for (const auto& row : rows) s += "<tr><th>" + esc(row[0]) + "</th><td>" + row[1] + "</td></tr>\n";
    return s + "</table></section>\n";
}

std::string summary_section(const json& r) {
    const json& c = at(r, {"totals", "counters"});
    const json& ports = at(r, {"totals", "ports"});
    std::string s = "<section id=\"summary\"><h2>Summary</h2>\n";
    const json& u = at(c, {"users"});
    s += "<h3>Users</h3>" + table({"started", "logged in", "redirected", "completed", "stopped", "failed"},
                                  {{cell(at(u, {"started"})), cell(at(u, {"logged_in"})), cell(at(u, {"redirected"})),
                                    cell(at(u, {"completed"})), cell(at(u, {"stopped"})), cell(at(u, {"failed"}))}});
    std::vector<std::vector<std::string>> stages;
    for (std::size_t i = 0; i < engine::stage_count; ++i) {  // in a session's order, not JSON's
        const std::string name(to_string(static_cast<engine::stage>(i)));
        const json& st = at(c, {"stages", name.c_str()});
        if (st.is_null()) continue;
        const json& g = at(st, {"gave_up"});
        stages.push_back({esc(name), cell(at(st, {"started"})), cell(at(st, {"completed"})), cell(at(st, {"resends"})),
                          cell(at(g, {"timeout"})), cell(at(g, {"refused"})), cell(at(g, {"bad_reply"})), cell(at(g, {"stopped"}))});
    }
    s += "<h3>Stages</h3>" + table({"stage", "started", "completed", "resends", "gave up: timeout", "refused",
                                    "bad reply", "stopped"},
                                   stages);
    const json& m = at(c, {"messages"});
    s += "<h3>Messages</h3>" +
         table({"sent", "delivered", "acknowledged", "lost", "corrupt", "duplicate", "relay resends", "text bytes"},
               {{cell(at(m, {"sent"})), cell(at(m, {"delivered"})), cell(at(m, {"acknowledged"})), cell(at(m, {"lost"})), cell(at(m, {"corrupt"})),
                 cell(at(m, {"duplicate"})), cell(at(m, {"relay_resends"})), cell(at(m, {"text_bytes"}))}});
    std::vector<std::vector<std::string>> mix_rows;
    for (const auto& [name, v] : at(m, {"by_charset"}).items())
        mix_rows.push_back({"charset " + esc(name), cell(at(v, {"sent"})), cell(at(v, {"text_bytes"}))});
    for (const auto& [name, v] : at(m, {"by_font"}).items())
        mix_rows.push_back({"font " + esc(name) + " (" + cell(at(v, {"alias"})) + ", " + cell(at(v, {"charset"})) + ")",
                            cell(at(v, {"sent"})), "&ndash;"});
    if (!mix_rows.empty())
        s += "<h3 id=\"message-mix\">Messages by the sender's charset and font</h3>" +
             table({"", "messages sent", "text bytes"}, mix_rows);
    std::vector<std::vector<std::string>> port_rows;
    for (const char* p : {"client", "server"}) {
        const json& q = at(ports, {p});
        port_rows.push_back({p, cell(at(q, {"tx_frames"})), cell(at(q, {"tx_bytes"})), cell(at(q, {"rx_frames"})), cell(at(q, {"rx_bytes"})),
                             cell(at(q, {"tx_alloc_failed"})), cell(at(q, {"tx_refused"}))});
    }
    s += "<h3>Ports</h3>" + table({"port", "tx frames", "tx bytes", "rx frames", "rx bytes", "tx no mbuf",
                                   "tx queue full"},
                                  port_rows);
    std::vector<std::vector<std::string>> lat;
    for (const auto& [name, h] : at(c, {"latency"}).items()) {
        if (h.value("count", 0ULL) == 0) {
            lat.push_back({esc(name), "0", "&ndash;", "&ndash;", "&ndash;", "&ndash;", "&ndash;"});
            continue;
        }
        const auto ms = [&h](const char* k) {
            char b[32];
            std::snprintf(b, sizeof b, "%.3f", h.value(k, 0.0) / 1000.0);
            return std::string(b);
        };
        lat.push_back({esc(name), cell(at(h, {"count"})), ms("p50_us"), ms("p90_us"), ms("p99_us"), ms("p999_us"),
                       ms("max_us")});
    }
    s += "<h3>Latency (ms)</h3>" + table({"latency", "samples", "p50", "p90", "p99", "p99.9", "max"}, lat);
    s += applications_html(r);
    const json& t = at(c, {"tcp"});
    if (at(t, {"attempted"}).is_number() && at(t, {"attempted"}).get<std::uint64_t>() > 0)
        s += "<h3>TCP</h3>" +
             table({"attempted", "established", "closed", "retransmits (client/server)", "RST sent", "RST received"},
                   {{cell(at(t, {"attempted"})), cell(at(t, {"established"})), cell(at(t, {"closed"})),
                     cell(at(at(t, {"retransmits"}), {"client"})) + " / " + cell(at(at(t, {"retransmits"}), {"server"})),
                     cell(at(at(t, {"rst_sent"}), {"client"})) + " / " + cell(at(at(t, {"rst_sent"}), {"server"})),
                     cell(at(at(t, {"rst_received"}), {"client"})) + " / " + cell(at(at(t, {"rst_received"}), {"server"}))}});
    return s + "</section>\n";
}

// Values of `field` per sample, scaled.
std::vector<double> column(const std::vector<series_sample>& samples, double series_sample::*field,
                           double scale = 1) {
    std::vector<double> v;
    v.reserve(samples.size());
    for (const auto& s : samples) v.push_back(s.*field * scale);
    return v;
}

// Per-second increase of a cumulative field between samples (the first: NaN).
std::vector<double> per_second(const std::vector<series_sample>& samples, double series_sample::*field) {
    std::vector<double> v;
    v.reserve(samples.size());
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const double dt = i == 0 ? 0 : samples[i].t_s - samples[i - 1].t_s;
        v.push_back(dt > 0 ? (samples[i].*field - samples[i - 1].*field) / dt : no_value);
    }
    return v;
}

std::vector<double> ratio_percent(const std::vector<series_sample>& samples, double series_sample::*part,
                                  double series_sample::*whole) {
    std::vector<double> v;
    for (const auto& s : samples) v.push_back(s.*whole > 0 ? 100.0 * s.*part / s.*whole : no_value);
    return v;
}

std::string phases_section(const std::vector<series_sample>& samples) {
    const auto num = [](double v, const char* format = "%.0f") {
        if (std::isnan(v)) return std::string("&ndash;");
        char b[32];
        std::snprintf(b, sizeof b, format, v);
        return std::string(b);
    };
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : summarize_phases(samples))
        rows.push_back({esc(p.phase), num(p.from_s, "%.1f") + " &ndash; " + num(p.to_s, "%.1f") + " s",
                        num(p.users_started), num(p.users_completed), num(p.users_failed), num(p.users_stopped),
                        num(p.peak_active_users), num(p.messages_sent), num(p.messages_lost), num(p.resends),
                        num(p.drops), num(p.client_tx_fps), num(p.server_tx_fps),
                        num(p.worst_login_p99_us / 1000, "%.3f"), num(p.worst_delivery_p99_us / 1000, "%.3f")});
    return "<section id=\"phases\"><h2>Phase by phase</h2>\n" +
           table({"phase", "time", "started", "completed", "failed", "stopped", "peak active", "messages",
                  "lost", "resends", "drops", "client tx fps", "server tx fps", "worst login p99 ms",
                  "worst delivery p99 ms"},
                 rows) +
           "</section>\n";
}

std::string charts_section(const std::vector<series_sample>& samples) {
    const std::vector<double> x = column(samples, &series_sample::t_s);
    const auto chart = [&](std::string id, std::string title, std::string unit, std::vector<chart_series> series) {
        return render_line_chart(downsampled(line_chart{std::move(id), std::move(title), std::move(unit), x,
                                                        std::move(series)},
                                             chart_points));
    };
    using S = series_sample;
    std::string s = "<section id=\"charts\"><h2>Over time</h2>\n";
    s += chart("chart-rates", "Frames per second, per port and direction", "frames/s",
               {{"client tx", column(samples, &S::client_tx_fps)},
                {"client rx", column(samples, &S::client_rx_fps)},
                {"server tx", column(samples, &S::server_tx_fps), true},
                {"server rx", column(samples, &S::server_rx_fps), true}});
    s += chart("chart-bandwidth", "Bandwidth, per port and direction (Ethernet header on, FCS off)", "Mbit/s",
               {{"client tx", column(samples, &S::client_tx_mbps)},
                {"client rx", column(samples, &S::client_rx_mbps)},
                {"server tx", column(samples, &S::server_tx_mbps), true},
                {"server rx", column(samples, &S::server_rx_mbps), true}});
    s += chart("chart-users", "Concurrent users, and how many are in each stage group", "users",
               {{"active", column(samples, &S::active_users)},
                {"logging in", column(samples, &S::users_login)},
                {"synchronising", column(samples, &S::users_sync)},
                {"chatting", column(samples, &S::users_chat)},
                {"keep-alive", column(samples, &S::users_keepalive)},
                {"logging out", column(samples, &S::users_logout)}});
    s += chart("chart-latency", "Latency percentiles of what completed in each interval (p99 solid, p50 dashed)",
               "ms",
               {{"DNS p99", column(samples, &S::dns_p99_us, 1e-3)},
                {"login p99", column(samples, &S::login_p99_us, 1e-3)},
                {"delivery p99", column(samples, &S::delivery_p99_us, 1e-3)},
                {"TCP connect p99", column(samples, &S::tcp_connect_p99_us, 1e-3)},
                {"DNS p50", column(samples, &S::dns_p50_us, 1e-3), true},
                {"login p50", column(samples, &S::login_p50_us, 1e-3), true},
                {"delivery p50", column(samples, &S::delivery_p50_us, 1e-3), true},
                {"TCP connect p50", column(samples, &S::tcp_connect_p50_us, 1e-3), true}});
    s += chart("chart-failures", "Failures and recoveries per second", "per second",
               {{"users failed", per_second(samples, &S::failed)},
                {"messages lost", per_second(samples, &S::messages_lost)},
                {"messages corrupt", per_second(samples, &S::messages_corrupt)},
                {"resends", per_second(samples, &S::resends)},
                {"TCP retransmits", per_second(samples, &S::tcp_retransmits)},
                {"frames dropped by qqgen", per_second(samples, &S::drops)}});
    s += chart("chart-memory", "The dataplane's memory", "MiB",
               {{"resident", column(samples, &S::rss_bytes, 1.0 / (1 << 20))},
                {"hugepages", column(samples, &S::hugetlb_bytes, 1.0 / (1 << 20))}});
    s += chart("chart-occupancy", "Mempool and session-table occupancy", "%",
               {{"mbufs in use", ratio_percent(samples, &S::mbufs_in_use, &S::mbufs_total)},
                {"session slots in use", ratio_percent(samples, &S::active_users, &S::slots)}});
    return s + "</section>\n";
}

std::string distributions_section(const engine::engine_counters& c) {
    std::string s = "<section id=\"distributions\"><h2>Latency distributions</h2>\n";
    const std::array<std::tuple<const char*, const char*, const engine::latency_histogram*>, 4> kinds{
        {{"dist-dns", "DNS query to answer", &c.dns_latency},
         {"dist-login", "First login request to login OK (redirect included)", &c.login_latency},
         {"dist-delivery", "Message sent to delivered to the buddy", &c.delivery_latency},
         {"dist-tcp-connect", "TCP SYN to SYN-ACK", &c.connect_latency}}};
    bool any = false;
    for (const auto& [id, title, h] : kinds) {
        if (h->count == 0) continue;
        any = true;
        s += render_histogram(latency_bars(*h, 48, id, std::string(title) + " (" + std::to_string(h->count) +
                                                           " samples)"));
    }
    if (!any) s += "<p>No latency was recorded.</p>\n";
    return s + "</section>\n";
}

}  // namespace

histogram_chart latency_bars(const engine::latency_histogram& h, std::size_t max_bars, std::string id,
                             std::string title) {
    using H = engine::latency_histogram;
    histogram_chart out{std::move(id), std::move(title), "ms", {}};
    std::size_t first = H::bucket_count, last = 0;
    for (std::size_t b = 0; b < H::bucket_count; ++b)
        if (h.buckets[b] != 0) {
            first = std::min(first, b);
            last = b;
        }
    if (first == H::bucket_count) return out;
    const std::size_t span = last - first + 1;
    const std::size_t per = (span + max_bars - 1) / std::max<std::size_t>(max_bars, 1);
    for (std::size_t b = first; b <= last; b += per) {
        const std::size_t end = std::min(last + 1, b + per);
        histogram_bar bar{static_cast<double>(H::bucket_low(b)) / 1000, static_cast<double>(H::bucket_high(end - 1)) / 1000, 0};
        for (std::size_t i = b; i < end; ++i) bar.count += h.buckets[i];
        out.bars.push_back(bar);
    }
    return out;
}

std::string render_html_report(const json& report, const std::vector<series_sample>& samples,
                               const engine::engine_counters& totals) {
    const std::string name = at(report, {"profile", "name"}).is_string() ? report["profile"]["name"].get<std::string>() : "run";
    std::string h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>qqgen report: " +
                    esc(name) + "</title>\n<style>" + style + "</style></head>\n<body>\n";
    h += "<main id=\"qqgen-report\" data-schema=\"qqgen-report-html/1\">\n<h1>qqgen report: " + esc(name) + "</h1>\n";
    h += "<p>Schema " + cell(at(report, {"schema"})) + "; everything here is also in report.json and "
         "timeseries.csv beside this file.</p>\n";
    h += verdict_section(at(report, {"verdict"}));
    h += run_section(report);
    h += summary_section(report);
    h += phases_section(samples);
    h += charts_section(samples);
    h += distributions_section(totals);
    h += "<section id=\"profile\"><h2>Profile as applied</h2>\n<pre>" +
         esc(at(report, {"profile", "applied_yaml"}).is_string() ? report["profile"]["applied_yaml"].get<std::string>()
                                                                 : "") +
         "</pre></section>\n";
    h += "</main>\n</body></html>\n";
    return h;
}

}  // namespace qqgen::control
