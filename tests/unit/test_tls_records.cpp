// TLS 1.3 records as DPI sees them (RFC 8446, RFC 6066 3, RFC 7301).
//
// The builders' output, put in a TCP flow, was dissected by tshark 4.0.17
// without expert errors (Client Hello with SNI and ALPN, Server Hello,
// Change Cipher Spec, Application Data) and labelled TLS with its SNI by
// ndpiReader 4.2.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "protocols/tls_records.hpp"

using namespace qqgen::proto;

namespace {

using bytes_t = std::vector<std::byte>;

unsigned at(const bytes_t& b, std::size_t i) { return std::to_integer<unsigned>(b[i]); }
std::size_t be16(const bytes_t& b, std::size_t i) { return load_be16(b.data() + i); }
std::size_t be24(const bytes_t& b, std::size_t i) { return be16(b, i) << 8 | at(b, i + 2); }

struct record {
    unsigned type = 0;
    std::size_t version = 0;
    std::size_t offset = 0;  // of the payload
    std::size_t size = 0;
};

// Splits a stream into records; every byte must belong to one.
std::vector<record> walk(const bytes_t& b) {
    std::vector<record> out;
    std::size_t p = 0;
    while (p < b.size()) {
        REQUIRE(b.size() - p >= tls_record_header_size);
        record r{at(b, p), be16(b, p + 1), p + 5, be16(b, p + 3)};
        REQUIRE(r.size >= 1);
        REQUIRE(r.size <= tls_max_record_payload);
        REQUIRE(b.size() - r.offset >= r.size);
        if (r.type == tls_content_type::handshake) CHECK(be24(b, r.offset + 1) + 4 == r.size);
        out.push_back(r);
        p = r.offset + r.size;
    }
    return out;
}

// The extensions of a hello starting at `hello` (the handshake header), by
// type, after checking that each vector fits exactly in its container.
std::vector<std::pair<std::size_t, std::size_t>> extensions(const bytes_t& b, std::size_t hello, bool client) {
    std::size_t p = hello + 4 + 2 + 32;
    p += 1 + at(b, p);                 // legacy_session_id
    p += client ? 2 + be16(b, p) : 2;  // cipher_suites / cipher_suite
    p += client ? 1 + at(b, p) : 1;    // compression
    const std::size_t end = hello + 4 + be24(b, hello + 1);
    REQUIRE(p + 2 + be16(b, p) == end);
    std::vector<std::pair<std::size_t, std::size_t>> out;  // (type, offset of extension_data)
    for (p += 2; p < end; p += 4 + be16(b, p + 2)) {
        REQUIRE(p + 4 + be16(b, p + 2) <= end);
        out.emplace_back(be16(b, p), p + 4);
    }
    return out;
}

bool zeros(const bytes_t& b, std::size_t from, std::size_t n) {
    for (std::size_t i = from; i < from + n; ++i)
        if (b[i] != std::byte{0}) return false;
    return true;
}

result<tls_client_hello_info> parse(const bytes_t& b) { return parse_tls_client_hello(b); }

// The SNI of a hello that must decode, copied (the decoder's view dies with `b`).
std::string sni_of(const bytes_t& b) {
    const auto r = parse(b);
    REQUIRE(r.ok());
    return std::string(r.value.sni);
}

bytes_t hex(std::string_view s) {
    bytes_t out;
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

// A ClientHello record around a given extensions block (its length included).
bytes_t hello_with(const std::string& ext_hex) {
    const bytes_t ext = hex(ext_hex);
    bytes_t h = hex("0303");
    h.resize(h.size() + 32);
    const bytes_t tail = hex("00 0002 1301 0100");
    h.insert(h.end(), tail.begin(), tail.end());
    h.insert(h.end(), ext.begin(), ext.end());
    bytes_t r = hex("16 0301 0000 01 000000");
    r.insert(r.end(), h.begin(), h.end());
    store_be16(r.data() + 3, static_cast<std::uint16_t>(h.size() + 4));
    store_be16(r.data() + 7, static_cast<std::uint16_t>(h.size()));
    return r;
}

}  // namespace

TEST_CASE("ClientHello: one record, consistent lengths, the fields a browser sends") {
    const tls_flight f = tls_client_hello("www.example.com");
    const auto records = walk(f.bytes);
    REQUIRE(records.size() == 1);
    CHECK(records[0].type == tls_content_type::handshake);
    CHECK(records[0].version == 0x0301);
    CHECK(at(f.bytes, 5) == tls_handshake_type::client_hello);
    CHECK(be16(f.bytes, 9) == 0x0303);

    CHECK(f.random_offset == 11);
    CHECK(at(f.bytes, f.session_id_offset - 1) == 32);
    CHECK(f.session_id_offset == f.random_offset + 33);
    CHECK(zeros(f.bytes, f.random_offset, 32));
    CHECK(zeros(f.bytes, f.session_id_offset, 32));
    REQUIRE(f.key_share_offset + 32 == f.bytes.size());  // key_share is the last extension
    CHECK(be16(f.bytes, f.key_share_offset - 4) == 0x001d);  // x25519
    CHECK(be16(f.bytes, f.key_share_offset - 2) == 32);
    CHECK(zeros(f.bytes, f.key_share_offset, 32));

    const std::size_t suites = f.session_id_offset + 32;
    CHECK(be16(f.bytes, suites + 2) == 0x1301);
    CHECK(be16(f.bytes, suites + 4) == 0x1302);
    CHECK(be16(f.bytes, suites + 6) == 0x1303);

    std::vector<std::size_t> types;
    for (auto [type, offset] : extensions(f.bytes, 5, true)) types.push_back(type);
    CHECK(types == std::vector<std::size_t>{0, 10, 11, 13, 16, 43, 45, 51});
    const std::string wire(reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size());
    CHECK(wire.find("\x02h2\x08http/1.1") != std::string::npos);
    CHECK(wire.find(std::string("\x04\x03\x04\x03\x03", 5)) != std::string::npos);  // supported_versions

    const auto info = parse(f.bytes);
    REQUIRE(info.ok());
    CHECK(info.value.sni == "www.example.com");
    CHECK(info.value.record_size == f.bytes.size());
    CHECK(info.value.sni.data() == reinterpret_cast<const char*>(f.bytes.data()) + wire.find("www."));
}

TEST_CASE("ClientHello: golden bytes (the record tshark dissected)") {
    const tls_flight f = tls_client_hello("www.example.com");
    const bytes_t golden = hex(
        "16030100f6 010000f2 0303" + std::string(64, '0') + " 20" + std::string(64, '0') +
        " 001e 1301 1302 1303 c02b c02f c02c c030 cca9 cca8 c013 c014 009c 009d 002f 0035 0100"
        " 008b"
        " 0000 0014 0012 00 000f 7777772e6578616d706c652e636f6d"
        " 000a 0008 0006 001d 0017 0018"
        " 000b 0002 01 00"
        " 000d 0012 0010 0403 0804 0401 0503 0805 0501 0806 0601"
        " 0010 000e 000c 02 6832 08 687474702f312e31"
        " 002b 0005 04 0304 0303"
        " 002d 0002 01 01"
        " 0033 0026 0024 001d 0020" + std::string(64, '0'));
    CHECK(f.bytes == golden);
}

TEST_CASE("ClientHello: SNI round-trips, absent SNI, too long SNI") {
    for (std::string_view name : {"a", "sz.tencent.com", "very-long-label-of-a-host.example.org"})
        CHECK(sni_of(tls_client_hello(name).bytes) == name);
    const std::string longest(tls_max_sni, 'x');
    CHECK(sni_of(tls_client_hello(longest).bytes) == longest);
    CHECK(tls_client_hello(longest + "x").bytes.empty());

    const tls_flight none = tls_client_hello("");
    const auto info = parse(none.bytes);
    REQUIRE(info.ok());
    CHECK(info.value.sni.empty());
    CHECK(extensions(none.bytes, 5, true).front().first == 10);
}

TEST_CASE("ClientHello decoder: refusals") {
    const bytes_t good = tls_client_hello("www.example.com").bytes;
    for (std::size_t n = 0; n < good.size(); ++n) {
        INFO(n);
        CHECK(parse_tls_client_hello(const_byte_span(good).first(n)).why.code == decode_error::truncated);
    }
    const auto changed = [&](std::size_t i, unsigned v) {
        bytes_t b = good;
        b[i] = std::byte(v);
        return parse(b).why.code;
    };
    CHECK(changed(0, 23) == decode_error::bad_value);      // application_data, not a handshake
    CHECK(changed(1, 2) == decode_error::bad_value);       // SSL 2 record version
    CHECK(changed(5, 2) == decode_error::bad_value);       // a ServerHello
    CHECK(changed(3, 0x40) == decode_error::bad_length);   // record over 2^14
    CHECK(changed(8, 0xf3) == decode_error::unsupported);  // handshake continues in a next record
    CHECK(changed(8, 0xf1) == decode_error::bad_length);   // handshake shorter than its record
    CHECK(changed(43, 33) == decode_error::bad_length);    // legacy_session_id<0..32>
    CHECK(changed(77, 0x1f) == decode_error::bad_length);  // odd cipher_suites length

    // Extension blocks: two server_name, an empty host_name, a list that
    // disagrees with its extension, an extension past the block.
    const std::string sni = "0000 0006 0004 00 0001 61";
    CHECK(sni_of(hello_with("000a " + sni)) == "a");
    CHECK(parse(hello_with("0014 " + sni + sni)).why.code == decode_error::bad_value);
    CHECK(parse(hello_with("000e 0000 000a 0008 00 0001 61 00 0001 62")).why.code == decode_error::bad_value);
    CHECK(parse(hello_with("0009 0000 0005 0003 00 0000")).why.code == decode_error::bad_length);
    CHECK(parse(hello_with("000a 0000 0006 0005 00 0001 61")).why.code == decode_error::bad_length);
    CHECK(parse(hello_with("000a 0000 0007 0004 00 0001 61")).why.code == decode_error::bad_length);
    CHECK(parse(hello_with("0009 " + sni)).why.code == decode_error::bad_length);
    // Another name type is skipped; extensions of other types are not read.
    CHECK(sni_of(hello_with("000c 0000 0008 0006 01 0003 787878")).empty());
    CHECK(parse(hello_with("0004 ffff 0000")).ok());
}

TEST_CASE("server flight: ServerHello, ChangeCipherSpec, opaque records totalling exactly") {
    for (std::size_t opaque : {1u, 17u, 4000u, 16384u, 16385u, 50000u}) {
        INFO(opaque);
        const tls_flight f = tls_server_hello(opaque, 42);
        const auto records = walk(f.bytes);
        REQUIRE(records.size() >= 3);
        CHECK(records[0].type == tls_content_type::handshake);
        CHECK(records[0].version == 0x0303);
        CHECK(at(f.bytes, 5) == tls_handshake_type::server_hello);
        CHECK(records[1].type == tls_content_type::change_cipher_spec);
        CHECK(records[1].size == 1);
        std::size_t total = 0;
        for (std::size_t i = 2; i < records.size(); ++i) {
            CHECK(records[i].type == tls_content_type::application_data);
            CHECK(records[i].version == 0x0303);
            total += records[i].size;
        }
        CHECK(total == opaque);

        CHECK(f.random_offset == 11);
        CHECK(at(f.bytes, f.session_id_offset - 1) == 32);
        CHECK(zeros(f.bytes, f.session_id_offset, 32));
        CHECK(!zeros(f.bytes, f.random_offset, 32));
        CHECK(be16(f.bytes, f.session_id_offset + 32) == 0x1301);
        CHECK(be16(f.bytes, f.key_share_offset - 4) == 0x001d);
        CHECK(be16(f.bytes, f.key_share_offset - 2) == 32);
        CHECK(f.key_share_offset + 32 == records[0].offset + records[0].size);
        std::vector<std::size_t> types;
        for (auto [type, offset] : extensions(f.bytes, 5, false)) types.push_back(type);
        CHECK(types == std::vector<std::size_t>{43, 51});
    }
    CHECK(tls_server_hello(100, 1).bytes == tls_server_hello(100, 1).bytes);
    CHECK(tls_server_hello(100, 1).bytes != tls_server_hello(100, 2).bytes);
    CHECK(walk(tls_server_hello(0, 1).bytes).size() == 3);
}

TEST_CASE("client Finished and application data") {
    const bytes_t fin = tls_client_finished(7);
    const auto r = walk(fin);
    REQUIRE(r.size() == 2);
    CHECK(r[0].type == tls_content_type::change_cipher_spec);
    CHECK(r[1].type == tls_content_type::application_data);
    CHECK(r[1].size == 53);
    CHECK(fin.size() == 6 + 5 + 53);

    CHECK(tls_application_data(0, 1).empty());
    for (std::size_t n : {1u, 100u, 16384u, 16385u, 32768u, 1000000u}) {
        INFO(n);
        const bytes_t d = tls_application_data(n, 9);
        std::size_t total = 0;
        const auto records = walk(d);
        for (const record& x : records) {
            CHECK(x.type == tls_content_type::application_data);
            total += x.size;
        }
        CHECK(total == n);
        CHECK(records.size() == (n + tls_max_record_payload - 1) / tls_max_record_payload);
    }
    CHECK(tls_application_data(500, 3) == tls_application_data(500, 3));
    CHECK(tls_application_data(500, 3) != tls_application_data(500, 4));
}
