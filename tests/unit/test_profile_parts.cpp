// The profile loader's small parts: durations, scalars, lcore lists, field
// paths and the did-you-mean suggestion.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "control/profile/did_you_mean.hpp"
#include "control/profile/duration.hpp"
#include "control/profile/field_path.hpp"
#include "control/profile/lcore_list.hpp"
#include "control/profile/profile_error.hpp"
#include "control/profile/scalars.hpp"

using namespace qqgen::control;

TEST_CASE("durations need a unit and add up", "[profile][duration]") {
    CHECK(parse_duration_ms("250ms") == 250u);
    CHECK(parse_duration_ms("2s") == 2000u);
    CHECK(parse_duration_ms("1.5s") == 1500u);
    CHECK(parse_duration_ms("5m") == 300'000u);
    CHECK(parse_duration_ms("2h") == 7'200'000u);
    CHECK(parse_duration_ms("1d") == 86'400'000u);
    CHECK(parse_duration_ms("1h30m") == 5'400'000u);
    CHECK(parse_duration_ms("0") == 0u);
    CHECK(parse_duration_ms("0s") == 0u);
    CHECK(parse_duration_ms(" 3s ") == 3000u);
    // A bare number is ambiguous (the dataplane CLI counts ms): refused.
    CHECK_FALSE(parse_duration_ms("500"));
    CHECK_FALSE(parse_duration_ms("-1s"));
    CHECK_FALSE(parse_duration_ms("1.5ms"));  // finer than 1 ms
    CHECK_FALSE(parse_duration_ms("s"));
    CHECK_FALSE(parse_duration_ms("2 s"));
    CHECK_FALSE(parse_duration_ms("2sec"));
    CHECK_FALSE(parse_duration_ms(""));
    CHECK_FALSE(parse_duration_ms("99999999999999999999h"));
    CHECK(format_duration_ms(0) == "0s");
    CHECK(format_duration_ms(250) == "250ms");
    CHECK(format_duration_ms(90'000) == "90s");
    CHECK(format_duration_ms(3'600'000) == "1h");
}

TEST_CASE("scalars are read strictly", "[profile][scalars]") {
    CHECK(parse_unsigned("42") == 42u);
    CHECK(parse_unsigned("0x0D55") == 0x0D55u);
    CHECK(parse_unsigned("1_000_000") == 1'000'000u);
    CHECK(parse_unsigned("18446744073709551615") == 18446744073709551615ull);
    CHECK_FALSE(parse_unsigned("18446744073709551616"));
    CHECK_FALSE(parse_unsigned("-1"));
    CHECK_FALSE(parse_unsigned("1e3"));
    CHECK_FALSE(parse_unsigned("1__0"));
    CHECK_FALSE(parse_unsigned("_1"));
    CHECK_FALSE(parse_unsigned(""));
    CHECK(parse_number("20") == 20.0);
    CHECK(parse_number("2.5") == 2.5);
    CHECK(parse_number("-1") == -1.0);
    CHECK_FALSE(parse_number("abc"));
    CHECK_FALSE(parse_number("nan"));
    CHECK(parse_bool("true") == true);
    CHECK(parse_bool("No") == false);
    CHECK(parse_bool("on") == true);
    CHECK_FALSE(parse_bool("1"));
}

TEST_CASE("sizes: bytes, or a number and an SI or binary unit", "[profile][scalars]") {
    CHECK(parse_size_bytes("1200") == 1200u);
    CHECK(parse_size_bytes("1_200") == 1200u);
    CHECK(parse_size_bytes("64B") == 64u);
    CHECK(parse_size_bytes("20KB") == 20'000u);
    CHECK(parse_size_bytes("1.5KB") == 1500u);
    CHECK(parse_size_bytes("1MB") == 1'000'000u);
    CHECK(parse_size_bytes("256KiB") == 262'144u);
    CHECK(parse_size_bytes("4MiB") == 4'194'304u);
    CHECK(parse_size_bytes("0.5KiB") == 512u);
    CHECK_FALSE(parse_size_bytes("20kb"));    // kb reads as kilobits
    CHECK_FALSE(parse_size_bytes("20 KB"));
    CHECK_FALSE(parse_size_bytes("-1KB"));
    CHECK_FALSE(parse_size_bytes("1.0005KB"));  // not whole bytes
    CHECK_FALSE(parse_size_bytes("KB"));
    CHECK_FALSE(parse_size_bytes("20K"));
    CHECK_FALSE(parse_size_bytes(""));
}

TEST_CASE("lcore lists count distinct lcores", "[profile][lcores]") {
    CHECK(count_lcores("0-1") == 2u);
    CHECK(count_lcores("0,2-3") == 3u);
    CHECK(count_lcores("0-3,2") == 4u);
    CHECK(count_lcores("5") == 1u);
    CHECK_FALSE(count_lcores(""));
    CHECK_FALSE(count_lcores("3-1"));
    CHECK_FALSE(count_lcores("0-"));
    CHECK_FALSE(count_lcores("a"));
    CHECK_FALSE(count_lcores("0,,1"));
    CHECK_FALSE(count_lcores("0-5000"));
}

TEST_CASE("field paths split and join", "[profile][path]") {
    const auto a = split_field_path("login.servers[1].address");
    REQUIRE(a);
    REQUIRE(a->size() == 4);
    CHECK((*a)[0].key == "login");
    CHECK((*a)[2].index == 1u);
    CHECK(join_field_path(*a, 4) == "login.servers[1].address");
    const auto b = split_field_path("login.servers.1.address");
    REQUIRE(b);
    CHECK(join_field_path(*b, b->size()) == "login.servers[1].address");
    CHECK_FALSE(split_field_path(""));
    CHECK_FALSE(split_field_path("a..b"));
    CHECK_FALSE(split_field_path("a."));
    CHECK_FALSE(split_field_path("[0]"));
    CHECK_FALSE(split_field_path("a[x]"));
    CHECK_FALSE(split_field_path("a[1"));
}

TEST_CASE("did you mean: the closest name when it is a typo, else the choices", "[profile][suggest]") {
    const std::vector<std::string> keys{"concurrent", "total", "qq_numbers", "client_version", "dialect"};
    CHECK(edit_distance("concurent", "concurrent") == 1);
    CHECK(edit_distance("dialcet", "dialect") == 1);  // a transposition is one edit
    CHECK(edit_distance("Client-Version", "client_version") == 0);
    CHECK(did_you_mean("concurent", keys) == "; did you mean 'concurrent'?");
    CHECK(did_you_mean("qq-numbers", keys) == "; did you mean 'qq_numbers'?");
    CHECK(did_you_mean("zzzzzz", keys) == "; expected one of: concurrent, total, qq_numbers, client_version, dialect");
    CHECK(did_you_mean("x", {}).empty());
}

TEST_CASE("a profile error reads file:line:col: path: message", "[profile]") {
    CHECK(profile_error{"a.yaml", 4, 3, "phases.steady.duration", "bad"}.to_string() ==
          "a.yaml:4:3: phases.steady.duration: bad");
    CHECK(profile_error{"a.yaml", 0, 0, "", "no such profile"}.to_string() == "a.yaml: no such profile");
    CHECK(profile_error{"--set users.x=1", 0, 0, "users.x", "unknown"}.to_string() ==
          "--set users.x=1: users.x: unknown");
}
