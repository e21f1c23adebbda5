// The dataplane's side of the shared-memory ABI (shm_abi.hpp): it creates
// /dev/shm/qqgen.<instance>, owns it for the life of the process and unlinks
// it in the destructor. No threads, no locks.
//
// Who calls what: the main thread creates the segment and calls beat() about
// every 10 ms, set_state() and set_message(); worker w calls read_profile()
// and command(w) between bursts and publish_stats(w, ...) about once a
// millisecond. Those worker calls touch only the mapping, never the object's
// own members, so workers may call them concurrently with the main thread.
//
// Everything read from the segment is untrusted (control writes it): a
// profile comes back only whole, with its size and checksum verified.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dataplane/shm/shm_abi.hpp"
#include "dataplane/shm/shm_mapping.hpp"

namespace qqgen::shm {

enum class profile_status : std::uint8_t {
    ok,            // `out` holds generation `generation`
    unchanged,     // generation is the one the caller knows (or 0: none published yet); `out` untouched
    torn,          // control was writing: no stable copy within the tries; try again after the next burst
    bad_checksum,  // the slot's bytes do not match its checksum: refuse it
    bad_size,      // the record's payload size is not sizeof(shm_profile): refuse it
};
constexpr std::string_view to_string(profile_status s) noexcept {
    constexpr std::string_view n[] = {"ok", "unchanged", "torn", "bad_checksum", "bad_size"};
    return static_cast<std::size_t>(s) < std::size(n) ? n[static_cast<std::size_t>(s)] : "?";
}

struct profile_read {
    profile_status status = profile_status::unchanged;
    std::uint64_t generation = 0;  // the slot's generation (for torn: the last one seen, maybe 0)
};

struct create_result;

class segment {
public:
    segment(const segment&) = delete;
    segment& operator=(const segment&) = delete;
    segment(segment&&) noexcept = default;
    segment& operator=(segment&&) noexcept = default;
    // Marks the dataplane exited (attached controls see it and the message)
    // and unlinks the name if it is still this segment's.
    ~segment();

    // A fresh segment for `worker_count` workers (1 .. max_workers). A
    // segment of that name already there is refused if its dataplane still
    // runs, else removed (create_result::notice says so).
    static create_result create(std::string_view instance, std::uint32_t worker_count, std::uint64_t tsc_hz);

    const shm_header& header() const noexcept { return *reinterpret_cast<const shm_header*>(map_.data()); }
    const std::string& instance() const noexcept { return instance_; }
    std::uint32_t worker_count() const noexcept { return worker_count_; }

    // --- worker side (any worker thread, between bursts; never blocks or allocates)

    // The profile if its generation differs from `known_generation`. Only
    // the generation word is read when nothing changed.
    profile_read read_profile(shm_profile& out, std::uint64_t known_generation, unsigned tries = 4) const noexcept;
    // Control's latest command to `worker` (none for an unknown worker).
    worker_command command(std::uint32_t worker) const noexcept;
    // Worker `worker` only.
    void publish_stats(std::uint32_t worker, const shm_worker_stats& stats) noexcept;

    // --- main thread

    void beat() noexcept;
    void set_state(dataplane_state state) noexcept;
    void set_message(std::string_view message) noexcept;  // cut to 255 bytes
    const shm_status& status() const noexcept { return status_; }

private:
    segment() = default;
    shm_header& header_mut() noexcept { return *reinterpret_cast<shm_header*>(map_.data()); }
    const profile_slot& profile() const noexcept;
    const command_block& command_at(std::uint32_t worker) const noexcept;
    stats_block& stats_at(std::uint32_t worker) noexcept;
    void init(std::uint32_t worker_count, std::uint64_t tsc_hz) noexcept;
    void publish_status() noexcept;

    std::string instance_;
    std::string name_;  // shm_open name, /qqgen.<instance>
    mapping map_;
    // Our own copies: control can write the header, so offsets used on the
    // worker side never come from the segment.
    segment_layout layout_{};
    std::uint32_t worker_count_ = 0;
    shm_status status_{};  // the main thread's copy of what the status block holds
    std::uint64_t beats_ = 0;
};

// The segment, or why not (error). notice: something the dataplane should
// print even on success, e.g. a stale segment it removed.
struct create_result {
    std::optional<segment> seg;
    std::string error;
    std::string notice;
};

}  // namespace qqgen::shm
