// `qqgen run --set PATH=VALUE`: one field of the profile changed for one run
// without editing the file, e.g. --set users.concurrent=5000,
// --set login.servers[1].address=198.19.1.9, --set chat.message_delay='{min: 1s, max: 2s}'.
//
// The value is parsed as YAML, so it may be a scalar, a list or a map; an
// empty value removes the field (its default applies). Overrides only edit the
// tree: the schema is checked afterwards, once, for file and overrides alike,
// and the error sink reports a field an override wrote as coming from it.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "control/profile/error_sink.hpp"

namespace qqgen::control {

// Applies `overrides` in order to `root` (a map). Returns where each one wrote
// (for the error sink); malformed overrides are reported to `sink` and skipped.
std::vector<override_origin> apply_overrides(YAML::Node& root, const std::vector<std::string>& overrides,
                                             error_sink& sink);

}  // namespace qqgen::control
