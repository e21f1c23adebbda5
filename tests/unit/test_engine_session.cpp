// The session engine end to end over memory_frame_io: every stage completes,
// redirects, frame counts reconcile, every emitted frame parses with valid
// checksums, same seed gives the same frames, 1,000 users in bounded time.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "engine_test_support.hpp"

using namespace qqgen;
using namespace qqgen::test;
using engine::give_up_reason;

static_assert(engine::worker_engine<engine_t, memory_frame_io>);

namespace {

void require_all_stages_complete(const engine::engine_counters& c, std::uint64_t users) {
    const auto& s = c.stages;
    CHECK(c.users.started == users);
    CHECK(c.users.completed == users);
    CHECK(c.users.failed == 0);
    for (stage st : {stage::dns, stage::status, stage::friends, stage::online, stage::logout}) {
        INFO(to_string(st));
        CHECK(c[st].started == users);
        CHECK(c[st].completed == users);
        CHECK(c[st].gave_up_total() == 0);
    }
    // Token and login: once, twice for redirected users.
    CHECK(c[stage::token].completed == users + c.users.redirected);
    CHECK(c[stage::login].completed == users + c.users.redirected);
    CHECK(c[stage::redirect].started == c.users.redirected);
    CHECK(c[stage::redirect].completed == c.users.redirected);
    (void)s;
}

}  // namespace

TEST_CASE("every stage completes for a few users", "[engine]") {
    load_settings s = quick_settings(16);
    memory_frame_io io(roomy_wire());
    frame_check fc;
    io.set_wire_hook(checking_hook(fc));
    engine_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 30'000'000'000));
    settle(e, io);

    const auto& c = e.counters();
    require_all_stages_complete(c, 16);
    CHECK(c[stage::chat].started == 16 * 2);
    CHECK(c[stage::chat].completed == 16 * 2);
    CHECK(c[stage::keepalive].completed == 16 * 2);
    CHECK(c.messages.sent == 16 * 4);
    CHECK(c.messages.acked == 16 * 4);
    CHECK(c.messages.relayed + c.messages.offline == c.messages.sent);
    CHECK(c.messages.delivered == c.messages.relayed);
    CHECK(c.messages.acknowledged == c.messages.relayed);
    CHECK(c.messages.corrupt == 0);
    CHECK(c.messages.duplicate == 0);
    CHECK(c.messages.lost == 0);
    CHECK(c.server.corrupt == 0);
    CHECK(c.server.duplicate == 0);
    CHECK(c.server.missing == 0);
    CHECK(c.server.logins_ok == 16);
    CHECK(c.server.logouts == 16 * 4);
    CHECK(c.client_corrupt_replies == 0);
    CHECK(c.client_late_replies == 0);
    CHECK(c.dns_latency.count == 16);
    CHECK(c.login_latency.count == 16);
    CHECK(c.encode_failures == 0);
    CHECK(refused_but_neighbours(c, 0) == 0);
    CHECK(refused_but_neighbours(c, 1) == 0);
    // Every frame on the wire parsed, checksums included: UDP from the
    // halves, ARP announcements from the neighbour module.
    CHECK(fc.frames > 0);
    CHECK(fc.unparsable == 0);
    CHECK(fc.udp == c.frames_sent[0] + c.frames_sent[1]);
    CHECK(fc.udp + fc.arp == fc.frames);
    CHECK(e.active_users() == 0);
    CHECK(io.buffers_free() == io.buffers_total());
}

TEST_CASE("redirect probability 0 and 1 both complete", "[engine]") {
    for (std::uint32_t ppm : {0u, 1'000'000u}) {
        INFO("redirect_ppm " << ppm);
        load_settings s = quick_settings(12);
        s.redirect_ppm = ppm;
        memory_frame_io io(roomy_wire());
        engine_t e(s, 0, 1, texts());
        REQUIRE(run_until(e, io, [&] { return e.done(); }, 30'000'000'000));
        settle(e, io);
        const auto& c = e.counters();
        require_all_stages_complete(c, 12);
        CHECK(c.users.redirected == (ppm == 0 ? 0u : 12u));
        CHECK(c.server.redirects == c.users.redirected);
        CHECK(c.server.logins_ok == 12);
        CHECK(c.server.corrupt == 0);
    }
}

TEST_CASE("frames sent by one half are the frames the other receives", "[engine]") {
    load_settings s = quick_settings(24);
    memory_frame_io io(roomy_wire());
    engine_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 30'000'000'000));
    settle(e, io);
    const auto& c = e.counters();
    const auto client = engine::index_of(port_role::client);
    const auto server = engine::index_of(port_role::server);
    const std::uint64_t arp_from_client = neighbour_sent(e, port_role::client);
    const std::uint64_t arp_from_server = neighbour_sent(e, port_role::server);
    CHECK(c.frames_sent[client] > 0);
    CHECK(c.frames_sent[client] + arp_from_client == c.frames_received[server]);
    CHECK(c.frames_sent[server] + arp_from_server == c.frames_received[client]);
    // And the wire's own count agrees.
    CHECK(io.counters()[port_role::client].tx_frames == c.frames_sent[client] + arp_from_client);
    CHECK(io.counters()[port_role::server].tx_frames == c.frames_sent[server] + arp_from_server);
    // Requests and answers pair up: every client frame but the 4 logouts per
    // user and the pushes' acks is answered by one server frame, every push
    // is acknowledged by one client frame.
    const std::uint64_t pushes = c.messages.relayed + c.messages.relay_resends;
    CHECK(c.frames_sent[client] - 4 * 24 - pushes == c.frames_sent[server] - pushes);
}

TEST_CASE("the same seed gives the same frames; another seed does not", "[engine]") {
    auto run = [](std::uint64_t seed) {
        load_settings s = quick_settings(10);
        s.seed = seed;
        memory_frame_io io(roomy_wire());
        std::vector<std::uint64_t> hashes;
        io.set_wire_hook([&](port_role from, std::span<std::byte> f) {
            hashes.push_back(frame_hash(f) ^ static_cast<std::uint64_t>(from));
            return wire_verdict::deliver;
        });
        engine_t e(s, 0, 1, texts());
        REQUIRE(run_until(e, io, [&] { return e.done(); }, 30'000'000'000));
        settle(e, io);
        return hashes;
    };
    const auto a = run(7);
    const auto b = run(7);
    const auto c = run(8);
    REQUIRE(a.size() > 100);
    CHECK(a == b);
    CHECK(a != c);
}

TEST_CASE("1,000 users complete within a simulated time bound", "[engine]") {
    load_settings s = quick_settings(1000);
    s.new_user_rate = 10'000;  // all started within 0.1 s
    s.buddies_per_user = 9;
    s.friend_page_size = 5;
    memory_frame_io io(roomy_wire());
    frame_check fc;
    io.set_wire_hook(checking_hook(fc));
    engine_t e(s, 0, 1, texts());
    // Script: ~4 messages of 10..30 ms, 2 keep-alives of 200 ms: well under 2 s.
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 2'000'000'000));
    settle(e, io);
    const auto& c = e.counters();
    require_all_stages_complete(c, 1000);
    CHECK(c.messages.delivered == c.messages.relayed);
    CHECK(c.messages.lost == 0);
    CHECK(c.server.corrupt == 0);
    CHECK(fc.unparsable == 0);
    CHECK(e.active_users() == 0);
    CHECK(e.armed_timers() == 0);
    WARN("1,000 users: " << c.frames_sent[0] + c.frames_sent[1] << " frames, login p50 "
                         << c.login_latency.percentile(50) << " us, " << e.bytes_per_session()
                         << " bytes per session");
}

TEST_CASE("IPv6 with VLAN tags on both ports", "[engine]") {
    load_settings s = quick_ipv6_settings(8);
    s.vlan_id = {100, 200};
    memory_frame_io io(roomy_wire());
    std::uint64_t tagged = 0, frames = 0, bad = 0;
    // The "DUT" bridges VLAN 100 on the client side to VLAN 200 on the server side.
    io.set_wire_hook([&](port_role from, std::span<std::byte> f) {
        ++frames;
        const auto p = proto::parse_frame(f);
        if (!p || (p.value.ip_version != 6 && p.value.ethertype != proto::ethertype::ipv6)) ++bad;
        else if (p.value.vlan && p.value.vlan->id == (from == port_role::client ? 100 : 200)) ++tagged;
        proto::store_be16(f.data() + 14, from == port_role::client ? 200 : 100);  // the tag's TCI
        return wire_verdict::deliver;
    });
    engine_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 30'000'000'000));
    settle(e, io);
    require_all_stages_complete(e.counters(), 8);
    CHECK(bad == 0);
    CHECK(tagged == frames);
    CHECK(frames > e.counters().frames_sent[0] + e.counters().frames_sent[1]);  // and NDP announcements
}

TEST_CASE("modern dialect: the token exchange is in the 56-byte signature form", "[engine]") {
    for (auto dialect : {proto::dialect::modern, proto::dialect::classic}) {
        load_settings s = quick_settings(6);
        s.dialect = dialect;
        memory_frame_io io(roomy_wire());
        std::uint64_t token_frames = 0, signature = 0, other_qq = 0, other_signature = 0;
        io.set_wire_hook([&](port_role, std::span<std::byte> f) {
            const auto payload = udp_payload(f);
            const std::uint16_t cmd = qq_command_of(payload);
            if (cmd == 0) return wire_verdict::deliver;
            const bool sig = payload.size() == 56 && proto::ndpi42_qq_match(payload);
            if (cmd == 0x0062) {
                ++token_frames;
                signature += sig ? 1 : 0;
            } else {
                ++other_qq;
                other_signature += proto::ndpi42_qq_match(payload) ? 1 : 0;
            }
            return wire_verdict::deliver;
        });
        engine_t e(s, 0, 1, texts());
        REQUIRE(run_until(e, io, [&] { return e.done(); }, 30'000'000'000));
        settle(e, io);
        require_all_stages_complete(e.counters(), 6);
        CHECK(token_frames >= 12);
        CHECK(signature == (dialect == proto::dialect::modern ? token_frames : 0));
        CHECK(other_qq > 0);
    }
}

TEST_CASE("users cycle through slots: later users reuse them", "[engine]") {
    load_settings s = quick_settings(8);
    s.total_sessions = 40;  // five users per slot
    memory_frame_io io(roomy_wire());
    engine_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 60'000'000'000));
    settle(e, io);
    const auto& c = e.counters();
    require_all_stages_complete(c, 40);
    CHECK(c.server.corrupt == 0);
    CHECK(c.messages.corrupt == 0);
    for (std::uint32_t slot = 0; slot < 8; ++slot) CHECK(e.core().table[slot].incarnation == 4);
}

TEST_CASE("a wire delay shows in the latency histograms", "[engine]") {
    load_settings s = quick_settings(8);
    memory_wire_config w = roomy_wire();
    w.delay_ns = 2'000'000;  // 2 ms each way
    memory_frame_io io(w);
    engine_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 30'000'000'000));
    settle(e, io);
    const auto& c = e.counters();
    require_all_stages_complete(c, 8);
    CHECK(c.dns_latency.min_us >= 4000);
    CHECK(c.dns_latency.max_us < 5000);
    CHECK(c.login_latency.min_us >= 2 * 4000);  // token + login (twice when redirected)
    CHECK(c.delivery_latency.count == c.messages.delivered);
    CHECK(c.delivery_latency.min_us >= 4000);  // client -> server -> buddy
}

TEST_CASE("the key log has a password and a session key per login", "[engine]") {
    load_settings s = quick_settings(5);
    s.keylog = 1;
    memory_frame_io io(roomy_wire());
    engine_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 30'000'000'000));
    const std::string log(e.keys().pending());
    std::size_t lines = 0, password = 0, session = 0;
    for (std::size_t at = 0; at < log.size(); at = log.find('\n', at) + 1, ++lines) {
        const std::string line = log.substr(at, log.find('\n', at) - at);
        password += line.find(" password ") != std::string::npos ? 1 : 0;
        session += line.find(" session ") != std::string::npos ? 1 : 0;
    }
    CHECK(lines == 10);
    CHECK(password == 5);
    CHECK(session == 5);
    // The first user's session key, as the identity derives it.
    const auto& core = e.core();
    const std::uint32_t qq = core.identity.qq_number(0);
    const auto key = core.identity.session_key(0, 0);
    std::string hex;
    for (std::byte b : key.bytes) {
        static constexpr char d[] = "0123456789abcdef";
        hex += d[std::to_integer<unsigned>(b) >> 4];
        hex += d[std::to_integer<unsigned>(b) & 15];
    }
    CHECK(log.find(std::to_string(qq) + " session " + hex + "\n") != std::string::npos);
    e.keys().consume(log.size());
    CHECK(e.keys().pending().empty());
}

TEST_CASE("graceful stop logs out the logged-in users and abandons the others", "[engine]") {
    load_settings s = quick_settings(200);
    s.new_user_rate = 2000;  // 200 users over 100 ms
    s.keepalive_interval_ms = 60000;
    memory_wire_config w = roomy_wire();
    w.delay_ns = 5'000'000;
    memory_frame_io io(w);
    engine_t e(s, 0, 1, texts());
    // 60 ms in: the first users are logged in, the last not started or logging in.
    run_until(e, io, [] { return false; }, 60'000'000);
    const auto before = e.counters();
    REQUIRE(before.users.logged_in > 0);
    REQUIRE(before.users.started > before.users.logged_in);
    stop_gracefully(e, io, 100);
    settle(e, io);
    const auto& c = e.counters();
    CHECK(e.active_users() == 0);
    CHECK(c.users.started == before.users.started);  // nobody new
    CHECK(c.users.started == c.users.completed + c.users.failed + c.users.stopped);
    CHECK(c[stage::logout].completed == c.users.logged_in);
    const auto stopped = static_cast<std::size_t>(give_up_reason::stopped);
    std::uint64_t abandoned = 0;
    for (stage st : {stage::dns, stage::token, stage::login}) abandoned += c[st].gave_up[stopped];
    CHECK(abandoned == c.users.started - c.users.logged_in);
    CHECK(c.server.logouts == 4 * c.users.logged_in);
    CHECK(e.counters().users.failed == 0);
}

TEST_CASE("new users start at the pacer's rate, ramp included", "[engine]") {
    load_settings s = quick_settings(1000);
    s.new_user_rate = 1000;
    s.new_user_burst = 1;
    s.ramp_ms = 200;
    memory_frame_io io(roomy_wire());
    engine_t e(s, 0, 1, texts());
    run_until(e, io, [] { return false; }, 200'000'000, 1'000'000);  // 200 ms in 1-ms polls
    const std::uint64_t ramp = e.counters().users.started;
    CHECK(ramp >= 98);  // the ramp's triangle: 1000/s * 0.2 s / 2 = 100
    CHECK(ramp <= 101);
    run_until(e, io, [] { return false; }, 100'000'000, 1'000'000);  // 100 ms steady
    const std::uint64_t steady = e.counters().users.started - ramp;
    CHECK(steady >= 99);
    CHECK(steady <= 101);
}

TEST_CASE("the concurrency cap: never more users than slots", "[engine]") {
    load_settings s = quick_settings(10);
    s.total_sessions = 0;  // keep cycling
    s.new_user_rate = 1'000'000;
    memory_frame_io io(roomy_wire());
    engine_t e(s, 0, 1, texts());
    std::uint32_t most = 0;
    run_until(e, io, [&] {
        most = std::max(most, e.active_users());
        return e.counters().users.completed >= 50;
    }, 30'000'000'000);
    CHECK(most == 10);
    CHECK(e.counters().users.completed >= 50);
    CHECK_FALSE(e.done());  // total_sessions 0: never done
}

TEST_CASE("next hops configured as zero are resolved with ARP before users start", "[engine]") {
    load_settings s = quick_settings(6);
    s.next_hop_mac = {};  // both: the neighbour module asks (bridging default: the other port answers)
    memory_frame_io io(roomy_wire());
    std::uint64_t udp_to_wrong_mac = 0;
    io.set_wire_hook([&](port_role from, std::span<std::byte> f) {
        const auto p = proto::parse_frame(f);
        const auto& want = s.local_mac[engine::index_of(engine::peer_of(from))];
        if (p && p.value.protocol == proto::ip_protocol::udp && p.value.dst_mac != want) ++udp_to_wrong_mac;
        return wire_verdict::deliver;
    });
    engine_t e(s, 0, 1, texts());
    e.poll(io);
    CHECK(e.counters().users.started == 0);  // nobody before the next hops answer
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 30'000'000'000));
    settle(e, io);
    require_all_stages_complete(e.counters(), 6);
    CHECK(e.neighbours().counters(port_role::client).resolved == 1);
    CHECK(e.neighbours().counters(port_role::server).resolved == 1);
    CHECK(udp_to_wrong_mac == 0);
}

TEST_CASE("a graceful stop of thousands of online users paces their logouts to what the wire carries", "[engine]") {
    // Every user online at once (keep-alives a minute apart), then a stop: all
    // of them log out. Four logouts each would be 12,000 frames at once; the
    // wire holds 512 per direction, as a ring or a NIC queue holds a few
    // thousand: none may be refused, every logout reaches the server half.
    load_settings s = quick_settings(3000);
    s.new_user_rate = 30000;
    s.keepalive_interval_ms = 60000;
    s.chats_per_user = 0;
    memory_frame_io io(roomy_wire());
    engine_t e(s, 0, 1, texts());
    run_until(e, io, [&] { return e.counters().users.logged_in == 3000; }, 2'000'000'000);
    REQUIRE(e.active_users() == 3000);
    const auto refused_before = io.counters().port[0].tx_refused;
    stop_gracefully(e, io, 200'000, 2'000);
    settle(e, io);
    CHECK(io.counters().port[0].tx_refused == refused_before);
    CHECK(io.counters().port[0].tx_alloc_failed == 0);
    CHECK(e.counters().server.logouts == 4 * 3000);
    CHECK(e.counters().users.stopped + e.counters().users.completed == 3000);
}

TEST_CASE("messages are counted by the sender's charset and font, as the profile's weights ask", "[engine]") {
    // Half the users GBK, half Big5: every message is counted once per
    // breakdown, in those two charsets only, in fonts of the sender's charset
    // (新細明體 is Big5's; Tahoma fits every charset).
    load_settings s = quick_settings(400);
    s.charset_weights = {1, 0, 1, 0};  // gbk, gb18030, big5, utf-8
    s.font_weights = {1, 0, 0, 0, 1, 0};  // 宋体 (GBK), 新細明體 (Big5)
    memory_frame_io io(roomy_wire());
    engine_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 30'000'000'000));
    const auto& m = e.counters().messages;
    REQUIRE(m.sent > 1000);
    std::uint64_t by_charset = 0, bytes = 0, by_font = 0;
    for (std::size_t i = 0; i < m.sent_by_charset.size(); ++i) {
        by_charset += m.sent_by_charset[i];
        bytes += m.text_bytes_by_charset[i];
    }
    for (const auto n : m.sent_by_font) by_font += n;
    CHECK(by_charset == m.sent);
    CHECK(bytes == m.text_bytes);
    CHECK(by_font == m.sent);
    CHECK(m.sent_by_charset[1] == 0);  // gb18030: weight 0
    CHECK(m.sent_by_charset[3] == 0);  // utf-8: weight 0
    CHECK(m.sent_by_charset[0] > m.sent / 3);  // about half each
    CHECK(m.sent_by_charset[2] > m.sent / 3);
    CHECK(m.sent_by_font[0] == m.sent_by_charset[0]);  // GBK users: 宋体
    CHECK(m.sent_by_font[4] == m.sent_by_charset[2]);  // Big5 users: 新細明體
}
