// The session engine as the DPDK worker loop runs it, plus what it hands back
// to the main lcore: a done flag (so a run of N users ends by itself) and, once
// the worker stops, its final counters and key log.
//
// The result slot is written by its worker only; the main lcore reads `done`
// and `active` while the run goes on (relaxed atomics: a progress hint) and the
// rest after the workers have been joined (rte_eal_mp_wait_lcore orders it).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "dataplane/engine/blended_engine.hpp"
#include "dataplane/engine/next_hop_board.hpp"
#include "dataplane/shm_worker_link.hpp"

namespace qqgen::dataplane {

struct alignas(64) worker_result {  // own cache lines: written by one worker
    std::atomic<bool> done{false};
    std::atomic<std::uint32_t> active{0};
    bool finished = false;  // final counters below are valid
    engine::engine_counters counters{};
    std::size_t bytes_per_session = 0;
    std::size_t table_bytes = 0;
    std::string keylog;
    std::uint64_t keylog_dropped = 0;
};

template <class Io>
class engine_runner {
public:
    // With `link`, the worker also takes live profiles from the control
    // shared memory and publishes its stats block there.
    // `steering`: how the ports spread flows over the workers' queues;
    // `next_hops`: the board the workers share resolved MACs on (several
    // workers only).
    engine_runner(const engine::load_settings& s, unsigned worker, unsigned workers, const engine::chat_texts& texts,
                  worker_result& out, const worker_shm_view* shm = nullptr, std::uint64_t generation = 0,
                  const engine::queue_steering& steering = {}, engine::next_hop_board* next_hops = nullptr)
        : engine_(s, worker, workers, texts, {}, steering), out_(&out), next_hops_(next_hops) {
        if (shm != nullptr) link_.emplace(*shm, generation, s.users);
        out_->bytes_per_session = engine_.bytes_per_session();
        out_->table_bytes = engine_.table_bytes();
    }
    engine_runner(const engine_runner&) = delete;
    engine_runner& operator=(const engine_runner&) = delete;
    ~engine_runner() { publish_final(); }

    void poll(Io& io) noexcept {
        engine_.poll(io);
        if (link_) link_->tick(engine_, io, turns_);
        // A progress hint every 1024 turns: two relaxed stores, no fence;
        // and the next hops other workers resolved (two relaxed loads).
        if ((++turns_ & 1023u) == 0) {
            if (next_hops_ != nullptr) sharing_.meet(engine_.qq().neighbours(), *next_hops_);
            out_->active.store(engine_.active_users(), std::memory_order_relaxed);
            if (engine_.done()) out_->done.store(true, std::memory_order_relaxed);
        }
    }

    bool graceful_stop_step(Io& io) noexcept {
        const bool stopped = engine_.graceful_stop_step(io);
        if (link_ && stopped) link_->publish(engine_, io, turns_, shm::worker_state::finished);
        else if (link_) link_->tick(engine_, io, turns_, shm::worker_state::stopping);
        if (stopped) publish_final();
        return stopped;
    }

private:
    void publish_final() noexcept {
        if (out_->finished) return;
        out_->counters = engine_.counters();
        out_->active.store(engine_.active_users(), std::memory_order_relaxed);
        out_->keylog_dropped = engine_.keys().dropped();
        try {
            out_->keylog.assign(engine_.keys().pending());
        } catch (...) {
            out_->keylog_dropped += engine_.keys().lines();
        }
        out_->finished = true;
    }

    engine::blended_engine<Io> engine_;
    worker_result* out_;
    engine::next_hop_board* next_hops_;
    engine::next_hop_sharing sharing_;
    std::optional<shm_worker_link> link_;
    std::uint32_t turns_ = 0;
};

}  // namespace qqgen::dataplane
