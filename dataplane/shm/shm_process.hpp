// Whether the process that created a segment still runs. A pid alone is not
// enough: after a crash the pid can be reused by an unrelated process, so the
// header also records the process's start time (/proc/<pid>/stat field 22,
// proc(5)), and a zombie counts as gone.
#pragma once

#include <cstdint>

namespace qqgen::shm {

// The start time of `pid` in clock ticks since boot; 0 if it cannot be read.
std::uint64_t process_start_ticks(std::uint32_t pid) noexcept;

// True while `pid` runs and, when start_ticks is not 0 and /proc can be read,
// is the same process that recorded start_ticks. kill(pid, 0) failing with
// EPERM counts as running (another user's process).
bool process_running(std::uint32_t pid, std::uint64_t start_ticks) noexcept;

}  // namespace qqgen::shm
