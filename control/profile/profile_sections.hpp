// The readers of a profile's sections, in the order the loader calls them
// (each later one may need what an earlier one found: the worker count, the
// IP version). configs/README.md is the schema they implement.
#pragma once

#include <cstdint>
#include <string_view>

#include "control/profile/run_profile.hpp"
#include "control/profile/yaml_section.hpp"

namespace qqgen::control {

// dataplane: lcores (-> out.workers), EAL arguments, topology and port options.
void read_dataplane(yaml_section& root, run_profile& out);
// capture, keylog: dataplane options and what the run writes.
void read_outputs(yaml_section& root, run_profile& out);
// report: progress and sampling intervals, the DUT's description, thresholds.
void read_report(yaml_section& root, run_profile& out);
// seed, users and phases: the profile's totals divided among `workers`.
void read_users_and_phases(yaml_section& root, unsigned workers, run_profile& out);
// network: IP version, addresses, VLANs, MACs, gateways.
void read_network(yaml_section& root, engine::load_settings& s);
// login: port, redirect share, servers (after read_network: needs the IP version).
void read_login(yaml_section& root, engine::load_settings& s);
// sync, chat, keepalive, resend.
void read_behaviour(yaml_section& root, engine::load_settings& s);
// transport: share of TCP users, TCP port, MSS, closer (docs/tcp.md).
void read_transport(yaml_section& root, engine::load_settings& s);
// applications: QQ's and the companions' weights, their per-worker rates and
// totals out of the profile's, each companion's fields (after read_transport:
// qq_tcp may set the TCP share; after read_network: the IP version).
void read_applications(yaml_section& root, run_profile& out);

// How the profile names companion k's app_spec fields below
// applications.<kind>: the transaction count, the pause, the variant list
// ("" for the streams, whose one variant is their size), a variant's name,
// the response size and the request size ("" where the kind has none).
struct app_profile_keys {
    std::string_view transactions, think, variants, variant_name, response_size, request_size;
};
const app_profile_keys& profile_keys(engine::app_kind k);

// Runs load_settings::validate_for_workers and reports its refusal at the
// profile field it is about. Call when everything else is valid.
void check_with_engine(const YAML::Node& root, const run_profile& p, error_sink& sink);

// A time in ms as the dataplane's options take it, in seconds ("2", "0.25").
std::string seconds_text(std::uint64_t ms);

}  // namespace qqgen::control
