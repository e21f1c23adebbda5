// sync, chat, keepalive and resend: what a logged-in user does.
#include <array>

#include "control/profile/did_you_mean.hpp"
#include "control/profile/duration.hpp"
#include "control/profile/profile_sections.hpp"
#include "protocols/charset.hpp"
#include "protocols/qq_fonts.hpp"

namespace qqgen::control {

namespace {

constexpr std::uint64_t hour_ms = 3'600'000;
constexpr std::uint64_t ten_minutes_ms = 600'000;

// Pinyin names people type for the simplified-Chinese fonts, besides the
// English family aliases the font table knows (simsun, simhei, ...).
struct pinyin_alias {
    std::string_view alias, name;
};
constexpr std::array<pinyin_alias, 2> pinyin_aliases{{{"songti", "宋体"}, {"heiti", "黑体"}}};

const proto::qq_font* font_named(std::string_view name) {
    if (const proto::qq_font* f = proto::find_font(name)) return f;
    for (const pinyin_alias& a : pinyin_aliases)
        if (edit_distance(name, a.alias) == 0) return proto::find_font(a.name);  // case-insensitive
    return nullptr;
}

// A map of name -> relative weight (charsets, fonts). `index_of` gives a
// name's slot in `weights`, or nothing for an unknown name. Every weight not
// named is 0; the map replaces the defaults as a whole. All weights 0 is
// refused unless `zero_ok` (fonts: each charset then uses its default font).
template <std::size_t N, class IndexOf>
void read_weights(yaml_section& parent, std::string_view key, std::array<std::uint16_t, N>& weights, IndexOf index_of,
                  const std::vector<std::string>& names, bool zero_ok) {
    const std::optional<YAML::Node> n = parent.get(key);
    if (!n) return;
    if (!n->IsMap()) {
        parent.error(key, "expected a map of name: weight, e.g. {" + names.front() + ": 70, " + names.back() +
                              ": 30}, found " + describe_node(*n));
        return;
    }
    yaml_section m(parent.sink(), *n, parent.path(key));
    std::array<std::uint16_t, N> w{};
    std::array<std::string, N> given_as{};
    bool ok = true;
    for (const std::string& name : m.keys()) {
        const std::optional<std::size_t> i = index_of(name);
        if (!i) {
            m.sink().add(m.key_node(name), m.path(name), "unknown name '" + name + "'" + did_you_mean(name, names));
            ok = false;
            continue;
        }
        if (!given_as[*i].empty()) {
            m.sink().add(m.key_node(name), m.path(name),
                         "names the same entry as '" + given_as[*i] + "'; give each once");
            ok = false;
            continue;
        }
        given_as[*i] = name;
        ok = m.integer(name, w[*i]) && ok;
    }
    if (!ok) return;
    std::uint32_t sum = 0;
    for (auto v : w) sum += v;
    if (sum == 0 && !zero_ok) {
        parent.error(key, "every weight is 0; give at least one a weight above 0");
        return;
    }
    weights = w;
}

// chat.message_size: one size (bytes), one {min, max} range, or a list of
// up to message_size_class_count {min, max, weight} classes. Absent: each
// message is one corpus line.
void read_message_sizes(yaml_section& chat, engine::load_settings& s) {
    const std::optional<YAML::Node> n = chat.get("message_size");
    if (!n) return;
    constexpr std::uint64_t most = engine::max_message_text_size;
    const std::string range = "1.." + std::to_string(most);
    using size_class = engine::load_settings::message_size_class;
    std::array<size_class, engine::message_size_class_count> classes{};

    // One class from a map; false if it has errors (reported).
    auto read_class = [&](const YAML::Node& node, const std::string& where, size_class& out, bool weighted) {
        yaml_section c(chat.sink(), node, where);
        std::uint16_t lo = 0, hi = 0;
        std::uint32_t weight = 1;
        bool ok = true;
        for (const char* bound : {"min", "max"}) {
            if (c.get(bound)) continue;
            c.error(bound, std::string("required: the ") + (bound[1] == 'i' ? "smallest" : "largest") +
                               " text size in bytes (" + range + ")");
            ok = false;
        }
        ok = c.integer("min", lo, 1, most) && ok;
        ok = c.integer("max", hi, 1, most) && ok;
        if (weighted && !c.get("weight")) {
            c.error("weight", "required in a list of classes: the class's relative weight (0..1000000)");
            ok = false;
        }
        if (weighted) ok = c.integer("weight", weight, 0, 1'000'000) && ok;
        if (ok && lo > hi) {
            c.error("min", "min (" + std::to_string(lo) + ") is greater than max (" + std::to_string(hi) +
                               "); the size is uniform in min..max");
            ok = false;
        }
        out = size_class{lo, hi, weight};
        return ok;
    };

    if (n->IsScalar()) {
        std::uint16_t fixed = 0;
        if (chat.integer("message_size", fixed, 1, most)) classes[0] = size_class{fixed, fixed, 1};
        else return;
    } else if (n->IsMap()) {
        if (!read_class(*n, chat.path("message_size"), classes[0], false)) return;
    } else if (n->IsSequence() && n->size() >= 1 && n->size() <= classes.size()) {
        bool ok = true;
        std::uint64_t total = 0;
        for (std::size_t i = 0; i < n->size(); ++i) {
            const std::string where = chat.path("message_size") + "[" + std::to_string(i) + "]";
            if (!(*n)[i].IsMap()) {
                chat.sink().add((*n)[i], where,
                                "expected {min: BYTES, max: BYTES, weight: N}, found " + describe_node((*n)[i]));
                ok = false;
                continue;
            }
            ok = read_class((*n)[i], where, classes[i], true) && ok;
            total += classes[i].weight;
        }
        if (!ok) return;
        if (total == 0) {
            chat.error("message_size", "every weight is 0; give at least one class a weight above 0");
            return;
        }
    } else {
        chat.error("message_size",
                   "expected a size in bytes (" + range + "), a range {min: 1, max: 200}, or a list of 1.." +
                       std::to_string(classes.size()) + " classes [{min: 1, max: 40, weight: 70}, ...], found " +
                       (n->IsSequence() ? "a list of " + std::to_string(n->size()) : describe_node(*n)));
        return;
    }
    s.message_sizes = classes;
}

void read_chat(yaml_section& root, engine::load_settings& s) {
    yaml_section c = root.section("chat");
    c.integer("chats_per_user", s.chats_per_user);
    c.integer("messages_per_chat", s.messages_per_chat);

    // Either {min, max} (uniform between them) or one duration (fixed).
    if (const std::optional<YAML::Node> d = c.get("message_delay"); d && d->IsMap()) {
        yaml_section delay = c.section("message_delay");
        std::uint64_t lo = s.message_delay_min_ms, hi = s.message_delay_max_ms;
        const bool have_lo = delay.duration("min", lo, 0, hour_ms);
        const bool have_hi = delay.duration("max", hi, 0, hour_ms);
        if (lo > hi && (have_lo || have_hi))
            delay.error(have_lo ? "min" : "max", "min (" + format_duration_ms(lo) + ") is greater than max (" +
                                                     format_duration_ms(hi) + "); the delay is uniform in min..max");
        s.message_delay_min_ms = static_cast<std::uint32_t>(lo);
        s.message_delay_max_ms = static_cast<std::uint32_t>(hi);
    } else {
        std::uint64_t fixed = 0;
        if (c.duration("message_delay", fixed, 0, hour_ms))
            s.message_delay_min_ms = s.message_delay_max_ms = static_cast<std::uint32_t>(fixed);
    }
    read_message_sizes(c, s);

    std::vector<std::string> charset_names;
    for (proto::charset cs : proto::all_charsets) charset_names.emplace_back(proto::to_string(cs));
    read_weights(
        c, "charsets", s.charset_weights,
        [](std::string_view name) -> std::optional<std::size_t> {
            if (const auto cs = proto::parse_charset(name)) return static_cast<std::size_t>(*cs);
            return std::nullopt;
        },
        charset_names, false);

    std::vector<std::string> font_names;
    for (const proto::qq_font& f : proto::qq_fonts()) font_names.emplace_back(f.name);
    for (const proto::qq_font& f : proto::qq_fonts()) font_names.emplace_back(f.alias);
    read_weights(
        c, "fonts", s.font_weights,
        [](std::string_view name) -> std::optional<std::size_t> {
            if (const proto::qq_font* f = font_named(name))
                return static_cast<std::size_t>(f - proto::qq_fonts().data());
            return std::nullopt;
        },
        font_names, true);
}

}  // namespace

void read_behaviour(yaml_section& root, engine::load_settings& s) {
    {
        yaml_section y = root.section("sync");
        y.integer("buddies_per_user", s.buddies_per_user, 0, 254);
        y.integer("friend_page_size", s.friend_page_size, 1, 30);
    }
    read_chat(root, s);
    {
        yaml_section k = root.section("keepalive");
        std::uint64_t interval = s.keepalive_interval_ms;
        k.duration("interval", interval, 1, hour_ms);
        s.keepalive_interval_ms = static_cast<std::uint32_t>(interval);
        k.integer("count", s.keepalive_count, 0, engine::max_requests_per_session);
    }
    {
        yaml_section r = root.section("resend");
        std::uint64_t timeout = s.resend_timeout_ms, jitter = s.resend_jitter_ms;
        r.duration("timeout", timeout, 1, ten_minutes_ms);
        r.duration("jitter", jitter, 0, ten_minutes_ms);
        s.resend_timeout_ms = static_cast<std::uint32_t>(timeout);
        s.resend_jitter_ms = static_cast<std::uint32_t>(jitter);
        r.integer("tries", s.resend_tries, 1, 15);
    }
}

}  // namespace qqgen::control
