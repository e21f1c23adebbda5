#include "dataplane/engine/app_settings.hpp"

#include <cstring>
#include <string>

#include "dataplane/engine/load_settings.hpp"
#include "protocols/dns.hpp"

namespace qqgen::engine {

namespace {

std::string str(std::uint64_t v) { return std::to_string(v); }

std::string_view text_of(const char* data, std::size_t size) noexcept { return {data, strnlen(data, size)}; }

template <std::size_t N>
bool set_text(std::array<char, N>& field, std::string_view text) noexcept {
    if (text.size() >= N) return false;
    field.fill('\0');
    std::memcpy(field.data(), text.data(), text.size());
    return true;
}

bool is_dns_name(std::string_view name) {
    std::array<std::byte, proto::dns_max_name_wire + 1> wire{};
    return !name.empty() && proto::encode_dns_name(wire, name) != 0;
}

// True if `port` is in [base, base + count).
bool in_range(std::uint32_t port, std::uint32_t base, std::uint32_t count) noexcept {
    return port >= base && port < base + count;
}

std::string check_spec(const app_spec& a, app_kind k, const load_settings& s) {
    const std::string at = "apps." + std::string(to_string(k)) + ": ";
    if (a.server.version != (s.ip_version == 6 ? proto::ip_version::v6 : proto::ip_version::v4))
        return at + "server must be an IPv" + str(s.ip_version) + " address like every other address of the run";
    if (a.server == s.dns_server) return at + "server equals dns_server (QQ's resolver); give it its own address";
    for (std::size_t i = 0; i < s.login_server_count; ++i)
        if (a.server == s.login_servers[i]) return at + "server equals login_servers[" + str(i) + "]";
    if (a.server_port == 0) return at + "server_port must not be 0";
    if (a.transactions == 0 || a.transactions > max_app_transactions)
        return at + "transactions must be 1.." + str(max_app_transactions);
    if (a.think_ms > 3'600'000) return at + "think_ms is at most 3600000 (one hour)";
    if (a.variant_count == 0 || a.variant_count > max_app_variants)
        return at + "needs 1.." + str(max_app_variants) + " variants (names, pages, transfer sizes)";
    std::uint32_t weights = 0;
    for (std::size_t i = 0; i < a.variant_count; ++i) {
        const app_variant& v = a.variants[i];
        const std::string vat = at + "variants[" + str(i) + "]: ";
        weights += v.weight;
        if (std::memchr(v.name.data(), '\0', v.name.size()) == nullptr ||
            std::memchr(v.path.data(), '\0', v.path.size()) == nullptr)
            return vat + "name and path must be NUL-terminated (at most 47 characters)";
        if ((k == app_kind::dns || k == app_kind::http || k == app_kind::tls) && !is_dns_name(v.name_view()))
            return vat + "name '" + std::string(v.name_view()) + "' is not a DNS name";
        if (k == app_kind::http) {
            const std::string_view p = v.path_view();
            if (p.empty() || p.front() != '/' || p.find_first_of(" \r\n\t") != std::string_view::npos)
                return vat + "path must start with '/' and hold no white space";
            if (v.charset > 3) return vat + "charset must be a proto::charset (0 gbk, 1 gb18030, 2 big5, 3 utf-8)";
        }
        if ((k == app_kind::http || k == app_kind::tls || k == app_kind::tcp_stream) &&
            (v.response_bytes == 0 || v.response_bytes > max_app_response_bytes))
            return vat + "response_bytes must be 1.." + str(max_app_response_bytes);
    }
    if (weights == 0) return at + "every variant has weight 0; give one a weight";
    if (k == app_kind::tls && (a.request_bytes == 0 || a.request_bytes > 16384))
        return at + "request_bytes must be 1..16384 (one TLS record)";
    if (k == app_kind::udp_stream &&
        (a.request_bytes < 16 || a.request_bytes > (s.ip_version == 6 ? 1432 : 1452) - 4))
        return at + "request_bytes (the datagram payload) must be 16.." + str((s.ip_version == 6 ? 1432 : 1452) - 4) +
               " (one unfragmented datagram with a VLAN tag)";
    if (k == app_kind::tcp_stream && (a.request_bytes == 0 || a.request_bytes > 1024))
        return at + "request_bytes (the request before each transfer) must be 1..1024";
    return {};
}

}  // namespace

std::string_view app_variant::name_view() const noexcept { return text_of(name.data(), name.size()); }
std::string_view app_variant::path_view() const noexcept { return text_of(path.data(), path.size()); }

bool set_app_text(std::array<char, app_name_size>& field, std::string_view text) noexcept {
    return set_text(field, text);
}

app_spec default_app_spec(app_kind k, bool ipv6) {
    app_spec a;
    struct defaults {
        std::uint16_t port;
        std::uint8_t host;  // last address byte
        std::uint16_t transactions;
        std::uint16_t request_bytes;
        std::uint32_t think_ms;
    };
    constexpr std::array<defaults, app_kind_count> d{{
        {53, 53, 3, 0, 200},       // dns: three look-ups, as a page load does
        {80, 80, 3, 0, 500},       // http: a page and two more on the same connection
        {443, 43, 2, 400, 500},    // tls
        {5001, 1, 100, 1200, 10},  // udp_stream: 100 x 1200 bytes every 10 ms (~1 Mbit/s)
        {5002, 2, 1, 64, 0},       // tcp_stream: one 256 KB download
    }};
    const defaults& x = d[static_cast<std::size_t>(k)];
    a.server_port = x.port;
    a.transactions = x.transactions;
    a.request_bytes = x.request_bytes;
    a.think_ms = x.think_ms;
    // IPv6: beside the DNS and login servers in 2001:2:0:2::/64 (RFC 5180), which a
    // routing DUT (tools/netns-dut) reaches on its server side.
    if (ipv6) a.server = *proto::ip_address::parse("2001:2:0:2::2:" + std::to_string(x.host));
    else a.server = proto::ipv4_address::from_u32(0xC6130200u | x.host);  // 198.19.2.x
    a.variant_count = 1;
    app_variant& v = a.variants[0];
    v.weight = 1;
    switch (k) {
    case app_kind::dns: set_text(v.name, "www.sina.com.cn"); break;
    case app_kind::http:
        set_text(v.name, "news.sina.com.cn");
        set_text(v.path, "/china/index.shtml");
        v.response_bytes = 20000;
        v.charset = 3;  // utf-8
        break;
    case app_kind::tls:
        set_text(v.name, "www.baidu.com");
        v.response_bytes = 8000;
        break;
    case app_kind::udp_stream: set_text(v.name, "stream"); break;
    case app_kind::tcp_stream:
        set_text(v.name, "download");
        v.response_bytes = 256u << 10;
        break;
    case app_kind::count_: break;
    }
    return a;
}

// Called by load_settings::validate (load_settings.cpp).
std::string validate_app_mix(const load_settings& s) {
    const app_mix& m = s.apps;
    if (!m.any_enabled()) return {};
    if (m.slots == 0) return "apps.slots must be at least 1 when an application has a rate or a total";
    if (m.slots > (1u << 26)) return "apps.slots is at most 67108864 per worker";
    if (m.client_ports_per_address == 0 || m.client_port_base == 0 ||
        std::uint32_t{m.client_port_base} + m.client_ports_per_address - 1 > 65535)
        return "apps.client_port_base .. + client_ports_per_address - 1 must be a port range within 1..65535";
    const std::uint32_t qq_base = s.client_port_base, qq_count = s.client_ports_per_address;
    const std::uint32_t base = m.client_port_base, count = m.client_ports_per_address;
    if (base < qq_base + qq_count && qq_base < base + count)
        return "apps.client_port_base .. " + str(base + count - 1) + " overlaps QQ's client ports " + str(qq_base) +
               " .. " + str(qq_base + qq_count - 1) + "; the client port tells the applications apart";
    if (m.client_endpoints(s.client_address_count) < m.slots)
        return "apps: client_address_count x apps.client_ports_per_address = " +
               str(m.client_endpoints(s.client_address_count)) + " endpoints, fewer than apps.slots (" +
               str(m.slots) + ")";
    if (m.rto_ms < 10 || m.rto_ms > 60'000) return "apps.rto_ms must be 10..60000";
    if (m.tcp_mss < 536 || m.tcp_mss > 1460) return "apps.tcp_mss must be 536..1460";
    if (m.window_segments == 0 || m.window_segments > 64) return "apps.window_segments must be 1..64";
    if (m.tries == 0 || m.tries > 15) return "apps.tries must be 1..15";
    for (std::size_t i = 0; i < app_kind_count; ++i) {
        const app_spec& a = m.apps[i];
        if (!a.enabled()) continue;
        if (std::string why = check_spec(a, static_cast<app_kind>(i), s); !why.empty()) return why;
        for (std::size_t j = 0; j < i; ++j)
            if (m.apps[j].enabled() && m.apps[j].server == a.server)
                return "apps." + std::string(to_string(static_cast<app_kind>(i))) + ": server repeats apps." +
                       std::string(to_string(static_cast<app_kind>(j))) + "'s address; each application has its own";
        if (in_range(a.server_port, base, count) || in_range(a.server_port, qq_base, qq_count))
            return "apps." + std::string(to_string(static_cast<app_kind>(i))) + ": server_port " + str(a.server_port) +
                   " is inside a client port range";
    }
    return {};
}

// The live part of the mix: the rates and totals (the pacer is retuned) and
// the pauses between transactions (read when next armed). The rest sizes
// the tables or is derived by both halves of a session already running.
bool app_mix_live_equal(const app_mix& running, const app_mix& next) noexcept {
    app_mix a = running, b = next;
    for (app_mix* m : {&a, &b})
        for (app_spec& s : m->apps) {
            s.session_rate = 0;
            s.weight = 0;
            s.total_sessions = 0;
            s.think_ms = 0;
        }
    // The on/off state of an application is not live (its slots are shared).
    for (std::size_t i = 0; i < app_kind_count; ++i)
        if (running.apps[i].enabled() != next.apps[i].enabled()) return false;
    return std::memcmp(&a, &b, sizeof a) == 0;
}

}  // namespace qqgen::engine
