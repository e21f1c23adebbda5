// Login bodies: token request/reply, the 416-byte login block, the login
// request layout and the three login replies (pidgin 2.4 login_logout.c).
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "protocols/qq_login.hpp"

using namespace qqgen::proto;

namespace {

std::vector<std::byte> bytes(std::initializer_list<int> v) {
    std::vector<std::byte> out;
    for (int b : v) out.push_back(std::byte(b));
    return out;
}

std::vector<std::byte> pattern(std::size_t n, int start) {
    std::vector<std::byte> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = std::byte((start + static_cast<int>(i)) & 0xff);
    return out;
}

template <class A, class B>
bool same(const A& a, const B& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

const_byte_span cspan(const std::vector<std::byte>& v) { return {v.data(), v.size()}; }

}  // namespace

TEST_CASE("login token request is the single byte 00", "[qq_login]") {
    std::array<std::byte, 4> buf{};
    REQUIRE(encode_login_token_request(buf) == 1);
    CHECK(buf[0] == std::byte{0});
    CHECK(decode_login_token_request(const_byte_span(buf).first(1)).ok());
    CHECK(decode_login_token_request({}).why.code == decode_error::truncated);
    CHECK(decode_login_token_request(cspan(bytes({0x01}))).why.code == decode_error::bad_value);
    CHECK(decode_login_token_request(cspan(bytes({0x00, 0x00}))).why.code == decode_error::bad_length);
    CHECK(encode_login_token_request(byte_span{}) == 0);
}

TEST_CASE("login token reply: result, length, token", "[qq_login]") {
    auto token = pattern(login_token_usual_size, 0xA0);
    std::array<std::byte, 64> buf{};
    std::size_t n = encode_login_token_reply({login_token_reply_ok, cspan(token)}, buf);
    REQUIRE(n == 26);
    CHECK(buf[0] == std::byte{0x00});
    CHECK(buf[1] == std::byte{24});
    CHECK(same(const_byte_span(buf).subspan(2, 24), token));

    auto body = const_byte_span(buf).first(n);
    auto d = decode_login_token_reply(body);
    REQUIRE(d.ok());
    CHECK(d.value.result == login_token_reply_ok);
    CHECK(same(d.value.token, token));

    SECTION("every truncation is refused") {
        for (std::size_t len = 0; len < n; ++len) {
            auto t = decode_login_token_reply(body.first(len));
            INFO("length " << len);
            CHECK_FALSE(t.ok());
            CHECK(t.why.code == (len < 2 ? decode_error::truncated : decode_error::bad_length));
        }
    }
    SECTION("a corrupted length byte is refused") {
        for (int bad : {0, 23, 25, 255}) {
            auto copy = std::vector<std::byte>(body.begin(), body.end());
            copy[1] = std::byte(bad);
            auto t = decode_login_token_reply(cspan(copy));
            CHECK(t.why.code == decode_error::bad_length);
            CHECK(t.why.offset == 1);
        }
    }
    SECTION("a failure code round-trips too") {
        REQUIRE(encode_login_token_reply({0x01, {}}, buf) == 2);
        auto f = decode_login_token_reply(const_byte_span(buf).first(2));
        REQUIRE(f.ok());
        CHECK(f.value.result == 0x01);
        CHECK(f.value.token.empty());
    }
    SECTION("encoder limits") {
        std::vector<std::byte> huge(256);
        CHECK(encode_login_token_reply({0, cspan(huge)}, buf) == 0);
        CHECK(encode_login_token_reply({0, cspan(token)}, byte_span(buf).first(25)) == 0);
    }
}

TEST_CASE("the fixed login arrays are pidgin 2.4's gint8 arrays", "[qq_login]") {
    // Copied verbatim (signed) from pidgin 2.4 login_logout.c.
    const int a23[29] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -122, -52, 76, 53, 44, -45, 115, 108, 20, -10, -10,
                         -81, -61, -6, 51, -92, 1};
    const int a53[16] = {-115, -117, -6, -20, -43, 82, 23, 74, -122, -7, -89, 117, -26, 50, -47, 109};
    const int a100[100] = {64,
                           11, 4, 2, 0, 1, 0, 0, 0, 0, 0,
                           3, 9, 0, 0, 0, 0, 0, 0, 0, 1,
                           -23, 3, 1, 0, 0, 0, 0, 0, 1, -13,
                           3, 0, 0, 0, 0, 0, 0, 1, -19, 3,
                           0, 0, 0, 0, 0, 0, 1, -20, 3, 0,
                           0, 0, 0, 0, 0, 3, 5, 0, 0, 0,
                           0, 0, 0, 0, 3, 7, 0, 0, 0, 0,
                           0, 0, 0, 1, -18, 3, 0, 0, 0, 0,
                           0, 0, 1, -17, 3, 0, 0, 0, 0, 0,
                           0, 1, -21, 3, 0, 0, 0, 0, 0};
    for (std::size_t i = 0; i < 29; ++i) CHECK(login_fixed_23_51[i] == std::byte(a23[i] & 0xff));
    for (std::size_t i = 0; i < 16; ++i) CHECK(login_fixed_53_68[i] == std::byte(a53[i] & 0xff));
    for (std::size_t i = 0; i < 100; ++i) CHECK(login_fixed_100[i] == std::byte(a100[i] & 0xff));
}

TEST_CASE("login block: pidgin 2.4 layout, golden offsets", "[qq_login]") {
    login_block block;
    for (std::size_t i = 0; i < 16; ++i) block.password_check[i] = std::byte(0xE0 + i);
    block.login_mode = login_mode_away;
    auto token = pattern(24, 0x31);
    block.token = cspan(token);

    std::array<std::byte, login_block_size> buf{};
    buf.fill(std::byte{0xEE});  // the encoder must write every byte
    REQUIRE(encode_login_block(block, buf) == 416);

    CHECK(same(const_byte_span(buf).first(16), block.password_check));
    for (std::size_t i = 16; i < 23; ++i) CHECK(buf[i] == std::byte{0});
    CHECK(same(const_byte_span(buf).subspan(23, 29), login_fixed_23_51));
    CHECK(buf[35] == std::byte{0x86});  // first non-zero fixed byte, pidgin's -122
    CHECK(buf[52] == std::byte{0x1E});  // login mode at 52
    CHECK(same(const_byte_span(buf).subspan(53, 16), login_fixed_53_68));
    CHECK(buf[69] == std::byte{24});    // token length at 69
    CHECK(same(const_byte_span(buf).subspan(70, 24), token));  // token at 70
    CHECK(buf[94] == std::byte{0x40});  // login_100_bytes follows the token
    CHECK(same(const_byte_span(buf).subspan(94, 100), login_fixed_100));
    for (std::size_t i = 194; i < 416; ++i) CHECK(buf[i] == std::byte{0});

    auto d = decode_login_block(buf);
    REQUIRE(d.ok());
    CHECK(d.value.password_check == block.password_check);
    CHECK(d.value.login_mode == login_mode_away);
    CHECK(same(d.value.token, token));

    SECTION("every login mode round-trips") {
        for (std::uint8_t mode : {login_mode_online, login_mode_away, login_mode_hidden}) {
            block.login_mode = mode;
            REQUIRE(encode_login_block(block, buf) == 416);
            auto m = decode_login_block(buf);
            REQUIRE(m.ok());
            CHECK(m.value.login_mode == mode);
        }
    }
    SECTION("every truncation and an extra byte are refused") {
        for (std::size_t len = 0; len < 416; ++len) {
            auto t = decode_login_block(const_byte_span(buf).first(len));
            CHECK(t.why.code == decode_error::truncated);
        }
        std::vector<std::byte> longer(buf.begin(), buf.end());
        longer.push_back(std::byte{0});
        CHECK(decode_login_block(cspan(longer)).why.code == decode_error::bad_length);
    }
    SECTION("corrupted bytes are refused where they are") {
        auto corrupt = [&](std::size_t at, std::byte v) {
            auto copy = buf;
            copy[at] = v;
            return decode_login_block(copy).why;
        };
        for (std::size_t at = 16; at < 23; ++at) {
            auto w = corrupt(at, std::byte{1});
            CHECK(w.code == decode_error::bad_value);
            CHECK(w.offset == at);
        }
        CHECK(corrupt(40, std::byte{0}).offset == 40);  // inside login_23_51
        CHECK(corrupt(52, std::byte{0x0B}).code == decode_error::bad_value);
        CHECK(corrupt(60, std::byte{0}).offset == 60);  // inside login_53_68
        auto w = corrupt(69, std::byte{247});
        CHECK(w.code == decode_error::bad_length);
        CHECK(w.offset == 69);
        w = corrupt(69, std::byte{23});  // the fixed 100 bytes no longer line up
        CHECK(w.code == decode_error::bad_value);
        w = corrupt(415, std::byte{1});
        CHECK(w.code == decode_error::bad_value);
        CHECK(w.offset == 415);
    }
    SECTION("encoder limits") {
        auto longest = pattern(login_block_max_token, 1);
        block.token = cspan(longest);
        REQUIRE(login_block_max_token == 246);
        REQUIRE(encode_login_block(block, buf) == 416);
        auto l = decode_login_block(buf);
        REQUIRE(l.ok());
        CHECK(l.value.token.size() == 246);
        auto too_long = pattern(247, 1);
        block.token = cspan(too_long);
        CHECK(encode_login_block(block, buf) == 0);
        block.token = cspan(token);
        block.login_mode = 0x14;
        CHECK(encode_login_block(block, buf) == 0);
        block.login_mode = login_mode_online;
        CHECK(encode_login_block(block, byte_span(buf).first(415)) == 0);
    }
}

TEST_CASE("login request: initial key then 432 bytes of ciphertext, 460-byte datagram", "[qq_login]") {
    // QQ-TEA size rule from qq-protocol.md: pad = (n + 10) mod 8, then 8 - pad.
    std::size_t pad = (login_block_size + 10) % 8;
    if (pad != 0) pad = 8 - pad;
    CHECK(login_ciphertext_size == login_block_size + pad + 10);
    CHECK(login_request_body_size == 448);
    CHECK(login_request_datagram_size == 460);

    std::array<std::byte, 500> body{};
    auto slots = login_request_layout(body);
    REQUIRE(slots.initial_key.size() == 16);
    REQUIRE(slots.ciphertext.size() == 432);
    CHECK(slots.initial_key.data() == body.data());
    CHECK(slots.ciphertext.data() == body.data() + 16);
    CHECK(login_request_layout(byte_span(body).first(447)).ciphertext.empty());

    std::array<std::byte, 16> key{};
    key.fill(std::byte{pidgin_initial_key_byte});
    REQUIRE(encode_login_request_key(key, body) == 448);
    for (std::size_t i = 0; i < 16; ++i) CHECK(body[i] == std::byte{0x01});
    CHECK(encode_login_request_key(key, byte_span(body).first(100)) == 0);

    for (std::size_t i = 16; i < 448; ++i) body[i] = std::byte(i & 0xff);
    auto d = decode_login_request(const_byte_span(body).first(448));
    REQUIRE(d.ok());
    CHECK(d.value.initial_key.data() == body.data());
    CHECK(d.value.ciphertext.size() == 432);
    for (std::size_t len = 0; len < 448; ++len) {
        CHECK(decode_login_request(const_byte_span(body).first(len)).why.code == decode_error::truncated);
    }
    CHECK(decode_login_request(const_byte_span(body).first(449)).why.code == decode_error::bad_length);
}

TEST_CASE("login OK reply: pidgin 2.4 struct _qq_login_reply_ok", "[qq_login]") {
    login_ok ok;
    for (std::size_t i = 0; i < 16; ++i) ok.session_key[i] = std::byte(0x50 + i);
    ok.uid = 123456789;
    ok.client_ip = 0xC0000201;
    ok.client_port = 4000;
    ok.server_ip = 0xCB5A0A01;
    ok.server_port = 8000;
    ok.login_time = 0x45000000;
    for (std::size_t i = 0; i < 26; ++i) ok.unknown1[i] = std::byte(0x80 + i);
    ok.unknown_server1_ip = 0x0A000001;
    ok.unknown_server1_port = 0x1111;
    ok.unknown_server2_ip = 0x0A000002;
    ok.unknown_server2_port = 0x2222;
    ok.unknown2 = 0x0001;
    ok.unknown3 = 0x0000;
    for (std::size_t i = 0; i < 32; ++i) ok.unknown4[i] = std::byte(0xA0 + i);
    for (std::size_t i = 0; i < 12; ++i) ok.unknown5[i] = std::byte(0xD0 + i);
    ok.last_client_ip = 0xC6336401;
    ok.last_login_time = 0x44FFFF00;
    for (std::size_t i = 0; i < 8; ++i) ok.unknown6[i] = std::byte(0xF0 + i);

    std::array<std::byte, 200> buf{};
    std::size_t n = encode_login_ok(ok, buf);
    REQUIRE(n == 139);
    auto body = const_byte_span(buf).first(n);
    CHECK(buf[0] == std::byte{0x00});
    CHECK(same(body.subspan(1, 16), ok.session_key));
    CHECK(load_be32(&buf[17]) == 123456789);
    CHECK(load_be32(&buf[21]) == 0xC0000201);
    CHECK(load_be16(&buf[25]) == 4000);
    CHECK(load_be32(&buf[27]) == 0xCB5A0A01);
    CHECK(load_be16(&buf[31]) == 8000);
    CHECK(load_be32(&buf[33]) == 0x45000000);
    CHECK(buf[37] == std::byte{0x80});
    CHECK(load_be32(&buf[63]) == 0x0A000001);
    CHECK(load_be16(&buf[73]) == 0x2222);
    CHECK(load_be16(&buf[75]) == 0x0001);
    CHECK(buf[79] == std::byte{0xA0});
    CHECK(buf[111] == std::byte{0xD0});
    CHECK(load_be32(&buf[123]) == 0xC6336401);
    CHECK(load_be32(&buf[127]) == 0x44FFFF00);
    CHECK(buf[131] == std::byte{0xF0});
    CHECK(buf[138] == std::byte{0xF7});

    auto d = decode_login_reply(body);
    REQUIRE(d.ok());
    REQUIRE(d.value.kind == login_reply_kind::ok);
    const login_ok& g = d.value.ok;
    CHECK(g.session_key == ok.session_key);
    CHECK(g.uid == ok.uid);
    CHECK(g.client_ip == ok.client_ip);
    CHECK(g.client_port == ok.client_port);
    CHECK(g.server_ip == ok.server_ip);
    CHECK(g.server_port == ok.server_port);
    CHECK(g.login_time == ok.login_time);
    CHECK(g.unknown1 == ok.unknown1);
    CHECK(g.unknown_server1_ip == ok.unknown_server1_ip);
    CHECK(g.unknown_server1_port == ok.unknown_server1_port);
    CHECK(g.unknown_server2_ip == ok.unknown_server2_ip);
    CHECK(g.unknown_server2_port == ok.unknown_server2_port);
    CHECK(g.unknown2 == ok.unknown2);
    CHECK(g.unknown3 == ok.unknown3);
    CHECK(g.unknown4 == ok.unknown4);
    CHECK(g.unknown5 == ok.unknown5);
    CHECK(g.last_client_ip == ok.last_client_ip);
    CHECK(g.last_login_time == ok.last_login_time);
    CHECK(g.unknown6 == ok.unknown6);

    for (std::size_t len = 0; len < n; ++len) {
        CHECK(decode_login_reply(body.first(len)).why.code == decode_error::truncated);
    }
    CHECK(decode_login_reply(const_byte_span(buf).first(140)).why.code == decode_error::bad_length);
    CHECK(encode_login_ok(ok, byte_span(buf).first(138)) == 0);

    login_reply r;
    r.kind = login_reply_kind::ok;
    r.ok = ok;
    std::array<std::byte, 200> again{};
    REQUIRE(encode_login_reply(r, again) == 139);
    CHECK(same(const_byte_span(again).first(139), body));
}

TEST_CASE("login redirect reply: result, uid, new server IP, port", "[qq_login]") {
    std::array<std::byte, 32> buf{};
    std::size_t n = encode_login_redirect({10001, 0x3B24F001, 8000}, buf);
    REQUIRE(n == 11);
    auto golden = bytes({0x01, 0x00, 0x00, 0x27, 0x11, 0x3B, 0x24, 0xF0, 0x01, 0x1F, 0x40});
    CHECK(same(const_byte_span(buf).first(n), golden));
    auto d = decode_login_reply(cspan(golden));
    REQUIRE(d.ok());
    REQUIRE(d.value.kind == login_reply_kind::redirect);
    CHECK(d.value.redirect.uid == 10001);
    CHECK(d.value.redirect.new_server_ip == 0x3B24F001);
    CHECK(d.value.redirect.new_server_port == 8000);
    for (std::size_t len = 0; len < n; ++len) {
        CHECK(decode_login_reply(cspan(golden).first(len)).why.code == decode_error::truncated);
    }
    golden.push_back(std::byte{0});
    CHECK(decode_login_reply(cspan(golden)).why.code == decode_error::bad_length);
}

TEST_CASE("login wrong-password reply: 05 then GBK text", "[qq_login]") {
    auto text = bytes({0xC3, 0xDC, 0xC2, 0xEB, 0xB4, 0xED, 0xCE, 0xF3});  // 密码错误
    std::array<std::byte, 32> buf{};
    std::size_t n = encode_login_wrong_password(cspan(text), buf);
    REQUIRE(n == 9);
    CHECK(buf[0] == std::byte{0x05});
    auto d = decode_login_reply(const_byte_span(buf).first(n));
    REQUIRE(d.ok());
    REQUIRE(d.value.kind == login_reply_kind::wrong_password);
    CHECK(same(d.value.message, text));
    // The text has no length field: a shorter body is a shorter text, only
    // the empty body is refused.
    CHECK(decode_login_reply({}).why.code == decode_error::truncated);
    auto bare = decode_login_reply(const_byte_span(buf).first(1));
    REQUIRE(bare.ok());
    CHECK(bare.value.message.empty());

    login_reply r;
    r.kind = login_reply_kind::wrong_password;
    r.message = cspan(text);
    std::array<std::byte, 32> again{};
    REQUIRE(encode_login_reply(r, again) == 9);
    CHECK(same(const_byte_span(again).first(9), const_byte_span(buf).first(9)));
}

TEST_CASE("unknown login reply codes are refused", "[qq_login]") {
    for (int code : {0x02, 0x06, 0x0A, 0xFF}) {
        auto body = bytes({code, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        auto d = decode_login_reply(cspan(body));
        CHECK(d.why.code == decode_error::bad_value);
        CHECK(d.why.offset == 0);
    }
}
