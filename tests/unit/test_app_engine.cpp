// The companion applications (app_engine.hpp) beside QQ users over
// memory_frame_io: every application's sessions complete with every byte
// checked, frames reconcile per port, loss is repaired, a stop resets the
// TCP sessions, IPv6 works, and nothing is left behind.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "dataplane/engine/blended_engine.hpp"
#include "engine_test_support.hpp"

using namespace qqgen;
using namespace qqgen::test;
using engine::app_kind;
using engine::app_kind_count;
using blended_t = engine::blended_engine<memory_frame_io>;

static_assert(engine::worker_engine<blended_t, memory_frame_io>);

namespace {

constexpr std::uint64_t sessions_per_app = 20;

// quick_settings() with every companion on: sessions_per_app sessions each.
load_settings blended_settings(load_settings s = quick_settings(16)) {
    s.apps.slots = 64;
    const bool v6 = s.ip_version == 6;
    for (std::size_t k = 0; k < app_kind_count; ++k) {
        engine::app_spec a = engine::default_app_spec(static_cast<app_kind>(k), v6);
        a.session_rate = 2000;
        a.total_sessions = sessions_per_app;
        a.weight = 1;
        a.think_ms = 5;
        s.apps.apps[k] = a;
    }
    auto& dns = s.apps[app_kind::dns];
    dns.variant_count = 2;
    engine::set_app_text(dns.variants[1].name, "www.163.com");
    dns.variants[1].weight = 3;
    auto& http = s.apps[app_kind::http];  // a UTF-8 page and a GBK page
    http.variant_count = 2;
    http.variants[1] = http.variants[0];
    engine::set_app_text(http.variants[1].name, "www.163.com");
    http.variants[1].response_bytes = 60000;
    http.variants[1].charset = 0;
    s.apps[app_kind::udp_stream].transactions = 30;
    s.apps[app_kind::tcp_stream].variants[0].response_bytes = 100000;
    s.apps.rto_ms = 50;
    return s;
}

std::uint64_t expected_transactions(const load_settings& s, app_kind k) {
    const auto& a = s.apps[k];
    return sessions_per_app * (a.transactions + (k == app_kind::tls ? 1u : 0u));
}

void require_every_app_complete(const load_settings& s, const engine::engine_counters& c) {
    for (std::size_t k = 0; k < app_kind_count; ++k) {
        const auto kind = static_cast<app_kind>(k);
        const engine::app_counters& a = c.apps[k];
        INFO(std::string(to_string(kind)));
        CHECK(a.sessions_started == sessions_per_app);
        CHECK(a.sessions_completed == sessions_per_app);
        CHECK(a.sessions_failed == 0);
        CHECK(a.corrupt == 0);
        CHECK(a.transactions == expected_transactions(s, kind));
        if (kind != app_kind::udp_stream) CHECK(a.latency.count == a.transactions);
        if (engine::is_tcp(kind)) CHECK(a.connect_latency.count == sessions_per_app);
        CHECK(a.datagrams_lost == 0);
    }
}

}  // namespace

TEST_CASE("every companion application completes beside QQ on a clean wire", "[apps]") {
    const load_settings s = blended_settings();
    REQUIRE(s.validate().empty());
    memory_frame_io io(roomy_wire());
    frame_check fc;
    io.set_wire_hook(checking_hook(fc));
    blended_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 60'000'000'000));
    const auto& c = e.counters();
    require_every_app_complete(s, c);
    for (const auto& a : c.apps) {
        CHECK(a.unexpected == 0);
        CHECK(a.retransmits == 0);
        // Lossless wire: what one port sent, the other received.
        CHECK(a.frames_sent[0] == a.frames_received[1]);
        CHECK(a.frames_sent[1] == a.frames_received[0]);
        CHECK(a.bytes_sent[0] == a.bytes_received[1]);
    }
    // The pages' and transfers' bytes arrived whole.
    const auto& http = c.apps[static_cast<std::size_t>(app_kind::http)];
    CHECK(http.payload_bytes > sessions_per_app * 3 * 20000);
    const auto& bulk = c.apps[static_cast<std::size_t>(app_kind::tcp_stream)];
    CHECK(bulk.payload_bytes == sessions_per_app * (100000 + 64));
    CHECK(c.users.completed == 16);  // QQ's users are unaffected
    CHECK(c.users.failed == 0);
    CHECK(fc.unparsable == 0);
    CHECK(e.active_users() == 0);
    CHECK(e.armed_timers() == 0);
    CHECK(c.encode_failures == 0);
    for (const std::size_t p : {0u, 1u}) CHECK(refused_but_neighbours(c, p) == 0);
}

TEST_CASE("companions repair loss on the wire", "[apps]") {
    const load_settings s = blended_settings();
    memory_wire_config w = roomy_wire();
    w.drop_every = 13;
    memory_frame_io io(w);
    blended_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 120'000'000'000));
    const auto& c = e.counters();
    std::uint64_t retransmits = 0;
    for (std::size_t k = 0; k < app_kind_count; ++k) {
        const auto kind = static_cast<app_kind>(k);
        const engine::app_counters& a = c.apps[k];
        INFO(std::string(to_string(kind)));
        CHECK(a.sessions_started == sessions_per_app);
        CHECK(a.sessions_completed == sessions_per_app);
        CHECK(a.corrupt == 0);
        if (kind != app_kind::udp_stream) CHECK(a.transactions == expected_transactions(s, kind));
        retransmits += a.retransmits;
    }
    const auto& stream = c.apps[static_cast<std::size_t>(app_kind::udp_stream)];
    CHECK(stream.datagrams_lost > 0);  // a stream does not resend
    CHECK(stream.transactions + stream.datagrams_lost == sessions_per_app * 30);
    CHECK(retransmits > 0);
    CHECK(e.armed_timers() == 0);
}

TEST_CASE("a stop resets the companions' connections and leaves nothing", "[apps]") {
    load_settings s = blended_settings();
    s.apps.slots = 512;
    for (auto& a : s.apps.apps) {
        a.total_sessions = 0;  // keep starting
        a.think_ms = 50;
    }
    memory_frame_io io(roomy_wire());
    std::uint64_t resets = 0;
    io.set_wire_hook([&](port_role, std::span<std::byte> f) {
        const auto p = proto::parse_frame(f);
        if (p && p.value.protocol == proto::ip_protocol::tcp && (p.value.tcp.flags & proto::tcp_flag::rst) != 0)
            ++resets;
        return engine::wire_verdict::deliver;
    });
    blended_t e(s, 0, 1, texts());
    run_until(e, io, [] { return false; }, 300'000'000);
    REQUIRE(e.apps().active() > 0);
    std::uint64_t steps = 0;
    while (!e.graceful_stop_step(io)) {
        io.advance_ns(100'000);
        REQUIRE(++steps < 200'000);
    }
    const auto& c = e.counters();
    std::uint64_t stopped = 0;
    for (const auto& a : c.apps) {
        CHECK(a.sessions_started == a.sessions_completed + a.sessions_failed + a.sessions_stopped);
        stopped += a.sessions_stopped;
    }
    CHECK(stopped > 0);
    CHECK(resets > 0);
    CHECK(e.apps().active() == 0);
    CHECK(e.apps().armed_timers() == 0);
}

TEST_CASE("companions over IPv6", "[apps]") {
    const load_settings s = blended_settings(quick_ipv6_settings(8));
    REQUIRE(s.validate().empty());
    memory_frame_io io(roomy_wire());
    frame_check fc;
    io.set_wire_hook(checking_hook(fc));
    blended_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 60'000'000'000));
    require_every_app_complete(s, e.counters());
    CHECK(fc.unparsable == 0);
}

TEST_CASE("the app mix is validated", "[apps]") {
    load_settings s = blended_settings();
    CHECK(s.validate().empty());
    load_settings bad = s;
    bad.apps.client_port_base = 10000;
    CHECK_THAT(bad.validate(), Catch::Contains("overlaps QQ's client ports"));
    bad = s;
    bad.apps[app_kind::http].server = bad.dns_server;
    CHECK_THAT(bad.validate(), Catch::Contains("apps.http: server equals dns_server"));
    bad = s;
    bad.apps[app_kind::tls].variants[0].response_bytes = 0;
    CHECK_THAT(bad.validate(), Catch::Contains("apps.tls: variants[0]: response_bytes"));
    bad = s;
    bad.apps.slots = 0;
    CHECK_THAT(bad.validate(), Catch::Contains("apps.slots"));
    // Rates are live, the rest is not.
    load_settings next = s;
    next.apps[app_kind::dns].session_rate = 5;
    CHECK(s.live_change_refusal(next).empty());
    next.apps[app_kind::dns].transactions = 9;
    CHECK_THAT(s.live_change_refusal(next), Catch::Contains("apps"));
}

namespace {

// Recomputes the TCP checksum of an untagged IPv4 frame after a test changed
// its payload (a DUT that rewrites content and fixes the checksum).
void fix_tcp_checksum(std::span<std::byte> frame) {
    const auto p = proto::parse_frame(frame, {false, false});
    REQUIRE(p.ok());
    const std::size_t l4 = static_cast<std::size_t>(p.value.l4.data() - frame.data());
    const auto len = static_cast<std::uint16_t>(p.value.l4.size());
    frame[l4 + 16] = std::byte{0};
    frame[l4 + 17] = std::byte{0};
    const std::uint32_t pseudo = proto::ipv4_pseudo_header_sum(p.value.src_ip.v4().bytes, p.value.dst_ip.v4().bytes,
                                                               proto::ip_protocol::tcp, len);
    proto::store_be16(frame.data() + l4 + 16, proto::internet_checksum(frame.subspan(l4, len), pseudo));
}

}  // namespace

TEST_CASE("a page altered on the wire is caught, not delivered", "[apps]") {
    load_settings s = blended_settings();
    for (auto& a : s.apps.apps) a.session_rate = a.total_sessions = 0;  // off
    s.apps[app_kind::http].session_rate = 100;
    s.apps[app_kind::http].total_sessions = 5;
    memory_frame_io io(roomy_wire());
    std::uint64_t altered = 0;
    std::vector<std::uint16_t> seen;  // connections (client ports) already altered
    io.set_wire_hook([&](port_role from, std::span<std::byte> f) {
        const auto p = proto::parse_frame(f);
        // One response segment of each connection: one byte of the page changed.
        if (from == port_role::server && p && p.value.protocol == proto::ip_protocol::tcp && p.value.src_port == 80 &&
            p.value.payload.size() > 100 && std::find(seen.begin(), seen.end(), p.value.dst_port) == seen.end()) {
            seen.push_back(p.value.dst_port);
            const std::size_t at = static_cast<std::size_t>(p.value.payload.data() - f.data()) + 50;
            f[at] ^= std::byte{0x20};
            fix_tcp_checksum(f);
            ++altered;
        }
        return engine::wire_verdict::deliver;
    });
    blended_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 60'000'000'000));
    const auto& http = e.counters().apps[static_cast<std::size_t>(app_kind::http)];
    CHECK(altered == 5);
    CHECK(http.corrupt == 5);
    CHECK(http.failed_corrupt == 5);
    CHECK(http.sessions_completed == 0);
    CHECK(e.armed_timers() == 0);
}

TEST_CASE("a live change retunes the companions' rates", "[apps]") {
    load_settings s = blended_settings();
    for (auto& a : s.apps.apps) a.session_rate = a.total_sessions = 0;  // off
    auto& dns = s.apps[app_kind::dns];
    dns.session_rate = 100;  // sessions per second, endless
    dns.think_ms = 0;
    s.apps.slots = 256;
    memory_frame_io io(roomy_wire());
    blended_t e(s, 0, 1, texts());
    run_until(e, io, [] { return false; }, 1'000'000'000);
    const auto& c = e.counters().apps[static_cast<std::size_t>(app_kind::dns)];
    const std::uint64_t first_second = c.sessions_started;
    CHECK(first_second >= 95);
    CHECK(first_second <= 105);
    load_settings faster = s;
    faster.apps[app_kind::dns].session_rate = 1000;
    REQUIRE(e.apply(faster).empty());
    run_until(e, io, [] { return false; }, 1'000'000'000);
    const std::uint64_t second_second = e.counters().apps[static_cast<std::size_t>(app_kind::dns)].sessions_started - first_second;
    CHECK(second_second >= 950);
    CHECK(second_second <= 1050);
    load_settings other = faster;
    other.apps[app_kind::dns].transactions = 7;  // not live
    CHECK_FALSE(e.apply(other).empty());
}
