#include "control/report/app_report.hpp"

#include <array>
#include <cstdio>

#include "control/report/counters_json.hpp"
#include "control/report/svg_chart.hpp"

namespace qqgen::control {

using nlohmann::json;

namespace {

std::uint64_t less(std::uint64_t a, std::uint64_t b) noexcept { return a > b ? a - b : 0; }

// Summed over the stages: the QQ users that gave up for `r` (each gives up once, at one stage).
std::uint64_t gave_up(const engine::engine_counters& e, engine::give_up_reason r) {
    std::uint64_t n = 0;
    for (const auto& s : e.stages) n += s.gave_up[static_cast<std::size_t>(r)];
    return n;
}

// QQ from the session engine's own counters. The engine counts QQ users, not
// users per transport, so QQ is one entry; its TCP connections are shown
// under transports.tcp. Frames and bytes: the ports' less the companions'.
json qq_json(const run_profile& p, const engine::engine_counters& e, const engine::io_counters& io) {
    using engine::give_up_reason;
    std::uint64_t retransmits = e.messages.relay_resends;
    for (const auto& s : e.stages) retransmits += s.resends;
    for (std::uint64_t r : e.tcp.retransmits) retransmits += r;
    std::array<std::uint64_t, 2> frames_sent{}, frames_received{}, bytes_sent{}, bytes_received{};
    for (std::size_t port = 0; port < 2; ++port) {
        std::uint64_t fs = 0, fr = 0, bs = 0, br = 0;
        for (const auto& a : e.apps) {
            fs += a.frames_sent[port];
            fr += a.frames_received[port];
            bs += a.bytes_sent[port];
            br += a.bytes_received[port];
        }
        frames_sent[port] = less(io.port[port].tx_frames, fs);
        frames_received[port] = less(io.port[port].rx_frames, fr);
        bytes_sent[port] = less(io.port[port].tx_bytes, bs);
        bytes_received[port] = less(io.port[port].rx_bytes, br);
    }
    const auto& t = e.tcp;
    const json weight = p.qq_weight.given ? json(p.qq_weight.total()) : json(nullptr);
    return json{
        {"weight", weight},
        {"transports",
         {{"udp", {{"weight", p.qq_weight.given ? json(p.qq_weight.udp) : json(nullptr)}}},
          {"tcp",
           {{"weight", p.qq_weight.given ? json(p.qq_weight.tcp) : json(nullptr)},
            {"share_percent", p.load.tcp_share_ppm / 10000.0},
            {"connections",
             {{"attempted", t.attempted},
              {"established", t.established},
              {"failed", t.failed_timeout + t.failed_reset},
              {"dropped", t.dropped_timeout + t.dropped_reset + t.dropped_stream},
              {"closed", t.closed}}}}}}},
        {"sessions",
         {{"started", e.users.started}, {"completed", e.users.completed}, {"failed", e.users.failed},
          {"stopped", e.users.stopped}, {"failed_timeout", gave_up(e, give_up_reason::timeout)},
          {"failed_reset", gave_up(e, give_up_reason::refused)},
          {"failed_corrupt", gave_up(e, give_up_reason::bad_reply)}}},
        {"transactions", e.server.requests},
        {"retransmits", retransmits},
        {"corrupt", e.server.corrupt + e.client_corrupt_replies + e.messages.corrupt},
        {"unexpected", e.client_late_replies},
        {"datagrams_lost", nullptr},
        {"payload_bytes", nullptr},
        {"frames", sent_received(frames_sent, frames_received)},
        {"bytes", sent_received(bytes_sent, bytes_received)},
        {"latency_us", latency_summary(e.login_latency)},
        {"connect_latency_us", latency_summary(e.connect_latency)},
    };
}

std::uint64_t u64(const json& j, std::initializer_list<const char*> path) {
    const json* p = &j;
    for (const char* k : path) {
        if (!p->is_object() || !p->contains(k)) return 0;
        p = &(*p)[k];
    }
    return p->is_number_unsigned() || p->is_number_integer() ? p->get<std::uint64_t>() : 0;
}

std::string num(std::uint64_t v) { return std::to_string(v); }

std::string fixed(double v, const char* format) {
    char b[32];
    std::snprintf(b, sizeof b, format, v);
    return b;
}

std::string latency_ms(const json& h, const char* key) {
    if (!h.is_object() || !h.contains(key) || !h[key].is_number()) return "&ndash;";
    return fixed(h[key].get<double>() / 1000.0, "%.3f");
}

// QQ first, then the companions in app_kind order.
std::vector<std::string> report_order(const json& apps) {
    std::vector<std::string> names;
    if (apps.contains("qq")) names.emplace_back("qq");
    for (std::size_t k = 0; k < engine::app_kind_count; ++k) {
        const std::string n(to_string(static_cast<engine::app_kind>(k)));
        if (apps.contains(n)) names.push_back(n);
    }
    return names;
}

}  // namespace

bool app_reported(const run_profile& profile, const engine::engine_counters& e, engine::app_kind k) {
    const auto& c = e.apps[static_cast<std::size_t>(k)];
    return profile.load.apps[k].enabled() || c.sessions_started != 0 || c.frames_sent[0] + c.frames_sent[1] != 0 ||
           c.frames_received[0] + c.frames_received[1] != 0;
}

json applications_json(const run_profile& profile, const engine::engine_counters& e, const engine::io_counters& io) {
    json out = json::object();
    out["qq"] = qq_json(profile, e, io);
    for (std::size_t k = 0; k < engine::app_kind_count; ++k) {
        const auto kind = static_cast<engine::app_kind>(k);
        if (!app_reported(profile, e, kind)) continue;
        json a = to_json(e.apps[k]);
        const auto& spec = profile.load.apps[kind];
        a["weight"] = spec.enabled() ? json(spec.weight) : json(nullptr);
        out[std::string(to_string(kind))] = std::move(a);
    }
    return out;
}

json application_mix_json(const json& applications) {
    std::uint64_t weights = 0, started = 0;
    bool weights_known = true;
    const std::vector<std::string> names = report_order(applications);
    for (const std::string& n : names) {
        const json& w = applications[n]["weight"];
        weights_known = weights_known && w.is_number();
        weights += w.is_number() ? w.get<std::uint64_t>() : 0;
        started += u64(applications[n], {"sessions", "started"});
    }
    // A QQ-only run without an applications section: QQ is the whole mix.
    const bool qq_only = names.size() == 1;
    json out = json::object();
    for (const std::string& n : names) {
        const json& w = applications[n]["weight"];
        const std::uint64_t s = u64(applications[n], {"sessions", "started"});
        json share = nullptr;
        if (qq_only) share = 1.0;
        else if (weights_known && weights > 0) share = static_cast<double>(w.get<std::uint64_t>()) / static_cast<double>(weights);
        out[n] = json{{"weight", w},
                      {"weight_share", share},
                      {"sessions_started", s},
                      {"session_share", started == 0 ? json(nullptr)
                                                     : json(static_cast<double>(s) / static_cast<double>(started))}};
    }
    return out;
}

std::string applications_html(const json& report) {
    if (!report.contains("applications") || !report["applications"].is_object()) return {};
    const json& apps = report["applications"];
    const std::vector<std::string> names = report_order(apps);
    if (names.size() < 2) return {};  // QQ alone: the summary above says it all
    const json mix = report.contains("application_mix") ? report["application_mix"] : application_mix_json(apps);
    std::string t =
        "<h3 id=\"applications\">Applications</h3>\n<table class=\"summary applications\"><tr><th>application</th>"
        "<th>weight (share %)</th><th>sessions started (share %)</th><th>completed</th>"
        "<th>failed: timeout / reset / corrupt</th><th>stopped</th><th>transactions</th><th>retransmits</th>"
        "<th>corrupt</th><th>client port frames sent / received</th><th>client port MB sent / received</th>"
        "<th>p50 ms</th><th>p99 ms</th></tr>\n";
    const auto share = [](const json& m, const char* key) {
        return m.contains(key) && m[key].is_number() ? " (" + fixed(100.0 * m[key].get<double>(), "%.1f") + ")" : "";
    };
    for (const std::string& n : names) {
        const json& a = apps[n];
        const json m = mix.contains(n) ? mix[n] : json::object();
        const std::string weight = a["weight"].is_number() ? num(a["weight"].get<std::uint64_t>()) : "&ndash;";
        const auto frames = [&](const char* port) {
            return num(u64(a, {"frames", port, "sent"})) + " / " + num(u64(a, {"frames", port, "received"}));
        };
        const auto megabytes = [&](const char* port) {
            return fixed(static_cast<double>(u64(a, {"bytes", port, "sent"})) / 1e6, "%.1f") + " / " +
                   fixed(static_cast<double>(u64(a, {"bytes", port, "received"})) / 1e6, "%.1f");
        };
        t += "<tr data-app=\"" + html_escape(n) + "\"><td>" + html_escape(n == "qq" ? "QQ (UDP and TCP)" : n) +
             "</td><td>" + weight + share(m, "weight_share") + "</td><td>" + num(u64(a, {"sessions", "started"})) +
             share(m, "session_share") + "</td><td>" + num(u64(a, {"sessions", "completed"})) + "</td><td>" +
             num(u64(a, {"sessions", "failed"})) + ": " + num(u64(a, {"sessions", "failed_timeout"})) + " / " +
             num(u64(a, {"sessions", "failed_reset"})) + " / " + num(u64(a, {"sessions", "failed_corrupt"})) +
             "</td><td>" + num(u64(a, {"sessions", "stopped"})) + "</td><td>" + num(u64(a, {"transactions"})) +
             "</td><td>" + num(u64(a, {"retransmits"})) + "</td><td>" + num(u64(a, {"corrupt"})) + "</td><td>" +
             frames("client") + "</td><td>" + megabytes("client") + "</td><td>" +
             latency_ms(a["latency_us"], "p50") + "</td><td>" + latency_ms(a["latency_us"], "p99") + "</td></tr>\n";
    }
    t += "</table>\n<p>Latency: QQ's is the login (first token request to login OK); dns, http and tls: request "
         "first sent to the whole answer received; tcp_stream: a whole transfer. Frames and bytes (Ethernet "
         "header on) on the client port; the server port's are in report.json. QQ's are the ports' less the "
         "companions' (ARP and ND included). QQ's failure reasons: timeout, refused, bad reply.</p>\n";
    return t;
}

}  // namespace qqgen::control
