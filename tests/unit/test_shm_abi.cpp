// The shared-memory ABI header: layout, names, checksum, command words and
// the seqlock, in one process (test_shm_segment.cpp covers the segment files).
#include <catch2/catch.hpp>

#include <array>
#include <cstring>
#include <string>

#include "dataplane/shm/shm_abi.hpp"

using namespace qqgen::shm;

TEST_CASE("layout: every part starts on its own cache line", "[shm]") {
    for (std::uint32_t workers : {1u, 2u, 7u, 64u, max_workers}) {
        const segment_layout l = layout_for(workers);
        INFO(workers);
        CHECK(l.header_size == sizeof(shm_header));
        for (std::uint64_t off :
             {l.profile_offset, l.commands_offset, l.stats_offset, l.command_stride, l.stats_stride, l.total_size})
            CHECK(off % cache_line == 0);
        CHECK(l.commands_offset == l.profile_offset + l.profile_size);
        CHECK(l.stats_offset == l.commands_offset + workers * l.command_stride);
        CHECK(l.total_size == l.stats_offset + workers * l.stats_stride);
    }
    // Each seqlock block holds its whole payload after the sequence word.
    CHECK(sizeof(stats_block) >= 8 + sizeof(shm_worker_stats));
    CHECK(sizeof(profile_slot) >= 8 + sizeof(profile_record));
    CHECK(sizeof(status_block) >= 8 + sizeof(shm_status));
}

TEST_CASE("instance names", "[shm]") {
    for (std::string_view ok : {"a", "Z9", "lab_1-a", "abcdefghijklmnopqrstuvwxyz012345"}) {
        INFO(ok);
        CHECK(valid_instance_name(ok));
        CHECK(instance_name_problem(ok).empty());
    }
    for (std::string_view bad : {"", "a/b", "a.b", "ä", "a b", "abcdefghijklmnopqrstuvwxyz0123456"}) {
        INFO(bad);
        CHECK_FALSE(valid_instance_name(bad));
        CHECK(instance_name_problem(bad).find("1 to 32 characters") != std::string::npos);
    }
    CHECK(segment_name("lab") == "/qqgen.lab");
    CHECK(segment_path("lab") == "/dev/shm/qqgen.lab");
}

TEST_CASE("FNV-1a 64 known answers", "[shm]") {
    // Test vectors from the FNV reference (draft-eastlake-fnv, appendix C).
    const auto fnv = [](std::string_view s) { return fnv1a64(std::as_bytes(std::span{s.data(), s.size()})); };
    CHECK(fnv("") == 0xcbf29ce484222325ull);
    CHECK(fnv("a") == 0xaf63dc4c8601ec8cull);
    CHECK(fnv("foobar") == 0x85944171f73967e8ull);
}

TEST_CASE("text fields are cut and NUL-terminated", "[shm]") {
    std::array<char, 8> f{};
    set_field_text(f, "abc");
    CHECK(field_text(f) == "abc");
    set_field_text(f, "0123456789");
    CHECK(field_text(f) == "0123456");
    CHECK(f[7] == '\0');
    f.fill('x');  // no NUL at all (a hostile writer): the view stops at the end
    CHECK(field_text(f).size() == 8);
}

TEST_CASE("command words", "[shm]") {
    CHECK(decode_command(0).what == command::none);
    const worker_command c = decode_command(encode_command(command::stop_now, 41));
    CHECK(c.what == command::stop_now);
    CHECK(c.sequence == 41);
    CHECK(decode_command(encode_command(command::stop, 1) | 0x7F).what == command::none);  // unknown value
}

TEST_CASE("seqlock: a copy is whole, an odd sequence is torn", "[shm]") {
    seqlock_block<shm_status> b{};
    shm_status in;
    in.state = dataplane_state::running;
    in.changed_unix_ns = 12345;
    set_field_text(in.message, "all good");
    seqlock_write(b, in);
    CHECK(b.sequence == 2);

    shm_status out;
    REQUIRE(seqlock_read(b, out, 1));
    CHECK(std::memcmp(&in, &out, sizeof in) == 0);

    b.sequence = 3;  // a writer died mid-copy
    CHECK_FALSE(seqlock_read(b, out, 16));
    // The next writer moves past it to a new even sequence.
    seqlock_write(b, in);
    CHECK(b.sequence == 6);
    CHECK(seqlock_read(b, out, 1));
}

TEST_CASE("profile checksum covers everything but itself", "[shm]") {
    std::array<std::uint64_t, profile_slot::payload_words> r{};
    r[0] = 7;
    const std::uint64_t c = profile_checksum(r);
    r[profile_checksum_word] = 0xFFFF;
    CHECK(profile_checksum(r) == c);
    r.back() ^= 1;
    CHECK(profile_checksum(r) != c);
}
