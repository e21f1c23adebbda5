// QQ TCP framing: known bytes, the single-frame decoder, and the reassembler
// fed every way of cutting a stream into segments.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <vector>

#include "protocols/counter_rng.hpp"
#include "protocols/qq_tcp_framing.hpp"

using namespace qqgen::proto;

namespace {

using bytes_t = std::vector<std::byte>;

bytes_t bytes(std::initializer_list<unsigned> v) {
    bytes_t out;
    for (unsigned b : v) out.push_back(std::byte(b));
    return out;
}

// A stream of frames of various sizes: the packets and the concatenated frames.
struct stream {
    std::vector<bytes_t> packets;
    bytes_t wire;
};

stream make_stream(counter_rng& rng, std::size_t max_frame, int count) {
    stream s;
    for (int i = 0; i < count; ++i) {
        std::size_t body;
        switch (i % 4) {
        case 0: body = 0; break;                                         // smallest server frame
        case 1: body = max_frame - tcp_length_size - 12; break;          // exactly capacity
        default: body = rng.below(static_cast<std::uint32_t>(max_frame / 3)); break;
        }
        bytes_t b(body);
        rng.fill(b);
        bytes_t frame(tcp_length_size + min_client_packet + body);
        std::size_t n;
        if (i % 4 == 0) {
            n = encode_tcp_server_frame(frame, {qq_version::pidgin_2_4, qq_command::keep_alive, std::uint16_t(i)}, b);
        } else {
            n = encode_tcp_client_frame(
                frame, {qq_version::pidgin_2_4, qq_command::send_message, std::uint16_t(i), 424242}, b);
        }
        REQUIRE(n != 0);
        frame.resize(n);
        s.packets.emplace_back(frame.begin() + tcp_length_size, frame.end());
        s.wire.insert(s.wire.end(), frame.begin(), frame.end());
    }
    return s;
}

// Feeds `wire` cut at the given ascending points; returns the packets seen.
template <std::size_t Cap>
std::vector<bytes_t> feed_cut(tcp_reassembler<Cap>& r, const bytes_t& wire, const std::vector<std::size_t>& cuts) {
    std::vector<bytes_t> seen;
    std::size_t from = 0;
    std::uint32_t frames = 0;
    auto take = [&](const_byte_span p) { seen.emplace_back(p.begin(), p.end()); };
    for (std::size_t i = 0; i <= cuts.size(); ++i) {
        const std::size_t to = i < cuts.size() ? cuts[i] : wire.size();
        const auto res = r.feed(const_byte_span{wire}.subspan(from, to - from), take);
        REQUIRE(res.ok());
        frames += res.frames;
        from = to;
    }
    CHECK(frames == seen.size());
    CHECK(r.buffered() == 0);
    return seen;
}

}  // namespace

TEST_CASE("tcp frame known bytes: length counts the whole frame", "[qq_tcp]") {
    const client_header h{qq_version::pidgin_2_4, qq_command::request_login_token, 0xA1B2, 0x01020304};
    bytes_t out(64);
    const std::size_t n = encode_tcp_client_frame(out, h, bytes({0x00}));
    REQUIRE(n == 15);
    out.resize(n);
    CHECK(out ==
          bytes({0x00, 0x0F, 0x02, 0x0D, 0x55, 0x00, 0x62, 0xA1, 0xB2, 0x01, 0x02, 0x03, 0x04, 0x00, 0x03}));

    bytes_t copy(64);
    REQUIRE(encode_tcp_frame(copy, const_byte_span{out}.subspan(2)) == 15);
    copy.resize(15);
    CHECK(copy == out);

    // In place: packet built at offset 2, then the length written in front.
    bytes_t frame(64);
    const std::size_t p = encode_client_packet(byte_span{frame}.subspan(tcp_length_size), h, bytes({0x00}));
    REQUIRE(frame_tcp_packet(frame, p) == 15);
    frame.resize(15);
    CHECK(frame == out);

    const server_header sh{qq_version::pidgin_2_4, qq_command::request_login_token, 0xA1B2};
    bytes_t sout(16);
    REQUIRE(encode_tcp_server_frame(sout, sh, {}) == 10);
    sout.resize(10);
    CHECK(sout == bytes({0x00, 0x0A, 0x02, 0x0D, 0x55, 0x00, 0x62, 0xA1, 0xB2, 0x03}));
}

TEST_CASE("tcp frame encoders refuse a short output", "[qq_tcp]") {
    const bytes_t pkt(20, std::byte{1});
    bytes_t out(40);
    for (std::size_t cap = 0; cap < 22; ++cap) {
        CHECK(encode_tcp_frame(byte_span{out}.first(cap), pkt) == 0);
        CHECK(frame_tcp_packet(byte_span{out}.first(cap), 20) == 0);
    }
    CHECK(encode_tcp_frame(byte_span{out}.first(22), pkt) == 22);
    CHECK(frame_tcp_packet(out, max_tcp_frame) == 0);  // length field cannot say 0xFFFF + 2
    const client_header h{};
    for (std::size_t cap = 0; cap < 14; ++cap) CHECK(encode_tcp_client_frame(byte_span{out}.first(cap), h, {}) == 0);
}

TEST_CASE("decode_tcp_frame", "[qq_tcp]") {
    bytes_t out(32);
    const server_header sh{qq_version::pidgin_2_4, qq_command::keep_alive, 5};
    const std::size_t n = encode_tcp_server_frame(out, sh, bytes({9, 8, 7}));
    REQUIRE(n == 13);
    out.resize(n + 4);  // trailing bytes of the next frame
    const auto d = decode_tcp_frame(out);
    REQUIRE(d.ok());
    CHECK(d.value.frame_size == 13);
    CHECK(d.value.packet.size() == 11);
    CHECK(d.value.packet.data() == out.data() + 2);
    const auto pkt = decode_server_packet(d.value.packet);
    REQUIRE(pkt.ok());
    CHECK(pkt.value.header == sh);

    for (std::size_t len = 0; len < 13; ++len) {
        INFO("prefix " << len);
        const auto t = decode_tcp_frame(const_byte_span{out}.first(len));
        CHECK(t.why.code == decode_error::truncated);
        CHECK(t.why.offset == len);
    }
    for (unsigned bad_len = 0; bad_len < min_tcp_frame; ++bad_len) {
        bytes_t b(20);
        store_be16(b.data(), static_cast<std::uint16_t>(bad_len));
        const auto t = decode_tcp_frame(b);
        CHECK(t.why.code == decode_error::bad_length);
        CHECK(t.why.offset == 0);
    }
}

TEST_CASE("reassembler yields exactly the frames for every split", "[qq_tcp]") {
    counter_rng rng(31, 0);
    constexpr std::size_t cap = 512;
    const stream s = make_stream(rng, cap, 9);
    auto r = std::make_unique<tcp_reassembler<cap>>();

    SECTION("all coalesced") { CHECK(feed_cut(*r, s.wire, {}) == s.packets); }
    SECTION("1-byte segments") {
        std::vector<std::size_t> cuts;
        for (std::size_t i = 1; i < s.wire.size(); ++i) cuts.push_back(i);
        CHECK(feed_cut(*r, s.wire, cuts) == s.packets);
    }
    SECTION("every single cut point") {
        for (std::size_t c = 0; c <= s.wire.size(); ++c) {
            INFO("cut at " << c);
            r->reset();
            CHECK(feed_cut(*r, s.wire, {c}) == s.packets);
        }
    }
    SECTION("every pair of cut points in the first 80 bytes") {
        for (std::size_t a = 0; a < 80; ++a)
            for (std::size_t b = a; b < 80; ++b) {
                r->reset();
                CHECK(feed_cut(*r, s.wire, {a, b}) == s.packets);
            }
    }
    SECTION("random cut points") {
        for (int trial = 0; trial < 300; ++trial) {
            std::vector<std::size_t> cuts;
            const std::uint32_t k = rng.below(40);
            for (std::uint32_t i = 0; i < k; ++i) cuts.push_back(rng.below(static_cast<std::uint32_t>(s.wire.size())));
            std::sort(cuts.begin(), cuts.end());
            r->reset();
            CHECK(feed_cut(*r, s.wire, cuts) == s.packets);
        }
    }
    SECTION("stream continues across calls without reset") {
        CHECK(feed_cut(*r, s.wire, {5, 300}) == s.packets);
        CHECK(feed_cut(*r, s.wire, {1}) == s.packets);
    }
}

TEST_CASE("reassembler hands out whole frames without copying", "[qq_tcp]") {
    counter_rng rng(32, 0);
    const stream s = make_stream(rng, 256, 4);
    tcp_reassembler<256> r;
    int views = 0;
    const auto res = r.feed(s.wire, [&](const_byte_span p) {
        views += (p.data() >= s.wire.data() && p.data() + p.size() <= s.wire.data() + s.wire.size()) ? 1 : 0;
    });
    CHECK(res.frames == 4);
    CHECK(views == 4);
}

TEST_CASE("reassembler refuses bad lengths and stays failed until reset", "[qq_tcp]") {
    counter_rng rng(33, 0);
    const stream good = make_stream(rng, 64, 3);
    tcp_reassembler<64> r;
    int frames = 0;
    auto count = [&](const_byte_span) { ++frames; };

    SECTION("length below the minimum") {
        bytes_t wire = good.wire;
        wire.push_back(std::byte{0x00});
        wire.push_back(std::byte{0x09});
        wire.insert(wire.end(), 20, std::byte{0x02});
        const auto res = r.feed(wire, count);
        CHECK(res.frames == 3);  // frames before the bad one are delivered
        CHECK(res.why.code == decode_error::bad_length);
        CHECK(res.why.offset == good.wire.size());
        CHECK(r.failed());
        const auto again = r.feed(good.wire, count);
        CHECK(again.frames == 0);
        CHECK(again.why.code == decode_error::bad_length);
        CHECK(frames == 3);
        r.reset();
        CHECK_FALSE(r.failed());
        CHECK(r.feed(good.wire, count).frames == 3);
    }
    SECTION("length above capacity, split across segments") {
        bytes_t wire = good.wire;
        wire.push_back(std::byte{0x00});
        wire.push_back(std::byte{65});
        wire.insert(wire.end(), 70, std::byte{0x02});
        const std::size_t cut = good.wire.size() + 1;  // between the two length bytes
        const auto first = r.feed(const_byte_span{wire}.first(cut), count);
        CHECK(first.ok());
        CHECK(first.frames == 3);
        CHECK(r.buffered() == 1);
        const auto second = r.feed(const_byte_span{wire}.subspan(cut), count);
        CHECK(second.why.code == decode_error::too_long);
        CHECK(second.why.offset == good.wire.size());
        CHECK(r.failure().code == decode_error::too_long);
    }
    SECTION("exactly capacity is accepted, one more is not") {
        bytes_t wire(64, std::byte{0x02});
        store_be16(wire.data(), 64);
        CHECK(r.feed(wire, count).frames == 1);
        wire.push_back(std::byte{0x02});
        store_be16(wire.data(), 65);
        CHECK(r.feed(wire, count).why.code == decode_error::too_long);
    }
    SECTION("every length below the minimum") {
        for (unsigned len = 0; len < min_tcp_frame; ++len) {
            r.reset();
            bytes_t wire(16, std::byte{0x02});
            store_be16(wire.data(), static_cast<std::uint16_t>(len));
            CHECK(r.feed(wire, count).why.code == decode_error::bad_length);
        }
    }
}

TEST_CASE("reassembler: empty segments and partial state", "[qq_tcp]") {
    tcp_reassembler<> r;
    STATIC_REQUIRE(tcp_reassembler<>::capacity == 4096);
    int frames = 0;
    auto count = [&](const_byte_span) { ++frames; };
    CHECK(r.feed({}, count).frames == 0);
    const bytes_t f = bytes({0x00, 0x0A, 0x02, 0x0D, 0x55, 0x00, 0x02, 0x00, 0x01, 0x03});
    CHECK(r.feed(const_byte_span{f}.first(1), count).frames == 0);
    CHECK(r.feed({}, count).frames == 0);
    CHECK(r.buffered() == 1);
    CHECK(r.feed(const_byte_span{f}.subspan(1, 5), count).frames == 0);
    CHECK(r.buffered() == 6);
    CHECK(r.feed(const_byte_span{f}.subspan(6), count).frames == 1);
    CHECK(r.buffered() == 0);
    CHECK(frames == 1);
}
