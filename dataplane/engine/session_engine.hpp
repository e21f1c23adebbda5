// One worker's QQ users, client half and server half, over an Io that
// satisfies frame_io (the DPDK queues of the worker, or memory_frame_io in
// tests). It satisfies the worker_engine concept (worker_engine.hpp) that
// the DPDK worker loop drives.
//
// poll(io) is one turn: a burst from each port (parsed, checked, dispatched
// to the half that owns the port), the timers that are due (resends, chat
// delays, keep-alives, relays), new users from the pacer, and a TX flush on
// the drain deadline. The neighbour module (neighbour_handler.hpp) takes the
// ARP and ICMPv6 frames, announces the ports' addresses and resolves a next
// hop configured as zero; users start once both next hops are known.
// Everything is allocated at construction; poll and
// the stop path allocate nothing, throw nothing, take no lock, make no
// system call and write no log.
//
// Phases (pacer.hpp): users start at the pacer's rate while fewer than the
// concurrency target are active; during the ramp-down the target falls
// linearly to 0 and users above it log out (a bounded number per poll);
// once the phases have ended and the last user is gone, done() is true.
// apply(settings) takes a live profile change (load_settings_live.cpp says
// which fields may change), or refuses it with a reason and keeps running
// the old settings.
//
// Stopping: begin_stop() stops new users; graceful_stop_step(io) (which
// calls begin_stop itself if needed) logs out the logged-in users and
// abandons the others, a bounded number per call, and keeps answering what
// is in flight; it returns true once no user is left. done() says the
// configured total of users has run, or the phases have ended.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>

#include "dataplane/engine/client_half.hpp"
#include "dataplane/engine/engine_core.hpp"
#include "dataplane/engine/frame_io.hpp"
#include "dataplane/engine/neighbour_handler.hpp"
#include "dataplane/engine/pacer.hpp"
#include "dataplane/engine/parsed_burst.hpp"
#include "dataplane/engine/server_half.hpp"
#include "dataplane/engine/worker_engine.hpp"
#include "protocols/net_headers.hpp"

namespace qqgen::engine {

// How much one poll may do (so that a turn stays well under the ~100 us TX
// drain period), and the drain period itself.
struct poll_budget {
    std::uint64_t drain_ns = 100'000;  // DPDK l3fwd's BURST_TX_DRAIN_US
    // RX bursts taken from each port per poll, while frames keep coming: a
    // poll may send up to `timers` + `new_users` frames, and each received
    // one may be answered, so the receiving side must be able to take as
    // many or the wire between the halves (a ring, a NIC queue) overflows
    // and drops them.
    std::uint32_t rx_bursts = 64;
    std::uint32_t timers = 512;        // expiries handled per poll (each may send a frame)
    std::uint32_t new_users = 64;      // users started per poll
    std::uint32_t stop_sweep = 1024;   // slots visited per graceful_stop_step
    // Users a graceful_stop_step may make send (4 logouts, or a FIN): the
    // server half takes one RX burst (burst_limits.hpp) per poll, so stopping users
    // faster only fills the wire (a ring, a NIC queue) and drops logouts.
    std::uint32_t stop_senders = 8;
    std::uint32_t shed_sweep = 256;    // slots visited per poll to log users out in the ramp-down
};

// What a worker reports as its phase: the pacer's, or stopping.
enum class run_phase : std::uint8_t { waiting, ramp_up, steady, ramp_down, ended, stopping };

constexpr pacer_phases pacer_phases_of(const load_settings& s) noexcept {
    constexpr std::uint64_t ns_per_ms = 1'000'000;
    return pacer_phases{s.new_user_rate, std::uint64_t{s.ramp_ms} * ns_per_ms, s.new_user_burst,
                        std::uint64_t{s.steady_ms} * ns_per_ms, std::uint64_t{s.ramp_down_ms} * ns_per_ms};
}

template <frame_io Io>
class session_engine {
public:
    // Set-up: throws std::invalid_argument (settings, with the field named)
    // so the caller can report it. `steering`: how the NIC spreads received
    // flows over the workers' queues (queue_steering.hpp; none by default).
    session_engine(const load_settings& s, std::uint32_t worker_index, std::uint32_t worker_count,
                   const chat_texts& texts, poll_budget budget = {}, const queue_steering& steering = {})
        : core_(checked(s, worker_count, steering), worker_index, worker_count, texts, steering),
          client_(core_),
          server_(core_),
          pacer_(pacer_phases_of(s)),
          neighbours_(core_.settings),
          budget_(budget),
          worker_count_(worker_count),
          steering_(steering) {
        if (!core_.content.error().empty()) throw std::invalid_argument(core_.content.error());
    }

    session_engine(const session_engine&) = delete;
    session_engine& operator=(const session_engine&) = delete;

    void poll(Io& io) noexcept { poll(io, no_other_traffic{}); }

    // One turn that hands every received frame that parses and passes the
    // MAC and VLAN checks to `other` first (the companion applications,
    // blended_engine.hpp): other(io, role, parsed, frame_size) returns true
    // when the frame was its.
    template <class Other>
    void poll(Io& io, Other&& other) noexcept {
        const std::uint64_t now = io.now_ns();
        if (!started_) start(now);
        core_.set_clock(now);
        neighbours_.poll(io, now);  // announcements at start, next-hop resolution retries
        // A burst from each port at once, so that neither half gets more
        // than a burst ahead of the other's receiving and both bursts'
        // bodies are decrypted in one batch.
        for (std::uint32_t b = 0; b < budget_.rx_bursts; ++b) {
            const unsigned taken = io.rx_bursts(
                [&](const port_bursts& bursts) noexcept { decrypt_bodies(bursts); },
                [&](port_role role, std::span<const std::byte> f) noexcept { receive(io, role, f, other); });
            core_.rx_plain.clear();  // its entries point into the bursts' frames
            parsed_.clear();         // and so do these
            if (taken == 0) break;
        }
        run_timers(io);
        if (!stopping_ && next_hops_known(now)) {
            shed_users(io);
            start_users(io);
        }
        if (now >= next_drain_) {
            io.flush(port_role::client);
            io.flush(port_role::server);
            next_drain_ = now + budget_.drain_ns;
        }
    }

    void begin_stop() noexcept {
        if (!stopping_) ended_before_stop_ = pacer_.phase(core_.now_ns) == pacer_phase::ended;
        stopping_ = true;
        pacer_.stop();
    }

    bool graceful_stop_step(Io& io) noexcept { return graceful_stop_step(io, no_other_traffic{}); }

    template <class Other>
    bool graceful_stop_step(Io& io, Other&& other) noexcept {
        if (!stopping_) begin_stop();
        poll(io, other);
        const std::uint32_t users = core_.settings.users;
        std::uint32_t senders = 0;
        for (std::uint32_t n = 0; n < budget_.stop_sweep && senders < budget_.stop_senders && stop_cursor_ < users; ++n)
            senders += client_.stop_user(io, stop_cursor_++) ? 1 : 0;
        io.flush(port_role::client);
        io.flush(port_role::server);
        return stop_cursor_ >= users && core_.table.active() == 0;
    }

    // The configured total of users has run, or the phases have ended, and
    // no user is left.
    [[nodiscard]] bool done() const noexcept {
        if (core_.table.active() != 0) return false;
        const auto& u = core_.counters.users;
        const bool total_run = core_.settings.total_sessions != 0 && u.started >= core_.settings.total_sessions;
        return total_run || pacer_.phase(core_.now_ns) == pacer_phase::ended;
    }

    [[nodiscard]] run_phase phase() const noexcept {
        if (stopping_) return ended_before_stop_ ? run_phase::ended : run_phase::stopping;
        return static_cast<run_phase>(pacer_.phase(core_.now_ns));
    }

    // A live profile change, between two polls. Empty: applied (the pacer
    // retuned from now on, new delays and timeouts used from their next
    // use). Else why it was refused; the engine keeps its settings.
    // Allocates only the refusal text (never per packet).
    [[nodiscard]] std::string apply(const load_settings& next) {
        if (std::string why = next.validate_for_workers(worker_count_, steering_); !why.empty()) return why;
        if (std::string why = core_.settings.live_change_refusal(next); !why.empty()) return why;
        core_.settings = next;
        core_.content.set_delays(next.message_delay_min_ms, next.message_delay_max_ms);
        pacer_.retune(core_.now_ns, pacer_phases_of(next));
        return {};
    }
    [[nodiscard]] bool stopping() const noexcept { return stopping_; }

    [[nodiscard]] const engine_counters& counters() const noexcept { return core_.counters; }
    [[nodiscard]] keylog& keys() noexcept { return core_.keys; }
    [[nodiscard]] const load_settings& settings() const noexcept { return core_.settings; }
    [[nodiscard]] neighbour_handler& neighbours() noexcept { return neighbours_; }
    [[nodiscard]] std::uint32_t active_users() const noexcept { return core_.table.active(); }
    [[nodiscard]] std::size_t armed_timers() const noexcept { return core_.timers.armed_count(); }
    // Memory per session (hot line + cold arrays) and the whole table.
    // (The TCP endpoints, 2 x 28 bytes, only in runs with TCP users.)
    [[nodiscard]] std::size_t bytes_per_session() const noexcept {
        return core_.table.bytes_per_session() + core_.tcp.bytes_per_session();
    }
    [[nodiscard]] std::size_t table_bytes() const noexcept { return bytes_per_session() * core_.settings.users; }
    // For tests and diagnostics: the derivations and the raw table.
    [[nodiscard]] const engine_core& core() const noexcept { return core_; }

private:
    static const load_settings& checked(const load_settings& s, std::uint32_t worker_count,
                                        const queue_steering& steering) {
        if (std::string why = s.validate_for_workers(worker_count, steering); !why.empty())
            throw std::invalid_argument(why);
        if (std::string why = validate(neighbour_settings_from(s)); !why.empty()) throw std::invalid_argument(why);
        return s;
    }

    void start(std::uint64_t now) noexcept {
        core_.start_clock(now);
        next_drain_ = now + budget_.drain_ns;
        started_ = true;
    }

    // Whether both ports know their next hop's MAC (configured, or resolved
    // by the neighbour module); keeps the frame writer's destinations in
    // step with it. The pacer's phases start when both are known.
    bool next_hops_known(std::uint64_t now) noexcept {
        if (!neighbours_.ready(port_role::client) || !neighbours_.ready(port_role::server)) return false;
        for (const port_role r : all_port_roles) core_.frames.set_next_hop(r, neighbours_.next_hop_mac(r));
        if (!pacer_.running()) pacer_.start(now);
        return true;
    }

    void refuse(port_role role, refuse_reason why) noexcept {
        ++core_.counters.refused[index_of(role)][static_cast<std::size_t>(why)];
    }

    // What poll hands frames to when nothing else shares the ports.
    struct no_other_traffic {
        bool operator()(Io&, port_role, const proto::parsed_frame&, std::size_t) const noexcept { return false; }
    };

    // Before the bursts are dispatched: every frame parsed (checksums
    // verified) once, for receive() to take up, and the QQ bodies whose key
    // the half can guess decrypted in one batch (rx_plaintexts.hpp): both
    // ports' bodies together, one batch call instead of two (the chat +1.4 %
    // end to end; a chat-mix batch costs about the same per block at 64 or
    // 128 bodies, bench/RESULTS.md). A frame receive() refuses is simply
    // never asked about.
    void decrypt_bodies(const port_bursts& bursts) noexcept {
        core_.rx_plain.clear();
        parsed_.clear();
        for (const port_role role : all_port_roles) {
            for (const auto frame : bursts[index_of(role)]) {
                const auto* parsed = parsed_.add(frame);
                if (parsed == nullptr) break;  // more frames than kept: receive() parses the rest
                if (!*parsed || parsed->value.ip_version != core_.settings.ip_version ||
                    parsed->value.protocol != proto::ip_protocol::udp)
                    continue;
                body_guess guess;
                if (role == port_role::client) client_.guess_body(parsed->value, guess);
                else server_.guess_body(parsed->value, guess);
                if (!core_.rx_plain.add(guess)) break;
            }
        }
        // One body gains nothing from a batch: its handler decrypts it alone.
        if (core_.rx_plain.size() > 1) core_.rx_plain.decrypt_all();
        else core_.rx_plain.clear();
    }

    template <class Other>
    void receive(Io& io, port_role role, std::span<const std::byte> frame, Other& other) noexcept {
        const std::size_t p = index_of(role);
        ++core_.counters.frames_received[p];
        if (frame.size() >= 6) {
            proto::mac_address dst;
            std::memcpy(dst.bytes.data(), frame.data(), 6);
            if (!dst.is_multicast() && dst != core_.settings.local_mac[p]) {
                refuse(role, refuse_reason::wrong_mac);
                return;
            }
        }
        const auto parsed = parsed_.take(frame);
        if (!parsed) {
            // Fragments and long IPv6 header chains (unsupported) count as
            // malformed too: the engine never sends them.
            refuse(role, parsed.why.code == proto::bad_checksum_error ? refuse_reason::bad_checksum
                                                                      : refuse_reason::malformed);
            return;
        }
        const proto::parsed_frame& f = parsed.value;
        const std::uint16_t vlan = core_.settings.vlan_id[p];
        if (vlan == 0 ? f.vlan.has_value() : (!f.vlan || f.vlan->id != vlan)) {
            refuse(role, refuse_reason::wrong_vlan);
            return;
        }
        if (other(io, role, f, frame.size())) {
            --core_.counters.frames_received[p];  // a companion's: it counts its own frames
            return;
        }
        if (f.ip_version != 0 && f.protocol == proto::ip_protocol::tcp && core_.tcp.enabled() &&
            f.ip_version == core_.settings.ip_version) {
            if (role == port_role::client) client_.on_tcp(io, f);
            else server_.on_tcp(io, f);
            return;
        }
        if (f.ip_version == 0 || f.protocol != proto::ip_protocol::udp) {
            if (neighbours_.handle_neighbour(role, f, io)) ++core_.counters.neighbour_frames[p];
            else refuse(role, refuse_reason::not_udp);
            return;
        }
        if (f.ip_version != core_.settings.ip_version) {
            refuse(role, refuse_reason::not_for_us);
            return;
        }
        if (role == port_role::client) client_.on_frame(io, f);
        else server_.on_frame(io, f);
    }

    void run_timers(Io& io) noexcept {
        core_.timers.advance(core_.now_tick);
        const std::uint32_t users = core_.settings.users;
        for (std::uint32_t n = 0; n < budget_.timers; ++n) {
            const std::uint32_t id = core_.timers.pop_expired();
            if (id == timer_none) return;
            if (id < users) client_.on_timer(io, id);
            else server_.on_relay_timer(io, id - users);
        }
        if (core_.timers.has_expired()) ++core_.counters.timer_budget_exhausted;
    }

    // The concurrency the phases allow now: the target, falling linearly to
    // 0 over the ramp-down, 0 once the phases have ended.
    [[nodiscard]] std::uint32_t concurrency_now() const noexcept {
        const std::uint32_t target = core_.settings.concurrency();
        switch (pacer_.phase(core_.now_ns)) {
        case pacer_phase::ended: return 0;
        case pacer_phase::ramp_down: {
            const std::uint64_t len = pacer_.phases().ramp_down_ns;
            const std::uint64_t left = len - std::min(len, pacer_.into_ramp_down(core_.now_ns));
            __extension__ using u128 = unsigned __int128;
            return static_cast<std::uint32_t>(u128{target} * left / (len == 0 ? 1 : len));
        }
        default: return target;
        }
    }

    // Above the concurrency the phases allow (ramp-down, or a lowered
    // target): logs users out, visiting a bounded number of slots per poll.
    void shed_users(Io& io) noexcept {
        const std::uint32_t allowed = concurrency_now();
        const std::uint32_t users = core_.settings.users;
        std::uint32_t senders = 0;  // paced as a stop is (poll_budget::stop_senders)
        for (std::uint32_t n = 0;
             n < budget_.shed_sweep && senders < budget_.stop_senders && core_.table.active() > allowed; ++n) {
            if (shed_cursor_ >= users) shed_cursor_ = 0;
            senders += client_.stop_user(io, shed_cursor_++) ? 1 : 0;
        }
    }

    void start_users(Io& io) noexcept {
        const std::uint64_t total = core_.settings.total_sessions;
        const std::uint64_t started = core_.counters.users.started;
        if (total != 0 && started >= total) return;
        const std::uint32_t allowed = concurrency_now();
        const std::uint32_t active = core_.table.active();
        if (active >= allowed) return;
        std::uint64_t want = std::min<std::uint64_t>(core_.table.free_count(), budget_.new_users);
        want = std::min<std::uint64_t>(want, allowed - active);
        if (total != 0) want = std::min(want, total - started);
        const std::uint64_t n = pacer_.take(core_.now_ns, want);
        for (std::uint64_t i = 0; i < n; ++i) {
            const std::uint32_t slot = core_.table.take_free();
            client_.start_user(io, slot);
            server_.reset(slot);
        }
    }

    engine_core core_;
    parsed_burst parsed_;  // the received burst's frames, parsed once
    client_half client_;
    server_half server_;
    pacer pacer_;
    neighbour_handler neighbours_;
    poll_budget budget_;
    bool started_ = false;
    bool stopping_ = false;
    bool ended_before_stop_ = false;  // the phases had ended: the stop is the run's normal end
    std::uint32_t worker_count_;
    queue_steering steering_;
    std::uint32_t stop_cursor_ = 0;
    std::uint32_t shed_cursor_ = 0;
    std::uint64_t next_drain_ = 0;
};

}  // namespace qqgen::engine
