#include "control/report/time_series.hpp"

#include <cmath>

namespace qqgen::control {


namespace {

double rate(std::uint64_t now, std::uint64_t before, double seconds) {
    return seconds <= 0 || now < before ? 0.0 : static_cast<double>(now - before) / seconds;
}

double d(std::uint64_t v) { return static_cast<double>(v); }

}  // namespace

double interval_percentile(const engine::latency_histogram& now, const engine::latency_histogram& before, double p) {
    using H = engine::latency_histogram;
    if (now.count <= before.count) return no_value;
    const std::uint64_t count = now.count - before.count;
    const double want = p / 100.0 * static_cast<double>(count);
    std::uint64_t rank = static_cast<std::uint64_t>(want);
    if (static_cast<double>(rank) < want || rank == 0) ++rank;
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < H::bucket_count; ++b) {
        // A worker that restarted its histogram (never, today) would make a
        // bucket go down: count it as empty rather than wrap.
        seen += now.buckets[b] > before.buckets[b] ? now.buckets[b] - before.buckets[b] : 0;
        if (seen >= rank) return d(std::min<std::uint64_t>(H::bucket_high(b), now.max_us));
    }
    return d(now.max_us);
}

series_sample make_sample(const dataplane_totals& now, const dataplane_totals& before, double t_s,
                          const std::optional<process_memory>& memory) {
    using engine::stage;
    const auto& e = now.engine;
    const auto& b = before.engine;
    const double dt = static_cast<double>(now.read_mono_ns - before.read_mono_ns) / 1e9;
    series_sample s;
    s.t_s = t_s;
    s.phase = static_cast<double>(now.phase);
    s.active_users = d(now.active_users);
    s.slots = d(now.slots);
    // The stage groups of the progress line (dataplane_totals.cpp).
    s.users_login = d(in_stages(e, {stage::dns, stage::token, stage::login}));
    s.users_sync = d(in_stages(e, {stage::status, stage::friends, stage::online}));
    s.users_chat = d(in_stages(e, {stage::chat}));
    s.users_keepalive = d(in_stages(e, {stage::keepalive}));
    s.users_logout = d(in_stages(e, {stage::logout}));
    s.started = d(e.users.started);
    s.logged_in = d(e.users.logged_in);
    s.redirected = d(e.users.redirected);
    s.completed = d(e.users.completed);
    s.failed = d(e.users.failed);
    s.stopped = d(e.users.stopped);
    std::array<std::uint64_t, engine::give_up_reason_count> gave_up{};
    std::uint64_t resends = e.messages.relay_resends;
    for (std::size_t i = 0; i < engine::stage_count; ++i) {
        const auto& st = e.stages[i];
        for (std::size_t r = 0; r < gave_up.size(); ++r) gave_up[r] += st.gave_up[r];
        resends += st.resends;
        s.stages[i] = {d(st.started), d(st.completed), d(st.gave_up_total())};
    }
    s.gave_up_timeout = d(gave_up[static_cast<std::size_t>(engine::give_up_reason::timeout)]);
    s.gave_up_refused = d(gave_up[static_cast<std::size_t>(engine::give_up_reason::refused)]);
    s.gave_up_bad_reply = d(gave_up[static_cast<std::size_t>(engine::give_up_reason::bad_reply)]);
    s.gave_up_stopped = d(gave_up[static_cast<std::size_t>(engine::give_up_reason::stopped)]);
    s.messages_sent = d(e.messages.sent);
    s.messages_delivered = d(e.messages.delivered);
    s.messages_lost = d(e.messages.lost);
    s.messages_corrupt = d(e.messages.corrupt);
    s.resends = d(resends);
    s.tcp_attempted = d(e.tcp.attempted);
    s.tcp_established = d(e.tcp.established);
    s.tcp_retransmits = d(e.tcp.retransmits[0] + e.tcp.retransmits[1]);
    s.tcp_rst = d(e.tcp.rst_sent[0] + e.tcp.rst_sent[1] + e.tcp.rst_received[0] + e.tcp.rst_received[1]);
    s.drops = d(frames_dropped(now.io));
    const auto& cn = now.io.port[0];
    const auto& cb = before.io.port[0];
    const auto& sn = now.io.port[1];
    const auto& sb = before.io.port[1];
    s.client_tx_fps = rate(cn.tx_frames, cb.tx_frames, dt);
    s.client_rx_fps = rate(cn.rx_frames, cb.rx_frames, dt);
    s.server_tx_fps = rate(sn.tx_frames, sb.tx_frames, dt);
    s.server_rx_fps = rate(sn.rx_frames, sb.rx_frames, dt);
    s.client_tx_mbps = rate(cn.tx_bytes, cb.tx_bytes, dt) * 8 / 1e6;
    s.client_rx_mbps = rate(cn.rx_bytes, cb.rx_bytes, dt) * 8 / 1e6;
    s.server_tx_mbps = rate(sn.tx_bytes, sb.tx_bytes, dt) * 8 / 1e6;
    s.server_rx_mbps = rate(sn.rx_bytes, sb.rx_bytes, dt) * 8 / 1e6;
    s.dns_p50_us = interval_percentile(e.dns_latency, b.dns_latency, 50);
    s.dns_p99_us = interval_percentile(e.dns_latency, b.dns_latency, 99);
    s.login_p50_us = interval_percentile(e.login_latency, b.login_latency, 50);
    s.login_p99_us = interval_percentile(e.login_latency, b.login_latency, 99);
    s.delivery_p50_us = interval_percentile(e.delivery_latency, b.delivery_latency, 50);
    s.delivery_p99_us = interval_percentile(e.delivery_latency, b.delivery_latency, 99);
    s.tcp_connect_p50_us = interval_percentile(e.connect_latency, b.connect_latency, 50);
    s.tcp_connect_p99_us = interval_percentile(e.connect_latency, b.connect_latency, 99);
    if (memory) {
        s.rss_bytes = d(memory->rss_bytes);
        s.hugetlb_bytes = d(memory->hugetlb_bytes);
    }
    s.mbufs_in_use = d(now.mbufs_in_use);
    s.mbufs_total = d(now.mbufs_total);
    return s;
}

std::vector<std::string> column_names() {
    std::vector<std::string> names;
    for (const auto& c : series_columns) names.emplace_back(c.name);
    for (std::size_t i = 0; i < engine::stage_count; ++i) {
        const std::string stage(to_string(static_cast<engine::stage>(i)));
        for (const char* what : {"_started", "_completed", "_gave_up"}) names.push_back("stage_" + stage + what);
    }
    return names;
}

std::vector<double> column_values(const series_sample& s) {
    std::vector<double> v;
    v.reserve(series_columns.size() + 3 * engine::stage_count);
    for (const auto& c : series_columns) v.push_back(s.*c.field);
    for (const auto& st : s.stages) v.insert(v.end(), {st.started, st.completed, st.gave_up});
    return v;
}

std::string csv_header() {
    std::string h;
    for (const auto& name : column_names()) {
        if (!h.empty()) h += ',';
        h += name;
    }
    return h;
}

std::string csv_row(const series_sample& s) {
    std::string row;
    char cell[32];
    bool first = true;
    for (const double v : column_values(s)) {
        if (!first) row += ',';
        first = false;
        if (std::isnan(v)) continue;  // an empty cell: no value this interval
        // Integers as integers, rates with three decimals.
        if (v == std::floor(v) && std::fabs(v) < 9e15) std::snprintf(cell, sizeof cell, "%.0f", v);
        else std::snprintf(cell, sizeof cell, "%.3f", v);
        row += cell;
    }
    return row;
}

series_csv::~series_csv() {
    if (file_ != nullptr) std::fclose(file_);
}

std::string series_csv::open(const std::string& path) {
    file_ = std::fopen(path.c_str(), "we");
    if (file_ == nullptr) return "cannot create " + path;
    std::fprintf(file_, "%s\n", csv_header().c_str());
    std::fflush(file_);
    return {};
}

void series_csv::append(const series_sample& s) {
    if (file_ == nullptr) return;
    std::fprintf(file_, "%s\n", csv_row(s).c_str());
    std::fflush(file_);
}

}  // namespace qqgen::control
