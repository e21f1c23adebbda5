// The hot per-session record: one 64-byte cache line holding both halves'
// small state (design.md "Compact contexts"; dperf's one-socket-one-line).
//
// Everything else about a session is derived (session_identity.hpp) or sits
// in the cold parallel arrays of session_table.hpp. Times are 32-bit:
// `*_us` fields are microseconds since the engine started and are only ever
// subtracted from each other (valid for intervals under 71 minutes).
#pragma once

#include <cstddef>
#include <cstdint>

#include "dataplane/engine/timer_wheel.hpp"

namespace qqgen::engine {

// Where the client half of a session is. The waiting states have one
// request outstanding (sequence offset `request_offset`) and a resend timer.
enum class client_state : std::uint8_t {
    idle,             // slot free
    dns,              // A query sent
    token,            // 0x0062 sent
    login,            // 0x0022 sent
    status,           // 0x000D sent
    friends,          // 0x0026 page request sent (`progress` = start position)
    online,           // 0x0027 page request sent (`progress` = start position)
    chat_pause,       // waiting the delay before message `progress`
    chat_wait,        // 0x0016 of message `progress` sent
    keepalive_pause,  // logged in, waiting the keep-alive interval
    keepalive_wait,   // 0x0002 sent
    connect,          // TCP: SYN sent (the next request waits for the handshake)
    closing,          // TCP: closing the connection (after the logout, or to follow a redirect)
};

// What the server half knows of a session.
enum class server_state : std::uint8_t {
    fresh,       // nothing received from the current user yet
    greeted,     // a token request answered
    redirected,  // the first login answered with a redirect
    logged_in,   // login OK sent
    logged_out,  // logout received
};

namespace client_flag {
inline constexpr std::uint8_t redirected = 0x01;  // the first login was redirected
inline constexpr std::uint8_t logged_in = 0x02;   // login OK received
inline constexpr std::uint8_t used = 0x04;        // the slot has had a user (incarnation is valid)
inline constexpr std::uint8_t bad_reply = 0x08;   // the outstanding request got a reply that did not check
inline constexpr std::uint8_t tcp = 0x10;         // this user reaches the login servers over TCP (docs/tcp.md)
inline constexpr std::uint8_t reconnect = 0x20;   // closing to connect to another server (redirect)
}  // namespace client_flag

namespace server_flag {
inline constexpr std::uint8_t relay_pending = 0x01;  // a 0x0017 to the buddy awaits its ack
}  // namespace server_flag

struct alignas(64) session_record {
    // Client-half timer (node id = slot): resend, chat delay, keep-alive.
    timer_node timer{};                 // 12
    std::uint32_t incarnation = 0;      // 4: users this slot had before the current one

    // --- client half (20 bytes) ---
    client_state cstate = client_state::idle;
    std::uint8_t tries = 0;             // transmissions of the outstanding request
    std::uint8_t server_index = 0;      // login server in use
    std::uint8_t cflags = 0;
    std::uint16_t next_offset = 0;      // sequence offset of the next new request
    std::uint16_t request_offset = 0;   // sequence offset of the outstanding request
    std::uint16_t progress = 0;         // page position, or message number (chat)
    std::uint16_t keepalives = 0;       // keep-alives answered
    std::uint32_t stage_start_us = 0;   // first transmission of the current request (latency)
    // First token request (login latency). While the slot is free (cstate
    // idle) it is the link of session_table's FIFO of free slots instead.
    std::uint32_t login_start_us = 0;

    // --- server half (28 bytes) ---
    server_state sstate = server_state::fresh;
    std::uint8_t sflags = 0;
    std::uint8_t login_server = 0;      // the server the user logged in to (relays come from it)
    std::uint8_t relay_tries = 0;
    std::uint16_t seen_next = 0;        // lowest sequence offset above every one seen
    std::uint16_t push_sequence = 0;    // the server's sequence for pushes (0x0017) to this user
    std::uint32_t seen_bits = 0;        // bit i: offset seen_next - 1 - i has been seen
    std::uint16_t relay_message = 0;    // as sender: the message being relayed to the buddy
    std::uint16_t relay_sequence = 0;   // its 0x0017 header sequence
    std::uint32_t message_sent_us = 0;  // as sender: first transmission of the current message
    std::uint16_t delivered = 0;        // as sender: messages its buddies' clients have received
    // Where the server half last saw the user's requests come from (after
    // any NAT): relays go there. The IPv4 address lives here; an IPv6 one in
    // session_table's cold array.
    std::uint16_t seen_port = 0;
    std::uint32_t seen_ip4 = 0;
};

static_assert(sizeof(session_record) == 64, "the hot session record must be one cache line");
static_assert(alignof(session_record) == 64, "the hot session record must start a cache line");

// A session's client half is logged in (it holds the session key).
constexpr bool client_logged_in(client_state s) noexcept {
    return s == client_state::status || s == client_state::friends || s == client_state::online ||
           s == client_state::chat_pause || s == client_state::chat_wait || s == client_state::keepalive_pause ||
           s == client_state::keepalive_wait;
}

}  // namespace qqgen::engine
