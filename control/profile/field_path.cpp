#include "control/profile/field_path.hpp"

#include "control/profile/scalars.hpp"

namespace qqgen::control {

namespace {

bool all_digits(std::string_view t) noexcept {
    return !t.empty() && t.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

std::optional<std::vector<path_segment>> split_field_path(std::string_view path) {
    std::vector<path_segment> out;
    std::size_t pos = 0;
    while (true) {
        std::size_t end = path.find_first_of(".[", pos);
        if (end == std::string_view::npos) end = path.size();
        const std::string_view key = path.substr(pos, end - pos);
        if (key.empty()) return std::nullopt;
        if (all_digits(key)) {
            const auto i = parse_unsigned(key);
            if (!i) return std::nullopt;
            out.push_back({{}, *i});
        } else {
            out.push_back({std::string(key), std::nullopt});
        }
        pos = end;
        while (pos < path.size() && path[pos] == '[') {
            const std::size_t close = path.find(']', pos);
            if (close == std::string_view::npos) return std::nullopt;
            const std::string_view digits = path.substr(pos + 1, close - pos - 1);
            const auto i = all_digits(digits) ? parse_unsigned(digits) : std::nullopt;
            if (!i) return std::nullopt;
            out.push_back({{}, *i});
            pos = close + 1;
        }
        if (pos == path.size()) break;
        if (path[pos] != '.') return std::nullopt;
        ++pos;
    }
    if (out.front().index) return std::nullopt;  // a profile is a map
    return out;
}

std::string join_field_path(const std::vector<path_segment>& segments, std::size_t count) {
    std::string p;
    for (std::size_t i = 0; i < count && i < segments.size(); ++i) {
        if (segments[i].index) {
            p.append("[").append(std::to_string(*segments[i].index)).append("]");
        } else {
            if (!p.empty()) p.append(".");
            p.append(segments[i].key);
        }
    }
    return p;
}

YAML::Node find_key(const YAML::Node& m, std::string_view key) {
    if (m.IsMap())
        for (const auto& kv : m)
            if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
    return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node find_field(const YAML::Node& root, std::string_view path) {
    YAML::Node cur = root;
    const auto segments = split_field_path(path);
    if (!segments) return cur;
    for (const path_segment& s : *segments) {
        const YAML::Node& c = cur;
        YAML::Node next =
            s.index ? (c.IsSequence() && *s.index < c.size() ? c[*s.index] : YAML::Node(YAML::NodeType::Undefined))
                    : find_key(c, s.key);
        if (!next.IsDefined() || next.IsNull()) break;
        cur.reset(next);
    }
    return cur;
}

}  // namespace qqgen::control
