// load_settings: a plain struct with defaults that validate, and validate()
// naming the field of every error.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <type_traits>

#include "dataplane/engine/load_settings.hpp"

using qqgen::engine::load_settings;

static_assert(std::is_trivially_copyable_v<load_settings>, "copied out of shared memory with memcpy");

namespace {
// validate() of the defaults changed by `edit` must mention `field`.
template <class Edit>
void refused_naming(const char* field, Edit edit) {
    load_settings s;
    edit(s);
    const std::string why = s.validate();
    INFO("field " << field << ": " << why);
    CHECK_FALSE(why.empty());
    CHECK(why.find(field) != std::string::npos);
}
}  // namespace

TEST_CASE("the defaults validate and describe a quick run", "[settings]") {
    const load_settings s;
    CHECK(s.validate().empty());
    CHECK(s.validate_for_workers(1).empty());
    CHECK(s.client_port_base > 8000);
    CHECK(s.login_server_port == 8000);
    CHECK(s.login_server_name(0) == "sz.tencent.com");
    CHECK(s.login_server_name(1) == "sz2.tencent.com");
    CHECK(s.resend_tries == 5);
    CHECK(s.resend_timeout_ms >= 3000);
    CHECK(s.resend_timeout_ms <= 5000);
    CHECK(s.keepalive_interval_ms == 60000);
    CHECK(s.requests_per_session() < qqgen::engine::max_requests_per_session);
}

TEST_CASE("a copy through raw bytes is the same settings", "[settings]") {
    load_settings a;
    a.users = 1234;
    REQUIRE(qqgen::engine::set_login_server_name(a, 2, "sz3.tencent.com"));
    unsigned char raw[sizeof(load_settings)];
    std::memcpy(raw, &a, sizeof a);
    load_settings b;
    std::memcpy(static_cast<void*>(&b), raw, sizeof b);
    CHECK(b.users == 1234);
    CHECK(b.login_server_name(2) == "sz3.tencent.com");
    CHECK(b.validate().empty());
}

TEST_CASE("validate names the field at fault", "[settings]") {
    refused_naming("users", [](load_settings& s) { s.users = 0; });
    refused_naming("ip_version", [](load_settings& s) { s.ip_version = 5; });
    refused_naming("vlan_id", [](load_settings& s) { s.vlan_id[1] = 5000; });
    refused_naming("client_address_base", [](load_settings& s) { s.ip_version = 6; });
    refused_naming("client_address_count", [](load_settings& s) { s.client_address_count = 0; });
    refused_naming("client_ports_per_address", [](load_settings& s) { s.client_ports_per_address = 0; });
    refused_naming("client_port_base", [](load_settings& s) { s.client_port_base = 60000; });
    refused_naming("client_port_base", [](load_settings& s) { s.client_port_base = 7000; });  // holds 8000
    refused_naming("client endpoints", [](load_settings& s) {
        s.client_address_count = 1;
        s.client_ports_per_address = 50;
    });
    refused_naming("login_server_count", [](load_settings& s) { s.login_server_count = 9; });
    refused_naming("login_server_names[1]", [](load_settings& s) {
        qqgen::engine::set_login_server_name(s, 1, "bad..name");
    });
    refused_naming("login_server_names[1]", [](load_settings& s) {
        qqgen::engine::set_login_server_name(s, 1, "sz.tencent.com");
    });
    refused_naming("login_servers[1]", [](load_settings& s) { s.login_servers[1] = s.login_servers[0]; });
    refused_naming("redirect_ppm", [](load_settings& s) { s.redirect_ppm = 1'000'001; });
    refused_naming("local_mac[0]", [](load_settings& s) { s.local_mac[0] = {}; });
    refused_naming("next_hop_mac[1]", [](load_settings& s) { s.next_hop_mac[1].bytes[0] = std::byte{1}; });
    refused_naming("new_user_rate", [](load_settings& s) { s.new_user_rate = 0; });
    refused_naming("buddies_per_user", [](load_settings& s) { s.buddies_per_user = 300; });
    refused_naming("friend_page_size", [](load_settings& s) { s.friend_page_size = 0; });
    refused_naming("message_delay_min_ms", [](load_settings& s) { s.message_delay_min_ms = 5000; });
    refused_naming("charset_weights", [](load_settings& s) { s.charset_weights = {}; });
    refused_naming("keepalive_interval_ms", [](load_settings& s) { s.keepalive_interval_ms = 0; });
    refused_naming("resend_timeout_ms", [](load_settings& s) { s.resend_timeout_ms = 0; });
    refused_naming("resend_tries", [](load_settings& s) { s.resend_tries = 0; });
    refused_naming("keepalive_count", [](load_settings& s) { s.keepalive_count = 20000; });
}

TEST_CASE("validate_for_workers checks the shares of address and QQ ranges", "[settings]") {
    load_settings s;
    s.users = 1000;
    s.client_address_count = 1;
    s.client_ports_per_address = 4000;
    CHECK(s.validate_for_workers(4).empty());
    const std::string why = s.validate_for_workers(5);
    CHECK(why.find("per worker") != std::string::npos);
    s.qq_number_base = 0xFFFFF800u;
    CHECK(s.validate_for_workers(4).find("qq_number_base") != std::string::npos);
}

TEST_CASE("IPv6 settings validate when every address is IPv6", "[settings]") {
    load_settings s;
    s.ip_version = 6;
    s.client_address_base = *qqgen::proto::ip_address::parse("2001:db8:1::1");
    s.dns_server = *qqgen::proto::ip_address::parse("2001:db8:2::53");
    for (std::size_t i = 0; i < s.login_servers.size(); ++i) {
        auto a = *qqgen::proto::ip_address::parse("2001:db8:2::100");
        a.bytes[15] = std::byte(i + 1);
        s.login_servers[i] = a;
    }
    CHECK(s.validate().empty());
    s.dns_server = qqgen::proto::ipv4_address::from_u32(0x01020304);
    CHECK(s.validate().find("dns_server") != std::string::npos);
}
