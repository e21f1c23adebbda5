// The session engine against a misbehaving "DUT": lost frames (resends,
// give-ups), corrupted frames (bad checksums, rewritten payloads), duplicated
// and stale frames, frames that are not for it.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "engine_test_support.hpp"
#include "protocols/arp.hpp"
#include "protocols/qq_header.hpp"

using namespace qqgen;
using namespace qqgen::test;
using engine::give_up_reason;
using engine::refuse_reason;

namespace {

constexpr std::size_t client = 0;
constexpr std::size_t server = 1;

std::uint64_t refused(const engine::engine_counters& c, std::size_t port, refuse_reason r) {
    return c.refused[port][static_cast<std::size_t>(r)];
}

// Builds an untagged IPv4 UDP frame as a peer would send it.
std::vector<std::byte> udp_frame(const load_settings& s, port_role to, proto::ip_address src, std::uint16_t sport,
                                 proto::ip_address dst, std::uint16_t dport, std::span<const std::byte> payload) {
    proto::frame_desc d;
    d.eth.dst = s.local_mac[engine::index_of(to)];
    d.eth.src = s.next_hop_mac[engine::index_of(to)];
    d.src_ip = src;
    d.dst_ip = dst;
    d.src_port = sport;
    d.dst_port = dport;
    std::vector<std::byte> f(2048);
    const std::size_t n = proto::write_frame(f, d, payload);
    REQUIRE(n > 0);
    f.resize(n);
    return f;
}

}  // namespace

TEST_CASE("a wire dropping every 7th frame: resends, and every user completes", "[engine][faults]") {
    load_settings s = quick_settings(30);
    memory_wire_config w = roomy_wire();
    w.drop_every = 7;
    memory_frame_io io(w);
    engine_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 60'000'000'000));
    settle(e, io, 2'000'000'000);
    const auto& c = e.counters();
    CHECK(io.wire(port_role::client).dropped > 0);
    CHECK(io.wire(port_role::server).dropped > 0);
    std::uint64_t resends = 0;
    for (const auto& st : c.stages) resends += st.resends;
    CHECK(resends > 0);
    CHECK(c.users.completed == 30);
    CHECK(c.users.failed == 0);
    // Lost replies make the server see resends of what it answered already.
    CHECK(c.server.duplicate > 0);
    CHECK(c.server.corrupt == 0);
    CHECK(c.messages.acked == c.messages.sent);
    CHECK(e.active_users() == 0);
}

TEST_CASE("a wire dropping everything: every user gives up at DNS, no slot stuck", "[engine][faults]") {
    load_settings s = quick_settings(20);
    s.total_sessions = 40;
    memory_frame_io io(roomy_wire());
    io.set_wire_hook([](port_role, std::span<std::byte>) { return wire_verdict::drop; });
    engine_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 60'000'000'000));
    const auto& c = e.counters();
    CHECK(c.users.started == 40);
    CHECK(c.users.failed == 40);
    CHECK(c[stage::dns].started == 40);
    CHECK(c[stage::dns].gave_up[static_cast<std::size_t>(give_up_reason::timeout)] == 40);
    CHECK(c[stage::dns].resends == 40 * (s.resend_tries - 1u));
    CHECK(c[stage::token].started == 0);
    CHECK(e.active_users() == 0);
    CHECK(e.armed_timers() == 0);
    CHECK(io.buffers_free() == io.buffers_total());
}

TEST_CASE("login replies all lost: users give up at login with reason timeout", "[engine][faults]") {
    load_settings s = quick_settings(10);
    s.redirect_ppm = 0;
    memory_frame_io io(roomy_wire());
    io.set_wire_hook([](port_role from, std::span<std::byte> f) {
        const bool login_reply = from == port_role::server && qq_command_of(udp_payload(f)) == 0x0022;
        return login_reply ? wire_verdict::drop : wire_verdict::deliver;
    });
    engine_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 60'000'000'000));
    const auto& c = e.counters();
    CHECK(c.users.failed == 10);
    CHECK(c[stage::dns].completed == 10);
    CHECK(c[stage::token].completed == 10);
    CHECK(c[stage::login].gave_up[static_cast<std::size_t>(give_up_reason::timeout)] == 10);
    CHECK(c[stage::login].resends == 10 * (s.resend_tries - 1u));
    // Each resend reached the server: duplicates, answered again.
    CHECK(c.server.duplicate == 10 * (s.resend_tries - 1u));
    CHECK(c.server.logins_ok == 10);
    CHECK(e.active_users() == 0);
    CHECK(e.armed_timers() == 0);
}

TEST_CASE("frames with a flipped byte are refused as bad checksums; users still complete", "[engine][faults]") {
    load_settings s = quick_settings(20);
    memory_wire_config w = roomy_wire();
    w.corrupt_every = 11;
    memory_frame_io io(w);
    engine_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 60'000'000'000));
    settle(e, io, 2'000'000'000);
    const auto& c = e.counters();
    // memory_frame_io flips the last byte: the QQ end tag, or Ethernet
    // padding of a short frame (which no checksum covers).
    const std::uint64_t flipped = io.wire(port_role::client).corrupted + io.wire(port_role::server).corrupted;
    const std::uint64_t bad_sums = refused(c, client, refuse_reason::bad_checksum) +
                                   refused(c, server, refuse_reason::bad_checksum);
    CHECK(bad_sums > 0);
    CHECK(bad_sums <= flipped);
    CHECK(c.users.completed == 20);
}

TEST_CASE("payload rewritten with a fixed checksum is caught as corrupt", "[engine][faults]") {
    load_settings s = quick_settings(20);
    memory_frame_io io(roomy_wire());
    std::uint64_t messages_hit = 0, replies_hit = 0, status_hit = 0, n_msg = 0, n_reply = 0, n_status = 0;
    io.set_wire_hook([&](port_role from, std::span<std::byte> f) {
        const auto payload = udp_payload(f);
        const std::uint16_t cmd = qq_command_of(payload);
        const std::size_t at = static_cast<std::size_t>(payload.data() - f.data());
        // Every 3rd chat message, every 4th status request (client -> server)
        // and every 3rd status reply (server -> client): flip a ciphertext
        // byte, fix the UDP checksum.
        if (from == port_role::client && cmd == 0x0016 && ++n_msg % 3 == 0) {
            f[at + 20] ^= std::byte{0x40};
            fix_udp_checksum(f);
            ++messages_hit;
        } else if (from == port_role::client && cmd == 0x000D && ++n_status % 4 == 0) {
            f[at + 14] ^= std::byte{0x08};
            fix_udp_checksum(f);
            ++status_hit;
        } else if (from == port_role::server && cmd == 0x000D && ++n_reply % 3 == 0) {
            f[at + 9] ^= std::byte{0x01};
            fix_udp_checksum(f);
            ++replies_hit;
        }
        return wire_verdict::deliver;
    });
    engine_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 60'000'000'000));
    settle(e, io, 2'000'000'000);
    const auto& c = e.counters();
    REQUIRE(messages_hit > 0);
    REQUIRE(replies_hit > 0);
    REQUIRE(status_hit > 0);
    CHECK(c.server.corrupt == messages_hit + status_hit);
    CHECK(c.client_corrupt_replies == replies_hit);
    CHECK(refused_but_neighbours(c, client) == 0);
    CHECK(refused_but_neighbours(c, server) == 0);
    // The resends got through.
    CHECK(c.users.completed == 20);
    CHECK(c.messages.acked == c.messages.sent);
}

TEST_CASE("a duplicated request is counted and answered again", "[engine][faults]") {
    load_settings s = quick_settings(6);
    memory_frame_io io(roomy_wire());
    std::vector<std::vector<std::byte>> copies;
    io.set_wire_hook([&](port_role from, std::span<std::byte> f) {
        if (from == port_role::client && qq_command_of(udp_payload(f)) == 0x000D) copies.emplace_back(f.begin(), f.end());
        return wire_verdict::deliver;
    });
    engine_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] {
        e.poll(io);
        for (auto& f : copies) REQUIRE(io.inject(port_role::server, f));  // the DUT repeats it
        copies.clear();
        return e.done();
    }, 30'000'000'000));
    settle(e, io);
    const auto& c = e.counters();
    CHECK(c.server.duplicate == 6);
    CHECK(c.client_late_replies == 6);  // the second answers find nothing outstanding
    CHECK(c.users.completed == 6);
}

TEST_CASE("frames of a slot's previous user are refused as stale", "[engine][faults]") {
    for (std::uint16_t ports : {std::uint16_t{40}, std::uint16_t{4}}) {
        // 40 ports: consecutive users of a slot have different client ports
        // (stale by endpoint); 4 ports = users: the same port (stale by sequence).
        INFO("ports " << ports);
        load_settings s = quick_settings(4);
        s.buddies_per_user = 1;
        s.client_address_count = 1;
        s.client_ports_per_address = ports;
        s.total_sessions = 8;
        s.redirect_ppm = 0;
        s.keepalive_interval_ms = 5000;  // the second users idle logged in a while
        memory_frame_io io(roomy_wire());
        std::vector<std::vector<std::byte>> requests, replies;
        io.set_wire_hook([&](port_role from, std::span<std::byte> f) {
            if (qq_command_of(udp_payload(f)) == 0x000D)
                (from == port_role::client ? requests : replies).emplace_back(f.begin(), f.end());
            return wire_verdict::deliver;
        });
        engine_t e(s, 0, 1, texts());
        const auto& table = e.core().table;
        REQUIRE(run_until(e, io, [&] {
            for (std::uint32_t slot = 0; slot < 4; ++slot)
                if (table[slot].incarnation != 1 || table[slot].cstate != engine::client_state::keepalive_pause)
                    return false;
            return true;
        }, 30'000'000'000));
        REQUIRE(requests.size() == 8);
        REQUIRE(replies.size() == 8);
        // The first users' status exchanges, replayed while their slots have
        // their second users.
        const auto before = e.counters();
        for (std::size_t i = 0; i < 4; ++i) {
            REQUIRE(io.inject(port_role::server, requests[i]));
            REQUIRE(io.inject(port_role::client, replies[i]));
        }
        e.poll(io);
        const auto& c = e.counters();
        CHECK(refused(c, server, refuse_reason::stale_incarnation) -
                  refused(before, server, refuse_reason::stale_incarnation) == 4);
        CHECK(refused(c, client, refuse_reason::stale_incarnation) -
                  refused(before, client, refuse_reason::stale_incarnation) == 4);
        CHECK(c.server.corrupt == 0);
        CHECK(c.server.duplicate == 0);
        CHECK(c.client_corrupt_replies == 0);
        CHECK(c.client_late_replies == 0);
        REQUIRE(run_until(e, io, [&] { return e.done(); }, 30'000'000'000));
        CHECK(e.counters().users.completed == 8);
    }
}

TEST_CASE("frames that are not for this worker are counted by reason", "[engine][faults]") {
    load_settings s = quick_settings(4);
    s.total_sessions = 0;  // keep cycling; we only look at refusals
    memory_frame_io io(roomy_wire());
    // Only the frames injected below arrive: what the engine sends itself
    // (announcements, its users' first requests) is dropped on the wire, so
    // the counts below do not depend on when the engine flushes it.
    io.set_wire_hook([](port_role, std::span<std::byte>) { return wire_verdict::drop; });
    engine_t e(s, 0, 1, texts());
    e.poll(io);
    const auto ip = [](std::uint32_t v) { return proto::ip_address{proto::ipv4_address::from_u32(v)}; };
    std::array<std::byte, 32> qq{};
    proto::client_header h;
    h.command = proto::qq_command::keep_alive;
    h.qq_number = 1;  // nobody's
    const std::size_t qn = proto::encode_client_packet(qq, h, std::array<std::byte, 16>{});
    REQUIRE(qn > 0);
    const auto payload = std::span<const std::byte>(qq).first(qn);
    const proto::ip_address client_ip = s.client_address_base;

    // Server port: a QQ number outside the worker's users.
    REQUIRE(io.inject(port_role::server, udp_frame(s, port_role::server, client_ip, 20000, s.login_servers[0], 8000, payload)));
    // Server port: not a login server, not the DNS server.
    REQUIRE(io.inject(port_role::server, udp_frame(s, port_role::server, client_ip, 20000, ip(0x0A000001), 8000, payload)));
    // Server port: not a QQ packet.
    REQUIRE(io.inject(port_role::server, udp_frame(s, port_role::server, client_ip, 20000, s.login_servers[1], 8000,
                                                   std::array<std::byte, 3>{})));
    // Client port: outside the client address range.
    REQUIRE(io.inject(port_role::client, udp_frame(s, port_role::client, s.login_servers[0], 8000, ip(0x0A000001), 20000, payload)));
    // Client port: a wrong destination MAC.
    auto f = udp_frame(s, port_role::client, s.login_servers[0], 8000, client_ip, s.client_port_base, payload);
    f[5] = std::byte{0x77};
    REQUIRE(io.inject(port_role::client, f));
    // Client port: a broken UDP checksum.
    f = udp_frame(s, port_role::client, s.login_servers[0], 8000, client_ip, s.client_port_base, payload);
    f[f.size() - 2] ^= std::byte{1};
    REQUIRE(io.inject(port_role::client, f));
    // Client port: truncated.
    REQUIRE(io.inject(port_role::client, std::span<const std::byte>(f).first(30)));
    // Client port: a VLAN tag the port does not use.
    {
        proto::frame_desc d;
        d.eth.dst = s.local_mac[0];
        d.eth.src = s.next_hop_mac[0];
        d.eth.vlan = proto::vlan_tag{7, 0, false};
        d.src_ip = s.login_servers[0];
        d.dst_ip = client_ip;
        d.src_port = 8000;
        d.dst_port = s.client_port_base;
        std::vector<std::byte> t(256);
        t.resize(proto::write_frame(t, d, payload));
        REQUIRE(io.inject(port_role::client, t));
    }
    // Client port: TCP, which no half and no neighbour code takes.
    {
        proto::frame_desc d;
        d.eth.dst = s.local_mac[0];
        d.eth.src = s.next_hop_mac[0];
        d.src_ip = s.login_servers[0];
        d.dst_ip = client_ip;
        d.protocol = proto::ip_protocol::tcp;
        d.src_port = 443;
        d.dst_port = s.client_port_base;
        std::vector<std::byte> t(256);
        t.resize(proto::write_frame(t, d, payload));
        REQUIRE(io.inject(port_role::client, t));
    }
    // Client port: an ARP request for a client address: the neighbour module's.
    {
        std::vector<std::byte> a(64);
        const auto m = proto::make_arp_request(s.next_hop_mac[0], s.login_servers[0].v4(), client_ip.v4());
        a.resize(proto::write_arp_frame(a, m));
        REQUIRE(io.inject(port_role::client, a));
    }
    const auto before = e.counters();
    e.poll(io);
    const auto& c = e.counters();
    CHECK(refused(c, server, refuse_reason::unknown_session) == 1);
    CHECK(refused(c, server, refuse_reason::not_for_us) == 1);
    CHECK(refused(c, server, refuse_reason::undecodable) == 1);
    CHECK(refused(c, client, refuse_reason::not_for_us) == 1);
    CHECK(refused(c, client, refuse_reason::wrong_mac) == 1);
    CHECK(refused(c, client, refuse_reason::bad_checksum) == 1);
    CHECK(refused(c, client, refuse_reason::malformed) == 1);
    CHECK(refused(c, client, refuse_reason::wrong_vlan) == 1);
    CHECK(refused(c, client, refuse_reason::not_udp) == 1);
    CHECK(c.neighbour_frames[client] == 1);
    CHECK(e.neighbours().counters(port_role::client).arp_answered == 1);
    CHECK(c.frames_received[client] - before.frames_received[client] == 7);
    CHECK(c.frames_received[server] - before.frames_received[server] == 3);
}

TEST_CASE("the server tracks gaps, late fills and duplicates of sequence numbers", "[engine][faults]") {
    load_settings s = quick_settings(2);
    s.buddies_per_user = 1;
    s.keepalive_interval_ms = 5000;
    s.keepalive_count = 10;  // room in the sequence window for the forged offsets
    memory_frame_io io(roomy_wire());
    engine_t e(s, 0, 1, texts());
    const auto& core = e.core();
    REQUIRE(run_until(e, io, [&] { return core.table[0].cstate == engine::client_state::keepalive_pause; },
                      10'000'000'000));
    const auto& r = core.table[0];
    const std::uint32_t qq = core.identity.qq_number(0);
    const auto key = core.identity.session_key(0, r.incarnation);
    const auto me = core.identity.endpoint(0, r.incarnation, s.login_servers[r.server_index], s.login_server_port);
    const std::uint16_t start = core.identity.sequence_start(0, r.incarnation);
    const std::uint16_t next = r.next_offset;
    // A forged keep-alive of user 0 with sequence offset `off`.
    auto forge = [&](std::uint32_t off) {
        std::array<std::byte, 128> qqp{};
        proto::client_header h;
        h.version = s.client_version;
        h.command = proto::qq_command::keep_alive;
        h.sequence = static_cast<std::uint16_t>(start + off);
        h.qq_number = qq;
        engine::deferred_seal now;  // not armed: encrypted at once
        const std::size_t n = engine::qq_packet::client_encrypted(qqp, h, key, off, now, [&](proto::byte_span p) {
            return proto::encode_keep_alive_request({qq}, proto::keep_alive_uid_format::binary, p);
        });
        REQUIRE(n > 0);
        REQUIRE(io.inject(port_role::server, udp_frame(s, port_role::server, me.ip, me.port,
                                                       s.login_servers[r.server_index], 8000,
                                                       std::span<const std::byte>(qqp).first(n))));
        e.poll(io);
    };
    const auto base = e.counters().server;
    forge(next + 4u);  // skips next .. next+3
    CHECK(e.counters().server.missing - base.missing == 4);
    forge(next + 1u);  // a late arrival into the hole
    CHECK(e.counters().server.out_of_order - base.out_of_order == 1);
    CHECK(e.counters().server.missing - base.missing == 3);
    forge(next + 1u);  // again: a duplicate
    CHECK(e.counters().server.duplicate - base.duplicate == 1);
    CHECK(e.counters().server.corrupt == base.corrupt);
    forge(core.identity.sequence_span());  // beyond the user's window: corrupt
    CHECK(e.counters().server.corrupt - base.corrupt == 1);
    // The user's own next keep-alive (offset next) fills another hole.
    REQUIRE(run_until(e, io, [&] { return e.counters()[stage::keepalive].completed >= 1; }, 10'000'000'000));
    CHECK(e.counters().server.out_of_order - base.out_of_order == 2);
    CHECK(e.counters().server.missing - base.missing == 2);
    // The forged requests were answered; the client found nothing outstanding.
    CHECK(e.counters().client_late_replies == 3);
}
