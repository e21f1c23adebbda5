// The frames the server half sends from the server port: DNS answers, the
// login server's replies (back to where the request came from, after any
// NAT) and its pushes of buddies' messages (0x0017, to where the receiving
// user was last seen).
//
// Layouts: pidgin 2.4 libqq's decoders of these replies (login_logout.c,
// buddy_status.c, buddy_list.c, im.c, keep_alive.c), through the protocol
// library's encoders.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dataplane/engine/chat_messages.hpp"
#include "dataplane/engine/engine_core.hpp"
#include "dataplane/engine/qq_packet_writer.hpp"
#include "protocols/dns.hpp"
#include "protocols/qq_friends.hpp"
#include "protocols/qq_header.hpp"
#include "protocols/qq_im.hpp"
#include "protocols/qq_keepalive.hpp"
#include "protocols/qq_login.hpp"
#include "protocols/qq_status.hpp"

namespace qqgen::engine {

inline constexpr std::size_t max_page_entries = 30;  // load_settings::validate caps friend_page_size
// Buddy positions one 0x0027 page looks at (at least max_page_entries, so a
// page never holds fewer entries than it could for want of positions).
inline constexpr std::uint32_t online_page_span = 32;
static_assert(online_page_span >= max_page_entries && online_page_span <= 32);

class server_replies {
public:
    explicit server_replies(engine_core& core) noexcept : c_(core) {}

    // Header of a reply: the client's version echoed (qq-protocol.md: what
    // else breaks libprotoident), the request's command and sequence.
    [[nodiscard]] proto::server_header header(proto::qq_command command, std::uint16_t sequence) const noexcept {
        return {c_.settings.client_version, command, sequence};
    }

    // An encrypted reply to the request in `f`.
    template <class Io, class Encode>
    void encrypted(Io& io, const proto::parsed_frame& f, const proto::server_header& h, const proto::tea_key& key,
                   std::uint64_t seed, Encode&& encode) noexcept {
        c_.reply_to(io, f, [&](proto::byte_span room) {
            return qq_packet::server_encrypted(room, h, key, seed, c_.seal, encode);
        });
    }

    // 0x0062 reply in clear: 00, length, token; signature form in the modern
    // dialect (the first exchange of the server flow).
    template <class Io>
    void token(Io& io, const proto::parsed_frame& f, std::uint16_t sequence,
               std::span<const std::byte, token_size> token) noexcept {
        const proto::server_header h = header(proto::qq_command::request_login_token, sequence);
        c_.reply_to(io, f, [&](proto::byte_span room) {
            const proto::byte_span body = qq_packet::body_area(room, proto::server_header_size);
            const std::size_t n = proto::encode_login_token_reply({proto::login_token_reply_ok, token}, body);
            if (n == 0) return std::size_t{0};
            if (c_.settings.dialect == proto::dialect::modern)
                return proto::frame_signature_server_body(room, h, n);
            return proto::frame_server_body(room, h, n);
        });
    }

    // An A answer for login server `index`, or NXDOMAIN when index < 0.
    template <class Io>
    void dns(Io& io, const proto::parsed_frame& f, const proto::dns_query& q, int index) noexcept {
        std::array<proto::ipv4_address, 1> address{};
        proto::dns_response_desc d;
        d.id = q.id;
        d.name = q.name.view();
        d.qtype = q.qtype;
        d.recursion_desired = q.recursion_desired();
        if (index >= 0) {
            address[0] = proto::ipv4_address::from_u32(c_.server_ip32(static_cast<std::size_t>(index)));
            d.addresses = address;
        } else {
            d.rcode = proto::dns_rcode::name_error;
        }
        c_.reply_to(io, f,
                    [&](proto::byte_span room) { return proto::encode_dns_response(room, d); });
    }

    // A 0x0026 page: buddies start .. start + page_size of `slot`.
    template <class Io>
    void friend_page(Io& io, const proto::parsed_frame& f, const proto::server_header& h, std::uint32_t slot,
                     std::uint16_t start, const proto::tea_key& key, std::uint64_t seed) noexcept {
        const std::uint32_t count = c_.buddies.count(slot);
        const std::uint32_t n = std::min<std::uint32_t>(c_.settings.friend_page_size, count - start);
        std::array<proto::friend_entry, max_page_entries> entries{};
        std::array<friend_entry_text, max_page_entries> names{};
        for (std::uint32_t i = 0; i < n; ++i) {
            const std::uint32_t qq = c_.identity.qq_number(c_.buddies.buddy(slot, start + i));
            names[i] = nickname_of(qq);
            entries[i].uid = qq;
            entries[i].age = age_of(qq);
            entries[i].gender = gender_of(qq);
            entries[i].nickname = proto::const_byte_span{names[i].nickname}.first(names[i].size);
        }
        const std::uint16_t next = start + n < count ? static_cast<std::uint16_t>(start + n) : proto::friend_list_done;
        encrypted(io, f, h, key, seed, [&](proto::byte_span p) {
            const proto::page_encoding e =
                proto::encode_friend_list_reply(next, std::span<const proto::friend_entry>(entries.data(), n), p);
            return e.entries == n ? e.size : 0;
        });
    }

    // A 0x0027 page: the buddies of `slot` from `start` on that are logged
    // in (as far as the server half knows), at most page_size of them, out
    // of at most online_page_span positions (so that `online`, bit i for
    // position start + i, describes the page whole). `online` is where the
    // page is noted (computed: written; `replay`: read, for the page a
    // replayed TCP request got before — its length must not change).
    template <class Io>
    void online_page(Io& io, const proto::parsed_frame& f, const proto::server_header& h, std::uint32_t slot,
                     std::uint8_t start, const proto::tea_key& key, std::uint64_t seed, std::uint32_t& online,
                     bool replay) noexcept {
        const std::uint32_t count = c_.buddies.count(slot);
        std::array<proto::online_friend_entry, max_page_entries> entries{};
        std::uint32_t n = 0;
        std::uint32_t j = start;
        std::uint32_t mask = 0;
        for (; j < count && j - start < online_page_span && n < c_.settings.friend_page_size; ++j) {
            const std::uint32_t b = c_.buddies.buddy(slot, j);
            const std::uint32_t bit = 1u << (j - start);
            if (replay ? (online & bit) == 0 : c_.table[b].sstate != server_state::logged_in) continue;
            mask |= bit;
            proto::buddy_status_record& s = entries[n++].status;
            s.uid = c_.identity.qq_number(b);
            s.status = proto::status_online;
            s.client_version = c_.settings.client_version;
        }
        online = mask;
        const std::uint8_t next = j < count ? static_cast<std::uint8_t>(j) : proto::online_friends_done;
        encrypted(io, f, h, key, seed, [&](proto::byte_span p) {
            const proto::page_encoding e = proto::encode_online_friends_reply(
                next, std::span<const proto::online_friend_entry>(entries.data(), n), p);
            return e.entries == n ? e.size : 0;
        });
    }

    // 0x0017 with `sender`'s message m to its buddy, header sequence
    // `sequence`; `tries` varies the padding (0 over TCP: a retransmission
    // must have the length it had).
    template <class Io>
    void push(Io& io, std::uint32_t sender, std::uint32_t m, std::uint16_t sequence, std::uint32_t tries) noexcept {
        const session_record& a = c_.table[sender];
        const std::uint32_t receiver = c_.buddies.partner(sender, m);
        const session_record& b = c_.table[receiver];
        // The kept message, read in place (a copy of a struct just written
        // would wait on its stores: chat_messages.hpp); the relay's send
        // time is set after the copy into im.
        const proto::send_im& sent = held_send_im(c_, sender, m);
        const client_endpoint from = c_.table.seen(sender);
        proto::recv_im im;
        im.header.sender_uid = sent.header.sender_uid;
        im.header.receiver_uid = sent.header.receiver_uid;
        im.header.server_im_sequence = m;
        im.header.sender_ip = c_.ip32(from.ip);
        im.header.sender_port = from.port;
        im.header.im_type = proto::recv_im_from_buddy;
        im.normal = sent.header;
        im.message = sent.message;
        im.message.send_time = c_.unix_time();
        const proto::server_header h = header(proto::qq_command::receive_message, sequence);
        const proto::tea_key key = c_.identity.session_key(receiver, b.incarnation);
        const std::uint64_t seed = pad_seed(c_, sender, a.incarnation, pad_purpose::relay, (m << 4) | (tries & 15u));
        const client_endpoint to = c_.table.seen(receiver);
        c_.send_qq(io, port_role::server, receiver, tcp_msg::push, c_.settings.login_servers[b.login_server],
                   c_.qq_port(receiver), to.ip, to.port, [&](proto::byte_span room) {
                       return qq_packet::server_encrypted(room, h, key, seed, c_.seal, [&](proto::byte_span p) {
                           return proto::encode_recv_im(im, p);
                       });
                   });
    }

private:
    engine_core& c_;
};

}  // namespace qqgen::engine
