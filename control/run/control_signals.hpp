// SIGINT/SIGTERM for the control commands that wait (run, stats --watch):
// the handler only counts; the command's loop decides (first: graceful stop
// through shared memory, second: stop now).
#pragma once

namespace qqgen::control {

void watch_stop_signals() noexcept;
// How many SIGINT/SIGTERM arrived since watch_stop_signals().
int stop_signals() noexcept;

}  // namespace qqgen::control
