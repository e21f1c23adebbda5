// The engine's and the ports' counters as JSON, for report.json and
// `qqgen stats --json` (schema: docs/report-json.md). Every name comes from
// the engine's own to_string tables, so a new stage or reason shows up
// without touching this file.
#pragma once

#include <nlohmann/json.hpp>

#include "dataplane/engine/app_settings.hpp"
#include "dataplane/engine/engine_counters.hpp"
#include "dataplane/engine/frame_io.hpp"

namespace qqgen::control {

nlohmann::json to_json(const engine::engine_counters& c);
nlohmann::json to_json(const engine::io_counters& io);
nlohmann::json to_json(const engine::latency_histogram& h);
// One companion application's counters (report.json's COUNTERS apps.<kind>).
nlohmann::json to_json(const engine::app_counters& a);
// {count, p50, p90, p99, max, mean} in microseconds; null percentiles without samples.
nlohmann::json latency_summary(const engine::latency_histogram& h);
// {client: {sent, received}, server: {sent, received}}.
nlohmann::json sent_received(const std::array<std::uint64_t, 2>& sent, const std::array<std::uint64_t, 2>& received);

}  // namespace qqgen::control
