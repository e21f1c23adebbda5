#include "dataplane/engine/load_settings.hpp"

#include <array>
#include <cstring>

#include "dataplane/engine/endpoint_space.hpp"
#include "protocols/dns.hpp"

namespace qqgen::engine {

namespace {

std::string str(std::uint64_t v) { return std::to_string(v); }

bool zero_mac(const proto::mac_address& m) noexcept { return m == proto::mac_address{}; }

proto::ip_version want_version(const load_settings& s) noexcept {
    return s.ip_version == 6 ? proto::ip_version::v6 : proto::ip_version::v4;
}

}  // namespace

std::string_view load_settings::login_server_name(std::size_t i) const noexcept {
    if (i >= max_login_servers) return {};
    const auto& n = login_server_names[i];
    return {n.data(), strnlen(n.data(), n.size())};
}

bool set_login_server_name(load_settings& s, std::size_t i, std::string_view name) noexcept {
    if (i >= max_login_servers || name.size() >= login_server_name_size) return false;
    s.login_server_names[i].fill('\0');
    std::memcpy(s.login_server_names[i].data(), name.data(), name.size());
    return true;
}

std::string load_settings::validate() const {
    if (users == 0) return "users must be at least 1 (the slots, and the concurrency cap, of this worker)";
    if (users > (1u << 30))
        return "users is " + str(users) + "; one worker holds at most 1073741824 (split the load over more workers)";
    if (std::uint64_t{qq_number_base} + users > 0xFFFFFFFFull)
        return "qq_number_base + users passes 2^32 - 1; lower qq_number_base";
    if (qq_number_base == 0) return "qq_number_base must not be 0 (QQ number 0 is invalid)";
    if (ip_version != 4 && ip_version != 6) return "ip_version must be 4 or 6, not " + str(ip_version);
    for (std::size_t p = 0; p < vlan_id.size(); ++p)
        if (vlan_id[p] > 4094)
            return "vlan_id[" + str(p) + "] is " + str(vlan_id[p]) + "; VLAN ids are 1..4094 (0 = untagged)";
    const proto::ip_version v = want_version(*this);
    const char* vname = ip_version == 6 ? "IPv6" : "IPv4";
    if (client_address_base.version != v)
        return std::string("client_address_base must be an ") + vname + " address (ip_version is " +
               str(ip_version) + ")";
    if (client_address_count == 0) return "client_address_count must be at least 1";
    if (v == proto::ip_version::v4 &&
        std::uint64_t{client_address_base.v4().to_u32()} + client_address_count - 1 > 0xFFFFFFFFull)
        return "client_address_base + client_address_count runs past 255.255.255.255";
    if (v == proto::ip_version::v6) {
        const auto& b = client_address_base.bytes;
        const std::uint64_t low = (std::to_integer<std::uint64_t>(b[12]) << 24) |
                                  (std::to_integer<std::uint64_t>(b[13]) << 16) |
                                  (std::to_integer<std::uint64_t>(b[14]) << 8) | std::to_integer<std::uint64_t>(b[15]);
        if (low + client_address_count - 1 > 0xFFFFFFFFull)
            return "client_address_base + client_address_count must stay within the base's last 32 bits (IPv6)";
    }
    if (client_ports_per_address == 0) return "client_ports_per_address must be at least 1";
    if (std::uint32_t{client_port_base} + client_ports_per_address - 1 > 65535)
        return "client_port_base + client_ports_per_address - 1 passes 65535";
    if (client_port_base == 0) return "client_port_base must not be 0";
    const auto in_client_ports = [&](std::uint32_t port) {
        return port >= client_port_base && port < std::uint32_t{client_port_base} + client_ports_per_address;
    };
    if (in_client_ports(53) || in_client_ports(login_server_port))
        return "the client port range " + str(client_port_base) + ".." +
               str(std::uint32_t{client_port_base} + client_ports_per_address - 1) +
               " holds port 53 or login_server_port; start client_port_base above both";
    if (client_endpoints() < users)
        return "client_address_count x client_ports_per_address = " + str(client_endpoints()) +
               " client endpoints, fewer than users (" + str(users) + ")";
    if (dns_server.version != v) return std::string("dns_server must be an ") + vname + " address";
    if (login_server_count == 0 || login_server_count > max_login_servers)
        return "login_server_count must be 1.." + str(max_login_servers);
    if (login_server_port == 0) return "login_server_port must not be 0";
    for (std::size_t i = 0; i < login_server_count; ++i) {
        const std::string idx = "[" + str(i) + "]";
        if (login_servers[i].version != v)
            return "login_servers" + idx + " must be an " + vname + " address";
        if (login_servers[i] == dns_server) return "login_servers" + idx + " equals dns_server; give it its own address";
        const auto& raw = login_server_names[i];
        if (std::memchr(raw.data(), '\0', raw.size()) == nullptr)
            return "login_server_names" + idx + " is not NUL-terminated (at most 63 characters)";
        const std::string_view name = login_server_name(i);
        std::array<std::byte, proto::dns_max_name_wire + 1> wire{};
        if (name.empty() || proto::encode_dns_name(wire, name) == 0)
            return "login_server_names" + idx + " '" + std::string(name) +
                   "' is not a DNS name (labels of 1..63 characters separated by dots)";
        for (std::size_t j = 0; j < i; ++j) {
            if (login_server_name(j) == name) return "login_server_names" + idx + " repeats an earlier name";
            if (login_servers[j] == login_servers[i]) return "login_servers" + idx + " repeats an earlier address";
        }
    }
    if (redirect_ppm > 1'000'000) return "redirect_ppm is parts per million: 0..1000000";
    for (std::size_t p = 0; p < 2; ++p) {
        if (zero_mac(local_mac[p]) || local_mac[p].is_multicast())
            return "local_mac[" + str(p) + "] must be a unicast, non-zero MAC address";
        if (next_hop_mac[p].is_multicast())
            return "next_hop_mac[" + str(p) + "] must be a unicast MAC address (or zero: resolve it with ARP/ND)";
    }
    if (new_user_rate == 0) return "new_user_rate must be at least 1 user per second";
    if (new_user_burst == 0) return "new_user_burst must be at least 1";
    if (concurrent_target > users)
        return "concurrent_target (" + str(concurrent_target) + ") exceeds users (" + str(users) +
               ", the slots of this worker); raise users or lower the target";
    if (ramp_down_ms != 0 && steady_ms == 0)
        return "ramp_down_ms needs a steady phase that ends (steady_ms > 0)";
    if (buddies_per_user > 254) return "buddies_per_user is at most 254 (0x0027 positions are one byte, 0xFF = done)";
    if (friend_page_size == 0 || friend_page_size > 30)
        return "friend_page_size must be 1..30 (a page must fit one UDP datagram)";
    if (messages_per_user() > 0 && buddies_per_user == 0)
        return "chats_per_user x messages_per_chat > 0 needs buddies_per_user >= 1 (chats are with buddies)";
    if (messages_per_user() > 65535) return "chats_per_user x messages_per_chat is at most 65535";
    if (message_delay_min_ms > message_delay_max_ms)
        return "message_delay_min_ms (" + str(message_delay_min_ms) + ") exceeds message_delay_max_ms (" +
               str(message_delay_max_ms) + ")";
    if (message_delay_max_ms > 3'600'000) return "message_delay_max_ms is at most 3600000 (one hour)";
    std::uint64_t size_weights = 0;
    for (std::size_t i = 0; i < message_sizes.size(); ++i) {
        const message_size_class& m = message_sizes[i];
        size_weights += m.weight;
        if (m.weight == 0) continue;
        if (m.min_bytes == 0 || m.min_bytes > m.max_bytes || m.max_bytes > max_message_text_size)
            return "message_sizes[" + str(i) + "] must have 1 <= min_bytes <= max_bytes <= " +
                   str(max_message_text_size) + " (found " + str(m.min_bytes) + ".." + str(m.max_bytes) + ")";
    }
    if (size_weights > 0xFFFFFFFFu) return "message_sizes weights add up to more than 4294967295";
    std::uint32_t sum = 0;
    for (auto w : charset_weights) sum += w;
    if (sum == 0) return "charset_weights are all 0; give at least one charset a weight";
    if (keepalive_interval_ms == 0 || keepalive_interval_ms > 3'600'000)
        return "keepalive_interval_ms must be 1..3600000";
    if (resend_timeout_ms == 0 || resend_timeout_ms > 600'000) return "resend_timeout_ms must be 1..600000";
    if (resend_jitter_ms > 600'000) return "resend_jitter_ms must be 0..600000";
    if (resend_tries == 0 || resend_tries > 15) return "resend_tries must be 1..15";
    if (dialect != proto::dialect::classic && dialect != proto::dialect::modern)
        return "dialect must be classic or modern";
    if (requests_per_session() > max_requests_per_session)
        return "a session would send " + str(requests_per_session()) + " requests (messages + keep-alives + pages), "
               "more than " + str(max_requests_per_session) + "; lower keepalive_count or the chat counts";
    if (keylog > 1) return "keylog must be 0 or 1";
    if (tcp_share_ppm > 1'000'000) return "tcp_share_ppm is parts per million: 0..1000000";
    if (tcp_server_port == 0) return "tcp_server_port must not be 0";
    if (tcp_share_ppm != 0 && in_client_ports(tcp_server_port))
        return "tcp_server_port " + str(tcp_server_port) + " is inside the client port range; start client_port_base above it";
    // 536: RFC 9293 3.7.1's default; the top: 1500-byte IPv4 packets (IPv6
    // users send at most 1440, tcp_transport.hpp).
    if (tcp_mss < 536 || tcp_mss > 1460)
        return "tcp_mss must be 536..1460 (QQ frames up to 536 bytes are never split; 1500-byte IP packets)";
    if (tcp_closer > tcp_closer_server) return "tcp_closer must be 0 (client closes) or 1 (server closes)";
    return validate_app_mix(*this);
}

std::string load_settings::validate_for_workers(std::uint32_t worker_count, const queue_steering& steering) const {
    if (std::string why = validate(); !why.empty()) return why;
    if (worker_count == 0) return "worker count must be at least 1";
    if (std::uint64_t{qq_number_base} + std::uint64_t{users} * worker_count > 0xFFFFFFFFull)
        return "qq_number_base + users x workers passes 2^32 - 1; lower qq_number_base or users";
    // Each worker's endpoints: a block of the range, or with RSS steering
    // every address's ports split by correction bits (endpoint_space.hpp).
    const std::string how = steering.steered() ? " with RSS steering over " : " split over ";
    const std::string workers = str(worker_count) + (worker_count == 1 ? " worker" : " workers");
    std::string error;
    const endpoint_range qq{client_address_base, client_address_count, client_port_base, client_ports_per_address};
    const std::uint64_t qq_endpoints = endpoint_space::endpoints_per_worker(qq, worker_count, steering, error);
    if (!error.empty()) return "client ports (client_port_base, client_ports_per_address): " + error;
    if (qq_endpoints < users)
        return std::string("client_address_count x client_ports_per_address") + how + workers + " gives " + str(qq_endpoints) +
               " client endpoints per worker, fewer than users (" + str(users) + "); add addresses or ports";
    if (!apps.any_enabled()) return {};
    const endpoint_range companions{client_address_base, client_address_count, apps.client_port_base,
                                    apps.client_ports_per_address};
    const std::uint64_t app_endpoints = endpoint_space::endpoints_per_worker(companions, worker_count, steering, error);
    if (!error.empty()) return "companion ports (apps.client_port_base, apps.client_ports_per_address): " + error;
    if (app_endpoints < apps.slots)
        return std::string("client_address_count x apps.client_ports_per_address") + how + workers + " gives " +
               str(app_endpoints) + " companion endpoints per worker, fewer than apps.slots (" + str(apps.slots) + ")";
    return {};
}

}  // namespace qqgen::engine
