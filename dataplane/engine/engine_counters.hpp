// What one worker's session engine did: per-stage progress, users,
// messages, what the server half found wrong in what it received, refused
// frames by reason, and latency histograms.
//
// One plain struct per worker, written only by that worker. The control
// process sums workers with +=; print_summary() renders one.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "dataplane/engine/app_counters.hpp"
#include "dataplane/engine/latency_histogram.hpp"

namespace qqgen::engine {

// The steps of a session, in the order a user goes through them.
enum class stage : std::uint8_t {
    dns,        // A look-up of the login server's name
    token,      // 0x0062 login token
    login,      // 0x0022 login
    redirect,   // started: a redirect reply received; completed: the login after it succeeded
    status,     // 0x000D set status
    friends,    // 0x0026 friend list, all pages
    online,     // 0x0027 online friends, all pages
    chat,       // one chat: messages_per_chat 0x0016 sent and acknowledged
    keepalive,  // one 0x0002 keep-alive
    logout,     // 0x0001 x 4 (no reply)
    count_
};
inline constexpr std::size_t stage_count = static_cast<std::size_t>(stage::count_);

// Why a user gave up.
enum class give_up_reason : std::uint8_t {
    timeout,      // every try of a request went unanswered
    refused,      // the server said no (DNS error, login refused, bad result code)
    bad_reply,    // the reply contradicts what the server half must have sent
    stopped,      // the worker stopped before the user had logged in
    count_
};
inline constexpr std::size_t give_up_reason_count = static_cast<std::size_t>(give_up_reason::count_);

// Why a received frame was not used. Per port.
enum class refuse_reason : std::uint8_t {
    wrong_mac,          // unicast to a MAC that is not this port's
    malformed,          // parse_frame refused it (truncated, bad lengths, fragments)
    bad_checksum,       // IPv4 header, UDP or TCP checksum wrong
    not_udp,            // IP but not UDP, or not IP and the neighbour hook did not take it
    wrong_vlan,         // tagged differently from the port's VLAN setting
    not_for_us,         // address or port this half does not serve
    unknown_session,    // QQ number or client endpoint outside this worker's users
    stale_incarnation,  // for a previous user of the slot
    undecodable,        // the QQ or DNS message does not decode
    unexpected,         // decodes, but no request or state it could answer
    count_
};
inline constexpr std::size_t refuse_reason_count = static_cast<std::size_t>(refuse_reason::count_);

constexpr std::string_view to_string(stage s) noexcept {
    constexpr std::array<std::string_view, stage_count> names{
        "dns", "token", "login", "redirect", "status", "friends", "online", "chat", "keepalive", "logout"};
    return static_cast<std::size_t>(s) < stage_count ? names[static_cast<std::size_t>(s)] : "?";
}
constexpr std::string_view to_string(give_up_reason r) noexcept {
    constexpr std::array<std::string_view, give_up_reason_count> names{"timeout", "refused", "bad_reply",
                                                                        "stopped"};
    return static_cast<std::size_t>(r) < give_up_reason_count ? names[static_cast<std::size_t>(r)] : "?";
}
constexpr std::string_view to_string(refuse_reason r) noexcept {
    constexpr std::array<std::string_view, refuse_reason_count> names{
        "wrong_mac",       "malformed",         "bad_checksum", "not_udp",   "wrong_vlan",
        "not_for_us",      "unknown_session",   "stale_incarnation", "undecodable", "unexpected"};
    return static_cast<std::size_t>(r) < refuse_reason_count ? names[static_cast<std::size_t>(r)] : "?";
}

struct stage_counters {
    std::uint64_t started = 0;
    std::uint64_t completed = 0;
    std::uint64_t resends = 0;
    std::array<std::uint64_t, give_up_reason_count> gave_up{};

    [[nodiscard]] std::uint64_t gave_up_total() const noexcept {
        std::uint64_t n = 0;
        for (auto v : gave_up) n += v;
        return n;
    }
    stage_counters& operator+=(const stage_counters& o) noexcept {
        started += o.started;
        completed += o.completed;
        resends += o.resends;
        for (std::size_t i = 0; i < gave_up.size(); ++i) gave_up[i] += o.gave_up[i];
        return *this;
    }
};

struct user_counters {
    std::uint64_t started = 0;
    std::uint64_t completed = 0;     // logged out at the end of their script
    std::uint64_t failed = 0;        // gave up (see the stages' gave_up)
    std::uint64_t stopped = 0;       // logged out early because the worker stopped
    std::uint64_t logged_in = 0;     // login OK received (some later fail or stop)
    std::uint64_t redirected = 0;    // their first login was redirected ("deferred")
};

// Messages are also counted by the sender's charset (proto::all_charsets
// order) and font (proto::qq_fonts() order); chat_content.hpp checks these
// equal load_settings' weight counts.
inline constexpr std::size_t message_charset_count = 4;
inline constexpr std::size_t message_font_count = 6;

// Chat messages, from first send to the buddy's client.
struct message_counters {
    std::uint64_t sent = 0;        // 0x0016 first transmissions
    std::uint64_t acked = 0;       // server's 0x0016 reply received
    std::uint64_t relayed = 0;     // server's 0x0017 first transmissions to the buddy
    std::uint64_t relay_resends = 0;
    std::uint64_t delivered = 0;   // buddy's client received it (first time)
    std::uint64_t acknowledged = 0;  // buddy's 0x0017 ack reached the server
    std::uint64_t duplicate = 0;   // buddy's client received it again
    std::uint64_t corrupt = 0;     // buddy's client: did not decrypt or differs from what was sent
    std::uint64_t lost = 0;        // server gave up relaying after every try
    std::uint64_t offline = 0;     // buddy was not logged in: not relayed (a real server stores it)
    std::uint64_t superseded = 0;  // relay dropped because the sender's next message arrived first
    std::uint64_t text_bytes = 0;  // text bytes of the messages sent (first transmissions): sizes' mean
    // The messages sent and their text bytes by the sender's charset, and by font (issue 8).
    std::array<std::uint64_t, message_charset_count> sent_by_charset{};
    std::array<std::uint64_t, message_charset_count> text_bytes_by_charset{};
    std::array<std::uint64_t, message_font_count> sent_by_font{};
};

// What the server half found in the requests it received (each request is
// re-derived from the session's identity and checked field by field).
struct server_check_counters {
    std::uint64_t requests = 0;      // decoded requests of current users
    std::uint64_t corrupt = 0;       // did not decrypt/decode, or differs from what the client must send
    std::uint64_t duplicate = 0;     // sequence already seen (a resend); answered again
    std::uint64_t out_of_order = 0;  // sequence below the highest seen, not seen before
    std::uint64_t missing = 0;       // sequences skipped (net: later out-of-order arrivals subtract)
    std::uint64_t dns_queries = 0;
    std::uint64_t dns_unknown_name = 0;  // answered NXDOMAIN
    std::uint64_t logins_ok = 0;
    std::uint64_t redirects = 0;
    std::uint64_t logouts = 0;       // current users' logout packets (4 per logout)
};

// TCP users (docs/tcp.md). Connection counts are the client half's;
// per-port arrays are indexed by index_of(port_role).
struct tcp_counters {
    std::uint64_t attempted = 0;       // SYNs first sent
    std::uint64_t established = 0;     // SYN-ACK received (connect latency recorded)
    std::uint64_t failed_timeout = 0;  // every SYN unanswered
    std::uint64_t failed_reset = 0;    // RST in answer to the SYN
    std::uint64_t dropped_timeout = 0; // established, then data unacknowledged after every try
    std::uint64_t dropped_reset = 0;   // established, then reset by the peer
    std::uint64_t dropped_stream = 0;  // a QQ length field that cannot be (RST sent)
    std::uint64_t closed = 0;          // FIN handshake completed (client half)
    std::uint64_t close_timeout = 0;   // the close went unanswered: RST sent instead
    std::uint64_t accepted = 0;        // server half: handshakes completed
    std::uint64_t push_deferred = 0;   // relay waited: another push to that user was in flight
    std::uint64_t send_blocked = 0;    // a message with no room (closing, 2 in flight): left to the resend timers
    std::uint64_t frame_too_big = 0;   // a QQ frame above the MSS: not sent (raise tcp_mss)
    std::uint64_t rebuild_mismatch = 0;  // a rebuilt message longer/shorter than its bytes in flight (a bug)
    std::array<std::uint64_t, 2> segments_sent{};
    std::array<std::uint64_t, 2> retransmits{};    // segments sent again (SYN, SYN-ACK, data, FIN)
    std::array<std::uint64_t, 2> rst_sent{};
    std::array<std::uint64_t, 2> rst_received{};
    std::array<std::uint64_t, 2> out_of_order{};   // beyond rcv_nxt: dropped, acknowledged again
    std::array<std::uint64_t, 2> duplicate{};      // entirely before rcv_nxt
    std::array<std::uint64_t, 2> partial_frames{}; // a frame cut by the segment's end: not acknowledged
};

struct engine_counters {
    std::array<stage_counters, stage_count> stages{};
    user_counters users{};
    message_counters messages{};
    server_check_counters server{};
    // Client half: replies that were valid frames but answered nothing
    // outstanding (late replies to resent requests, for instance).
    std::uint64_t client_late_replies = 0;
    std::uint64_t client_corrupt_replies = 0;  // did not decrypt/decode or differ from what the server sends

    // QQ's frames per port (index_of(port_role); the companions' are in
    // apps[k].frames_*): committed by the engine,
    // handed to the engine, and refused by reason.
    std::array<std::uint64_t, 2> frames_sent{};
    std::array<std::uint64_t, 2> frames_received{};
    std::array<std::array<std::uint64_t, refuse_reason_count>, 2> refused{};
    std::array<std::uint64_t, 2> tx_no_buffer{};   // tx_begin gave nothing: frame not sent
    std::array<std::uint64_t, 2> neighbour_frames{};  // taken by the neighbour hook
    std::uint64_t encode_failures = 0;  // an encoder refused (a bug: should stay 0)
    std::uint64_t timer_budget_exhausted = 0;  // polls that left due timers for the next poll (budget)

    latency_histogram dns_latency{};       // query -> answer
    latency_histogram login_latency{};     // first token request -> login OK, redirect included
    latency_histogram delivery_latency{};  // 0x0016 first sent -> buddy's client receives 0x0017
    tcp_counters tcp{};
    latency_histogram connect_latency{};   // TCP: SYN first sent -> SYN-ACK received
    // The companion applications blended with QQ (app_kind order; issue 8).
    app_counter_set apps{};

    [[nodiscard]] stage_counters& operator[](stage s) noexcept { return stages[static_cast<std::size_t>(s)]; }
    [[nodiscard]] const stage_counters& operator[](stage s) const noexcept {
        return stages[static_cast<std::size_t>(s)];
    }
    [[nodiscard]] std::uint64_t refused_total(std::size_t port) const noexcept {
        std::uint64_t n = 0;
        for (auto v : refused[port]) n += v;
        return n;
    }

    engine_counters& operator+=(const engine_counters& o) noexcept;
};

// A per-stage table and the other counters, for logs and reports.
void print_summary(std::FILE* out, const engine_counters& c);

}  // namespace qqgen::engine
