// One side of one session's TCP connection, in a few bytes (docs/tcp.md).
//
// No send or receive buffer: the bytes in flight are described, not kept.
// An endpoint holds its sequence numbers and at most two messages in flight
// (a message is one or more whole QQ frames sent in one segment), each with
// its kind and its length; a retransmission asks the session half to build
// the message of that kind again from the session's state (as dperf and
// TRex do) and sends it at the sequence number it had. The initial sequence
// numbers are pure functions of the session's identity.
//
// Sources: RFC 9293 (states 3.3.2, sequence space 3.4, segment arrival
// 3.10.7), RFC 6298 (retransmission timer, back-off 5.5), RFC 7323 (window
// scale).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace qqgen::engine {

// RFC 9293 3.3.2 (LISTEN is implicit: the server half accepts a SYN for any
// session of its worker).
enum class tcp_state : std::uint8_t {
    closed,
    syn_sent,
    syn_received,
    established,
    fin_wait_1,
    fin_wait_2,
    close_wait,
    closing,
    last_ack,
    time_wait,
};

// What a message in flight is, so that it can be rebuilt.
enum class tcp_msg : std::uint8_t {
    none,
    request,   // client: the request of the current waiting state
    push_ack,  // client: 0x0017 acknowledgement of a buddy's message
    logout,    // client: the 4 x 0x0001 burst
    reply,     // server: the answer to the last request
    push,      // server: 0x0017 relay of a buddy's message
};

namespace tcp_ep_flag {
inline constexpr std::uint8_t fin_sent = 0x01;      // our FIN is in the sequence space
inline constexpr std::uint8_t ack_owed = 0x02;      // received something not yet acknowledged
inline constexpr std::uint8_t close_queued = 0x04;  // send FIN once the segment being handled is done
inline constexpr std::uint8_t fast_sent = 0x08;     // a duplicate ACK already made us retransmit at snd_una
inline constexpr std::uint8_t split_held = 0x10;    // the first part of a split frame is held (tcp_split_frames.hpp)
}  // namespace tcp_ep_flag

// RFC 9293 3.4: sequence numbers compare modulo 2^32.
constexpr bool seq_lt(std::uint32_t a, std::uint32_t b) noexcept {
    return static_cast<std::int32_t>(a - b) < 0;
}
constexpr bool seq_le(std::uint32_t a, std::uint32_t b) noexcept {
    return static_cast<std::int32_t>(a - b) <= 0;
}
constexpr bool seq_gt(std::uint32_t a, std::uint32_t b) noexcept {
    return seq_lt(b, a);
}

// The wait before transmission n + 1 of something first sent with a timeout
// of `initial_ms`: doubled after each expiry (RFC 6298 5.5), at most
// max_ms (RFC 6298 2.5 allows a maximum of at least 60 s).
constexpr std::uint32_t tcp_backoff_ms(std::uint32_t initial_ms, std::uint32_t transmissions,
                                       std::uint32_t max_ms = 60'000) noexcept {
    std::uint64_t v = initial_ms;
    for (std::uint32_t i = 1; i < transmissions && v < max_ms; ++i) v *= 2;
    return v < max_ms ? static_cast<std::uint32_t>(v) : max_ms;
}

struct tcp_endpoint {
    std::uint32_t snd_una = 0;           // oldest unacknowledged sequence number
    std::uint32_t snd_nxt = 0;           // next sequence number to send
    std::uint32_t rcv_nxt = 0;           // next sequence number expected
    // One word per side. Client: where the current request was sent
    // (acknowledged or not). Server: which buddies the last 0x0027 page
    // reported online (bit i = position start + i), so that a replayed
    // request gets that page again, not one of another length (docs/tcp.md).
    std::uint32_t note = 0;
    std::array<std::uint16_t, 2> len{};  // bytes of each message in flight not yet acknowledged
    std::uint16_t peer_mss = 536;        // RFC 9293 3.7.1: the default without the option
    std::uint16_t push_sequence = 0;     // client: the header sequence of the push being acknowledged
    std::uint16_t push_message = 0;      // client: its message number
    std::array<tcp_msg, 2> kind{tcp_msg::none, tcp_msg::none};  // [0] starts at snd_una
    tcp_state state = tcp_state::closed;
    std::uint8_t flags = 0;       // tcp_ep_flag
    std::uint8_t server = 0;      // server side: the login server the SYN came to
    std::uint8_t push_buddy = 0;  // the buddy index (of the receiver) of the push's sender

    // The connection is gone (reset, aborted): nothing is in flight any
    // more, so nothing is rebuilt or waited for.
    void reset_closed() noexcept {
        state = tcp_state::closed;
        kind = {tcp_msg::none, tcp_msg::none};
        len = {0, 0};
        snd_una = snd_nxt;
    }

    // A new connection whose first sequence number (the SYN's) is `isn`.
    void open(std::uint32_t isn, tcp_state s) noexcept {
        const std::uint8_t keep_server = server;
        *this = tcp_endpoint{};
        server = keep_server;
        snd_una = isn;
        snd_nxt = isn + 1;
        state = s;
    }

    [[nodiscard]] bool synchronized() const noexcept {
        return state != tcp_state::closed && state != tcp_state::syn_sent && state != tcp_state::syn_received;
    }
    // Data may still be sent: no FIN of ours yet.
    [[nodiscard]] bool can_send() const noexcept {
        return (state == tcp_state::established || state == tcp_state::close_wait) &&
               (flags & tcp_ep_flag::fin_sent) == 0;
    }
    [[nodiscard]] bool in_flight() const noexcept { return snd_una != snd_nxt; }
    [[nodiscard]] bool fin_unacked() const noexcept {
        return (flags & tcp_ep_flag::fin_sent) != 0 && snd_una != snd_nxt;
    }

    // Index of the message of kind k in flight, or -1.
    [[nodiscard]] int find(tcp_msg k) const noexcept {
        if (kind[0] == k) return 0;
        if (kind[1] == k) return 1;
        return -1;
    }
    // Where the unacknowledged part of message i starts.
    [[nodiscard]] std::uint32_t seq_of(int i) const noexcept { return i == 0 ? snd_una : snd_una + len[0]; }

    // A new message of `n` bytes at snd_nxt; false when two are in flight already.
    bool append(tcp_msg k, std::uint16_t n) noexcept {
        const int i = kind[0] == tcp_msg::none ? 0 : (kind[1] == tcp_msg::none ? 1 : -1);
        if (i < 0) return false;
        kind[static_cast<std::size_t>(i)] = k;
        len[static_cast<std::size_t>(i)] = n;
        snd_nxt += n;
        return true;
    }

    // An acknowledgement: true when it acknowledges something new
    // (snd_una < ack <= snd_nxt, RFC 9293 3.10.7.4). Whole messages it
    // covers leave the flight; a partly covered one keeps its tail.
    bool acknowledge(std::uint32_t ack) noexcept {
        if (!seq_gt(ack, snd_una) || seq_gt(ack, snd_nxt)) return false;
        std::uint32_t n = ack - snd_una;
        snd_una = ack;
        flags &= static_cast<std::uint8_t>(~tcp_ep_flag::fast_sent);
        // Before the SYN is acknowledged nothing else is in flight; a FIN is
        // after every message: what is left of n after the messages is
        // either of them.
        while (n != 0 && kind[0] != tcp_msg::none) {
            const std::uint32_t take = n < len[0] ? n : len[0];
            len[0] = static_cast<std::uint16_t>(len[0] - take);
            n -= take;
            if (len[0] == 0) {
                kind[0] = kind[1];
                len[0] = len[1];
                kind[1] = tcp_msg::none;
                len[1] = 0;
            }
        }
        return true;
    }
};
static_assert(sizeof(tcp_endpoint) == 32, "one side of a connection: keep it small (docs/tcp.md)");

}  // namespace qqgen::engine
