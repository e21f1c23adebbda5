// RSS steering (queue_steering.hpp, endpoint_space.hpp): with N workers behind
// ports that spread flows over N queues by symmetric Toeplitz, every frame of
// a worker's sessions (DNS, QQ over UDP and TCP, the companions) must hash to
// that worker's queue in both directions, or its replies reach another
// worker. The queue is computed here with the bit-by-bit reference hash and
// the PMDs' default RETA (test_rss_toeplitz.cpp checks both against DPDK's
// rte_softrss), not with the tuple choice's own arithmetic.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "dataplane/engine/blended_engine.hpp"
#include "dataplane/engine/endpoint_space.hpp"
#include "dataplane/engine/queue_steering.hpp"
#include "dataplane/engine/session_identity.hpp"
#include "engine_test_support.hpp"
#include "protocols/rss_toeplitz.hpp"

using namespace qqgen;
using namespace qqgen::test;
using engine::app_kind;
using engine::client_endpoint;
using engine::endpoint_owner;
using engine::no_slot;
using engine::queue_steering;
using engine::session_identity;
using blended_t = engine::blended_engine<memory_frame_io>;

namespace {

queue_steering steering_for(std::uint32_t queues) {
    queue_steering q;
    q.key = proto::symmetric_rss_key();
    q.queues = queues;
    return q;
}

// The queue a NIC with the default RETA (128 entries, i % queues) puts a
// frame of this tuple on.
std::uint16_t nic_queue(const proto::ip_address& src, const proto::ip_address& dst, std::uint16_t sport,
                        std::uint16_t dport, std::uint16_t queues) {
    std::array<std::uint16_t, 128> reta{};
    proto::fill_default_reta(reta, queues);
    const auto key = proto::symmetric_rss_key();
    return proto::rss_queue(proto::toeplitz_hash(key, proto::rss_tuple_l4(src, dst, sport, dport).view()), reta);
}

// What a wire hook saw: IP frames on the right and on another queue.
struct queue_check {
    std::uint64_t ip_frames = 0;
    std::uint64_t elsewhere = 0;  // would have reached another worker
    std::uint64_t other = 0;      // ARP/ND and the like: not hashed by RSS
};

std::function<wire_verdict(port_role, std::span<std::byte>)> queue_hook(queue_check& c, std::uint16_t worker,
                                                                        std::uint16_t queues) {
    return [&c, worker, queues](port_role, std::span<std::byte> frame) {
        const auto p = proto::parse_frame(frame);
        if (!p || (p.value.protocol != proto::ip_protocol::udp && p.value.protocol != proto::ip_protocol::tcp) ||
            p.value.ethertype == proto::ethertype::arp) {
            ++c.other;
            return wire_verdict::deliver;
        }
        ++c.ip_frames;
        if (nic_queue(p.value.src_ip, p.value.dst_ip, p.value.src_port, p.value.dst_port, queues) != worker)
            ++c.elsewhere;
        return wire_verdict::deliver;
    };
}

// QQ users half over TCP, and DNS and HTTP companions beside them.
load_settings steered_settings(bool ipv6) {
    load_settings s = ipv6 ? quick_ipv6_settings(24) : quick_settings(24);
    s.tcp_share_ppm = 500'000;
    s.apps.slots = 32;
    for (const app_kind k : {app_kind::dns, app_kind::http}) {
        engine::app_spec a = engine::default_app_spec(k, ipv6);
        a.session_rate = 2000;
        a.total_sessions = 12;
        a.weight = 1;
        a.think_ms = 5;
        s.apps[k] = a;
    }
    return s;
}

}  // namespace

TEST_CASE("steered endpoints hash to their worker's queue, for every server, both ways", "[steering]") {
    load_settings s = quick_settings(100);
    s.client_address_count = 3;
    s.client_ports_per_address = 1000;
    for (const std::uint32_t queues : {2u, 4u, 8u}) {
        INFO("queues " << queues);
        const queue_steering q = steering_for(queues);
        REQUIRE(s.validate_for_workers(queues, q).empty());
        std::vector<std::unique_ptr<session_identity>> ids;
        for (std::uint32_t w = 0; w < queues; ++w) ids.push_back(std::make_unique<session_identity>(s, w, queues, q));
        // DNS, two login servers over UDP, one over TCP.
        const std::array<std::pair<proto::ip_address, std::uint16_t>, 4> servers{{{s.dns_server, 53},
                                                                                  {s.login_servers[0], 8000},
                                                                                  {s.login_servers[1], 8000},
                                                                                  {s.login_servers[1], 443}}};
        const std::uint32_t generations = ids[0]->generations();
        REQUIRE(generations >= 2);  // 3 x ~1000/queues endpoints per worker for 100 users
        for (const auto& [server, port] : servers) {
            std::set<std::pair<std::uint32_t, std::uint16_t>> used;  // per server: no two users share a tuple
            for (std::uint32_t w = 0; w < queues; ++w) {
                for (std::uint32_t inc = 0; inc < generations + 1; ++inc) {
                    for (std::uint32_t slot = 0; slot < s.users; slot += 3) {
                        const client_endpoint e = ids[w]->endpoint(slot, inc, server, port);
                        REQUIRE(e.port >= s.client_port_base);
                        REQUIRE(e.port < s.client_port_base + s.client_ports_per_address);
                        REQUIRE(nic_queue(e.ip, server, e.port, port, static_cast<std::uint16_t>(queues)) == w);
                        REQUIRE(nic_queue(server, e.ip, port, e.port, static_cast<std::uint16_t>(queues)) == w);
                        const endpoint_owner o = ids[w]->owner_of(e.ip, e.port, server, port);
                        REQUIRE(o.slot == slot);
                        REQUIRE(o.generation == inc % generations);
                        const endpoint_owner not_mine = ids[(w + 1) % queues]->owner_of(e.ip, e.port, server, port);
                        CHECK(not_mine.slot == no_slot);
                        CHECK(not_mine.in_range);
                        if (inc < generations) CHECK(used.insert({engine::ip_low32(e.ip), e.port}).second);
                    }
                }
            }
        }
        // One user, one port per server (same address), found from each.
        const client_endpoint to_dns = ids[0]->endpoint(7, 0, s.dns_server, 53);
        const client_endpoint to_login = ids[0]->endpoint(7, 0, s.login_servers[0], 8000);
        CHECK(to_dns.ip == to_login.ip);
        CHECK(ids[0]->owner_of(to_login.ip, to_login.port, s.login_servers[0], 8000).slot == 7);
    }
}

TEST_CASE("steering refuses what it cannot do, naming the field and the fix", "[steering]") {
    load_settings s = quick_settings(100);
    SECTION("one queue per worker") {
        const std::string why = s.validate_for_workers(2, steering_for(4));
        CHECK_THAT(why, Catch::Contains("4 queues") && Catch::Contains("2 workers"));
    }
    SECTION("a power-of-two queue count") {
        const std::string why = s.validate_for_workers(3, steering_for(3));
        CHECK_THAT(why, Catch::Contains("client ports") && Catch::Contains("power of two"));
    }
    SECTION("an asymmetric key") {
        queue_steering q = steering_for(2);
        q.key[5] = std::byte{0x11};
        CHECK_THAT(s.validate_for_workers(2, q), Catch::Contains("symmetric key"));
    }
    SECTION("enough ports once split by correction bits") {
        // With 8 queues the correction bits are port bits 0, 1 and 4, so the
        // ports start at a multiple of 32: 10016, and 16 fewer are left.
        s.client_address_count = 1;
        s.client_ports_per_address = 810;  // 101 a worker unsteered, 98 steered
        CHECK(s.validate_for_workers(8).empty());
        const std::string why = s.validate_for_workers(8, steering_for(8));
        CHECK_THAT(why, Catch::Contains("with RSS steering over 8 workers gives 98 client endpoints") &&
                            Catch::Contains("fewer than users (100)"));
    }
    SECTION("the companions' ports too") {
        s.apps.slots = 16;
        engine::app_spec a = engine::default_app_spec(app_kind::dns, false);
        a.weight = 1;
        a.total_sessions = 10;
        s.apps[app_kind::dns] = a;
        s.apps.client_port_base = 65534;  // 65534 and 65535: no multiple of 4 to start from
        s.apps.client_ports_per_address = 2;
        const std::string why = s.validate_for_workers(4, steering_for(4));
        CHECK_THAT(why, Catch::Contains("companion ports (apps.client_port_base"));
    }
}

TEST_CASE("four steered workers: every frame stays on its worker's queue and every session completes",
          "[steering]") {
    constexpr std::uint16_t queues = 4;
    for (const bool ipv6 : {false, true}) {
        INFO((ipv6 ? "IPv6" : "IPv4"));
        const load_settings s = steered_settings(ipv6);
        const queue_steering q = steering_for(queues);
        REQUIRE(s.validate_for_workers(queues, q).empty());
        for (std::uint16_t w = 0; w < queues; ++w) {
            INFO("worker " << w);
            memory_frame_io io(roomy_wire());
            queue_check qc;
            io.set_wire_hook(queue_hook(qc, w, queues));
            blended_t e(s, w, queues, texts(), {}, q);
            REQUIRE(run_until(e, io, [&] { return e.done(); }, 60'000'000'000));
            settle(e.qq(), io);
            const auto& c = e.counters();
            CHECK(c.users.completed == s.users);
            CHECK(c.users.failed == 0);
            for (const app_kind k : {app_kind::dns, app_kind::http}) {
                CHECK(c.apps[static_cast<std::size_t>(k)].sessions_completed == 12);
                CHECK(c.apps[static_cast<std::size_t>(k)].sessions_failed == 0);
            }
            CHECK(qc.ip_frames > 1000);
            CHECK(qc.elsewhere == 0);
        }
    }
}

TEST_CASE("without steering, most frames of a worker would land on other queues", "[steering]") {
    // What the test above guards against: the block scheme ignores the hash.
    const load_settings s = steered_settings(false);
    REQUIRE(s.validate_for_workers(4).empty());
    memory_frame_io io(roomy_wire());
    queue_check qc;
    io.set_wire_hook(queue_hook(qc, 1, 4));
    blended_t e(s, 1, 4, texts());
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 60'000'000'000));
    CHECK(qc.elsewhere > qc.ip_frames / 2);
}
