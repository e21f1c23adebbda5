// The client half of one worker's sessions: each user runs pidgin 2.4's
// sequence (qq-protocol.md "Session sequence") from the client port:
//
//   DNS A -> 0x0062 token -> 0x0022 login [-> redirect: token + login again
//   at the other server] -> 0x000D status -> 0x0026 friend pages -> 0x0027
//   online pages -> chats (0x0016 per message, delay between) -> 0x0002
//   keep-alives -> 0x0001 logout x 4
//
// and, whenever logged in, acknowledges the messages its buddies send it
// (0x0017 with the server's sequence). Every request has one resend timer:
// the same sequence is sent again after resend_timeout_ms (+ jitter), at most
// resend_tries times in all; then the user gives up, counted by stage and
// reason, and its slot is freed. A user is never stuck: every state but
// idle has its timer armed.
//
// Replies are checked against what the server half must have sent (tokens,
// keys, friend entries...): a reply that does not match is counted
// (client_corrupt_replies) and ignored, and the request is resent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dataplane/engine/chat_messages.hpp"
#include "dataplane/engine/client_requests.hpp"
#include "dataplane/engine/client_tcp.hpp"
#include "dataplane/engine/engine_core.hpp"
#include "protocols/dns.hpp"
#include "protocols/md5.hpp"
#include "protocols/qq_friends.hpp"
#include "protocols/qq_header.hpp"
#include "protocols/qq_im.hpp"
#include "protocols/qq_keepalive.hpp"
#include "protocols/qq_login.hpp"
#include "protocols/qq_status.hpp"
#include "protocols/qq_tea.hpp"

namespace qqgen::engine {

class client_half {
public:
    explicit client_half(engine_core& core) noexcept : c_(core), requests_(core), tcp_(*this) {}

    // A new user takes `slot` (free, taken from the table's FIFO).
    template <class Io>
    void start_user(Io& io, std::uint32_t slot) noexcept {
        session_record& r = c_.table[slot];
        const std::uint32_t inc = (r.cflags & client_flag::used) != 0 ? r.incarnation + 1 : 0;
        r.incarnation = inc;
        r.cflags = client_flag::used;
        if (c_.tcp.selects_tcp(slot, inc)) {
            r.cflags |= client_flag::tcp;
            c_.tcp.ep(port_role::client, slot).state = tcp_state::closed;
        }
        r.server_index = c_.identity.first_server(slot, inc);
        r.next_offset = 0;
        r.request_offset = 0;
        r.progress = 0;
        r.keepalives = 0;
        r.login_start_us = 0;
        ++c_.counters.users.started;
        ++c_.counters[stage::dns].started;
        begin(io, slot, client_state::dns);
    }

    // The slot's client timer fired.
    template <class Io>
    void on_timer(Io& io, std::uint32_t slot) noexcept {
        session_record& r = c_.table[slot];
        switch (r.cstate) {
        case client_state::idle: return;
        case client_state::chat_pause:
            if (r.progress % c_.settings.messages_per_chat == 0) ++c_.counters[stage::chat].started;
            r.message_sent_us = c_.now_us;
            count_sent_message(slot, r);
            begin(io, slot, client_state::chat_wait);
            return;
        case client_state::keepalive_pause:
            ++c_.counters[stage::keepalive].started;
            begin(io, slot, client_state::keepalive_wait);
            return;
        case client_state::connect:
        case client_state::closing: tcp_.on_timer(io, slot); return;
        default: break;
        }
        // A waiting state: resend, or give up.
        if (r.tries >= c_.settings.resend_tries) {
            if (tcp_user(r) && r.cstate != client_state::dns) ++c_.counters.tcp.dropped_timeout;
            give_up(io, slot, (r.cflags & client_flag::bad_reply) != 0 ? give_up_reason::bad_reply : give_up_reason::timeout);
            return;
        }
        ++c_.counters[stage_of(r.cstate)].resends;
        transmit(io, slot);
    }

    // A TCP segment for the client port (client_tcp.hpp).
    template <class Io>
    void on_tcp(Io& io, const proto::parsed_frame& f) noexcept {
        tcp_.on_segment(io, f);
    }

    // For the burst's batch decryption (rx_plaintexts.hpp): the keys on_qq
    // will decrypt this UDP frame's body with, for the user whose endpoint
    // it is sent to: the session key, or for a login reply the password key
    // and, where the server is to redirect this login, the initial key after
    // it (on_login's order). Nothing for a token reply (no encrypted body).
    // A guess: on_frame checks all.
    void guess_body(const proto::parsed_frame& f, body_guess& guess) const noexcept {
        if (f.src_port != c_.settings.login_server_port) return;
        const endpoint_owner who = c_.identity.owner_of(f.dst_ip, f.dst_port, f.src_ip, f.src_port);
        if (who.slot == no_slot) return;
        const session_record& r = c_.table[who.slot];
        if ((r.cflags & client_flag::used) == 0) return;
        const auto pk = proto::decode_server_packet(f.payload);
        if (!pk || pk.value.header.command == proto::qq_command::request_login_token) return;
        guess.cipher = pk.value.body;
        if (pk.value.header.command == proto::qq_command::login) {
            guess.add(c_.identity.password_key(who.slot));
            if ((r.cflags & client_flag::redirected) == 0 && c_.identity.redirected(who.slot, r.incarnation))
                guess.add(c_.identity.initial_key(who.slot, r.incarnation));
            return;
        }
        guess.add(c_.identity.session_key(who.slot, r.incarnation));
    }

    // A frame for the client port that parsed as UDP over IP of our version.
    template <class Io>
    void on_frame(Io& io, const proto::parsed_frame& f) noexcept {
        const endpoint_owner who = c_.identity.owner_of(f.dst_ip, f.dst_port, f.src_ip, f.src_port);
        if (who.slot == no_slot) {
            refuse(who.in_range ? refuse_reason::unknown_session : refuse_reason::not_for_us);
            return;
        }
        session_record& r = c_.table[who.slot];
        if ((r.cflags & client_flag::used) == 0) {
            refuse(refuse_reason::unknown_session);
            return;
        }
        if (r.cstate == client_state::idle || who.generation != c_.identity.generation_of(r.incarnation)) {
            refuse(refuse_reason::stale_incarnation);
            return;
        }
        if (f.src_port == 53 && f.src_ip == c_.settings.dns_server) {
            on_dns(io, who.slot, f);
        } else if (f.src_port == c_.settings.login_server_port) {
            on_qq(io, who.slot, f);
        } else {
            refuse(refuse_reason::not_for_us);
        }
    }

    // The worker is stopping: a logged-in user logs out, any other is
    // abandoned (counted as given up with reason `stopped`). True when the
    // user sent something (logouts, a FIN), for the stop's pacing.
    template <class Io>
    bool stop_user(Io& io, std::uint32_t slot) noexcept {
        session_record& r = c_.table[slot];
        if (r.cstate == client_state::closing && (r.cflags & client_flag::reconnect) != 0) {
            // Closing to follow a redirect: close, but connect no more.
            r.cflags &= static_cast<std::uint8_t>(~client_flag::reconnect);
            ++c_.counters[stage::token].gave_up[static_cast<std::size_t>(give_up_reason::stopped)];
            ++c_.counters[stage::redirect].gave_up[static_cast<std::size_t>(give_up_reason::stopped)];
            ++c_.counters.users.stopped;
            return false;
        }
        if (r.cstate == client_state::idle || r.cstate == client_state::closing) return false;
        const bool logged_in = client_logged_in(r.cstate);
        if (r.cstate != client_state::keepalive_pause && r.cstate != client_state::chat_pause)
            ++c_.counters[stage_of(r.cstate)].gave_up[static_cast<std::size_t>(give_up_reason::stopped)];
        if (r.cstate == client_state::chat_pause && r.progress % c_.settings.messages_per_chat != 0)
            ++c_.counters[stage::chat].gave_up[static_cast<std::size_t>(give_up_reason::stopped)];
        if (!logged_in) {
            if ((r.cflags & client_flag::redirected) != 0)
                ++c_.counters[stage::redirect].gave_up[static_cast<std::size_t>(give_up_reason::stopped)];
            ++c_.counters.users.stopped;
            // A TCP connection is closed with a FIN (nothing half-open left
            // in a DUT's state table); a SYN in flight is simply forgotten.
            if (tcp_user(r) && c_.tcp.ep(port_role::client, slot).synchronized()) {
                tcp_.begin_close(io, slot, false);
                return true;
            }
            if (tcp_user(r)) c_.tcp.abort(io, port_role::client, slot);
            finish(slot);
            return false;
        }
        logout(io, slot, false);
        return true;
    }

private:
    // A message's first transmission: counted in all, by the user's charset
    // and font (issue 8's breakdown), and its text bytes.
    void count_sent_message(std::uint32_t slot, const session_record& r) noexcept {
        auto& m = c_.counters.messages;
        const std::uint8_t cs = c_.content.charset_of(c_.identity, slot, r.incarnation);
        const std::size_t bytes = c_.content.text(c_.identity, slot, r.incarnation, r.progress).size();
        ++m.sent;
        m.text_bytes += bytes;
        ++m.sent_by_charset[cs];
        m.text_bytes_by_charset[cs] += bytes;
        ++m.sent_by_font[c_.content.font_of(c_.identity, slot, r.incarnation, cs)];
    }

    // --- request life cycle -------------------------------------------------

    template <class Io>
    void begin(Io& io, std::uint32_t slot, client_state s) noexcept {
        session_record& r = c_.table[slot];
        r.cstate = s;
        r.tries = 0;
        r.cflags &= static_cast<std::uint8_t>(~client_flag::bad_reply);
        r.stage_start_us = c_.now_us;
        if (s != client_state::dns) r.request_offset = r.next_offset++;
        transmit(io, slot);
    }

    template <class Io>
    void transmit(Io& io, std::uint32_t slot) noexcept {
        session_record& r = c_.table[slot];
        ++r.tries;
        // DNS has no sequence offset: 0xFFFFF keeps its waits apart from the requests'.
        const std::uint32_t what = r.cstate == client_state::dns ? 0xFFFFFu : r.request_offset;
        if (tcp_user(r) && r.cstate != client_state::dns) {
            // The resend timer is the retransmission timer (RFC 6298 5.5).
            c_.arm(slot, tcp_backoff_ms(c_.resend_wait(slot, r.incarnation, what, 1), r.tries));
            if (r.tries > 1) tcp_.retransmit(io, slot);
            else requests_.send(io, slot);
            return;
        }
        c_.arm(slot, c_.resend_wait(slot, r.incarnation, what, r.tries));
        requests_.send(io, slot);
    }

    template <class Io>
    void give_up(Io& io, std::uint32_t slot, give_up_reason why) noexcept {
        session_record& r = c_.table[slot];
        if (tcp_user(r)) c_.tcp.abort(io, port_role::client, slot);  // RST: leave nothing half-open
        const auto w = static_cast<std::size_t>(why);
        ++c_.counters[stage_of(r.cstate)].gave_up[w];
        if ((r.cflags & (client_flag::redirected | client_flag::logged_in)) == client_flag::redirected)
            ++c_.counters[stage::redirect].gave_up[w];
        ++c_.counters.users.failed;
        finish(slot);
    }

    void finish(std::uint32_t slot) noexcept {
        session_record& r = c_.table[slot];
        c_.timers.cancel(slot);
        r.cstate = client_state::idle;
        c_.table.release(slot);
    }

    // The user has done what it came for (or the worker stops): 0x0001 four
    // times with sequence 0xFFFF, no reply (pidgin 2.4 qq_send_packet_logout).
    template <class Io>
    void logout(Io& io, std::uint32_t slot, bool completed) noexcept {
        ++c_.counters[stage::logout].started;
        requests_.send_logout(io, slot);
        ++c_.counters[stage::logout].completed;
        if (completed) ++c_.counters.users.completed;
        else ++c_.counters.users.stopped;
        if (tcp_user(c_.table[slot])) {
            tcp_.begin_close(io, slot, false);  // the slot is free once the connection is closed
            return;
        }
        finish(slot);
    }

    void bad_reply(std::uint32_t slot) noexcept {
        ++c_.counters.client_corrupt_replies;
        c_.table[slot].cflags |= client_flag::bad_reply;
    }
    void refuse(refuse_reason why) noexcept {
        ++c_.counters.refused[index_of(port_role::client)][static_cast<std::size_t>(why)];
    }

    // The plaintext (engine_core::decrypt); empty span when it does not decrypt.
    proto::const_byte_span decrypt(const proto::tea_key& key, proto::const_byte_span cipher, bool& ok) noexcept {
        return c_.decrypt(key, cipher, ok);
    }

    // --- DNS ------------------------------------------------------------------

    template <class Io>
    void on_dns(Io& io, std::uint32_t slot, const proto::parsed_frame& f) noexcept {
        session_record& r = c_.table[slot];
        const auto d = proto::decode_dns_response(f.payload);
        if (!d) {
            refuse(refuse_reason::undecodable);
            return;
        }
        if (r.cstate != client_state::dns || d.value.id != c_.identity.dns_id(slot, r.incarnation)) {
            ++c_.counters.client_late_replies;
            return;
        }
        if (d.value.name.view() != c_.settings.login_server_name(r.server_index)) {
            bad_reply(slot);
            return;
        }
        if (d.value.rcode != proto::dns_rcode::no_error) {
            give_up(io, slot, give_up_reason::refused);
            return;
        }
        bool found = false;
        for (const auto& a : d.value.answers()) found = found || a.to_u32() == c_.server_ip32(r.server_index);
        if (!found) {
            bad_reply(slot);
            return;
        }
        c_.counters.dns_latency.record(c_.now_us - r.stage_start_us);
        ++c_.counters[stage::dns].completed;
        ++c_.counters[stage::token].started;
        r.login_start_us = c_.now_us;
        if (tcp_user(r)) tcp_.begin_connect(io, slot);
        else begin(io, slot, client_state::token);
    }

    // --- QQ replies -------------------------------------------------------------

    static constexpr proto::qq_command expected_command(client_state s) noexcept {
        switch (s) {
        case client_state::token: return proto::qq_command::request_login_token;
        case client_state::login: return proto::qq_command::login;
        case client_state::status: return proto::qq_command::set_status;
        case client_state::friends: return proto::qq_command::get_friend_list;
        case client_state::online: return proto::qq_command::get_friends_online;
        case client_state::chat_wait: return proto::qq_command::send_message;
        case client_state::keepalive_wait: return proto::qq_command::keep_alive;
        default: return proto::qq_command{};
        }
    }

    template <class Io>
    void on_qq(Io& io, std::uint32_t slot, const proto::parsed_frame& f) noexcept {
        session_record& r = c_.table[slot];
        const auto pk = proto::decode_server_packet(f.payload);
        if (!pk) {
            refuse(refuse_reason::undecodable);
            return;
        }
        const proto::server_header& h = pk.value.header;
        if (h.command == proto::qq_command::receive_message) {
            on_push(io, slot, f, pk.value);
            return;
        }
        const std::uint16_t want = static_cast<std::uint16_t>(
            c_.identity.sequence_start(slot, r.incarnation) + r.request_offset);
        if (h.command != expected_command(r.cstate) || h.sequence != want) {
            if (r.incarnation > 0 && c_.identity.sequence_offset(slot, r.incarnation - 1, h.sequence) >= 0 &&
                c_.identity.sequence_offset(slot, r.incarnation, h.sequence) < 0)
                refuse(refuse_reason::stale_incarnation);
            else
                ++c_.counters.client_late_replies;
            return;
        }
        const proto::const_byte_span body = pk.value.body;
        switch (r.cstate) {
        case client_state::token: on_token(io, slot, body, pk.value.signature); return;
        case client_state::login: on_login(io, slot, body); return;
        case client_state::status: on_status(io, slot, body); return;
        case client_state::friends: on_friends(io, slot, body); return;
        case client_state::online: on_online(io, slot, body); return;
        case client_state::chat_wait: on_chat_ack(io, slot, body); return;
        case client_state::keepalive_wait: on_keepalive(io, slot, body); return;
        default: return;
        }
    }

    template <class Io>
    void on_token(Io& io, std::uint32_t slot, proto::const_byte_span body, bool signature) noexcept {
        session_record& r = c_.table[slot];
        // A signature-form reply is zero-padded to the signature size; the
        // token reply decoder wants the exact body (result, length, token).
        if (signature && body.size() >= 2) {
            const std::size_t n = 2 + std::to_integer<std::size_t>(body[1]);
            if (n <= body.size()) body = body.first(n);
        }
        const auto t = proto::decode_login_token_reply(body);
        std::array<std::byte, token_size> want{};
        c_.identity.token(slot, r.incarnation, r.request_offset, want);
        if (!t || t.value.result != proto::login_token_reply_ok || !same_bytes(t.value.token, want)) {
            bad_reply(slot);
            return;
        }
        ++c_.counters[stage::token].completed;
        ++c_.counters[stage::login].started;
        begin(io, slot, client_state::login);
    }

    template <class Io>
    void on_login(Io& io, std::uint32_t slot, proto::const_byte_span body) noexcept {
        session_record& r = c_.table[slot];
        const std::uint32_t qq = c_.identity.qq_number(slot);
        // pidgin 2.4 qq_process_login_reply: the password key first, then
        // the initial key.
        const proto::tea_key pw_key = c_.identity.password_key(slot);
        bool ok = false;
        auto plain = decrypt(pw_key, body, ok);
        if (!ok) plain = decrypt(c_.identity.initial_key(slot, r.incarnation), body, ok);
        const auto reply = ok ? proto::decode_login_reply(plain) : proto::result<proto::login_reply>{};
        if (!ok || !reply) {
            bad_reply(slot);
            return;
        }
        const proto::login_reply& lr = reply.value;
        if (lr.kind == proto::login_reply_kind::wrong_password) {
            ++c_.counters[stage::login].completed;
            give_up(io, slot, give_up_reason::refused);
            return;
        }
        if (lr.kind == proto::login_reply_kind::redirect) {
            const int target = server_of_ip32(lr.redirect.new_server_ip);
            if (lr.redirect.uid != qq || (r.cflags & client_flag::redirected) != 0 ||
                target != c_.identity.redirect_target(r.server_index) ||
                lr.redirect.new_server_port != c_.qq_port(slot)) {
                bad_reply(slot);
                return;
            }
            ++c_.counters[stage::login].completed;
            ++c_.counters[stage::redirect].started;
            ++c_.counters.users.redirected;
            r.cflags |= client_flag::redirected;
            ++c_.counters[stage::token].started;
            r.server_index = static_cast<std::uint8_t>(target);
            if (tcp_user(r)) {  // close this connection, then connect to the other server
                tcp_.begin_close(io, slot, true);
                return;
            }
            begin(io, slot, client_state::token);
            return;
        }
        const proto::tea_key session = c_.identity.session_key(slot, r.incarnation);
        if (lr.ok.uid != qq || !same_bytes(lr.ok.session_key, session.bytes)) {
            bad_reply(slot);
            return;
        }
        ++c_.counters[stage::login].completed;
        if ((r.cflags & client_flag::redirected) != 0) ++c_.counters[stage::redirect].completed;
        ++c_.counters.users.logged_in;
        c_.counters.login_latency.record(c_.now_us - r.login_start_us);
        r.cflags |= client_flag::logged_in;
        c_.keys.add(qq, key_kind::password, pw_key);
        c_.keys.add(qq, key_kind::session, session);
        // MD5(uid || session key) goes into every 0x0016 (qq-protocol.md).
        std::array<std::byte, 4> uid{};
        proto::store_be32(uid.data(), qq);
        c_.table.im_md5(slot) = proto::md5(uid, session.bytes);
        c_.sent_ims.forget(slot);  // a message derived before carries the old digest
        ++c_.counters[stage::status].started;
        begin(io, slot, client_state::status);
    }

    int server_of_ip32(std::uint32_t ip) const noexcept {
        for (std::size_t i = 0; i < c_.settings.login_server_count; ++i)
            if (c_.server_ip32(i) == ip) return static_cast<int>(i);
        return -1;
    }

    template <class Io>
    void on_status(Io& io, std::uint32_t slot, proto::const_byte_span body) noexcept {
        bool ok = false;
        const auto plain = decrypt(c_.identity.session_key(slot, c_.table[slot].incarnation), body, ok);
        const auto st = ok ? proto::decode_set_status_reply(plain) : proto::result<proto::set_status_reply>{};
        if (!ok || !st) {
            bad_reply(slot);
            return;
        }
        if (st.value.result != proto::set_status_reply_ok) {
            give_up(io, slot, give_up_reason::refused);
            return;
        }
        ++c_.counters[stage::status].completed;
        ++c_.counters[stage::friends].started;
        c_.table[slot].progress = 0;
        begin(io, slot, client_state::friends);
    }

    template <class Io>
    void on_friends(Io& io, std::uint32_t slot, proto::const_byte_span body) noexcept {
        session_record& r = c_.table[slot];
        bool ok = false;
        const auto plain = decrypt(c_.identity.session_key(slot, r.incarnation), body, ok);
        const auto page = ok ? proto::decode_friend_list_reply(plain) : proto::result<proto::friend_list_page>{};
        if (!ok || !page) {
            bad_reply(slot);
            return;
        }
        const std::uint32_t count = c_.buddies.count(slot);
        std::uint32_t n = 0;
        proto::friend_entry_reader reader(page.value);
        while (!reader.done()) {
            const auto e = reader.next();
            const std::uint32_t pos = r.progress + n;
            if (!e || pos >= count || !friend_entry_matches(e.value, c_.buddies.buddy(slot, pos))) {
                bad_reply(slot);
                return;
            }
            ++n;
        }
        const std::uint16_t next = page.value.next_position;
        if (next == proto::friend_list_done) {
            if (r.progress + n != count) {
                bad_reply(slot);
                return;
            }
            ++c_.counters[stage::friends].completed;
            ++c_.counters[stage::online].started;
            r.progress = 0;
            begin(io, slot, client_state::online);
            return;
        }
        if (n == 0 || next != r.progress + n) {
            bad_reply(slot);
            return;
        }
        r.progress = next;
        begin(io, slot, client_state::friends);
    }

    bool friend_entry_matches(const proto::friend_entry& e, std::uint32_t buddy) const noexcept {
        const std::uint32_t qq = c_.identity.qq_number(buddy);
        const friend_entry_text nick = nickname_of(qq);
        return e.uid == qq && e.age == age_of(qq) && e.gender == gender_of(qq) &&
               same_bytes(e.nickname, proto::const_byte_span{nick.nickname}.first(nick.size));
    }

    template <class Io>
    void on_online(Io& io, std::uint32_t slot, proto::const_byte_span body) noexcept {
        session_record& r = c_.table[slot];
        bool ok = false;
        const auto plain = decrypt(c_.identity.session_key(slot, r.incarnation), body, ok);
        const auto page =
            ok ? proto::decode_online_friends_reply(plain) : proto::result<proto::online_friends_page>{};
        if (!ok || !page) {
            bad_reply(slot);
            return;
        }
        const std::uint32_t count = c_.buddies.count(slot);
        proto::online_friend_reader reader(page.value);
        while (!reader.done()) {
            const auto e = reader.next();
            const std::uint32_t other = e ? c_.identity.slot_of_qq(e.value.status.uid) : no_slot;
            if (!e || other == no_slot || c_.buddies.index_of(slot, other) >= count) {
                bad_reply(slot);
                return;
            }
        }
        const std::uint8_t next = page.value.next_position;
        if (next == proto::online_friends_done) {
            ++c_.counters[stage::online].completed;
            begin_chats(io, slot);
            return;
        }
        if (next <= r.progress || next > count) {
            bad_reply(slot);
            return;
        }
        r.progress = next;
        begin(io, slot, client_state::online);
    }

    template <class Io>
    void begin_chats(Io& io, std::uint32_t slot) noexcept {
        session_record& r = c_.table[slot];
        if (c_.settings.messages_per_user() == 0 || c_.buddies.count(slot) == 0) {
            begin_keepalives(io, slot);
            return;
        }
        r.progress = 0;
        r.cstate = client_state::chat_pause;
        c_.arm(slot, c_.content.delay_ms(c_.identity, slot, r.incarnation, 0));
    }

    template <class Io>
    void on_chat_ack(Io& io, std::uint32_t slot, proto::const_byte_span body) noexcept {
        session_record& r = c_.table[slot];
        bool ok = false;
        const auto plain = decrypt(c_.identity.session_key(slot, r.incarnation), body, ok);
        const auto reply = ok ? proto::decode_send_im_reply(plain) : proto::result<proto::send_im_reply>{};
        if (!ok || !reply || reply.value.result != proto::send_im_reply_ok) {
            bad_reply(slot);
            return;
        }
        ++c_.counters.messages.acked;
        const std::uint32_t m = r.progress + 1u;
        if (m % c_.settings.messages_per_chat == 0) ++c_.counters[stage::chat].completed;
        r.progress = static_cast<std::uint16_t>(m);
        if (m < c_.settings.messages_per_user()) {
            r.cstate = client_state::chat_pause;
            c_.arm(slot, c_.content.delay_ms(c_.identity, slot, r.incarnation, m));
            return;
        }
        begin_keepalives(io, slot);
    }

    template <class Io>
    void begin_keepalives(Io& io, std::uint32_t slot) noexcept {
        session_record& r = c_.table[slot];
        if (r.keepalives >= c_.settings.keepalive_count) {
            logout(io, slot, true);
            return;
        }
        r.cstate = client_state::keepalive_pause;
        c_.arm(slot, c_.settings.keepalive_interval_ms);
    }

    template <class Io>
    void on_keepalive(Io& io, std::uint32_t slot, proto::const_byte_span body) noexcept {
        session_record& r = c_.table[slot];
        bool ok = false;
        const auto plain = decrypt(c_.identity.session_key(slot, r.incarnation), body, ok);
        const auto reply = ok ? proto::decode_keep_alive_reply(plain) : proto::result<proto::keep_alive_reply>{};
        if (!ok || !reply || reply.value.online_total == 0) {
            bad_reply(slot);
            return;
        }
        ++c_.counters[stage::keepalive].completed;
        ++r.keepalives;
        begin_keepalives(io, slot);
    }

    // --- messages from buddies (server push 0x0017) ---------------------------

    template <class Io>
    void on_push(Io& io, std::uint32_t slot, const proto::parsed_frame& f,
                 const proto::server_packet_view& pk) noexcept {
        session_record& r = c_.table[slot];
        if ((r.cflags & client_flag::logged_in) == 0) {
            ++c_.counters.client_late_replies;
            return;
        }
        bool ok = false;
        const auto plain = decrypt(c_.identity.session_key(slot, r.incarnation), pk.body, ok);
        if (!ok) {
            bool stale = false;
            if (r.incarnation > 0) (void)decrypt(c_.identity.session_key(slot, r.incarnation - 1), pk.body, stale);
            if (stale) refuse(refuse_reason::stale_incarnation);
            else ++c_.counters.messages.corrupt;
            return;
        }
        const auto im = proto::decode_recv_im(plain);
        const std::uint32_t sender = im ? c_.identity.slot_of_qq(im.value.header.sender_uid) : no_slot;
        const std::uint32_t m = im ? im.value.header.server_im_sequence : 0;
        if (!im || sender == no_slot || !push_matches(im.value, sender, slot)) {
            ++c_.counters.messages.corrupt;
            return;
        }
        session_record& a = c_.table[sender];
        if (m >= a.delivered) {
            ++c_.counters.messages.delivered;
            a.delivered = static_cast<std::uint16_t>(m + 1);
            // The sender's first-send time is still message m's until it
            // sends message m + 1.
            if (a.progress == m || (a.progress == m + 1 && a.cstate != client_state::chat_wait))
                c_.counters.delivery_latency.record(c_.now_us - a.message_sent_us);
        } else {
            ++c_.counters.messages.duplicate;
        }
        if (tcp_user(r)) {  // what a retransmission of the acknowledgement is built from
            tcp_endpoint& e = c_.tcp.ep(port_role::client, slot);
            e.push_buddy = static_cast<std::uint8_t>(c_.buddies.index_of(slot, sender));
            e.push_message = static_cast<std::uint16_t>(m);
            e.push_sequence = pk.header.sequence;
        }
        // pidgin 2.4 _qq_send_packet_recv_im_ack: the first 16 plaintext bytes,
        // with the server's sequence.
        requests_.send_push_ack(io, slot, f, pk.header.sequence, plain);
    }

    bool push_matches(const proto::recv_im& im, std::uint32_t sender, std::uint32_t receiver) noexcept {
        const std::uint32_t m = im.header.server_im_sequence;
        if (m >= c_.settings.messages_per_user() || im.header.receiver_uid != c_.identity.qq_number(receiver) ||
            im.header.im_type != proto::recv_im_from_buddy || c_.buddies.partner(sender, m) != receiver)
            return false;
        const proto::send_im& want = held_send_im(c_, sender, m);
        return same_header(im.normal, want.header) && same_text(im.message, want.message);
    }

    static stage stage_of(client_state s) noexcept {
        switch (s) {
        case client_state::dns: return stage::dns;
        case client_state::token: return stage::token;
        case client_state::login: return stage::login;
        case client_state::status: return stage::status;
        case client_state::friends: return stage::friends;
        case client_state::online: return stage::online;
        case client_state::chat_pause:
        case client_state::chat_wait: return stage::chat;
        case client_state::keepalive_pause:
        case client_state::keepalive_wait: return stage::keepalive;
        case client_state::connect: return stage::token;  // the handshake precedes the token request
        case client_state::closing:
        case client_state::idle: break;
        }
        return stage::logout;
    }

    static bool tcp_user(const session_record& r) noexcept { return (r.cflags & client_flag::tcp) != 0; }

    friend class client_tcp<client_half>;
    engine_core& c_;
    client_requests requests_;
    client_tcp<client_half> tcp_;
};

}  // namespace qqgen::engine
