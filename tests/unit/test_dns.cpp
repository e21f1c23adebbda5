// DNS queries and responses (RFC 1035).
//
// The golden query and response bytes were also decoded by tshark 4.0.17:
// "Standard query 0xabcd A sz.tencent.com", "Standard query response 0xabcd
// A sz.tencent.com A 1.2.3.4 A 5.6.7.8 A 9.10.11.12", "Standard query
// response 0xabce No such name A sz9.tencent.com".
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "protocols/dns.hpp"

using namespace qqgen::proto;

namespace {

std::vector<std::byte> hex(std::string_view s) {
    std::vector<std::byte> out;
    auto nib = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    for (std::size_t i = 0; i + 1 < s.size(); i += 2) {
        if (s[i] == ' ') {
            --i;
            continue;
        }
        out.push_back(std::byte(nib(s[i]) << 4 | nib(s[i + 1])));
    }
    return out;
}

std::vector<std::byte> query(std::uint16_t id, std::string_view name, bool rd = true) {
    std::vector<std::byte> b(600);
    const std::size_t n = encode_dns_query(b, id, name, dns_type::a, rd);
    REQUIRE(n != 0);
    b.resize(n);
    return b;
}

std::vector<std::byte> response(const dns_response_desc& d) {
    std::vector<std::byte> b(2048);
    const std::size_t n = encode_dns_response(b, d);
    REQUIRE(n != 0);
    b.resize(n);
    return b;
}

const ipv4_address three[] = {*ipv4_address::parse("1.2.3.4"), *ipv4_address::parse("5.6.7.8"),
                              *ipv4_address::parse("9.10.11.12")};

const char* const golden_query = "abcd 0100 0001 0000 0000 0000 02737a 0774656e63656e74 03636f6d 00 0001 0001";
const char* const golden_response =
    "abcd 8180 0001 0003 0000 0000 02737a0774656e63656e7403636f6d00 0001 0001"
    " c00c 0001 0001 00000258 0004 01020304"
    " c00c 0001 0001 00000258 0004 05060708"
    " c00c 0001 0001 00000258 0004 090a0b0c";
const char* const golden_nxdomain = "abce 8183 0001 0000 0000 0000 03737a39 0774656e63656e74 03636f6d 00 0001 0001";

}  // namespace

TEST_CASE("dns: golden A query for sz.tencent.com", "[dns]") {
    CHECK(query(0xabcd, "sz.tencent.com") == hex(golden_query));
    CHECK(query(0xabcd, "sz.tencent.com.") == hex(golden_query));  // a final dot changes nothing
    const auto no_rd = query(0xabcd, "sz.tencent.com", false);
    CHECK(no_rd[2] == std::byte{0});
    CHECK(no_rd[3] == std::byte{0});
}

TEST_CASE("dns: query round trip (the server half)", "[dns]") {
    for (bool rd : {true, false}) {
        const auto q = query(0x1234, "tcpconn6.tencent.com", rd);
        const auto r = decode_dns_query(q);
        REQUIRE(r.ok());
        CHECK(r.value.id == 0x1234);
        CHECK(r.value.recursion_desired() == rd);
        CHECK(r.value.name.view() == "tcpconn6.tencent.com");
        CHECK(r.value.qtype == dns_type::a);
        CHECK(r.value.qclass == dns_class_in);
    }
}

TEST_CASE("dns: response with three A answers, golden bytes and round trip", "[dns]") {
    dns_response_desc d;
    d.id = 0xabcd;
    d.name = "sz.tencent.com";
    d.addresses = three;
    d.ttl = 600;
    const auto b = response(d);
    CHECK(b == hex(golden_response));
    const auto r = decode_dns_response(b);
    REQUIRE(r.ok());
    CHECK(r.value.id == 0xabcd);
    CHECK(r.value.flags == 0x8180);
    CHECK(r.value.rcode == dns_rcode::no_error);
    CHECK(r.value.name.view() == "sz.tencent.com");
    CHECK(r.value.qtype == dns_type::a);
    CHECK(r.value.qclass == dns_class_in);
    CHECK(r.value.answer_count == 3);
    REQUIRE(r.value.answers().size() == 3);
    for (std::size_t i = 0; i < 3; ++i) CHECK(r.value.answers()[i] == three[i]);
    CHECK(r.value.ttl == 600);

    d.authoritative = true;
    d.recursion_desired = false;
    d.recursion_available = false;
    const auto aa = decode_dns_response(response(d));
    REQUIRE(aa.ok());
    CHECK(aa.value.flags == (dns_flag::qr | dns_flag::aa));
}

TEST_CASE("dns: NXDOMAIN", "[dns]") {
    dns_response_desc d;
    d.id = 0xabce;
    d.name = "sz9.tencent.com";
    d.rcode = dns_rcode::name_error;
    const auto b = response(d);
    CHECK(b == hex(golden_nxdomain));
    const auto r = decode_dns_response(b);
    REQUIRE(r.ok());
    CHECK(r.value.rcode == dns_rcode::name_error);
    CHECK(r.value.name.view() == "sz9.tencent.com");
    CHECK(r.value.answer_count == 0);
    CHECK(r.value.answers().empty());
}

TEST_CASE("dns: every truncation is refused", "[dns]") {
    for (const char* golden : {golden_query, golden_response, golden_nxdomain}) {
        const auto b = hex(golden);
        const bool is_query = golden == golden_query;
        for (std::size_t n = 0; n < b.size(); ++n) {
            INFO("length " << n);
            const const_byte_span s{b.data(), n};
            const refusal why = is_query ? decode_dns_query(s).why : decode_dns_response(s).why;
            REQUIRE(why.code == decode_error::truncated);
        }
    }
    // And every too-small output buffer.
    std::vector<std::byte> out(200);
    const auto full = hex(golden_response);
    dns_response_desc d;
    d.id = 0xabcd;
    d.name = "sz.tencent.com";
    d.addresses = three;
    d.ttl = 600;
    for (std::size_t n = 0; n < full.size(); ++n) CHECK(encode_dns_response(byte_span{out}.first(n), d) == 0);
    for (std::size_t n = 0; n < 32; ++n) CHECK(encode_dns_query(byte_span{out}.first(n), 1, "sz.tencent.com") == 0);
}

TEST_CASE("dns: compression pointers must point backwards", "[dns]") {
    // The question name is itself a pointer to 12: a loop.
    auto self = decode_dns_response(hex("0001 8180 0001 0000 0000 0000 c00c 0001 0001"));
    CHECK(self.why.code == decode_error::bad_name);
    CHECK(self.why.offset == 12);
    // A forward pointer, and one past the end of the message.
    CHECK(decode_dns_query(hex("0001 0100 0001 0000 0000 0000 c00e 00 00010001")).why.code == decode_error::bad_name);
    CHECK(decode_dns_query(hex("0001 0100 0001 0000 0000 0000 c3ff 0001 0001")).why.code == decode_error::bad_name);
    // Answer owner "a" + pointer to itself: backwards from the pointer but
    // not before the labels it follows, so it would loop.
    auto loop = decode_dns_response(hex("0001 8180 0001 0001 0000 0000 02737a00 0001 0001"
                                        " 0161 c014 0001 0001 00000001 0004 01020304"));
    CHECK(loop.why.code == decode_error::bad_name);
    CHECK(loop.why.offset == 22);
    // Two names pointing at each other (one of them must point forward).
    auto ping = decode_dns_response(hex("0001 8180 0001 0002 0000 0000 02737a00 0001 0001"
                                        " 0161 c026 0001 0001 00000001 0004 01020304"
                                        " 0162 c014 0001 0001 00000001 0004 01020304"));
    CHECK(ping.why.code == decode_error::bad_name);
    CHECK(ping.why.offset == 22);
    // A name that ends in a pointer to a name that ends in a pointer back
    // into the first one's labels.
    auto chain = decode_dns_response(hex("0001 8180 0001 0001 0000 0000 0161 c00c 0001 0001"
                                         " c00c 0001 0001 00000001 0004 01020304"));
    CHECK(chain.why.code == decode_error::bad_name);
    CHECK(chain.why.offset == 14);
    // Pointer truncated after its first byte.
    CHECK(decode_dns_query(hex("0001 0100 0001 0000 0000 0000 c0")).why.code == decode_error::truncated);
}

TEST_CASE("dns: legal compression, CNAME chains and TTLs", "[dns]") {
    // Question sz.tencent.com; answer 1: CNAME to "x" + tencent.com (pointer
    // to 15); answer 2: A whose owner points at that CNAME's data (offset
    // 44), TTL 100; answer 3: A owned by "www" + pointer into the question,
    // TTL with the top bit set (read as 0, RFC 2181 8).
    const auto b = hex("0007 8180 0001 0003 0000 0000 02737a0774656e63656e7403636f6d00 0001 0001"
                       " c00c 0005 0001 00000e10 0004 0178 c00f"
                       " c02c 0001 0001 00000064 0004 0a000001"
                       " 03777777 c00f 0001 0001 80000000 0004 0a000002");
    const auto r = decode_dns_response(b);
    REQUIRE(r.ok());
    CHECK(r.value.answer_count == 3);
    REQUIRE(r.value.address_count == 2);
    CHECK(r.value.addresses[0] == *ipv4_address::parse("10.0.0.1"));
    CHECK(r.value.addresses[1] == *ipv4_address::parse("10.0.0.2"));
    CHECK(r.value.ttl == 0);
}

TEST_CASE("dns: at most 16 addresses are kept, all answers are counted", "[dns]") {
    std::vector<ipv4_address> many(20);
    for (std::uint32_t i = 0; i < 20; ++i) many[i] = ipv4_address::from_u32(0x0a000000 + i);
    dns_response_desc d;
    d.name = "sz.tencent.com";
    d.addresses = many;
    d.ttl = 30;
    const auto r = decode_dns_response(response(d));
    REQUIRE(r.ok());
    CHECK(r.value.answer_count == 20);
    CHECK(r.value.address_count == dns_max_addresses);
    CHECK(r.value.addresses[15] == many[15]);
    CHECK(r.value.ttl == 30);
}

TEST_CASE("dns: names at and over the RFC 1035 limits", "[dns]") {
    const std::string l63(63, 'a'), l61(61, 'b');
    const std::string longest = l63 + "." + l63 + "." + l63 + "." + l61;  // 253 characters, 255 on the wire
    REQUIRE(longest.size() == 253);
    std::array<std::byte, 300> buf{};
    CHECK(encode_dns_name(buf, longest) == 255);
    CHECK(encode_dns_name(buf, longest + "b") == 0);
    CHECK(encode_dns_name(buf, std::string(64, 'a')) == 0);
    CHECK(encode_dns_name(buf, "a..b") == 0);
    CHECK(encode_dns_name(buf, ".a") == 0);
    CHECK(encode_dns_name(buf, "") == 1);  // the root
    CHECK(encode_dns_name(buf, ".") == 1);
    const auto q = query(9, longest);
    const auto r = decode_dns_query(q);
    REQUIRE(r.ok());
    CHECK(r.value.name.view() == longest);
    const auto root = decode_dns_query(query(9, ""));
    REQUIRE(root.ok());
    CHECK(root.value.name.view().empty());

    // 256 bytes on the wire: four 63-byte labels.
    std::vector<std::byte> big = hex("0001 0100 0001 0000 0000 0000");
    for (int i = 0; i < 4; ++i) {
        big.push_back(std::byte{63});
        big.insert(big.end(), 63, std::byte{'a'});
    }
    big.insert(big.end(), {std::byte{0}, std::byte{0}, std::byte{1}, std::byte{0}, std::byte{1}});
    CHECK(decode_dns_query(big).why.code == decode_error::bad_name);
}

TEST_CASE("dns: bad labels and headers are refused", "[dns]") {
    auto b = hex(golden_query);
    b[12] = std::byte{0x42};  // label type 01
    CHECK(decode_dns_query(b).why.code == decode_error::bad_name);
    b[12] = std::byte{0x82};  // label type 10
    CHECK(decode_dns_query(b).why.code == decode_error::bad_name);
    b = hex(golden_query);
    b[14] = std::byte{'.'};  // "s." as one label
    CHECK(decode_dns_query(b).why.code == decode_error::bad_name);

    CHECK(decode_dns_query(hex(golden_response)).why.code == decode_error::bad_value);  // QR set
    CHECK(decode_dns_response(hex(golden_query)).why.code == decode_error::bad_value);  // QR clear
    b = hex(golden_query);
    b[2] = std::byte{0x09};  // opcode 1, inverse query
    CHECK(decode_dns_query(b).why.offset == 2);
    b = hex(golden_query);
    b[5] = std::byte{2};  // QDCOUNT 2
    CHECK(decode_dns_query(b).why.code == decode_error::bad_value);
    CHECK(decode_dns_query(b).why.offset == 4);
    b = hex(golden_response);
    b[5] = std::byte{0};
    CHECK(decode_dns_response(b).why.code == decode_error::bad_value);

    // An A record with 5 bytes of data.
    auto r = decode_dns_response(hex("0001 8180 0001 0001 0000 0000 02737a00 0001 0001"
                                     " c00c 0001 0001 00000001 0005 0102030405"));
    CHECK(r.why.code == decode_error::bad_length);
    // ANCOUNT larger than the records present.
    b = hex(golden_response);
    b[7] = std::byte{4};
    CHECK(decode_dns_response(b).why.code == decode_error::truncated);
    // An rdlength past the end.
    b = hex(golden_response);
    b[b.size() - 5] = std::byte{5};
    CHECK(decode_dns_response(b).why.code == decode_error::truncated);
}
