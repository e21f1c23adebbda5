#include "dataplane/shm_control.hpp"

#include <thread>

#include "dataplane/engine/neighbour_settings.hpp"
#include "dataplane/shm_worker_link.hpp"

namespace qqgen::dataplane {

namespace {

constexpr std::uint64_t beat_period_ns = 10'000'000;

// Every worker's stats block says the profile was refused (the workers do
// not run yet, so the main thread is those blocks' only writer).
void refuse_everywhere(shm::segment& seg, std::uint64_t generation, std::string_view why) {
    for (std::uint32_t w = 0; w < seg.worker_count(); ++w) {
        shm::shm_worker_stats s{};
        s.state = shm::worker_state::waiting_for_profile;
        s.refused_generation = generation;
        s.published_unix_ns = shm::unix_ns();
        shm::set_field_text(s.refusal, why);
        seg.publish_stats(w, s);
    }
}

std::string check(const engine::load_settings& s, std::uint32_t workers) {
    if (std::string why = s.validate_for_workers(workers); !why.empty()) return why;
    return engine::validate(engine::neighbour_settings_from(s));
}

bool stop_command(const shm::segment& seg) {
    for (std::uint32_t w = 0; w < seg.worker_count(); ++w)
        if (seg.command(w).what != shm::command::none) return true;
    return false;
}

}  // namespace

std::optional<first_profile> wait_for_first_profile(shm::segment& seg, dpdk::signal_watch& signals,
                                                    std::chrono::milliseconds timeout, std::string& why) {
    seg.set_state(shm::dataplane_state::waiting_for_profile);
    const auto end = std::chrono::steady_clock::now() + timeout;
    std::uint64_t known = 0;
    shm::shm_profile profile{};
    for (;;) {
        seg.beat();
        if (const int sig = signals.wait(std::chrono::milliseconds(5)); sig != 0) {
            why = "signal " + std::to_string(sig) + " before a profile arrived";
            return std::nullopt;
        }
        if (stop_command(seg)) {
            why = "control sent stop before a profile arrived";
            return std::nullopt;
        }
        const shm::profile_read r = seg.read_profile(profile, known);
        switch (r.status) {
        case shm::profile_status::ok:
            known = r.generation;
            if (std::string bad = check(profile.settings, seg.worker_count()); !bad.empty()) {
                refuse_everywhere(seg, r.generation, bad);
                seg.set_message("profile generation " + std::to_string(r.generation) + " refused: " + bad);
            } else {
                return first_profile{profile.settings, r.generation};
            }
            break;
        case shm::profile_status::bad_checksum:
        case shm::profile_status::bad_size:
            known = r.generation;
            refuse_everywhere(seg, r.generation, slot_refusal(r.status));
            break;
        case shm::profile_status::unchanged:
        case shm::profile_status::torn: break;
        }
        if (std::chrono::steady_clock::now() >= end) {
            why = "no valid profile within " + std::to_string(timeout.count() / 1000) + " s (--profile-timeout)";
            return std::nullopt;
        }
    }
}

shm_stop_watch::shm_stop_watch(shm::segment& seg) noexcept : seg_(&seg) {
    for (std::uint32_t w = 0; w < seg.worker_count(); ++w)
        first_sequence_ = std::max(first_sequence_, seg.command(w).sequence);
}

bool shm_stop_watch::stop_requested() noexcept {
    const std::uint64_t now = shm::mono_ns();
    if (now - last_beat_ns_ >= beat_period_ns) {
        seg_->beat();
        last_beat_ns_ = now;
    }
    for (std::uint32_t w = 0; w < seg_->worker_count(); ++w) {
        const shm::worker_command c = seg_->command(w);
        if (c.what != shm::command::none && c.sequence > first_sequence_) return true;
    }
    return false;
}

}  // namespace qqgen::dataplane
