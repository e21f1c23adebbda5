// The control side of the shared-memory ABI (dataplane/shm/shm_abi.hpp):
// attach to a running dataplane's segment, publish profiles, send commands,
// read stats, and tell whether the dataplane still lives.
//
// Control may run as several processes (`qqgen apply` while `qqgen stats`
// watches); profile publication takes the slot with a compare-and-swap so
// two publishers never interleave.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/shm/shm_abi.hpp"
#include "dataplane/shm/shm_mapping.hpp"

namespace qqgen::control {

enum class attach_error : std::uint8_t {
    none,
    bad_name,          // not [A-Za-z0-9_-]{1,32}
    no_such_instance,  // no /dev/shm/qqgen.<instance>
    not_qqgen,         // the file is not a qqgen segment (magic)
    abi_mismatch,      // a qqgen segment of another ABI version
    size_mismatch,     // header, layout and file size disagree
    stale,             // its dataplane no longer runs
    system,            // a system call failed (permissions, ...)
};
constexpr std::string_view to_string(attach_error e) noexcept {
    constexpr std::string_view n[] = {
        "none", "bad_name", "no_such_instance", "not_qqgen", "abi_mismatch", "size_mismatch", "stale", "system"};
    return static_cast<std::size_t>(e) < std::size(n) ? n[static_cast<std::size_t>(e)] : "?";
}

struct attach_options {
    bool clean_stale = false;  // unlink a stale segment (the result is still the stale error)
};

struct liveness {
    bool alive = true;
    std::string problem;  // when not alive: what a user reads
};

enum class ack_state : std::uint8_t {
    pending,     // the worker has not answered (yet)
    applied,     // it runs this generation
    refused,     // it refused this generation: see reason
    superseded,  // it went on to a newer generation without answering this one
};
struct worker_ack {
    ack_state state = ack_state::pending;
    std::string reason;  // for refused: the worker's words
};
struct ack_report {
    std::vector<worker_ack> workers;
    std::chrono::nanoseconds took{};
    std::string problem;  // the dataplane died or stopped responding while we waited

    [[nodiscard]] bool complete() const noexcept;     // no worker pending
    [[nodiscard]] bool all_applied() const noexcept;  // every worker applied
};

struct attach_result;

class shm_attachment {
public:
    shm_attachment(const shm_attachment&) = delete;
    shm_attachment& operator=(const shm_attachment&) = delete;
    shm_attachment(shm_attachment&&) noexcept = default;
    shm_attachment& operator=(shm_attachment&&) noexcept = default;
    ~shm_attachment() = default;  // unmaps; never unlinks (the dataplane owns the name)

    static attach_result attach(std::string_view instance, attach_options options = {});

    const std::string& instance() const noexcept { return instance_; }
    const shm::shm_header& header() const noexcept { return *reinterpret_cast<const shm::shm_header*>(map_.data()); }
    std::uint32_t worker_count() const noexcept { return worker_count_; }
    std::uint32_t pid() const noexcept { return header().pid; }

    // The dataplane's state and message, consistently; false if it was
    // being rewritten throughout.
    bool read_status(shm::shm_status& out) const noexcept;

    // Publishes `profile` (its published_unix_ns as given) and returns the new
    // generation (1, 2, ...).
    std::uint64_t publish_profile(const shm::shm_profile& profile) noexcept;

    // A consistent copy of worker `worker`'s stats; false for an unknown
    // worker or when no stable copy could be had (out is then unspecified).
    bool read_stats(std::uint32_t worker, shm::shm_worker_stats& out) const noexcept;

    // `c` to every worker (each sees a new command sequence).
    void send_command(shm::command c) noexcept;

    // Not alive when the dataplane exited, its process is gone, or its
    // heartbeat is older than max_silence. While the dataplane is starting
    // (DPDK start-up can hold its main thread) give it a longer max_silence.
    liveness dataplane_alive(std::chrono::nanoseconds max_silence) const;

    // Polls every worker's stats (about every millisecond) until each has
    // applied, refused or superseded `generation`, `timeout` passes, or the
    // dataplane is no longer alive (max_silence as above).
    ack_report wait_for_acks(std::uint64_t generation, std::chrono::nanoseconds timeout,
                             std::chrono::nanoseconds max_silence = std::chrono::seconds(1)) const;

private:
    shm_attachment() = default;
    shm::profile_slot& profile() noexcept;
    shm::command_block& command_at(std::uint32_t worker) noexcept;
    const shm::stats_block& stats_at(std::uint32_t worker) const noexcept;

    std::string instance_;
    shm::mapping map_;
    shm::segment_layout layout_{};  // checked against the header at attach
    std::uint32_t worker_count_ = 0;
};

// A handle, or the error kind and a message saying what to do.
struct attach_result {
    std::optional<shm_attachment> handle;
    attach_error error = attach_error::none;
    std::string message;
};

}  // namespace qqgen::control
