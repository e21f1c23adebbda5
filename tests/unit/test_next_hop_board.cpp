// The next-hop board (next_hop_board.hpp): with ARP reaching one worker's
// queue only, the other workers take the MACs it resolved and start; a later
// change (a failover's announcement) follows the same way.
#include <catch2/catch.hpp>

#include <cstdint>
#include <span>

#include "dataplane/engine/next_hop_board.hpp"
#include "engine_test_support.hpp"

using namespace qqgen;
using namespace qqgen::test;
using engine::next_hop_board;
using engine::next_hop_sharing;
using proto::mac_address;

namespace {

const mac_address gateway = *mac_address::parse("02:aa:00:00:00:01");
const mac_address gateway2 = *mac_address::parse("02:aa:00:00:00:02");

// Both ports resolve each other through the memory wire (the bridge of
// test_engine_neighbour.cpp): nothing configured.
load_settings resolving_settings() {
    load_settings s = quick_settings(16);
    s.next_hop_mac = {};
    return s;
}

// The wire of a worker whose queue gets no ARP: every ARP frame is lost.
void drop_arp(memory_frame_io& io) {
    io.set_wire_hook([](port_role, std::span<std::byte> frame) {
        const auto p = proto::parse_frame(frame);
        return p && p.value.ethertype == proto::ethertype::arp ? wire_verdict::drop : wire_verdict::deliver;
    });
}

}  // namespace

TEST_CASE("the board holds one MAC per port, zero until put", "[next_hop]") {
    next_hop_board board;
    CHECK(board.get(port_role::client) == mac_address{});
    board.put(port_role::server, gateway);
    CHECK(board.get(port_role::server) == gateway);
    CHECK(board.get(port_role::client) == mac_address{});
    board.put(port_role::server, gateway2);
    CHECK(board.get(port_role::server) == gateway2);
}

TEST_CASE("a worker that sees no ARP starts with the MACs another worker resolved", "[next_hop]") {
    const load_settings s = resolving_settings();
    REQUIRE(s.validate_for_workers(2).empty());
    memory_frame_io io0(roomy_wire()), io1(roomy_wire());
    drop_arp(io1);
    engine_t w0(s, 0, 2, texts()), w1(s, 1, 2, texts());
    next_hop_board board;
    next_hop_sharing share0, share1;
    const bool shared = GENERATE(false, true);
    INFO((shared ? "with the board" : "without the board"));
    const auto both_done = [&] { return w0.done() && w1.done(); };
    for (int turn = 0; turn < 200'000 && !both_done(); ++turn) {
        w0.poll(io0);
        w1.poll(io1);
        if (shared) {
            share0.meet(w0.neighbours(), board);
            share1.meet(w1.neighbours(), board);
        }
        io0.advance_ns(100'000);
        io1.advance_ns(100'000);
    }
    CHECK(w0.counters().users.completed == s.users);
    CHECK(w0.neighbours().next_hop_mac(port_role::client) == s.local_mac[1]);
    if (!shared) {
        CHECK_FALSE(w1.neighbours().ready(port_role::client));
        CHECK(w1.counters().users.completed == 0);
        return;
    }
    CHECK(w1.neighbours().next_hop_mac(port_role::client) == s.local_mac[1]);
    CHECK(w1.neighbours().next_hop_mac(port_role::server) == s.local_mac[0]);
    CHECK(w1.neighbours().counters(port_role::client).resolved == 0);  // it never heard a reply
    CHECK(w1.counters().users.completed == s.users);
    CHECK(w1.counters().users.failed == 0);
}

TEST_CASE("a MAC change one worker learns reaches the others; their own stays theirs to put", "[next_hop]") {
    const load_settings s = resolving_settings();
    engine_t w0(s, 0, 2, texts()), w1(s, 1, 2, texts());
    next_hop_board board;
    next_hop_sharing share0, share1;
    // Worker 0 learned the gateway; worker 1 takes it.
    w0.neighbours().set_next_hop_mac(port_role::client, gateway);
    share0.meet(w0.neighbours(), board);
    share1.meet(w1.neighbours(), board);
    CHECK(w1.neighbours().next_hop_mac(port_role::client) == gateway);
    // Worker 1 meets again: what it took is not put back up as its own.
    share1.meet(w1.neighbours(), board);
    CHECK(board.get(port_role::client) == gateway);
    // A failover that only worker 0 hears.
    w0.neighbours().set_next_hop_mac(port_role::client, gateway2);
    share1.meet(w1.neighbours(), board);
    CHECK(w1.neighbours().next_hop_mac(port_role::client) == gateway);  // not put up yet
    share0.meet(w0.neighbours(), board);
    share1.meet(w1.neighbours(), board);
    CHECK(w1.neighbours().next_hop_mac(port_role::client) == gateway2);
    share0.meet(w0.neighbours(), board);  // nothing new for worker 0
    CHECK(w0.neighbours().next_hop_mac(port_role::client) == gateway2);
    CHECK(board.get(port_role::client) == gateway2);
}
