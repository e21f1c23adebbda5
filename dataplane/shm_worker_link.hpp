// A worker's side of the control shared memory (docs/shm-abi.md): it looks
// at the profile slot's generation word about once a millisecond (one
// relaxed load when nothing changed), copies a new profile out under the
// seqlock between two polls, checks it (size, checksum, the engine's own
// validation and live-change rules) and applies it or refuses it with the
// reason in its stats block, keeping the profile it runs. It publishes its
// stats block (engine and port counters, phase, active users) about once a
// millisecond, and at once after an apply or a refusal so that control can
// measure the acknowledgement.
//
// Everything lives in this object (made before the loop starts): nothing is
// allocated per poll. The refusal text of a bad profile is the one
// allocation, once per refused generation.
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include "dataplane/engine/session_engine.hpp"
#include "dataplane/shm/shm_abi.hpp"
#include "dataplane/shm/shm_segment.hpp"

namespace qqgen::dataplane {

// Worker w's way to the segment (shm_segment.hpp: the worker-side calls
// touch only the mapping, so workers call them concurrently).
struct worker_shm_view {
    shm::segment* segment = nullptr;
    std::uint32_t worker = 0;
};

// Why a profile slot read as `status` cannot be applied (bad_size,
// bad_checksum); the same words from the main thread and from workers.
constexpr std::string_view slot_refusal(shm::profile_status status) noexcept {
    return status == shm::profile_status::bad_size
               ? "profile slot payload size does not match this dataplane's ABI"
               : "profile slot checksum mismatch: the slot was corrupted; keeping the running profile";
}

class shm_worker_link {
public:
    shm_worker_link(worker_shm_view view, std::uint64_t applied_generation, std::uint64_t slots) noexcept
        : view_(view), seen_(applied_generation) {
        stats_.applied_generation = applied_generation;
        stats_.slots = slots;
        stats_.state = shm::worker_state::running;
    }

    // Called every poll; does its work about once a millisecond.
    template <class Engine, class Io>
    void tick(Engine& engine, Io& io, std::uint64_t loops,
              shm::worker_state state = shm::worker_state::running) noexcept {
        const std::uint64_t now = io.now_ns();
        if (now < next_ns_) return;
        next_ns_ = now + period_ns;
        if (state == shm::worker_state::running) check_profile(engine);
        publish(engine, io, loops, state);
    }

    template <class Engine, class Io>
    void publish(Engine& engine, Io& io, std::uint64_t loops, shm::worker_state state) noexcept {
        stats_.state = state;
        stats_.phase = static_cast<shm::worker_phase>(engine.phase());
        stats_.active_users = engine.active_users();
        stats_.loops = loops;
        stats_.published_unix_ns = shm::unix_ns();
        stats_.engine = engine.counters();
        stats_.io = io.counters();
        if constexpr (requires { io.pool_usage(); }) {
            const auto [in_use, total] = io.pool_usage();
            stats_.mbufs_in_use = in_use;
            stats_.mbufs_total = total;
        }
        view_.segment->publish_stats(view_.worker, stats_);
    }

    [[nodiscard]] std::uint64_t applied_generation() const noexcept { return stats_.applied_generation; }

private:
    static constexpr std::uint64_t period_ns = 1'000'000;

    template <class Engine>
    void check_profile(Engine& engine) noexcept {
        const shm::profile_read r = view_.segment->read_profile(profile_, seen_);
        switch (r.status) {
        case shm::profile_status::unchanged:
        case shm::profile_status::torn:  // control is writing: next time
            return;
        case shm::profile_status::bad_size:
        case shm::profile_status::bad_checksum:
            refuse(r.generation, slot_refusal(r.status));
            return;
        case shm::profile_status::ok: break;
        }
        seen_ = r.generation;
        try {
            const std::string why = engine.apply(profile_.settings);
            if (why.empty()) stats_.applied_generation = r.generation;
            else refuse(r.generation, why);
        } catch (const std::exception&) {
            refuse(r.generation, "out of memory while checking the profile");
        }
    }

    void refuse(std::uint64_t generation, std::string_view why) noexcept {
        seen_ = generation;
        stats_.refused_generation = generation;
        shm::set_field_text(stats_.refusal, why);
    }

    worker_shm_view view_;
    std::uint64_t seen_;
    std::uint64_t next_ns_ = 0;
    shm::shm_profile profile_{};
    shm::shm_worker_stats stats_{};
};

}  // namespace qqgen::dataplane
