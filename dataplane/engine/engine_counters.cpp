#include "dataplane/engine/engine_counters.hpp"

#include "dataplane/engine/app_settings.hpp"

#include "protocols/charset.hpp"
#include "protocols/qq_fonts.hpp"

#include <cinttypes>
#include <cstddef>
#include <cstring>
#include <string>
#include <type_traits>

namespace qqgen::engine {

namespace {

// Each sub-struct is a run of uint64_t fields; summing them as arrays keeps
// operator+= correct when a field is added.
template <class T>
void add_fields(T& a, const T& b) noexcept {
    static_assert(std::is_trivially_copyable_v<T> && sizeof(T) % sizeof(std::uint64_t) == 0);
    constexpr std::size_t n = sizeof(T) / sizeof(std::uint64_t);
    std::array<std::uint64_t, n> x{}, y{};
    std::memcpy(x.data(), &a, sizeof(T));
    std::memcpy(y.data(), &b, sizeof(T));
    for (std::size_t i = 0; i < n; ++i) x[i] += y[i];
    std::memcpy(static_cast<void*>(&a), x.data(), sizeof(T));
}

void print_histogram(std::FILE* out, const char* name, const latency_histogram& h) {
    if (h.count == 0) {
        std::fprintf(out, "  %-18s no samples\n", name);
        return;
    }
    std::fprintf(out,
                 "  %-18s n=%" PRIu64 " min=%" PRIu32 "us mean=%.0fus p50=%" PRIu64 "us p90=%" PRIu64
                 "us p99=%" PRIu64 "us p99.9=%" PRIu64 "us max=%" PRIu32 "us\n",
                 name, h.count, h.min_us, h.mean_us(), h.percentile(50), h.percentile(90), h.percentile(99),
                 h.percentile(99.9), h.max_us);
}

void print_tcp(std::FILE* out, const engine_counters& c) {
    const tcp_counters& t = c.tcp;
    std::fprintf(out,
                 "tcp connections: attempted %" PRIu64 ", established %" PRIu64 ", failed %" PRIu64
                 " (timeout %" PRIu64 ", reset %" PRIu64 "), dropped %" PRIu64 " (timeout %" PRIu64 ", reset %" PRIu64
                 ", stream %" PRIu64 "), closed %" PRIu64 ", close timeouts %" PRIu64 ", accepted %" PRIu64 "\n",
                 t.attempted, t.established, t.failed_timeout + t.failed_reset, t.failed_timeout, t.failed_reset,
                 t.dropped_timeout + t.dropped_reset + t.dropped_stream, t.dropped_timeout, t.dropped_reset,
                 t.dropped_stream, t.closed, t.close_timeout, t.accepted);
    for (std::size_t p = 0; p < 2; ++p)
        std::fprintf(out,
                     "tcp %s port: segments %" PRIu64 ", retransmits %" PRIu64 ", rst sent %" PRIu64
                     ", rst received %" PRIu64 ", out of order %" PRIu64 ", duplicate %" PRIu64
                     ", partial frames %" PRIu64 "\n",
                     p == 0 ? "client" : "server", t.segments_sent[p], t.retransmits[p], t.rst_sent[p],
                     t.rst_received[p], t.out_of_order[p], t.duplicate[p], t.partial_frames[p]);
    std::fprintf(out,
                 "tcp other: push deferred %" PRIu64 ", send blocked %" PRIu64 ", frame too big %" PRIu64
                 ", rebuild mismatch %" PRIu64 "\n",
                 t.push_deferred, t.send_blocked, t.frame_too_big, t.rebuild_mismatch);
    print_histogram(out, "tcp connect", c.connect_latency);
}

}  // namespace

app_counters& app_counters::operator+=(const app_counters& o) noexcept {
    // The uint64 run before the histograms, summed as an array (a field
    // added there is summed without a change here).
    constexpr std::size_t n = offsetof(app_counters, latency) / sizeof(std::uint64_t);
    static_assert(offsetof(app_counters, latency) % sizeof(std::uint64_t) == 0);
    std::array<std::uint64_t, n> x{}, y{};
    std::memcpy(x.data(), this, sizeof x);
    std::memcpy(y.data(), &o, sizeof y);
    for (std::size_t i = 0; i < n; ++i) x[i] += y[i];
    std::memcpy(static_cast<void*>(this), x.data(), sizeof x);
    latency += o.latency;
    connect_latency += o.connect_latency;
    return *this;
}

engine_counters& engine_counters::operator+=(const engine_counters& o) noexcept {
    for (std::size_t i = 0; i < stage_count; ++i) stages[i] += o.stages[i];
    add_fields(users, o.users);
    add_fields(messages, o.messages);
    add_fields(server, o.server);
    client_late_replies += o.client_late_replies;
    client_corrupt_replies += o.client_corrupt_replies;
    for (std::size_t p = 0; p < 2; ++p) {
        frames_sent[p] += o.frames_sent[p];
        frames_received[p] += o.frames_received[p];
        tx_no_buffer[p] += o.tx_no_buffer[p];
        neighbour_frames[p] += o.neighbour_frames[p];
        for (std::size_t r = 0; r < refuse_reason_count; ++r) refused[p][r] += o.refused[p][r];
    }
    encode_failures += o.encode_failures;
    timer_budget_exhausted += o.timer_budget_exhausted;
    dns_latency += o.dns_latency;
    login_latency += o.login_latency;
    delivery_latency += o.delivery_latency;
    add_fields(tcp, o.tcp);
    connect_latency += o.connect_latency;
    for (std::size_t a = 0; a < apps.size(); ++a) apps[a] += o.apps[a];
    return *this;
}

void print_summary(std::FILE* out, const engine_counters& c) {
    std::fprintf(out, "%-10s %12s %12s %10s", "stage", "started", "completed", "resends");
    for (std::size_t r = 0; r < give_up_reason_count; ++r)
        std::fprintf(out, " %10s", std::string(to_string(static_cast<give_up_reason>(r))).c_str());
    std::fputc('\n', out);
    for (std::size_t s = 0; s < stage_count; ++s) {
        const stage_counters& st = c.stages[s];
        std::fprintf(out, "%-10s %12" PRIu64 " %12" PRIu64 " %10" PRIu64,
                     std::string(to_string(static_cast<stage>(s))).c_str(), st.started, st.completed, st.resends);
        for (auto g : st.gave_up) std::fprintf(out, " %10" PRIu64, g);
        std::fputc('\n', out);
    }
    const auto& u = c.users;
    std::fprintf(out,
                 "users: started %" PRIu64 ", completed %" PRIu64 ", failed %" PRIu64 ", stopped %" PRIu64
                 ", logged in %" PRIu64 ", redirected %" PRIu64 "\n",
                 u.started, u.completed, u.failed, u.stopped, u.logged_in, u.redirected);
    const auto& m = c.messages;
    std::fprintf(out,
                 "messages: sent %" PRIu64 ", acked %" PRIu64 ", relayed %" PRIu64 " (+%" PRIu64
                 " resends), delivered %" PRIu64 ", acknowledged %" PRIu64 ", duplicate %" PRIu64
                 ", corrupt %" PRIu64 ", lost %" PRIu64 ", offline %" PRIu64 ", superseded %" PRIu64 "; text bytes %" PRIu64 "\n",
                 m.sent, m.acked, m.relayed, m.relay_resends, m.delivered, m.acknowledged, m.duplicate, m.corrupt,
                 m.lost, m.offline, m.superseded, m.text_bytes);
    if (m.sent != 0) {
        std::fprintf(out, "messages by charset:");
        for (std::size_t i = 0; i < message_charset_count; ++i)
            std::fprintf(out, " %s %" PRIu64 " (%" PRIu64 " bytes)",
                         std::string(proto::to_string(proto::all_charsets[i])).c_str(), m.sent_by_charset[i],
                         m.text_bytes_by_charset[i]);
        std::fprintf(out, "\nmessages by font:");
        const auto fonts = proto::qq_fonts();
        for (std::size_t i = 0; i < message_font_count && i < fonts.size(); ++i)
            std::fprintf(out, " %s %" PRIu64, std::string(fonts[i].alias).c_str(), m.sent_by_font[i]);
        std::fputc('\n', out);
    }
    const auto& s = c.server;
    std::fprintf(out,
                 "server checks: requests %" PRIu64 ", corrupt %" PRIu64 ", duplicate %" PRIu64
                 ", out of order %" PRIu64 ", missing %" PRIu64 ", dns queries %" PRIu64 " (%" PRIu64
                 " unknown names), logins %" PRIu64 ", redirects %" PRIu64 ", logouts %" PRIu64 "\n",
                 s.requests, s.corrupt, s.duplicate, s.out_of_order, s.missing, s.dns_queries, s.dns_unknown_name,
                 s.logins_ok, s.redirects, s.logouts);
    std::fprintf(out, "client: late replies %" PRIu64 ", corrupt replies %" PRIu64 "\n", c.client_late_replies,
                 c.client_corrupt_replies);
    for (std::size_t p = 0; p < 2; ++p) {
        std::fprintf(out, "%s port: sent %" PRIu64 ", received %" PRIu64 ", no tx buffer %" PRIu64
                          ", neighbour %" PRIu64 ", refused",
                     p == 0 ? "client" : "server", c.frames_sent[p], c.frames_received[p], c.tx_no_buffer[p],
                     c.neighbour_frames[p]);
        bool any = false;
        for (std::size_t r = 0; r < refuse_reason_count; ++r) {
            if (c.refused[p][r] == 0) continue;
            std::fprintf(out, " %s=%" PRIu64, std::string(to_string(static_cast<refuse_reason>(r))).c_str(),
                         c.refused[p][r]);
            any = true;
        }
        std::fputs(any ? "\n" : " none\n", out);
    }
    if (c.encode_failures != 0) std::fprintf(out, "encode failures: %" PRIu64 "\n", c.encode_failures);
    std::fputs("latency:\n", out);
    print_histogram(out, "dns answer", c.dns_latency);
    print_histogram(out, "login (total)", c.login_latency);
    print_histogram(out, "message delivery", c.delivery_latency);
    if (c.tcp.attempted != 0 || c.tcp.accepted != 0) print_tcp(out, c);
    // The companion applications (issue 8): a line each, once any of them counted anything.
    const auto counted = [](const app_counters& a) {
        std::array<std::uint64_t, offsetof(app_counters, latency) / sizeof(std::uint64_t)> run{};
        std::memcpy(run.data(), &a, sizeof run);
        for (std::uint64_t v : run)
            if (v != 0) return true;
        return a.latency.count != 0 || a.connect_latency.count != 0;
    };
    bool any_app = false;
    for (const app_counters& a : c.apps) any_app = any_app || counted(a);
    if (!any_app) return;
    for (std::size_t k = 0; k < c.apps.size(); ++k) {
        const app_counters& a = c.apps[k];
        std::fprintf(out,
                     "app %s: sessions started %" PRIu64 ", completed %" PRIu64 ", failed %" PRIu64
                     " (timeout %" PRIu64 ", reset %" PRIu64 ", corrupt %" PRIu64 "), stopped %" PRIu64
                     "; transactions %" PRIu64 "; client frames sent/recv %" PRIu64 "/%" PRIu64
                     ", server frames sent/recv %" PRIu64 "/%" PRIu64 "; payload bytes %" PRIu64
                     "; retransmits %" PRIu64 "; corrupt %" PRIu64 ", unexpected %" PRIu64 ", lost %" PRIu64,
                     std::string(to_string(static_cast<app_kind>(k))).c_str(), a.sessions_started,
                     a.sessions_completed, a.sessions_failed, a.failed_timeout, a.failed_reset, a.failed_corrupt,
                     a.sessions_stopped, a.transactions, a.frames_sent[0], a.frames_received[0], a.frames_sent[1],
                     a.frames_received[1], a.payload_bytes, a.retransmits, a.corrupt, a.unexpected,
                     a.datagrams_lost);
        if (a.latency.count == 0)
            std::fputs("; latency none\n", out);
        else
            std::fprintf(out, "; latency p50 %" PRIu64 "us p99 %" PRIu64 "us\n", a.latency.percentile(50),
                         a.latency.percentile(99));
    }
}

}  // namespace qqgen::engine
