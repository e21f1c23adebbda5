// Session identity, session table and buddy groups: derived values, look-ups
// by arithmetic (QQ number -> slot, client endpoint -> slot and generation),
// sequence windows of consecutive users of a slot, the 64-byte record and
// the bytes one session costs.
#include <catch2/catch.hpp>

#include <cstdint>
#include <set>
#include <utility>

#include "dataplane/engine/buddy_groups.hpp"
#include "dataplane/engine/load_settings.hpp"
#include "dataplane/engine/session_identity.hpp"
#include "dataplane/engine/session_record.hpp"
#include "dataplane/engine/session_table.hpp"

using namespace qqgen::engine;

static_assert(sizeof(session_record) == 64);
static_assert(alignof(session_record) == 64);

namespace {
// Unsteered endpoints do not depend on the server; any will do.
const qqgen::proto::ip_address server = qqgen::proto::ipv4_address::from_u32(0xC6120001);
constexpr std::uint16_t server_port = 8000;

load_settings small(std::uint32_t users, std::uint32_t ports) {
    load_settings s;
    s.users = users;
    s.client_address_count = 2;
    s.client_ports_per_address = static_cast<std::uint16_t>(ports);
    return s;
}
}  // namespace

TEST_CASE("QQ numbers map to slots and back; others are unknown", "[identity]") {
    const load_settings s = small(100, 1000);
    const session_identity w0(s, 0, 2), w1(s, 1, 2);
    CHECK(w0.qq_number(0) == s.qq_number_base);
    CHECK(w1.qq_number(0) == s.qq_number_base + 100);
    for (std::uint32_t slot : {0u, 1u, 57u, 99u}) {
        CHECK(w0.slot_of_qq(w0.qq_number(slot)) == slot);
        CHECK(w1.slot_of_qq(w1.qq_number(slot)) == slot);
        CHECK(w0.slot_of_qq(w1.qq_number(slot)) == no_slot);  // the other worker's user
    }
    CHECK(w0.slot_of_qq(s.qq_number_base - 1) == no_slot);
    CHECK(w0.slot_of_qq(0) == no_slot);
    CHECK(w0.slot_of_qq(0xFFFFFFFFu) == no_slot);
}

TEST_CASE("client endpoints map back to slot and generation", "[identity]") {
    const load_settings s = small(100, 1000);  // 2000 endpoints, 1000 per worker: 10 generations
    const session_identity w0(s, 0, 2), w1(s, 1, 2);
    CHECK(w0.generations() == 10);
    std::set<std::pair<std::uint32_t, std::uint16_t>> seen;
    for (std::uint32_t inc = 0; inc < 12; ++inc) {
        for (std::uint32_t slot = 0; slot < 100; slot += 7) {
            for (const session_identity* w : {&w0, &w1}) {
                const client_endpoint e = w->endpoint(slot, inc, server, server_port);
                CHECK(e.port >= s.client_port_base);
                const endpoint_owner o = w->owner_of(e.ip, e.port, server, server_port);
                REQUIRE(o.slot == slot);
                CHECK(o.generation == inc % 10);
                CHECK(o.in_range);
                if (inc < 10) CHECK(seen.insert({e.ip.v4().to_u32(), e.port}).second);  // all distinct
            }
        }
    }
    // Consecutive users of a slot use different ports.
    CHECK(w0.endpoint(5, 0, server, server_port).port != w0.endpoint(5, 1, server, server_port).port);
    // The other worker's endpoint: in range, not ours.
    const client_endpoint other = w1.endpoint(3, 0, server, server_port);
    const endpoint_owner o = w0.owner_of(other.ip, other.port, server, server_port);
    CHECK(o.slot == no_slot);
    CHECK(o.in_range);
    // Outside the client range entirely.
    CHECK_FALSE(w0.owner_of(qqgen::proto::ipv4_address::from_u32(0x0A000001), 20000, server, server_port).in_range);
    CHECK_FALSE(w0.owner_of(w0.endpoint(0, 0, server, server_port).ip, s.client_port_base - 1, server, server_port).in_range);
}

TEST_CASE("IPv6 endpoints vary the last 32 bits", "[identity]") {
    load_settings s = small(10, 10);
    s.ip_version = 6;
    s.client_address_base = *qqgen::proto::ip_address::parse("2001:db8::ffff:fffe");
    const session_identity id(s, 0, 1);
    const client_endpoint e = id.endpoint(9, 1, server, server_port);  // endpoint 19: address 1 -> ...ffff:ffff
    CHECK(e.ip.to_string() == "2001:db8::ffff:ffff");
    CHECK(id.owner_of(e.ip, e.port, server, server_port).slot == 9);
    auto wrong = e.ip;
    wrong.bytes[0] = std::byte{0x20};
    wrong.bytes[2] = std::byte{0};
    CHECK(id.owner_of(wrong, e.port, server, server_port).slot == no_slot);
}

TEST_CASE("sequence windows of consecutive users of a slot do not overlap", "[identity]") {
    load_settings s = small(10, 1000);
    s.keepalive_count = 5000;  // a wide window
    const session_identity id(s, 0, 1);
    const std::uint32_t span = id.sequence_span();
    REQUIRE(span == s.requests_per_session());
    for (std::uint32_t inc = 1; inc < 20; ++inc) {
        const std::uint16_t start = id.sequence_start(3, inc);
        CHECK(id.sequence_offset(3, inc, start) == 0);
        CHECK(id.sequence_offset(3, inc, static_cast<std::uint16_t>(start + span - 1)) ==
              static_cast<std::int32_t>(span - 1));
        CHECK(id.sequence_offset(3, inc, static_cast<std::uint16_t>(start + span)) == -1);
        // The previous user's whole window is outside the current one.
        const std::uint16_t prev = id.sequence_start(3, inc - 1);
        CHECK(id.sequence_offset(3, inc, prev) == -1);
        CHECK(id.sequence_offset(3, inc, static_cast<std::uint16_t>(prev + span - 1)) == -1);
        CHECK(id.sequence_offset(3, inc - 1, prev) == 0);
    }
}

TEST_CASE("derived values are functions of (seed, worker, slot, incarnation)", "[identity]") {
    const load_settings s = small(10, 1000);
    load_settings other_seed = s;
    other_seed.seed = 2;
    const session_identity a(s, 0, 2), b(s, 0, 2), w1(s, 1, 2), c(other_seed, 0, 2);
    CHECK(a.session_key(4, 1) == b.session_key(4, 1));
    CHECK(a.session_key(4, 1) != a.session_key(4, 2));
    CHECK(a.session_key(4, 1) != a.session_key(5, 1));
    CHECK(a.session_key(4, 1) != w1.session_key(4, 1));
    CHECK(a.session_key(4, 1) != c.session_key(4, 1));
    CHECK(a.session_key(4, 1) != a.initial_key(4, 1));
    std::array<std::byte, token_size> t1{}, t2{}, t3{};
    a.token(4, 1, 0, t1);
    b.token(4, 1, 0, t2);
    a.token(4, 1, 2, t3);
    CHECK(t1 == t2);
    CHECK(t1 != t3);
    // The password belongs to the account: the same for every login.
    CHECK(a.password(4) == b.password(4));
    CHECK(a.password(4) != a.password(5));
    CHECK(a.password_key(4) == qqgen::proto::password_key({a.password(4).data(), a.password(4).size()}));
    CHECK(a.first_server(4, 1) < s.login_server_count);
}

TEST_CASE("redirect probability is honoured", "[identity]") {
    load_settings s = small(10, 1000);
    s.redirect_ppm = 250000;
    const session_identity id(s, 0, 1);
    int redirected = 0;
    for (std::uint32_t inc = 0; inc < 4000; ++inc) redirected += id.redirected(1, inc) ? 1 : 0;
    CHECK(redirected > 850);
    CHECK(redirected < 1150);
    s.redirect_ppm = 0;
    CHECK_FALSE(session_identity(s, 0, 1).redirected(1, 1));
    s.redirect_ppm = 1'000'000;
    CHECK(session_identity(s, 0, 1).redirected(1, 1));
}

TEST_CASE("buddy groups: consecutive slots, everyone else in the group", "[identity]") {
    load_settings s;
    s.users = 10;
    s.buddies_per_user = 3;  // groups 0-3, 4-7, 8-9
    s.messages_per_chat = 2;
    const buddy_groups g(s);
    CHECK(g.count(0) == 3);
    CHECK(g.count(9) == 1);
    CHECK(g.buddy(1, 0) == 2);
    CHECK(g.buddy(1, 1) == 3);
    CHECK(g.buddy(1, 2) == 0);
    CHECK(g.buddy(9, 0) == 8);
    for (std::uint32_t slot = 0; slot < 10; ++slot)
        for (std::uint32_t j = 0; j < g.count(slot); ++j) CHECK(g.index_of(slot, g.buddy(slot, j)) == j);
    CHECK(g.index_of(1, 1) == g.count(1));  // not its own buddy
    CHECK(g.index_of(1, 4) == g.count(1));  // another group
    CHECK(g.partner(1, 0) == 2);
    CHECK(g.partner(1, 1) == 2);
    CHECK(g.partner(1, 2) == 3);
}

TEST_CASE("the session table: free FIFO and bytes per session", "[identity]") {
    session_table t(4, false);
    CHECK(t.free_count() == 4);
    CHECK(t.take_free() == 0);
    CHECK(t.take_free() == 1);
    t.release(0);
    CHECK(t.take_free() == 2);  // FIFO: 0 rests behind 2 and 3
    CHECK(t.take_free() == 3);
    CHECK(t.take_free() == 0);
    CHECK(t.take_free() == no_slot);
    CHECK(t.active() == 4);
    // Emptied and refilled: the order of release is the order of reuse, and
    // a taken slot's login_start_us (the FIFO's link while free) reads 0.
    for (const std::uint32_t s : {2u, 0u, 3u, 1u}) t.release(s);
    CHECK(t.free_count() == 4);
    for (const std::uint32_t s : {2u, 0u, 3u}) {
        CHECK(t.take_free() == s);
        CHECK(t[s].login_start_us == 0);
    }
    t.release(2);
    CHECK(t.take_free() == 1);
    CHECK(t.take_free() == 2);
    CHECK(t.take_free() == no_slot);
    // The seen endpoint of an IPv4 user lives in the hot record.
    t.set_seen(3, *qqgen::proto::ip_address::parse("10.1.2.3"), 4321);
    CHECK(t.seen(3).ip == *qqgen::proto::ip_address::parse("10.1.2.3"));
    CHECK(t.seen(3).port == 4321);
    // 64-byte line (seen IPv4 address and port, free-FIFO link included),
    // relay timer 12, IM MD5 16; IPv6: the seen address in a cold array.
    CHECK(t.bytes_per_session() == 64 + 12 + 16);
    CHECK(session_table(4, true).bytes_per_session() == 64 + 12 + 16 + 16);
    CHECK(t.bytes_per_session() <= 96);  // issue 6: at most 96 bytes per user all included
    WARN("bytes per session: " << t.bytes_per_session() << " (IPv4), "
                               << session_table(1, true).bytes_per_session() << " (IPv6)");
}

TEST_CASE("one worker holds 1,000,000 sessions in about 100 MB", "[identity]") {
    session_table t(1'000'000, false);
    CHECK(t.memory_bytes() == 1'000'000 * t.bytes_per_session());
    CHECK(t.memory_bytes() < 110'000'000);
    // Every record on its own cache line.
    CHECK(reinterpret_cast<std::uintptr_t>(&t[0]) % 64 == 0);
    CHECK(reinterpret_cast<std::uintptr_t>(&t[999'999]) - reinterpret_cast<std::uintptr_t>(&t[0]) == 999'999ull * 64);
}

TEST_CASE("password keys are MD5(MD5(password)) whatever the cache holds", "[identity][password]") {
    const std::uint32_t users = 3 * static_cast<std::uint32_t>(session_identity::password_keys_kept);
    const load_settings s = small(users, users);
    const session_identity id(s, 0, 1);
    auto derived = [&](std::uint32_t slot) {
        const auto pw = id.password(slot);
        return qqgen::proto::password_key({pw.data(), pw.size()});
    };
    // Slots that share a cache entry, asked in turn and again: each gets
    // its own key, never the one the entry held before.
    const std::uint32_t n = static_cast<std::uint32_t>(session_identity::password_keys_kept);
    for (int round = 0; round < 2; ++round) {
        for (std::uint32_t slot : {5u, 5u + n, 5u + 2 * n, 5u, 7u, 7u + n}) {
            INFO("slot " << slot);
            CHECK(id.password_key(slot) == derived(slot));
        }
    }
    CHECK(id.password_key(5) != id.password_key(5 + n));
    // Slot 0 (the empty mark is slot + 1).
    CHECK(id.password_key(0) == derived(0));
}

TEST_CASE("initial and session keys are draws 0 and 1 of their stream, little-endian", "[identity][keys]") {
    const load_settings s = small(100, 1000);
    const session_identity w0(s, 0, 2), w1(s, 1, 2);
    auto from_draws = [](const session_identity& id, qqgen::engine::draw_kind k, std::uint32_t slot, std::uint32_t inc) {
        qqgen::proto::tea_key key;
        for (std::uint32_t i = 0; i < 2; ++i) {
            const std::uint64_t v = id.draw(k, slot, inc, i);
            for (std::size_t b = 0; b < 8; ++b) key.bytes[8 * i + b] = std::byte(v >> (8 * b));
        }
        return key;
    };
    for (const session_identity* id : {&w0, &w1}) {
        for (std::uint32_t slot : {0u, 1u, 99u}) {
            for (std::uint32_t inc : {0u, 1u, 7u, 0xFFFFFu}) {
                INFO("worker " << id->worker() << " slot " << slot << " incarnation " << inc);
                CHECK(id->session_key(slot, inc) == from_draws(*id, qqgen::engine::draw_kind::session_key, slot, inc));
                CHECK(id->initial_key(slot, inc) == from_draws(*id, qqgen::engine::draw_kind::initial_key, slot, inc));
            }
        }
    }
    CHECK(w0.session_key(1, 1) != w1.session_key(1, 1));
    CHECK(w0.session_key(1, 1) != w0.initial_key(1, 1));
}

TEST_CASE("session keys are the derivation's whatever the cache holds", "[identity][keys]") {
    const std::uint32_t n = static_cast<std::uint32_t>(session_identity::session_keys_kept);
    const load_settings s = small(3 * n, 3 * n);
    const session_identity id(s, 0, 1);
    auto derived = [&](std::uint32_t slot, std::uint32_t inc) {
        qqgen::proto::tea_key key;
        for (std::uint32_t i = 0; i < 2; ++i) {
            const std::uint64_t v = id.draw(qqgen::engine::draw_kind::session_key, slot, inc, i);
            for (std::size_t b = 0; b < 8; ++b) key.bytes[8 * i + b] = std::byte(v >> (8 * b));
        }
        return key;
    };
    // Slots sharing an entry, and one slot's successive incarnations.
    for (int round = 0; round < 2; ++round) {
        for (std::uint32_t slot : {3u, 3u + n, 3u + 2 * n, 0u}) {
            for (std::uint32_t inc : {1u, 2u, 1u, 9u}) {
                INFO("slot " << slot << " incarnation " << inc);
                CHECK(id.session_key(slot, inc) == derived(slot, inc));
            }
        }
    }
}
