// QQ UDP framing: known bytes of pidgin 2.4's token request, the nDPI 4.2
// signature form, round trips, truncations, bad tags; the command table.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <vector>

#include "protocols/counter_rng.hpp"
#include "protocols/qq_command.hpp"
#include "protocols/qq_header.hpp"

using namespace qqgen::proto;

namespace {

std::vector<std::byte> bytes(std::initializer_list<unsigned> v) {
    std::vector<std::byte> out;
    for (unsigned b : v) out.push_back(std::byte(b));
    return out;
}

std::vector<std::byte> span_vec(const_byte_span s) { return {s.begin(), s.end()}; }

// Random body without 0x03 bytes, so that no truncation of a packet holding
// it ends in a (false) end tag.
std::vector<std::byte> random_body(counter_rng& rng, std::size_t n) {
    std::vector<std::byte> v(n);
    for (auto& b : v) b = std::byte(4 + rng.below(252));
    return v;
}

}  // namespace

TEST_CASE("classic token request: pidgin 2.4 bytes", "[qq_header]") {
    const client_header h{qq_version::pidgin_2_4, qq_command::request_login_token, 0xA1B2, 0x01020304};
    std::vector<std::byte> out(64);
    const std::size_t n = encode_client_packet(out, h, bytes({0x00}));
    REQUIRE(n == 13);
    out.resize(n);
    CHECK(out == bytes({0x02, 0x0D, 0x55, 0x00, 0x62, 0xA1, 0xB2, 0x01, 0x02, 0x03, 0x04, 0x00, 0x03}));
    CHECK_FALSE(ndpi42_qq_match(out));  // nDPI 4.2 does not see QQ in a classic flow

    const auto d = decode_client_packet(out);
    REQUIRE(d.ok());
    CHECK(d.value.header == h);
    CHECK(span_vec(d.value.body) == bytes({0x00}));
    CHECK_FALSE(d.value.signature);
}

TEST_CASE("modern signature form of the token request and reply", "[qq_header]") {
    const client_header h{qq_version::pidgin_2_4, qq_command::request_login_token, 0x0102, 123456789};
    std::vector<std::byte> out(128, std::byte{0xCC});
    const std::size_t n = encode_signature_client_packet(out, h, bytes({0x00}));
    REQUIRE(n == 56);
    out.resize(n);
    // 02 | 00 38 (= 56, the datagram length) | 00 62 | seq | qq number | body | zeros | 03
    CHECK(span_vec(const_byte_span{out}.first(11)) ==
          bytes({0x02, 0x00, 0x38, 0x00, 0x62, 0x01, 0x02, 0x07, 0x5B, 0xCD, 0x15}));
    CHECK(std::all_of(out.begin() + 11, out.end() - 1, [](std::byte b) { return b == std::byte{0}; }));
    CHECK(out.back() == std::byte{0x03});
    CHECK(ndpi42_qq_match(out));

    const auto d = decode_client_packet(out);
    REQUIRE(d.ok());
    CHECK(d.value.signature);
    CHECK(d.value.header.version == 0x0038);
    CHECK(d.value.header.command == qq_command::request_login_token);
    CHECK(d.value.header.sequence == 0x0102);
    CHECK(d.value.header.qq_number == 123456789u);
    CHECK(d.value.body.size() == 56 - 12);
    CHECK(d.value.body[0] == std::byte{0x00});

    // The reply: 00 OK, token length 24, token (pidgin 2.4 token reply).
    std::vector<std::byte> reply_body = bytes({0x00, 0x18});
    for (unsigned i = 0; i < 24; ++i) reply_body.push_back(std::byte(0xA0 + i));
    const server_header sh{qq_version::pidgin_2_4, qq_command::request_login_token, 0x0102};
    std::vector<std::byte> rep(56);
    REQUIRE(encode_signature_server_packet(rep, sh, reply_body) == 56);
    CHECK(span_vec(const_byte_span{rep}.first(7)) == bytes({0x02, 0x00, 0x38, 0x00, 0x62, 0x01, 0x02}));
    CHECK(ndpi42_qq_match(rep));
    const auto dr = decode_server_packet(rep);
    REQUIRE(dr.ok());
    CHECK(dr.value.signature);
    CHECK(span_vec(dr.value.body.first(reply_body.size())) == reply_body);
    CHECK(std::all_of(dr.value.body.begin() + static_cast<std::ptrdiff_t>(reply_body.size()), dr.value.body.end(),
                      [](std::byte b) { return b == std::byte{0}; }));
}

TEST_CASE("every nDPI 4.2 signature size", "[qq_header]") {
    const client_header h{qq_version::pidgin_2_4, qq_command::request_login_token, 7, 10001};
    const server_header sh{qq_version::pidgin_2_4, qq_command::request_login_token, 7};
    for (const auto& sig : ndpi42_qq_signatures) {
        INFO("size " << sig.payload_size);
        std::vector<std::byte> out(200);
        REQUIRE(encode_signature_client_packet(out, h, bytes({0x00}), sig.payload_size) == sig.payload_size);
        out.resize(sig.payload_size);
        CHECK(load_be16(out.data() + 1) == sig.version);
        CHECK(ndpi42_qq_match(out));
        CHECK(decode_client_packet(out).value.signature);
        std::vector<std::byte> rep(200);
        REQUIRE(encode_signature_server_packet(rep, sh, {}, sig.payload_size) == sig.payload_size);
        rep.resize(sig.payload_size);
        CHECK(ndpi42_qq_match(rep));
    }
}

TEST_CASE("signature form refusals", "[qq_header]") {
    client_header h{qq_version::pidgin_2_4, qq_command::request_login_token, 1, 2};
    std::vector<std::byte> out(200);
    CHECK(encode_signature_client_packet(out, h, bytes({0}), 57) == 0);   // not an nDPI rule size
    CHECK(encode_signature_client_packet(out, h, std::vector<std::byte>(45), 56) == 0);  // 11+45+1 > 56
    CHECK(encode_signature_client_packet(out, h, std::vector<std::byte>(44), 56) == 56);  // exactly fits
    CHECK(encode_signature_client_packet(byte_span{out}.first(55), h, bytes({0})) == 0);
    h.command = qq_command::withdraw_message;  // 0x03F7: byte 3 would be 03, not 00
    CHECK(encode_signature_client_packet(out, h, bytes({0})) == 0);
    const server_header sh{qq_version::pidgin_2_4, qq_command::withdraw_message, 1};
    CHECK(encode_signature_server_packet(out, sh, {}) == 0);
}

TEST_CASE("dialects: only modern's first exchange takes the signature form", "[qq_header]") {
    STATIC_REQUIRE(default_dialect == dialect::modern);
    STATIC_REQUIRE(form_for(dialect::modern, true) == packet_form::signature);
    STATIC_REQUIRE(form_for(dialect::modern, false) == packet_form::plain);
    STATIC_REQUIRE(form_for(dialect::classic, true) == packet_form::plain);
    STATIC_REQUIRE(form_for(dialect::classic, false) == packet_form::plain);
}

TEST_CASE("nDPI 4.2 rule mirror", "[qq_header]") {
    std::vector<std::byte> p(56);
    p[0] = std::byte{0x02};
    p[2] = std::byte{0x38};
    CHECK(ndpi42_qq_match(p));
    p[3] = std::byte{0x01};
    CHECK_FALSE(ndpi42_qq_match(p));
    std::vector<std::byte> q(60);
    q[0] = std::byte{0x02};
    q[2] = std::byte{0x42};  // 60 pairs with 0x42, not with 0x3C
    CHECK(ndpi42_qq_match(q));
    std::vector<std::byte> r(39);
    r[0] = std::byte{0x28};
    CHECK(ndpi42_qq_match(r));
    r.pop_back();
    CHECK_FALSE(ndpi42_qq_match(r));
}

TEST_CASE("client and server packets round trip every field", "[qq_header]") {
    counter_rng rng(21, 0);
    for (int i = 0; i < 500; ++i) {
        const client_header h{static_cast<std::uint16_t>(rng.next()), static_cast<qq_command>(rng.next()),
                              static_cast<std::uint16_t>(rng.next()), static_cast<std::uint32_t>(rng.next())};
        const auto body = random_body(rng, rng.below(300));
        std::vector<std::byte> out(client_header_size + body.size() + tail_size);
        REQUIRE(encode_client_packet(out, h, body) == out.size());
        const auto d = decode_client_packet(out);
        REQUIRE(d.ok());
        CHECK(d.value.header == h);
        CHECK(span_vec(d.value.body) == body);

        // In place: body already at the body offset.
        std::vector<std::byte> frame(out.size());
        std::copy(body.begin(), body.end(), frame.begin() + client_body_offset);
        REQUIRE(frame_client_body(frame, h, body.size()) == out.size());
        CHECK(frame == out);

        const server_header sh{h.version, h.command, h.sequence};
        std::vector<std::byte> sout(server_header_size + body.size() + tail_size);
        REQUIRE(encode_server_packet(sout, sh, body) == sout.size());
        const auto sd = decode_server_packet(sout);
        REQUIRE(sd.ok());
        CHECK(sd.value.header == sh);
        CHECK(span_vec(sd.value.body) == body);
        std::vector<std::byte> sframe(sout.size());
        std::copy(body.begin(), body.end(), sframe.begin() + server_body_offset);
        REQUIRE(frame_server_body(sframe, sh, body.size()) == sout.size());
        CHECK(sframe == sout);
    }
}

TEST_CASE("in-place signature framing equals the copying encoder", "[qq_header]") {
    const client_header h{qq_version::pidgin_2_4, qq_command::request_login_token, 9, 77};
    std::vector<std::byte> a(56), b(56, std::byte{0xEE});
    REQUIRE(encode_signature_client_packet(a, h, bytes({0x00})) == 56);
    b[client_body_offset] = std::byte{0x00};
    REQUIRE(frame_signature_client_body(b, h, 1) == 56);
    CHECK(a == b);
    const server_header sh{qq_version::pidgin_2_4, qq_command::request_login_token, 9};
    std::vector<std::byte> c(56), d(56, std::byte{0xEE});
    REQUIRE(encode_signature_server_packet(c, sh, bytes({0x00, 0x01, 0x02})) == 56);
    d[7] = std::byte{0x00};
    d[8] = std::byte{0x01};
    d[9] = std::byte{0x02};
    REQUIRE(frame_signature_server_body(d, sh, 3) == 56);
    CHECK(c == d);
}

TEST_CASE("encoders refuse a short output", "[qq_header]") {
    const client_header h{qq_version::pidgin_2_4, qq_command::keep_alive, 1, 2};
    const server_header sh{qq_version::pidgin_2_4, qq_command::keep_alive, 1};
    const auto body = bytes({1, 2, 4, 5});
    std::vector<std::byte> out(100);
    for (std::size_t cap = 0; cap < 16; ++cap) {
        CHECK(encode_client_packet(byte_span{out}.first(cap), h, body) == 0);
        CHECK(frame_client_body(byte_span{out}.first(cap), h, body.size()) == 0);
    }
    CHECK(encode_client_packet(byte_span{out}.first(16), h, body) == 16);
    for (std::size_t cap = 0; cap < 12; ++cap) CHECK(encode_server_packet(byte_span{out}.first(cap), sh, body) == 0);
    CHECK(encode_server_packet(byte_span{out}.first(12), sh, body) == 12);
}

TEST_CASE("every truncation of a packet is refused with a reason", "[qq_header]") {
    counter_rng rng(22, 0);
    const auto body = random_body(rng, 40);
    const client_header h{qq_version::pidgin_2_4, qq_command::send_message, 0x3344, 99999};
    std::vector<std::byte> pkt(client_header_size + body.size() + tail_size);
    REQUIRE(encode_client_packet(pkt, h, body) != 0);
    for (std::size_t len = 0; len < pkt.size(); ++len) {
        INFO("client prefix " << len);
        const auto d = decode_client_packet(const_byte_span{pkt}.first(len));
        REQUIRE_FALSE(d.ok());
        if (len < min_client_packet) {
            CHECK(d.why.code == decode_error::truncated);
            CHECK(d.why.offset == len);
        } else {
            CHECK(d.why.code == decode_error::bad_tag);
            CHECK(d.why.offset == len - 1);
        }
    }
    const server_header sh{qq_version::pidgin_2_4, qq_command::send_message, 0x3344};
    std::vector<std::byte> spkt(server_header_size + body.size() + tail_size);
    REQUIRE(encode_server_packet(spkt, sh, body) != 0);
    for (std::size_t len = 0; len < spkt.size(); ++len) {
        INFO("server prefix " << len);
        const auto d = decode_server_packet(const_byte_span{spkt}.first(len));
        REQUIRE_FALSE(d.ok());
        CHECK(d.why.code == (len < min_server_packet ? decode_error::truncated : decode_error::bad_tag));
    }
}

TEST_CASE("bad start or end tags are refused", "[qq_header]") {
    const client_header h{qq_version::pidgin_2_4, qq_command::request_login_token, 1, 2};
    std::vector<std::byte> pkt(13);
    REQUIRE(encode_client_packet(pkt, h, bytes({0x00})) == 13);
    for (unsigned v : {0x00u, 0x03u, 0x82u, 0xFFu}) {
        auto bad = pkt;
        bad[0] = std::byte(v);
        auto d = decode_client_packet(bad);
        CHECK(d.why.code == decode_error::bad_tag);
        CHECK(d.why.offset == 0);
        if (v == 0x03) continue;  // a valid end tag
        bad = pkt;
        bad[12] = std::byte(v);
        d = decode_client_packet(bad);
        CHECK(d.why.code == decode_error::bad_tag);
        CHECK(d.why.offset == 12);
        auto sd = decode_server_packet(bad);
        CHECK(sd.why.code == decode_error::bad_tag);
    }
    // Smallest valid packets: empty bodies.
    CHECK(decode_client_packet(bytes({2, 0x0D, 0x55, 0, 2, 0, 1, 0, 0, 0, 5, 3})).ok());
    CHECK(decode_server_packet(bytes({2, 0x0D, 0x55, 0, 2, 0, 1, 3})).ok());
    CHECK(decode_server_packet(bytes({2, 0x0D, 0x55, 0, 2, 0, 1, 3})).value.body.empty());
}

TEST_CASE("command table", "[qq_header]") {
    CHECK(command_name(qq_command::request_login_token) == "Request login");
    CHECK(command_name(qq_command::keep_alive) == "Heart Message");
    CHECK(command_name(0x0081) == "Get status of friend");
    CHECK(command_name(0x7777) == "Unknown");
    CHECK(tshark_knows(0x0001));
    CHECK(tshark_knows(0x00B5));
    CHECK(tshark_knows(0x03F7));
    CHECK_FALSE(tshark_knows(0x0091));
    CHECK_FALSE(tshark_knows(0x00BA));
    CHECK_FALSE(tshark_knows(0x00DD));
    CHECK_FALSE(tshark_knows(0x0000));
    CHECK_FALSE(tshark_knows(0x0003));
    CHECK(is_known_command(0x00DD));
    CHECK_FALSE(is_known_command(0x0003));
    int in_tshark = 0;
    for (const auto& c : command_table) in_tshark += c.in_tshark ? 1 : 0;
    CHECK(in_tshark == 35);  // tshark 4.0.17's oicq.command table has 35 entries
    CHECK(qq_version::pidgin_2_4 == 0x0D55);
    CHECK(qq_version::ndpi_oicq == 0x3B0B);
}
