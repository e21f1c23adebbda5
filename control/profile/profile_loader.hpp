// Load profiles: YAML in, a validated run_profile or every error out
// (design.md "Profiles"; the schema is configs/README.md).
//
// Nothing here throws: yaml-cpp's exceptions become profile_errors with the
// position yaml-cpp gives.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "control/profile/profile_error.hpp"
#include "control/profile/run_profile.hpp"

namespace qqgen::control {

using profile_result = std::variant<run_profile, std::vector<profile_error>>;

// Reads the profile at `path`, applies `overrides` ("path.to.field=value",
// from --set, in order) and validates the result. `workers_override` (the
// worker count of a dataplane already running) replaces the count the
// profile's dataplane.lcores gives. Errors come back all at once, the file's
// by position, then those of the overrides.
profile_result load_profile(const std::string& path, const std::vector<std::string>& overrides = {},
                            std::optional<unsigned> workers_override = {});

// The same from text; `file` names it in messages, and its stem is the
// profile's name unless the profile gives one.
profile_result parse_profile(std::string_view yaml, std::string_view file,
                             const std::vector<std::string>& overrides = {},
                             std::optional<unsigned> workers_override = {});

}  // namespace qqgen::control
