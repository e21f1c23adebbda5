#include "dataplane/load_options.hpp"

#include <charconv>
#include <cmath>
#include <string_view>
#include <vector>

namespace qqgen::dataplane {

namespace po = boost::program_options;
using engine::load_settings;

void describe_load_options(po::options_description& d, load_options& o) {
    load_settings& s = o.settings;
    d.add_options()
        ("users", po::value(&s.users)->default_value(s.users),
         "session slots per worker: the most users one worker holds at once")
        ("sessions", po::value(&s.total_sessions)->default_value(s.total_sessions),
         "users each worker runs from DNS to logout before the run ends (0: keep going until stopped)")
        ("rate", po::value(&s.new_user_rate)->default_value(s.new_user_rate), "new users per second per worker")
        ("ramp-ms", po::value(&s.ramp_ms)->default_value(s.ramp_ms), "linear ramp from 0 to --rate, in ms")
        ("seed", po::value(&s.seed)->default_value(s.seed), "seed of every key, address choice and text")
        ("qq-base", po::value(&s.qq_number_base)->default_value(s.qq_number_base), "first QQ number")
        ("ipv6", po::bool_switch(&o.ipv6), "users and servers over IPv6 (default addresses from 2001:2::/48)")
        ("client-net", po::value(&o.client_net), "first client address (default 198.18.0.1 or 2001:2::1:0:0:1)")
        ("client-addresses", po::value(&s.client_address_count)->default_value(s.client_address_count),
         "client addresses in use, consecutive from --client-net")
        ("client-port-base", po::value(&s.client_port_base)->default_value(s.client_port_base),
         "first client UDP port (keep it above 8000: tshark tries the lower port first)")
        ("client-ports", po::value(&s.client_ports_per_address)->default_value(s.client_ports_per_address),
         "client ports per address")
        ("dns-server", po::value(&o.dns_server), "address of the emulated DNS server (default 198.19.0.53)")
        ("login-servers", po::value(&o.login_servers),
         "comma-separated addresses of the emulated login servers sz.tencent.com, sz2... (default 198.19.1.1,198.19.1.2)")
        ("vlan-client", po::value(&s.vlan_id[0])->default_value(0), "802.1Q VLAN id on the client port (0: untagged)")
        ("vlan-server", po::value(&s.vlan_id[1])->default_value(0), "802.1Q VLAN id on the server port (0: untagged)")
        ("client-mac", po::value(&o.client_mac), "MAC of the client port (default: the port's own)")
        ("server-mac", po::value(&o.server_mac), "MAC of the server port (default: the port's own)")
        ("client-next-hop", po::value(&o.client_next_hop),
         "MAC the client port sends to (default: the server port's MAC, as on a wire or a bridge)")
        ("server-next-hop", po::value(&o.server_next_hop),
         "MAC the server port sends to (default: the client port's MAC)")
        ("client-gateway", po::value(&o.client_gateway),
         "router on the client side: its MAC is resolved with ARP/ND unless --client-next-hop gives it")
        ("server-gateway", po::value(&o.server_gateway),
         "router on the server side: its MAC is resolved with ARP/ND unless --server-next-hop gives it")
        ("client-interface", po::value(&o.client_interface),
         "our own address on the client-side router's subnet (source of ARP/ND requests; optional)")
        ("server-interface", po::value(&o.server_interface),
         "our own address on the server-side router's subnet (optional)")
        ("redirect-percent", po::value(&o.redirect_percent)->default_value(o.redirect_percent),
         "share of first logins the server redirects to another server (the deferred login)")
        ("buddies", po::value(&s.buddies_per_user)->default_value(s.buddies_per_user), "buddies per user")
        ("friend-page", po::value(&s.friend_page_size)->default_value(s.friend_page_size),
         "friend-list entries per reply page")
        ("chats", po::value(&s.chats_per_user)->default_value(s.chats_per_user), "chats per user")
        ("messages", po::value(&s.messages_per_chat)->default_value(s.messages_per_chat), "messages per chat")
        ("message-delay", po::value(&o.message_delay)->default_value("500-2000"),
         "delay between two messages of a user, MIN-MAX in ms")
        ("charset-weights", po::value(&o.charset_weights)->default_value("70,10,15,5"),
         "relative weights of gbk,gb18030,big5,utf-8 among users")
        ("font-weights", po::value(&o.font_weights)->default_value("50,20,10,5,10,5"),
         "relative weights of 宋体,微软雅黑,黑体,楷体,新細明體,Tahoma")
        ("keepalive-interval", po::value(&s.keepalive_interval_ms)->default_value(s.keepalive_interval_ms),
         "ms between keep-alives of a logged-in user")
        ("keepalives", po::value(&s.keepalive_count)->default_value(s.keepalive_count),
         "keep-alives a user sends before logging out (how long it stays online)")
        ("resend-timeout", po::value(&s.resend_timeout_ms)->default_value(s.resend_timeout_ms),
         "ms before a request without answer is sent again")
        ("resend-tries", po::value(&o.resend_tries)->default_value(o.resend_tries),
         "transmissions of a request before the user gives up")
        ("dialect", po::value(&o.dialect)->default_value(o.dialect),
         "classic (pidgin 2.4 byte for byte) or modern (adds the signature DPI engines key on)")
        ("keylog", po::value(&o.keylog_path),
         "write every user's keys (QQ-NUMBER KIND KEY-HEX) to this file, to decrypt a capture")
        ("tcp-percent", po::value(&o.tcp_percent)->default_value(o.tcp_percent),
         "share of users that reach the login servers over TCP (the DNS look-up stays UDP)")
        ("tcp-port", po::value(&s.tcp_server_port)->default_value(s.tcp_server_port),
         "TCP port of the login servers (QQ used 8000, 80 and 443)")
        ("tcp-mss", po::value(&s.tcp_mss)->default_value(s.tcp_mss), "MSS option the TCP users and servers send")
        ("tcp-closer", po::value(&o.tcp_closer)->default_value(o.tcp_closer),
         "who sends the first FIN at the end of a TCP session: client or server")
        ("apps", po::value(&o.apps),
         "companion applications blended with QQ, each with its defaults (configs/README.md "
         "'applications'): KIND=RATE[/TOTAL],... with KIND dns, http, tls, udp_stream or tcp_stream, RATE new "
         "sessions per second per worker and TOTAL sessions per worker (0 or absent: until the phases end)")
        ("app-slots", po::value(&s.apps.slots)->default_value(256),
         "companion sessions at once per worker (with --apps)");
}

namespace {

template <std::size_t N>
std::string parse_weights(const std::string& text, std::array<std::uint16_t, N>& out, std::string_view option) {
    std::array<std::uint16_t, N> w{};
    std::size_t i = 0, pos = 0;
    while (pos <= text.size()) {
        std::size_t comma = text.find(',', pos);
        if (comma == std::string::npos) comma = text.size();
        if (i == N) break;
        auto part = std::string_view(text).substr(pos, comma - pos);
        auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), w[i]);
        if (ec != std::errc{} || end != part.data() + part.size())
            return "--" + std::string(option) + ": '" + std::string(part) + "' is not a weight 0..65535";
        ++i;
        pos = comma + 1;
    }
    if (i != N || pos <= text.size())
        return "--" + std::string(option) + ": expected " + std::to_string(N) + " comma-separated weights, found '" +
               text + "'";
    out = w;
    return {};
}

std::string parse_address(const std::string& text, bool v6, proto::ip_address& out, std::string_view option) {
    auto a = proto::ip_address::parse(text);
    if (!a) return "--" + std::string(option) + ": '" + text + "' is not an IP address";
    if ((a->version == proto::ip_version::v6) != v6)
        return "--" + std::string(option) + ": '" + text + "' is not an IPv" + (v6 ? "6" : "4") +
               " address (" + (v6 ? "--ipv6 is on" : "add --ipv6 for IPv6") + ")";
    out = *a;
    return {};
}

std::string parse_mac(const std::string& text, proto::mac_address& out, std::string_view option) {
    auto m = proto::mac_address::parse(text);
    if (!m) return "--" + std::string(option) + ": '" + text + "' is not a MAC address (aa:bb:cc:dd:ee:ff)";
    out = *m;
    return {};
}

// --apps "dns=50/200,http=20": each named application on with its defaults.
std::string parse_apps(const std::string& text, load_settings& s) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t comma = text.find(',', pos);
        if (comma == std::string::npos) comma = text.size();
        const std::string_view item = std::string_view(text).substr(pos, comma - pos);
        pos = comma + 1;
        const std::size_t eq = item.find('=');
        const std::string_view name = item.substr(0, eq);
        std::size_t k = 0;
        while (k < engine::app_kind_count && engine::to_string(static_cast<engine::app_kind>(k)) != name) ++k;
        if (k == engine::app_kind_count)
            return "--apps: '" + std::string(name) + "' is not an application (dns, http, tls, udp_stream, tcp_stream)";
        if (eq == std::string_view::npos) return "--apps: '" + std::string(item) + "' needs =RATE";
        const std::string_view value = item.substr(eq + 1);
        const std::size_t slash = value.find('/');
        const std::string_view rate = value.substr(0, slash);
        const std::string_view total = slash == std::string_view::npos ? std::string_view{} : value.substr(slash + 1);
        engine::app_spec a = engine::default_app_spec(static_cast<engine::app_kind>(k), s.ip_version == 6);
        const auto r = std::from_chars(rate.data(), rate.data() + rate.size(), a.session_rate);
        const auto t = std::from_chars(total.data(), total.data() + total.size(), a.total_sessions);
        if (r.ec != std::errc{} || r.ptr != rate.data() + rate.size() || a.session_rate == 0 ||
            (!total.empty() && (t.ec != std::errc{} || t.ptr != total.data() + total.size())))
            return "--apps: '" + std::string(item) + "': expected " + std::string(name) +
                   "=RATE[/TOTAL] with RATE >= 1 sessions per second";
        a.weight = a.session_rate;
        s.apps.apps[k] = a;
    }
    return {};
}

}  // namespace

std::string finish_load_options(load_options& o) {
    load_settings& s = o.settings;
    std::string e;
    s.ip_version = o.ipv6 ? 6 : 4;
    if (o.resend_tries < 1 || o.resend_tries > 255)
        return "--resend-tries: expected 1..255, found " + std::to_string(o.resend_tries);
    s.resend_tries = static_cast<std::uint8_t>(o.resend_tries);
    if (o.ipv6) {
        // RFC 5180's benchmarking range 2001:2::/48: clients, DNS, login servers.
        s.client_address_base = *proto::ip_address::parse("2001:2:0:1::1");
        s.dns_server = *proto::ip_address::parse("2001:2:0:2::53");
        for (std::size_t i = 0; i < s.login_servers.size(); ++i)
            s.login_servers[i] = *proto::ip_address::parse("2001:2:0:2::1:" + std::to_string(i + 1));
    }
    if (!o.client_net.empty() && !(e = parse_address(o.client_net, o.ipv6, s.client_address_base, "client-net")).empty())
        return e;
    if (!o.dns_server.empty() && !(e = parse_address(o.dns_server, o.ipv6, s.dns_server, "dns-server")).empty())
        return e;
    if (!o.login_servers.empty()) {
        std::size_t n = 0, pos = 0;
        while (pos <= o.login_servers.size()) {
            std::size_t comma = o.login_servers.find(',', pos);
            if (comma == std::string::npos) comma = o.login_servers.size();
            if (n == s.login_servers.size())
                return "--login-servers: at most " + std::to_string(s.login_servers.size()) + " servers";
            if (!(e = parse_address(o.login_servers.substr(pos, comma - pos), o.ipv6, s.login_servers[n],
                                    "login-servers"))
                     .empty())
                return e;
            ++n;
            pos = comma + 1;
        }
        s.login_server_count = static_cast<std::uint8_t>(n);
    }
    if (!o.client_mac.empty() && !(e = parse_mac(o.client_mac, s.local_mac[0], "client-mac")).empty()) return e;
    if (!o.server_mac.empty() && !(e = parse_mac(o.server_mac, s.local_mac[1], "server-mac")).empty()) return e;
    if (!o.client_next_hop.empty() && !(e = parse_mac(o.client_next_hop, s.next_hop_mac[0], "client-next-hop")).empty())
        return e;
    if (!o.server_next_hop.empty() && !(e = parse_mac(o.server_next_hop, s.next_hop_mac[1], "server-next-hop")).empty())
        return e;
    // A gateway without a configured next-hop MAC: resolve it (a zero MAC).
    const std::string* gateways[2] = {&o.client_gateway, &o.server_gateway};
    const std::string* interfaces[2] = {&o.client_interface, &o.server_interface};
    const std::string* next_hops[2] = {&o.client_next_hop, &o.server_next_hop};
    for (std::size_t p = 0; p < 2; ++p) {
        const char* side = p == 0 ? "client" : "server";
        if (!gateways[p]->empty()) {
            if (!(e = parse_address(*gateways[p], o.ipv6, s.gateway_ip[p], std::string(side) + "-gateway")).empty())
                return e;
            if (next_hops[p]->empty()) s.next_hop_mac[p] = proto::mac_address{};
        }
        if (!interfaces[p]->empty() &&
            !(e = parse_address(*interfaces[p], o.ipv6, s.interface_ip[p], std::string(side) + "-interface")).empty())
            return e;
    }
    if (!(o.redirect_percent >= 0.0 && o.redirect_percent <= 100.0))
        return "--redirect-percent: expected 0..100, found " + std::to_string(o.redirect_percent);
    s.redirect_ppm = static_cast<std::uint32_t>(std::lround(o.redirect_percent * 10000.0));
    {
        auto dash = o.message_delay.find('-');
        std::uint32_t lo = 0, hi = 0;
        bool ok = dash != std::string::npos;
        if (ok) {
            auto a = std::from_chars(o.message_delay.data(), o.message_delay.data() + dash, lo);
            auto b = std::from_chars(o.message_delay.data() + dash + 1, o.message_delay.data() + o.message_delay.size(), hi);
            ok = a.ec == std::errc{} && a.ptr == o.message_delay.data() + dash && b.ec == std::errc{} &&
                 b.ptr == o.message_delay.data() + o.message_delay.size() && lo <= hi;
        }
        if (!ok) return "--message-delay: expected MIN-MAX in ms with MIN <= MAX, found '" + o.message_delay + "'";
        s.message_delay_min_ms = lo;
        s.message_delay_max_ms = hi;
    }
    if (!(e = parse_weights(o.charset_weights, s.charset_weights, "charset-weights")).empty()) return e;
    if (!(e = parse_weights(o.font_weights, s.font_weights, "font-weights")).empty()) return e;
    if (o.dialect == "classic") s.dialect = proto::dialect::classic;
    else if (o.dialect == "modern") s.dialect = proto::dialect::modern;
    else return "--dialect: expected classic or modern, found '" + o.dialect + "'";
    s.keylog = o.keylog_path.empty() ? 0 : 1;
    if (!(o.tcp_percent >= 0.0 && o.tcp_percent <= 100.0))
        return "--tcp-percent: expected 0..100, found " + std::to_string(o.tcp_percent);
    s.tcp_share_ppm = static_cast<std::uint32_t>(std::lround(o.tcp_percent * 10000.0));
    if (o.tcp_closer == "client") s.tcp_closer = engine::tcp_closer_client;
    else if (o.tcp_closer == "server") s.tcp_closer = engine::tcp_closer_server;
    else return "--tcp-closer: expected client or server, found '" + o.tcp_closer + "'";
    if (!(e = parse_apps(o.apps, s)).empty()) return e;
    if (!s.apps.any_enabled()) s.apps.slots = 0;
    return s.validate();
}

}  // namespace qqgen::dataplane
