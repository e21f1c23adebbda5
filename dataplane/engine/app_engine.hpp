// One worker's companion applications (app_settings.hpp): the sessions of
// dns, http, tls, udp_stream and tcp_stream, client and server halves, over
// the same Io as the worker's QQ users (blended_engine.hpp runs both).
//
// Each application has its own pacer on the profile's phases at its own
// rate (control divides the profile's session rate by the weights), so the
// mix is exact rather than drawn; all share one table of slots and one
// timer wheel (node `slot`: the client's timer, slots + slot: the server's).
//
// Frames reach it through take(): QQ's engine has already checked MAC,
// VLAN and checksums; a frame is the app engine's when it comes to a
// companion's client port (client port) or to a companion's server
// address (server port). Everything is allocated at construction; poll,
// take and the stop path allocate nothing, throw nothing and log nothing.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "dataplane/engine/app_core.hpp"
#include "dataplane/engine/app_tcp.hpp"
#include "dataplane/engine/app_udp.hpp"
#include "dataplane/engine/frame_io.hpp"
#include "dataplane/engine/pacer.hpp"

namespace qqgen::engine {

template <frame_io Io>
class app_engine {
public:
    static constexpr std::uint32_t new_sessions_per_poll = 64;
    static constexpr std::uint32_t timers_per_poll = 512;
    static constexpr std::uint32_t stop_sweep = 1024;

    // Throws std::invalid_argument when the content cannot be prepared
    // (the settings were validated by the caller).
    app_engine(const load_settings& s, std::uint32_t worker_index, std::uint32_t worker_count,
               const queue_steering& steering = {})
        : core_(s, worker_index, worker_count, steering), tcp_(core_), udp_(core_), enabled_(s.apps.any_enabled()) {
        if (!core_.content.error().empty()) throw std::invalid_argument(core_.content.error());
        for (std::size_t k = 0; k < app_kind_count; ++k) pacers_[k] = pacer(phases_of(s, s.apps.apps[k]));
    }
    app_engine(const app_engine&) = delete;
    app_engine& operator=(const app_engine&) = delete;

    [[nodiscard]] bool enabled() const noexcept { return enabled_; }

    // A received, checked frame: true if it was a companion's (used or
    // counted), false to leave it to QQ's engine.
    bool take(Io& io, port_role role, const proto::parsed_frame& f, std::size_t frame_size) noexcept {
        if (!enabled_ || f.ip_version == 0) return false;
        if (f.protocol != proto::ip_protocol::udp && f.protocol != proto::ip_protocol::tcp) return false;
        app_kind k;
        endpoint_owner owner;
        std::uint16_t server_port;
        if (role == port_role::client) {
            if (!core_.is_client_port(f.dst_port)) return false;
            k = core_.server_app(f.src_ip);
            owner = core_.owner_of(f.dst_ip, f.dst_port, f.src_ip, f.src_port);
            server_port = f.src_port;
        } else {
            k = core_.server_app(f.dst_ip);
            if (k == app_kind::count_) return false;
            owner = core_.owner_of(f.src_ip, f.src_port, f.dst_ip, f.dst_port);
            server_port = f.dst_port;
        }
        if (k == app_kind::count_) return false;
        app_counters& c = core_.count(k);
        ++c.frames_received[index_of(role)];
        c.bytes_received[index_of(role)] += frame_size;
        const bool tcp = f.protocol == proto::ip_protocol::tcp;
        if (tcp != is_tcp(k) || server_port != core_.spec(k).server_port || !core_.current(owner, k)) {
            ++c.unexpected;  // a late frame of an earlier session, or not a companion's at all
            return true;
        }
        if (tcp) tcp_.on_segment(io, owner.slot, role, f);
        else udp_.on_datagram(io, owner.slot, role, f);
        return true;
    }

    // Timers and new sessions; `ready` once both ports know their next
    // hop (QQ's neighbour module), whose MACs frames are sent to.
    void poll(Io& io, std::uint64_t now, bool ready, const proto::mac_address& client_next_hop,
              const proto::mac_address& server_next_hop) noexcept {
        if (!enabled_) return;
        if (!clock_started_) {
            epoch_ = now;
            clock_started_ = true;
        }
        core_.set_clock(now, epoch_);
        run_timers(io);
        if (!ready || stopping_) return;
        core_.frames.set_next_hop(port_role::client, client_next_hop);
        core_.frames.set_next_hop(port_role::server, server_next_hop);
        start_sessions(io);
    }

    // Stop: no new sessions; the sessions still running end (TCP ones with
    // a RST from the client), a bounded number per call. True once none is left.
    bool stop_step(Io& io) noexcept {
        begin_stop();
        const std::uint32_t n = core_.slots.size();
        for (std::uint32_t i = 0; i < stop_sweep && stop_cursor_ < n; ++i, ++stop_cursor_) {
            if (core_.slots[stop_cursor_].active == 0) continue;
            if (is_tcp(core_.slots[stop_cursor_].kind)) tcp_.abort(io, stop_cursor_);
            else udp_.stop(stop_cursor_);
        }
        return stop_cursor_ >= n && core_.slots.active() == 0;
    }
    void begin_stop() noexcept {
        if (stopping_) return;
        stopping_ = true;
        for (pacer& p : pacers_) p.stop();
    }

    // Every enabled application has run its total, or its phases have
    // ended, and no session is left.
    [[nodiscard]] bool done() const noexcept {
        if (!enabled_) return true;
        if (core_.slots.active() != 0) return false;
        for (std::size_t k = 0; k < app_kind_count; ++k) {
            const app_spec& a = core_.settings.apps.apps[k];
            if (!a.enabled()) continue;
            const bool total_run = a.total_sessions != 0 && core_.counters[k].sessions_started >= a.total_sessions;
            if (!total_run && pacers_[k].phase(core_.now_ns) != pacer_phase::ended) return false;
        }
        return true;
    }

    // A live change (the caller checked live_change_refusal): new rates
    // and totals from now on; think times from their next use.
    void apply(const load_settings& next) noexcept {
        core_.settings.apps = next.apps;
        for (std::size_t k = 0; k < app_kind_count; ++k)
            pacers_[k].retune(core_.now_ns, phases_of(next, next.apps.apps[k]));
    }

    [[nodiscard]] const app_counter_set& counters() const noexcept { return core_.counters; }
    [[nodiscard]] std::uint32_t active() const noexcept { return core_.slots.active(); }
    [[nodiscard]] const std::array<std::uint64_t, 2>& tx_no_buffer() const noexcept { return core_.tx_no_buffer; }
    [[nodiscard]] std::uint64_t encode_failures() const noexcept { return core_.encode_failures; }
    [[nodiscard]] std::size_t armed_timers() const noexcept { return core_.timers.armed_count(); }
    [[nodiscard]] std::size_t table_bytes() const noexcept {
        return core_.slots.bytes_per_session() * core_.slots.size();
    }
    [[nodiscard]] const app_core& core() const noexcept { return core_; }

private:
    static pacer_phases phases_of(const load_settings& s, const app_spec& a) noexcept {
        constexpr std::uint64_t ns_per_ms = 1'000'000;
        // An enabled application runs at least one session a second: a
        // total with a rate rounded to 0 would otherwise never be done.
        const std::uint64_t rate = a.enabled() ? std::max<std::uint64_t>(a.session_rate, 1) : 0;
        return pacer_phases{rate, std::uint64_t{s.ramp_ms} * ns_per_ms,
                            std::clamp<std::uint64_t>(rate / 10, 1, s.new_user_burst),
                            std::uint64_t{s.steady_ms} * ns_per_ms, std::uint64_t{s.ramp_down_ms} * ns_per_ms};
    }

    void run_timers(Io& io) noexcept {
        core_.timers.advance(core_.now_tick);
        const std::uint32_t slots = core_.slots.size();
        for (std::uint32_t n = 0; n < timers_per_poll; ++n) {
            const std::uint32_t id = core_.timers.pop_expired();
            if (id == timer_none) return;
            const std::uint32_t slot = id < slots ? id : id - slots;
            const app_kind k = core_.slots[slot].kind;
            if (is_tcp(k)) tcp_.on_timer(io, slot, id < slots ? port_role::client : port_role::server);
            else udp_.on_timer(io, slot);
        }
    }

    // Each poll begins with the next application, so that when the slots
    // run short no application is always served first.
    void start_sessions(Io& io) noexcept {
        first_app_ = first_app_ + 1 == app_kind_count ? 0 : first_app_ + 1;
        for (std::size_t i = 0; i < app_kind_count; ++i) {
            const std::size_t k = (first_app_ + i) % app_kind_count;
            const app_spec& a = core_.settings.apps.apps[k];
            if (!a.enabled()) continue;
            pacer& p = pacers_[k];
            if (!p.running()) p.start(core_.now_ns);
            const std::uint64_t started = core_.counters[k].sessions_started;
            std::uint64_t want = std::min<std::uint64_t>(core_.slots.free_count(), new_sessions_per_poll);
            if (a.total_sessions != 0) want = std::min(want, a.total_sessions - std::min(a.total_sessions, started));
            const std::uint64_t n = p.take(core_.now_ns, want);
            for (std::uint64_t i = 0; i < n; ++i) start(io, static_cast<app_kind>(k));
        }
    }

    void start(Io& io, app_kind k) noexcept {
        const std::uint32_t slot = core_.slots.take_free();
        app_session& r = core_.slots[slot];
        ++r.incarnation;
        r.kind = k;
        r.flags = 0;
        r.variant = core_.content.pick_variant(k, core_.draw(app_draw::variant, slot, r.incarnation));
        ++core_.count(k).sessions_started;
        if (is_tcp(k)) tcp_.open(io, slot);
        else udp_.open(io, slot);
    }

    app_core core_;
    app_tcp tcp_;
    app_udp udp_;
    std::array<pacer, app_kind_count> pacers_{};
    bool enabled_;
    bool clock_started_ = false;
    bool stopping_ = false;
    std::uint64_t epoch_ = 0;
    std::uint32_t stop_cursor_ = 0;
    std::size_t first_app_ = 0;
};

}  // namespace qqgen::engine
