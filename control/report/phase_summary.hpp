// The run phase by phase (ramp-up, steady, ramp-down, stopping), from the
// time series: what happened in each, so that a report shows the steady
// phase on its own rather than diluted by the ramps.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "control/report/time_series.hpp"

namespace qqgen::control {

struct phase_summary {
    std::string phase;     // shm::worker_phase name
    double from_s = 0, to_s = 0;
    double users_started = 0, users_completed = 0, users_failed = 0, users_stopped = 0;
    double peak_active_users = 0;
    double messages_sent = 0, messages_lost = 0, resends = 0, drops = 0;
    double client_tx_fps = 0, server_tx_fps = 0;  // means over the phase
    double worst_login_p99_us = no_value, worst_delivery_p99_us = no_value;  // the worst interval's
};

// One entry per run of consecutive samples in the same phase, in order
// (a phase entered twice, after a live change, appears twice).
std::vector<phase_summary> summarize_phases(const std::vector<series_sample>& samples);

nlohmann::json to_json(const std::vector<phase_summary>& phases);

}  // namespace qqgen::control
