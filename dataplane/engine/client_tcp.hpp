// The client half's side of a TCP user's connection (docs/tcp.md): the
// handshake before the first request, the close after the logout or a
// redirect, the retransmission timer (the user's one client timer) and the
// events of arriving segments. A template on the half only to break the
// include cycle; client_half.hpp instantiates it and befriends it.
#pragma once

#include <cstdint>

#include "dataplane/engine/engine_core.hpp"
#include "dataplane/engine/tcp_endpoint.hpp"

namespace qqgen::engine {

template <class Half>
class client_tcp {
public:
    explicit client_tcp(Half& half) noexcept : h_(half) {}

    // DNS answered: SYN to the login server.
    template <class Io>
    void begin_connect(Io& io, std::uint32_t slot) noexcept {
        session_record& r = h_.c_.table[slot];
        r.cstate = client_state::connect;
        r.tries = 1;
        r.stage_start_us = h_.c_.now_us;
        arm(slot, 1);
        h_.c_.tcp.connect(io, slot);
    }

    // Close the connection: FIN now when the client closes (or the server
    // already did), else wait for the server's. `reconnect`: then connect to
    // the server the redirect named (already in server_index).
    template <class Io>
    void begin_close(Io& io, std::uint32_t slot, bool reconnect) noexcept {
        session_record& r = h_.c_.table[slot];
        r.cstate = client_state::closing;
        r.tries = 1;
        if (reconnect) r.cflags |= client_flag::reconnect;
        tcp_endpoint& e = h_.c_.tcp.ep(port_role::client, slot);
        if (!e.synchronized()) {
            h_.c_.tcp.abort(io, port_role::client, slot);
            close_done(io, slot);
            return;
        }
        arm(slot, 1);
        if (h_.c_.settings.tcp_closer == tcp_closer_client || e.state == tcp_state::close_wait)
            h_.c_.tcp.close(io, port_role::client, slot);
    }

    // The client timer fired in `connect` or `closing`.
    template <class Io>
    void on_timer(Io& io, std::uint32_t slot) noexcept {
        engine_core& c = h_.c_;
        session_record& r = c.table[slot];
        const bool connecting = r.cstate == client_state::connect;
        if (r.tries >= c.settings.resend_tries) {
            if (connecting) {
                ++c.counters.tcp.failed_timeout;
                h_.give_up(io, slot, give_up_reason::timeout);
            } else {
                ++c.counters.tcp.close_timeout;
                c.tcp.abort(io, port_role::client, slot);
                close_done(io, slot);
            }
            return;
        }
        ++r.tries;
        arm(slot, r.tries);
        ++c.counters[connecting ? stage::token : stage::logout].resends;
        // Nothing of ours missing while closing: we wait for the server's
        // FIN, and a repeated ACK asks for it.
        if (!c.tcp.retransmit(io, port_role::client, slot, [&](tcp_msg k) { rebuild(io, slot, k); }))
            c.tcp.send_ack(io, port_role::client, slot);
    }

    // The resend timer of a waiting state fired again: what is in flight
    // again; a request already acknowledged but unanswered goes again where
    // it was (old data): the server replays it and retransmits its answer,
    // which it cannot rebuild by itself (docs/tcp.md "Retransmission").
    template <class Io>
    void retransmit(Io& io, std::uint32_t slot) noexcept {
        engine_core& c = h_.c_;
        const bool request_in_flight = c.tcp.ep(port_role::client, slot).find(tcp_msg::request) >= 0;
        c.tcp.retransmit(io, port_role::client, slot, [&](tcp_msg k) { rebuild(io, slot, k); });
        if (!request_in_flight && c.tcp.ep(port_role::client, slot).synchronized()) {
            c.tcp.resend_request_at_its_place();
            h_.requests_.send(io, slot);
        }
    }

    // A segment for the client port: found by the address the user sends
    // from, like a UDP reply.
    template <class Io>
    void on_segment(Io& io, const proto::parsed_frame& f) noexcept {
        engine_core& c = h_.c_;
        const endpoint_owner who = c.identity.owner_of(f.dst_ip, f.dst_port, f.src_ip, f.src_port);
        if (who.slot == no_slot) {
            h_.refuse(who.in_range ? refuse_reason::unknown_session : refuse_reason::not_for_us);
            return;
        }
        const session_record& r = c.table[who.slot];
        const tcp_endpoint& e = c.tcp.ep(port_role::client, who.slot);
        constexpr std::uint8_t want = client_flag::used | client_flag::tcp;
        if ((r.cflags & want) != want || r.cstate == client_state::idle ||
            who.generation != c.identity.generation_of(r.incarnation) || f.src_port != c.settings.tcp_server_port ||
            f.src_ip != c.settings.login_servers[e.server]) {
            c.tcp.reset_unknown(io, port_role::client, f);
            h_.refuse(refuse_reason::stale_incarnation);
            return;
        }
        events<Io> ev{*this, io, who.slot};
        c.tcp.on_segment(io, port_role::client, who.slot, e.server, f, ev);
    }

private:
    template <class Io>
    struct events {
        client_tcp& t;
        Io& io;
        std::uint32_t slot;

        void on_syn() noexcept {}
        void on_established() noexcept { t.connected(io, slot); }
        void on_frame(const proto::parsed_frame& f) noexcept { t.h_.on_qq(io, slot, f); }
        void on_reset(tcp_state was) noexcept { t.reset(io, slot, was); }
        void on_fin() noexcept { t.peer_closed(io, slot); }
        void on_closed() noexcept { t.closed(io, slot); }
        void rebuild(tcp_msg k) noexcept { t.rebuild(io, slot, k); }
    };

    // Transmission n's wait: the first request's wait, doubled per expiry.
    void arm(std::uint32_t slot, std::uint32_t n) noexcept {
        engine_core& c = h_.c_;
        c.arm(slot, tcp_backoff_ms(c.resend_wait(slot, c.table[slot].incarnation, 0xFFFFEu, 1), n));
    }

    template <class Io>
    void rebuild(Io& io, std::uint32_t slot, tcp_msg k) noexcept {
        switch (k) {
            case tcp_msg::request:
                h_.requests_.send(io, slot);
                return;
            case tcp_msg::push_ack:
                h_.requests_.resend_push_ack(io, slot);
                return;
            case tcp_msg::logout:
                h_.requests_.send_logout(io, slot);
                return;
            default:
                return;
        }
    }

    template <class Io>
    void connected(Io& io, std::uint32_t slot) noexcept {
        engine_core& c = h_.c_;
        session_record& r = c.table[slot];
        if (r.cstate != client_state::connect) return;
        ++c.counters.tcp.established;
        c.counters.connect_latency.record(c.now_us - r.stage_start_us);
        h_.begin(io, slot, client_state::token);
    }

    template <class Io>
    void reset(Io& io, std::uint32_t slot, tcp_state was) noexcept {
        engine_core& c = h_.c_;
        const session_record& r = c.table[slot];
        if (r.cstate == client_state::closing) {
            close_done(io, slot);
            return;
        }
        if (was == tcp_state::syn_sent)
            ++c.counters.tcp.failed_reset;
        else
            ++c.counters.tcp.dropped_reset;
        h_.give_up(io, slot, give_up_reason::refused);
    }

    // The server's FIN: answered with ours when closing; otherwise the
    // server ended the session under the user.
    template <class Io>
    void peer_closed(Io& io, std::uint32_t slot) noexcept {
        engine_core& c = h_.c_;
        if (c.table[slot].cstate == client_state::closing) {
            c.tcp.close(io, port_role::client, slot);
            return;
        }
        ++c.counters.tcp.dropped_reset;
        h_.give_up(io, slot, give_up_reason::refused);
    }

    template <class Io>
    void closed(Io& io, std::uint32_t slot) noexcept {
        engine_core& c = h_.c_;
        if (c.table[slot].cstate != client_state::closing) return;
        ++c.counters.tcp.closed;
        close_done(io, slot);
    }

    template <class Io>
    void close_done(Io& io, std::uint32_t slot) noexcept {
        session_record& r = h_.c_.table[slot];
        if ((r.cflags & client_flag::reconnect) != 0) {
            r.cflags &= static_cast<std::uint8_t>(~client_flag::reconnect);
            begin_connect(io, slot);
            return;
        }
        h_.finish(slot);
    }

    Half& h_;
};

}  // namespace qqgen::engine
