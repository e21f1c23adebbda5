// The hot path allocates nothing (design.md "Dataplane": nothing on the hot
// path is allocated): whole QQ sessions run over memory_frame_io while every
// malloc, calloc and realloc of the process is counted. The first users warm
// up whatever is made once; the sessions after them, logins, chats,
// keep-alives and logouts, must not allocate at all. Catches, for example,
// a login path that hashes through OpenSSL's EVP layer (3 allocations and a
// lock per MD5: protocols/md5.cpp).
//
// Counting works by defining malloc in this program, which the dynamic
// linker then uses for every library too (libcrypto, libstdc++'s operator
// new); so this test is left out of sanitizer builds, whose runtime owns
// malloc (tests/unit/meson.build).
#include <catch2/catch.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "engine_test_support.hpp"
#include "protocols/md5.hpp"

extern "C" void* __libc_malloc(std::size_t);
extern "C" void* __libc_calloc(std::size_t, std::size_t);
extern "C" void* __libc_realloc(void*, std::size_t);

namespace {
std::atomic<bool> counting{false};
std::atomic<std::uint64_t> allocations{0};

void count() noexcept {
    if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
}

// Allocations made while `run` runs.
template <class F>
std::uint64_t allocations_during(F&& run) {
    const std::uint64_t before = allocations.load();
    counting = true;
    run();
    counting = false;
    return allocations.load() - before;
}
}  // namespace

extern "C" void* malloc(std::size_t n) {
    count();
    return __libc_malloc(n);
}
extern "C" void* calloc(std::size_t n, std::size_t size) {
    count();
    return __libc_calloc(n, size);
}
extern "C" void* realloc(void* p, std::size_t n) {
    count();
    return __libc_realloc(p, n);
}

using namespace qqgen;
using namespace qqgen::test;

TEST_CASE("the counter sees an allocation", "[alloc]") {
    // Without this, a counter that never counts would pass every test below.
    // Through a volatile pointer: a new/delete pair may be elided.
    void* (*volatile allocate)(std::size_t) = std::malloc;
    CHECK(allocations_during([&] { std::free(allocate(64)); }) == 1);
}

TEST_CASE("MD5 and the password key allocate nothing", "[alloc][md5]") {
    proto::tea_key key{};
    const std::uint64_t n = allocations_during([&] {
        for (int i = 0; i < 100; ++i) key = proto::password_key("qq2a3b4c5d");
    });
    CHECK(n == 0);
    CHECK(key == proto::password_key("qq2a3b4c5d"));
}

namespace {

// Runs `users` whole sessions after `warm_up` users have completed, and
// returns the allocations made meanwhile.
std::uint64_t session_allocations(load_settings s, std::uint32_t warm_up,
                                  std::uint64_t* tcp_established = nullptr) {
    memory_frame_io io(roomy_wire());
    engine_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] { return e.counters().users.completed >= warm_up; }, 30'000'000'000));
    bool done = false;
    const std::uint64_t n = allocations_during([&] {
        done = run_until(e, io, [&] { return e.done(); }, 60'000'000'000);
        settle(e, io);
    });
    REQUIRE(done);
    const auto& c = e.counters();
    CHECK(c.users.completed == s.total_sessions);
    CHECK(c.users.failed == 0);
    CHECK(c.messages.sent > 0);
    if (tcp_established != nullptr) *tcp_established = c.tcp.established;
    return n;
}

}  // namespace

TEST_CASE("whole QQ sessions over UDP allocate nothing once warm", "[alloc][engine]") {
    load_settings s = quick_settings(64);
    s.total_sessions = 256;  // slots reused: later incarnations too
    CHECK(session_allocations(s, 32) == 0);
}

TEST_CASE("whole QQ sessions over TCP and IPv6 allocate nothing once warm", "[alloc][engine]") {
    SECTION("half of the users over TCP") {
        load_settings s = quick_settings(64);
        s.total_sessions = 256;
        s.tcp_share_ppm = 500'000;
        std::uint64_t established = 0;
        CHECK(session_allocations(s, 32, &established) == 0);
        CHECK(established > 64);  // TCP users did run, after the warm-up too
    }
    SECTION("IPv6") {
        load_settings s = quick_ipv6_settings(64);
        s.total_sessions = 256;
        CHECK(session_allocations(s, 32) == 0);
    }
}
