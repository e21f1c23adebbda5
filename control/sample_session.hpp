// Complete QQ-over-UDP user sessions, built with protocols/ alone, as Ethernet
// frames: what `qqgen sample` writes to a pcap.
//
// Users come in buddy pairs (0,1), (2,3) …; each user looks up the login server
// name (DNS), asks for a login token, logs in and is redirected (the deferred
// login), does both again at the second server and is accepted, sets its status,
// fetches its friend list and online friends, chats with its buddy (every
// message sent as 0x0016, acknowledged, relayed by the server as 0x0017 to the
// buddy and acknowledged there), sends a keep-alive and logs out. Every random
// value (keys, tokens, padding, sequence numbers) comes from the seed, and the
// clock is simulated, so a seed always gives the same frames.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "protocols/charset.hpp"
#include "protocols/qq_header.hpp"
#include "protocols/qq_tea.hpp"

namespace qqgen::control {

struct sample_options {
    std::uint32_t users = 2;
    std::uint32_t messages = 5;  // per buddy pair, alternating sender
    proto::charset text_charset = proto::charset::gbk;
    std::string font = "simsun";  // name or alias (protocols/qq_fonts.hpp)
    std::uint8_t font_size = 0;   // 0: the font's default
    bool bold = false;
    bool italic = false;
    bool underline = false;
    std::uint32_t color = 0x000000;  // 0xRRGGBB
    std::uint64_t seed = 1;
    proto::dialect dialect = proto::default_dialect;
};

struct sample_summary {
    std::uint32_t users = 0;
    std::uint64_t frames = 0;
    std::uint64_t bytes = 0;
    std::uint64_t dns_packets = 0;
    std::uint64_t qq_packets = 0;
    std::uint64_t messages = 0;
    std::uint64_t redirects = 0;
};

// Called once per frame, in time order.
using frame_sink = std::function<void(std::uint64_t time_ns, std::span<const std::byte> frame)>;
// Called once per key: kind is "password" (the password key, MD5(MD5(password)))
// or "session" (the key the login-OK reply hands out).
using key_sink = std::function<void(std::uint32_t qq_number, std::string_view kind, const proto::tea_key& key)>;

// Throws std::invalid_argument with a message naming the option when the
// options cannot be honoured (unknown font, text not representable…).
sample_summary write_sample_sessions(const sample_options& options, const frame_sink& frames, const key_sink& keys);

}  // namespace qqgen::control
