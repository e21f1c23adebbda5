#include "control/report/counters_json.hpp"

#include <string>

#include "protocols/charset.hpp"
#include "protocols/qq_fonts.hpp"

namespace qqgen::control {

using nlohmann::json;

namespace {

constexpr std::array<const char*, 2> port_names{"client", "server"};

}  // namespace

json to_json(const engine::latency_histogram& h) {
    json j{{"count", h.count}};
    if (h.count == 0) return j;
    j["min_us"] = h.min_us;
    j["mean_us"] = h.mean_us();
    for (const auto& [name, p] : {std::pair{"p50_us", 50.0}, {"p90_us", 90.0}, {"p99_us", 99.0}, {"p999_us", 99.9}})
        j[name] = h.percentile(p);
    j["max_us"] = h.max_us;
    return j;
}

json latency_summary(const engine::latency_histogram& h) {
    if (h.count == 0)
        return json{{"count", 0}, {"p50", nullptr}, {"p90", nullptr}, {"p99", nullptr}, {"max", nullptr},
                    {"mean", nullptr}};
    return json{{"count", h.count},          {"p50", h.percentile(50)}, {"p90", h.percentile(90)},
                {"p99", h.percentile(99)},   {"max", h.max_us},         {"mean", h.mean_us()}};
}

json sent_received(const std::array<std::uint64_t, 2>& sent, const std::array<std::uint64_t, 2>& received) {
    json j = json::object();
    for (std::size_t p = 0; p < port_names.size(); ++p)
        j[port_names[p]] = json{{"sent", sent[p]}, {"received", received[p]}};
    return j;
}

json to_json(const engine::app_counters& a) {
    return json{{"sessions",
                 {{"started", a.sessions_started}, {"completed", a.sessions_completed}, {"failed", a.sessions_failed},
                  {"stopped", a.sessions_stopped}, {"failed_timeout", a.failed_timeout},
                  {"failed_reset", a.failed_reset}, {"failed_corrupt", a.failed_corrupt}}},
                {"transactions", a.transactions},
                {"retransmits", a.retransmits},
                {"corrupt", a.corrupt},
                {"unexpected", a.unexpected},
                {"datagrams_lost", a.datagrams_lost},
                {"payload_bytes", a.payload_bytes},
                {"frames", sent_received(a.frames_sent, a.frames_received)},
                {"bytes", sent_received(a.bytes_sent, a.bytes_received)},
                {"latency_us", latency_summary(a.latency)},
                {"connect_latency_us", latency_summary(a.connect_latency)}};
}

json per_port(const std::array<std::uint64_t, 2>& v) {
    return json{{port_names[0], v[0]}, {port_names[1], v[1]}};
}

json to_json(const engine::tcp_counters& t) {
    return json{{"attempted", t.attempted},
                {"established", t.established},
                {"failed", {{"timeout", t.failed_timeout}, {"reset", t.failed_reset}}},
                {"dropped", {{"timeout", t.dropped_timeout}, {"reset", t.dropped_reset}, {"stream", t.dropped_stream}}},
                {"closed", t.closed},
                {"close_timeout", t.close_timeout},
                {"accepted", t.accepted},
                {"push_deferred", t.push_deferred},
                {"send_blocked", t.send_blocked},
                {"frame_too_big", t.frame_too_big},
                {"rebuild_mismatch", t.rebuild_mismatch},
                {"segments_sent", per_port(t.segments_sent)},
                {"retransmits", per_port(t.retransmits)},
                {"rst_sent", per_port(t.rst_sent)},
                {"rst_received", per_port(t.rst_received)},
                {"out_of_order", per_port(t.out_of_order)},
                {"duplicate", per_port(t.duplicate)},
                {"partial_frames", per_port(t.partial_frames)}};
}

// Messages by the sender's charset and font (issue 8): each charset with the
// messages and text bytes sent in it; each font by its UTF-8 name, with its
// ASCII alias and charset.
json message_mix_json(const engine::message_counters& m) {
    json charsets = json::object();
    for (std::size_t i = 0; i < engine::message_charset_count; ++i)
        charsets[std::string(proto::to_string(proto::all_charsets[i]))] =
            json{{"sent", m.sent_by_charset[i]}, {"text_bytes", m.text_bytes_by_charset[i]}};
    json fonts = json::object();
    const auto table = proto::qq_fonts();
    for (std::size_t i = 0; i < engine::message_font_count && i < table.size(); ++i)
        fonts[std::string(table[i].name)] = json{{"sent", m.sent_by_font[i]},
                                                 {"alias", std::string(table[i].alias)},
                                                 {"charset", std::string(proto::to_string(table[i].cs))}};
    return json{{"by_charset", charsets}, {"by_font", fonts}};
}

json to_json(const engine::engine_counters& c) {
    json stages = json::object();
    for (std::size_t i = 0; i < engine::stage_count; ++i) {
        const auto& s = c.stages[i];
        json gave_up = json::object();
        for (std::size_t r = 0; r < engine::give_up_reason_count; ++r)
            gave_up[std::string(to_string(static_cast<engine::give_up_reason>(r)))] = s.gave_up[r];
        stages[std::string(to_string(static_cast<engine::stage>(i)))] =
            json{{"started", s.started}, {"completed", s.completed}, {"resends", s.resends}, {"gave_up", gave_up}};
    }
    const auto& u = c.users;
    const auto& m = c.messages;
    const auto& v = c.server;
    const json mix = message_mix_json(m);
    json ports = json::object();
    for (std::size_t p = 0; p < port_names.size(); ++p) {
        json refused = json::object();
        for (std::size_t r = 0; r < engine::refuse_reason_count; ++r)
            refused[std::string(to_string(static_cast<engine::refuse_reason>(r)))] = c.refused[p][r];
        ports[port_names[p]] = json{{"frames_sent", c.frames_sent[p]},
                                    {"frames_received", c.frames_received[p]},
                                    {"tx_no_buffer", c.tx_no_buffer[p]},
                                    {"neighbour_frames", c.neighbour_frames[p]},
                                    {"refused", refused}};
    }
    json apps = json::object();
    for (std::size_t k = 0; k < engine::app_kind_count; ++k)
        apps[std::string(to_string(static_cast<engine::app_kind>(k)))] = to_json(c.apps[k]);
    return json{
        {"users",
         {{"started", u.started}, {"completed", u.completed}, {"failed", u.failed}, {"stopped", u.stopped},
          {"logged_in", u.logged_in}, {"redirected", u.redirected}}},
        {"stages", stages},
        {"messages",
         {{"sent", m.sent}, {"acked", m.acked}, {"relayed", m.relayed}, {"relay_resends", m.relay_resends},
          {"delivered", m.delivered}, {"acknowledged", m.acknowledged}, {"duplicate", m.duplicate},
          {"corrupt", m.corrupt}, {"lost", m.lost}, {"offline", m.offline}, {"superseded", m.superseded},
          {"text_bytes", m.text_bytes}, {"by_charset", mix["by_charset"]}, {"by_font", mix["by_font"]}}},
        {"server_checks",
         {{"requests", v.requests}, {"corrupt", v.corrupt}, {"duplicate", v.duplicate},
          {"out_of_order", v.out_of_order}, {"missing", v.missing}, {"dns_queries", v.dns_queries},
          {"dns_unknown_name", v.dns_unknown_name}, {"logins_ok", v.logins_ok}, {"redirects", v.redirects},
          {"logouts", v.logouts}}},
        {"client_late_replies", c.client_late_replies},
        {"client_corrupt_replies", c.client_corrupt_replies},
        {"engine_ports", ports},
        {"encode_failures", c.encode_failures},
        {"timer_budget_exhausted", c.timer_budget_exhausted},
        {"tcp", to_json(c.tcp)},
        {"latency",
         {{"dns", to_json(c.dns_latency)}, {"login", to_json(c.login_latency)},
          {"message_delivery", to_json(c.delivery_latency)}, {"tcp_connect", to_json(c.connect_latency)}}},
        {"apps", apps},
    };
}

json to_json(const engine::io_counters& io) {
    json j = json::object();
    for (std::size_t p = 0; p < port_names.size(); ++p) {
        json port = json::object();
        for (std::size_t f = 0; f < engine::port_counters::fields.size(); ++f)
            port[std::string(engine::port_counters::field_names[f])] = io.port[p].*engine::port_counters::fields[f];
        j[port_names[p]] = port;
    }
    return j;
}

}  // namespace qqgen::control
