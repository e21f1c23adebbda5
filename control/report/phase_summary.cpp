#include "control/report/phase_summary.hpp"

#include <algorithm>
#include <cmath>

#include "dataplane/shm/shm_abi.hpp"

namespace qqgen::control {

namespace {

double worst(double a, double b) {
    if (std::isnan(a)) return b;
    if (std::isnan(b)) return a;
    return std::max(a, b);
}

}  // namespace

std::vector<phase_summary> summarize_phases(const std::vector<series_sample>& samples) {
    std::vector<phase_summary> out;
    series_sample start;  // the counters where the current phase began (zero at the run's start)
    std::size_t i = 0;
    while (i < samples.size()) {
        const double phase = samples[i].phase;
        phase_summary p;
        p.phase = std::string(to_string(static_cast<shm::worker_phase>(static_cast<std::uint32_t>(phase))));
        p.from_s = i == 0 ? 0.0 : samples[i - 1].t_s;
        double weighted_client = 0, weighted_server = 0, seconds = 0;
        std::size_t j = i;
        for (; j < samples.size() && samples[j].phase == phase; ++j) {
            const series_sample& s = samples[j];
            const double dt = s.t_s - (j == 0 ? 0.0 : samples[j - 1].t_s);
            weighted_client += s.client_tx_fps * dt;
            weighted_server += s.server_tx_fps * dt;
            seconds += dt;
            p.peak_active_users = std::max(p.peak_active_users, s.active_users);
            p.worst_login_p99_us = worst(p.worst_login_p99_us, s.login_p99_us);
            p.worst_delivery_p99_us = worst(p.worst_delivery_p99_us, s.delivery_p99_us);
        }
        const series_sample& end = samples[j - 1];
        p.to_s = end.t_s;
        p.users_started = end.started - start.started;
        p.users_completed = end.completed - start.completed;
        p.users_failed = end.failed - start.failed;
        p.users_stopped = end.stopped - start.stopped;
        p.messages_sent = end.messages_sent - start.messages_sent;
        p.messages_lost = end.messages_lost - start.messages_lost;
        p.resends = end.resends - start.resends;
        p.drops = end.drops - start.drops;
        if (seconds > 0) {
            p.client_tx_fps = weighted_client / seconds;
            p.server_tx_fps = weighted_server / seconds;
        }
        out.push_back(p);
        start = end;
        i = j;
    }
    return out;
}

nlohmann::json to_json(const std::vector<phase_summary>& phases) {
    nlohmann::json out = nlohmann::json::array();
    const auto num = [](double v) -> nlohmann::json {
        if (std::isnan(v)) return nullptr;
        return std::round(v * 1000) / 1000;
    };
    for (const auto& p : phases)
        out.push_back({{"phase", p.phase},
                       {"from_s", num(p.from_s)},
                       {"to_s", num(p.to_s)},
                       {"users", {{"started", num(p.users_started)}, {"completed", num(p.users_completed)},
                                  {"failed", num(p.users_failed)}, {"stopped", num(p.users_stopped)},
                                  {"peak_active", num(p.peak_active_users)}}},
                       {"messages", {{"sent", num(p.messages_sent)}, {"lost", num(p.messages_lost)}}},
                       {"resends", num(p.resends)},
                       {"drops", num(p.drops)},
                       {"mean_fps", {{"client_tx", num(p.client_tx_fps)}, {"server_tx", num(p.server_tx_fps)}}},
                       {"worst_interval_p99_us",
                        {{"login", num(p.worst_login_p99_us)}, {"message_delivery", num(p.worst_delivery_p99_us)}}}});
    return out;
}

}  // namespace qqgen::control
