// QQ over TCP for one worker's TCP users: both sides of every connection
// (client half on the client port, server half on the server port), their
// segments, and the arrival of segments (RFC 9293 3.10.7). See docs/tcp.md
// for the design; in short:
//
// - each side of a session is a tcp_endpoint (28 bytes, no buffers); what is
//   in flight is rebuilt by the session half that sent it (send_qq with the
//   same kind is a retransmission at the sequence number it had);
// - the engine's own messages are whole QQ frames in one segment (never split
//   below the MSS); a receiver hands out the whole frames of an in-order
//   segment and acknowledges up to the last of them, so a frame cut by a
//   middlebox is sent again from its start (for_each_tcp_frame);
// - out-of-order segments are dropped and acknowledged again (no queue);
//   entirely old data is replayed to the half, whose answers may only be
//   retransmissions of what is in flight;
// - the client half's timers (SYN, requests, close) are the retransmission
//   timers, with RFC 6298 back-off and the resend_tries limit; the server half
//   retransmits pushes on its relay timer and the rest when the client's
//   retransmission shows that something of the server's is missing;
// - immediate ACK: an ACK goes with the data a segment's handling sends, or
//   alone at the end of the handling.
//
// Hot path: no allocation, no exception, no log; every failure a counter.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "dataplane/engine/engine_counters.hpp"
#include "dataplane/engine/frame_io.hpp"
#include "dataplane/engine/frame_writer.hpp"
#include "dataplane/engine/load_settings.hpp"
#include "dataplane/engine/session_identity.hpp"
#include "dataplane/engine/session_table.hpp"
#include "dataplane/engine/tcp_endpoint.hpp"
#include "protocols/net_headers.hpp"
#include "protocols/qq_tcp_framing.hpp"
#include "dataplane/engine/tcp_split_frames.hpp"

namespace qqgen::engine {

// The window is never the limit (at most two messages are in flight), so it
// is constant: a changing window would read as window updates to tshark.
inline constexpr std::uint16_t tcp_syn_window = 65535;  // unscaled in SYNs (RFC 7323 2.2)
inline constexpr std::uint8_t tcp_window_scale = 2;
inline constexpr std::uint16_t tcp_window = 16384;         // x 4 = 64 KiB
inline constexpr std::size_t tcp_message_capacity = 1600;  // one message: frames up to the largest MSS

struct tcp_tuple {
    proto::ip_address src;
    std::uint16_t src_port = 0;
    proto::ip_address dst;
    std::uint16_t dst_port = 0;
};

class tcp_transport {
public:
    tcp_transport(const load_settings& s, const session_identity& id, session_table& table, frame_writer& frames,
                  engine_counters& counters)
        : s_(s), id_(id), t_(table), f_(frames), c_(counters), split_(s.tcp_share_ppm != 0 ? tcp_split_pool_size : 0) {
        // Only a run with TCP users pays for the endpoints.
        if (enabled())
            for (auto& v : ep_) v.resize(s.users);
    }

    [[nodiscard]] bool enabled() const noexcept { return s_.tcp_share_ppm != 0; }
    // Whether the user (slot, incarnation) goes over TCP: derived.
    [[nodiscard]] bool selects_tcp(std::uint32_t slot, std::uint32_t incarnation) const noexcept {
        return enabled() && id_.draw(draw_kind::transport, slot, incarnation) % 1'000'000 < s_.tcp_share_ppm;
    }
    [[nodiscard]] std::size_t bytes_per_session() const noexcept { return enabled() ? 2 * sizeof(tcp_endpoint) : 0; }
    [[nodiscard]] tcp_endpoint& ep(port_role side, std::uint32_t slot) noexcept { return ep_[index_of(side)][slot]; }
    // The slot whose segment is being handled (server replies go back on it).
    [[nodiscard]] std::uint32_t rx_slot() const noexcept { return rx_slot_; }
    [[nodiscard]] bool replaying() const noexcept { return replaying_; }

    // The first sequence number of `side` of the connection of (slot, its
    // incarnation) to login server `server`: derived, so both a SYN and its
    // retransmission carry it without storing it.
    [[nodiscard]] std::uint32_t isn(port_role side, std::uint32_t slot, std::uint8_t server) const noexcept {
        return static_cast<std::uint32_t>(
            id_.draw(draw_kind::tcp_isn, slot, t_[slot].incarnation,
                     (std::uint32_t{server} << 1) | static_cast<std::uint32_t>(index_of(side))));
    }

    // --- client: open, close, abort ------------------------------------------

    template <class Io>
    void connect(Io& io, std::uint32_t slot) noexcept {
        tcp_endpoint& e = ep(port_role::client, slot);
        e.server = t_[slot].server_index;
        e.open(isn(port_role::client, slot, e.server), tcp_state::syn_sent);
        ++c_.tcp.attempted;
        emit(io, port_role::client, slot, e.snd_una, proto::tcp_flag::syn, {}, true);
    }

    // Sends our FIN (after the messages in flight) or, when it is already
    // out and nothing else is, sends it again.
    template <class Io>
    void close(Io& io, port_role side, std::uint32_t slot) noexcept {
        tcp_endpoint& e = ep(side, slot);
        if ((e.flags & tcp_ep_flag::fin_sent) != 0) {
            if (e.fin_unacked() && e.kind[0] == tcp_msg::none) {
                ++c_.tcp.retransmits[index_of(side)];
                emit(io, side, slot, e.snd_nxt - 1, proto::tcp_flag::fin | proto::tcp_flag::ack, {});
            }
            return;
        }
        if (e.state != tcp_state::established && e.state != tcp_state::close_wait) return;
        const std::uint32_t seq = e.snd_nxt;
        mark_fin_sent(e);
        emit(io, side, slot, seq, proto::tcp_flag::fin | proto::tcp_flag::ack, {});
    }

    // A bare ACK: asks the peer for what we miss (its retransmission is
    // driven by ours, docs/tcp.md "Retransmission").
    template <class Io>
    void send_ack(Io& io, port_role side, std::uint32_t slot) noexcept {
        if (ep(side, slot).synchronized()) emit(io, side, slot, ep(side, slot).snd_nxt, proto::tcp_flag::ack, {});
    }

    // The server half asks for a FIN once the segment it is handling is done
    // (after the logouts, after a redirect: docs/tcp.md "Closing").
    void close_after_segment(std::uint32_t slot) noexcept {
        ep(port_role::server, slot).flags |= tcp_ep_flag::close_queued;
    }

    // RST: the connection is given up (RFC 9293 3.10.7.1 for what is sent).
    // In SYN-SENT nothing is sent: the peer has no state yet; a late SYN-ACK
    // finds no connection and is answered with a RST then.
    template <class Io>
    void abort(Io& io, port_role side, std::uint32_t slot) noexcept {
        tcp_endpoint& e = ep(side, slot);
        if (e.state == tcp_state::closed) return;
        if (e.state != tcp_state::syn_sent) {
            ++c_.tcp.rst_sent[index_of(side)];
            emit(io, side, slot, e.snd_nxt, proto::tcp_flag::rst | proto::tcp_flag::ack, {});
        }
        e.reset_closed();
    }

    // A RST for a segment that belongs to no connection (RFC 9293 3.10.7.1).
    template <class Io>
    void reset_unknown(Io& io, port_role side, const proto::parsed_frame& f) noexcept {
        if ((f.tcp.flags & proto::tcp_flag::rst) != 0) return;
        proto::tcp_fields r;
        if ((f.tcp.flags & proto::tcp_flag::ack) != 0) {
            r.seq = f.tcp.ack;
            r.flags = proto::tcp_flag::rst;
        } else {
            r.ack = f.tcp.seq + static_cast<std::uint32_t>(f.payload.size()) +
                    ((f.tcp.flags & proto::tcp_flag::syn) != 0 ? 1u : 0u) +
                    ((f.tcp.flags & proto::tcp_flag::fin) != 0 ? 1u : 0u);
            r.flags = proto::tcp_flag::rst | proto::tcp_flag::ack;
        }
        if (write(io, side, {f.dst_ip, f.dst_port, f.src_ip, f.src_port}, r, {})) ++c_.tcp.rst_sent[index_of(side)];
    }

    // --- messages --------------------------------------------------------------

    // Frames added between begin_batch and end_batch go in one segment (the
    // logout burst).
    void begin_batch() noexcept {
        batch_ = true;
        msg_len_ = 0;
    }
    template <class Io>
    bool end_batch(Io& io, port_role side, std::uint32_t slot, tcp_msg kind, bool fin) noexcept {
        batch_ = false;
        return send_message(io, side, slot, kind, fin);
    }

    // One QQ packet, written by fill(byte_span room) -> size, behind its
    // length: sent as a new message, or as the retransmission of the message
    // of that kind in flight.
    template <class Io, class Fill>
    bool send_qq(Io& io, port_role side, std::uint32_t slot, tcp_msg kind, Fill&& fill) noexcept {
        if (!batch_) msg_len_ = 0;
        const proto::byte_span room = proto::byte_span{msg_}.subspan(msg_len_ + proto::tcp_length_size);
        const std::size_t n = room.empty() ? 0 : fill(room);
        if (n == 0 || proto::frame_tcp_packet(proto::byte_span{msg_}.subspan(msg_len_), n) == 0) {
            ++c_.encode_failures;
            return false;
        }
        msg_len_ += proto::tcp_length_size + n;
        return batch_ || send_message(io, side, slot, kind, false);
    }

    // The client's retransmission timer fired: SYN, or every message in
    // flight rebuilt by rebuild(tcp_msg) (in sequence order), or the FIN.
    // Returns false when nothing of ours was missing.
    template <class Io, class Rebuild>
    bool retransmit(Io& io, port_role side, std::uint32_t slot, Rebuild&& rebuild) noexcept {
        tcp_endpoint& e = ep(side, slot);
        if (e.state == tcp_state::syn_sent || e.state == tcp_state::syn_received) {
            ++c_.tcp.retransmits[index_of(side)];
            send_syn(io, side, slot);
            return true;
        }
        if (!e.in_flight()) return false;
        const std::array<tcp_msg, 2> kinds = e.kind;
        for (tcp_msg k : kinds)
            if (k != tcp_msg::none) rebuild(k);
        if (kinds[0] == tcp_msg::none) close(io, side, slot);  // only the FIN
        return true;
    }

    // The next send_qq of a request goes where the request was first sent
    // (the client's timer, when the request is acknowledged but unanswered).
    void resend_request_at_its_place() noexcept { resend_request_ = true; }

    // --- arriving segments -------------------------------------------------------

    // A segment of (slot)'s connection on `side` (already matched to the
    // slot by address). Handler: on_syn(), on_established(),
    // on_frame(const parsed_frame&) with the payload one QQ packet,
    // on_reset(tcp_state was), on_fin(), on_closed(), rebuild(tcp_msg) (send
    // the message of that kind in flight again, through send_qq).
    template <class Io, class Handler>
    void on_segment(Io& io, port_role side, std::uint32_t slot, std::uint8_t server, const proto::parsed_frame& f,
                    Handler& h) noexcept {
        tcp_endpoint& e = ep(side, slot);
        const std::size_t p = index_of(side);
        const proto::tcp_fields& t = f.tcp;
        const bool syn = (t.flags & proto::tcp_flag::syn) != 0, ack = (t.flags & proto::tcp_flag::ack) != 0;
        const bool fin = (t.flags & proto::tcp_flag::fin) != 0;
        rx_slot_ = slot;
        if ((t.flags & proto::tcp_flag::rst) != 0) {
            // RFC 9293 3.10.7.3: in SYN-SENT a RST counts if it acknowledges
            // the SYN; else (RFC 5961 3.2) only at exactly rcv_nxt.
            const bool valid = e.state == tcp_state::syn_sent ? ack && t.ack == e.snd_nxt
                                                              : e.state != tcp_state::closed && t.seq == e.rcv_nxt;
            if (!valid) return;
            ++c_.tcp.rst_received[p];
            const tcp_state was = e.state;
            e.reset_closed();
            h.on_reset(was);
            return;
        }
        if (side == port_role::server && syn && !ack) {
            on_syn(io, slot, server, f, h);
            return;
        }
        if (e.state == tcp_state::closed) {
            reset_unknown(io, side, f);
            return;
        }
        if (e.state == tcp_state::syn_sent) {
            if (syn && ack && t.ack == e.snd_nxt) {
                e.snd_una = t.ack;
                e.rcv_nxt = t.seq + 1;
                e.peer_mss = t.options.mss.value_or(536);
                e.state = tcp_state::established;
                emit(io, side, slot, e.snd_nxt, proto::tcp_flag::ack, {});
                h.on_established();
            } else if (ack) {
                reset_unknown(io, side, f);  // RFC 9293 3.10.7.3: an unacceptable ACK
            }
            return;
        }
        if (syn) {  // our ACK of the handshake was lost: acknowledge again
            ++c_.tcp.duplicate[p];
            emit(io, side, slot, e.snd_nxt, proto::tcp_flag::ack, {});
            return;
        }
        if (!ack) return;                // RFC 9293 3.10.7.4 fifth check
        if (seq_gt(t.ack, e.snd_nxt)) {  // acknowledges what was never sent
            emit(io, side, slot, e.snd_nxt, proto::tcp_flag::ack, {});
            return;
        }
        if (e.state == tcp_state::syn_received) {
            if (t.ack != e.snd_nxt) {
                reset_unknown(io, side, f);
                return;
            }
            e.snd_una = t.ack;
            e.state = tcp_state::established;
            ++c_.tcp.accepted;
        } else if (!on_ack(io, side, slot, f, h)) {
            return;
        }
        if (!f.payload.empty() || fin) on_data(io, side, slot, f, h);
        if (e.state == tcp_state::closed) return;
        if ((e.flags & tcp_ep_flag::close_queued) != 0) {
            e.flags &= static_cast<std::uint8_t>(~tcp_ep_flag::close_queued);
            close(io, side, slot);
        }
        if ((e.flags & tcp_ep_flag::ack_owed) != 0) emit(io, side, slot, e.snd_nxt, proto::tcp_flag::ack, {});
    }

private:
    // The ACK field of a synchronized connection. False: the connection ended.
    template <class Io, class Handler>
    bool on_ack(Io& io, port_role side, std::uint32_t slot, const proto::parsed_frame& f, Handler& h) noexcept {
        tcp_endpoint& e = ep(side, slot);
        const bool fresh = e.acknowledge(f.tcp.ack);
        const bool pure = f.payload.empty() && (f.tcp.flags & proto::tcp_flag::fin) == 0;
        // A duplicate ACK (RFC 5681 2) while something of ours is in flight:
        // the peer lacks it (it acknowledges every segment it cannot use at
        // once), so what can be rebuilt goes again (docs/tcp.md
        // "Retransmission").
        // Once until something new is acknowledged or received (RFC 5681
        // 3.2 fast retransmit, without waiting for three), so that two sides
        // missing each other's segments do not bounce retransmissions.
        // The server answers every duplicate ACK so: what it has in flight
        // may have no timer of its own (a push whose relay moved on, the FIN
        // after it), and the client paces its duplicate ACKs with its
        // back-off timer; what the server resends from snd_una is in order
        // for the client, whose answer then acknowledges something new (no
        // bounce). The client keeps the once-rule: its own timer drives it.
        const bool answer_every = side == port_role::server;
        if (!fresh && pure && e.in_flight() && f.tcp.ack == e.snd_una &&
            ((e.flags & tcp_ep_flag::fast_sent) == 0 || answer_every)) {
            e.flags |= tcp_ep_flag::fast_sent;
            retransmit(io, side, slot, [&](tcp_msg k) { h.rebuild(k); });
        }
        if (!fresh || (e.flags & tcp_ep_flag::fin_sent) == 0 || e.in_flight()) return true;
        // Our FIN is acknowledged.
        if (e.state == tcp_state::fin_wait_1) {
            e.state = tcp_state::fin_wait_2;
        } else if (e.state == tcp_state::closing || e.state == tcp_state::last_ack) {
            e.state = e.state == tcp_state::closing ? tcp_state::time_wait : tcp_state::closed;
            h.on_closed();  // may free the endpoint or open it again: nothing more of this segment
            return false;
        }
        return true;
    }

    // Payload and FIN: the whole frames of the in-order part go to the
    // handler; rcv_nxt moves first, so that answers sent from the handler
    // acknowledge them.
    template <class Io, class Handler>
    void on_data(Io& io, port_role side, std::uint32_t slot, const proto::parsed_frame& f, Handler& h) noexcept {
        tcp_endpoint& e = ep(side, slot);
        const std::size_t p = index_of(side);
        const std::uint32_t len = static_cast<std::uint32_t>(f.payload.size());
        const bool fin = (f.tcp.flags & proto::tcp_flag::fin) != 0;
        e.flags |= tcp_ep_flag::ack_owed;
        if (seq_gt(f.tcp.seq, e.rcv_nxt)) {  // a hole before it: no queue, the peer sends again
            ++c_.tcp.out_of_order[p];
            return;
        }
        const std::uint32_t skip = e.rcv_nxt - f.tcp.seq;
        proto::parsed_frame one = f;
        auto deliver = [&](proto::const_byte_span packet) noexcept {
            one.payload = packet;
            h.on_frame(one);
        };
        if (skip >= len) {
            if (len != 0) {
                ++c_.tcp.duplicate[p];
                // The client sends old data again (its timer, with back-off)
                // and still lacks ours from snd_una: what is in flight goes
                // first (a push ahead of the reply the replay brings), so the
                // reply does not arrive behind a hole again. (A duplicate ACK
                // triggers this only once; a push whose relay has moved on has
                // no timer: this is what brings it.)
                if (side == port_role::server && e.in_flight() && f.tcp.ack == e.snd_una)
                    retransmit(io, side, slot, [&](tcp_msg k) {
                        if (k != tcp_msg::reply) h.rebuild(k);
                    });
                replaying_ = true;  // answers may only be retransmissions
                (void)proto::for_each_tcp_frame(f.payload, tcp_message_capacity, deliver);
                replaying_ = false;
            }
            if (fin && skip == len && !fin_received(e.state)) take_fin(io, side, slot, h, true);
            return;
        }
        proto::const_byte_span data = f.payload.subspan(skip);
        // The rest of a frame whose first part a middlebox sent alone.
        if (tcp_held_part* held = split_.find(side, slot, e); held != nullptr) {
            const std::size_t took = complete_held(e, *held, data, deliver);
            if (took == npos) {
                stream_broken(io, side, slot, h);
                return;
            }
            e.flags &= static_cast<std::uint8_t>(~tcp_ep_flag::fast_sent);
            data = data.subspan(took);
            if ((e.flags & tcp_ep_flag::split_held) != 0) {  // still not whole
                held->end_seq = e.rcv_nxt;
                if (fin && !fin_received(e.state)) ++c_.tcp.partial_frames[p];  // a FIN inside a frame: ignored
                return;
            }
        } else {
            e.flags &= static_cast<std::uint8_t>(~tcp_ep_flag::split_held);
        }
        const auto walk = proto::for_each_tcp_frame(data, tcp_message_capacity, [](proto::const_byte_span) noexcept {});
        if (!walk.ok()) {  // a length no QQ frame can have: the stream cannot be followed
            stream_broken(io, side, slot, h);
            return;
        }
        e.rcv_nxt += static_cast<std::uint32_t>(walk.consumed);
        if (walk.consumed != 0) e.flags &= static_cast<std::uint8_t>(~tcp_ep_flag::fast_sent);
        bool partial = walk.partial;
        if (partial) {
            ++c_.tcp.partial_frames[p];
            partial = !hold_partial(side, slot, e, data.subspan(walk.consumed));
        }
        const bool fin_now = fin && !partial && !fin_received(e.state) && (e.flags & tcp_ep_flag::split_held) == 0;
        if (fin_now) ++e.rcv_nxt;
        (void)proto::for_each_tcp_frame(data.first(walk.consumed), tcp_message_capacity, deliver);
        if (fin_now && e.state != tcp_state::closed) take_fin(io, side, slot, h, false);
    }

    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    // Appends what `data` brings of the held frame (its length field first)
    // and moves rcv_nxt past it; delivers the frame once whole (answers then
    // acknowledge it) and frees the part. Returns the bytes taken, or npos
    // for a length no QQ frame can have.
    template <class Deliver>
    std::size_t complete_held(tcp_endpoint& e, tcp_held_part& held, proto::const_byte_span data,
                              Deliver& deliver) noexcept {
        std::size_t took = 0;
        auto take = [&](std::size_t upto) {
            const std::size_t n = std::min(upto - held.size, data.size() - took);
            std::copy_n(data.data() + took, n, held.bytes.data() + held.size);
            held.size = static_cast<std::uint16_t>(held.size + n);
            took += n;
        };
        if (held.size < proto::tcp_length_size) take(proto::tcp_length_size);
        std::size_t want = proto::tcp_length_size;
        if (held.size >= proto::tcp_length_size) {
            want = proto::load_be16(held.bytes.data());
            if (want < proto::min_tcp_frame || want > held.bytes.size()) return npos;
            take(want);
        }
        e.rcv_nxt += static_cast<std::uint32_t>(took);
        if (held.size < want || want == proto::tcp_length_size) return took;
        // Whole: the endpoint holds nothing any more (before the handler
        // runs, which may answer or close); the part is freed after it.
        e.flags &= static_cast<std::uint8_t>(~tcp_ep_flag::split_held);
        deliver(proto::const_byte_span{held.bytes}.subspan(proto::tcp_length_size, want - proto::tcp_length_size));
        split_.release(held);
        return took;
    }

    // Keeps the start of a frame that does not end in its segment, and
    // acknowledges it; false when no part is free (then it is not
    // acknowledged, and the sender's retransmission brings it again).
    bool hold_partial(port_role side, std::uint32_t slot, tcp_endpoint& e, proto::const_byte_span rest) noexcept {
        if (rest.size() > tcp_split_capacity) return false;
        tcp_held_part* held = split_.take(side, slot, [this](std::uint8_t s, std::uint32_t owner, std::uint32_t end) {
            const tcp_endpoint& o = ep_[s][owner];
            return (o.flags & tcp_ep_flag::split_held) != 0 && o.rcv_nxt == end;
        });
        if (held == nullptr) return false;
        std::copy_n(rest.data(), rest.size(), held->bytes.data());
        held->size = static_cast<std::uint16_t>(rest.size());
        e.rcv_nxt += static_cast<std::uint32_t>(rest.size());
        held->end_seq = e.rcv_nxt;
        e.flags |= tcp_ep_flag::split_held;
        return true;
    }

    template <class Io, class Handler>
    void stream_broken(Io& io, port_role side, std::uint32_t slot, Handler& h) noexcept {
        ++c_.tcp.dropped_stream;
        abort(io, side, slot);
        h.on_reset(tcp_state::established);
    }

    static bool fin_received(tcp_state s) noexcept {
        return s == tcp_state::close_wait || s == tcp_state::closing || s == tcp_state::last_ack ||
               s == tcp_state::time_wait;
    }

    // The peer's FIN, in order (rcv_nxt already past it unless `advance`).
    // TIME-WAIT is entered but not kept (docs/tcp.md "Closing"): the last
    // ACK goes out first, then the half may free or reuse the endpoint.
    template <class Io, class Handler>
    void take_fin(Io& io, port_role side, std::uint32_t slot, Handler& h, bool advance) noexcept {
        tcp_endpoint& e = ep(side, slot);
        if (advance) ++e.rcv_nxt;
        e.flags |= tcp_ep_flag::ack_owed;
        switch (e.state) {
            case tcp_state::established:
                e.state = tcp_state::close_wait;
                h.on_fin();
                return;
            case tcp_state::fin_wait_1:
                e.state = tcp_state::closing;
                return;
            case tcp_state::fin_wait_2:
                e.state = tcp_state::time_wait;
                emit(io, side, slot, e.snd_nxt, proto::tcp_flag::ack, {});
                h.on_closed();
                return;
            default:
                return;
        }
    }

    template <class Io, class Handler>
    void on_syn(Io& io, std::uint32_t slot, std::uint8_t server, const proto::parsed_frame& f, Handler& h) noexcept {
        tcp_endpoint& e = ep(port_role::server, slot);
        if (e.state != tcp_state::closed && e.state != tcp_state::time_wait && e.server == server &&
            f.tcp.seq + 1 == e.rcv_nxt) {
            // The same SYN again: our SYN-ACK was lost (or our ACK is late).
            ++c_.tcp.retransmits[index_of(port_role::server)];
            if (e.state == tcp_state::syn_received)
                send_syn(io, port_role::server, slot);
            else
                emit(io, port_role::server, slot, e.snd_nxt, proto::tcp_flag::ack, {});
            return;
        }
        e.server = server;
        e.open(isn(port_role::server, slot, server), tcp_state::syn_received);
        e.rcv_nxt = f.tcp.seq + 1;
        e.peer_mss = f.tcp.options.mss.value_or(536);
        h.on_syn();
        send_syn(io, port_role::server, slot);
    }

    template <class Io>
    void send_syn(Io& io, port_role side, std::uint32_t slot) noexcept {
        const std::uint8_t flags =
            side == port_role::client ? proto::tcp_flag::syn : proto::tcp_flag::syn | proto::tcp_flag::ack;
        emit(io, side, slot, ep(side, slot).snd_una, flags, {}, true);
    }

    void mark_fin_sent(tcp_endpoint& e) noexcept {
        e.flags |= tcp_ep_flag::fin_sent;
        ++e.snd_nxt;
        e.state = e.state == tcp_state::close_wait ? tcp_state::last_ack : tcp_state::fin_wait_1;
    }

    // The message in msg_ (msg_len_ bytes).
    template <class Io>
    bool send_message(Io& io, port_role side, std::uint32_t slot, tcp_msg kind, bool fin) noexcept {
        tcp_endpoint& e = ep(side, slot);
        const std::size_t n = msg_len_;
        msg_len_ = 0;
        const std::size_t mss = std::min<std::size_t>({own_mss(), e.peer_mss});
        if (n > mss || n > 0xFFFF) {
            ++c_.tcp.frame_too_big;
            return false;
        }
        const proto::const_byte_span bytes = proto::const_byte_span{msg_}.first(n);
        if (const int i = e.find(kind); i >= 0) {
            // In flight: the unacknowledged tail again, where it was.
            const std::uint16_t left = e.len[static_cast<std::size_t>(i)];
            if (left > n) {
                ++c_.tcp.rebuild_mismatch;
                return false;
            }
            const bool last = i == 1 || e.kind[1] == tcp_msg::none;
            std::uint8_t flags = proto::tcp_flag::ack | proto::tcp_flag::psh;
            if (last && e.fin_unacked()) flags |= proto::tcp_flag::fin;
            ++c_.tcp.retransmits[index_of(side)];
            return emit(io, side, slot, e.seq_of(i), flags, bytes.subspan(n - left));
        }
        if (kind == tcp_msg::request && resend_request_) {
            // Acknowledged but unanswered: sent again where it was, so that
            // the server replays it and retransmits its answer.
            resend_request_ = false;
            ++c_.tcp.retransmits[index_of(side)];
            return emit(io, side, slot, e.note, proto::tcp_flag::ack | proto::tcp_flag::psh, bytes);
        }
        if (replaying_) return false;  // an answer already sent and acknowledged
        const std::uint32_t seq = e.snd_nxt;
        if (kind == tcp_msg::request) e.note = seq;
        if (!e.can_send() || !e.append(kind, static_cast<std::uint16_t>(n))) {
            ++c_.tcp.send_blocked;
            return false;
        }
        std::uint8_t flags = proto::tcp_flag::ack | proto::tcp_flag::psh;
        if (fin) {
            flags |= proto::tcp_flag::fin;
            mark_fin_sent(e);
        }
        return emit(io, side, slot, seq, flags, bytes);
    }

    // What fits a 1500-byte IP packet: 40 bytes of IPv6 header, not 20.
    [[nodiscard]] std::uint16_t own_mss() const noexcept {
        return s_.ip_version == 6 && s_.tcp_mss > 1440 ? std::uint16_t{1440} : s_.tcp_mss;
    }

    [[nodiscard]] tcp_tuple tuple(port_role side, std::uint32_t slot) const noexcept {
        const session_record& r = t_[slot];
        if (side == port_role::client) {
            // The connection's server, which a redirect changes only for the next one.
            const proto::ip_address& server = s_.login_servers[ep_[0][slot].server];
            const client_endpoint me = id_.endpoint(slot, r.incarnation, server, s_.tcp_server_port);
            return {me.ip, me.port, server, s_.tcp_server_port};
        }
        const client_endpoint peer = t_.seen(slot);
        return {s_.login_servers[ep_[1][slot].server], s_.tcp_server_port, peer.ip, peer.port};
    }

    // A segment of the connection: ACK (when flagged) = rcv_nxt.
    template <class Io>
    bool emit(Io& io, port_role side, std::uint32_t slot, std::uint32_t seq, std::uint8_t flags,
              proto::const_byte_span payload, bool syn_options = false) noexcept {
        tcp_endpoint& e = ep(side, slot);
        proto::tcp_fields t;
        t.seq = seq;
        t.flags = flags;
        t.ack = (flags & proto::tcp_flag::ack) != 0 ? e.rcv_nxt : 0;
        t.window = syn_options ? tcp_syn_window : tcp_window;
        if (syn_options) {  // RFC 9293 3.7.1 MSS, RFC 7323 2.2 window scale
            t.options.mss = own_mss();
            t.options.window_scale = tcp_window_scale;
        }
        if (!write(io, side, tuple(side, slot), t, payload)) return false;
        if ((flags & proto::tcp_flag::ack) != 0) e.flags &= static_cast<std::uint8_t>(~tcp_ep_flag::ack_owed);
        return true;
    }

    template <class Io>
    bool write(Io& io, port_role side, const tcp_tuple& to, const proto::tcp_fields& t,
               proto::const_byte_span payload) noexcept {
        const std::size_t p = index_of(side);
        const proto::byte_span buf = io.tx_begin(side);
        if (buf.empty()) {
            ++c_.tx_no_buffer[p];
            return false;
        }
        const std::size_t n = f_.tcp(side, buf, to.src, to.src_port, to.dst, to.dst_port, t, payload);
        if (n == 0) {
            io.tx_abort(side);
            ++c_.encode_failures;
            return false;
        }
        io.tx_commit(side, static_cast<std::uint16_t>(n));
        ++c_.frames_sent[p];
        ++c_.tcp.segments_sent[p];
        return true;
    }

    const load_settings& s_;
    const session_identity& id_;
    session_table& t_;
    frame_writer& f_;
    engine_counters& c_;
    std::array<std::vector<tcp_endpoint>, 2> ep_;  // per side, per slot
    tcp_split_frames split_;
    std::array<std::byte, tcp_message_capacity> msg_{};
    std::size_t msg_len_ = 0;
    std::uint32_t rx_slot_ = 0;
    bool batch_ = false;
    bool replaying_ = false;
    bool resend_request_ = false;
};

}  // namespace qqgen::engine
