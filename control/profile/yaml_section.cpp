#include "control/profile/yaml_section.hpp"

#include <algorithm>

#include "control/profile/did_you_mean.hpp"
#include "control/profile/duration.hpp"
#include "control/profile/scalars.hpp"

namespace qqgen::control {

namespace {

std::string range_text(std::uint64_t min, std::uint64_t max) {
    return std::to_string(min) + ".." + std::to_string(max);
}

std::string number_text(double v) {
    std::string s = std::to_string(v);
    while (s.find('.') != std::string::npos && (s.back() == '0' || s.back() == '.')) {
        const bool dot = s.back() == '.';
        s.pop_back();
        if (dot) break;
    }
    return s;
}

}  // namespace

std::string describe_node(const YAML::Node& n) {
    if (!n.IsDefined() || n.IsNull()) return "nothing";
    if (n.IsMap()) return "a map";
    if (n.IsSequence()) return "a list";
    std::string s = n.Scalar();
    // Long values are cut: the message must stay one readable line.
    if (s.size() > 40) s = s.substr(0, 37) + "...";
    return "'" + s + "'";
}

yaml_section::yaml_section(error_sink& sink, const YAML::Node& node, std::string where)
    : sink_(sink), node_(node), path_(std::move(where)) {
    if (!node_.IsDefined() || node_.IsNull()) return;
    if (!node_.IsMap()) {
        sink_.add(node_, path_, "expected a map of fields (key: value), found " + describe_node(node_));
        return;
    }
    is_map_ = true;
    // yaml-cpp keeps both entries of a repeated key and finds the first: say
    // so rather than let the second one be silently ignored.
    std::vector<std::pair<std::string, int>> seen;
    for (const auto& kv : node_) {
        const YAML::Node& key = kv.first;
        if (!key.IsScalar()) {
            sink_.add(key, path_, "keys must be plain names, found " + describe_node(key) + " as a key");
            continue;
        }
        const auto earlier =
            std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == key.Scalar(); });
        if (earlier != seen.end())
            sink_.add(key, path(key.Scalar()),
                      "given twice (first on line " + std::to_string(earlier->second) + "); keep one");
        else
            seen.emplace_back(key.Scalar(), key.Mark().line + 1);
    }
}

yaml_section::~yaml_section() {
    if (!is_map_ || open_keys_) return;
    for (const auto& kv : node_) {
        const YAML::Node& key = kv.first;
        if (!key.IsScalar() || std::find(known_.begin(), known_.end(), key.Scalar()) != known_.end()) continue;
        sink_.add(key, path(key.Scalar()), "unknown field '" + key.Scalar() + "'" + did_you_mean(key.Scalar(), known_));
    }
}

yaml_section yaml_section::section(std::string_view key) {
    const std::optional<YAML::Node> n = get(key);
    return yaml_section(sink_, n ? *n : YAML::Node(YAML::NodeType::Undefined), path(key));
}

std::optional<YAML::Node> yaml_section::get(std::string_view key) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
    if (!is_map_) return std::nullopt;
    for (const auto& kv : node_)
        if (kv.first.IsScalar() && kv.first.Scalar() == key) {
            if (kv.second.IsNull()) return std::nullopt;
            return kv.second;
        }
    return std::nullopt;
}

std::vector<std::string> yaml_section::keys() {
    open_keys_ = true;
    std::vector<std::string> k;
    if (!is_map_) return k;
    for (const auto& kv : node_)
        if (kv.first.IsScalar() && std::find(k.begin(), k.end(), kv.first.Scalar()) == k.end())
            k.push_back(kv.first.Scalar());
    return k;
}

YAML::Node yaml_section::key_node(std::string_view key) const {
    if (is_map_)
        for (const auto& kv : node_)
            if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.first;
    return node_;
}

std::string yaml_section::path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void yaml_section::error(std::string_view key, std::string message) {
    const std::optional<YAML::Node> n = get(key);
    sink_.add(n ? *n : node_, path(key), std::move(message));
}

void yaml_section::error(std::string message) {
    sink_.add(node_, path_, std::move(message));
}

std::optional<std::string> yaml_section::scalar(std::string_view key, std::string_view what, YAML::Node& node) {
    const std::optional<YAML::Node> n = get(key);
    if (!n) return std::nullopt;
    node.reset(*n);
    if (!n->IsScalar()) {
        sink_.add(*n, path(key), "expected " + std::string(what) + ", found " + describe_node(*n));
        return std::nullopt;
    }
    return n->Scalar();
}

bool yaml_section::read_unsigned(std::string_view key, std::uint64_t& out, std::uint64_t min, std::uint64_t max) {
    return parsed(key, "an integer " + range_text(min, max), out, [&](const std::string& s) {
        const std::optional<std::uint64_t> v = parse_unsigned(s);
        return v && *v >= min && *v <= max ? v : std::nullopt;
    });
}

bool yaml_section::number(std::string_view key, double& out, double min, double max) {
    return parsed(key, "a number " + number_text(min) + ".." + number_text(max), out, [&](const std::string& s) {
        const std::optional<double> v = parse_number(s);
        return v && *v >= min && *v <= max ? v : std::nullopt;
    });
}

bool yaml_section::boolean(std::string_view key, bool& out) {
    return parsed(key, "true or false", out, [](const std::string& s) { return parse_bool(s); });
}

bool yaml_section::text(std::string_view key, std::string& out) {
    return parsed(key, "a text", out, [](const std::string& s) { return std::optional<std::string>(s); });
}

bool yaml_section::choice(std::string_view key, std::string& out, std::initializer_list<std::string_view> choices) {
    std::string list;
    for (std::string_view c : choices) list.append(list.empty() ? "" : " or ").append(c);
    return parsed(key, list, out, [&](const std::string& s) -> std::optional<std::string> {
        if (std::find(choices.begin(), choices.end(), s) == choices.end()) return std::nullopt;
        return s;
    });
}

bool yaml_section::mac(std::string_view key, proto::mac_address& out) {
    return parsed(key, "a MAC address (aa:bb:cc:dd:ee:ff)", out,
                  [](const std::string& s) { return proto::mac_address::parse(s); });
}

bool yaml_section::address(std::string_view key, proto::ip_address& out, unsigned version) {
    proto::ip_address a;
    if (!parsed(key, "an IPv" + std::to_string(version) + " address", a,
                [](const std::string& s) { return proto::ip_address::parse(s); }))
        return false;
    if (static_cast<unsigned>(a.version) != version) {
        error(key, "expected an IPv" + std::to_string(version) + " address (network.ip_version is " +
                       std::to_string(version) + "), found the IPv" + std::to_string(static_cast<unsigned>(a.version)) +
                       " address " + describe_node(*get(key)));
        return false;
    }
    out = a;
    return true;
}

bool yaml_section::duration(std::string_view key, std::uint64_t& ms, std::uint64_t min_ms, std::uint64_t max_ms) {
    const std::string range = format_duration_ms(min_ms) + ".." + format_duration_ms(max_ms);
    YAML::Node n;
    const std::optional<std::string> s = scalar(key, "a duration " + range, n);
    if (!s) return false;
    const std::optional<std::uint64_t> v = parse_duration_ms(*s);
    if (!v) {
        const std::string hint = parse_number(*s) ? " (a unit is required)" : "";
        sink_.add(
            n, path(key),
            "expected a duration " + range + ", " + std::string(duration_forms) + "; found " + describe_node(n) + hint);
        return false;
    }
    if (*v < min_ms || *v > max_ms) {
        sink_.add(n, path(key), "expected a duration " + range + ", found " + describe_node(n));
        return false;
    }
    ms = *v;
    return true;
}

bool yaml_section::size(std::string_view key, std::uint64_t& bytes, std::uint64_t min, std::uint64_t max) {
    return parsed(key, "a size in bytes " + range_text(min, max) +
                                " (an integer, or a number and a unit: B, KB = 1000, MB = 1000000, KiB = 1024, "
                                "MiB = 1048576)",
                  bytes, [&](const std::string& s) {
                      const std::optional<std::uint64_t> v = parse_size_bytes(s);
                      return v && *v >= min && *v <= max ? v : std::nullopt;
                  });
}

bool yaml_section::text_list(std::string_view key, std::vector<std::string>& out) {
    const std::optional<YAML::Node> n = get(key);
    if (!n) return false;
    if (!n->IsSequence()) {
        sink_.add(*n, path(key), "expected a list of texts ([a, b]), found " + describe_node(*n));
        return false;
    }
    std::vector<std::string> v;
    bool ok = true;
    const YAML::Node& list = *n;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const YAML::Node item = list[i];
        if (!item.IsScalar()) {
            sink_.add(item, path(key) + "[" + std::to_string(i) + "]", "expected a text, found " + describe_node(item));
            ok = false;
            continue;
        }
        v.push_back(item.Scalar());
    }
    if (ok) out = std::move(v);
    return ok;
}

}  // namespace qqgen::control
