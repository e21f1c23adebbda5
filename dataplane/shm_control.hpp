// The dataplane's main-thread side of the control shared memory
// (docs/shm-abi.md): waiting for the first profile, refusing a bad one in
// every worker's stats block, the heartbeat, and turning control's stop
// command into a stop of the run.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "dataplane/engine/load_settings.hpp"
#include "dataplane/io/signal_watch.hpp"
#include "dataplane/shm/shm_segment.hpp"

namespace qqgen::dataplane {

struct first_profile {
    engine::load_settings settings{};
    std::uint64_t generation = 0;
};

// Beats and waits until control publishes a profile the workers can run
// (validated here, before any engine is built), a signal or a stop command
// arrives, or `timeout` passes. A profile that fails validation is refused
// in every worker's stats block (control's `apply` shows the reason) and the
// wait goes on. Empty when the wait ended without a profile; `why` says why.
std::optional<first_profile> wait_for_first_profile(shm::segment& seg, dpdk::signal_watch& signals,
                                                    std::chrono::milliseconds timeout, std::string& why);

// Called by the main lcore about every millisecond while workers run:
// beats, and returns true once control has sent stop or stop_now.
class shm_stop_watch {
public:
    explicit shm_stop_watch(shm::segment& seg) noexcept;
    bool stop_requested() noexcept;

private:
    shm::segment* seg_;
    std::uint64_t first_sequence_ = 0;  // commands sent before the run began are old news
    std::uint64_t last_beat_ns_ = 0;
};

}  // namespace qqgen::dataplane
