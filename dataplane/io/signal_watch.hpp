// SIGINT/SIGTERM for the main lcore, without a signal handler or a global
// flag: the signals are blocked and read from a signalfd.
//
// open() must run before rte_eal_init so that every thread EAL creates
// (workers, interrupt and telemetry threads) inherits the blocked mask and
// the signal is delivered to the fd, never to a worker.
#pragma once

#include <chrono>

#include "dataplane/io/io_status.hpp"

namespace qqgen::dpdk {

class signal_watch {
public:
    signal_watch() = default;
    signal_watch(const signal_watch&) = delete;
    signal_watch& operator=(const signal_watch&) = delete;
    ~signal_watch();

    io_status open();

    // Waits up to `timeout` for SIGINT or SIGTERM; returns its number, or 0
    // when none came. Doubles as the housekeeping loop's sleep.
    int wait(std::chrono::milliseconds timeout) noexcept;

private:
    int fd_ = -1;
};

}  // namespace qqgen::dpdk
