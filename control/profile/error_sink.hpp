// Where the profile reader puts every error it finds, so that one run of the
// loader reports them all, each at the node it is about.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <vector>

#include "control/profile/profile_error.hpp"

namespace qqgen::control {

// A part of the tree that a --set override wrote: the path of the topmost node
// it put there, and the override as the user typed it.
struct override_origin {
    std::string path;
    std::string text;  // "PATH=VALUE"
};

// True when `path` is `prefix` or lies below it ("a.b" is below "a", and so
// is "a[2]"; "ab" is not).
bool path_within(std::string_view path, std::string_view prefix) noexcept;

class error_sink {
public:
    explicit error_sink(std::string file) : file_(std::move(file)) {}

    void set_origins(std::vector<override_origin> origins) { origins_ = std::move(origins); }

    // An error about the node at `path`. A value written by --set is reported
    // as coming from that override (its position would be meaningless); any
    // other at the node's line and column, or with none when the node was not
    // read from the file (a default, or a section that is missing).
    void add(const YAML::Node& at, std::string path, std::string message);
    void add_at(const YAML::Mark& mark, std::string path, std::string message);
    void add(profile_error e) { errors_.push_back(std::move(e)); }

    [[nodiscard]] bool empty() const noexcept { return errors_.empty(); }
    [[nodiscard]] const std::string& file() const noexcept { return file_; }

    // The errors in the order a reader fixes them: the file's by position,
    // then those of the overrides.
    std::vector<profile_error> take();

private:
    std::string file_;
    std::vector<override_origin> origins_;
    std::vector<profile_error> errors_;
};

}  // namespace qqgen::control
