// The run per application (issue 8): QQ and each companion application with
// its weight, sessions, failures, transactions, frames, bytes and latency
// (report.json's `applications`), the mix achieved against the weights
// (`application_mix`), and report.html's "Applications" table.
// docs/report-json.md describes the fields.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "control/profile/run_profile.hpp"
#include "dataplane/engine/app_settings.hpp"
#include "dataplane/engine/engine_counters.hpp"
#include "dataplane/engine/frame_io.hpp"

namespace qqgen::control {

// Whether companion k belongs in the report: the profile runs it, or its
// counters show it ran (a report on demand knows no profile).
bool app_reported(const run_profile& profile, const engine::engine_counters& e, engine::app_kind k);

// {"qq": {...}, "<kind>": {...}} for QQ (always) and every reported companion.
nlohmann::json applications_json(const run_profile& profile, const engine::engine_counters& e,
                                 const engine::io_counters& io);

// {"<name>": {weight, weight_share, sessions_started, session_share}} for each
// entry of `applications` (applications_json's result).
nlohmann::json application_mix_json(const nlohmann::json& applications);

// The "Applications" table of report.html from report.json's content; empty
// when no companion ran.
std::string applications_html(const nlohmann::json& report);

}  // namespace qqgen::control
