// Engine counters, latency histograms and the key log.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "dataplane/engine/engine_counters.hpp"
#include "dataplane/engine/keylog.hpp"
#include "dataplane/engine/latency_histogram.hpp"

using namespace qqgen::engine;

TEST_CASE("histogram buckets are log-linear and cover 32 bits", "[counters]") {
    for (std::uint32_t v : {0u, 1u, 7u, 8u, 9u, 15u, 16u, 100u, 1000u, 65535u, 1u << 20, 0xFFFFFFFFu}) {
        const std::size_t b = latency_histogram::bucket_of(v);
        INFO(v);
        CHECK(latency_histogram::bucket_low(b) <= v);
        CHECK(latency_histogram::bucket_high(b) >= v);
        // At most 1/8 wide (relative) above the exact range.
        if (v >= 8)
            CHECK(latency_histogram::bucket_high(b) - latency_histogram::bucket_low(b) + 1 <=
                  latency_histogram::bucket_low(b) / 8);
    }
}

TEST_CASE("percentiles", "[counters]") {
    latency_histogram h;
    CHECK(h.percentile(50) == 0);
    for (std::uint32_t v = 1; v <= 1000; ++v) h.record(v);
    CHECK(h.count == 1000);
    CHECK(h.min_us == 1);
    CHECK(h.max_us == 1000);
    CHECK(h.mean_us() == Approx(500.5));
    const auto p50 = h.percentile(50);
    CHECK(p50 >= 500);
    CHECK(p50 <= 500 + 500 / 8);
    const auto p99 = h.percentile(99);
    CHECK(p99 >= 990);
    CHECK(p99 <= 1000);
    CHECK(h.percentile(100) == 1000);
    latency_histogram g;
    g.record(5000);
    g += h;
    CHECK(g.count == 1001);
    CHECK(g.max_us == 5000);
    CHECK(g.min_us == 1);
}

TEST_CASE("counters sum field by field", "[counters]") {
    engine_counters a, b;
    a[stage::login].started = 3;
    a[stage::login].gave_up[static_cast<std::size_t>(give_up_reason::timeout)] = 1;
    a.users.completed = 2;
    a.messages.delivered = 7;
    a.server.logouts = 4;
    a.refused[1][static_cast<std::size_t>(refuse_reason::stale_incarnation)] = 1;
    a.dns_latency.record(10);
    b = a;
    b += a;
    CHECK(b[stage::login].started == 6);
    CHECK(b[stage::login].gave_up_total() == 2);
    CHECK(b.users.completed == 4);
    CHECK(b.messages.delivered == 14);
    CHECK(b.server.logouts == 8);
    CHECK(b.refused_total(1) == 2);
    CHECK(b.dns_latency.count == 2);
}

TEST_CASE("the summary names every stage and reason", "[counters]") {
    engine_counters c;
    c[stage::keepalive].started = 42;
    c.refused[0][static_cast<std::size_t>(refuse_reason::wrong_mac)] = 3;
    c.login_latency.record(1500);
    char* buf = nullptr;
    std::size_t size = 0;
    std::FILE* f = open_memstream(&buf, &size);
    REQUIRE(f != nullptr);
    print_summary(f, c);
    std::fclose(f);
    const std::string text(buf, size);
    std::free(buf);
    for (std::size_t s = 0; s < stage_count; ++s) CHECK(text.find(to_string(static_cast<stage>(s))) != std::string::npos);
    for (std::size_t r = 0; r < give_up_reason_count; ++r)
        CHECK(text.find(to_string(static_cast<give_up_reason>(r))) != std::string::npos);
    CHECK(text.find("wrong_mac=3") != std::string::npos);
    CHECK(text.find("login (total)") != std::string::npos);
    CHECK(text.find("42") != std::string::npos);
}

TEST_CASE("the key log writes lines the caller drains", "[keylog]") {
    keylog off;
    off.add(1, key_kind::password, {});
    CHECK(off.pending().empty());
    CHECK_FALSE(off.enabled());

    keylog log(2 * keylog::max_line);
    qqgen::proto::tea_key k;
    for (std::size_t i = 0; i < 16; ++i) k.bytes[i] = std::byte(i * 17);
    log.add(100001, key_kind::password, k);
    log.add(100001, key_kind::session, k);
    log.add(100002, key_kind::session, k);  // does not fit: dropped, counted
    CHECK(log.pending() ==
          "100001 password 00112233445566778899aabbccddeeff\n"
          "100001 session 00112233445566778899aabbccddeeff\n");
    CHECK(log.lines() == 2);
    CHECK(log.dropped() == 1);
    log.consume(log.pending().find('\n') + 1);
    CHECK(log.pending() == "100001 session 00112233445566778899aabbccddeeff\n");
    log.consume(1000);
    CHECK(log.pending().empty());
}
