// The datagram companions (app_settings.hpp): dns and udp_stream, both
// halves.
//
// dns: the client looks up `transactions` names (each drawn by weight from
// the variants, derived per look-up), think_ms apart; a query unanswered
// after rto_ms (doubled per try) is sent again, at most `tries` times. The
// server half answers every query for a known name with one A record whose
// address is derived from the name (198.19.128.0/17, inside RFC 2544's
// benchmarking range), NXDOMAIN otherwise; the client checks the id, the
// name and the address.
//
// udp_stream: the client sends `transactions` datagrams of request_bytes,
// think_ms apart: a 16-byte header (the ASCII magic "qqgs", session tag,
// datagram number, size) and then app_content's pattern; the server half
// checks each one and counts it. The magic comes first so that no
// dissector's heuristic takes a datagram for its protocol (a random first
// byte of 0x80..0xBF made tshark try RTCP). rto_ms after the last one the session ends and what the server
// half never received is counted lost.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "dataplane/engine/app_core.hpp"
#include "protocols/bytes.hpp"
#include "protocols/dns.hpp"

namespace qqgen::engine {

class app_udp {
public:
    static constexpr std::size_t stream_header = 16;
    static constexpr std::uint32_t stream_magic = 0x71716773;  // "qqgs"
    static constexpr std::uint8_t waiting = 1;   // client.state: a query is out
    static constexpr std::uint8_t thinking = 2;  // client.state: between two look-ups / datagrams

    explicit app_udp(app_core& core) noexcept : c_(core) {}

    template <class Io>
    void open(Io& io, std::uint32_t slot) noexcept {
        app_session& r = c_.slots[slot];
        r.client = app_tcp_side{};
        r.server = app_tcp_side{};
        next(io, slot);
    }

    template <class Io>
    void on_timer(Io& io, std::uint32_t slot) noexcept {
        app_session& r = c_.slots[slot];
        if (r.kind == app_kind::udp_stream) {
            if ((r.flags & app_session_flag::draining) != 0) return finish_stream(slot);
            return next(io, slot);
        }
        if (r.client.state == thinking) return next(io, slot);
        if (r.client.tries >= c_.settings.apps.tries) return c_.end_session(slot, app_core::outcome::failed_timeout);
        ++c_.count(r.kind).retransmits;
        send_query(io, slot);
    }

    // A datagram from the client (server port) or from the server (client
    // port) of the current session in `slot`.
    template <class Io>
    void on_datagram(Io& io, std::uint32_t slot, port_role role, const proto::parsed_frame& f) noexcept {
        app_session& r = c_.slots[slot];
        if (r.kind == app_kind::udp_stream) {
            if (role == port_role::server) on_stream_datagram(slot, f.payload);
            else ++c_.count(r.kind).unexpected;  // the stream is one way
            return;
        }
        if (role == port_role::server) answer(io, f);
        else on_answer(io, slot, f.payload);
    }

    void stop(std::uint32_t slot) noexcept { c_.end_session(slot, app_core::outcome::stopped); }

private:
    // --- dns ---------------------------------------------------------------------------
    [[nodiscard]] std::string_view name_of(std::uint32_t slot, std::uint32_t lookup) const noexcept {
        const app_session& r = c_.slots[slot];
        const std::uint8_t v = c_.content.pick_variant(app_kind::dns, c_.draw(app_draw::dns_name, slot, r.incarnation, lookup));
        return c_.spec(app_kind::dns).variants[v].name_view();
    }
    [[nodiscard]] std::uint16_t id_of(std::uint32_t slot, std::uint32_t lookup) const noexcept {
        return static_cast<std::uint16_t>(c_.draw(app_draw::dns_id, slot, c_.slots[slot].incarnation, lookup));
    }
    // The address a name resolves to: a function of the name alone.
    static proto::ipv4_address address_of(std::string_view name) noexcept {
        std::uint64_t h = 0xCBF29CE484222325ull;  // FNV-1a
        for (const char ch : name) h = (h ^ static_cast<unsigned char>(ch)) * 0x100000001B3ull;
        return proto::ipv4_address::from_u32(0xC6138000u | static_cast<std::uint32_t>(h & 0x7FFFu));  // 198.19.128.0/17
    }

    // The next look-up or datagram, or the end of the session.
    template <class Io>
    void next(Io& io, std::uint32_t slot) noexcept {
        app_session& r = c_.slots[slot];
        const app_spec& a = c_.spec(r.kind);
        if (r.kind == app_kind::udp_stream) return send_stream_datagram(io, slot, a);
        if (r.client.rx_txn >= a.transactions) return c_.end_session(slot, app_core::outcome::completed);
        r.client.tries = 0;
        c_.slots.sent_us(slot) = c_.now_us;
        send_query(io, slot);
    }

    template <class Io>
    void send_query(Io& io, std::uint32_t slot) noexcept {
        app_session& r = c_.slots[slot];
        const app_spec& a = c_.spec(app_kind::dns);
        const std::uint32_t lookup = r.client.rx_txn;
        const client_endpoint ep = c_.endpoint(slot, r.incarnation, a.server, a.server_port);
        c_.send_udp(io, app_kind::dns, port_role::client, ep.ip, ep.port, a.server, a.server_port,
                    [&](proto::byte_span out) noexcept {
                        return proto::encode_dns_query(out, id_of(slot, lookup), name_of(slot, lookup));
                    });
        r.client.state = waiting;
        c_.arm(slot, c_.backoff_ms(r.client.tries));
        ++r.client.tries;
    }

    template <class Io>
    void answer(Io& io, const proto::parsed_frame& f) noexcept {
        app_counters& ctr = c_.count(app_kind::dns);
        const auto q = proto::decode_dns_query(f.payload);
        if (!q) {
            ++ctr.corrupt;
            return;
        }
        const std::string_view name = q.value.name.view();
        bool known = false;
        const app_spec& a = c_.spec(app_kind::dns);
        for (std::size_t v = 0; v < a.variant_count; ++v) known = known || a.variants[v].name_view() == name;
        const std::array<proto::ipv4_address, 1> addr{address_of(name)};
        proto::dns_response_desc d;
        d.id = q.value.id;
        d.name = name;
        d.qtype = q.value.qtype;
        d.recursion_desired = q.value.recursion_desired();
        d.rcode = known ? proto::dns_rcode::no_error : proto::dns_rcode::name_error;
        if (known) d.addresses = addr;
        c_.send_udp(io, app_kind::dns, port_role::server, f.dst_ip, f.dst_port, f.src_ip, f.src_port,
                    [&](proto::byte_span out) noexcept { return proto::encode_dns_response(out, d); });
    }

    template <class Io>
    void on_answer(Io& io, std::uint32_t slot, proto::const_byte_span payload) noexcept {
        app_session& r = c_.slots[slot];
        app_counters& ctr = c_.count(app_kind::dns);
        const std::uint32_t lookup = r.client.rx_txn;
        const auto resp = proto::decode_dns_response(payload);
        if (!resp) {
            ++ctr.corrupt;
            return;
        }
        if (r.client.state != waiting || resp.value.id != id_of(slot, lookup)) {
            ++ctr.unexpected;  // a late answer to a query sent again
            return;
        }
        const std::string_view name = name_of(slot, lookup);
        if (resp.value.rcode != proto::dns_rcode::no_error) return c_.end_session(slot, app_core::outcome::failed_reset);
        if (resp.value.name.view() != name || resp.value.answers().size() != 1 ||
            resp.value.answers()[0] != address_of(name)) {
            ++ctr.corrupt;
            return c_.end_session(slot, app_core::outcome::failed_corrupt);
        }
        ++ctr.transactions;
        ctr.payload_bytes += payload.size();
        ctr.latency.record(c_.now_us - c_.slots.sent_us(slot));
        ++r.client.rx_txn;
        if (r.client.rx_txn >= c_.spec(app_kind::dns).transactions) return c_.end_session(slot, app_core::outcome::completed);
        r.client.state = thinking;
        const std::uint32_t think = c_.spec(app_kind::dns).think_ms;
        if (think == 0) return next(io, slot);
        c_.arm(slot, think);
    }

    // --- udp_stream ---------------------------------------------------------------------
    [[nodiscard]] std::uint32_t tag_of(std::uint32_t slot) const noexcept {
        return static_cast<std::uint32_t>(c_.draw(app_draw::variant, slot, c_.slots[slot].incarnation, 0xFFFF));
    }

    template <class Io>
    void send_stream_datagram(Io& io, std::uint32_t slot, const app_spec& a) noexcept {
        app_session& r = c_.slots[slot];
        const std::uint32_t n = r.client.rx_txn;
        const client_endpoint ep = c_.endpoint(slot, r.incarnation, a.server, a.server_port);
        const std::size_t size = a.request_bytes;
        c_.send_udp(io, app_kind::udp_stream, port_role::client, ep.ip, ep.port, a.server,
                                      a.server_port, [&](proto::byte_span out) noexcept -> std::size_t {
                                          if (out.size() < size) return 0;
                                          proto::byte_writer w(out);
                                          w.u32(stream_magic);
                                          w.u32(tag_of(slot));
                                          w.u32(n);
                                          w.u32(static_cast<std::uint32_t>(size));
                                          const auto body = c_.content.stream_pattern(n, size - stream_header);
                                          std::memcpy(out.data() + stream_header, body.data(), body.size());
                                          return size;
                                      });
        // A datagram that found no TX buffer is not sent again: a stream
        // does not resend. It counts as lost, as a real one would be.
        ++r.client.rx_txn;
        if (r.client.rx_txn >= a.transactions) {
            r.flags |= app_session_flag::draining;
            c_.arm(slot, c_.settings.apps.rto_ms);  // stragglers still in the DUT
            return;
        }
        c_.arm(slot, a.think_ms);
    }

    void on_stream_datagram(std::uint32_t slot, proto::const_byte_span p) noexcept {
        app_session& r = c_.slots[slot];
        app_counters& ctr = c_.count(app_kind::udp_stream);
        const std::size_t size = c_.spec(app_kind::udp_stream).request_bytes;
        proto::byte_reader rd(p);
        const std::uint32_t magic = rd.u32(), tag = rd.u32(), n = rd.u32(), declared = rd.u32();
        if (p.size() != size || magic != stream_magic || declared != size || tag != tag_of(slot) ||
            n >= r.client.rx_txn) {
            ++ctr.corrupt;
            return;
        }
        const auto body = c_.content.stream_pattern(n, size - stream_header);
        if (std::memcmp(p.data() + stream_header, body.data(), body.size()) != 0) {
            ++ctr.corrupt;
            return;
        }
        ++r.server.rx_txn;  // datagrams received (at most 1000 a session: app_settings.hpp)
        ++ctr.transactions;
        ctr.payload_bytes += p.size();
    }

    void finish_stream(std::uint32_t slot) noexcept {
        app_session& r = c_.slots[slot];
        const std::uint32_t sent = r.client.rx_txn, received = r.server.rx_txn;
        c_.count(app_kind::udp_stream).datagrams_lost += sent > received ? sent - received : 0;
        c_.end_session(slot, app_core::outcome::completed);
    }

    app_core& c_;
};

}  // namespace qqgen::engine
