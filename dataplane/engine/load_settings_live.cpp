// Which settings a running engine can take from a new profile, and which
// need a restart.
//
// Live: the pacing phases (rates, lengths, burst, concurrency target, total
// users), the delays between messages, the keep-alive interval and the
// resend timing. Each is read when it is next used (the pacer is retuned;
// timers armed after the change use the new values), so a change never
// breaks a session in flight.
// Not live: everything that sizes the tables (users), that a session's
// identity is derived from (seed, addresses, QQ numbers, ports, buddies,
// request counts: the sequence windows of session_identity.hpp), or that
// the two halves must agree on for a session already running (redirect
// share, dialect, versions, charsets, fonts and message sizes: the server
// half re-derives each message's text when it checks it; the transport of
// each user, TCP port, MSS and who closes: both halves derive them).
#include <string>

#include "dataplane/engine/load_settings.hpp"

namespace qqgen::engine {

namespace {

struct differ {
    std::string field;
    template <class T>
    void check(const char* name, const T& running, const T& next) {
        if (field.empty() && !(running == next)) field = name;
    }
};

}  // namespace

// A new field must be placed on one side of this list on purpose (and the
// shared-memory ABI version bumped): this assertion makes sure it is seen.
static_assert(sizeof(load_settings) == 960 + sizeof(app_mix), "load_settings changed: list the new field above if it cannot change live");

std::string load_settings::live_change_refusal(const load_settings& next) const {
    differ d;
    d.check("seed", seed, next.seed);
    d.check("users", users, next.users);
    d.check("qq_number_base", qq_number_base, next.qq_number_base);
    d.check("ip_version", ip_version, next.ip_version);
    d.check("vlan_id", vlan_id, next.vlan_id);
    d.check("client_address_base", client_address_base, next.client_address_base);
    d.check("client_address_count", client_address_count, next.client_address_count);
    d.check("client_port_base", client_port_base, next.client_port_base);
    d.check("client_ports_per_address", client_ports_per_address, next.client_ports_per_address);
    d.check("dns_server", dns_server, next.dns_server);
    d.check("login_server_count", login_server_count, next.login_server_count);
    d.check("login_server_port", login_server_port, next.login_server_port);
    d.check("login_servers", login_servers, next.login_servers);
    for (std::size_t i = 0; i < max_login_servers; ++i)
        d.check("login_server_names", login_server_name(i), next.login_server_name(i));
    d.check("local_mac", local_mac, next.local_mac);
    d.check("gateway_ip", gateway_ip, next.gateway_ip);
    d.check("interface_ip", interface_ip, next.interface_ip);
    d.check("next_hop_mac", next_hop_mac, next.next_hop_mac);
    d.check("redirect_ppm", redirect_ppm, next.redirect_ppm);
    d.check("buddies_per_user", buddies_per_user, next.buddies_per_user);
    d.check("friend_page_size", friend_page_size, next.friend_page_size);
    d.check("chats_per_user", chats_per_user, next.chats_per_user);
    d.check("messages_per_chat", messages_per_chat, next.messages_per_chat);
    d.check("message_sizes", message_sizes, next.message_sizes);
    d.check("charset_weights", charset_weights, next.charset_weights);
    d.check("font_weights", font_weights, next.font_weights);
    d.check("keepalive_count", keepalive_count, next.keepalive_count);
    d.check("resend_tries", resend_tries, next.resend_tries);
    d.check("dialect", dialect, next.dialect);
    d.check("client_version", client_version, next.client_version);
    d.check("unix_time_base", unix_time_base, next.unix_time_base);
    d.check("keylog", keylog, next.keylog);
    d.check("tcp_share_ppm", tcp_share_ppm, next.tcp_share_ppm);
    d.check("tcp_server_port", tcp_server_port, next.tcp_server_port);
    d.check("tcp_mss", tcp_mss, next.tcp_mss);
    d.check("tcp_closer", tcp_closer, next.tcp_closer);
    if (d.field.empty() && !app_mix_live_equal(apps, next.apps)) d.field = "apps (other than rates, totals and think_ms)";
    if (d.field.empty()) return {};
    return d.field + " cannot change in a running dataplane (it sizes the tables or is part of every "
                     "session's identity); start a new run to change it";
}

}  // namespace qqgen::engine
