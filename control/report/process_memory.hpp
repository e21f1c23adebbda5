// A process's memory as the kernel counts it (/proc/PID/status): resident
// set (anonymous and file pages; DPDK's --no-huge memory lands here) and
// hugetlbfs pages mapped (DPDK's hugepage memory, which VmRSS leaves out).
#pragma once

#include <cstdint>
#include <optional>

namespace qqgen::control {

struct process_memory {
    std::uint64_t rss_bytes = 0;
    std::uint64_t hugetlb_bytes = 0;
};

// Empty when the process is gone or /proc cannot be read.
std::optional<process_memory> read_process_memory(int pid);

}  // namespace qqgen::control
