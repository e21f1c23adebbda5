// One worker's whole load: its QQ users (session_engine.hpp) and the
// companion applications blended with them (app_engine.hpp), over one Io.
// It satisfies worker_engine (worker_engine.hpp) and offers what the
// engine runner and the shared-memory link ask of an engine.
//
// QQ's engine receives every frame and parses and checks it once; frames of
// a companion (its client ports, its servers' addresses) are handed to the
// app engine before QQ looks at them. The app engine starts its sessions
// once QQ's neighbour module knows both next hops, and sends to them.
// Without companions in the profile the app engine is empty and the only
// cost per frame is the hand-off's first comparison.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "dataplane/engine/app_engine.hpp"
#include "dataplane/engine/session_engine.hpp"

namespace qqgen::engine {

template <frame_io Io>
class blended_engine {
public:
    blended_engine(const load_settings& s, std::uint32_t worker_index, std::uint32_t worker_count,
                   const chat_texts& texts, poll_budget budget = {}, const queue_steering& steering = {})
        : qq_(s, worker_index, worker_count, texts, budget, steering), apps_(s, worker_index, worker_count, steering) {}

    blended_engine(const blended_engine&) = delete;
    blended_engine& operator=(const blended_engine&) = delete;

    void poll(Io& io) noexcept {
        qq_.poll(io, hand_off{apps_});
        poll_apps(io);
    }

    bool graceful_stop_step(Io& io) noexcept {
        const bool apps_done = !apps_.enabled() || apps_.stop_step(io);
        const bool qq_done = qq_.graceful_stop_step(io, hand_off{apps_});
        poll_apps(io);
        return apps_done && qq_done;
    }
    void begin_stop() noexcept {
        qq_.begin_stop();
        apps_.begin_stop();
    }

    [[nodiscard]] bool done() const noexcept { return qq_.done() && apps_.done(); }
    [[nodiscard]] run_phase phase() const noexcept { return qq_.phase(); }
    [[nodiscard]] bool stopping() const noexcept { return qq_.stopping(); }

    // A live change: QQ's rules decide (load_settings::live_change_refusal
    // covers the applications too); the companions' rates follow.
    [[nodiscard]] std::string apply(const load_settings& next) {
        std::string why = qq_.apply(next);
        if (why.empty()) apps_.apply(next);
        return why;
    }

    // QQ's counters with the companions' in `apps` (and their TX buffer
    // shortages and encoder refusals in the ports' totals).
    [[nodiscard]] const engine_counters& counters() noexcept {
        merged_ = qq_.counters();
        merged_.apps = apps_.counters();
        merged_.encode_failures += apps_.encode_failures();
        for (const port_role r : all_port_roles) merged_.tx_no_buffer[index_of(r)] += apps_.tx_no_buffer()[index_of(r)];
        return merged_;
    }
    [[nodiscard]] keylog& keys() noexcept { return qq_.keys(); }
    [[nodiscard]] const load_settings& settings() const noexcept { return qq_.settings(); }
    [[nodiscard]] neighbour_handler& neighbours() noexcept { return qq_.neighbours(); }
    [[nodiscard]] std::uint32_t active_users() const noexcept { return qq_.active_users() + apps_.active(); }
    [[nodiscard]] std::size_t armed_timers() const noexcept { return qq_.armed_timers() + apps_.armed_timers(); }
    // Per QQ user, as before (docs/session-engine.md); the companions' table
    // is in table_bytes.
    [[nodiscard]] std::size_t bytes_per_session() const noexcept { return qq_.bytes_per_session(); }
    [[nodiscard]] std::size_t table_bytes() const noexcept { return qq_.table_bytes() + apps_.table_bytes(); }

    [[nodiscard]] session_engine<Io>& qq() noexcept { return qq_; }
    [[nodiscard]] app_engine<Io>& apps() noexcept { return apps_; }

private:
    struct hand_off {
        app_engine<Io>& apps;
        bool operator()(Io& io, port_role role, const proto::parsed_frame& f, std::size_t size) const noexcept {
            return apps.take(io, role, f, size);
        }
    };

    void poll_apps(Io& io) noexcept {
        neighbour_handler& n = qq_.neighbours();
        const bool ready = n.ready(port_role::client) && n.ready(port_role::server);
        apps_.poll(io, io.now_ns(), ready, n.next_hop_mac(port_role::client), n.next_hop_mac(port_role::server));
    }

    session_engine<Io> qq_;
    app_engine<Io> apps_;
    engine_counters merged_{};
};

}  // namespace qqgen::engine
