// The server half of one worker's sessions, answering on the server port as
// the DNS resolver and the QQ login servers: tokens, redirect or login OK,
// status, friend-list and online pages, chat acks with the relay of each
// message to the buddy (0x0017, resent until the buddy acknowledges it),
// keep-alive replies; logouts are taken without reply.
//
// Every request is decrypted and compared with what the client half must
// have sent, re-derived from the session's identity and the request's
// sequence offset or message number. What does not match is counted
// (server_check_counters::corrupt) and not answered, as a real server drops
// garbage; the client's resend gets its chance. Sequence offsets are tracked
// per session with a 32-bit window (the anti-replay window of IPsec, RFC
// 4303 3.4.3): a resend already answered is a duplicate (answered again, as
// a real server would), a late request a hole was left for is out of order,
// holes count as missing until filled.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "dataplane/engine/chat_messages.hpp"
#include "dataplane/engine/engine_core.hpp"
#include "dataplane/engine/server_replies.hpp"
#include "protocols/dns.hpp"
#include "protocols/qq_friends.hpp"
#include "protocols/qq_header.hpp"
#include "protocols/qq_im.hpp"
#include "protocols/qq_keepalive.hpp"
#include "protocols/qq_login.hpp"
#include "protocols/qq_logout.hpp"
#include "protocols/qq_status.hpp"
#include "protocols/qq_tea.hpp"

namespace qqgen::engine {

// How soon a push that had to wait for another push to the same TCP user
// tries again.
inline constexpr std::uint32_t tcp_push_retry_ms = 5;

class server_half {
public:
    explicit server_half(engine_core& core) noexcept : c_(core), replies_(core) {}

    // A new user took `slot` (its incarnation already set): forget the old one.
    void reset(std::uint32_t slot) noexcept {
        session_record& r = c_.table[slot];
        if ((r.sflags & server_flag::relay_pending) != 0) {
            ++c_.counters.messages.lost;
            c_.timers.cancel(c_.table.relay_timer_id(slot));
        }
        if (r.sstate == server_state::logged_in) --c_.logged_in;
        r.sstate = server_state::fresh;
        r.sflags = 0;
        r.login_server = 0;
        r.relay_tries = 0;
        r.seen_next = 0;
        r.seen_bits = 0;
        r.push_sequence = static_cast<std::uint16_t>(c_.identity.draw(draw_kind::push_sequence, slot, r.incarnation));
        r.relay_message = 0;
        r.relay_sequence = 0;
        r.message_sent_us = 0;
        r.delivered = 0;
    }

    // For the burst's batch decryption (rx_plaintexts.hpp): the key on_qq
    // will decrypt this UDP frame's body with: the session key of the user
    // the header names, or for a login the initial key its login block is
    // encrypted with (not for a token request, which has no encrypted body).
    // A guess: on_qq checks all.
    void guess_body(const proto::parsed_frame& f, body_guess& guess) const noexcept {
        if (f.dst_port != c_.settings.login_server_port) return;
        const auto pk = proto::decode_client_packet(f.payload);
        if (!pk || pk.value.header.command == proto::qq_command::request_login_token) return;
        const std::uint32_t slot = c_.identity.slot_of_qq(pk.value.header.qq_number);
        if (slot == no_slot || (c_.table[slot].cflags & client_flag::used) == 0) return;
        const std::uint32_t inc = c_.table[slot].incarnation;
        if (pk.value.header.command == proto::qq_command::login) {
            // The login block, under the initial key (on_login).
            const auto req = proto::decode_login_request(pk.value.body);
            if (!req) return;
            guess.cipher = req.value.ciphertext;
            guess.add(c_.identity.initial_key(slot, inc));
            return;
        }
        guess.cipher = pk.value.body;
        guess.add(c_.identity.session_key(slot, inc));
    }

    // A frame for the server port that parsed as UDP over IP of our version.
    template <class Io>
    void on_frame(Io& io, const proto::parsed_frame& f) noexcept {
        if (f.dst_port == 53 && f.dst_ip == c_.settings.dns_server) {
            on_dns(io, f);
            return;
        }
        const int k = f.dst_port == c_.settings.login_server_port ? c_.server_index_of(f.dst_ip) : -1;
        if (k < 0) {
            refuse(refuse_reason::not_for_us);
            return;
        }
        on_qq(io, f, static_cast<std::uint8_t>(k));
    }

    // A TCP segment for the server port (docs/tcp.md). A SYN carries no QQ
    // number: the session is found from the client endpoint (no NAT between
    // the ports for TCP users), and every frame's QQ number is then checked
    // as for UDP.
    template <class Io>
    void on_tcp(Io& io, const proto::parsed_frame& f) noexcept {
        const int k = f.dst_port == c_.settings.tcp_server_port ? c_.server_index_of(f.dst_ip) : -1;
        if (k < 0) {
            refuse(refuse_reason::not_for_us);
            return;
        }
        const endpoint_owner who = c_.identity.owner_of(f.src_ip, f.src_port, f.dst_ip, f.dst_port);
        const session_record* r = who.slot == no_slot ? nullptr : &c_.table[who.slot];
        if (r == nullptr || (r->cflags & (client_flag::used | client_flag::tcp)) != (client_flag::used | client_flag::tcp) ||
            who.generation != c_.identity.generation_of(r->incarnation)) {
            c_.tcp.reset_unknown(io, port_role::server, f);
            refuse(r == nullptr ? refuse_reason::unknown_session : refuse_reason::stale_incarnation);
            return;
        }
        tcp_events<Io> h{*this, io, who.slot, f};
        c_.tcp.on_segment(io, port_role::server, who.slot, static_cast<std::uint8_t>(k), f, h);
    }

    // The relay timer of `sender`'s pending 0x0017 fired.
    template <class Io>
    void on_relay_timer(Io& io, std::uint32_t sender) noexcept {
        session_record& a = c_.table[sender];
        if ((a.sflags & server_flag::relay_pending) == 0) return;
        if (a.relay_tries >= c_.settings.resend_tries) {
            ++c_.counters.messages.lost;
            a.sflags &= static_cast<std::uint8_t>(~server_flag::relay_pending);
            abort_unacknowledged_push(io, sender);
            return;
        }
        if (c_.table[c_.buddies.partner(sender, a.relay_message)].sstate != server_state::logged_in) {
            ++c_.counters.messages.offline;
            a.sflags &= static_cast<std::uint8_t>(~server_flag::relay_pending);
            return;
        }
        if (a.relay_tries > 0) ++c_.counters.messages.relay_resends;  // 0: it waited for another push
        push(io, sender);
    }

private:
    using view = proto::client_packet_view;

    // What the transport reports of one server-side segment.
    template <class Io>
    struct tcp_events {
        server_half& half;
        Io& io;
        std::uint32_t slot;
        const proto::parsed_frame& segment;

        void on_syn() noexcept { half.c_.table.set_seen(slot, segment.src_ip, segment.src_port); }
        void on_established() noexcept {}
        void on_frame(const proto::parsed_frame& f) noexcept {
            half.on_qq(io, f, half.c_.tcp.ep(port_role::server, slot).server);
        }
        void on_reset(tcp_state) noexcept {}
        // The client closed (or answers our FIN): nothing more to say.
        void on_fin() noexcept { half.c_.tcp.close(io, port_role::server, slot); }
        void on_closed() noexcept {}
        // A push is rebuilt from what the endpoint noted, not from the
        // sender's relay (which may have moved on); a reply only from a
        // request the client sends again.
        void rebuild(tcp_msg k) noexcept {
            if (k == tcp_msg::push) half.resend_noted_push(io, slot);
        }
    };

    // With the server closing (tcp_closer), a TCP user's connection ends
    // after the logouts and after a redirect.
    void close_if_server_closes(std::uint32_t slot) noexcept {
        if ((c_.table[slot].cflags & client_flag::tcp) != 0 && c_.settings.tcp_closer == tcp_closer_server &&
            c_.tcp.rx_slot() == slot)
            c_.tcp.close_after_segment(slot);
    }

    void refuse(refuse_reason why) noexcept {
        ++c_.counters.refused[index_of(port_role::server)][static_cast<std::size_t>(why)];
    }
    void corrupt() noexcept { ++c_.counters.server.corrupt; }

    proto::const_byte_span decrypt(const proto::tea_key& key, proto::const_byte_span cipher, bool& ok) noexcept {
        return c_.decrypt(key, cipher, ok);
    }

    // Records sequence offset `off` as received; true the first time.
    bool accept(session_record& r, std::uint32_t off) noexcept {
        auto& s = c_.counters.server;
        if (off >= r.seen_next) {
            const std::uint32_t gap = off - r.seen_next;
            s.missing += gap;
            r.seen_bits = gap + 1 >= 32 ? 1u : (r.seen_bits << (gap + 1)) | 1u;
            r.seen_next = static_cast<std::uint16_t>(off + 1);
            return true;
        }
        const std::uint32_t back = r.seen_next - 1u - off;
        if (back >= 32 || (r.seen_bits & (1u << back)) != 0) {
            ++s.duplicate;
            return false;
        }
        r.seen_bits |= 1u << back;
        ++s.out_of_order;
        if (s.missing > 0) --s.missing;
        return true;
    }

    // --- DNS ------------------------------------------------------------------

    template <class Io>
    void on_dns(Io& io, const proto::parsed_frame& f) noexcept {
        const auto q = proto::decode_dns_query(f.payload);
        if (!q) {
            refuse(refuse_reason::undecodable);
            return;
        }
        ++c_.counters.server.dns_queries;
        int index = -1;
        if (q.value.qtype == proto::dns_type::a && q.value.qclass == proto::dns_class_in)
            for (int i = 0; i < c_.settings.login_server_count; ++i)
                if (q.value.name.view() == c_.settings.login_server_name(static_cast<std::size_t>(i))) index = i;
        if (index < 0) ++c_.counters.server.dns_unknown_name;
        replies_.dns(io, f, q.value, index);
    }

    // --- QQ ---------------------------------------------------------------------

    template <class Io>
    void on_qq(Io& io, const proto::parsed_frame& f, std::uint8_t k) noexcept {
        const auto pk = proto::decode_client_packet(f.payload);
        if (!pk) {
            refuse(refuse_reason::undecodable);
            return;
        }
        const view& v = pk.value;
        const std::uint32_t slot = c_.identity.slot_of_qq(v.header.qq_number);
        if (slot == no_slot || (c_.table[slot].cflags & client_flag::used) == 0) {
            refuse(refuse_reason::unknown_session);
            return;
        }
        session_record& r = c_.table[slot];
        if (v.header.command == proto::qq_command::logout) {
            on_logout(slot, v);
            return;
        }
        if (v.header.command == proto::qq_command::receive_message) {
            on_push_ack(slot, v);
            return;
        }
        const std::int32_t off = c_.identity.sequence_offset(slot, r.incarnation, v.header.sequence);
        if (off < 0) {
            if (r.incarnation > 0 && c_.identity.sequence_offset(slot, r.incarnation - 1, v.header.sequence) >= 0)
                refuse(refuse_reason::stale_incarnation);
            else
                corrupt();
            return;
        }
        ++c_.counters.server.requests;
        const auto o = static_cast<std::uint32_t>(off);
        switch (v.header.command) {
        case proto::qq_command::request_login_token: on_token(io, f, slot, o, v); return;
        case proto::qq_command::login: on_login(io, f, k, slot, o, v); return;
        case proto::qq_command::set_status: on_status(io, f, slot, o, v); return;
        case proto::qq_command::get_friend_list: on_friends(io, f, slot, o, v); return;
        case proto::qq_command::get_friends_online: on_online(io, f, slot, o, v); return;
        case proto::qq_command::send_message: on_message(io, f, slot, o, v); return;
        case proto::qq_command::keep_alive: on_keepalive(io, f, slot, o, v); return;
        default: corrupt(); return;
        }
    }

    std::uint64_t seed(std::uint32_t slot, std::uint32_t off) const noexcept {
        return pad_seed(c_, slot, c_.table[slot].incarnation, pad_purpose::server_reply, off);
    }

    template <class Io>
    void on_token(Io& io, const proto::parsed_frame& f, std::uint32_t slot, std::uint32_t off, const view& v) noexcept {
        session_record& r = c_.table[slot];
        // Signature form: 00 and zero padding; plain: exactly 00.
        bool ok = !v.body.empty() && v.body[0] == std::byte{0};
        if (v.signature)
            for (std::byte b : v.body) ok = ok && b == std::byte{0};
        else
            ok = ok && proto::decode_login_token_request(v.body).ok();
        if (!ok) {
            corrupt();
            return;
        }
        accept(r, off);
        c_.table.set_seen(slot, f.src_ip, f.src_port);
        if (r.sstate == server_state::fresh) r.sstate = server_state::greeted;
        std::array<std::byte, token_size> token{};
        c_.identity.token(slot, r.incarnation, off, token);
        replies_.token(io, f, v.header.sequence, token);
    }

    template <class Io>
    void on_login(Io& io, const proto::parsed_frame& f, std::uint8_t k, std::uint32_t slot, std::uint32_t off,
                  const view& v) noexcept {
        session_record& r = c_.table[slot];
        const proto::tea_key initial = c_.identity.initial_key(slot, r.incarnation);
        const auto req = proto::decode_login_request(v.body);
        if (!req || off == 0 || !same_bytes(req.value.initial_key, initial.bytes)) {
            corrupt();
            return;
        }
        bool ok = false;
        const auto plain = decrypt(initial, req.value.ciphertext, ok);
        const auto block = ok ? proto::decode_login_block(plain) : proto::result<proto::login_block>{};
        std::array<std::byte, token_size> token{};
        c_.identity.token(slot, r.incarnation, off - 1, token);
        if (!ok || !block || block.value.login_mode != proto::login_mode_online || !same_bytes(block.value.token, token)) {
            corrupt();
            return;
        }
        // The password check must be TEA(password key, "").
        const proto::tea_key pw_key = c_.identity.password_key(slot);
        std::array<std::byte, proto::password_check_size> check_plain{};
        const auto check = proto::tea_decrypt(pw_key, block.value.password_check, check_plain);
        if (!check || check.value != 0) {
            corrupt();
            return;
        }
        const bool fresh = accept(r, off);
        c_.table.set_seen(slot, f.src_ip, f.src_port);
        const proto::server_header h = replies_.header(proto::qq_command::login, v.header.sequence);
        // The deferred login: the first login of a user is redirected with
        // the configured probability; the client starts again at the token
        // step against the other server (qq-protocol.md step 4).
        if (off == 1 && c_.identity.redirected(slot, r.incarnation)) {
            if (fresh) ++c_.counters.server.redirects;
            if (r.sstate != server_state::logged_in) r.sstate = server_state::redirected;
            proto::login_redirect rd;
            rd.uid = v.header.qq_number;
            rd.new_server_ip = c_.server_ip32(c_.identity.redirect_target(k));
            rd.new_server_port = c_.qq_port(slot);
            replies_.encrypted(io, f, h, initial, seed(slot, off),
                               [&](proto::byte_span p) { return proto::encode_login_redirect(rd, p); });
            if (f.protocol == proto::ip_protocol::tcp) close_if_server_closes(slot);
            return;
        }
        if (fresh) ++c_.counters.server.logins_ok;
        if (r.sstate != server_state::logged_in) {
            r.sstate = server_state::logged_in;
            ++c_.logged_in;
        }
        r.login_server = k;
        proto::login_ok lo;
        lo.session_key = c_.identity.session_key(slot, r.incarnation).bytes;
        lo.uid = v.header.qq_number;
        lo.client_ip = c_.ip32(f.src_ip);
        lo.client_port = f.src_port;
        lo.server_ip = c_.server_ip32(k);
        lo.server_port = c_.qq_port(slot);
        lo.login_time = c_.unix_time();
        replies_.encrypted(io, f, h, pw_key, seed(slot, off),
                           [&](proto::byte_span p) { return proto::encode_login_ok(lo, p); });
    }

    template <class Io>
    void on_status(Io& io, const proto::parsed_frame& f, std::uint32_t slot, std::uint32_t off, const view& v) noexcept {
        session_record& r = c_.table[slot];
        const proto::tea_key key = c_.identity.session_key(slot, r.incarnation);
        bool ok = false;
        const auto plain = decrypt(key, v.body, ok);
        const auto req = ok ? proto::decode_set_status_request(plain) : proto::result<proto::set_status_request>{};
        if (!ok || !req || req.value.status != proto::status_online || req.value.misc_status != 0) {
            corrupt();
            return;
        }
        accept(r, off);
        c_.table.set_seen(slot, f.src_ip, f.src_port);
        replies_.encrypted(io, f, replies_.header(proto::qq_command::set_status, v.header.sequence), key,
                           seed(slot, off), [](proto::byte_span p) {
                               return proto::encode_set_status_reply({proto::set_status_reply_ok}, p);
                           });
    }

    template <class Io>
    void on_friends(Io& io, const proto::parsed_frame& f, std::uint32_t slot, std::uint32_t off,
                    const view& v) noexcept {
        session_record& r = c_.table[slot];
        const proto::tea_key key = c_.identity.session_key(slot, r.incarnation);
        bool ok = false;
        const auto plain = decrypt(key, v.body, ok);
        const auto req = ok ? proto::decode_friend_list_request(plain) : proto::result<proto::friend_list_request>{};
        if (!ok || !req || req.value.start_position > c_.buddies.count(slot)) {
            corrupt();
            return;
        }
        accept(r, off);
        c_.table.set_seen(slot, f.src_ip, f.src_port);
        replies_.friend_page(io, f, replies_.header(proto::qq_command::get_friend_list, v.header.sequence), slot,
                             req.value.start_position, key, seed(slot, off));
    }

    template <class Io>
    void on_online(Io& io, const proto::parsed_frame& f, std::uint32_t slot, std::uint32_t off, const view& v) noexcept {
        session_record& r = c_.table[slot];
        const proto::tea_key key = c_.identity.session_key(slot, r.incarnation);
        bool ok = false;
        const auto plain = decrypt(key, v.body, ok);
        const auto req =
            ok ? proto::decode_online_friends_request(plain) : proto::result<proto::online_friends_request>{};
        if (!ok || !req || req.value.subcommand != proto::online_friends_subcommand ||
            req.value.start_position > c_.buddies.count(slot)) {
            corrupt();
            return;
        }
        accept(r, off);
        c_.table.set_seen(slot, f.src_ip, f.src_port);
        // Over TCP the page is noted in the connection (a replayed request
        // gets the same page); over UDP a resend is answered afresh.
        std::uint32_t udp_note = 0;
        const bool tcp = f.protocol == proto::ip_protocol::tcp;
        std::uint32_t& note = tcp ? c_.tcp.ep(port_role::server, slot).note : udp_note;
        replies_.online_page(io, f, replies_.header(proto::qq_command::get_friends_online, v.header.sequence), slot,
                             req.value.start_position, key, seed(slot, off), note, tcp && c_.tcp.replaying());
    }

    template <class Io>
    void on_message(Io& io, const proto::parsed_frame& f, std::uint32_t slot, std::uint32_t off,
                    const view& v) noexcept {
        session_record& r = c_.table[slot];
        const proto::tea_key key = c_.identity.session_key(slot, r.incarnation);
        bool ok = false;
        const auto plain = decrypt(key, v.body, ok);
        const auto im = ok ? proto::decode_send_im(plain) : proto::result<proto::send_im>{};
        const std::uint32_t m = im ? im.value.message.message_sequence : 0;
        if (!ok || !im || m >= c_.settings.messages_per_user() || c_.buddies.count(slot) == 0) {
            corrupt();
            return;
        }
        const proto::send_im& want = held_send_im(c_, slot, m);
        if (!same_header(im.value.header, want.header) || !same_text(im.value.message, want.message)) {
            corrupt();
            return;
        }
        const bool fresh = accept(r, off);
        c_.table.set_seen(slot, f.src_ip, f.src_port);
        replies_.encrypted(io, f, replies_.header(proto::qq_command::send_message, v.header.sequence), key,
                           seed(slot, off), [](proto::byte_span p) {
                               return proto::encode_send_im_reply({proto::send_im_reply_ok}, p);
                           });
        if (fresh) relay(io, slot, m);
    }

    // A new message of `sender`: relay it to the buddy (one relay per sender
    // in flight; a newer message supersedes an unacknowledged one).
    template <class Io>
    void relay(Io& io, std::uint32_t sender, std::uint32_t m) noexcept {
        session_record& a = c_.table[sender];
        if ((a.sflags & server_flag::relay_pending) != 0) {
            ++c_.counters.messages.superseded;
            c_.timers.cancel(c_.table.relay_timer_id(sender));
            a.sflags &= static_cast<std::uint8_t>(~server_flag::relay_pending);
        }
        session_record& b = c_.table[c_.buddies.partner(sender, m)];
        if (b.sstate != server_state::logged_in) {
            ++c_.counters.messages.offline;
            return;
        }
        a.relay_message = static_cast<std::uint16_t>(m);
        a.relay_sequence = b.push_sequence++;
        a.relay_tries = 0;
        a.sflags |= server_flag::relay_pending;
        ++c_.counters.messages.relayed;
        push(io, sender);
    }

    template <class Io>
    void push(Io& io, std::uint32_t sender) noexcept {
        session_record& a = c_.table[sender];
        const std::uint32_t receiver = c_.buddies.partner(sender, a.relay_message);
        if ((c_.table[receiver].cflags & client_flag::tcp) != 0) {
            // One push in flight per TCP connection (docs/tcp.md): this one
            // waits (also while closing: the noted push must stay the one in
            // flight). The push in flight may have no timer left (its relay
            // superseded by the sender's next message, or given up), so the
            // waiting relay drives it: a first short wait, then each wait is a
            // try with back-off that retransmits the push in flight; when the
            // tries run out, on_relay_timer resets the connection.
            tcp_endpoint& e = c_.tcp.ep(port_role::server, receiver);
            const auto idx = static_cast<std::uint8_t>(c_.buddies.index_of(receiver, sender));
            if (e.state != tcp_state::closed && e.find(tcp_msg::push) >= 0 &&
                (e.push_buddy != idx || e.push_message != a.relay_message)) {
                ++c_.counters.tcp.push_deferred;
                ++a.relay_tries;
                if (a.relay_tries == 1) {
                    c_.arm(c_.table.relay_timer_id(sender), tcp_push_retry_ms);
                    return;
                }
                c_.arm(c_.table.relay_timer_id(sender),
                       tcp_backoff_ms(c_.resend_wait(sender, a.incarnation, 0x10000u | a.relay_message, 1),
                                      a.relay_tries - 1));
                c_.tcp.retransmit(io, port_role::server, receiver, [&](tcp_msg k) {
                    if (k == tcp_msg::push) resend_noted_push(io, receiver);
                });
                return;
            }
            e.push_buddy = idx;
            e.push_message = a.relay_message;
            e.push_sequence = a.relay_sequence;
        }
        ++a.relay_tries;
        // Over TCP the relay timer is the push's retransmission timer: RFC
        // 6298 back-off.
        const bool tcp = (c_.table[receiver].cflags & client_flag::tcp) != 0;
        const std::uint32_t wait =
            tcp ? tcp_backoff_ms(c_.resend_wait(sender, a.incarnation, 0x10000u | a.relay_message, 1), a.relay_tries)
                : c_.resend_wait(sender, a.incarnation, 0x10000u | a.relay_message, a.relay_tries);
        c_.arm(c_.table.relay_timer_id(sender), wait);
        replies_.push(io, sender, a.relay_message, a.relay_sequence, tcp ? 0u : a.relay_tries);
    }

    // The push in flight on `receiver`'s connection, rebuilt from what the
    // endpoint noted, not from the sender's relay (which may have moved on).
    template <class Io>
    void resend_noted_push(Io& io, std::uint32_t receiver) noexcept {
        const tcp_endpoint& e = c_.tcp.ep(port_role::server, receiver);
        replies_.push(io, c_.buddies.buddy(receiver, e.push_buddy), e.push_message, e.push_sequence, 0);
    }

    // Every try of a TCP relay went by with a push still unacknowledged on
    // the buddy's connection (its own or the one it waited behind): the
    // connection is dead to the server (RFC 9293 3.8.3: give up and reset
    // it), and pushes of other senders waiting behind it may go on.
    template <class Io>
    void abort_unacknowledged_push(Io& io, std::uint32_t sender) noexcept {
        const session_record& a = c_.table[sender];
        const std::uint32_t receiver = c_.buddies.partner(sender, a.relay_message);
        if ((c_.table[receiver].cflags & client_flag::tcp) == 0) return;
        if (c_.tcp.ep(port_role::server, receiver).find(tcp_msg::push) >= 0)
            c_.tcp.abort(io, port_role::server, receiver);
    }

    // The buddy acknowledges a push: 0x0017 with the push's sequence.
    void on_push_ack(std::uint32_t slot, const view& v) noexcept {
        session_record& b = c_.table[slot];
        bool ok = false;
        const auto plain = decrypt(c_.identity.session_key(slot, b.incarnation), v.body, ok);
        if (!ok) {
            stale_or_corrupt(slot, v.body);
            return;
        }
        const auto ack = proto::decode_recv_im_ack(plain);
        const std::uint32_t sender = ack ? c_.identity.slot_of_qq(ack.value.sender_uid) : no_slot;
        if (sender == no_slot || ack.value.receiver_uid != v.header.qq_number) {
            corrupt();
            return;
        }
        ++c_.counters.server.requests;
        session_record& a = c_.table[sender];
        const std::uint32_t m = ack.value.server_im_sequence;
        if ((a.sflags & server_flag::relay_pending) != 0 && a.relay_sequence == v.header.sequence &&
            a.relay_message == m && c_.buddies.partner(sender, m) == slot) {
            ++c_.counters.messages.acknowledged;
            a.sflags &= static_cast<std::uint8_t>(~server_flag::relay_pending);
            c_.timers.cancel(c_.table.relay_timer_id(sender));
        } else {
            ++c_.counters.server.duplicate;  // a push acknowledged again, or one superseded meanwhile
        }
    }

    template <class Io>
    void on_keepalive(Io& io, const proto::parsed_frame& f, std::uint32_t slot, std::uint32_t off,
                      const view& v) noexcept {
        session_record& r = c_.table[slot];
        const proto::tea_key key = c_.identity.session_key(slot, r.incarnation);
        bool ok = false;
        const auto plain = decrypt(key, v.body, ok);
        const auto req = ok ? proto::decode_keep_alive_request(plain, proto::keep_alive_uid_format::binary)
                            : proto::result<proto::keep_alive_request>{};
        if (!ok || !req || req.value.uid != v.header.qq_number) {
            corrupt();
            return;
        }
        accept(r, off);
        c_.table.set_seen(slot, f.src_ip, f.src_port);
        proto::keep_alive_reply kr;
        kr.online_total = c_.logged_in == 0 ? 1 : c_.logged_in;
        kr.client_ip = f.src_ip.is_v4() ? f.src_ip.v4().to_u32() : 0;
        kr.client_port = f.src_port;
        replies_.encrypted(io, f, replies_.header(proto::qq_command::keep_alive, v.header.sequence), key,
                           seed(slot, off), [&](proto::byte_span p) { return proto::encode_keep_alive_reply(kr, p); });
    }

    // 0x0001, sequence 0xFFFF, TEA(session key, password key); no reply.
    void on_logout(std::uint32_t slot, const view& v) noexcept {
        session_record& r = c_.table[slot];
        bool ok = false;
        const auto plain = decrypt(c_.identity.session_key(slot, r.incarnation), v.body, ok);
        if (!ok) {
            stale_or_corrupt(slot, v.body);
            return;
        }
        const auto body = proto::decode_logout(plain);
        if (!body || v.header.sequence != proto::logout_sequence) {
            corrupt();
            return;
        }
        // The first copy is checked against the password key (an MD5); the
        // three repeats only have to decrypt with the session key.
        if (r.sstate != server_state::logged_out) {
            if (body.value.password_key != c_.identity.password_key(slot).bytes) {
                corrupt();
                return;
            }
            if (r.sstate == server_state::logged_in) --c_.logged_in;
            r.sstate = server_state::logged_out;
        }
        ++c_.counters.server.logouts;
        close_if_server_closes(slot);
    }

    // A body that does not decrypt with the current user's session key:
    // stale if it does with the previous user's.
    void stale_or_corrupt(std::uint32_t slot, proto::const_byte_span body) noexcept {
        const std::uint32_t inc = c_.table[slot].incarnation;
        bool stale = false;
        if (inc > 0) (void)decrypt(c_.identity.session_key(slot, inc - 1), body, stale);
        if (stale) refuse(refuse_reason::stale_incarnation);
        else corrupt();
    }

    engine_core& c_;
    server_replies replies_;
};

}  // namespace qqgen::engine
