// YAML profiles into run_profiles: the shipped profiles load, the profile's
// totals become per-worker settings, --set overrides apply, and every broken
// profile of tests/data/profiles/bad is refused with the message its first
// lines expect (file:line:column, field path, what was expected and found).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "control/profile/profile_loader.hpp"

using namespace qqgen::control;
namespace fs = std::filesystem;

namespace {

const fs::path configs_dir = fs::path(QQGEN_TESTDATA) / ".." / ".." / "configs";
const fs::path bad_dir = fs::path(QQGEN_TESTDATA) / "profiles" / "bad";

std::string all_messages(const std::vector<profile_error>& errors) {
    std::string s;
    for (const profile_error& e : errors) s += e.to_string() + "\n";
    return s;
}

// Parses `yaml` (as t.yaml) and requires it to load.
run_profile loads(const std::string& yaml, const std::vector<std::string>& set = {},
                  std::optional<unsigned> workers = {}) {
    auto r = parse_profile(yaml, "t.yaml", set, workers);
    if (auto* e = std::get_if<std::vector<profile_error>>(&r)) FAIL(all_messages(*e));
    return std::get<run_profile>(r);
}

// Parses `yaml` and requires it to be refused; returns the errors.
std::vector<profile_error> refused(const std::string& yaml, const std::vector<std::string>& set = {}) {
    auto r = parse_profile(yaml, "t.yaml", set);
    REQUIRE(std::holds_alternative<std::vector<profile_error>>(r));
    return std::get<std::vector<profile_error>>(r);
}

// The .yaml files of `dir`, sorted.
std::vector<fs::path> yaml_files(const fs::path& dir) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".yaml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("every shipped profile loads", "[profile]") {
    const std::vector<fs::path> files = yaml_files(configs_dir);
    REQUIRE(files.size() >= 4);
    for (const fs::path& f : files) {
        INFO(f);
        auto r = load_profile(f.string());
        if (auto* e = std::get_if<std::vector<profile_error>>(&r)) FAIL(all_messages(*e));
        const run_profile& p = std::get<run_profile>(r);
        CHECK(p.name == f.stem().string());
        CHECK(p.load.validate_for_workers(p.workers).empty());
        CHECK(!p.applied_yaml.empty());
    }
}

TEST_CASE("quickstart is the README's main job", "[profile]") {
    auto r = load_profile((configs_dir / "quickstart.yaml").string());
    REQUIRE(std::holds_alternative<run_profile>(r));
    const run_profile& p = std::get<run_profile>(r);
    CHECK(p.workers == 1);
    CHECK(p.load.users == 100000);
    CHECK(p.load.total_sessions == 100000);
    CHECK(p.load.new_user_rate == 5000);
    CHECK(p.load.keepalive_interval_ms == 1000);
    CHECK(p.load.message_delay_min_ms == 100);
    CHECK(p.load.message_delay_max_ms == 500);
    CHECK(p.eal_args == std::vector<std::string>{"-l", "0-1", "--in-memory", "--no-pci"});
    CHECK(p.dataplane_args[0] == "--topology");
    CHECK(p.dataplane_args[1] == "wire");
}

TEST_CASE("an empty map is a profile of defaults", "[profile]") {
    const run_profile p = loads("{}\n");
    const qqgen::engine::load_settings defaults;
    CHECK(p.name == "t");
    CHECK(p.workers == 1);
    CHECK(p.load.users == 100);
    CHECK(p.load.total_sessions == 0);
    CHECK(p.load.redirect_ppm == defaults.redirect_ppm);
    CHECK(p.load.client_address_base == defaults.client_address_base);
    CHECK(p.load.charset_weights == defaults.charset_weights);
    CHECK(p.load.font_weights == defaults.font_weights);
    CHECK(p.ramp_up_s == 1.0);
    CHECK(p.steady_s == 0.0);
    CHECK(p.stats_interval_s == 1.0);
    CHECK_FALSE(p.capture);
    CHECK_FALSE(p.keylog);
    CHECK(p.eal_args == std::vector<std::string>{"-l", "0-1", "--in-memory", "--no-pci"});
    CHECK(p.dataplane_args == std::vector<std::string>{"--topology", "wire", "--mbufs-per-worker", "16383",
                                                       "--wire-ring-size", "1024", "--stop-grace", "2",
                                                       "--link-timeout", "5"});
}

TEST_CASE("totals are divided among the workers, rounding up", "[profile]") {
    const run_profile p = loads(R"(
dataplane: {lcores: "0-2"}
users: {concurrent: 1000, total: 5001, qq_numbers: {first: 500000}}
phases:
  ramp_up: {duration: 1.5s}
  steady: {duration: 20s, new_users_per_second: 5001, concurrent_users: 801}
  ramp_down: {duration: 2s}
login: {redirect_percent: 20}
)");
    CHECK(p.workers == 2);
    CHECK(p.load.users == 500);
    CHECK(p.load.total_sessions == 2501);
    CHECK(p.load.qq_number_base == 500000);
    CHECK(p.load.new_user_rate == 2501);
    CHECK(p.load.concurrent_target == 401);
    CHECK(p.load.ramp_ms == 1500);
    CHECK(p.load.steady_ms == 20000);
    CHECK(p.load.ramp_down_ms == 2000);
    CHECK(p.load.redirect_ppm == 200000);
    CHECK(p.ramp_up_s == 1.5);
    CHECK(p.steady_s == 20.0);
    CHECK(p.ramp_down_s == 2.0);
    CHECK(p.eal_args[1] == "0-2");
}

TEST_CASE("a running dataplane's worker count replaces the profile's", "[profile]") {
    const run_profile p = loads("users: {concurrent: 1000}\n", {}, 4u);
    CHECK(p.workers == 4);
    CHECK(p.load.users == 250);
    auto r = parse_profile("users: {concurrent: 1000}\n", "t.yaml", {}, 0u);
    REQUIRE(std::holds_alternative<std::vector<profile_error>>(r));
}

TEST_CASE("behaviour, addresses and outputs map onto the settings", "[profile]") {
    const run_profile p = loads(R"(
seed: 0x1234
users: {client_version: 0x0E1B, dialect: classic}
network:
  client: {first_address: 10.1.0.1, addresses: 4, first_port: 20000, ports_per_address: 1000, vlan: 10,
           mac: "02:aa:00:00:00:01", gateway: 10.1.255.254, interface: 10.1.255.1}
  server: {vlan: 20, mac: "02:aa:00:00:00:02", next_hop: "02:bb:00:00:00:02", gateway: 10.2.255.254}
  dns_server: 10.2.0.53
login:
  port: 8001
  redirect_percent: 12.5
  servers: [{name: a.example, address: 10.2.1.1}, {name: b.example, address: 10.2.1.2}, {name: c.example, address: 10.2.1.3}]
sync: {buddies_per_user: 3, friend_page_size: 2}
chat:
  chats_per_user: 1
  messages_per_chat: 9
  message_delay: 750ms
  charsets: {big5: 1, UTF8: 3}
  fonts: {songti: 2, yahei: 3, "新细明体": 4, tahoma: 5}
keepalive: {interval: 30s, count: 3}
resend: {timeout: 4s, jitter: 0s, tries: 2}
capture: {enabled: true, file: out/run.pcap, sample: 7, direction: both}
keylog: yes
report: {interval: 250ms}
)");
    const auto& s = p.load;
    CHECK(s.seed == 0x1234);
    CHECK(s.client_version == 0x0E1B);
    CHECK(s.dialect == qqgen::proto::dialect::classic);
    CHECK(s.client_address_base.to_string() == "10.1.0.1");
    CHECK(s.client_address_count == 4);
    CHECK(s.client_port_base == 20000);
    CHECK(s.client_ports_per_address == 1000);
    CHECK(s.vlan_id == std::array<std::uint16_t, 2>{10, 20});
    CHECK(s.local_mac[0].to_string() == "02:aa:00:00:00:01");
    CHECK(s.local_mac[1].to_string() == "02:aa:00:00:00:02");
    // A gateway without next_hop: resolve it (zero MAC), as --client-gateway does.
    CHECK(s.next_hop_mac[0] == qqgen::proto::mac_address{});
    CHECK(s.next_hop_mac[1].to_string() == "02:bb:00:00:00:02");
    CHECK(s.gateway_ip[0].to_string() == "10.1.255.254");
    CHECK(s.interface_ip[0].to_string() == "10.1.255.1");
    CHECK(s.gateway_ip[1].to_string() == "10.2.255.254");
    CHECK(s.dns_server.to_string() == "10.2.0.53");
    CHECK(s.login_server_port == 8001);
    CHECK(s.redirect_ppm == 125000);
    CHECK(s.login_server_count == 3);
    CHECK(s.login_server_name(2) == "c.example");
    CHECK(s.login_servers[2].to_string() == "10.2.1.3");
    CHECK(s.buddies_per_user == 3);
    CHECK(s.friend_page_size == 2);
    CHECK(s.messages_per_chat == 9);
    CHECK(s.message_delay_min_ms == 750);
    CHECK(s.message_delay_max_ms == 750);
    CHECK(s.charset_weights == std::array<std::uint16_t, 4>{0, 0, 1, 3});
    CHECK(s.font_weights == std::array<std::uint16_t, 6>{2, 3, 0, 0, 4, 5});
    CHECK(s.keepalive_interval_ms == 30000);
    CHECK(s.keepalive_count == 3);
    CHECK(s.resend_timeout_ms == 4000);
    CHECK(s.resend_jitter_ms == 0);
    CHECK(s.resend_tries == 2);
    CHECK(s.keylog == 1);
    CHECK(p.keylog);
    CHECK(p.capture);
    CHECK(p.capture_file == "out/run.pcap");
    CHECK(p.stats_interval_s == 0.25);
    const auto& a = p.dataplane_args;
    const auto after = [&](const std::string& opt) {
        auto it = std::find(a.begin(), a.end(), opt);
        return it == a.end() || it + 1 == a.end() ? std::string("<none>") : *(it + 1);
    };
    CHECK(after("--capture") == "out/run.pcap");
    CHECK(after("--capture-sample") == "7");
    CHECK(after("--capture-direction") == "both");
    CHECK(after("--keylog") == "keylog.txt");
}

TEST_CASE("message sizes: one size, a range, or weighted classes", "[profile]") {
    using size_class = qqgen::engine::load_settings::message_size_class;
    using classes = std::array<size_class, qqgen::engine::message_size_class_count>;
    CHECK(loads("{}").load.message_sizes == classes{});  // one corpus line per message
    CHECK(loads("chat: {message_size: 120}").load.message_sizes == classes{size_class{120, 120, 1}});
    CHECK(loads("chat: {message_size: {min: 1, max: 200}}").load.message_sizes == classes{size_class{1, 200, 1}});
    CHECK(loads("chat:\n  message_size:\n    - {min: 1, max: 40, weight: 70}\n    - {min: 200, max: 800, weight: 0}\n"
                "    - {min: 41, max: 199, weight: 30}\n")
              .load.message_sizes == classes{size_class{1, 40, 70}, size_class{200, 800, 0}, size_class{41, 199, 30}});
    CHECK(loads("{}", {"chat.message_size=64"}).load.message_sizes == classes{size_class{64, 64, 1}});
    CHECK(all_messages(refused("chat: {message_size: [{min: 1, max: 9, weight: 0}]}"))
              .find("chat.message_size: every weight is 0") != std::string::npos);
    CHECK(all_messages(refused("chat: {message_size: {max: 9}}")).find("chat.message_size.min: required") !=
          std::string::npos);
    CHECK(all_messages(refused("chat: {message_size: [7]}")).find("chat.message_size[0]: expected {min: BYTES") !=
          std::string::npos);
}

TEST_CASE("transport: the TCP share, port, MSS and closer", "[profile]") {
    const auto defaults = loads("{}").load;
    CHECK(defaults.tcp_share_ppm == 0);
    CHECK(defaults.tcp_server_port == 8000);
    const auto s = loads("transport: {tcp_percent: 12.5, tcp_port: 443, tcp_mss: 1200, tcp_closer: server}").load;
    CHECK(s.tcp_share_ppm == 125000);
    CHECK(s.tcp_server_port == 443);
    CHECK(s.tcp_mss == 1200);
    CHECK(s.tcp_closer == qqgen::engine::tcp_closer_server);
    CHECK(all_messages(refused("transport: {tcp_mss: 100}")).find("transport.tcp_mss: expected an integer 536..1460") !=
          std::string::npos);
    CHECK(all_messages(refused("transport: {tcp_closer: both}")).find("transport.tcp_closer: expected client or server") !=
          std::string::npos);
    // The engine's cross-field check, mapped back to the profile field.
    CHECK(all_messages(refused("transport: {tcp_percent: 50, tcp_port: 10001}"))
              .find("t.yaml:1:40: transport.tcp_port: the session engine refuses the per-worker settings (1 worker): "
                    "transport.tcp_port 10001 is inside the client port range") != std::string::npos);
}

TEST_CASE("IPv6 profiles get RFC 5180 defaults", "[profile]") {
    const run_profile p = loads("network: {ip_version: 6}\n");
    CHECK(p.load.ip_version == 6);
    CHECK(p.load.client_address_base.to_string() == "2001:2:0:1::1");
    CHECK(p.load.dns_server.to_string() == "2001:2:0:2::53");
    CHECK(p.load.login_servers[1].to_string() == "2001:2:0:2::1:2");
}

TEST_CASE("the ports topology and EAL arguments", "[profile]") {
    const run_profile p = loads(R"(
dataplane:
  lcores: "0,2,4"
  eal: ["--no-huge", "-m", "512"]
  vdevs: ["net_af_packet0,iface=a", "net_af_packet1,iface=b"]
  topology: ports
  client_port: net_af_packet0
  server_port: net_af_packet1
  stop_grace: 250ms
)");
    CHECK(p.workers == 2);
    CHECK(p.eal_args == std::vector<std::string>{"-l", "0,2,4", "--no-huge", "-m", "512", "--vdev",
                                                 "net_af_packet0,iface=a", "--vdev", "net_af_packet1,iface=b"});
    CHECK(p.dataplane_args == std::vector<std::string>{"--topology", "ports", "--client-port", "net_af_packet0",
                                                       "--server-port", "net_af_packet1", "--mbufs-per-worker", "16383",
                                                       "--wire-ring-size", "1024", "--stop-grace", "0.25",
                                                       "--link-timeout", "5"});
}

TEST_CASE("--set overrides fields, lists and whole sections", "[profile][set]") {
    const std::string base =
        "users: {concurrent: 1000}\nchat:\n  message_delay: {min: 1s, max: 2s}\n"
        "login:\n  servers: [{name: a.example, address: 198.19.1.1}]\ncapture:\n";
    const run_profile p = loads(base, {"users.concurrent=5000", "login.servers[0].address=198.19.9.9",
                                       "chat.message_delay={min: 10ms, max: 20ms}", "capture.enabled=true",
                                       "phases.steady.new_users_per_second=777", "keepalive.count=0"});
    CHECK(p.load.users == 5000);
    CHECK(p.load.login_servers[0].to_string() == "198.19.9.9");
    CHECK(p.load.message_delay_min_ms == 10);
    CHECK(p.load.message_delay_max_ms == 20);
    CHECK(p.capture);
    CHECK(p.load.new_user_rate == 777);
    CHECK(p.load.keepalive_count == 0);
    // The applied profile is what ran: loading it again gives the same load.
    const run_profile again = loads(p.applied_yaml);
    CHECK(again.load.users == 5000);
    CHECK(again.load.message_delay_min_ms == 10);
    CHECK(again.capture);
    // The later override wins; an empty value restores the default.
    CHECK(loads(base, {"users.concurrent=7", "users.concurrent=9"}).load.users == 9);
    CHECK(loads(base, {"users.concurrent="}).load.users == 100);
    CHECK(loads(base, {"login.servers.0.name=b.example"}).load.login_server_name(0) == "b.example");
}

TEST_CASE("--set errors name the override", "[profile][set]") {
    const std::string base = "users: {concurrent: 1000}\n";
    {
        const auto e = refused(base, {"users.concurent=5"});
        REQUIRE(e.size() == 1);
        CHECK(e[0].to_string() ==
              "--set users.concurent=5: users.concurent: unknown field 'concurent'; did you mean 'concurrent'?");
    }
    {
        const auto e = refused(base, {"captur.enabled=true"});
        REQUIRE(e.size() == 1);
        CHECK(e[0].file == "--set captur.enabled=true");
        CHECK(e[0].message.find("did you mean 'capture'?") != std::string::npos);
    }
    {
        const auto e = refused(base, {"users.concurrent=lots"});
        REQUIRE(e.size() == 1);
        CHECK(e[0].to_string() ==
              "--set users.concurrent=lots: users.concurrent: expected an integer 1..4294967295, found 'lots'");
    }
    CHECK(refused(base, {"users.concurrent"})[0].message.find("expected PATH=VALUE") != std::string::npos);
    CHECK(refused(base, {"users..x=1"})[0].message.find("is not a field path") != std::string::npos);
    CHECK(refused(base, {"users.concurrent=[1"})[0].message.find("not valid YAML") != std::string::npos);
    CHECK(refused(base, {"users.concurrent.x=1"})[0].message.find("not a map") != std::string::npos);
    CHECK(refused(base, {"login.servers[3].name=x"})[0].to_string().find("--set login.servers[3].name=x") == 0);
    // Errors of the file keep their position next to those of the overrides.
    const auto both = refused("users: {concurrent: 0}\n", {"seed=-1"});
    REQUIRE(both.size() == 2);
    CHECK(both[0].to_string().find("t.yaml:1:21: users.concurrent: expected an integer 1..") == 0);
    CHECK(both[1].file == "--set seed=-1");
}

TEST_CASE("every error is reported, in file order", "[profile]") {
    const auto e = refused("users:\n  concurrent: -5\n  dialekt: modern\nsync: {friend_page_size: 99}\nbogus: 1\n");
    REQUIRE(e.size() == 4);
    CHECK(e[0].line == 2);
    CHECK(e[0].path == "users.concurrent");
    CHECK(e[1].path == "users.dialekt");
    CHECK(e[1].message.find("did you mean 'dialect'?") != std::string::npos);
    CHECK(e[2].path == "sync.friend_page_size");
    CHECK(e[2].message == "expected an integer 1..30, found '99'");
    CHECK(e[3].path == "bogus");
}

TEST_CASE("a missing file, a directory and an empty file are refused clearly", "[profile]") {
    auto r = load_profile("/nonexistent/profile.yaml");
    REQUIRE(std::holds_alternative<std::vector<profile_error>>(r));
    CHECK(
        std::get<1>(r)[0].to_string() ==
        "/nonexistent/profile.yaml: no such profile (the shipped ones are in configs/, e.g. configs/quickstart.yaml)");
    r = load_profile(configs_dir.string());
    REQUIRE(std::holds_alternative<std::vector<profile_error>>(r));
    CHECK(std::get<1>(r)[0].message.find("directory") != std::string::npos);
    CHECK(refused("")[0].message.find("empty") != std::string::npos);
    CHECK(refused("# only a comment\n")[0].message.find("empty") != std::string::npos);
}

TEST_CASE("the engine's own check is reported at the profile field", "[profile]") {
    // 53 inside the client port range: only load_settings::validate knows.
    const auto e = refused("network:\n  client: {first_port: 50, ports_per_address: 100}\n");
    REQUIRE(e.size() == 1);
    CHECK(e[0].path == "network.client.first_port");
    CHECK(e[0].line == 2);
    CHECK(e[0].message.find("port 53") != std::string::npos);
    // Two servers with one name: at the second server's name.
    const auto d = refused(
        "login:\n  servers:\n    - {name: a.example, address: 198.19.1.1}\n"
        "    - {name: a.example, address: 198.19.1.2}\n");
    REQUIRE(d.size() == 1);
    CHECK(d[0].path == "login.servers[1].name");
    CHECK(d[0].line == 4);
}

// The corpus: each file's leading "# expect: TEXT" lines must each appear in
// the messages (as file:line:col: path: message, the file named by its base
// name); "# set: PATH=VALUE" lines are --set overrides to apply.
TEST_CASE("every broken profile is refused with the expected message", "[profile][corpus]") {
    const std::vector<fs::path> files = yaml_files(bad_dir);
    REQUIRE(files.size() >= 15);
    for (const fs::path& f : files) {
        INFO(f.filename());
        const std::string text = read_file(f);
        std::vector<std::string> expect, set;
        std::istringstream lines(text);
        for (std::string line; std::getline(lines, line) && line.starts_with("#");) {
            if (line.starts_with("# expect: ")) expect.push_back(line.substr(10));
            if (line.starts_with("# set: ")) set.push_back(line.substr(7));
        }
        REQUIRE_FALSE(expect.empty());
        auto r = parse_profile(text, f.filename().string(), set);
        REQUIRE(std::holds_alternative<std::vector<profile_error>>(r));
        const std::string got = all_messages(std::get<1>(r));
        INFO(got);
        for (const std::string& x : expect) CHECK(got.find(x) != std::string::npos);
    }
}

TEST_CASE("report: intervals, the DUT's description and the verdict's thresholds", "[profile]") {
    const auto defaults = loads("{}");
    CHECK(defaults.sample_interval_s == 1.0);
    CHECK(defaults.dut.empty());
    CHECK_FALSE(defaults.thresholds.max_failed_percent);
    CHECK_FALSE(defaults.thresholds.max_drift_percent);
    const auto p = loads(
        "report:\n"
        "  sample_interval: 500ms\n"
        "  dut: \"vendor X firewall, firmware 1.2\"\n"
        "  thresholds: {max_failed_percent: 0.5, max_lost_percent: 0.01, max_drops: 0, max_login_p99: 2s,\n"
        "               max_dns_p99: 100ms, max_drift_percent: 5}\n");
    CHECK(p.sample_interval_s == 0.5);
    CHECK(p.dut == "vendor X firewall, firmware 1.2");
    CHECK(p.thresholds.max_failed_percent == 0.5);
    CHECK(p.thresholds.max_lost_percent == 0.01);
    CHECK(p.thresholds.max_drops == 0u);
    CHECK(p.thresholds.max_p99_us[0] == 100'000u);    // DNS
    CHECK(p.thresholds.max_p99_us[1] == 2'000'000u);  // login
    CHECK_FALSE(p.thresholds.max_p99_us[2]);
    CHECK(p.thresholds.max_drift_percent == 5.0);
    CHECK(all_messages(refused("report: {sample_interval: 10ms}")).find("report.sample_interval: expected a duration") !=
          std::string::npos);
    CHECK(all_messages(refused("report: {thresholds: {max_failed_percent: 120}}"))
              .find("report.thresholds.max_failed_percent") != std::string::npos);
    CHECK(all_messages(refused("report: {thresholds: {max_login_p99: 5}}")).find("a unit is required") !=
          std::string::npos);
    CHECK(all_messages(refused("report: {thresholds: {max_loss_percent: 1}}")).find("did you mean 'max_lost_percent'") !=
          std::string::npos);
}

// --- applications: the blended mix (issue 8) -------------------------------------

namespace {

const std::string full_mix = R"(
dataplane: {lcores: "0-2"}
users: {concurrent: 1000, total: 5001}
phases:
  steady: {new_users_per_second: 1001}
applications:
  qq_udp: 60
  qq_tcp: {weight: 10}
  slots: 301
  client_ports: {first: 61000, count: 4000}
  tcp: {rto: 500ms, mss: 1400, window_segments: 8, tries: 4}
  dns:        {weight: 10, lookups: 4, think: 250ms, server: 198.19.2.53, port: 53,
               names: [www.sina.com.cn, {name: www.163.com, weight: 2}]}
  http:       {weight: 10, requests: 3, think: 500ms, server: 198.19.2.80, port: 8080,
               pages: [{host: news.sina.com.cn, path: /china/index.shtml, size: 20KB, charset: utf-8, weight: 1},
                       {host: www.163.com, path: /news/, size: 60KB, charset: gbk}]}
  tls:        {weight: 5, exchanges: 2, request_size: 400, think: 1s, server: 198.19.2.43, port: 443,
               servers: [{sni: www.baidu.com, response_size: 8KiB, weight: 3}, www.qq.com]}
  udp_stream: {weight: 3, datagrams: 100, size: 1200, interval: 10ms, server: 198.19.2.1, port: 5001}
  tcp_stream: {weight: 2, transfers: 1, request_size: 64, size: 256KiB, think: 0ms, server: 198.19.2.2, port: 5002}
)";

}  // namespace

TEST_CASE("applications: weights become per-worker rates and totals that add up", "[profile][apps]") {
    using qqgen::engine::app_kind;
    const run_profile p = loads(full_mix);
    const auto& s = p.load;
    const auto& m = s.apps;
    REQUIRE(p.workers == 2);
    // 1001/s over 2 workers = 501 per worker, of which QQ 70/100 and each companion its weight;
    // largest-remainder rounding: 350.7 + 50.1 + 50.1 + 25.05 + 15.03 + 10.02.
    CHECK(s.new_user_rate == 351);
    CHECK(m[app_kind::dns].session_rate == 50);
    CHECK(m[app_kind::http].session_rate == 50);
    CHECK(m[app_kind::tls].session_rate == 25);
    CHECK(m[app_kind::udp_stream].session_rate == 15);
    CHECK(m[app_kind::tcp_stream].session_rate == 10);
    std::uint64_t rate = s.new_user_rate, total = s.total_sessions;
    for (const auto& a : m.apps) {
        rate += a.session_rate;
        total += a.total_sessions;
    }
    CHECK(rate == 501);
    CHECK(total == 2501);  // 5001 over 2 workers, rounded up
    CHECK(s.total_sessions == 1751);
    CHECK(m[app_kind::dns].total_sessions == 250);
    CHECK(m[app_kind::tls].total_sessions == 125);
    CHECK(m[app_kind::tcp_stream].total_sessions == 50);
    CHECK(s.tcp_share_ppm == 142857);  // 10 / (60 + 10)
    CHECK(p.qq_weight.udp == 60);
    CHECK(p.qq_weight.tcp == 10);
    CHECK(m[app_kind::http].weight == 10);
    CHECK(m.slots == 151);
    CHECK(m.client_port_base == 61000);
    CHECK(m.client_ports_per_address == 4000);
    CHECK(m.rto_ms == 500);
    CHECK(m.tcp_mss == 1400);
    CHECK(m.window_segments == 8);
    CHECK(m.tries == 4);

    const auto& dns = m[app_kind::dns];
    CHECK(dns.transactions == 4);
    CHECK(dns.think_ms == 250);
    CHECK(dns.server.to_string() == "198.19.2.53");
    CHECK(dns.server_port == 53);
    REQUIRE(dns.variant_count == 2);
    CHECK(dns.variants[0].name_view() == "www.sina.com.cn");
    CHECK(dns.variants[0].weight == 1);
    CHECK(dns.variants[1].name_view() == "www.163.com");
    CHECK(dns.variants[1].weight == 2);
    const auto& http = m[app_kind::http];
    CHECK(http.server_port == 8080);
    REQUIRE(http.variant_count == 2);
    CHECK(http.variants[0].name_view() == "news.sina.com.cn");
    CHECK(http.variants[0].path_view() == "/china/index.shtml");
    CHECK(http.variants[0].response_bytes == 20'000);
    CHECK(http.variants[0].charset == 3);  // utf-8
    CHECK(http.variants[1].path_view() == "/news/");
    CHECK(http.variants[1].response_bytes == 60'000);
    CHECK(http.variants[1].charset == 0);  // gbk
    CHECK(http.variants[1].weight == 1);
    const auto& tls = m[app_kind::tls];
    CHECK(tls.transactions == 2);
    CHECK(tls.request_bytes == 400);
    CHECK(tls.think_ms == 1000);
    REQUIRE(tls.variant_count == 2);
    CHECK(tls.variants[0].response_bytes == 8192);
    CHECK(tls.variants[0].weight == 3);
    CHECK(tls.variants[1].name_view() == "www.qq.com");
    CHECK(tls.variants[1].response_bytes == 8000);  // the default
    const auto& udp = m[app_kind::udp_stream];
    CHECK(udp.transactions == 100);
    CHECK(udp.request_bytes == 1200);
    CHECK(udp.think_ms == 10);
    CHECK(udp.server_port == 5001);
    const auto& tcp = m[app_kind::tcp_stream];
    CHECK(tcp.request_bytes == 64);
    CHECK(tcp.variants[0].response_bytes == 262'144);
    CHECK(tcp.think_ms == 0);
    CHECK(s.validate_for_workers(p.workers).empty());
}

TEST_CASE("applications: absent is QQ only; off, bare weights, defaults and rounding", "[profile][apps]") {
    using qqgen::engine::app_kind;
    const run_profile none = loads("users: {total: 10}\n");
    CHECK_FALSE(none.load.apps.any_enabled());
    CHECK(none.load.apps.slots == 0);
    CHECK(none.load.total_sessions == 10);
    CHECK(none.load.new_user_rate == 1000);
    CHECK_FALSE(none.qq_weight.given);
    // Bare weights take each application's defaults; absent and 0 are off.
    const run_profile p = loads("users: {total: 10, concurrent: 5}\nphases: {steady: {new_users_per_second: 2}}\n"
                                "transport: {tcp_percent: 25}\n"
                                "applications: {qq_udp: 1, dns: 1, http: 1, tls: 0}\n");
    const auto& m = p.load.apps;
    CHECK(p.load.tcp_share_ppm == 250000);  // qq_tcp absent: transport.tcp_percent splits QQ
    CHECK(p.load.total_sessions == 4);      // 10 / 3: 3.33 each, the tie to QQ
    CHECK(m[app_kind::dns].total_sessions == 3);
    CHECK(m[app_kind::http].total_sessions == 3);
    // 2/s among three: each weighted application starts at least one per second.
    CHECK(p.load.new_user_rate == 1);
    CHECK(m[app_kind::dns].session_rate == 1);
    CHECK(m[app_kind::http].session_rate == 1);
    CHECK_FALSE(m[app_kind::tls].enabled());
    CHECK(m[app_kind::tls].server == qqgen::proto::ip_address{});  // off: nothing of it kept
    CHECK_FALSE(m[app_kind::tcp_stream].enabled());
    const auto dflt = qqgen::engine::default_app_spec(app_kind::http, false);
    CHECK(m[app_kind::http].server == dflt.server);
    CHECK(m[app_kind::http].variants[0].name_view() == "news.sina.com.cn");
    CHECK(m.slots == 16);  // derived: QQ's 5 slots, at least 16
    // Derived slots follow QQ's per worker, at most half the companion endpoints.
    CHECK(loads("users: {concurrent: 3000}\napplications: {qq_udp: 9, dns: 1}\n").load.apps.slots == 3000);
    CHECK(loads("users: {concurrent: 3000}\nnetwork: {client: {addresses: 1}}\napplications: {qq_udp: 9, dns: 1}\n")
              .load.apps.slots == 2767);
    // IPv6 profiles get IPv6 servers.
    const run_profile v6 = loads("network: {ip_version: 6}\napplications: {qq_udp: 1, udp_stream: 1}\n");
    CHECK(v6.load.apps[app_kind::udp_stream].server.to_string() == "2001:2:0:2::2:1");
    CHECK(all_messages(refused("network: {ip_version: 6}\napplications: {qq_udp: 1, udp_stream: {weight: 1, size: 1440}}\n"))
              .find("applications.udp_stream.size: expected a size in bytes 16..1428") != std::string::npos);
}

TEST_CASE("applications: a new mix of weights applies live with new rates", "[profile][apps]") {
    using qqgen::engine::app_kind;
    const run_profile before = loads(full_mix);
    std::string changed = full_mix;
    changed.replace(changed.find("qq_udp: 60"), 10, "qq_udp: 30");
    changed.replace(changed.find("qq_tcp: {weight: 10}"), 20, "qq_tcp: {weight: 5}");
    changed.replace(changed.find("weight: 10, lookups"), 10, "weight: 40");
    changed.replace(changed.find("think: 250ms"), 12, "think: 100ms");
    const run_profile after = loads(changed);
    CHECK(before.load.live_change_refusal(after.load).empty());
    // Weights now 35 + 40 + 10 + 5 + 3 + 2 = 95: QQ 501 x 35/95 = 184.58, DNS 210.95; the four
    // largest remainders (DNS, udp_stream, http, QQ) get the 4 left over.
    CHECK(after.load.new_user_rate == 185);
    CHECK(after.load.apps[app_kind::dns].session_rate == 211);
    CHECK(after.load.apps[app_kind::dns].think_ms == 100);
    CHECK(after.load.apps.slots == before.load.apps.slots);
    CHECK(after.load.tcp_share_ppm == before.load.tcp_share_ppm);
    // Turning an application on or off is not live.
    std::string off = full_mix;
    off.replace(off.find("weight: 5, exchanges"), 9, "weight: 0");
    CHECK_FALSE(before.load.live_change_refusal(loads(off).load).empty());
}

TEST_CASE("applications: the engine's refusals are reported at the profile field", "[profile][apps]") {
    const auto at = [](const std::string& yaml) {
        const auto e = refused(yaml);
        REQUIRE(e.size() == 1);
        return e[0];
    };
    auto e = at("applications:\n  qq_udp: 1\n  dns: {weight: 1, server: 198.19.0.53}\n");
    CHECK(e.path == "applications.dns.server");
    CHECK(e.line == 3);
    CHECK(e.message == "the session engine refuses the per-worker settings (1 worker): applications.dns: server "
                       "equals network.dns_server (QQ's resolver); give it its own address");
    e = at("applications:\n  qq_udp: 1\n  dns: 1\n  tls: {weight: 1, server: 198.19.2.53}\n");
    CHECK(e.path == "applications.tls.server");
    CHECK(e.message.find("applications.tls: server repeats applications.dns's address") != std::string::npos);
    e = at("applications:\n  qq_udp: 1\n  http: {weight: 1, port: 60001}\n");
    CHECK(e.path == "applications.http.port");
    CHECK(e.message.find("applications.http: port 60001 is inside a client port range") != std::string::npos);
    e = at("applications:\n  qq_udp: 1\n  slots: 100\n  client_ports: {count: 5}\n  dns: 1\n"
           "network: {client: {addresses: 2}}\n");
    CHECK(e.path == "applications.slots");
    CHECK(e.message.find("network.client.addresses x applications.client_ports.count") != std::string::npos);
    e = at("applications:\n  qq_udp: 1\n  client_ports: {first: 65000, count: 1000}\n  dns: 1\n");
    CHECK(e.path == "applications.client_ports.first");
    CHECK(e.message.find("applications.client_ports.first + count - 1 must be a port range") != std::string::npos);
    // What the loader itself checks, at the field.
    CHECK(all_messages(refused("applications: {qq_udp: 1, dns: {names: [\"not a name\"]}}"))
              .find("applications.dns.names[0]: expected a DNS name") != std::string::npos);
    CHECK(all_messages(refused("applications: {qq_udp: 1, tls: {servers: [{sni: -a.cn}]}}"))
              .find("applications.tls.servers[0].sni: expected a DNS name") != std::string::npos);
    CHECK(all_messages(refused("applications: {qq_udp: 1, http: {pages: [{host: a.cn, path: news}]}}"))
              .find("applications.http.pages[0].path: expected a request path starting with '/'") != std::string::npos);
    CHECK(all_messages(refused("applications: {qq_udp: 1, http: {pages: [{path: /}]}}"))
              .find("applications.http.pages[0].host: required") != std::string::npos);
    CHECK(all_messages(refused("applications: {qq_udp: 1, dns: {names: [{name: a.cn, weight: 0}]}}"))
              .find("applications.dns.names: every weight is 0") != std::string::npos);
    CHECK(all_messages(refused("applications: {qq_udp: 1, tls: [1]}"))
              .find("applications.tls: expected a weight or a map") != std::string::npos);
}
