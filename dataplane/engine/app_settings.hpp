// The companion applications blended with QQ (issue 8): what one worker's
// app engine (app_engine.hpp) runs beside the QQ users.
//
// Each application is a small module: a script of transactions between an
// emulated client and an emulated server, both halves in the same worker as
// QQ's are (design.md "Sessions"). A session of an application is one
// client endpoint talking to that application's server address:
//
//   dns         UDP/53: `transactions` A look-ups of names drawn from the variants
//   http        TCP/80: one connection, `transactions` GETs (HTTP/1.1 keep-alive),
//               each page drawn from the variants (Host, path, body size, charset)
//   tls         TCP/443: ClientHello with the variant's SNI, a TLS 1.3 server
//               flight, then `transactions` exchanges of opaque application-data
//               records (request_bytes up, the variant's response_bytes down)
//   udp_stream  UDP: `transactions` datagrams of request_bytes every think_ms
//               (background bandwidth; the server counts and checks them)
//   tcp_stream  TCP: `transactions` bulk transfers of the variant's response_bytes
//
// Plain fixed-width data, no pointers: part of load_settings, hence of the
// shared-memory ABI (docs/shm-abi.md). The control process turns the
// profile's `applications` weights into per-worker rates (control/profile).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "protocols/net_headers.hpp"

namespace qqgen::engine {

enum class app_kind : std::uint8_t { dns, http, tls, udp_stream, tcp_stream, count_ };
inline constexpr std::size_t app_kind_count = static_cast<std::size_t>(app_kind::count_);

constexpr std::string_view to_string(app_kind k) noexcept {
    constexpr std::array<std::string_view, app_kind_count> names{"dns", "http", "tls", "udp_stream", "tcp_stream"};
    return static_cast<std::size_t>(k) < app_kind_count ? names[static_cast<std::size_t>(k)] : "?";
}
constexpr bool is_tcp(app_kind k) noexcept {
    return k == app_kind::http || k == app_kind::tls || k == app_kind::tcp_stream;
}

inline constexpr std::size_t max_app_variants = 4;
inline constexpr std::size_t app_name_size = 48;  // 47 characters and a NUL
inline constexpr std::size_t app_path_size = 48;
// The largest response one transaction may ask for (an HTTP body, a TLS or
// TCP-stream transfer): prepared once per variant at set-up.
inline constexpr std::uint32_t max_app_response_bytes = 4u << 20;
inline constexpr std::uint16_t max_app_transactions = 1000;

// One weighted choice within an application: a name to look up, a page to
// fetch, a server name to connect to, a transfer size.
struct app_variant {
    std::array<char, app_name_size> name{};  // dns: the name; http: Host; tls: SNI (NUL-terminated)
    std::array<char, app_path_size> path{};  // http: the request path ("/..."); unused elsewhere
    std::uint32_t response_bytes = 0;        // http: body bytes; tls, tcp_stream: bytes of each response
    std::uint16_t weight = 0;                // relative, among the application's variants
    std::uint8_t charset = 3;                // http: the page's charset, proto::charset (0 gbk .. 3 utf-8)
    std::uint8_t padding_ = 0;

    [[nodiscard]] std::string_view name_view() const noexcept;
    [[nodiscard]] std::string_view path_view() const noexcept;
};

struct app_spec {
    std::uint32_t session_rate = 0;    // new sessions per second on this worker in the steady phase; 0: off
    std::uint32_t weight = 0;          // the profile's weight, as given (reports)
    std::uint64_t total_sessions = 0;  // sessions of this application before the engine is done; 0: phases only
    std::uint16_t transactions = 1;    // see the table above
    std::uint16_t request_bytes = 0;   // tls: each request record's payload; udp_stream: each datagram's payload
    std::uint32_t think_ms = 0;        // pause between two transactions of a session
    std::uint16_t server_port = 0;
    std::uint8_t variant_count = 0;
    std::uint8_t padding0_ = 0;
    proto::ip_address server;  // the application's server (answered for on the server port)
    std::array<std::uint8_t, 3> padding1_{};
    std::array<app_variant, max_app_variants> variants{};

    [[nodiscard]] constexpr bool enabled() const noexcept { return session_rate != 0 || total_sessions != 0; }
};

struct app_mix {
    std::uint32_t slots = 0;                  // companion sessions at once on this worker; 0: no companions
    // Client ports of the companions, on QQ's client addresses (a host that
    // chats also browses), outside QQ's client port range: the client port
    // tells a frame to the app engine.
    std::uint16_t client_port_base = 60000;
    std::uint16_t client_ports_per_address = 5535;
    std::uint32_t rto_ms = 1000;              // TCP initial retransmission timeout (RFC 6298 2.1), DNS re-query wait
    std::uint16_t tcp_mss = 1460;
    std::uint16_t window_segments = 16;       // a TCP sender's data in flight, in segments
    std::uint8_t tries = 5;                   // transmissions of a segment or query before the session fails
    std::array<std::uint8_t, 7> padding_{};
    std::array<app_spec, app_kind_count> apps{};

    [[nodiscard]] app_spec& operator[](app_kind k) noexcept { return apps[static_cast<std::size_t>(k)]; }
    [[nodiscard]] const app_spec& operator[](app_kind k) const noexcept { return apps[static_cast<std::size_t>(k)]; }
    [[nodiscard]] bool any_enabled() const noexcept {
        for (const app_spec& a : apps)
            if (a.enabled()) return true;
        return false;
    }
    [[nodiscard]] std::uint64_t client_endpoints(std::uint32_t client_address_count) const noexcept {
        return std::uint64_t{client_address_count} * client_ports_per_address;
    }
};

static_assert(sizeof(app_variant) == 104);
static_assert(sizeof(app_spec) == 464);
static_assert(std::is_trivially_copyable_v<app_mix> && std::has_unique_object_representations_v<app_mix>,
              "app_mix is shm ABI: no implicit padding");

// The defaults a profile starts from for application k: its server port and
// address (198.19.2.x, RFC 2544's benchmarking range beside QQ's servers),
// transactions, sizes and one variant (Chinese news and portal names; pages
// in UTF-8 and GBK).
app_spec default_app_spec(app_kind k, bool ipv6);

// Sets a variant's name or path; false if it does not fit.
bool set_app_text(std::array<char, app_name_size>& field, std::string_view text) noexcept;

}  // namespace qqgen::engine
