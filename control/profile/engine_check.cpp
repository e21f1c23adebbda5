// The session engine's own check of the settings (load_settings::
// validate_for_workers) is the last word on what it can run: it knows the
// cross-field rules (port 53 inside the client port range, endpoints per
// worker, duplicate server names) that the schema does not repeat. Its
// messages name load_settings fields; this maps them back to the profile.
#include <array>
#include <cctype>
#include <optional>
#include <utility>

#include "control/profile/field_path.hpp"
#include "control/profile/profile_sections.hpp"

namespace qqgen::control {

namespace {

struct field_mapping {
    std::string_view field;  // as validate() writes it; '#' stands for an index
    std::string_view path;   // the profile field; '#' takes the same index
};

constexpr std::array<field_mapping, 50> mappings{{
    {"users", "users.concurrent"},
    {"total_sessions", "users.total"},
    {"qq_number_base", "users.qq_numbers.first"},
    {"dialect", "users.dialect"},
    {"ip_version", "network.ip_version"},
    {"vlan_id[0]", "network.client.vlan"},
    {"vlan_id[1]", "network.server.vlan"},
    {"client_address_base", "network.client.first_address"},
    {"client_address_count", "network.client.addresses"},
    {"client_port_base", "network.client.first_port"},
    {"client_ports_per_address", "network.client.ports_per_address"},
    {"the client port range", "network.client.first_port"},
    {"local_mac[0]", "network.client.mac"},
    {"local_mac[1]", "network.server.mac"},
    {"next_hop_mac[0]", "network.client.next_hop"},
    {"next_hop_mac[1]", "network.server.next_hop"},
    {"gateway_ip[0]", "network.client.gateway"},
    {"gateway_ip[1]", "network.server.gateway"},
    {"interface_ip[0]", "network.client.interface"},
    {"interface_ip[1]", "network.server.interface"},
    {"dns_server", "network.dns_server"},
    {"login_server_count", "login.servers"},
    {"login_server_port", "login.port"},
    {"login_servers[#]", "login.servers[#].address"},
    {"login_server_names[#]", "login.servers[#].name"},
    {"redirect_ppm", "login.redirect_percent"},
    {"new_user_rate", "phases.steady.new_users_per_second"},
    {"concurrent_target", "phases.steady.concurrent_users"},
    {"ramp_ms", "phases.ramp_up.duration"},
    {"steady_ms", "phases.steady.duration"},
    {"ramp_down_ms", "phases.ramp_down.duration"},
    {"buddies_per_user", "sync.buddies_per_user"},
    {"friend_page_size", "sync.friend_page_size"},
    {"chats_per_user", "chat.chats_per_user"},
    {"messages_per_chat", "chat.messages_per_chat"},
    {"message_delay_min_ms", "chat.message_delay.min"},
    {"message_delay_max_ms", "chat.message_delay.max"},
    {"charset_weights", "chat.charsets"},
    {"font_weights", "chat.fonts"},
    {"message_sizes[#]", "chat.message_size[#]"},
    {"keepalive_interval_ms", "keepalive.interval"},
    {"keepalive_count", "keepalive.count"},
    {"a session would send", "keepalive.count"},
    {"resend_timeout_ms", "resend.timeout"},
    {"resend_jitter_ms", "resend.jitter"},
    {"resend_tries", "resend.tries"},
    {"tcp_share_ppm", "transport.tcp_percent"},
    {"tcp_server_port", "transport.tcp_port"},
    {"tcp_mss", "transport.tcp_mss"},
    {"tcp_closer", "transport.tcp_closer"},
}};

bool identifier_char(char c) noexcept {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Where `field` occurs in `message` as a whole word (npos if not), and the
// index standing for its '#'.
std::size_t find_field_in(std::string_view message, std::string_view field, std::string& index) {
    const std::size_t hash = field.find('#');
    const std::string_view head = field.substr(0, hash);
    for (std::size_t at = message.find(head); at != std::string_view::npos; at = message.find(head, at + 1)) {
        if (at > 0 && identifier_char(message[at - 1])) continue;
        std::size_t end = at + head.size();
        if (hash != std::string_view::npos) {
            const std::size_t digits = end;
            while (end < message.size() && std::isdigit(static_cast<unsigned char>(message[end]))) ++end;
            if (end == digits || end >= message.size() || message[end] != ']') continue;
            index = std::string(message.substr(digits, end - digits));
            ++end;
        }
        if (end < message.size() && identifier_char(message[end])) continue;
        return at;
    }
    return std::string_view::npos;
}

// The message with every load_settings field it names replaced by the
// profile field ("ramp_down_ms needs ... (steady_ms > 0)" reads
// "phases.ramp_down.duration needs ... (phases.steady.duration > 0)").
std::string in_profile_terms(std::string_view message) {
    std::string out;
    std::size_t i = 0;
    while (i < message.size()) {
        std::size_t best_len = 0;
        std::string best;
        if (i == 0 || !identifier_char(message[i - 1]))
            for (const field_mapping& m : mappings) {
                if (m.field.find(' ') != std::string_view::npos) continue;
                std::string index;
                const std::string_view rest = message.substr(i);
                if (find_field_in(rest, m.field, index) != 0) continue;
                std::size_t len = m.field.size();
                if (!index.empty()) len += index.size() - 1;  // '#' stood for the digits
                if (len <= best_len) continue;
                best_len = len;
                best = std::string(m.path);
                if (const std::size_t hash = best.find('#'); hash != std::string::npos) best.replace(hash, 1, index);
            }
        if (best_len == 0) {
            out.push_back(message[i++]);
        } else {
            out.append(best);
            i += best_len;
        }
    }
    return out;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
}

// A refusal of the companions' settings (validate_app_mix: messages start
// "apps.<kind>: ", "apps.<field>" or "apps: "; validate_for_workers names
// apps.slots): the profile field it is about, and its text in profile terms.
// nullopt for a refusal about anything else.
std::optional<std::pair<std::string, std::string>> app_refusal(std::string_view why) {
    if (why.find("apps.") == std::string_view::npos && !why.starts_with("apps:")) return std::nullopt;
    std::string text(why), path = "applications.slots";
    for (std::size_t i = 0; i < engine::app_kind_count; ++i) {
        const auto k = static_cast<engine::app_kind>(i);
        const std::string name(to_string(k));
        const std::string prefix = "apps." + name + ": ";
        if (!why.starts_with(prefix)) continue;
        const app_profile_keys& key = profile_keys(k);
        const std::string at = "applications." + name;
        std::string rest = text.substr(prefix.size());
        const std::string vars = key.variants.empty() ? "" : at + "." + std::string(key.variants);
        // The variant list, or for the streams the one field their variant comes from.
        path = vars.empty() ? at + "." + std::string(key.response_size.empty() ? key.request_size : key.response_size)
                            : vars;
        if (rest.starts_with("variants[")) {
            // "variants[I]: FIELD ...": the variant's own field, where the profile has one.
            const std::size_t close = rest.find("]: ");
            const std::string index = rest.substr(9, close - 9);
            std::string after = rest.substr(close + 3);
            std::string_view field;
            std::size_t skip = 0;
            if (after.starts_with("path ")) field = "path", skip = 5;
            else if (after.starts_with("charset ")) field = "charset", skip = 8;
            else if (after.starts_with("response_bytes ")) field = key.response_size, skip = 15;
            else if (after.starts_with("name '")) field = key.variant_name, skip = 5;
            const std::string item = vars.empty() ? at : vars + "[" + index + "]";
            // A DNS name is the item itself (a bare name or {name, weight}).
            path = field.empty() || k == engine::app_kind::dns ? item : item + "." + std::string(field);
            text = path + ": " + after.substr(skip);
        } else {
            if (rest.starts_with("server_port") || rest.find(" server_port ") != std::string::npos) path = at + ".port";
            else if (rest.starts_with("server")) path = at + ".server";
            else if (rest.starts_with("transactions")) path = at + "." + std::string(key.transactions);
            else if (rest.starts_with("think_ms")) path = at + "." + std::string(key.think);
            else if (rest.starts_with("request_bytes")) path = at + "." + std::string(key.request_size);
            text = at + ": " + rest;
        }
        replace_all(text, "server_port", "port");
        replace_all(text, "transactions", std::string(key.transactions));
        replace_all(text, "think_ms is at most 3600000 (one hour)", std::string(key.think) + " is at most 1h");
        replace_all(text, "response_bytes", key.response_size.empty() ? "size" : std::string(key.response_size));
        if (!key.request_size.empty()) replace_all(text, "request_bytes", std::string(key.request_size));
        replace_all(text, "apps.", "applications.");
        return std::pair{path, text};
    }
    if (why.starts_with("apps.client_port")) path = "applications.client_ports.first";
    else if (why.starts_with("apps.rto_ms")) path = "applications.tcp.rto";
    else if (why.starts_with("apps.tcp_mss")) path = "applications.tcp.mss";
    else if (why.starts_with("apps.window_segments")) path = "applications.tcp.window_segments";
    else if (why.starts_with("apps.tries")) path = "applications.tcp.tries";
    replace_all(text, "apps.client_port_base .. + client_ports_per_address - 1",
                "applications.client_ports.first + count - 1");
    replace_all(text, "apps.client_port_base ..", "applications.client_ports.first ..");
    replace_all(text, "apps.client_ports_per_address", "applications.client_ports.count");
    replace_all(text, "apps.rto_ms must be 10..60000", "applications.tcp.rto must be 10ms..60s");
    replace_all(text, "apps.tcp_mss", "applications.tcp.mss");
    replace_all(text, "apps.window_segments", "applications.tcp.window_segments");
    replace_all(text, "apps.tries", "applications.tcp.tries");
    replace_all(text, "apps.slots", "applications.slots");
    if (text.starts_with("apps: ")) text.replace(0, 6, "applications: ");
    return std::pair{path, text};
}

}  // namespace

void check_with_engine(const YAML::Node& root, const run_profile& p, error_sink& sink) {
    const std::string why = p.load.validate_for_workers(p.workers);
    if (why.empty()) return;
    const std::string head = "the session engine refuses the per-worker settings (" + std::to_string(p.workers) +
                             (p.workers == 1 ? " worker" : " workers") + "): ";
    if (const auto app = app_refusal(why)) {
        sink.add(find_field(root, app->first), app->first, head + in_profile_terms(app->second));
        return;
    }
    // The field named first is the one the sentence is about.
    std::size_t best_at = std::string::npos;
    std::string path = "dataplane.lcores";  // "worker count must be at least 1"
    for (const field_mapping& m : mappings) {
        std::string index;
        const std::size_t at = find_field_in(why, m.field, index);
        if (at == std::string_view::npos || (best_at != std::string::npos && at >= best_at)) continue;
        best_at = at;
        path = std::string(m.path);
        if (const std::size_t hash = path.find('#'); hash != std::string::npos) path.replace(hash, 1, index);
    }
    sink.add(find_field(root, path), path, head + in_profile_terms(why));
}

}  // namespace qqgen::control
