// TCP for the companion applications (http, tls, tcp_stream): both ends of
// each connection in one worker, carrying a script of transactions — the
// client sends request t, the server answers with response t, the client
// sends request t + 1 after think_ms, ..., then the client closes.
//
// No buffers: what a side sends is a range of app_content's prepared bytes,
// addressed by stream position (app_slots.hpp app_tcp_side), so a
// retransmission copies the same range again. Each side keeps only
// una/nxt/end/rcv (RFC 9293 3.3.1's SND.UNA, SND.NXT, RCV.NXT) and sends
// at most window_segments x MSS beyond una. Received data is taken in order
// only and checked byte for byte against the prepared copy (what the peer
// must have sent); out-of-order and old segments are acknowledged again at
// once (a duplicate ACK). Loss is repaired by go-back-N from una on the
// retransmission timer (RFC 6298: rto_ms, doubled per expiry; tries
// transmissions at most). The window advertised is a constant 65535 (no
// window scale), above anything in flight, so the peer is never blocked.
//
// Closing (RFC 9293 3.6): the client's FIN follows the last response; the
// server answers FIN+ACK; the client's ACK of it ends the session. The
// client side stays in TIME-WAIT in the shared record until the server side
// has its ACK, so the slot is never reused while the server could still
// retransmit its FIN (the QQ transport's known gap, docs/tcp.md).
//
// Limits: a DUT that rewrites ISNs is followed (the peer's ISN is learnt
// from its SYN), one that clamps the MSS is not (the MSS is the profile's);
// no NAT between the ports (the server finds the session by the client's
// address and port).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "dataplane/engine/app_core.hpp"
#include "protocols/net_headers.hpp"

namespace qqgen::engine {

enum class app_tcp_state : std::uint8_t {
    closed = 0,
    syn_sent,      // client: SYN out
    syn_received,  // server: SYN-ACK out
    established,
    fin_wait,      // client: FIN out, waiting for the server's FIN
    time_wait,     // client: the server's FIN acknowledged; the slot waits for the server side
    last_ack,      // server: FIN+ACK out
};

class app_tcp {
public:
    static constexpr std::uint16_t advertised_window = 65535;

    explicit app_tcp(app_core& core) noexcept : c_(core) {}

    // A new session's connection: the client's SYN.
    template <class Io>
    void open(Io& io, std::uint32_t slot) noexcept {
        app_session& r = c_.slots[slot];
        r.client = app_tcp_side{};
        r.server = app_tcp_side{};
        r.client.state = static_cast<std::uint8_t>(app_tcp_state::syn_sent);
        r.client.end = 1;
        c_.slots.sent_us(slot) = c_.now_us;
        transmit(io, slot, port_role::client);
    }

    // A segment for the session in `slot` (the caller found it current).
    template <class Io>
    void on_segment(Io& io, std::uint32_t slot, port_role role, const proto::parsed_frame& f) noexcept {
        app_session& r = c_.slots[slot];
        app_tcp_side& me = side(r, role);
        const std::uint8_t flags = f.tcp.flags;
        if ((flags & proto::tcp_flag::rst) != 0) {
            // RFC 5961 3.2: only at exactly rcv_nxt (or, in SYN-SENT, acknowledging the SYN).
            const bool in_window = me.state == static_cast<std::uint8_t>(app_tcp_state::syn_sent)
                                       ? f.tcp.ack == isn(slot, role) + 1
                                       : f.tcp.seq == me.peer_isn + me.rcv;
            if (!in_window) return unexpected(r);
            return c_.end_session(slot, app_core::outcome::failed_reset);
        }
        if (role == port_role::server && (flags & proto::tcp_flag::syn) != 0) return on_syn(io, slot, f);
        if (role == port_role::client && (flags & proto::tcp_flag::syn) != 0) return on_syn_ack(io, slot, f);
        if (me.state == static_cast<std::uint8_t>(app_tcp_state::closed) ||
            me.state == static_cast<std::uint8_t>(app_tcp_state::syn_sent))
            return unexpected(r);
        if ((flags & proto::tcp_flag::ack) != 0 && !on_ack(io, slot, role, f.tcp.ack)) return;
        if (c_.slots[slot].active == 0) return;  // the ACK ended the session
        on_data(io, slot, role, f);
    }

    // The side's timer: retransmission (go-back-N), or the client's pause
    // before its next request.
    template <class Io>
    void on_timer(Io& io, std::uint32_t slot, port_role role) noexcept {
        app_session& r = c_.slots[slot];
        app_tcp_side& me = side(r, role);
        if (me.una == me.nxt) {  // nothing in flight: the think time is over
            if (role == port_role::client) send_request(io, slot);
            return;
        }
        if (me.tries >= c_.settings.apps.tries) return give_up(io, slot, role);
        const std::uint32_t sent = me.nxt;
        me.nxt = me.una;  // go back N
        transmit(io, slot, role, sent);
    }

    // Stop: the client resets its connection (what a killed browser's
    // kernel does), which also clears the DUT's entry.
    template <class Io>
    void abort(Io& io, std::uint32_t slot) noexcept {
        const app_session& r = c_.slots[slot];
        if (r.client.state != static_cast<std::uint8_t>(app_tcp_state::closed) &&
            r.client.state != static_cast<std::uint8_t>(app_tcp_state::time_wait))
            send_rst(io, slot, port_role::client);
        c_.end_session(slot, app_core::outcome::stopped);
    }

private:
    static app_tcp_side& side(app_session& r, port_role role) noexcept {
        return role == port_role::client ? r.client : r.server;
    }
    [[nodiscard]] std::uint32_t isn(std::uint32_t slot, port_role role) const noexcept {
        const std::uint32_t inc = c_.slots[slot].incarnation;
        return static_cast<std::uint32_t>(
            c_.draw(role == port_role::client ? app_draw::client_isn : app_draw::server_isn, slot, inc));
    }
    [[nodiscard]] std::uint32_t mss() const noexcept {
        return c_.settings.apps.tcp_mss - (c_.settings.ip_version == 6 ? 20u : 0u);
    }
    void unexpected(app_session& r) noexcept { ++c_.count(r.kind).unexpected; }
    // Transactions of a connection: TLS's handshake is one more than its exchanges.
    [[nodiscard]] std::uint32_t script_length(app_kind k) const noexcept {
        return c_.spec(k).transactions + (k == app_kind::tls ? 1u : 0u);
    }

    // The message `role` is sending now (the client's request rx_txn, the
    // server's response rx_txn - 1).
    [[nodiscard]] std::span<const std::byte> message(std::uint32_t slot, port_role role) const noexcept {
        const app_session& r = c_.slots[slot];
        if (role == port_role::client) return c_.content.request(r.kind, r.variant, r.client.rx_txn);
        return c_.content.response(r.kind, r.variant, r.server.rx_txn - 1u);
    }
    [[nodiscard]] bool fin_queued(const app_session& r, port_role role) const noexcept {
        return role == port_role::client ? (r.flags & app_session_flag::fin_sent) != 0
                                         : r.server.state == static_cast<std::uint8_t>(app_tcp_state::last_ack);
    }

    // Bytes off .. off + len of `msg`, which `sender` sends in this
    // session: the prepared bytes themselves, except in TLS's hellos, whose
    // random, legacy_session_id (echoed by the server) and key_share fields
    // (RFC 8446 4.1.2, 4.1.3, 4.2.8) differ per session: those are patched
    // into a copy.
    proto::const_byte_span session_bytes(std::uint32_t slot, port_role sender, std::span<const std::byte> msg,
                                         std::uint32_t txn, std::uint32_t off, std::uint32_t len) noexcept {
        const app_session& r = c_.slots[slot];
        if (r.kind != app_kind::tls || txn != 0 || len > patched_.size()) return msg.subspan(off, len);
        std::memcpy(patched_.data(), msg.data() + off, len);
        const app_variant_bytes& b = c_.content.variant_bytes(r.kind, r.variant);
        const std::array<std::size_t, 3> at =
            sender == port_role::client ? std::array{b.hello_random, b.hello_session_id, b.hello_key_share}
                                        : std::array{b.server_random, b.server_session_id, b.server_key_share};
        // Field i's bytes: the client's random, the session id both use,
        // the client's key share, then the server's random and key share.
        const std::array<std::uint32_t, 3> field =
            sender == port_role::client ? std::array{0u, 1u, 2u} : std::array{3u, 1u, 4u};
        for (std::size_t i = 0; i < at.size(); ++i) {
            for (std::uint32_t j = 0; j < 32; ++j) {
                const std::size_t p = at[i] + j;
                if (p < off || p >= std::size_t{off} + len) continue;
                const std::uint64_t v = c_.draw(app_draw::tls_fields, slot, r.incarnation, field[i] * 4 + j / 8);
                patched_[p - off] = std::byte(static_cast<std::uint8_t>(v >> (8 * (j % 8))));
            }
        }
        return proto::const_byte_span(patched_.data(), len);
    }

    // --- sending -------------------------------------------------------------------
    // Sends what the window allows from nxt; segments before `resent_until`
    // are counted as retransmissions.
    template <class Io>
    void transmit(Io& io, std::uint32_t slot, port_role role, std::uint32_t resent_until = 0) noexcept {
        app_session& r = c_.slots[slot];
        app_tcp_side& me = side(r, role);
        const std::uint32_t limit = me.una + std::uint32_t{c_.settings.apps.window_segments} * mss();
        const bool fin = fin_queued(r, role);
        const std::uint32_t data_end = fin ? me.end - 1 : me.end;
        bool sent = false;
        while (me.nxt < me.end && me.nxt < limit) {
            if (me.nxt < resent_until) ++c_.count(r.kind).retransmits;
            if (me.nxt == 0) {  // SYN or SYN-ACK
                if (!send_segment(io, slot, role, 0, {}, role == port_role::client ? proto::tcp_flag::syn
                                                                                 : proto::tcp_flag::syn | proto::tcp_flag::ack))
                    break;
                me.nxt = 1;
            } else if (me.nxt >= data_end) {  // the FIN
                if (!send_segment(io, slot, role, me.nxt, {}, proto::tcp_flag::fin | proto::tcp_flag::ack)) break;
                me.nxt = me.end;
            } else {
                const std::span<const std::byte> msg = message(slot, role);
                const std::uint32_t start = data_end - static_cast<std::uint32_t>(msg.size());
                const std::uint32_t len = std::min({data_end - me.nxt, mss(), limit - me.nxt});
                const std::uint8_t flags = proto::tcp_flag::ack | (me.nxt + len == data_end ? proto::tcp_flag::psh : 0);
                if (!send_segment(io, slot, role, me.nxt, session_bytes(slot, role, msg, role == port_role::client ? r.client.rx_txn : r.server.rx_txn - 1u, me.nxt - start, len), flags))
                    break;
                me.nxt += len;
            }
            sent = true;
        }
        if (sent || me.una != me.nxt) arm_retransmit(slot, role);
    }

    template <class Io>
    bool send_segment(Io& io, std::uint32_t slot, port_role role, std::uint32_t pos, proto::const_byte_span payload,
                      std::uint8_t flags) noexcept {
        const app_session& r = c_.slots[slot];
        const app_tcp_side& me = role == port_role::client ? r.client : r.server;
        const app_spec& a = c_.spec(r.kind);
        const client_endpoint ep = c_.endpoint(slot, r.incarnation, a.server, a.server_port);
        proto::tcp_fields t;
        t.seq = isn(slot, role) + pos;
        t.flags = flags;
        t.window = advertised_window;
        if ((flags & proto::tcp_flag::ack) != 0) t.ack = me.peer_isn + me.rcv;
        if ((flags & proto::tcp_flag::syn) != 0) t.options.mss = static_cast<std::uint16_t>(mss());
        if (role == port_role::client)
            return c_.send_tcp(io, r.kind, role, ep.ip, ep.port, a.server, a.server_port, t, payload);
        return c_.send_tcp(io, r.kind, role, a.server, a.server_port, ep.ip, ep.port, t, payload);
    }

    template <class Io>
    void send_ack(Io& io, std::uint32_t slot, port_role role) noexcept {
        const app_tcp_side& me = side(c_.slots[slot], role);
        send_segment(io, slot, role, me.nxt, {}, proto::tcp_flag::ack);
    }

    template <class Io>
    void send_rst(Io& io, std::uint32_t slot, port_role role) noexcept {
        const app_tcp_side& me = side(c_.slots[slot], role);
        send_segment(io, slot, role, me.nxt, {}, proto::tcp_flag::rst | proto::tcp_flag::ack);
    }

    void arm_retransmit(std::uint32_t slot, port_role role) noexcept {
        app_tcp_side& me = side(c_.slots[slot], role);
        c_.arm(role == port_role::client ? slot : c_.slots.size() + slot, c_.backoff_ms(me.tries));
        if (me.tries < 255) ++me.tries;
    }

    // The client's request for its transaction rx_txn, after the think time.
    template <class Io>
    void send_request(Io& io, std::uint32_t slot) noexcept {
        app_session& r = c_.slots[slot];
        if (r.client.state != static_cast<std::uint8_t>(app_tcp_state::established)) return;
        r.client.end = r.client.nxt + static_cast<std::uint32_t>(message(slot, port_role::client).size());
        r.client.tries = 0;
        c_.slots.sent_us(slot) = c_.now_us;
        transmit(io, slot, port_role::client);
    }

    template <class Io>
    void give_up(Io& io, std::uint32_t slot, port_role role) noexcept {
        app_session& r = c_.slots[slot];
        // The server's FIN unacknowledged after every try, with the client in
        // TIME-WAIT: everything was delivered; only the last ACK was lost.
        if (role == port_role::server && r.server.state == static_cast<std::uint8_t>(app_tcp_state::last_ack) &&
            r.client.state == static_cast<std::uint8_t>(app_tcp_state::time_wait))
            return c_.end_session(slot, app_core::outcome::completed);
        if (r.client.state != static_cast<std::uint8_t>(app_tcp_state::syn_sent)) send_rst(io, slot, role);
        c_.end_session(slot, app_core::outcome::failed_timeout);
    }

    // --- receiving ------------------------------------------------------------------
    template <class Io>
    void on_syn(Io& io, std::uint32_t slot, const proto::parsed_frame& f) noexcept {
        app_session& r = c_.slots[slot];
        app_tcp_side& s = r.server;
        if (s.state == static_cast<std::uint8_t>(app_tcp_state::syn_received) && f.tcp.seq == s.peer_isn) {
            s.nxt = 0;  // the SYN again: our SYN-ACK was lost
            transmit(io, slot, port_role::server, 1);
            return;
        }
        if (s.state != static_cast<std::uint8_t>(app_tcp_state::closed) || (f.tcp.flags & proto::tcp_flag::ack) != 0)
            return unexpected(r);
        s = app_tcp_side{};
        s.state = static_cast<std::uint8_t>(app_tcp_state::syn_received);
        s.peer_isn = f.tcp.seq;
        s.rcv = 1;
        s.rx_start = 1;
        s.end = 1;
        transmit(io, slot, port_role::server);
    }

    template <class Io>
    void on_syn_ack(Io& io, std::uint32_t slot, const proto::parsed_frame& f) noexcept {
        app_session& r = c_.slots[slot];
        app_tcp_side& cl = r.client;
        const bool acks_syn = (f.tcp.flags & proto::tcp_flag::ack) != 0 && f.tcp.ack == isn(slot, port_role::client) + 1;
        if (cl.state != static_cast<std::uint8_t>(app_tcp_state::syn_sent)) {
            // Our ACK of it was lost: acknowledge again.
            if (acks_syn && f.tcp.seq == cl.peer_isn) send_ack(io, slot, port_role::client);
            else unexpected(r);
            return;
        }
        if (!acks_syn) return unexpected(r);
        app_counters& ctr = c_.count(r.kind);
        ctr.connect_latency.record(c_.now_us - c_.slots.sent_us(slot));
        cl.state = static_cast<std::uint8_t>(app_tcp_state::established);
        cl.peer_isn = f.tcp.seq;
        cl.rcv = 1;
        cl.rx_start = 1;
        cl.una = 1;
        cl.nxt = 1;
        cl.tries = 0;
        c_.timers.cancel(slot);
        send_request(io, slot);  // carries the handshake's ACK
    }

    // Returns false when the segment is to be ignored (acknowledges what was never sent).
    template <class Io>
    bool on_ack(Io& io, std::uint32_t slot, port_role role, std::uint32_t ack_seq) noexcept {
        app_session& r = c_.slots[slot];
        app_tcp_side& me = side(r, role);
        const std::uint32_t a = ack_seq - isn(slot, role);
        if (a > me.nxt && a > me.end) {  // beyond anything sent (RFC 9293 3.10.7.4: drop)
            unexpected(r);
            return false;
        }
        if (a <= me.una) return true;  // old or duplicate
        me.una = a;
        if (me.nxt < me.una) me.nxt = me.una;
        me.tries = 0;
        if (role == port_role::server && me.state == static_cast<std::uint8_t>(app_tcp_state::syn_received)) {
            me.state = static_cast<std::uint8_t>(app_tcp_state::established);
        }
        if (role == port_role::server && me.state == static_cast<std::uint8_t>(app_tcp_state::last_ack) &&
            me.una == me.end) {
            me.state = static_cast<std::uint8_t>(app_tcp_state::closed);
            c_.end_session(slot, app_core::outcome::completed);
            return true;
        }
        const std::uint32_t timer = role == port_role::client ? slot : c_.slots.size() + slot;
        if (me.una == me.nxt && me.nxt == me.end) c_.timers.cancel(timer);
        else transmit(io, slot, role);
        return true;
    }

    template <class Io>
    void on_data(Io& io, std::uint32_t slot, port_role role, const proto::parsed_frame& f) noexcept {
        app_session& r = c_.slots[slot];
        app_tcp_side& me = side(r, role);
        const bool fin = (f.tcp.flags & proto::tcp_flag::fin) != 0;
        const std::uint32_t len = static_cast<std::uint32_t>(f.payload.size());
        if (len == 0 && !fin) return;  // a bare ACK
        const std::uint32_t pos = f.tcp.seq - me.peer_isn;
        app_counters& ctr = c_.count(r.kind);
        if (pos != me.rcv) {  // old (a retransmission) or out of order: acknowledge what we have
            if (len != 0 || fin) send_ack(io, slot, role);
            return;
        }
        if (len != 0) {
            // What the peer must have sent: the message being received.
            const std::span<const std::byte> want =
                role == port_role::server ? c_.content.request(r.kind, r.variant, me.rx_txn)
                                          : c_.content.response(r.kind, r.variant, me.rx_txn);
            const std::uint32_t off = pos - me.rx_start;
            if (off + len > want.size() ||
                std::memcmp(session_bytes(slot, peer_of(role), want, me.rx_txn, off, len).data(), f.payload.data(), len) != 0) {
                ++ctr.corrupt;
                if (len != 0) send_rst(io, slot, role);
                return c_.end_session(slot, app_core::outcome::failed_corrupt);
            }
            me.rcv += len;
            ctr.payload_bytes += len;
            if (off + len == want.size()) {
                ++me.rx_txn;
                me.rx_start = me.rcv;
                if (role == port_role::server) {
                    me.end = me.nxt + static_cast<std::uint32_t>(message(slot, port_role::server).size());
                    me.tries = 0;
                    transmit(io, slot, role);  // the response, carrying the ACK
                    if (!fin) return;
                } else {
                    response_complete(io, slot);
                    return;
                }
            }
        }
        if (fin) {
            me.rcv += 1;
            if (role == port_role::server) {
                me.state = static_cast<std::uint8_t>(app_tcp_state::last_ack);
                me.end = me.nxt + 1;
                me.tries = 0;
                transmit(io, slot, role);  // FIN+ACK
                return;
            }
            if (me.state == static_cast<std::uint8_t>(app_tcp_state::fin_wait))
                me.state = static_cast<std::uint8_t>(app_tcp_state::time_wait);
        }
        send_ack(io, slot, role);
    }

    // The client has the whole response to its transaction: the next
    // request after think_ms, or the FIN.
    template <class Io>
    void response_complete(Io& io, std::uint32_t slot) noexcept {
        app_session& r = c_.slots[slot];
        app_counters& ctr = c_.count(r.kind);
        ++ctr.transactions;
        ctr.latency.record(c_.now_us - c_.slots.sent_us(slot));
        const app_spec& a = c_.spec(r.kind);
        if (r.client.rx_txn < script_length(r.kind)) {
            send_ack(io, slot, port_role::client);
            if (a.think_ms == 0) send_request(io, slot);
            else c_.arm(slot, a.think_ms);
            return;
        }
        r.flags |= app_session_flag::fin_sent;
        r.client.state = static_cast<std::uint8_t>(app_tcp_state::fin_wait);
        r.client.end = r.client.nxt + 1;
        r.client.tries = 0;
        transmit(io, slot, port_role::client);  // FIN, carrying the ACK
    }

    app_core& c_;
    std::array<std::byte, 2048> patched_{};  // session_bytes' copy (one segment)
};

}  // namespace qqgen::engine
