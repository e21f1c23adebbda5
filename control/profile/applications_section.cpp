// applications: the mix of what the emulated hosts do (issue 8). QQ over UDP
// and over TCP, and companions beside it — DNS look-ups of ordinary names,
// HTTP/1.1 pages, TLS sessions, UDP and TCP background streams — each with a
// weight: its share of the new sessions started. The profile's new-user rate
// and users.total become the whole mix's; QQ keeps its share in
// load_settings.new_user_rate and total_sessions, each companion gets its
// own in load_settings.apps (app_settings.hpp), per worker like the rest.
#include <array>
#include <limits>

#include "control/profile/did_you_mean.hpp"
#include "control/profile/field_path.hpp"
#include "control/profile/profile_sections.hpp"
#include "protocols/charset.hpp"
#include "protocols/dns.hpp"

namespace qqgen::control {

namespace {

using engine::app_kind;
using engine::app_kind_count;
using engine::app_spec;
using engine::app_variant;

constexpr std::uint64_t max_weight = 1'000'000;
constexpr std::uint64_t hour_ms = 3'600'000;
constexpr std::uint64_t u32_max = std::numeric_limits<std::uint32_t>::max();
// Without applications.slots each worker gets as many companion slots as QQ
// session slots, but never fewer than this.
constexpr std::uint32_t min_derived_slots = 16;

constexpr std::array<app_profile_keys, app_kind_count> all_keys{{
    {"lookups", "think", "names", "name", "", ""},
    {"requests", "think", "pages", "host", "size", ""},
    {"exchanges", "think", "servers", "sni", "response_size", "request_size"},
    {"datagrams", "interval", "", "", "", "size"},
    {"transfers", "think", "", "", "size", "request_size"},
}};

std::string str(std::uint64_t v) { return std::to_string(v); }

// A host name as RFC 1123 2.1 has it (letters, digits and hyphens, labels of
// 1..63 not starting or ending with a hyphen): it is a look-up, a Host
// header and an SNI, so the DNS wire's looser rules are not enough.
bool is_host_name(std::string_view name) {
    if (name.empty() || name.size() > proto::dns_max_name_wire - 2) return false;
    std::size_t label = 0;
    for (std::size_t i = 0; i <= name.size(); ++i) {
        const char c = i < name.size() ? name[i] : '.';
        if (c == '.') {
            if (label == 0 || label > proto::dns_max_label || name[i - 1] == '-') return false;
            label = 0;
            continue;
        }
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && !(c == '-' && label > 0)) return false;
        ++label;
    }
    return true;
}

// Sets a variant's name (a DNS name: a look-up, a Host, an SNI); else the
// error at `where`.
bool set_name(error_sink& sink, const YAML::Node& at, const std::string& where, const std::string& name,
              app_variant& v) {
    if (is_host_name(name) && engine::set_app_text(v.name, name)) return true;
    sink.add(at, where,
             "expected a DNS name of at most " + str(engine::app_name_size - 1) +
                 " characters (labels of 1..63 letters, digits and hyphens separated by dots), found " +
                 describe_node(at));
    return false;
}

// A weight: a bare number or {weight: N}.
void read_weight(yaml_section& a, std::string_view key, std::uint32_t& w) {
    const std::optional<YAML::Node> n = a.get(key);
    if (!n) return;
    if (n->IsMap()) {
        yaml_section m = a.section(key);
        m.integer("weight", w, 0, max_weight);
    } else {
        a.integer(key, w, 0, max_weight);
    }
}

// A list of 1..max_app_variants choices, each read by `item(node, where,
// variant)`; replaces the default variant. `example` shows the form.
template <class Item>
void read_variants(yaml_section& c, std::string_view key, std::string_view example, app_spec& spec, Item item) {
    const std::optional<YAML::Node> n = c.get(key);
    if (!n) return;
    constexpr std::size_t most = engine::max_app_variants;
    if (!n->IsSequence() || n->size() == 0 || n->size() > most) {
        c.error(key, "expected a list of 1.." + str(most) + " " + std::string(example) + ", found " +
                         (n->IsSequence() ? "a list of " + str(n->size()) : describe_node(*n)));
        return;
    }
    std::array<app_variant, most> v{};
    bool ok = true;
    std::uint32_t weights = 0;
    for (std::size_t i = 0; i < n->size(); ++i) {
        v[i].weight = 1;
        ok = item((*n)[i], c.path(key) + "[" + str(i) + "]", v[i]) && ok;
        weights += v[i].weight;
    }
    if (!ok) return;
    if (weights == 0) {
        c.error(key, "every weight is 0; give at least one a weight above 0");
        return;
    }
    spec.variants = v;
    spec.variant_count = static_cast<std::uint8_t>(n->size());
}

// An item of a variant list: a map with the name under `name_key`, the
// weight and what `fields` reads, or (when `bare_ok`) a bare name.
template <class Fields>
bool read_item(yaml_section& parent, const YAML::Node& node, const std::string& where, std::string_view name_key,
               bool bare_ok, app_variant& v, Fields fields) {
    error_sink& sink = parent.sink();
    if (node.IsScalar() && bare_ok) return set_name(sink, node, where, node.Scalar(), v);
    if (!node.IsMap()) {
        sink.add(node, where, "expected a map {" + std::string(name_key) + ": ..., weight: N, ...}, found " +
                                  describe_node(node));
        return false;
    }
    yaml_section it(sink, node, where);
    bool ok = it.integer("weight", v.weight) || !it.get("weight");
    std::string name;
    if (!it.text(name_key, name)) {
        if (!it.get(name_key)) it.error(name_key, "required: the DNS name (e.g. www.sina.com.cn)");
        ok = false;
    } else {
        ok = set_name(sink, *it.get(name_key), it.path(name_key), name, v) && ok;
    }
    return fields(it) && ok;
}

bool read_response_size(yaml_section& it, std::string_view key, app_variant& v) {
    std::uint64_t bytes = v.response_bytes;
    if (!it.size(key, bytes, 1, engine::max_app_response_bytes)) return !it.get(key);
    v.response_bytes = static_cast<std::uint32_t>(bytes);
    return true;
}

bool read_page_fields(yaml_section& it, app_variant& v) {
    bool ok = true;
    std::string path = "/";
    if (it.text("path", path)) {
        if (path.empty() || path.front() != '/' || path.find_first_of(" \t\r\n") != std::string::npos ||
            !engine::set_app_text(v.path, path)) {
            it.error("path", "expected a request path starting with '/', without white space, of at most " +
                                 str(engine::app_path_size - 1) + " characters, found " + describe_node(*it.get("path")));
            ok = false;
        }
    } else {
        engine::set_app_text(v.path, path);
        ok = !it.get("path") && ok;
    }
    v.response_bytes = 20000;
    ok = read_response_size(it, "size", v) && ok;
    std::string cs = "utf-8";
    if (it.text("charset", cs)) {
        if (const std::optional<proto::charset> c = proto::parse_charset(cs)) {
            v.charset = static_cast<std::uint8_t>(*c);
        } else {
            std::vector<std::string> names;
            for (proto::charset c : proto::all_charsets) names.emplace_back(proto::to_string(c));
            it.error("charset", "unknown charset '" + cs + "'" + did_you_mean(cs, names));
            ok = false;
        }
    } else {
        v.charset = static_cast<std::uint8_t>(proto::charset::utf8);
        ok = !it.get("charset") && ok;
    }
    return ok;
}

// One companion's map (or bare weight): its fields over default_app_spec.
void read_companion(yaml_section& a, app_kind k, unsigned ip_version, app_spec& spec) {
    const std::string_view name = to_string(k);
    const app_profile_keys& key = profile_keys(k);
    spec = engine::default_app_spec(k, ip_version == 6);
    const std::optional<YAML::Node> n = a.get(name);
    if (!n) return;
    if (n->IsScalar()) {
        a.integer(name, spec.weight, 0, max_weight);
        return;
    }
    if (!n->IsMap()) {
        a.error(name, "expected a weight or a map of the application's fields ({weight: 10, ...}), found " +
                          describe_node(*n));
        return;
    }
    yaml_section c = a.section(name);
    c.integer("weight", spec.weight, 0, max_weight);
    c.integer(key.transactions, spec.transactions, 1, engine::max_app_transactions);
    std::uint64_t think = spec.think_ms;
    if (c.duration(key.think, think, 0, hour_ms)) spec.think_ms = static_cast<std::uint32_t>(think);
    c.address("server", spec.server, ip_version);
    c.integer("port", spec.server_port, 1);
    std::uint64_t request = spec.request_bytes;
    switch (k) {
    case app_kind::dns:
        read_variants(c, key.variants, "names ([www.sina.com.cn, {name: www.163.com, weight: 2}])", spec,
                      [&](const YAML::Node& node, const std::string& where, app_variant& v) {
                          return read_item(c, node, where, "name", true, v, [](yaml_section&) { return true; });
                      });
        break;
    case app_kind::http:
        read_variants(c, key.variants, "pages ([{host: www.163.com, path: /news/, size: 60KB, charset: gbk}])", spec,
                      [&](const YAML::Node& node, const std::string& where, app_variant& v) {
                          return read_item(c, node, where, "host", false, v,
                                           [&v](yaml_section& it) { return read_page_fields(it, v); });
                      });
        break;
    case app_kind::tls:
        if (c.size(key.request_size, request, 1, 16384)) spec.request_bytes = static_cast<std::uint16_t>(request);
        read_variants(c, key.variants, "servers ([{sni: www.baidu.com, response_size: 8KB}])", spec,
                      [&](const YAML::Node& node, const std::string& where, app_variant& v) {
                          v.response_bytes = 8000;
                          return read_item(c, node, where, "sni", true, v, [&v](yaml_section& it) {
                              return read_response_size(it, "response_size", v);
                          });
                      });
        break;
    case app_kind::udp_stream:
        // One unfragmented datagram with a VLAN tag (app_settings.cpp).
        if (c.size(key.request_size, request, 16, ip_version == 6 ? 1428 : 1448))
            spec.request_bytes = static_cast<std::uint16_t>(request);
        break;
    case app_kind::tcp_stream:
        if (c.size(key.request_size, request, 1, 1024)) spec.request_bytes = static_cast<std::uint16_t>(request);
        read_response_size(c, key.response_size, spec.variants[0]);
        break;
    case app_kind::count_: break;
    }
}

// `total` split in proportion to `weights` by largest remainder (ties to the
// earlier entry), so that the parts add up to `total`. With `at_least_one`,
// every weighted entry gets 1 or more, taken from the largest part while it
// has more than 1 (so the sum exceeds `total` only when total is smaller
// than the number of weighted entries).
template <std::size_t N>
std::array<std::uint64_t, N> split(std::uint64_t total, const std::array<std::uint64_t, N>& weights,
                                   bool at_least_one) {
    std::array<std::uint64_t, N> part{}, rest{};
    std::uint64_t sum = 0, given = 0;
    for (std::uint64_t w : weights) sum += w;
    if (sum == 0) return part;
    for (std::size_t i = 0; i < N; ++i) {
        // total * w / sum without overflow: w <= sum, and (total % sum) * w < sum^2 < 2^64.
        part[i] = total / sum * weights[i] + total % sum * weights[i] / sum;
        rest[i] = total % sum * weights[i] % sum;
        given += part[i];
    }
    for (; given < total; ++given) {
        std::size_t best = 0;
        for (std::size_t i = 1; i < N; ++i)
            if (rest[i] > rest[best]) best = i;
        ++part[best];
        rest[best] = 0;
    }
    if (!at_least_one) return part;
    for (std::size_t i = 0; i < N; ++i) {
        if (weights[i] == 0 || part[i] != 0) continue;
        std::size_t most = 0;
        for (std::size_t j = 1; j < N; ++j)
            if (part[j] > part[most]) most = j;
        if (part[most] > 1) --part[most];
        part[i] = 1;
    }
    return part;
}

// QQ's TCP share from qq_tcp, unless transport.tcp_percent gives it too.
void read_qq(yaml_section& root, yaml_section& a, run_profile& out) {
    std::uint32_t udp = 0, tcp = 0;
    read_weight(a, "qq_udp", udp);
    read_weight(a, "qq_tcp", tcp);
    out.qq_weight = {udp, tcp, true};
    if (std::uint64_t{udp} + tcp == 0) {
        a.error(a.get("qq_udp") ? "qq_udp" : "qq_tcp",
                "qq_udp + qq_tcp is 0: qqgen emulates QQ users and runs the companions beside them, so QQ needs "
                "a weight above 0 (e.g. qq_udp: 60); companions alone are not supported");
        return;
    }
    if (!a.get("qq_tcp")) return;  // transport.tcp_percent (default 0) splits QQ's weight
    const std::optional<YAML::Node> transport = root.get("transport");
    const YAML::Node percent = transport ? find_key(*transport, "tcp_percent") : YAML::Node();
    if (percent.IsDefined() && !percent.IsNull()) {
        const YAML::Mark m = percent.Mark();
        const std::string where = m.is_null() || m.line < 0 ? "" : " (line " + str(m.line + 1) + ")";
        a.error("qq_tcp", "applications.qq_tcp and transport.tcp_percent" + where +
                              " both set the share of QQ users over TCP; keep one: qq_udp and qq_tcp as weights, "
                              "or qq_udp as QQ's whole weight and transport.tcp_percent");
        return;
    }
    out.load.tcp_share_ppm = static_cast<std::uint32_t>((std::uint64_t{tcp} * 1'000'000 + (udp + tcp) / 2) /
                                                        (std::uint64_t{udp} + tcp));
}

}  // namespace

const app_profile_keys& profile_keys(engine::app_kind k) {
    return all_keys[static_cast<std::size_t>(k) < app_kind_count ? static_cast<std::size_t>(k) : 0];
}

void read_applications(yaml_section& root, run_profile& out) {
    const std::optional<YAML::Node> node = root.get("applications");
    if (!node) return;  // QQ only, as before issue 8
    engine::load_settings& s = out.load;
    const unsigned workers = out.workers == 0 ? 1 : out.workers;
    yaml_section a = root.section("applications");
    if (!node->IsMap()) return;  // reported by the section
    read_qq(root, a, out);

    engine::app_mix m;
    std::uint64_t slots = 0;
    const bool slots_given = a.integer("slots", slots, 1, u32_max);
    {
        yaml_section ports = a.section("client_ports");
        ports.integer("first", m.client_port_base, 1);
        ports.integer("count", m.client_ports_per_address, 1);
    }
    {
        yaml_section t = a.section("tcp");
        std::uint64_t rto = m.rto_ms;
        if (t.duration("rto", rto, 10, 60'000)) m.rto_ms = static_cast<std::uint32_t>(rto);
        t.integer("mss", m.tcp_mss, 536, 1460);
        t.integer("window_segments", m.window_segments, 1, 64);
        t.integer("tries", m.tries, 1, 15);
    }
    std::array<std::uint64_t, app_kind_count + 1> weights{out.qq_weight.total()};
    for (std::size_t i = 0; i < app_kind_count; ++i) {
        read_companion(a, static_cast<app_kind>(i), s.ip_version, m.apps[i]);
        weights[i + 1] = m.apps[i].weight;
        // Off: nothing of it in the settings, so that its fields never stand
        // in the way of a live change.
        if (weights[i + 1] == 0) m.apps[i] = app_spec{};
    }

    // The profile's rate and total are the whole mix's (per worker already).
    const auto rates = split(s.new_user_rate, weights, true);
    const auto totals = split(s.total_sessions, weights, s.total_sessions != 0);
    s.new_user_rate = static_cast<std::uint32_t>(std::min(rates[0], u32_max));
    s.total_sessions = totals[0];
    for (std::size_t i = 0; i < app_kind_count; ++i) {
        m.apps[i].session_rate = static_cast<std::uint32_t>(std::min(rates[i + 1], u32_max));
        m.apps[i].total_sessions = totals[i + 1];
    }
    if (m.any_enabled()) {
        if (slots_given) {
            m.slots = static_cast<std::uint32_t>((slots + workers - 1) / workers);
        } else {
            // Not derived from the weights: those change live, the slots cannot.
            const std::uint64_t endpoints = m.client_endpoints(s.client_address_count) / workers;
            m.slots = static_cast<std::uint32_t>(
                std::max<std::uint64_t>(min_derived_slots, std::min<std::uint64_t>(s.users, endpoints / 2)));
        }
    }
    s.apps = m;
}

}  // namespace qqgen::control
