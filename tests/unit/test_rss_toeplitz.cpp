// The Toeplitz RSS hash against Microsoft's verification vectors and against
// DPDK's rte_softrss / rte_softrss_be (rte_thash.h, an implementation nobody
// here wrote), and the client-port choice that puts both directions of a flow
// on its worker's queue, checked with rte_softrss and a RETA.
#include <catch2/catch.hpp>

#include <rte_thash.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "protocols/rss_port_choice.hpp"
#include "protocols/rss_toeplitz.hpp"

using namespace qqgen::proto;

namespace {

// rte_softrss reads the key as 32-bit words.
struct alignas(4) dpdk_key {
    std::array<std::uint8_t, rss_key_size> bytes{};
};

// Microsoft, "Verifying the RSS Hash Calculation": the verification key.
const dpdk_key ms_key{{0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
                       0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
                       0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa}};

dpdk_key symmetric_dpdk_key() {
    dpdk_key k;
    for (std::size_t i = 0; i < k.bytes.size(); ++i) k.bytes[i] = i % 2 == 0 ? 0x6d : 0x5a;
    return k;
}

const_byte_span span_of(const dpdk_key& k) {
    return std::as_bytes(std::span{k.bytes});
}

ip_address addr(const char* text) {
    const auto a = ip_address::parse(text);
    REQUIRE(a.has_value());
    return *a;
}

// The DPDK tuple, filled the way rte_thash.h asks: addresses and ports in
// CPU order, IPv6 addresses through rte_thash_load_v6_addrs.
struct dpdk_tuple {
    rte_thash_tuple tuple{};
    std::uint32_t words = 0;
};

dpdk_tuple to_dpdk(const ip_address& src, const ip_address& dst, std::uint16_t sport, std::uint16_t dport, bool l4) {
    dpdk_tuple t;
    if (src.is_v4()) {
        t.tuple.v4.src_addr = src.v4().to_u32();
        t.tuple.v4.dst_addr = dst.v4().to_u32();
        t.tuple.v4.sport = sport;
        t.tuple.v4.dport = dport;
        t.words = l4 ? RTE_THASH_V4_L4_LEN : RTE_THASH_V4_L3_LEN;
    } else {
        rte_ipv6_hdr hdr{};
        std::memcpy(hdr.src_addr, src.bytes.data(), 16);
        std::memcpy(hdr.dst_addr, dst.bytes.data(), 16);
        rte_thash_load_v6_addrs(&hdr, &t.tuple);
        t.tuple.v6.sport = sport;
        t.tuple.v6.dport = dport;
        t.words = l4 ? RTE_THASH_V6_L4_LEN : RTE_THASH_V6_L3_LEN;
    }
    return t;
}

std::uint32_t softrss(const dpdk_key& key, const ip_address& src, const ip_address& dst, std::uint16_t sport,
                      std::uint16_t dport, bool l4 = true) {
    dpdk_tuple t = to_dpdk(src, dst, sport, dport, l4);
    return rte_softrss(reinterpret_cast<std::uint32_t*>(&t.tuple), t.words, key.bytes.data());
}

std::uint32_t softrss_be(const dpdk_key& key, const ip_address& src, const ip_address& dst, std::uint16_t sport,
                         std::uint16_t dport, bool l4 = true) {
    dpdk_key converted;
    rte_convert_rss_key(reinterpret_cast<const std::uint32_t*>(key.bytes.data()),
                        reinterpret_cast<std::uint32_t*>(converted.bytes.data()), static_cast<int>(rss_key_size));
    dpdk_tuple t = to_dpdk(src, dst, sport, dport, l4);
    return rte_softrss_be(reinterpret_cast<std::uint32_t*>(&t.tuple), t.words, converted.bytes.data());
}

std::uint32_t ours(const dpdk_key& key, const ip_address& src, const ip_address& dst, std::uint16_t sport,
                   std::uint16_t dport, bool l4 = true) {
    const rss_tuple t = l4 ? rss_tuple_l4(src, dst, sport, dport) : rss_tuple_l3(src, dst);
    return toeplitz_hash(span_of(key), t.view());
}

struct ms_vector {
    const char* dst;
    std::uint16_t dst_port;
    const char* src;
    std::uint16_t src_port;
    std::uint32_t l3;  // "IPv4 only" / "IPv6 only"
    std::uint32_t l4;  // "with TCP"
};

// Microsoft, "Verifying the RSS Hash Calculation" (also DPDK app/test/test_thash.c,
// "82599 Datasheet 7.1.2.8.3 RSS Verification Suite").
constexpr ms_vector ms_ipv4[] = {
    {"161.142.100.80", 1766, "66.9.149.187", 2794, 0x323e8fc2, 0x51ccc178},
    {"65.69.140.83", 4739, "199.92.111.2", 14230, 0xd718262a, 0xc626b0ea},
    {"12.22.207.184", 38024, "24.19.198.95", 12898, 0xd2d0a5de, 0x5c2b394a},
    {"209.142.163.6", 2217, "38.27.205.30", 48228, 0x82989176, 0xafc7327f},
    {"202.188.127.2", 1303, "153.39.163.191", 44251, 0x5d1809c5, 0x10e828a2},
};
constexpr ms_vector ms_ipv6[] = {
    {"3ffe:2501:200:3::1", 1766, "3ffe:2501:200:1fff::7", 2794, 0x2cc18cd5, 0x40207d3d},
    {"ff02::1", 4739, "3ffe:501:8::260:97ff:fe40:efab", 14230, 0x0f0c461c, 0xdde51bbf},
    {"fe80::200:f8ff:fe21:67cf", 38024, "3ffe:1900:4545:3:200:f8ff:fe21:67cf", 44251, 0x4b61e985, 0x02d1feef},
};

ip_address random_ip(std::mt19937_64& rng, bool v6) {
    ip_address a;
    if (v6) a.version = ip_version::v6;
    for (std::size_t i = 0; i < (v6 ? 16u : 4u); ++i) a.bytes[i] = std::byte(rng());
    return a;
}

}  // namespace

TEST_CASE("Toeplitz hash: Microsoft verification vectors", "[rss]") {
    for (const auto& rows : {std::span<const ms_vector>{ms_ipv4}, std::span<const ms_vector>{ms_ipv6}}) {
        for (const ms_vector& v : rows) {
            INFO(v.src << ":" << v.src_port << " -> " << v.dst << ":" << v.dst_port);
            const ip_address src = addr(v.src), dst = addr(v.dst);
            CHECK(rss_tuple_l4(src, dst, v.src_port, v.dst_port).size ==
                  (src.is_v4() ? rss_ipv4_l4_size : rss_ipv6_l4_size));
            CHECK(rss_tuple_l3(src, dst).size == (src.is_v4() ? rss_ipv4_l3_size : rss_ipv6_l3_size));
            CHECK(ours(ms_key, src, dst, v.src_port, v.dst_port) == v.l4);
            CHECK(ours(ms_key, src, dst, v.src_port, v.dst_port, false) == v.l3);
            // The vectors as recorded here are DPDK's too.
            CHECK(softrss(ms_key, src, dst, v.src_port, v.dst_port) == v.l4);
            CHECK(softrss(ms_key, src, dst, v.src_port, v.dst_port, false) == v.l3);
        }
    }
}

TEST_CASE("Toeplitz hash equals rte_softrss and rte_softrss_be on random tuples", "[rss]") {
    std::mt19937_64 rng(20120101);
    const dpdk_key sym = symmetric_dpdk_key();
    const symmetric_toeplitz fast;
    for (const dpdk_key* key : {&sym, &ms_key}) {
        for (bool v6 : {false, true}) {
            for (int i = 0; i < 2000; ++i) {
                const ip_address a = random_ip(rng, v6), b = random_ip(rng, v6);
                const auto pa = static_cast<std::uint16_t>(rng()), pb = static_cast<std::uint16_t>(rng());
                for (bool l4 : {true, false}) {
                    const std::uint32_t h = ours(*key, a, b, pa, pb, l4);
                    REQUIRE(h == softrss(*key, a, b, pa, pb, l4));
                    REQUIRE(h == softrss_be(*key, a, b, pa, pb, l4));
                }
                if (key == &sym) {
                    const rss_tuple t = rss_tuple_l4(a, b, pa, pb);
                    REQUIRE(fast.hash(t.view()) == ours(sym, a, b, pa, pb));
                    REQUIRE(fast.hash(rss_tuple_l3(a, b).view()) == ours(sym, a, b, pa, pb, false));
                    REQUIRE(xor_fold16(a) == xor_fold16(a.wire()));  // the unrolled address fold
                }
            }
        }
    }
}

TEST_CASE("the 0x6d5a key is symmetric; the Microsoft key is not", "[rss]") {
    std::mt19937_64 rng(2012);
    const dpdk_key sym = symmetric_dpdk_key();
    CHECK(std::ranges::equal(span_of(sym), symmetric_rss_key()));
    CHECK(has_period16(span_of(sym)));
    CHECK_FALSE(has_period16(span_of(ms_key)));
    int asymmetric_ms = 0;
    for (bool v6 : {false, true}) {
        for (int i = 0; i < 1000; ++i) {
            const ip_address a = random_ip(rng, v6), b = random_ip(rng, v6);
            const auto pa = static_cast<std::uint16_t>(rng()), pb = static_cast<std::uint16_t>(rng());
            REQUIRE(softrss(sym, a, b, pa, pb) == softrss(sym, b, a, pb, pa));
            REQUIRE(softrss(sym, a, b, pa, pb, false) == softrss(sym, b, a, pb, pa, false));
            REQUIRE(ours(sym, a, b, pa, pb) == ours(sym, b, a, pb, pa));
            if (softrss(ms_key, a, b, pa, pb) != softrss(ms_key, b, a, pb, pa)) ++asymmetric_ms;
        }
    }
    CHECK(asymmetric_ms > 1900);
}

TEST_CASE("RETA: the hash's low bits index it; the default is i % queues", "[rss]") {
    std::vector<std::uint16_t> reta(128);
    fill_default_reta(reta, 4);
    CHECK(reta[0] == 0);
    CHECK(reta[5] == 1);
    CHECK(reta[127] == 3);
    CHECK(rss_reta_index(0x51ccc178, 128) == 0x78);
    CHECK(rss_reta_index(0x51ccc178, 512) == 0x178);
    CHECK(rss_queue(0x51ccc178, reta) == 0);
    CHECK(rss_queue(0x51ccc17b, reta) == 3);
    CHECK(rss_queue(0x51ccc17b, {}) == 0);
}

TEST_CASE("tuple choice: every (high part, worker) lands on the worker's queue both ways", "[rss]") {
    const dpdk_key sym = symmetric_dpdk_key();
    struct server {
        const char* address;
        std::uint16_t port;
    };
    const char* clients_v4[] = {"10.0.0.1", "10.1.2.3", "192.168.77.201"};
    const char* clients_v6[] = {"2001:db8::10", "fd00:0:0:7::1:2"};
    // DNS, two login servers, an HTTPS companion.
    const server servers_v4[] = {{"10.0.0.53", 53}, {"10.0.1.10", 8000}, {"10.0.1.11", 8000}, {"203.0.113.5", 443}};
    const server servers_v6[] = {{"2001:db8::53", 53}, {"2001:db8:1::10", 8000}, {"2001:db8:1::11", 8000}};
    const rss_port_config config{1, 10000, 50000};  // configs/: client ports 10000..59999

    for (std::uint32_t queues : {1u, 2u, 4u, 8u, 16u}) {
        rss_port_config c = config;
        c.queues = queues;
        std::string error;
        const auto choice = rss_port_choice::make(span_of(sym), c, error);
        INFO("queues " << queues << ": " << error);
        REQUIRE(choice.has_value());
        CHECK(error.empty());
        CHECK(choice->queues() == queues);
        CHECK(std::popcount(choice->correction_mask()) == std::countr_zero(queues));
        CHECK(choice->first_port() >= c.port_base);
        // All but the ports lost to alignment and the partial last group.
        CHECK(choice->high_count() * queues + 2 * choice->correction_mask() + 32 >= c.port_count);

        for (std::size_t reta_size : {128u, 512u}) {
            std::vector<std::uint16_t> reta(reta_size);
            fill_default_reta(reta, static_cast<std::uint16_t>(queues));
            for (bool v6 : {false, true}) {
                const auto clients =
                    v6 ? std::span<const char* const>{clients_v6} : std::span<const char* const>{clients_v4};
                const auto servers = v6 ? std::span<const server>{servers_v6} : std::span<const server>{servers_v4};
                for (const char* client_text : clients) {
                    const ip_address client = addr(client_text);
                    for (const server& s : servers) {
                        INFO(client_text << " <-> " << s.address << ":" << s.port << ", RETA " << reta_size);
                        const ip_address srv = addr(s.address);
                        std::vector<bool> used(65536);
                        // Every high part on one (client, server, RETA size)
                        // per queue count; a stride elsewhere keeps it quick.
                        const std::uint32_t stride = (client_text == clients[0] && reta_size == 128) ? 1 : 7;
                        for (std::uint32_t high = 0; high < choice->high_count(); high += stride) {
                            for (std::uint32_t worker = 0; worker < queues; ++worker) {
                                const std::uint16_t port = choice->client_port_for(high, worker, client, srv, s.port);
                                REQUIRE(port >= c.port_base);
                                REQUIRE(std::uint32_t{port} < c.port_base + c.port_count);
                                REQUIRE_FALSE(used[port]);
                                used[port] = true;
                                // client -> server (received by the server half) and back.
                                REQUIRE(rss_queue(softrss(sym, client, srv, port, s.port), reta) == worker);
                                REQUIRE(rss_queue(softrss(sym, srv, client, s.port, port), reta) == worker);
                                const rss_port_owner owner = choice->decode(port, client, srv, s.port);
                                REQUIRE(owner.ok);
                                REQUIRE(owner.high == high);
                                REQUIRE(owner.worker == worker);
                            }
                        }
                    }
                }
            }
        }
        CHECK(choice->client_port_for(choice->high_count(), 0, addr("10.0.0.1"), addr("10.0.0.53"), 53) == 0);
        CHECK(choice->client_port_for(0, queues, addr("10.0.0.1"), addr("10.0.0.53"), 53) == 0);
    }
}

TEST_CASE("tuple choice: one user, one high part, a port per server", "[rss]") {
    std::string error;
    const auto choice = rss_port_choice::make(symmetric_rss_key(), {8, 10000, 50000}, error);
    REQUIRE(choice.has_value());
    const ip_address client = addr("10.0.0.9");
    const ip_address dns = addr("10.0.0.53"), login = addr("10.0.1.10");
    const std::uint16_t to_dns = choice->client_port_for(1234, 5, client, dns, 53);
    const std::uint16_t to_login = choice->client_port_for(1234, 5, client, login, 8000);
    // The same user bits, different correction bits.
    CHECK((to_dns & ~choice->correction_mask()) == (to_login & ~choice->correction_mask()));
    CHECK(to_dns != to_login);
    CHECK(choice->decode(to_dns, client, dns, 53).high == 1234);
    CHECK(choice->decode(to_login, client, login, 8000).high == 1234);
    // A reply to that port from the other server decodes to another worker.
    CHECK(choice->decode(to_dns, client, login, 8000).worker != 5);
}

TEST_CASE("tuple choice: correction bits come from Gaussian elimination", "[rss]") {
    std::string error;
    // With 0x6d5a, the low 3 hash bits of port bits 0, 1, 2 are 101, 110 and
    // 011: dependent. Bit 3 (101) repeats bit 0; bit 4 (010) is the next
    // independent one.
    const auto eight = rss_port_choice::make(symmetric_rss_key(), {8, 10000, 50000}, error);
    REQUIRE(eight.has_value());
    CHECK(eight->correction_mask() == 0b10011);
    CHECK(eight->first_port() == 10016);  // 10000 is no multiple of 32
    const auto two = rss_port_choice::make(symmetric_rss_key(), {2, 10000, 50000}, error);
    REQUIRE(two.has_value());
    CHECK(two->correction_mask() == 0b1);
    CHECK(two->first_port() == 10000);
    const auto one = rss_port_choice::make(symmetric_rss_key(), {1, 10000, 50000}, error);
    REQUIRE(one.has_value());
    CHECK(one->correction_mask() == 0);
    CHECK(one->high_count() == 50000);
    for (std::uint32_t q = 32; q <= rss_max_queues; q *= 2) {
        const auto many = rss_port_choice::make(symmetric_rss_key(), {q, 1024, 60000}, error);
        INFO(q << " queues: " << error);
        REQUIRE(many.has_value());
        CHECK(std::popcount(many->correction_mask()) == std::countr_zero(q));
    }
}

TEST_CASE("tuple choice: refusals say why", "[rss]") {
    std::string error;
    CHECK_FALSE(rss_port_choice::make(span_of(ms_key), {4, 10000, 50000}, error).has_value());
    CHECK(error.find("symmetric") != std::string::npos);
    CHECK_FALSE(rss_port_choice::make(symmetric_rss_key<16>(), {4, 10000, 50000}, error).has_value());
    CHECK_FALSE(rss_port_choice::make(symmetric_rss_key(), {3, 10000, 50000}, error).has_value());
    CHECK(error.find("power of two") != std::string::npos);
    CHECK_FALSE(rss_port_choice::make(symmetric_rss_key(), {128, 10000, 50000}, error).has_value());
    CHECK_FALSE(rss_port_choice::make(symmetric_rss_key(), {0, 10000, 50000}, error).has_value());
    CHECK_FALSE(rss_port_choice::make(symmetric_rss_key(), {4, 0, 50000}, error).has_value());
    CHECK_FALSE(rss_port_choice::make(symmetric_rss_key(), {4, 20000, 50000}, error).has_value());
    CHECK(error.find("65536") != std::string::npos);
    CHECK_FALSE(rss_port_choice::make(symmetric_rss_key(), {4, 10000, 0}, error).has_value());
    // 8 queues use port bits 0, 1 and 4 above a multiple of 32: 10001..10030
    // starts one at 10016 but ends before 10016 + 0b10011.
    CHECK_FALSE(rss_port_choice::make(symmetric_rss_key(), {8, 10001, 30}, error).has_value());
    CHECK(error.find("multiple of 32") != std::string::npos);
    CHECK(rss_port_choice::make(symmetric_rss_key(), {8, 10001, 63}, error).has_value());
    // A key whose low hash bits the port cannot move: pattern 0xffff gives
    // F(x) = parity(x) in every bit, so the port moves one bit of the hash.
    std::array<std::byte, rss_key_size> flat{};
    flat.fill(std::byte{0xff});
    CHECK(rss_port_choice::make(flat, {2, 10000, 50000}, error).has_value());
    CHECK_FALSE(rss_port_choice::make(flat, {4, 10000, 50000}, error).has_value());
    CHECK(error.find("at most 2 workers") != std::string::npos);
}
