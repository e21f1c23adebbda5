// One map of a profile (the whole file, `users`, `phases.steady`, ...) read
// field by field. Every reader takes the field's default in `out` and leaves
// it there when the field is absent or empty; a field that is present but
// wrong is reported to the error sink (and `out` keeps its default, so that
// reading goes on and later errors are found too). Keys nobody asked for are
// reported as unknown when the section ends, with the closest known key.
#pragma once

#include <yaml-cpp/yaml.h>

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/profile/error_sink.hpp"
#include "protocols/net_headers.hpp"

namespace qqgen::control {

// How a node reads in a message: the scalar quoted, else its kind.
std::string describe_node(const YAML::Node& n);

class yaml_section {
public:
    // `node` may be absent (undefined) or null: a missing section, all defaults.
    yaml_section(error_sink& sink, const YAML::Node& node, std::string where);
    ~yaml_section();
    yaml_section(const yaml_section&) = delete;
    yaml_section& operator=(const yaml_section&) = delete;

    // A nested map.
    [[nodiscard]] yaml_section section(std::string_view key);

    // The value of `key`, nullopt when absent or null. Registers the key as known.
    std::optional<YAML::Node> get(std::string_view key);
    // For maps whose keys are names (charsets, fonts): no key is unknown here,
    // the caller checks them.
    [[nodiscard]] std::vector<std::string> keys();
    // The key's own node (for errors about the name rather than the value).
    [[nodiscard]] YAML::Node key_node(std::string_view key) const;

    [[nodiscard]] std::string path(std::string_view key) const;
    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    [[nodiscard]] error_sink& sink() const noexcept { return sink_; }

    // An error about `key`: at its value when present, else at this section.
    void error(std::string_view key, std::string message);
    // An error about the section itself.
    void error(std::string message);

    template <std::unsigned_integral T>
    bool integer(std::string_view key, T& out, std::uint64_t min = 0,
                 std::uint64_t max = std::numeric_limits<T>::max()) {
        std::uint64_t v = out;
        if (!read_unsigned(key, v, min, max)) return false;
        out = static_cast<T>(v);
        return true;
    }
    bool number(std::string_view key, double& out, double min, double max);
    bool boolean(std::string_view key, bool& out);
    bool text(std::string_view key, std::string& out);
    // Milliseconds, written as a duration (duration.hpp).
    bool duration(std::string_view key, std::uint64_t& ms, std::uint64_t min_ms, std::uint64_t max_ms);
    // Bytes, written as an integer or with a unit (scalars.hpp parse_size_bytes).
    bool size(std::string_view key, std::uint64_t& bytes, std::uint64_t min, std::uint64_t max);
    // One of `choices`, exactly.
    bool choice(std::string_view key, std::string& out, std::initializer_list<std::string_view> choices);
    // An address of IP version `version` (4 or 6, the profile's network.ip_version).
    bool address(std::string_view key, proto::ip_address& out, unsigned version);
    bool mac(std::string_view key, proto::mac_address& out);
    bool text_list(std::string_view key, std::vector<std::string>& out);

private:
    bool read_unsigned(std::string_view key, std::uint64_t& out, std::uint64_t min, std::uint64_t max);
    // The scalar text of `key`, reporting "expected WHAT" when it is a map or a list.
    std::optional<std::string> scalar(std::string_view key, std::string_view what, YAML::Node& node);
    // `key` read by `parse` (scalar text -> std::optional<T>); what it refuses
    // is reported as "expected WHAT, found ...".
    template <class T, class Parse>
    bool parsed(std::string_view key, const std::string& what, T& out, Parse parse) {
        YAML::Node n;
        const std::optional<std::string> s = scalar(key, what, n);
        if (!s) return false;
        std::optional<T> v = parse(*s);
        if (!v) {
            sink_.add(n, path(key), "expected " + what + ", found " + describe_node(n));
            return false;
        }
        out = std::move(*v);
        return true;
    }

    error_sink& sink_;
    YAML::Node node_;
    std::string path_;
    bool is_map_ = false;
    bool open_keys_ = false;
    std::vector<std::string> known_;
};

}  // namespace qqgen::control
