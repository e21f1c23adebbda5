// Session bodies: set status, status records, friend lists, keep-alive,
// system messages and logout (pidgin 2.4 buddy_status.c, buddy_list.c,
// keep_alive.c, sys_msg.c, login_logout.c).
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "protocols/qq_friends.hpp"
#include "protocols/qq_keepalive.hpp"
#include "protocols/qq_logout.hpp"
#include "protocols/qq_status.hpp"
#include "protocols/qq_system.hpp"

using namespace qqgen::proto;

namespace {

std::vector<std::byte> bytes(std::initializer_list<int> v) {
    std::vector<std::byte> out;
    for (int b : v) out.push_back(std::byte(b));
    return out;
}

std::vector<std::byte> text(std::string_view s) {
    std::vector<std::byte> out;
    for (char c : s) out.push_back(std::byte(static_cast<unsigned char>(c)));
    return out;
}

template <class A, class B>
bool same(const A& a, const B& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

const_byte_span cspan(const std::vector<std::byte>& v) { return {v.data(), v.size()}; }

buddy_status_record sample_record(std::uint32_t uid) {
    buddy_status_record s;
    s.uid = uid;
    s.unknown1 = 0x01;
    s.ip = 0xC0000202;
    s.port = 4001;
    s.unknown2 = 0x00;
    s.status = status_away;
    s.client_version = 0x0D55;
    for (std::size_t i = 0; i < 16; ++i) s.unknown_key[i] = std::byte(0x60 + i);
    return s;
}

void check_same_record(const buddy_status_record& a, const buddy_status_record& b) {
    CHECK(a.uid == b.uid);
    CHECK(a.unknown1 == b.unknown1);
    CHECK(a.ip == b.ip);
    CHECK(a.port == b.port);
    CHECK(a.unknown2 == b.unknown2);
    CHECK(a.status == b.status);
    CHECK(a.client_version == b.client_version);
    CHECK(a.unknown_key == b.unknown_key);
}

}  // namespace

// ---------------------------------------------------------------- status

TEST_CASE("set status request: status byte and 4 misc bytes", "[qq_status]") {
    std::array<std::byte, 8> buf{};
    for (std::uint8_t s : {status_online, status_offline, status_away, status_invisible}) {
        REQUIRE(encode_set_status_request({s, misc_status_video}, buf) == 5);
        CHECK(same(const_byte_span(buf).first(5), bytes({s, 0, 0, 0, 1})));
        auto d = decode_set_status_request(const_byte_span(buf).first(5));
        REQUIRE(d.ok());
        CHECK(d.value.status == s);
        CHECK(d.value.misc_status == misc_status_video);
        for (std::size_t len = 0; len < 5; ++len) {
            CHECK(decode_set_status_request(const_byte_span(buf).first(len)).why.code == decode_error::truncated);
        }
    }
    CHECK(decode_set_status_request(const_byte_span(buf).first(6)).why.code == decode_error::bad_length);
    CHECK(decode_set_status_request(cspan(bytes({0x0B, 0, 0, 0, 0}))).why.code == decode_error::bad_value);
    CHECK(encode_set_status_request({0x00, 0}, buf) == 0);
    CHECK(encode_set_status_request({status_online, 0}, byte_span(buf).first(4)) == 0);
}

TEST_CASE("set status reply: 0x30 is OK", "[qq_status]") {
    std::array<std::byte, 2> buf{};
    REQUIRE(encode_set_status_reply({}, buf) == 1);
    CHECK(buf[0] == std::byte{0x30});
    auto d = decode_set_status_reply(const_byte_span(buf).first(1));
    REQUIRE(d.ok());
    CHECK(d.value.result == set_status_reply_ok);
    CHECK(decode_set_status_reply({}).why.code == decode_error::truncated);
    CHECK(decode_set_status_reply(buf).why.code == decode_error::bad_length);
}

TEST_CASE("friend status change 0x0081: 31-byte record and my uid", "[qq_status]") {
    friend_status_change c{sample_record(10002), 10001};
    std::array<std::byte, 64> buf{};
    std::size_t n = encode_friend_status_change(c, buf);
    REQUIRE(n == 35);
    // Golden record layout (pidgin 2.4 qq_buddy_status_read offsets).
    auto golden_head =
        bytes({0x00, 0x00, 0x27, 0x12, 0x01, 0xC0, 0x00, 0x02, 0x02, 0x0F, 0xA1, 0x00, 0x1E, 0x0D, 0x55});
    CHECK(same(const_byte_span(buf).first(15), golden_head));
    CHECK(buf[15] == std::byte{0x60});
    CHECK(load_be32(&buf[31]) == 10001);

    auto d = decode_friend_status_change(const_byte_span(buf).first(n));
    REQUIRE(d.ok());
    check_same_record(d.value.record, c.record);
    CHECK(d.value.my_uid == 10001);
    for (std::size_t len = 0; len < n; ++len) {
        CHECK(decode_friend_status_change(const_byte_span(buf).first(len)).why.code == decode_error::truncated);
    }
    CHECK(decode_friend_status_change(const_byte_span(buf).first(36)).why.code == decode_error::bad_length);
    auto zero = buf;
    store_be32(zero.data(), 0);
    CHECK(decode_friend_status_change(const_byte_span(zero).first(n)).why.code == decode_error::bad_value);
    c.record.uid = 0;
    CHECK(encode_friend_status_change(c, buf) == 0);
}

// ---------------------------------------------------------------- friend list

TEST_CASE("friend list request: position and 00", "[qq_friends]") {
    std::array<std::byte, 4> buf{};
    REQUIRE(encode_friend_list_request({0x0123}, buf) == 3);
    CHECK(same(const_byte_span(buf).first(3), bytes({0x01, 0x23, 0x00})));
    auto d = decode_friend_list_request(const_byte_span(buf).first(3));
    REQUIRE(d.ok());
    CHECK(d.value.start_position == 0x0123);
    for (std::size_t len = 0; len < 3; ++len) {
        CHECK(decode_friend_list_request(const_byte_span(buf).first(len)).why.code == decode_error::truncated);
    }
    CHECK(decode_friend_list_request(buf).why.code == decode_error::bad_length);
    CHECK(decode_friend_list_request(cspan(bytes({0, 0, 1}))).why.code == decode_error::bad_value);
}

TEST_CASE("friend list reply: golden entry, pages, per-entry refusals", "[qq_friends]") {
    auto xiaoming = bytes({0xD0, 0xA1, 0xC3, 0xF7});  // 小明 in GBK
    auto ab = text("ab");
    std::vector<friend_entry> entries = {
        {10001, 3, 25, 0, cspan(xiaoming), 0x0000, 0x01, 0x02},
        {10002, 0x0102, 30, 1, cspan(ab), 0xABCD, 0x00, 0x40},
        {123456789, 99, 18, 1, {}, 0, 0, 0},
    };

    std::array<std::byte, 256> buf{};
    auto page = encode_friend_list_reply(friend_list_done, entries, buf);
    REQUIRE(page.entries == 3);
    REQUIRE(page.size == 2 + 17 + 15 + 13);

    // Golden bytes: position, then uid 4, face 2, age, gender, Pascal nickname, 2 bytes, flag1, comm_flag.
    auto golden = bytes({0xFF, 0xFF, 0x00, 0x00, 0x27, 0x11, 0x00, 0x03, 0x19, 0x00, 0x04, 0xD0, 0xA1, 0xC3, 0xF7,
                         0x00, 0x00, 0x01, 0x02});
    CHECK(same(const_byte_span(buf).first(golden.size()), golden));

    auto body = const_byte_span(buf).first(page.size);
    auto d = decode_friend_list_reply(body);
    REQUIRE(d.ok());
    CHECK(d.value.next_position == friend_list_done);
    friend_entry_reader reader(d.value);
    for (const friend_entry& want : entries) {
        REQUIRE_FALSE(reader.done());
        auto e = reader.next();
        REQUIRE(e.ok());
        CHECK(e.value.uid == want.uid);
        CHECK(e.value.face == want.face);
        CHECK(e.value.age == want.age);
        CHECK(e.value.gender == want.gender);
        CHECK(same(e.value.nickname, want.nickname));
        CHECK(e.value.unknown == want.unknown);
        CHECK(e.value.flag1 == want.flag1);
        CHECK(e.value.comm_flag == want.comm_flag);
    }
    CHECK(reader.done());

    SECTION("a page holds as many entries as fit; the position can be patched") {
        std::array<std::byte, 2 + 17 + 15 + 5> small{};
        auto p = encode_friend_list_reply(0x0000, entries, small);
        CHECK(p.entries == 2);
        CHECK(p.size == 2 + 17 + 15);
        set_friend_list_next_position(byte_span(small).first(p.size), 0x0002);
        auto s = decode_friend_list_reply(const_byte_span(small).first(p.size));
        REQUIRE(s.ok());
        CHECK(s.value.next_position == 0x0002);
        auto header_only = encode_friend_list_reply(0x0000, entries, byte_span(small).first(3));
        CHECK(header_only.size == 2);
        CHECK(header_only.entries == 0);
        CHECK(encode_friend_list_reply(0, entries, byte_span(small).first(1)).size == 0);
    }
    SECTION("every truncation is refused unless it ends on an entry boundary") {
        const std::size_t boundaries[] = {2, 19, 34, 47};
        for (std::size_t len = 0; len < body.size(); ++len) {
            INFO("length " << len);
            auto t = decode_friend_list_reply(body.first(len));
            if (len < 2) {
                CHECK(t.why.code == decode_error::truncated);
                continue;
            }
            REQUIRE(t.ok());
            friend_entry_reader r(t.value);
            std::size_t good = 0;
            bool refused = false;
            while (!r.done()) {
                auto e = r.next();
                if (!e) {
                    refused = true;
                    CHECK(e.why.offset <= len);
                    break;
                }
                ++good;
            }
            bool boundary = std::find(std::begin(boundaries), std::end(boundaries), len) != std::end(boundaries);
            CHECK(refused == !boundary);
            CHECK(r.done());
        }
    }
    SECTION("a corrupted nickname length or a zero uid is refused") {
        std::vector<std::byte> copy(body.begin(), body.end());
        copy[2 + 17 + 8] = std::byte{200};  // second entry's nickname length
        auto c = decode_friend_list_reply(cspan(copy));
        REQUIRE(c.ok());
        friend_entry_reader r(c.value);
        REQUIRE(r.next().ok());
        auto bad = r.next();
        CHECK(bad.why.code == decode_error::bad_length);
        CHECK(bad.why.offset == 2 + 17 + 8);
        CHECK(r.done());

        copy.assign(body.begin(), body.end());
        store_be32(&copy[2], 0);
        auto z = decode_friend_list_reply(cspan(copy));
        friend_entry_reader rz(z.value);
        auto zero = rz.next();
        CHECK(zero.why.code == decode_error::bad_value);
        CHECK(zero.why.offset == 2);
    }
    SECTION("invalid entries fail the encode") {
        std::vector<std::byte> long_name(256, std::byte{'x'});
        std::vector<friend_entry> bad = {{10001, 0, 0, 0, cspan(long_name), 0, 0, 0}};
        CHECK(encode_friend_list_reply(0, bad, buf).size == 0);
        bad[0] = {0, 0, 0, 0, {}, 0, 0, 0};
        CHECK(encode_friend_list_reply(0, bad, buf).size == 0);
    }
}

// ---------------------------------------------------------------- online friends

TEST_CASE("online friends request: 02, position, 00 00 00", "[qq_friends]") {
    std::array<std::byte, 8> buf{};
    REQUIRE(encode_online_friends_request({online_friends_subcommand, 0x07}, buf) == 5);
    CHECK(same(const_byte_span(buf).first(5), bytes({0x02, 0x07, 0x00, 0x00, 0x00})));
    auto d = decode_online_friends_request(const_byte_span(buf).first(5));
    REQUIRE(d.ok());
    CHECK(d.value.subcommand == 0x02);
    CHECK(d.value.start_position == 0x07);
    for (std::size_t len = 0; len < 5; ++len) {
        CHECK(decode_online_friends_request(const_byte_span(buf).first(len)).why.code == decode_error::truncated);
    }
    CHECK(decode_online_friends_request(const_byte_span(buf).first(6)).why.code == decode_error::bad_length);
    CHECK(decode_online_friends_request(cspan(bytes({0x04, 0, 0, 0, 0}))).why.code == decode_error::bad_value);
    CHECK(decode_online_friends_request(cspan(bytes({0x02, 0, 0, 0, 1}))).why.offset == 4);
    CHECK(encode_online_friends_request({0x05, 0}, buf) == 0);
}

TEST_CASE("online friends reply: 38-byte entries after a 1-byte position", "[qq_friends]") {
    std::vector<online_friend_entry> entries(3);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        entries[i].status = sample_record(static_cast<std::uint32_t>(20000 + i));
        entries[i].unknown1 = static_cast<std::uint16_t>(0x1000 + i);
        entries[i].flag1 = 0x01;
        entries[i].comm_flag = static_cast<std::uint8_t>(0x10 + i);
        entries[i].unknown2 = 0xBEEF;
        entries[i].ending = 0x00;
    }
    std::array<std::byte, 1 + 3 * 38> buf{};
    auto page = encode_online_friends_reply(online_friends_done, entries, buf);
    REQUIRE(page.entries == 3);
    REQUIRE(page.size == 1 + 3 * 38);
    CHECK(buf[0] == std::byte{0xFF});
    CHECK(load_be32(&buf[1]) == 20000);
    CHECK(buf[1 + 12] == std::byte{status_away});
    CHECK(load_be16(&buf[1 + 31]) == 0x1000);
    CHECK(buf[1 + 33] == std::byte{0x01});
    CHECK(buf[1 + 34] == std::byte{0x10});
    CHECK(load_be16(&buf[1 + 35]) == 0xBEEF);
    CHECK(buf[1 + 37] == std::byte{0x00});
    CHECK(load_be32(&buf[1 + 38]) == 20001);

    auto body = const_byte_span(buf).first(page.size);
    auto d = decode_online_friends_reply(body);
    REQUIRE(d.ok());
    CHECK(d.value.next_position == online_friends_done);
    online_friend_reader reader(d.value);
    for (const auto& want : entries) {
        auto e = reader.next();
        REQUIRE(e.ok());
        check_same_record(e.value.status, want.status);
        CHECK(e.value.unknown1 == want.unknown1);
        CHECK(e.value.flag1 == want.flag1);
        CHECK(e.value.comm_flag == want.comm_flag);
        CHECK(e.value.unknown2 == want.unknown2);
        CHECK(e.value.ending == want.ending);
    }
    CHECK(reader.done());

    for (std::size_t len = 0; len < body.size(); ++len) {
        INFO("length " << len);
        auto t = decode_online_friends_reply(body.first(len));
        if (len == 0) {
            CHECK(t.why.code == decode_error::truncated);
            continue;
        }
        online_friend_reader r(t.value);
        bool refused = false;
        while (!r.done()) {
            auto e = r.next();
            if (!e) {
                refused = true;
                CHECK(e.why.code == decode_error::truncated);
                CHECK(e.why.offset == len);
                break;
            }
        }
        CHECK(refused == ((len - 1) % 38 != 0));
    }

    auto zero = buf;
    store_be32(&zero[1 + 38], 0);
    auto z = decode_online_friends_reply(const_byte_span(zero).first(page.size));
    online_friend_reader rz(z.value);
    REQUIRE(rz.next().ok());
    auto bad = rz.next();
    CHECK(bad.why.code == decode_error::bad_value);
    CHECK(bad.why.offset == 1 + 38);

    auto partial = encode_online_friends_reply(0x03, entries, byte_span(buf).first(1 + 38 + 37));
    CHECK(partial.entries == 1);
    CHECK(partial.size == 39);
}

// ---------------------------------------------------------------- keep-alive

TEST_CASE("keep-alive request: binary uid (pidgin 2.4) or ASCII decimal", "[qq_keepalive]") {
    std::array<std::byte, 16> buf{};
    REQUIRE(encode_keep_alive_request({10001}, keep_alive_uid_format::binary, buf) == 4);
    CHECK(same(const_byte_span(buf).first(4), bytes({0x00, 0x00, 0x27, 0x11})));
    auto b = decode_keep_alive_request(const_byte_span(buf).first(4), keep_alive_uid_format::binary);
    REQUIRE(b.ok());
    CHECK(b.value.uid == 10001);
    for (std::size_t len = 0; len < 4; ++len) {
        CHECK(decode_keep_alive_request(const_byte_span(buf).first(len), keep_alive_uid_format::binary).why.code ==
              decode_error::truncated);
    }
    CHECK(decode_keep_alive_request(const_byte_span(buf).first(5), keep_alive_uid_format::binary).why.code ==
          decode_error::bad_length);

    REQUIRE(encode_keep_alive_request({4294967295u}, keep_alive_uid_format::ascii_decimal, buf) == 10);
    CHECK(same(const_byte_span(buf).first(10), text("4294967295")));
    auto a = decode_keep_alive_request(const_byte_span(buf).first(10), keep_alive_uid_format::ascii_decimal);
    REQUIRE(a.ok());
    CHECK(a.value.uid == 4294967295u);

    auto ascii = [](std::string_view s) {
        auto v = text(s);
        return decode_keep_alive_request(cspan(v), keep_alive_uid_format::ascii_decimal).why;
    };
    CHECK(ascii("").code == decode_error::truncated);
    CHECK(ascii("010001").code == decode_error::bad_value);
    CHECK(ascii("12a4").offset == 2);
    CHECK(ascii("4294967296").code == decode_error::bad_value);
    CHECK(ascii("0").code == decode_error::bad_value);
    CHECK(encode_keep_alive_request({0}, keep_alive_uid_format::binary, buf) == 0);
}

TEST_CASE("keep-alive reply: six 0x1F-separated text fields", "[qq_keepalive]") {
    keep_alive_reply reply{0, 0, 1234567, 0xC0000201, 4000, 60};
    std::array<std::byte, keep_alive_max_reply_size> buf{};
    std::size_t n = encode_keep_alive_reply(reply, buf);
    auto golden = text("0\x1f"
                       "0\x1f"
                       "1234567\x1f"
                       "192.0.2.1\x1f"
                       "4000\x1f"
                       "60");
    REQUIRE(n == golden.size());
    CHECK(same(const_byte_span(buf).first(n), golden));

    auto d = decode_keep_alive_reply(cspan(golden));
    REQUIRE(d.ok());
    CHECK(d.value.result == 0);
    CHECK(d.value.unknown == 0);
    CHECK(d.value.online_total == 1234567);
    CHECK(d.value.client_ip == 0xC0000201);
    CHECK(d.value.client_port == 4000);
    CHECK(d.value.last == 60);

    // Text has no length: only a cut inside the last field leaves a valid
    // (different) reply; every shorter prefix is refused.
    for (std::size_t len = 0; len + 2 < golden.size(); ++len) {
        INFO("length " << len);
        CHECK_FALSE(decode_keep_alive_reply(cspan(golden).first(len)).ok());
    }
    auto cut = decode_keep_alive_reply(cspan(golden).first(golden.size() - 1));
    REQUIRE(cut.ok());
    CHECK(cut.value.last == 6);

    auto bad = [](std::string_view s) { return decode_keep_alive_reply(cspan(text(s))).why; };
    CHECK(bad("0\x1f"
              "0\x1f"
              "5\x1f"
              "256.0.0.1\x1f"
              "4000\x1f"
              "60")
              .code == decode_error::bad_value);
    CHECK(bad("0\x1f"
              "0\x1f"
              "5\x1f"
              "1.2.3\x1f"
              "4000\x1f"
              "60")
              .code == decode_error::bad_value);
    CHECK(bad("0\x1f"
              "0\x1f"
              "5\x1f"
              "1.2.3.4\x1f"
              "65536\x1f"
              "60")
              .code == decode_error::bad_value);
    auto extra = bad("0\x1f"
                     "0\x1f"
                     "5\x1f"
                     "1.2.3.4\x1f"
                     "80\x1f"
                     "60\x1f");
    CHECK(extra.code == decode_error::bad_value);
    CHECK(extra.offset == 19);
    CHECK(encode_keep_alive_reply(reply, byte_span(buf).first(n - 1)) == 0);

    keep_alive_reply widest{4294967295u, 4294967295u, 4294967295u, 0xFFFFFFFF, 65535, 4294967295u};
    CHECK(encode_keep_alive_reply(widest, buf) == keep_alive_max_reply_size);
}

// ---------------------------------------------------------------- system message

TEST_CASE("system message 0x0080: type, from, to, text separated by 0x1F", "[qq_system]") {
    auto hello = bytes({0xC4, 0xE3, 0xBA, 0xC3});  // 你好
    system_message m{system_message_add_request, 10001, 10002, cspan(hello), false, {}};
    std::array<std::byte, 64> buf{};
    std::size_t n = encode_system_message(m, buf);
    auto golden = text("02\x1f"
                       "10001\x1f"
                       "10002\x1f");
    golden.insert(golden.end(), hello.begin(), hello.end());
    REQUIRE(n == golden.size());
    CHECK(same(const_byte_span(buf).first(n), golden));

    auto d = decode_system_message(cspan(golden));
    REQUIRE(d.ok());
    CHECK(d.value.type == system_message_add_request);
    CHECK(d.value.from_uid == 10001);
    CHECK(d.value.to_uid == 10002);
    CHECK(same(d.value.text, hello));
    CHECK_FALSE(d.value.has_trailer);

    // Every prefix that drops a separator of the first four fields is refused;
    // cuts inside the text give a shorter text.
    const std::size_t text_start = golden.size() - hello.size();
    for (std::size_t len = 0; len < text_start; ++len) {
        INFO("length " << len);
        CHECK_FALSE(decode_system_message(cspan(golden).first(len)).ok());
    }

    SECTION("a trailer after another separator round-trips") {
        auto trailer = bytes({0x00, 0x03, '1', '2', '3'});
        m.has_trailer = true;
        m.trailer = cspan(trailer);
        std::size_t t = encode_system_message(m, buf);
        REQUIRE(t == golden.size() + 1 + trailer.size());
        auto dt = decode_system_message(const_byte_span(buf).first(t));
        REQUIRE(dt.ok());
        CHECK(same(dt.value.text, hello));
        CHECK(dt.value.has_trailer);
        CHECK(same(dt.value.trailer, trailer));
    }
    SECTION("bad fields are refused") {
        auto bad = [](std::string_view s) { return decode_system_message(cspan(text(s))).why; };
        CHECK(bad("1\x1f"
                  "2\x1f"
                  "3\x1fx")
                  .code == decode_error::bad_value);
        CHECK(bad("0x\x1f"
                  "2\x1f"
                  "3\x1fx")
                  .offset == 1);
        CHECK(bad("01\x1f"
                  "02\x1f"
                  "3\x1fx")
                  .offset == 3);
        CHECK(bad("01\x1f"
                  "2\x1f"
                  "3")
                  .code == decode_error::truncated);
        CHECK(bad("01\x1f"
                  "2\x1f"
                  "9999999999\x1fx")
                  .code == decode_error::bad_value);
    }
    SECTION("encoder limits") {
        m.type = 100;
        CHECK(encode_system_message(m, buf) == 0);
        m.type = 1;
        auto sep = bytes({'a', 0x1F, 'b'});
        m.text = cspan(sep);
        CHECK(encode_system_message(m, buf) == 0);
    }
}

TEST_CASE("system message ack 0x0012: code 1E uid 1E sequence", "[qq_system]") {
    system_message m{system_message_being_added, 10001, 10002, {}, false, {}};
    auto ack = make_system_message_ack(m, 0x1234);
    CHECK(ack.code == '0');  // pidgin sends code[0] of "01"
    std::array<std::byte, 32> buf{};
    std::size_t n = encode_system_message_ack(ack, buf);
    auto golden = bytes({'0', 0x1E, '1', '0', '0', '0', '1', 0x1E, 0x12, 0x34});
    REQUIRE(n == golden.size());
    CHECK(same(const_byte_span(buf).first(n), golden));
    auto d = decode_system_message_ack(cspan(golden));
    REQUIRE(d.ok());
    CHECK(d.value.code == '0');
    CHECK(d.value.from_uid == 10001);
    CHECK(d.value.sequence == 0x1234);
    for (std::size_t len = 0; len < n; ++len) {
        INFO("length " << len);
        CHECK_FALSE(decode_system_message_ack(cspan(golden).first(len)).ok());
    }
    golden.push_back(std::byte{0});
    CHECK(decode_system_message_ack(cspan(golden)).why.code == decode_error::bad_length);

    // A sequence made of separator bytes still decodes.
    REQUIRE(encode_system_message_ack({'4', 7, 0x1E1E}, buf) == 6);
    auto s = decode_system_message_ack(const_byte_span(buf).first(6));
    REQUIRE(s.ok());
    CHECK(s.value.sequence == 0x1E1E);
    CHECK(s.value.from_uid == 7);
    CHECK(make_system_message_ack({41, 1, 2, {}, false, {}}, 0).code == '4');

    CHECK(decode_system_message_ack(cspan(bytes({'0', 0x1F, '1', 0x1E, 0, 0}))).why.offset == 1);
    CHECK(decode_system_message_ack(cspan(bytes({'0', 0x1E, '1', 'x', 0, 0}))).why.offset == 3);
    CHECK(decode_system_message_ack(cspan(bytes({'0', 0x1E, 0x1E, 0, 0}))).why.code == decode_error::bad_value);
}

// ---------------------------------------------------------------- logout

TEST_CASE("logout: the password key, sent four times with sequence 0xFFFF", "[qq_logout]") {
    CHECK(logout_repeat_count == 4);
    CHECK(logout_sequence == 0xFFFF);
    logout_body body;
    for (std::size_t i = 0; i < 16; ++i) body.password_key[i] = std::byte(0x90 + i);
    std::array<std::byte, 17> buf{};
    REQUIRE(encode_logout(body, buf) == 16);
    CHECK(same(const_byte_span(buf).first(16), body.password_key));
    auto d = decode_logout(const_byte_span(buf).first(16));
    REQUIRE(d.ok());
    CHECK(d.value.password_key == body.password_key);
    for (std::size_t len = 0; len < 16; ++len) {
        CHECK(decode_logout(const_byte_span(buf).first(len)).why.code == decode_error::truncated);
    }
    CHECK(decode_logout(buf).why.code == decode_error::bad_length);
    CHECK(encode_logout(body, byte_span(buf).first(15)) == 0);
}
