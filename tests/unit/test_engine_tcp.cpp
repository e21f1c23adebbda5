// QQ over TCP (docs/tcp.md): the endpoint's arithmetic, the stateless frame
// walk, and the session engine with TCP users over memory_frame_io: full
// sessions, a mixed UDP/TCP load, both closers, the loss of each kind of
// segment, RST handling, a stop in the middle of a run.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "dataplane/engine/tcp_endpoint.hpp"
#include "engine_test_support.hpp"
#include "protocols/counter_rng.hpp"
#include "protocols/qq_tcp_framing.hpp"

using namespace qqgen;
using namespace qqgen::test;
using engine::tcp_endpoint;
using engine::tcp_msg;
using engine::tcp_state;
namespace flag = proto::tcp_flag;

// --- the endpoint ---------------------------------------------------------------

TEST_CASE("sequence numbers compare modulo 2^32", "[tcp]") {
    CHECK(engine::seq_lt(0xFFFFFFF0u, 0x10u));
    CHECK(engine::seq_gt(0x10u, 0xFFFFFFF0u));
    CHECK(engine::seq_le(5u, 5u));
    CHECK_FALSE(engine::seq_lt(5u, 5u));
}

TEST_CASE("retransmission back-off doubles up to the maximum (RFC 6298 5.5)", "[tcp]") {
    CHECK(engine::tcp_backoff_ms(300, 1) == 300);
    CHECK(engine::tcp_backoff_ms(300, 2) == 600);
    CHECK(engine::tcp_backoff_ms(300, 4) == 2400);
    CHECK(engine::tcp_backoff_ms(1000, 20) == 60'000);
    CHECK(engine::tcp_backoff_ms(300, 30, 1000) == 1000);
}

TEST_CASE("an endpoint tracks two messages in flight and their acknowledgement", "[tcp]") {
    tcp_endpoint e;
    e.open(0xFFFFFFF0u, tcp_state::syn_sent);
    CHECK(e.snd_nxt == 0xFFFFFFF1u);
    CHECK(e.acknowledge(0xFFFFFFF1u));  // SYN
    e.state = tcp_state::established;
    CHECK_FALSE(e.in_flight());
    REQUIRE(e.append(tcp_msg::request, 100));
    REQUIRE(e.append(tcp_msg::push_ack, 40));
    CHECK_FALSE(e.append(tcp_msg::request, 10));  // two at most
    CHECK(e.find(tcp_msg::push_ack) == 1);
    CHECK(e.seq_of(1) == 0xFFFFFFF1u + 100);        // wraps
    CHECK_FALSE(e.acknowledge(0xFFFFFFF1u + 200));  // never sent
    CHECK(e.acknowledge(0xFFFFFFF1u + 60));         // part of the first
    CHECK(e.len[0] == 40);
    CHECK(e.seq_of(0) == 0xFFFFFFF1u + 60);
    CHECK(e.acknowledge(0xFFFFFFF1u + 100));
    CHECK(e.kind[0] == tcp_msg::push_ack);
    CHECK(e.find(tcp_msg::request) == -1);
    CHECK_FALSE(e.acknowledge(0xFFFFFFF1u + 100));  // old
    CHECK(e.acknowledge(e.snd_nxt));
    CHECK(e.kind[0] == tcp_msg::none);
    CHECK_FALSE(e.in_flight());
}

TEST_CASE("whole frames of a segment are handed out; a cut one is left", "[tcp]") {
    std::vector<std::byte> wire;
    for (std::uint16_t i = 0; i < 3; ++i) {
        std::vector<std::byte> f(64);
        const std::size_t n = proto::encode_tcp_server_frame(
            f, {proto::qq_version::pidgin_2_4, proto::qq_command::keep_alive, i}, std::vector<std::byte>(10 + i));
        REQUIRE(n != 0);
        wire.insert(wire.end(), f.begin(), f.begin() + static_cast<std::ptrdiff_t>(n));
    }
    std::vector<std::size_t> sizes;
    auto collect = [&](proto::const_byte_span p) { sizes.push_back(p.size()); };
    const auto all = proto::for_each_tcp_frame(wire, 4096, collect);  // coalesced
    CHECK(all.frames == 3);
    CHECK(all.consumed == wire.size());
    CHECK_FALSE(all.partial);
    sizes.clear();
    const auto cut = proto::for_each_tcp_frame(proto::const_byte_span{wire}.first(wire.size() - 5), 4096, collect);
    CHECK(cut.frames == 2);
    CHECK(cut.partial);
    CHECK(sizes.size() == 2);
    CHECK(cut.consumed < wire.size() - 5);
    const auto tiny = proto::for_each_tcp_frame(proto::const_byte_span{wire}.first(1), 4096, collect);
    CHECK(tiny.frames == 0);
    CHECK(tiny.partial);
    std::vector<std::byte> bad{std::byte{0}, std::byte{3}, std::byte{0}};
    CHECK(proto::for_each_tcp_frame(bad, 4096, collect).why.code == proto::decode_error::bad_length);
}

// --- the engine -------------------------------------------------------------------

namespace {

load_settings tcp_settings(std::uint32_t users, std::uint32_t ppm = 1'000'000) {
    load_settings s = quick_settings(users);
    s.tcp_share_ppm = ppm;
    return s;
}

// Segments seen on the wire, by direction and flags.
struct tcp_view {
    std::uint64_t segments = 0, syn = 0, synack = 0, fin = 0, rst = 0, data = 0, bad = 0, udp = 0;
    std::set<std::tuple<int, std::uint32_t, std::uint32_t>> data_seqs;  // (from, seq, len)
    std::uint64_t repeated_data = 0;  // the same (from, seq, len) again: a retransmission
};

engine::memory_frame_io::wire_hook viewing(tcp_view& v) {
    return [&v](port_role from, std::span<std::byte> frame) {
        const auto p = proto::parse_frame(frame);
        if (!p) {
            ++v.bad;
            return wire_verdict::deliver;
        }
        if (p.value.protocol == proto::ip_protocol::udp) ++v.udp;
        if (p.value.protocol != proto::ip_protocol::tcp) return wire_verdict::deliver;
        ++v.segments;
        const auto fl = p.value.tcp.flags;
        if ((fl & flag::syn) && !(fl & flag::ack)) ++v.syn;
        if ((fl & flag::syn) && (fl & flag::ack)) ++v.synack;
        if (fl & flag::fin) ++v.fin;
        if (fl & flag::rst) ++v.rst;
        if (!p.value.payload.empty()) {
            ++v.data;
            const auto key = std::make_tuple(static_cast<int>(from), p.value.tcp.seq,
                                             static_cast<std::uint32_t>(p.value.payload.size()));
            if (!v.data_seqs.insert(key).second) ++v.repeated_data;
        }
        return wire_verdict::deliver;
    };
}

void require_complete(const engine::engine_counters& c, std::uint64_t users) {
    CHECK(c.users.started == users);
    CHECK(c.users.completed == users);
    CHECK(c.users.failed == 0);
    CHECK(c[stage::logout].completed == users);
    CHECK(c.server.corrupt == 0);
    CHECK(c.client_corrupt_replies == 0);
    CHECK(c.messages.corrupt == 0);
    CHECK(c.encode_failures == 0);
    CHECK(c.tcp.rebuild_mismatch == 0);
    CHECK(c.tcp.frame_too_big == 0);
}

struct run_result {
    engine::engine_counters c;
    tcp_view v;
    std::size_t bytes_per_session = 0;
    bool done = false;
    std::size_t armed = 0;
    std::uint32_t active = 0;
    bool buffers_back = false;
};

run_result run(const load_settings& s, const engine::memory_frame_io::wire_hook& extra = {},
               std::uint64_t max_ns = 60'000'000'000, std::uint64_t wire_delay_ns = 0) {
    engine::memory_wire_config wire = roomy_wire();
    wire.delay_ns = wire_delay_ns;
    memory_frame_io io(wire);
    run_result out;
    auto view = viewing(out.v);
    io.set_wire_hook([&](port_role from, std::span<std::byte> f) {
        view(from, f);
        return extra ? extra(from, f) : wire_verdict::deliver;
    });
    engine_t e(s, 0, 1, texts());
    out.done = run_until(
        e, io, [&] { return e.done(); }, max_ns);
    settle(e, io);
    out.c = e.counters();
    if (std::getenv("QQGEN_TCP_DEBUG") != nullptr) engine::print_summary(stdout, out.c);
    out.bytes_per_session = e.bytes_per_session();
    out.armed = e.armed_timers();
    out.active = e.active_users();
    out.buffers_back = io.buffers_free() == io.buffers_total();
    return out;
}

// Drops the n-th (1-based) segment from `side` that matches `pred`.
engine::memory_frame_io::wire_hook drop_nth(port_role side, std::uint64_t n,
                                            std::function<bool(const proto::parsed_frame&)> pred,
                                            std::uint64_t& dropped) {
    auto count = std::make_shared<std::uint64_t>(0);
    return [=, &dropped](port_role from, std::span<std::byte> frame) {
        if (from != side) return wire_verdict::deliver;
        const auto p = proto::parse_frame(frame);
        if (!p || p.value.protocol != proto::ip_protocol::tcp || !pred(p.value)) return wire_verdict::deliver;
        if (++*count != n) return wire_verdict::deliver;
        ++dropped;
        return wire_verdict::drop;
    };
}

}  // namespace

TEST_CASE("TCP: every user completes every stage, with a clean wire", "[engine][tcp]") {
    for (std::uint8_t closer : {engine::tcp_closer_client, engine::tcp_closer_server}) {
        INFO("closer " << int(closer));
        load_settings s = tcp_settings(24);
        s.tcp_closer = closer;
        const run_result r = run(s);
        REQUIRE(r.done);
        require_complete(r.c, 24);
        const auto& t = r.c.tcp;
        // One connection per login server visited: redirected users two.
        CHECK(t.attempted == 24 + r.c.users.redirected);
        CHECK(t.established == t.attempted);
        CHECK(t.accepted == t.attempted);
        CHECK(t.closed == t.attempted);
        CHECK(t.failed_timeout + t.failed_reset + t.dropped_timeout + t.dropped_reset + t.dropped_stream == 0);
        CHECK(r.c.connect_latency.count == t.attempted);
        for (std::size_t p = 0; p < 2; ++p) {
            CHECK(t.retransmits[p] == 0);
            CHECK(t.rst_sent[p] == 0);
            CHECK(t.rst_received[p] == 0);
            CHECK(t.out_of_order[p] == 0);
            CHECK(t.duplicate[p] == 0);
            CHECK(t.partial_frames[p] == 0);
        }
        CHECK(t.send_blocked == 0);
        // On the wire: a SYN, a SYN-ACK and two FINs per connection; no
        // retransmission; only DNS over UDP.
        CHECK(r.v.bad == 0);
        CHECK(r.v.syn == t.attempted);
        CHECK(r.v.synack == t.attempted);
        CHECK(r.v.fin == 2 * t.attempted);
        CHECK(r.v.rst == 0);
        CHECK(r.v.repeated_data == 0);
        CHECK(r.v.udp == 2 * 24);
        CHECK(r.c.messages.delivered == r.c.messages.relayed);
        CHECK(r.c.messages.lost == 0);
        CHECK(r.active == 0);
        CHECK(r.armed == 0);
        CHECK(r.buffers_back);
    }
}

TEST_CASE("TCP: half the users over TCP, half over UDP, chat across", "[engine][tcp]") {
    const run_result r = run(tcp_settings(40, 500'000));
    REQUIRE(r.done);
    require_complete(r.c, 40);
    CHECK(r.c.tcp.attempted > 5);
    CHECK(r.c.tcp.attempted < 40 + r.c.users.redirected);
    CHECK(r.c.tcp.closed == r.c.tcp.attempted);
    CHECK(r.c.messages.delivered == r.c.messages.relayed);
    CHECK(r.v.repeated_data == 0);
    CHECK(r.v.bad == 0);
}

TEST_CASE("TCP: memory per session", "[engine][tcp]") {
    const load_settings udp = quick_settings(8);
    engine_t a(udp, 0, 1, texts());
    engine_t b(tcp_settings(8), 0, 1, texts());
    CHECK(b.bytes_per_session() == a.bytes_per_session() + 2 * sizeof(tcp_endpoint));
    WARN("bytes per session: UDP only " << a.bytes_per_session() << ", with TCP users " << b.bytes_per_session());
}

TEST_CASE("TCP: the loss of each kind of segment is recovered", "[engine][tcp]") {
    struct lost {
        const char* what;
        port_role side;
        std::uint64_t nth;
        std::function<bool(const proto::parsed_frame&)> pred;
    };
    const auto is = [](std::uint8_t want, std::uint8_t mask) {
        return [=](const proto::parsed_frame& f) { return (f.tcp.flags & mask) == want; };
    };
    const auto data = [](const proto::parsed_frame& f) { return !f.payload.empty(); };
    const std::vector<lost> cases{
        {"SYN", port_role::client, 1, is(flag::syn, flag::syn | flag::ack)},
        {"SYN-ACK", port_role::server, 1, is(flag::syn | flag::ack, flag::syn | flag::ack)},
        {"handshake ACK", port_role::client, 1,
         [](const proto::parsed_frame& f) { return f.payload.empty() && f.tcp.flags == flag::ack; }},
        {"first request", port_role::client, 1, data},
        {"a later request", port_role::client, 7, data},
        {"first reply", port_role::server, 1, data},
        {"a later reply or push", port_role::server, 9, data},
        {"client FIN", port_role::client, 1, is(flag::fin, flag::fin)},
        {"server FIN", port_role::server, 1, is(flag::fin, flag::fin)},
        {"a pure ACK of the server", port_role::server, 5,
         [](const proto::parsed_frame& f) { return f.payload.empty() && f.tcp.flags == flag::ack; }},
    };
    for (std::uint8_t closer : {engine::tcp_closer_client, engine::tcp_closer_server}) {
        for (const lost& l : cases) {
            INFO(l.what << ", closer " << int(closer));
            load_settings s = tcp_settings(6);
            s.tcp_closer = closer;
            s.redirect_ppm = 0;
            std::uint64_t dropped = 0;
            const run_result r = run(s, drop_nth(l.side, l.nth, l.pred, dropped));
            CHECK(dropped == 1);
            REQUIRE(r.done);
            require_complete(r.c, 6);
            CHECK(r.c.tcp.established == r.c.tcp.attempted);
            // A lost ACK may cost nothing (the next segment acknowledges too).
            if (std::string(l.what).find("ACK") == std::string::npos)
                CHECK(r.c.tcp.retransmits[0] + r.c.tcp.retransmits[1] + r.c.messages.relay_resends > 0);
            CHECK(r.active == 0);
        }
    }
}

TEST_CASE("TCP: a random 3% loss: every user ends, retransmissions counted, none stuck", "[engine][tcp]") {
    // Fixed loss patterns: reproducible. Each is a different set of lost
    // SYNs, data, ACKs and FINs on both sides.
    const std::uint64_t pattern = GENERATE(42, 43, 44, 45);
    INFO("loss pattern " << pattern);
    load_settings s = tcp_settings(60);
    s.resend_tries = 8;
    std::uint64_t n = 0, dropped = 0;
    const run_result r = run(s, [&](port_role, std::span<std::byte>) {
        if (proto::counter_random(pattern, 7, ++n) % 100 < 3) {
            ++dropped;
            return wire_verdict::drop;
        }
        return wire_verdict::deliver;
    });
    REQUIRE(r.done);
    CHECK(dropped > 10);
    CHECK(r.c.users.started == 60);
    CHECK(r.c.users.completed + r.c.users.failed == 60);
    CHECK(r.c.users.completed >= 55);
    CHECK(r.c.tcp.retransmits[0] > 0);
    CHECK(r.c.server.corrupt == 0);
    // Every message in flight could be sent again with its length.
    CHECK(r.c.tcp.rebuild_mismatch == 0);
    CHECK(r.c.tcp.frame_too_big == 0);
    CHECK(r.active == 0);
    CHECK(r.armed == 0);
    CHECK(r.buffers_back);
    WARN("3% loss (pattern " << pattern << "): " << dropped << " frames dropped; client retransmits "
                             << r.c.tcp.retransmits[0] << ", server retransmits " << r.c.tcp.retransmits[1]
                             << ", completed " << r.c.users.completed << ", failed " << r.c.users.failed);
}

TEST_CASE("TCP: netem's loss 3% reorder 5% delay 5ms: every user ends, the halves agree, none stuck", "[engine][tcp]") {
    // What issue 5 asks of `tc netem loss 3% reorder 5% delay 5ms` on the
    // router; this CI kernel has no sch_netem, so the in-memory wire plays
    // the router here (dataplane_netns_dut_tcp.sh injects the loss through a
    // real one).
    const std::uint64_t pattern = GENERATE(7, 8);
    INFO("pattern " << pattern);
    load_settings s = tcp_settings(60);
    s.resend_tries = 8;
    s.resend_timeout_ms = 200;  // above the 10-ms round trip
    std::uint64_t n = 0, dropped = 0, held = 0;
    const run_result r = run(
        s,
        [&](port_role, std::span<std::byte>) {
            const std::uint64_t d = proto::counter_random(pattern, 9, ++n) % 100;
            if (d < 3) {
                ++dropped;
                return wire_verdict::drop;
            }
            if (d < 8) {
                ++held;
                return wire_verdict::hold_back;
            }
            return wire_verdict::deliver;
        },
        120'000'000'000, 5'000'000);
    REQUIRE(r.done);
    CHECK(dropped > 10);
    CHECK(held > 10);
    const auto& c = r.c;
    CHECK(c.users.started == 60);
    CHECK(c.users.completed + c.users.failed == 60);
    CHECK(c.users.completed >= 55);
    CHECK(c.tcp.retransmits[0] > 0);
    CHECK(c.tcp.out_of_order[0] + c.tcp.out_of_order[1] > 0);
    CHECK(c.tcp.rebuild_mismatch == 0);
    // The halves agree: every connection the client established the server
    // accepted; every login the client saw the server granted; every
    // message the client counts sent and acknowledged the server took.
    CHECK(c.tcp.accepted == c.tcp.established);
    CHECK(c.server.logins_ok == c.users.logged_in);
    CHECK(c.messages.acked == c.messages.sent);
    CHECK(c.messages.delivered + c.messages.lost + c.messages.offline + c.messages.superseded >= c.messages.relayed);
    CHECK(c.server.corrupt == 0);
    CHECK(c.client_corrupt_replies == 0);
    CHECK(r.active == 0);
    CHECK(r.armed == 0);
    CHECK(r.buffers_back);
    WARN("pattern " << pattern << ": " << dropped << " lost, " << held << " reordered; retransmits client "
                    << c.tcp.retransmits[0] << " server " << c.tcp.retransmits[1] << "; out of order "
                    << c.tcp.out_of_order[0] + c.tcp.out_of_order[1] << "; completed " << c.users.completed);
}

TEST_CASE("TCP: IPv6 users with VLAN tags complete; the MSS is capped for IPv6", "[engine][tcp]") {
    load_settings s = quick_ipv6_settings(24);
    s.vlan_id = {100, 100};
    s.tcp_share_ppm = 1'000'000;
    std::uint64_t syn_mss_above_1440 = 0;
    const run_result r = run(s, [&](port_role, std::span<std::byte> frame) {
        const auto p = proto::parse_frame(frame);
        if (p && p.value.protocol == proto::ip_protocol::tcp && p.value.ip_version == 6 &&
            (p.value.tcp.flags & flag::syn) != 0 && p.value.tcp.options.mss.value_or(0xFFFF) > 1440)
            ++syn_mss_above_1440;
        return wire_verdict::deliver;
    });
    REQUIRE(r.done);
    require_complete(r.c, 24);
    CHECK(r.v.bad == 0);
    CHECK(r.v.syn > 0);
    CHECK(syn_mss_above_1440 == 0);
    CHECK(r.c.tcp.established == r.c.tcp.attempted);
    CHECK(r.c.tcp.closed == r.c.tcp.attempted);
}

TEST_CASE("TCP: frames a middlebox splits across segments are reassembled without a retransmission", "[engine][tcp]") {
    // The "DUT" cuts every data segment in two at a point that moves around
    // (inside the length field, the QQ header, the body, between frames).
    load_settings s = tcp_settings(30);
    memory_frame_io io(roomy_wire());
    std::uint64_t split = 0, bad = 0;
    io.set_wire_hook([&](port_role from, std::span<std::byte> frame) {
        const auto p = proto::parse_frame(frame);
        if (!p) ++bad;
        if (!p || p.value.protocol != proto::ip_protocol::tcp || p.value.payload.size() < 2)
            return wire_verdict::deliver;
        const proto::parsed_frame& f = p.value;
        const std::size_t cut = 1 + (f.tcp.seq ^ (f.tcp.seq >> 7)) % (f.payload.size() - 1);
        proto::frame_desc d;
        d.eth = {f.dst_mac, f.src_mac, f.vlan};
        d.src_ip = f.src_ip;
        d.dst_ip = f.dst_ip;
        d.ttl = f.ttl;
        d.ipv4_id = f.ipv4_id;
        d.protocol = proto::ip_protocol::tcp;
        d.src_port = f.src_port;
        d.dst_port = f.dst_port;
        d.tcp = f.tcp;
        d.tcp.flags = static_cast<std::uint8_t>(f.tcp.flags & ~flag::fin);  // the FIN goes with the second part
        std::array<std::byte, 1600> one{}, two{};
        const std::size_t n1 = proto::write_frame(one, d, f.payload.first(cut));
        d.tcp.seq = f.tcp.seq + static_cast<std::uint32_t>(cut);
        d.tcp.flags = f.tcp.flags;
        const std::size_t n2 = proto::write_frame(two, d, f.payload.subspan(cut));
        REQUIRE(n1 != 0);
        REQUIRE(n2 != 0);
        const port_role to = from == port_role::client ? port_role::server : port_role::client;
        REQUIRE(io.inject(to, std::span<const std::byte>(one).first(n1)));
        REQUIRE(io.inject(to, std::span<const std::byte>(two).first(n2)));
        ++split;
        return wire_verdict::drop;
    });
    engine_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 60'000'000'000));
    settle(e, io);
    const auto& c = e.counters();
    CHECK(bad == 0);
    CHECK(split > 100);
    require_complete(c, 30);
    CHECK(c.tcp.partial_frames[0] > 0);
    CHECK(c.tcp.partial_frames[1] > 0);
    // Every split frame was put together from its parts: nothing had to be
    // sent again, nothing was refused or out of order.
    CHECK(c.tcp.retransmits[0] == 0);
    CHECK(c.tcp.retransmits[1] == 0);
    CHECK(c.tcp.out_of_order[0] + c.tcp.out_of_order[1] == 0);
    CHECK(c.tcp.dropped_stream == 0);
    CHECK(c.server.corrupt == 0);
    CHECK(c.client_corrupt_replies == 0);
    CHECK(e.armed_timers() == 0);
}

TEST_CASE("TCP: a replayed online-friends request gets the page it got, whatever changed since", "[engine][tcp]") {
    // The server's answer to 0x0027 depends on who is online; over TCP a
    // request sent again at its place must get a reply of the same length
    // (docs/tcp.md). Dropping every first server reply to 0x0027 makes the
    // client send its request again after buddies have logged in or out.
    load_settings s = tcp_settings(40);
    s.buddies_per_user = 7;
    s.friend_page_size = 3;
    s.new_user_rate = 100;  // users log in one by one while others wait for their pages
    s.new_user_burst = 1;
    std::uint64_t dropped = 0;
    std::set<std::pair<std::uint32_t, std::uint32_t>> seen;  // (destination port, seq) of replies dropped once
    const run_result r = run(s, [&](port_role from, std::span<std::byte> frame) {
        const auto p = proto::parse_frame(frame);
        if (from != port_role::server || !p || p.value.protocol != proto::ip_protocol::tcp || p.value.payload.size() < 6)
            return wire_verdict::deliver;
        // QQ over TCP: 2-byte length, then 0x02, version (2), command (2).
        if (proto::load_be16(p.value.payload.data() + 5) != 0x0027) return wire_verdict::deliver;
        if (!seen.emplace(p.value.dst_port, p.value.tcp.seq).second) return wire_verdict::deliver;
        ++dropped;
        return wire_verdict::drop;
    });
    REQUIRE(r.done);
    CHECK(dropped > 0);
    CHECK(r.c.users.completed == 40);
    CHECK(r.c.tcp.rebuild_mismatch == 0);
    CHECK(r.c.server.corrupt == 0);
    CHECK(r.c.client_corrupt_replies == 0);
}

TEST_CASE("TCP: a RST in answer to the SYN fails the connection", "[engine][tcp]") {
    load_settings s = tcp_settings(4);
    s.redirect_ppm = 0;
    // The "DUT" turns the first SYN-ACK into a RST-ACK (a firewall refusing).
    bool done_once = false;
    const run_result r = run(s, [&](port_role from, std::span<std::byte> frame) {
        const auto p = proto::parse_frame(frame);
        if (done_once || from != port_role::server || !p || p.value.protocol != proto::ip_protocol::tcp ||
            p.value.tcp.flags != (flag::syn | flag::ack))
            return wire_verdict::deliver;
        done_once = true;
        const std::size_t l4 = static_cast<std::size_t>(p.value.l4.data() - frame.data());
        frame[l4 + 13] = std::byte{flag::rst | flag::ack};
        // RFC 1624: the checksum follows the flags word.
        const std::uint16_t old_word = proto::load_be16(frame.data() + l4 + 12);
        const std::uint16_t new_word = static_cast<std::uint16_t>((old_word & 0xFF00) | (flag::rst | flag::ack));
        proto::store_be16(frame.data() + l4 + 16,
                          proto::checksum_update16(
                              proto::load_be16(frame.data() + l4 + 16),
                              static_cast<std::uint16_t>((old_word & 0xFF00) | (flag::syn | flag::ack)), new_word));
        return wire_verdict::deliver;
    });
    REQUIRE(r.done);
    CHECK(r.c.tcp.rst_received[0] == 1);
    CHECK(r.c.tcp.failed_reset == 1);
    CHECK(r.c.users.failed == 1);
    CHECK(r.c.users.completed == 3);
    // The server's half-open connection gets the client's RST when it
    // retransmits nothing: the client answers whatever arrives for it later.
    CHECK(r.active == 0);
}

TEST_CASE("TCP: a stop in the middle closes every connection with a FIN", "[engine][tcp]") {
    load_settings s = tcp_settings(100);
    s.new_user_rate = 2000;
    s.keepalive_interval_ms = 60000;
    memory_wire_config w = roomy_wire();
    w.delay_ns = 2'000'000;
    memory_frame_io io(w);
    // Connections as the wire sees them: opened by a SYN-ACK, closed by two
    // FINs (both acknowledged) or a RST.
    std::map<std::tuple<std::uint32_t, std::uint16_t, std::uint32_t>, int> fins;  // (client, port, server) -> FINs
    std::uint64_t synacks = 0, rsts = 0;
    io.set_wire_hook([&](port_role from, std::span<std::byte> frame) {
        const auto p = proto::parse_frame(frame);
        if (!p || p.value.protocol != proto::ip_protocol::tcp) return wire_verdict::deliver;
        const bool c = from == port_role::client;
        const auto key = std::make_tuple((c ? p.value.src_ip : p.value.dst_ip).v4().to_u32(),
                                         c ? p.value.src_port : p.value.dst_port,
                                         (c ? p.value.dst_ip : p.value.src_ip).v4().to_u32());
        if (p.value.tcp.flags == (flag::syn | flag::ack)) ++synacks;
        if (p.value.tcp.flags & flag::fin) ++fins[key];
        if (p.value.tcp.flags & flag::rst) ++rsts;
        return wire_verdict::deliver;
    });
    engine_t e(s, 0, 1, texts());
    run_until(
        e, io, [] { return false; }, 40'000'000);
    REQUIRE(e.counters().tcp.established > 0);
    REQUIRE(e.counters().users.logged_in > 0);
    stop_gracefully(e, io, 200'000);
    settle(e, io);
    const auto& c = e.counters();
    if (std::getenv("QQGEN_TCP_DEBUG") != nullptr) engine::print_summary(stdout, c);
    CHECK(e.active_users() == 0);
    CHECK(c.users.started == c.users.completed + c.users.failed + c.users.stopped);
    CHECK(c.tcp.closed == c.tcp.established);
    CHECK(c.tcp.close_timeout == 0);
    // Connections still in SYN-SENT are forgotten; the SYN-ACK that comes
    // later finds none and is answered with a RST (clearing the DUT's entry).
    CHECK(synacks == c.tcp.attempted);
    CHECK(rsts == c.tcp.attempted - c.tcp.established);
    CHECK(fins.size() == c.tcp.established);
    for (const auto& [k, n] : fins) CHECK(n == 2);
    CHECK(e.armed_timers() == 0);
}
