// report.json of a run (schema: docs/report-json.md, versioned by
// `schema`): the profile as applied, how the run went, and the final
// counters per stage, reason and port, summed and per worker.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "control/profile/run_profile.hpp"
#include "control/report/dataplane_totals.hpp"

namespace qqgen::control {

inline constexpr const char* report_schema = "qqgen-report/1";

// run_facts::end_reason of a report taken from a dataplane still running.
inline constexpr const char* still_running = "still running (a report on demand)";

struct run_facts {
    std::string profile_file;
    std::string instance;
    std::uint32_t dataplane_pid = 0;
    int dataplane_exit_status = -1;
    std::uint64_t start_unix_ns = 0;
    std::uint64_t end_unix_ns = 0;
    double duration_s = 0;
    double apply_ack_ms = -1;  // first profile: publication to every worker's acknowledgement
    std::string end_reason;    // "phases ended", "stopped by the user", "dataplane died: ..."
};

nlohmann::json make_report(const run_profile& profile, const run_facts& facts, const dataplane_totals& totals);

// The profile's YAML as JSON (numbers and booleans typed, the rest strings).
nlohmann::json yaml_to_json(const std::string& yaml_text);

// Writes `report` to `path` (pretty-printed); empty, or why it could not.
std::string write_json(const std::string& path, const nlohmann::json& report);

}  // namespace qqgen::control
