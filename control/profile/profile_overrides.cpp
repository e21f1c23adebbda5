#include "control/profile/profile_overrides.hpp"

#include "control/profile/field_path.hpp"
#include "control/profile/yaml_section.hpp"

namespace qqgen::control {

namespace {

// Why `segments` cannot be written into `root`, or empty. Checked before
// anything is written, so that a refused override leaves no half-made maps
// behind. Missing map keys are made; list entries are not (a list is replaced
// as a whole).
std::string refusal(const YAML::Node& root, const std::vector<path_segment>& segments) {
    YAML::Node cur = root;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const path_segment& s = segments[i];
        const std::string here = join_field_path(segments, i);
        if (s.index) {
            if (!cur.IsSequence()) return here + " is " + describe_node(cur) + ", not a list";
            if (*s.index >= cur.size())
                return here + " is a list of " + std::to_string(cur.size()) + ", with no [" + std::to_string(*s.index) +
                       "]; give the whole list instead, e.g. --set '" + here + "=[...]'";
            const YAML::Node& c = cur;
            const YAML::Node next = c[*s.index];
            cur.reset(next);
            continue;
        }
        if (!cur.IsNull() && !cur.IsMap())
            return here + " is " + describe_node(cur) + ", not a map with a field '" + s.key + "'";
        const YAML::Node next = find_key(cur, s.key);
        if (!next.IsDefined() || next.IsNull()) {
            for (std::size_t j = i + 1; j < segments.size(); ++j)
                if (segments[j].index)
                    return join_field_path(segments, j) +
                           " is not in the profile, and --set makes maps but not list "
                           "entries; give the whole list, e.g. --set '" +
                           join_field_path(segments, j) + "=[...]'";
            return {};
        }
        cur.reset(next);
    }
    return {};
}

// Writes `value` at `segments` (refusal() said it can be done); returns how
// many segments lead to the topmost node it created or replaced.
std::size_t write(YAML::Node& root, const std::vector<path_segment>& segments, const YAML::Node& value) {
    YAML::Node cur = root;
    std::size_t origin = segments.size();
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const path_segment& s = segments[i];
        const bool last = i + 1 == segments.size();
        if (s.index) {
            if (last) {
                cur[*s.index] = value;
            } else {
                const YAML::Node next = cur[*s.index];
                cur.reset(next);
            }
            continue;
        }
        // Assigning to a node of the tree replaces it in place (yaml-cpp's
        // reference semantics): "capture:" with nothing under it becomes a map.
        if (cur.IsNull()) cur = YAML::Node(YAML::NodeType::Map);
        YAML::Node next = find_key(cur, s.key);
        if (last) {
            if (next.IsDefined())
                next = value;  // in place: the key keeps its position
            else
                cur[s.key] = value;
            break;
        }
        if (!next.IsDefined()) {
            origin = std::min(origin, i + 1);
            cur[s.key] = YAML::Node(YAML::NodeType::Map);
            next.reset(find_key(cur, s.key));
        }
        cur.reset(next);
    }
    return origin;
}

}  // namespace

std::vector<override_origin> apply_overrides(YAML::Node& root, const std::vector<std::string>& overrides,
                                             error_sink& sink) {
    std::vector<override_origin> origins;
    for (const std::string& o : overrides) {
        const auto refuse = [&](const std::string& why) { sink.add({"--set " + o, 0, 0, {}, why}); };
        const std::size_t eq = o.find('=');
        if (eq == std::string::npos) {
            refuse("expected PATH=VALUE, e.g. --set users.concurrent=5000");
            continue;
        }
        const std::string path_text = o.substr(0, eq);
        const auto segments = split_field_path(path_text);
        if (!segments) {
            refuse("'" + path_text +
                   "' is not a field path (names separated by dots, list items as [N], e.g. login.servers[0].address)");
            continue;
        }
        YAML::Node value;
        try {
            value = YAML::Load(o.substr(eq + 1));
        } catch (const YAML::Exception& e) {
            refuse("the value is not valid YAML: " + e.msg);
            continue;
        }
        if (std::string why = refusal(root, *segments); !why.empty()) {
            refuse(why);
            continue;
        }
        origins.push_back({join_field_path(*segments, write(root, *segments, value)), o});
    }
    return origins;
}

}  // namespace qqgen::control
