// Field paths as messages and --set write them: names separated by dots,
// list items as [N] ("login.servers[1].address"; "login.servers.1.address"
// is read the same).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qqgen::control {

struct path_segment {
    std::string key;                   // a map key; empty for a list index
    std::optional<std::size_t> index;  // set for a list index
};

// nullopt when malformed (empty names, unclosed brackets, an index first).
std::optional<std::vector<path_segment>> split_field_path(std::string_view path);

// The canonical text of the first `count` segments.
std::string join_field_path(const std::vector<path_segment>& segments, std::size_t count);

// The value under `key` in map `m`, or an undefined node. (yaml-cpp's
// operator[] on a non-const node would insert the key.)
YAML::Node find_key(const YAML::Node& m, std::string_view key);

// The deepest node of `root` along `path` that exists: the field itself, or
// the section a defaulted field would sit in.
YAML::Node find_field(const YAML::Node& root, std::string_view path);

}  // namespace qqgen::control
