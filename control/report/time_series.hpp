// The run's time series (issue 7): one sample per report.sample_interval,
// made from two readings of every worker's counters. Gauges are as read,
// counters cumulative since the start, rates and latency percentiles over
// the interval since the previous sample. timeseries.csv has one column per
// field (column_names(), documented in docs/report.md); report.html charts them.
#pragma once

#include <array>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "control/report/dataplane_totals.hpp"
#include "control/report/process_memory.hpp"

namespace qqgen::control {

inline constexpr double no_value = std::numeric_limits<double>::quiet_NaN();

struct series_sample {
    double t_s = 0;    // since the run started
    double phase = 0;  // shm::worker_phase of the least advanced worker
    // Gauges.
    double active_users = 0, slots = 0;
    double users_login = 0, users_sync = 0, users_chat = 0, users_keepalive = 0, users_logout = 0;
    // Counters since the start.
    double started = 0, logged_in = 0, redirected = 0, completed = 0, failed = 0, stopped = 0;
    double gave_up_timeout = 0, gave_up_refused = 0, gave_up_bad_reply = 0, gave_up_stopped = 0;
    double messages_sent = 0, messages_delivered = 0, messages_lost = 0, messages_corrupt = 0;
    double resends = 0;
    double tcp_attempted = 0, tcp_established = 0, tcp_retransmits = 0, tcp_rst = 0;
    double drops = 0;  // frames qqgen itself could not send or keep (pool dry, TX queue full, ...)
    // Rates over the interval.
    double client_tx_fps = 0, client_rx_fps = 0, server_tx_fps = 0, server_rx_fps = 0;
    double client_tx_mbps = 0, client_rx_mbps = 0, server_tx_mbps = 0, server_rx_mbps = 0;
    // Latency percentiles of what completed in the interval (no_value: nothing did).
    double dns_p50_us = no_value, dns_p99_us = no_value;
    double login_p50_us = no_value, login_p99_us = no_value;
    double delivery_p50_us = no_value, delivery_p99_us = no_value;
    double tcp_connect_p50_us = no_value, tcp_connect_p99_us = no_value;
    // Memory (no_value when the dataplane's /proc entry is not readable).
    double rss_bytes = no_value, hugetlb_bytes = no_value;
    double mbufs_in_use = 0, mbufs_total = 0;
    // Per stage (engine::stage order), counters since the start.
    struct stage_totals {
        double started = 0, completed = 0, gave_up = 0;
    };
    std::array<stage_totals, engine::stage_count> stages{};
};

struct series_column {
    std::string_view name;
    double series_sample::*field;
};

// The CSV's columns, in order.
#define QQGEN_COLUMN(f) series_column{#f, &series_sample::f}
inline constexpr auto series_columns = std::to_array<series_column>({
    QQGEN_COLUMN(t_s), QQGEN_COLUMN(phase),
    QQGEN_COLUMN(active_users), QQGEN_COLUMN(slots),
    QQGEN_COLUMN(users_login), QQGEN_COLUMN(users_sync), QQGEN_COLUMN(users_chat),
    QQGEN_COLUMN(users_keepalive), QQGEN_COLUMN(users_logout),
    QQGEN_COLUMN(started), QQGEN_COLUMN(logged_in), QQGEN_COLUMN(redirected),
    QQGEN_COLUMN(completed), QQGEN_COLUMN(failed), QQGEN_COLUMN(stopped),
    QQGEN_COLUMN(gave_up_timeout), QQGEN_COLUMN(gave_up_refused), QQGEN_COLUMN(gave_up_bad_reply),
    QQGEN_COLUMN(gave_up_stopped),
    QQGEN_COLUMN(messages_sent), QQGEN_COLUMN(messages_delivered), QQGEN_COLUMN(messages_lost),
    QQGEN_COLUMN(messages_corrupt), QQGEN_COLUMN(resends),
    QQGEN_COLUMN(tcp_attempted), QQGEN_COLUMN(tcp_established), QQGEN_COLUMN(tcp_retransmits),
    QQGEN_COLUMN(tcp_rst), QQGEN_COLUMN(drops),
    QQGEN_COLUMN(client_tx_fps), QQGEN_COLUMN(client_rx_fps), QQGEN_COLUMN(server_tx_fps),
    QQGEN_COLUMN(server_rx_fps),
    QQGEN_COLUMN(client_tx_mbps), QQGEN_COLUMN(client_rx_mbps), QQGEN_COLUMN(server_tx_mbps),
    QQGEN_COLUMN(server_rx_mbps),
    QQGEN_COLUMN(dns_p50_us), QQGEN_COLUMN(dns_p99_us), QQGEN_COLUMN(login_p50_us), QQGEN_COLUMN(login_p99_us),
    QQGEN_COLUMN(delivery_p50_us), QQGEN_COLUMN(delivery_p99_us), QQGEN_COLUMN(tcp_connect_p50_us),
    QQGEN_COLUMN(tcp_connect_p99_us),
    QQGEN_COLUMN(rss_bytes), QQGEN_COLUMN(hugetlb_bytes), QQGEN_COLUMN(mbufs_in_use), QQGEN_COLUMN(mbufs_total),
});
#undef QQGEN_COLUMN

// Every column of the time series: series_columns, then per stage
// `stage_<name>_started`, `_completed`, `_gave_up`. CSV and report.json use these.
std::vector<std::string> column_names();
std::vector<double> column_values(const series_sample& s);

// The sample `t_s` seconds in, from the readings `now` and `before` (the
// previous sample's, or the first reading) and the dataplane's memory.
series_sample make_sample(const dataplane_totals& now, const dataplane_totals& before, double t_s,
                          const std::optional<process_memory>& memory);

// The percentile `p` of the values recorded between two readings of a
// histogram (bucket upper edges); no_value when nothing was recorded.
double interval_percentile(const engine::latency_histogram& now, const engine::latency_histogram& before, double p);

// timeseries.csv, written as the run goes (a row per sample, flushed), so
// that a run cut short keeps what it sampled.
class series_csv {
public:
    series_csv() = default;
    series_csv(const series_csv&) = delete;
    series_csv& operator=(const series_csv&) = delete;
    ~series_csv();
    // Creates the file and writes the header; empty, or why not.
    std::string open(const std::string& path);
    void append(const series_sample& s);

private:
    std::FILE* file_ = nullptr;
};

// One CSV line of `s` (no newline); the header is the column names.
std::string csv_header();
std::string csv_row(const series_sample& s);

}  // namespace qqgen::control
