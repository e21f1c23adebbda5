// What the companion applications of one worker share (app_engine.hpp): the
// settings, the prepared content, the slots and their timer wheel, the
// endpoint arithmetic, the frame writer, the counters and the clock.
//
// Endpoints (endpoint_space.hpp, as QQ's): the companions' client endpoints
// are QQ's client addresses x apps.client_ports_per_address ports from
// apps.client_port_base; endpoint g x slots + slot of a worker serves the
// slot's incarnations with incarnation % generations == g, so consecutive
// sessions of a slot use different ports and a late segment for the previous
// one is told apart.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "dataplane/engine/app_content.hpp"
#include "dataplane/engine/app_counters.hpp"
#include "dataplane/engine/app_slots.hpp"
#include "dataplane/engine/endpoint_space.hpp"
#include "dataplane/engine/frame_io.hpp"
#include "dataplane/engine/frame_writer.hpp"
#include "dataplane/engine/load_settings.hpp"
#include "dataplane/engine/session_identity.hpp"
#include "dataplane/engine/timer_wheel.hpp"
#include "protocols/counter_rng.hpp"

namespace qqgen::engine {

// What a draw is for (counter_rng streams of the app engine).
enum class app_draw : std::uint8_t { variant, client_isn, server_isn, dns_id, dns_name, tls_fields };

struct app_core {
    app_core(const load_settings& s, std::uint32_t worker_index, std::uint32_t worker_count,
             const queue_steering& steering = {})
        : settings(s),
          worker(worker_index),
          content(settings),
          slots(settings.apps.any_enabled() ? settings.apps.slots : 0),
          timers(2 * slots.size(), slots.nodes()),
          frames(settings),
          endpoints(companion_range(settings), static_cast<std::uint32_t>(slots.size()), worker_index, worker_count,
                    settings.apps.any_enabled() ? steering : queue_steering{}) {}

    // The companions' client addresses (QQ's) and ports.
    static endpoint_range companion_range(const load_settings& s) noexcept {
        return {s.client_address_base, s.client_address_count, s.apps.client_port_base, s.apps.client_ports_per_address};
    }
    app_core(const app_core&) = delete;
    app_core& operator=(const app_core&) = delete;

    // --- clock ------------------------------------------------------------------
    void set_clock(std::uint64_t now, std::uint64_t epoch) noexcept {
        now_ns = now;
        const std::uint64_t since = now - (now < epoch ? now : epoch);
        now_us = static_cast<std::uint32_t>(since / 1000);
        now_tick = static_cast<std::uint32_t>(since / 1'000'000);
    }
    void arm(std::uint32_t id, std::uint32_t ms) noexcept { timers.schedule(id, now_tick + (ms == 0 ? 1 : ms)); }
    // The wait before transmission `tries` + 1: rto_ms doubled per try (RFC 6298 5.5), at most 60 s.
    [[nodiscard]] std::uint32_t backoff_ms(std::uint8_t tries) const noexcept {
        const std::uint64_t ms = std::uint64_t{settings.apps.rto_ms} << (tries > 6 ? 6 : tries);
        return static_cast<std::uint32_t>(ms > 60'000 ? 60'000 : ms);
    }

    // --- derivations --------------------------------------------------------------
    [[nodiscard]] std::uint64_t draw(app_draw k, std::uint32_t slot, std::uint32_t incarnation,
                                     std::uint32_t extra = 0) const noexcept {
        const std::uint64_t stream = (std::uint64_t{0xA0u | static_cast<std::uint8_t>(k)} << 56) |
                                     (std::uint64_t{worker & 0xFFFFFFu} << 32) | slot;
        return proto::counter_random(settings.seed, stream, (std::uint64_t{incarnation} << 24) ^ extra);
    }
    [[nodiscard]] const app_spec& spec(app_kind k) const noexcept { return settings.apps[k]; }
    [[nodiscard]] app_counters& count(app_kind k) noexcept { return counters[static_cast<std::size_t>(k)]; }

    // --- endpoints ------------------------------------------------------------------
    // The endpoint slot `slot` sends from in `incarnation` to (server, server_port).
    [[nodiscard]] client_endpoint endpoint(std::uint32_t slot, std::uint32_t incarnation, const proto::ip_address& server,
                                           std::uint16_t server_port) const noexcept {
        return endpoints.endpoint(slot, incarnation, server, server_port);
    }
    // Whether `port` is one of the companions' client ports (cheap: the
    // first test a received frame goes through).
    [[nodiscard]] bool is_client_port(std::uint16_t port) const noexcept { return endpoints.is_client_port(port); }
    // The slot and generation of a client endpoint of a flow with (server,
    // server_port); slot no_slot when it is not one of this worker's.
    [[nodiscard]] endpoint_owner owner_of(const proto::ip_address& ip, std::uint16_t port, const proto::ip_address& server,
                                          std::uint16_t server_port) const noexcept {
        if (slots.size() == 0) return {};
        return endpoints.owner_of(ip, port, server, server_port);
    }
    // The application whose server is `ip`, or count_.
    [[nodiscard]] app_kind server_app(const proto::ip_address& ip) const noexcept {
        for (std::size_t k = 0; k < app_kind_count; ++k)
            if (settings.apps.apps[k].enabled() && settings.apps.apps[k].server == ip) return static_cast<app_kind>(k);
        return app_kind::count_;
    }

    // --- sessions ----------------------------------------------------------------------
    enum class outcome : std::uint8_t { completed, failed_timeout, failed_reset, failed_corrupt, stopped };
    // The session in `slot` is over: its timers cancelled, counted, the slot freed.
    void end_session(std::uint32_t slot, outcome how) noexcept {
        app_session& r = slots[slot];
        if (r.active == 0) return;
        timers.cancel(slot);
        timers.cancel(slots.size() + slot);
        app_counters& c = count(r.kind);
        switch (how) {
        case outcome::completed: ++c.sessions_completed; break;
        case outcome::failed_timeout: ++c.failed_timeout; ++c.sessions_failed; break;
        case outcome::failed_reset: ++c.failed_reset; ++c.sessions_failed; break;
        case outcome::failed_corrupt: ++c.failed_corrupt; ++c.sessions_failed; break;
        case outcome::stopped: ++c.sessions_stopped; break;
        }
        slots.release(slot);
    }
    // The slot's session if `owner` names its current incarnation and it runs application k.
    [[nodiscard]] bool current(const endpoint_owner& owner, app_kind k) const noexcept {
        if (owner.slot == no_slot) return false;
        const app_session& r = slots[owner.slot];
        return r.active != 0 && r.kind == k && endpoints.generation_of(r.incarnation) == owner.generation;
    }

    // --- sending ----------------------------------------------------------------------
    // One UDP datagram of application k: fill(span) writes the payload and returns its size.
    template <class Io, class Fill>
    bool send_udp(Io& io, app_kind k, port_role role, const proto::ip_address& src, std::uint16_t src_port,
                  const proto::ip_address& dst, std::uint16_t dst_port, Fill&& fill) noexcept {
        const proto::byte_span buf = io.tx_begin(role);
        if (buf.empty()) return no_buffer(role);
        const std::size_t room = frames.payload_room(role, buf.size());
        const std::size_t n = room == 0 ? 0 : fill(buf.subspan(frames.payload_offset(role), room));
        const std::size_t size = n == 0 ? 0 : frames.finish(role, buf, src, src_port, dst, dst_port, n);
        return commit(io, k, role, size);
    }
    // One TCP segment of application k with `payload` (copied).
    template <class Io>
    bool send_tcp(Io& io, app_kind k, port_role role, const proto::ip_address& src, std::uint16_t src_port,
                  const proto::ip_address& dst, std::uint16_t dst_port, const proto::tcp_fields& fields,
                  proto::const_byte_span payload) noexcept {
        const proto::byte_span buf = io.tx_begin(role);
        if (buf.empty()) return no_buffer(role);
        return commit(io, k, role, frames.tcp(role, buf, src, src_port, dst, dst_port, fields, payload));
    }

    load_settings settings;  // the app engine's own copy
    std::uint32_t worker;
    app_content content;
    app_slots slots;
    timer_wheel<app_slots::nodes_view> timers;
    frame_writer frames;
    app_counter_set counters{};
    std::array<std::uint64_t, 2> tx_no_buffer{};  // per port: tx_begin gave nothing (the timers resend)
    std::uint64_t encode_failures = 0;  // a frame did not fit (a bug)
    endpoint_space endpoints;
    std::uint64_t now_ns = 0;
    std::uint32_t now_us = 0;
    std::uint32_t now_tick = 0;

private:
    bool no_buffer(port_role role) noexcept {
        ++tx_no_buffer[index_of(role)];
        return false;
    }
    template <class Io>
    bool commit(Io& io, app_kind k, port_role role, std::size_t size) noexcept {
        if (size == 0) {
            io.tx_abort(role);
            ++encode_failures;
            return false;
        }
        io.tx_commit(role, static_cast<std::uint16_t>(size));
        app_counters& c = count(k);
        ++c.frames_sent[index_of(role)];
        c.bytes_sent[index_of(role)] += size;
        return true;
    }
};

}  // namespace qqgen::engine
