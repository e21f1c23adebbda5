// Human-readable run statistics: one line per interval while running, a
// table at the end. Plain text on a FILE*, written by the main lcore only.
#pragma once

#include <cstdio>

#include "dataplane/io/run_report.hpp"

namespace qqgen::dpdk {

// Rates between two snapshots, e.g.
// [   3.0s] client tx 1.20 Mpps 1.10 Gb/s rx ... | server ... | drops 0 | capture 0 lost
void print_interval(std::FILE* out, const run_snapshot& before, const run_snapshot& now);

// Every counter, per port and per worker, and the averages over the run.
void print_summary(std::FILE* out, const run_report& report);

void print_shutdown(std::FILE* out, const shutdown_report& report);

}  // namespace qqgen::dpdk
