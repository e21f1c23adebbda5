// Publishing a validated profile to a running dataplane and waiting for
// every worker to acknowledge it: shared by `qqgen run` and `qqgen apply`.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "control/profile/run_profile.hpp"
#include "control/shm/shm_attach.hpp"

namespace qqgen::control {

struct publication {
    std::uint64_t generation = 0;
    ack_report acks;
};

publication publish_and_wait(shm_attachment& shm, const run_profile& profile, std::chrono::nanoseconds timeout,
                             std::chrono::nanoseconds max_silence = std::chrono::seconds(1));

// Prints one line per worker that did not apply it, and a summary line;
// true when every worker applied it.
bool print_acks(std::FILE* out, const publication& p);

}  // namespace qqgen::control
