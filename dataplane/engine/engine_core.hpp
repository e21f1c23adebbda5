// What both halves of one worker's sessions share: the settings, the
// identity arithmetic, the session table and its timer wheel, chat content,
// the frame writer, counters, the key log and the worker's clock.
//
// Everything is allocated here, at construction; the hot path only indexes.
// The client half (client_half.hpp) and server half (server_half.hpp) each
// hold a reference to it; session_engine.hpp owns it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "dataplane/engine/buddy_groups.hpp"
#include "dataplane/engine/chat_content.hpp"
#include "dataplane/engine/engine_counters.hpp"
#include "dataplane/engine/frame_io.hpp"
#include "dataplane/engine/frame_writer.hpp"
#include "dataplane/engine/keylog.hpp"
#include "dataplane/engine/load_settings.hpp"
#include "dataplane/engine/rx_plaintexts.hpp"
#include "dataplane/engine/sent_im_cache.hpp"
#include "dataplane/engine/session_identity.hpp"
#include "dataplane/engine/session_table.hpp"
#include "dataplane/engine/tcp_transport.hpp"
#include "dataplane/engine/timer_wheel.hpp"
#include "dataplane/engine/tx_seal.hpp"

namespace qqgen::engine {

inline constexpr std::uint64_t ns_per_tick = 1'000'000;  // timer wheel: 1 ms ticks
// Key log buffer when enabled: about 19,000 lines between two drains.
inline constexpr std::size_t keylog_capacity = std::size_t{1} << 20;

struct engine_core {
    engine_core(const load_settings& s, std::uint32_t worker_index, std::uint32_t worker_count,
                const chat_texts& texts, const queue_steering& steering = {})
        : settings(s),
          identity(settings, worker_index, worker_count, steering),
          buddies(settings),
          table(settings.users, settings.ip_version == 6),
          timers(2 * settings.users, table.nodes()),
          content(settings, texts),
          frames(settings),
          keys(settings.keylog != 0 ? keylog_capacity : 0),
          tcp(settings, identity, table, frames, counters) {}

    engine_core(const engine_core&) = delete;
    engine_core& operator=(const engine_core&) = delete;

    // --- clock ----------------------------------------------------------------
    void start_clock(std::uint64_t now) noexcept {
        epoch_ns = now;
        set_clock(now);
    }
    void set_clock(std::uint64_t now) noexcept {
        now_ns = now;
        const std::uint64_t since = now - (now < epoch_ns ? now : epoch_ns);
        now_us = static_cast<std::uint32_t>(since / 1000);
        now_tick = static_cast<std::uint32_t>(since / ns_per_tick);
    }
    [[nodiscard]] std::uint32_t unix_time() const noexcept {
        return settings.unix_time_base + static_cast<std::uint32_t>((now_ns - epoch_ns) / 1'000'000'000);
    }
    // How long transmission `n` (`what` tells requests apart) of a slot's
    // request waits for its answer: resend_timeout_ms + derived jitter.
    [[nodiscard]] std::uint32_t resend_wait(std::uint32_t slot, std::uint32_t incarnation, std::uint32_t what,
                                            std::uint32_t n) const noexcept {
        if (settings.resend_jitter_ms == 0) return settings.resend_timeout_ms;
        const std::uint64_t r = identity.draw(draw_kind::resend, slot, incarnation, (what << 4) | (n & 15u));
        return settings.resend_timeout_ms + static_cast<std::uint32_t>(r % (settings.resend_jitter_ms + 1u));
    }
    // Arms timer `id` to fire `ms` milliseconds from now.
    void arm(std::uint32_t id, std::uint32_t ms) noexcept { timers.schedule(id, now_tick + (ms == 0 ? 1 : ms)); }

    // --- addresses --------------------------------------------------------------
    // The login server index of `ip`, or -1.
    [[nodiscard]] int server_index_of(const proto::ip_address& ip) const noexcept {
        for (int i = 0; i < settings.login_server_count; ++i)
            if (settings.login_servers[static_cast<std::size_t>(i)] == ip) return i;
        return -1;
    }
    // The 32-bit value a redirect reply, a login-OK or a DNS A record carries
    // for login server i. IPv6 runs put the address's last 4 bytes there:
    // those fields are 4 bytes on the wire (pidgin 2.4 structs; dns.hpp has
    // no AAAA records yet).
    [[nodiscard]] std::uint32_t server_ip32(std::size_t i) const noexcept { return ip32(settings.login_servers[i]); }
    static std::uint32_t ip32(const proto::ip_address& a) noexcept {
        const std::size_t o = a.is_v4() ? 0 : 12;
        return (std::to_integer<std::uint32_t>(a.bytes[o]) << 24) | (std::to_integer<std::uint32_t>(a.bytes[o + 1]) << 16) |
               (std::to_integer<std::uint32_t>(a.bytes[o + 2]) << 8) | std::to_integer<std::uint32_t>(a.bytes[o + 3]);
    }

    // --- sending ------------------------------------------------------------------
    // One UDP frame on `role`'s port: fill(byte_span room) writes the payload
    // in place and returns its size (0 = encoder refused). Returns whether
    // the frame was committed. A missing TX buffer is counted; the caller's
    // resend timer covers it.
    template <class Io, class Fill>
    bool send_udp(Io& io, port_role role, const proto::ip_address& src, std::uint16_t src_port,
                  const proto::ip_address& dst, std::uint16_t dst_port, Fill&& fill) noexcept {
        const std::size_t p = index_of(role);
        const proto::byte_span buf = io.tx_begin(role);
        if (buf.empty()) {
            ++counters.tx_no_buffer[p];
            return false;
        }
        const std::size_t room = frames.payload_room(role, buf.size());
        // A QQ body written in the fill is encrypted with the TX burst (tx_seal.hpp).
        seal.arm();
        const std::size_t n = room == 0 ? 0 : fill(buf.subspan(frames.payload_offset(role), room));
        seal.disarm();
        proto::frame_layout layout;
        if (n != 0) layout = frames.headers(role, buf, src, src_port, dst, dst_port, n);
        if (layout.frame_size == 0) {
            io.tx_abort(role);
            ++counters.encode_failures;
            return false;
        }
        if (seal.pending()) {
            io.tx_commit(role, static_cast<std::uint16_t>(layout.frame_size), seal.seal(buf.data(), layout));
        } else {
            proto::finish_checksums(buf, layout);
            io.tx_commit(role, static_cast<std::uint16_t>(layout.frame_size));
        }
        ++counters.frames_sent[p];
        return true;
    }

    // A QQ packet of the session in `slot` on `role`'s port: over the user's
    // TCP connection (as a new message of `kind`, or the retransmission of
    // the one in flight) or as a UDP datagram to (dst, dst_port).
    template <class Io, class Fill>
    bool send_qq(Io& io, port_role role, std::uint32_t slot, tcp_msg kind, const proto::ip_address& src,
                 std::uint16_t src_port, const proto::ip_address& dst, std::uint16_t dst_port, Fill&& fill) noexcept {
        if ((table[slot].cflags & client_flag::tcp) != 0) return tcp.send_qq(io, role, slot, kind, fill);
        return send_udp(io, role, src, src_port, dst, dst_port, fill);
    }
    // The server's answer to the request in `f`, back the way it came.
    template <class Io, class Fill>
    bool reply_to(Io& io, const proto::parsed_frame& f, Fill&& fill) noexcept {
        if (f.protocol == proto::ip_protocol::tcp)
            return tcp.send_qq(io, port_role::server, tcp.rx_slot(), tcp_msg::reply, fill);
        return send_udp(io, port_role::server, f.dst_ip, f.dst_port, f.src_ip, f.src_port, fill);
    }
    // The login servers' port for the user in `slot`.
    [[nodiscard]] std::uint16_t qq_port(std::uint32_t slot) const noexcept {
        return (table[slot].cflags & client_flag::tcp) != 0 ? settings.tcp_server_port : settings.login_server_port;
    }

    // The scratch buffer decryptions go to (received frames are read-only).
    [[nodiscard]] proto::byte_span scratch_span() noexcept { return scratch; }

    // A received body decrypted with `key`: the burst's batch answer when it
    // has one (rx_plaintexts.hpp), else decrypted into the scratch buffer.
    // Empty, ok false, when it does not decrypt. Valid until the next call.
    proto::const_byte_span decrypt(const proto::tea_key& key, proto::const_byte_span cipher, bool& ok) noexcept {
        if (const proto::tea_decrypt_job* j = rx_plain.find(key, cipher)) {
            ok = j->plain_len.ok();
            return ok ? proto::const_byte_span{j->out}.first(j->plain_len.value) : proto::const_byte_span{};
        }
        const auto d = proto::tea_decrypt(key, cipher, scratch_span());
        ok = d.ok();
        return ok ? proto::const_byte_span{scratch}.first(d.value) : proto::const_byte_span{};
    }

    load_settings settings;  // the engine's own copy (the profile it runs)
    session_identity identity;
    buddy_groups buddies;
    session_table table;
    timer_wheel<session_table::timer_nodes> timers;
    chat_content content;
    frame_writer frames;
    keylog keys;
    engine_counters counters{};
    tcp_transport tcp;  // the TCP users' connections (empty when there are none)
    std::array<std::byte, 2048> scratch{};
    deferred_seal seal;  // the frame send_udp is building
    rx_plaintexts rx_plain;  // the received burst's bodies, decrypted in one batch
    sent_im_cache sent_ims;  // the messages derived last (chat_messages.hpp)
    std::uint64_t epoch_ns = 0;
    std::uint64_t now_ns = 0;
    std::uint32_t now_us = 0;
    std::uint32_t now_tick = 0;
    std::uint32_t logged_in = 0;  // server half: users it considers logged in now
};

}  // namespace qqgen::engine
