// Instant-message bodies: font tail, send IM 0x0016 and its reply, receive IM
// 0x0017 and its ack (qq-protocol.md "Instant message body", pidgin 2.4 im.c).
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "protocols/qq_im.hpp"

using namespace qqgen::proto;

namespace {

std::vector<std::byte> bytes(std::initializer_list<int> v) {
    std::vector<std::byte> out;
    for (int b : v) out.push_back(std::byte(b));
    return out;
}

void append(std::vector<std::byte>& out, std::initializer_list<int> v) {
    for (int b : v) out.push_back(std::byte(b));
}

void append(std::vector<std::byte>& out, const_byte_span s) { out.insert(out.end(), s.begin(), s.end()); }

template <class A, class B>
bool same(const A& a, const B& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

const_byte_span cspan(const std::vector<std::byte>& v) { return {v.data(), v.size()}; }

std::array<std::byte, 16> md5_sample() {
    std::array<std::byte, 16> m{};
    for (std::size_t i = 0; i < 16; ++i) m[i] = std::byte(0xA0 + i);
    return m;
}

// "hi", a smiley (0x14 0x41), "!", and a smiley at the very end (0x14 0x15):
// the decoder must not stop at 0x14 nor take the code byte for anything else.
const std::vector<std::byte> text_with_smileys = bytes({'h', 'i', 0x14, 0x41, '!', 0x14, 0x15});

font_style simsun_bold() {
    font_style f;
    f.size = 9;
    f.bold = true;
    f.red = 0x11;
    f.green = 0x22;
    f.blue = 0x33;
    f.charset = charset_gb;
    f.name = font_name_simsun_gbk;
    return f;
}

void check_same_font(const font_style& a, const font_style& b) {
    CHECK(a.size == b.size);
    CHECK(a.bold == b.bold);
    CHECK(a.italic == b.italic);
    CHECK(a.underline == b.underline);
    CHECK(a.red == b.red);
    CHECK(a.green == b.green);
    CHECK(a.blue == b.blue);
    CHECK(a.charset == b.charset);
    CHECK(same(a.name, b.name));
}

void check_same_text(const im_text& a, const im_text& b) {
    CHECK(a.message_sequence == b.message_sequence);
    CHECK(a.send_time == b.send_time);
    CHECK(a.face == b.face);
    CHECK(a.has_font == b.has_font);
    CHECK(a.fragment_count == b.fragment_count);
    CHECK(a.fragment_index == b.fragment_index);
    CHECK(a.message_id == b.message_id);
    CHECK(a.reply_type == b.reply_type);
    CHECK(same(a.text, b.text));
    if (a.has_font && b.has_font) check_same_font(a.font, b.font);
}

void check_same_normal(const normal_im_header& a, const normal_im_header& b) {
    CHECK(a.sender_version == b.sender_version);
    CHECK(a.sender_uid == b.sender_uid);
    CHECK(a.receiver_uid == b.receiver_uid);
    CHECK(a.session_md5 == b.session_md5);
    CHECK(a.im_type == b.im_type);
}

send_im sample_send() {
    send_im im;
    im.header.sender_version = 0x0D55;
    im.header.sender_uid = 10001;
    im.header.receiver_uid = 10002;
    im.header.session_md5 = md5_sample();
    im.message.message_sequence = 7;
    im.message.send_time = 0x4A5B6C7D;
    im.message.face = 3;
    im.message.text = cspan(text_with_smileys);
    im.message.font = simsun_bold();
    return im;
}

}  // namespace

// ---------------------------------------------------------------- font tail

TEST_CASE("font tail: 宋体 size 9 bold, golden bytes, last byte = name length + 9", "[qq_im]") {
    font_style f = simsun_bold();
    CHECK(font_attribute(f) == 0x29);
    std::array<std::byte, 64> buf{};
    std::size_t n = encode_font_tail(f, buf);
    auto golden = bytes({0x00, 0x29, 0x11, 0x22, 0x33, 0x00, 0x86, 0x02, 0xCB, 0xCE, 0xCC, 0xE5, 13});
    REQUIRE(n == golden.size());
    CHECK(same(const_byte_span(buf).first(n), golden));

    auto d = decode_font_tail(cspan(golden));
    REQUIRE(d.ok());
    check_same_font(d.value, f);

    SECTION("all attribute bits round-trip") {
        f.size = 31;
        f.italic = true;
        f.underline = true;
        f.charset = charset_big5;
        REQUIRE(encode_font_tail(f, buf) == 13);
        CHECK(buf[1] == std::byte{0xFF});
        auto a = decode_font_tail(const_byte_span(buf).first(13));
        REQUIRE(a.ok());
        check_same_font(a.value, f);
    }
    SECTION("corrupted tails are refused") {
        auto corrupt = [&](std::size_t at, int v) {
            auto copy = golden;
            copy[at] = std::byte(v);
            return decode_font_tail(cspan(copy)).why;
        };
        CHECK(corrupt(0, 0x01).code == decode_error::bad_value);
        CHECK(corrupt(1, 0xE0).code == decode_error::bad_value);  // size 0
        CHECK(corrupt(5, 0x01).offset == 5);
        CHECK(corrupt(12, 12).code == decode_error::bad_length);
        CHECK(corrupt(9, 0x0A).offset == 9);  // control byte in the name
        for (std::size_t len = 0; len < golden.size(); ++len) {
            CHECK_FALSE(decode_font_tail(cspan(golden).first(len)).ok());
        }
    }
    SECTION("invalid styles are not encoded") {
        f.size = 0;
        CHECK(encode_font_tail(f, buf) == 0);
        f.size = 32;
        CHECK(encode_font_tail(f, buf) == 0);
        f.size = 9;
        std::vector<std::byte> long_name(32, std::byte{'A'});
        f.name = cspan(long_name);
        CHECK(encode_font_tail(f, buf) == 0);
        long_name.resize(31);
        f.name = cspan(long_name);
        CHECK(encode_font_tail(f, buf) == 40);
        CHECK(buf[39] == std::byte{40});
        auto tab = bytes({'A', 0x09});
        f.name = cspan(tab);
        CHECK(encode_font_tail(f, buf) == 0);
    }
}

// ---------------------------------------------------------------- send

TEST_CASE("send IM 0x0016: golden body", "[qq_im]") {
    send_im im = sample_send();
    std::vector<std::byte> golden;
    append(golden, {0x00, 0x00, 0x27, 0x11, 0x00, 0x00, 0x27, 0x12});  // sender, receiver
    append(golden, {0x0D, 0x55});                                      // client version
    append(golden, {0x00, 0x00, 0x27, 0x11, 0x00, 0x00, 0x27, 0x12});  // again
    append(golden, im.header.session_md5);
    append(golden, {0x00, 0x0B});              // text IM
    append(golden, {0x00, 0x07});              // message sequence
    append(golden, {0x4A, 0x5B, 0x6C, 0x7D});  // time
    append(golden, {0x00, 0x03});              // face
    append(golden, {0x00, 0x00, 0x00, 0x01});  // has font
    append(golden, {0x00, 0x00, 0x00, 0x00});  // fragments, message id
    append(golden, {0x01});                    // normal (not auto-reply)
    REQUIRE(golden.size() == send_im_before_text_size);
    append(golden, cspan(text_with_smileys));
    append(golden, {0x00, 0x29, 0x11, 0x22, 0x33, 0x00, 0x86, 0x02, 0xCB, 0xCE, 0xCC, 0xE5, 0x0D});

    std::array<std::byte, 256> buf{};
    std::size_t n = encode_send_im(im, buf);
    REQUIRE(n == golden.size());
    CHECK(n == send_im_size(im));
    CHECK(same(const_byte_span(buf).first(n), golden));

    auto d = decode_send_im(cspan(golden));
    REQUIRE(d.ok());
    check_same_normal(d.value.header, im.header);
    check_same_text(d.value.message, im.message);

    SECTION("every truncation is refused") {
        for (std::size_t len = 0; len < golden.size(); ++len) {
            INFO("length " << len);
            CHECK_FALSE(decode_send_im(cspan(golden).first(len)).ok());
        }
    }
    SECTION("corrupted fields are refused where they are") {
        auto corrupt = [&](std::size_t at, int v) {
            auto copy = golden;
            copy[at] = std::byte(v);
            return decode_send_im(cspan(copy)).why;
        };
        CHECK(corrupt(13, 0x12).offset == 10);             // uid copies disagree
        CHECK(corrupt(17, 0x11).offset == 14);
        CHECK(corrupt(35, 0x01).offset == 34);             // not a text IM
        CHECK(corrupt(47, 0x02).offset == 44);             // font flag 2
        CHECK(corrupt(52, 0x03).offset == 52);             // reply type 3
        CHECK(corrupt(54, 0x00).offset == 54);             // NUL in the text
        CHECK(corrupt(n - 1, 0xFF).code == decode_error::bad_length);  // tail length
        CHECK(corrupt(n - 1, 8).code == decode_error::bad_length);
        CHECK(corrupt(n - 1, 14).code == decode_error::bad_value);     // tail starts inside the text
        CHECK(corrupt(n - 13, 0x01).code == decode_error::bad_value);  // tail's leading 00
    }
    SECTION("encoder refuses what it cannot represent") {
        CHECK(encode_send_im(im, byte_span(buf).first(n - 1)) == 0);
        auto nul = bytes({'a', 0x00, 'b'});
        send_im bad = im;
        bad.message.text = cspan(nul);
        CHECK(encode_send_im(bad, buf) == 0);
        bad = im;
        bad.header.im_type = 0x0035;
        CHECK(encode_send_im(bad, buf) == 0);
        bad = im;
        bad.message.reply_type = 0x03;
        CHECK(encode_send_im(bad, buf) == 0);
        bad = im;
        bad.message.font.size = 0;
        CHECK(encode_send_im(bad, buf) == 0);
    }
}

TEST_CASE("send IM variants round-trip", "[qq_im]") {
    std::array<std::byte, 512> buf{};
    SECTION("auto-reply, fragments, message id, empty text") {
        send_im im = sample_send();
        im.message.reply_type = im_reply_auto;
        im.message.fragment_count = 2;
        im.message.fragment_index = 1;
        im.message.message_id = 0xBEEF;
        im.message.text = {};
        std::size_t n = encode_send_im(im, buf);
        REQUIRE(n == 53 + 13);
        auto d = decode_send_im(const_byte_span(buf).first(n));
        REQUIRE(d.ok());
        check_same_text(d.value.message, im.message);
    }
    SECTION("no font tail: the text runs to the end") {
        send_im im = sample_send();
        im.message.has_font = false;
        std::size_t n = encode_send_im(im, buf);
        REQUIRE(n == 53 + text_with_smileys.size());
        CHECK(buf[47] == std::byte{0x00});
        auto d = decode_send_im(const_byte_span(buf).first(n));
        REQUIRE(d.ok());
        CHECK_FALSE(d.value.message.has_font);
        CHECK(same(d.value.message.text, text_with_smileys));
    }
    SECTION("a long GBK text with many smileys and an English font") {
        std::vector<std::byte> long_text;
        for (int i = 0; i < 100; ++i) append(long_text, {0xC4, 0xE3, 0x14, 0x40 + i % 60});
        auto arial = bytes({'A', 'r', 'i', 'a', 'l'});
        send_im im = sample_send();
        im.message.text = cspan(long_text);
        im.message.font.name = cspan(arial);
        im.message.font.charset = charset_english;
        im.message.font.italic = true;
        std::size_t n = encode_send_im(im, buf);
        REQUIRE(n == 53 + 400 + 14);
        CHECK(buf[n - 1] == std::byte{14});
        auto d = decode_send_im(const_byte_span(buf).first(n));
        REQUIRE(d.ok());
        check_same_text(d.value.message, im.message);
        for (std::size_t len = 0; len < n; ++len) {
            CHECK_FALSE(decode_send_im(const_byte_span(buf).first(len)).ok());
        }
    }
}

TEST_CASE("send IM reply: 00 is OK", "[qq_im]") {
    std::array<std::byte, 2> buf{};
    REQUIRE(encode_send_im_reply({}, buf) == 1);
    CHECK(buf[0] == std::byte{0x00});
    auto d = decode_send_im_reply(const_byte_span(buf).first(1));
    REQUIRE(d.ok());
    CHECK(d.value.result == send_im_reply_ok);
    CHECK(decode_send_im_reply({}).why.code == decode_error::truncated);
    CHECK(decode_send_im_reply(buf).why.code == decode_error::bad_length);
}

// ---------------------------------------------------------------- receive

TEST_CASE("receive IM 0x0017 from a buddy: 20 + 28 byte headers, text, tail", "[qq_im]") {
    recv_im im;
    im.header = {10002, 10001, 0x00000055, 0xC0000209, 8000, recv_im_from_buddy};
    im.normal = {0x0E1B, 10002, 10001, md5_sample(), normal_im_text};
    im.message = sample_send().message;

    std::vector<std::byte> golden;
    append(golden, {0x00, 0x00, 0x27, 0x12, 0x00, 0x00, 0x27, 0x11});  // sender, receiver
    append(golden, {0x00, 0x00, 0x00, 0x55});                          // server IM sequence
    append(golden, {0xC0, 0x00, 0x02, 0x09, 0x1F, 0x40});              // sender IP, port
    append(golden, {0x00, 0x09});                                      // from a buddy
    REQUIRE(golden.size() == recv_im_header_size);
    append(golden, {0x0E, 0x1B, 0x00, 0x00, 0x27, 0x12, 0x00, 0x00, 0x27, 0x11});
    append(golden, im.normal.session_md5);
    append(golden, {0x00, 0x0B});
    append(golden, {0x00, 0x07, 0x4A, 0x5B, 0x6C, 0x7D, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0x01});
    append(golden, cspan(text_with_smileys));
    append(golden, {0x00, 0x29, 0x11, 0x22, 0x33, 0x00, 0x86, 0x02, 0xCB, 0xCE, 0xCC, 0xE5, 0x0D});

    std::array<std::byte, 256> buf{};
    std::size_t n = encode_recv_im(im, buf);
    REQUIRE(n == golden.size());
    CHECK(same(const_byte_span(buf).first(n), golden));

    auto d = decode_recv_im(cspan(golden));
    REQUIRE(d.ok());
    CHECK(d.value.header.sender_uid == 10002);
    CHECK(d.value.header.receiver_uid == 10001);
    CHECK(d.value.header.server_im_sequence == 0x55);
    CHECK(d.value.header.sender_ip == 0xC0000209);
    CHECK(d.value.header.sender_port == 8000);
    CHECK(d.value.header.im_type == recv_im_from_buddy);
    check_same_normal(d.value.normal, im.normal);
    check_same_text(d.value.message, im.message);
    CHECK(d.value.payload.empty());

    for (std::size_t len = 0; len < golden.size(); ++len) {
        INFO("length " << len);
        CHECK_FALSE(decode_recv_im(cspan(golden).first(len)).ok());
    }
    auto bad = golden;
    bad[48 + 11] = std::byte{0x07};  // font flag 7
    CHECK(decode_recv_im(cspan(bad)).why.offset == 48 + 8);

    SECTION("the ack is the first 16 bytes") {
        std::array<std::byte, 32> a{};
        std::array<std::byte, 32> b{};
        REQUIRE(encode_recv_im_ack(make_recv_im_ack(d.value.header), a) == 16);
        REQUIRE(copy_recv_im_ack(cspan(golden), b) == 16);
        CHECK(same(const_byte_span(a).first(16), cspan(golden).first(16)));
        CHECK(same(const_byte_span(b).first(16), cspan(golden).first(16)));
        auto ack = decode_recv_im_ack(const_byte_span(a).first(16));
        REQUIRE(ack.ok());
        CHECK(ack.value.sender_uid == 10002);
        CHECK(ack.value.receiver_uid == 10001);
        CHECK(ack.value.server_im_sequence == 0x55);
        CHECK(ack.value.sender_ip == 0xC0000209);
        for (std::size_t len = 0; len < 16; ++len) {
            CHECK(decode_recv_im_ack(const_byte_span(a).first(len)).why.code == decode_error::truncated);
        }
        CHECK(decode_recv_im_ack(const_byte_span(a).first(17)).why.code == decode_error::bad_length);
        CHECK(copy_recv_im_ack(cspan(golden).first(15), b) == 0);
        CHECK(encode_recv_im_ack({}, byte_span(a).first(15)) == 0);
    }
}

TEST_CASE("receive IM: other types keep their payload", "[qq_im]") {
    std::array<std::byte, 128> buf{};
    auto payload = bytes({0x01, 0x02, 0x14, 0x00, 0xFF});

    SECTION("a group message (0x002B) is header + payload") {
        recv_im im;
        im.header = {55555, 10001, 9, 0x0A000001, 8000, 0x002B};
        im.payload = cspan(payload);
        std::size_t n = encode_recv_im(im, buf);
        REQUIRE(n == 20 + payload.size());
        auto d = decode_recv_im(const_byte_span(buf).first(n));
        REQUIRE(d.ok());
        CHECK(d.value.header.im_type == 0x002B);
        CHECK(same(d.value.payload, payload));
        for (std::size_t len = 0; len < 20; ++len) {
            CHECK(decode_recv_im(const_byte_span(buf).first(len)).why.code == decode_error::truncated);
        }
    }
    SECTION("a stranger's file request (normal type 0x0035) is headers + payload") {
        recv_im im;
        im.header = {10003, 10001, 10, 0x0A000001, 8000, recv_im_from_stranger};
        im.normal = {0x0D55, 10003, 10001, md5_sample(), 0x0035};
        im.payload = cspan(payload);
        std::size_t n = encode_recv_im(im, buf);
        REQUIRE(n == 48 + payload.size());
        auto d = decode_recv_im(const_byte_span(buf).first(n));
        REQUIRE(d.ok());
        check_same_normal(d.value.normal, im.normal);
        CHECK(same(d.value.payload, payload));
        for (std::size_t len = 0; len < 48; ++len) {
            CHECK(decode_recv_im(const_byte_span(buf).first(len)).why.code == decode_error::truncated);
        }
    }
}
