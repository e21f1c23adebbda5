// Message sizes from the profile (load_settings::message_sizes): the drawn
// sizes follow the classes' weights and ranges, the largest messages still
// fit one frame over IPv6 with VLAN tags and arrive intact, and a running
// engine refuses to change sizes live (the server half re-derives texts).
#include <catch2/catch.hpp>

#include <cstdint>

#include "dataplane/engine/chat_content.hpp"
#include "dataplane/engine/frame_writer.hpp"
#include "engine_test_support.hpp"

using namespace qqgen;
using namespace qqgen::test;

TEST_CASE("text sizes follow the classes' weights and ranges", "[engine][message_size]") {
    load_settings s = quick_settings();
    s.message_sizes[0] = {1, 40, 70};
    s.message_sizes[1] = {0, 0, 0};  // a class without weight is never drawn
    s.message_sizes[2] = {200, 300, 30};
    REQUIRE(s.validate().empty());
    const engine::chat_content content(s, texts());
    REQUIRE(content.error().empty());
    const engine::session_identity id(s, 0, 1);

    constexpr std::uint32_t samples = 20000;
    std::uint32_t small = 0, large = 0;
    for (std::uint32_t n = 0; n < samples; ++n) {
        const std::uint32_t slot = n % s.users, message = n / s.users;
        const std::size_t drawn = content.text_size(id, slot, 0, message);
        const std::size_t got = content.text(id, slot, 0, message).size();
        INFO("drawn " << drawn << ", got " << got);
        REQUIRE(((drawn >= 1 && drawn <= 40) || (drawn >= 200 && drawn <= 300)));
        // At most 3 bytes short (a character is never split); longer only
        // when 1 byte was asked and the first character has 2 or 4.
        CHECK(got <= (drawn < 4 ? 4 : drawn));
        CHECK(got + 3 >= drawn);
        (drawn <= 40 ? small : large) += 1;
    }
    CHECK(large == Approx(samples * 0.30).epsilon(0.05));
    CHECK(small + large == samples);
}

TEST_CASE("without message sizes a message is one corpus line", "[engine][message_size]") {
    const load_settings s = quick_settings();
    const engine::chat_content content(s, texts());
    const engine::session_identity id(s, 0, 1);
    for (std::uint32_t slot = 0; slot < s.users; ++slot) {
        const auto& lines = texts().by_charset[content.charset_of(id, slot, 0)];
        const proto::const_byte_span text = content.text(id, slot, 0, 0);
        bool is_a_line = false;
        for (std::size_t i = 0; i < lines.size() && !is_a_line; ++i)
            is_a_line = lines.line(i).data() == text.data() && lines.line(i).size() == text.size();
        CHECK(is_a_line);
    }
}

TEST_CASE("the largest messages fit one frame over IPv6 with VLAN tags and arrive intact", "[engine][message_size]") {
    load_settings s = quick_ipv6_settings(8);
    s.vlan_id = {100, 100};
    s.message_sizes[0] = {engine::max_message_text_size, engine::max_message_text_size, 1};
    s.font_weights = {0, 1, 0, 0, 0, 0};  // 微软雅黑: the longest GB font name
    REQUIRE(s.validate().empty());

    memory_frame_io io(roomy_wire());
    std::size_t largest = 0;
    std::uint64_t bad = 0;
    io.set_wire_hook([&](port_role, std::span<std::byte> f) {
        largest = std::max(largest, f.size());
        if (!proto::parse_frame(f)) ++bad;
        return wire_verdict::deliver;
    });
    engine_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 30'000'000'000));
    settle(e, io);
    const auto& c = e.counters();
    CHECK(c.users.completed == 8);
    CHECK(c.encode_failures == 0);
    CHECK(bad == 0);
    CHECK(c.messages.sent == 8 * 4);
    CHECK(c.messages.delivered == c.messages.relayed);
    CHECK(c.messages.corrupt == 0);
    CHECK(c.server.corrupt == 0);
    CHECK(c.messages.text_bytes <= c.messages.sent * engine::max_message_text_size);
    CHECK(c.messages.text_bytes + 3 * c.messages.sent >= c.messages.sent * engine::max_message_text_size);
    CHECK(largest > 800);
    CHECK(largest <= engine::max_frame_size);
}

TEST_CASE("message sizes are checked and cannot change live", "[engine][message_size]") {
    load_settings s = quick_settings();
    load_settings next = s;
    next.message_sizes[0] = {10, 20, 1};
    CHECK(next.validate().empty());
    CHECK(s.live_change_refusal(next).rfind("message_sizes", 0) == 0);

    next.message_sizes[0] = {30, 20, 1};
    CHECK(next.validate().find("message_sizes[0]") != std::string::npos);
    next.message_sizes[0] = {0, 20, 1};
    CHECK(!next.validate().empty());
    next.message_sizes[0] = {1, engine::max_message_text_size + 1, 1};
    CHECK(!next.validate().empty());
    next.message_sizes[0] = {30, 20, 0};  // no weight: not used, not checked
    CHECK(next.validate().empty());
}
