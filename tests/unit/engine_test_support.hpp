// Helpers shared by the session-engine tests: chat texts built once, quick
// settings, a simulated-time run loop over memory_frame_io, and a wire hook
// that checks every frame the engine emits.
#pragma once

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "dataplane/engine/chat_content.hpp"
#include "dataplane/engine/load_settings.hpp"
#include "dataplane/engine/memory_frame_io.hpp"
#include "dataplane/engine/session_engine.hpp"
#include "protocols/checksum.hpp"
#include "protocols/net_headers.hpp"

namespace qqgen::test {

using engine::load_settings;
using engine::memory_frame_io;
using engine::memory_wire_config;
using engine::port_role;
using engine::session_engine;
using engine::stage;
using engine::wire_verdict;
using engine_t = session_engine<memory_frame_io>;

// The shipped corpus in every charset: built once per test program.
inline const engine::chat_texts& texts() {
    static const engine::chat_texts_result r = engine::build_chat_texts();
    REQUIRE(r.ok());
    return r.texts;
}

// Settings for a short run: every stage, short timers.
inline load_settings quick_settings(std::uint32_t users = 16) {
    load_settings s;
    s.users = users;
    s.total_sessions = users;
    s.new_user_rate = 100000;
    s.ramp_ms = 0;
    s.new_user_burst = 64;
    s.buddies_per_user = 3;
    s.friend_page_size = 2;  // two friend-list pages
    s.chats_per_user = 2;
    s.messages_per_chat = 2;
    s.message_delay_min_ms = 10;
    s.message_delay_max_ms = 30;
    s.keepalive_interval_ms = 200;
    s.keepalive_count = 2;
    s.resend_timeout_ms = 100;
    s.resend_jitter_ms = 50;
    s.resend_tries = 5;
    s.redirect_ppm = 500000;
    return s;
}

// quick_settings() with IPv6 addresses (RFC 3849 documentation prefix).
inline load_settings quick_ipv6_settings(std::uint32_t users) {
    load_settings s = quick_settings(users);
    s.ip_version = 6;
    s.client_address_base = *proto::ip_address::parse("2001:db8:1::1");
    s.dns_server = *proto::ip_address::parse("2001:db8:2::53");
    for (std::size_t i = 0; i < s.login_servers.size(); ++i) {
        auto a = *proto::ip_address::parse("2001:db8:2::8000");
        a.bytes[15] = std::byte(i + 1);
        s.login_servers[i] = a;
    }
    return s;
}

inline memory_wire_config roomy_wire() {
    memory_wire_config w;
    w.buffer_count = 16384;
    w.wire_depth = 8192;
    return w;
}

// Polls with the clock advancing step_ns per poll until pred() or max_ns of
// simulated time have passed. Returns whether pred() came true.
template <class Engine, class Pred>
bool run_until(Engine& e, memory_frame_io& io, Pred pred, std::uint64_t max_ns,
               std::uint64_t step_ns = 100'000) {
    const std::uint64_t end = io.now_ns() + max_ns;
    while (io.now_ns() < end) {
        e.poll(io);
        if (pred()) return true;
        io.advance_ns(step_ns);
    }
    e.poll(io);
    return pred();
}

// Keeps polling for `ns` of simulated time: what is still queued or on the
// wire (the last logouts, say) gets sent and received.
inline void settle(engine_t& e, memory_frame_io& io, std::uint64_t ns = 50'000'000) {
    run_until(e, io, [] { return false; }, ns);
}

// Graceful stop: steps until every user is gone, `step_ns` of simulated time
// apart, and requires it within `max_steps`.
inline void stop_gracefully(engine_t& e, memory_frame_io& io, std::uint64_t max_steps, std::uint64_t step_ns = 100'000) {
    std::uint64_t steps = 0;
    while (!e.graceful_stop_step(io)) {
        io.advance_ns(step_ns);
        REQUIRE(++steps < max_steps);
    }
}

// What a wire hook saw of the frames it checked.
struct frame_check {
    std::uint64_t frames = 0;
    std::uint64_t unparsable = 0;  // parse_frame refused (checksums included)
    std::uint64_t udp = 0;
    std::uint64_t arp = 0;  // the neighbour module's announcements
};

// Checks every frame on the wire with parse_frame (checksums verified).
inline std::function<wire_verdict(port_role, std::span<std::byte>)> checking_hook(frame_check& c) {
    return [&c](port_role, std::span<std::byte> frame) {
        ++c.frames;
        const auto p = proto::parse_frame(frame);
        if (!p) ++c.unparsable;
        else if (p.value.protocol == proto::ip_protocol::udp) ++c.udp;
        else if (p.value.ethertype == proto::ethertype::arp) ++c.arp;
        return wire_verdict::deliver;
    };
}

}  // namespace qqgen::test

namespace qqgen::test {

// Frames the neighbour module sent from `port` (ARP/ND: announcements,
// requests, replies).
inline std::uint64_t neighbour_sent(engine_t& e, port_role port) {
    const auto& n = e.neighbours().counters(port);
    return n.gratuitous_sent + n.resolve_sent + n.arp_answered + n.ns_answered;
}

// Refused frames but the other port's ARP announcements, which the
// neighbour module leaves to the engine to count as not_udp.
inline std::uint64_t refused_but_neighbours(const engine::engine_counters& c, std::size_t port) {
    return c.refused_total(port) - c.refused[port][static_cast<std::size_t>(engine::refuse_reason::not_udp)];
}

// FNV-1a of a frame: to compare frame sequences of two runs.
inline std::uint64_t frame_hash(std::span<const std::byte> frame) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (std::byte b : frame) h = (h ^ std::to_integer<std::uint64_t>(b)) * 0x100000001b3ull;
    return h;
}

// The UDP payload of an untagged IPv4/IPv6 frame that parses, or empty.
inline std::span<const std::byte> udp_payload(std::span<const std::byte> frame) {
    const auto p = proto::parse_frame(frame, {false, false});
    if (!p || p.value.protocol != proto::ip_protocol::udp) return {};
    return p.value.payload;
}

// The QQ command of a UDP payload that starts with the 0x02 tag, or 0.
inline std::uint16_t qq_command_of(std::span<const std::byte> payload) {
    if (payload.size() < 5 || payload[0] != std::byte{0x02}) return 0;
    return proto::load_be16(payload.data() + 3);
}

// Recomputes the UDP checksum of an IPv4 frame after a test changed its
// payload (a DUT that rewrites payload and fixes the checksum).
inline void fix_udp_checksum(std::span<std::byte> frame) {
    const auto p = proto::parse_frame(frame, {false, false});
    REQUIRE(p.ok());
    REQUIRE(p.value.ip_version == 4);
    const std::size_t l4 = static_cast<std::size_t>(p.value.l4.data() - frame.data());
    const auto len = static_cast<std::uint16_t>(p.value.l4.size());
    frame[l4 + 6] = std::byte{0};
    frame[l4 + 7] = std::byte{0};
    const auto src = p.value.src_ip.v4().bytes;
    const auto dst = p.value.dst_ip.v4().bytes;
    const std::uint32_t pseudo = proto::ipv4_pseudo_header_sum(src, dst, proto::ip_protocol::udp, len);
    std::uint16_t sum = proto::internet_checksum(frame.subspan(l4, len), pseudo);
    if (sum == 0) sum = 0xFFFF;
    proto::store_be16(frame.data() + l4 + 6, sum);
}

}  // namespace qqgen::test
