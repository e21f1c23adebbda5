#include "control/run/control_signals.hpp"

#include <atomic>
#include <csignal>

namespace qqgen::control {

namespace {

std::atomic<int> signal_count{0};

extern "C" void on_stop_signal(int) { signal_count.fetch_add(1, std::memory_order_relaxed); }

}  // namespace

void watch_stop_signals() noexcept {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

int stop_signals() noexcept { return signal_count.load(std::memory_order_relaxed); }

}  // namespace qqgen::control
