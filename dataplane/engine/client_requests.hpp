// The frames the client half sends, built in place in the TX buffer: the
// request of each waiting state (sent again unchanged but for fresh QQ-TEA
// padding on a resend), the logout burst and the acknowledgement of a
// buddy's message.
//
// Layouts: pidgin 2.4 libqq (login_logout.c, buddy_status.c, buddy_list.c,
// im.c, keep_alive.c) through the protocol library's encoders.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "dataplane/engine/chat_messages.hpp"
#include "dataplane/engine/engine_core.hpp"
#include "dataplane/engine/qq_packet_writer.hpp"
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

class client_requests {
public:
    explicit client_requests(engine_core& core) noexcept : c_(core) {}

    // The request of the slot's current (waiting) state.
    template <class Io>
    void send(Io& io, std::uint32_t slot) noexcept {
        const session_record& r = c_.table[slot];
        const std::uint32_t inc = r.incarnation;
        if (r.cstate == client_state::dns) {
            const auto name = c_.settings.login_server_name(r.server_index);
            const std::uint16_t id = c_.identity.dns_id(slot, inc);
            const client_endpoint me = c_.identity.endpoint(slot, inc, c_.settings.dns_server, 53);
            c_.send_udp(io, port_role::client, me.ip, me.port, c_.settings.dns_server, 53,
                        [&](proto::byte_span room) { return proto::encode_dns_query(room, id, name); });
            return;
        }
        proto::client_header h;
        h.version = c_.settings.client_version;
        h.sequence = static_cast<std::uint16_t>(c_.identity.sequence_start(slot, inc) + r.request_offset);
        h.qq_number = c_.identity.qq_number(slot);
        // Over TCP a retransmission carries the same bytes: no fresh padding.
        const std::uint32_t tries = tcp_user(r) ? 0u : r.tries & 15u;
        const std::uint64_t seed = pad_seed(c_, slot, inc, pad_purpose::client_request,
                                            (std::uint32_t{r.request_offset} << 4) | tries);
        const proto::tea_key session = c_.identity.session_key(slot, inc);
        const proto::ip_address& server = c_.settings.login_servers[r.server_index];
        const client_endpoint me = c_.identity.endpoint(slot, inc, server, c_.qq_port(slot));
        auto to_server = [&](auto&& fill) {
            c_.send_qq(io, port_role::client, slot, tcp_msg::request, me.ip, me.port, server, c_.qq_port(slot), fill);
        };
        auto encrypted = [&](auto&& encode) {
            to_server([&](proto::byte_span room) { return qq_packet::client_encrypted(room, h, session, seed, c_.seal, encode); });
        };
        switch (r.cstate) {
        case client_state::token:
            h.command = proto::qq_command::request_login_token;
            to_server([&](proto::byte_span room) { return token_request(room, h); });
            return;
        case client_state::login:
            h.command = proto::qq_command::login;
            to_server([&](proto::byte_span room) { return login_request(room, h, slot, seed); });
            return;
        case client_state::status:
            h.command = proto::qq_command::set_status;
            encrypted([](proto::byte_span p) {
                return proto::encode_set_status_request({proto::status_online, 0}, p);
            });
            return;
        case client_state::friends:
            h.command = proto::qq_command::get_friend_list;
            encrypted([&](proto::byte_span p) { return proto::encode_friend_list_request({r.progress}, p); });
            return;
        case client_state::online:
            h.command = proto::qq_command::get_friends_online;
            encrypted([&](proto::byte_span p) {
                return proto::encode_online_friends_request(
                    {proto::online_friends_subcommand, static_cast<std::uint8_t>(r.progress)}, p);
            });
            return;
        case client_state::chat_wait: {
            h.command = proto::qq_command::send_message;
            const proto::send_im im = expected_send_im(c_, slot, r.progress, c_.unix_time());
            encrypted([&](proto::byte_span p) { return proto::encode_send_im(im, p); });
            return;
        }
        case client_state::keepalive_wait:
            h.command = proto::qq_command::keep_alive;
            encrypted([&](proto::byte_span p) {
                return proto::encode_keep_alive_request({h.qq_number}, proto::keep_alive_uid_format::binary, p);
            });
            return;
        default: return;
        }
    }

    // 0x0001 four times, sequence 0xFFFF, body TEA(session key, password key).
    template <class Io>
    void send_logout(Io& io, std::uint32_t slot) noexcept {
        const session_record& r = c_.table[slot];
        const std::uint32_t inc = r.incarnation;
        const proto::ip_address& server = c_.settings.login_servers[r.server_index];
        const client_endpoint me = c_.identity.endpoint(slot, inc, server, c_.qq_port(slot));
        proto::client_header h;
        h.version = c_.settings.client_version;
        h.command = proto::qq_command::logout;
        h.sequence = proto::logout_sequence;
        h.qq_number = c_.identity.qq_number(slot);
        const proto::tea_key session = c_.identity.session_key(slot, inc);
        proto::logout_body body;
        body.password_key = c_.identity.password_key(slot).bytes;
        // Over TCP the four go in one segment (a coalesced read for the
        // server), with the FIN when the client closes.
        if (tcp_user(r)) c_.tcp.begin_batch();
        for (int i = 0; i < proto::logout_repeat_count; ++i) {
            const std::uint64_t seed = pad_seed(c_, slot, inc, pad_purpose::logout, static_cast<std::uint32_t>(i));
            c_.send_qq(io, port_role::client, slot, tcp_msg::logout, me.ip, me.port, server, c_.qq_port(slot),
                       [&](proto::byte_span room) {
                           return qq_packet::client_encrypted(room, h, session, seed, c_.seal, [&](proto::byte_span p) {
                               return proto::encode_logout(body, p);
                           });
                       });
        }
        if (tcp_user(r))
            c_.tcp.end_batch(io, port_role::client, slot, tcp_msg::logout, c_.settings.tcp_closer == tcp_closer_client);
    }

    // 0x0017 with the server's sequence: the first 16 bytes of the received
    // plaintext (pidgin 2.4 _qq_send_packet_recv_im_ack), back to where the
    // push came from.
    template <class Io>
    void send_push_ack(Io& io, std::uint32_t slot, const proto::parsed_frame& f, std::uint16_t sequence,
                       proto::const_byte_span received_plain) noexcept {
        const std::uint32_t inc = c_.table[slot].incarnation;
        proto::client_header h;
        h.version = c_.settings.client_version;
        h.command = proto::qq_command::receive_message;
        h.sequence = sequence;
        h.qq_number = c_.identity.qq_number(slot);
        const proto::tea_key session = c_.identity.session_key(slot, inc);
        const std::uint64_t seed = pad_seed(c_, slot, inc, pad_purpose::push_ack, sequence);
        c_.send_qq(io, port_role::client, slot, tcp_msg::push_ack, f.dst_ip, f.dst_port, f.src_ip, f.src_port,
                   [&](proto::byte_span room) {
                       return qq_packet::client_encrypted(room, h, session, seed, c_.seal, [&](proto::byte_span p) {
                           return proto::copy_recv_im_ack(received_plain, p);
                       });
                   });
    }

    // Over TCP: the push acknowledgement in flight, built again from what the
    // endpoint noted (sender, message, sequence) for a retransmission. Its
    // 16 plaintext bytes are the push's first 16 (pidgin 2.4): sender uid,
    // receiver uid, message number, sender address as the server saw it.
    template <class Io>
    void resend_push_ack(Io& io, std::uint32_t slot) noexcept {
        const tcp_endpoint& e = c_.tcp.ep(port_role::client, slot);
        const std::uint32_t sender = c_.buddies.buddy(slot, e.push_buddy);
        std::array<std::byte, 16> plain{};
        proto::store_be32(plain.data(), c_.identity.qq_number(sender));
        proto::store_be32(plain.data() + 4, c_.identity.qq_number(slot));
        proto::store_be32(plain.data() + 8, e.push_message);
        proto::store_be32(plain.data() + 12, c_.ip32(c_.table.seen(sender).ip));
        proto::parsed_frame none;
        send_push_ack(io, slot, none, e.push_sequence, plain);
    }

private:
    static bool tcp_user(const session_record& r) noexcept { return (r.cflags & client_flag::tcp) != 0; }

    // 0x0062: body 00 in clear; in the modern dialect the datagram takes the
    // 56-byte signature form (qq_header.hpp) as the first exchange of the flow.
    std::size_t token_request(proto::byte_span room, const proto::client_header& h) noexcept {
        if (room.size() <= proto::client_body_offset ||
            proto::encode_login_token_request(room.subspan(proto::client_body_offset)) == 0)
            return 0;
        if (c_.settings.dialect == proto::dialect::modern)
            return proto::frame_signature_client_body(room, h, proto::login_token_request_size);
        return proto::frame_client_body(room, h, proto::login_token_request_size);
    }

    // 0x0022: initial key in clear, then TEA(initial key, 416-byte block)
    // whose password check is TEA(password key, "") and whose token is the
    // one the preceding token reply carried.
    std::size_t login_request(proto::byte_span room, const proto::client_header& h, std::uint32_t slot,
                              std::uint64_t seed) noexcept {
        const session_record& r = c_.table[slot];
        const proto::byte_span body = qq_packet::body_area(room, proto::client_header_size);
        if (body.size() < proto::login_request_body_size) return 0;
        const proto::tea_key initial = c_.identity.initial_key(slot, r.incarnation);
        if (proto::encode_login_request_key(initial.bytes, body) == 0) return 0;
        const proto::login_request_slots slots = proto::login_request_layout(body);
        proto::login_block block;
        const proto::tea_key pw_key = c_.identity.password_key(slot);
        const std::uint64_t check_seed = pad_seed(c_, slot, r.incarnation, pad_purpose::password_check,
                                                  (std::uint32_t{r.request_offset} << 4) |
                                                      (tcp_user(r) ? 0u : r.tries & 15u));
        if (proto::tea_encrypt(pw_key, {}, block.password_check, check_seed) != proto::password_check_size) return 0;
        std::array<std::byte, token_size> token{};
        c_.identity.token(slot, r.incarnation, r.request_offset - 1u, token);
        block.token = token;
        const std::size_t at = proto::tea_plain_offset(proto::login_block_size);
        if (proto::encode_login_block(block, slots.ciphertext.subspan(at)) != proto::login_block_size) return 0;
        // The 416-byte block is the longest body a session sends: over UDP
        // it is encrypted with the TX burst's batch (tx_seal.hpp), over TCP
        // (no seal armed) here.
        const std::size_t sealed =
            c_.seal.armed()
                ? c_.seal.take(initial, seed, slots.ciphertext.data() + at, proto::login_block_size, slots.ciphertext)
                : proto::tea_encrypt_in_place(initial, slots.ciphertext, proto::login_block_size, seed);
        if (sealed != proto::login_ciphertext_size) return 0;
        return proto::frame_client_body(room, h, proto::login_request_body_size);
    }

    engine_core& c_;
};

}  // namespace qqgen::engine
