// The qqgen-dataplane child of `qqgen run`: started with the profile's EAL
// and port options, its output into a log file of the run directory, and
// stopped or reaped by the control process.
//
// The binary is looked for beside the running `qqgen` (both are built into
// build/), then on PATH; QQGEN_DATAPLANE overrides both.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace qqgen::control {

class dataplane_process {
public:
    dataplane_process() = default;
    dataplane_process(const dataplane_process&) = delete;
    dataplane_process& operator=(const dataplane_process&) = delete;
    // Kills a child still running (SIGKILL) and reaps it.
    ~dataplane_process();

    // Starts `binary args...` in directory `cwd` with stdout and stderr
    // appended to log_path. Empty on success, else why not.
    std::string start(const std::string& binary, const std::vector<std::string>& args, const std::string& cwd,
                      const std::string& log_path);

    [[nodiscard]] pid_t pid() const noexcept { return pid_; }
    // Reaps the child if it has ended (no wait); true while it runs.
    bool running();
    // Waits for it to end, up to timeout_ms (SIGKILL after that). Its exit
    // status: the exit code, or 128 + signal.
    int wait(int timeout_ms);
    void signal(int sig) const noexcept;
    [[nodiscard]] int exit_status() const noexcept { return status_; }

private:
    pid_t pid_ = -1;
    int status_ = -1;
};

// Where qqgen-dataplane is: $QQGEN_DATAPLANE, beside /proc/self/exe, or
// "qqgen-dataplane" (PATH).
std::string find_dataplane_binary();

}  // namespace qqgen::control
