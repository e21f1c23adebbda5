#include "control/run/dataplane_process.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace qqgen::control {

namespace {

int decode_status(int wstatus) {
    if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
    return -1;
}

}  // namespace

dataplane_process::~dataplane_process() {
    if (pid_ > 0 && running()) {
        ::kill(pid_, SIGKILL);
        wait(2000);
    }
}

std::string dataplane_process::start(const std::string& binary, const std::vector<std::string>& args,
                                     const std::string& cwd, const std::string& log_path) {
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log < 0) return "cannot open " + log_path + ": " + std::strerror(errno);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, log, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, log, STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    // The profile's file names (capture, key log) are relative to the run directory.
    posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    // Its own process group: a Ctrl-C on the terminal reaches control only,
    // which then stops the dataplane gracefully through shared memory.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    const int rc = posix_spawnp(&pid_, binary.c_str(), &actions, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    ::close(log);
    if (rc != 0) {
        pid_ = -1;
        return "cannot start " + binary + ": " + std::strerror(rc);
    }
    return {};
}

bool dataplane_process::running() {
    if (pid_ <= 0) return false;
    if (status_ >= 0) return false;
    int ws = 0;
    const pid_t r = ::waitpid(pid_, &ws, WNOHANG);
    if (r == pid_) {
        status_ = decode_status(ws);
        return false;
    }
    return r == 0;
}

int dataplane_process::wait(int timeout_ms) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (running()) {
        if (std::chrono::steady_clock::now() >= end) {
            ::kill(pid_, SIGKILL);
            int ws = 0;
            if (::waitpid(pid_, &ws, 0) == pid_) status_ = decode_status(ws);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return status_;
}

void dataplane_process::signal(int sig) const noexcept {
    if (pid_ > 0 && status_ < 0) ::kill(pid_, sig);
}

std::string find_dataplane_binary() {
    if (const char* env = std::getenv("QQGEN_DATAPLANE"); env != nullptr && *env != '\0') return env;
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const auto sibling = self.parent_path() / "qqgen-dataplane";
        if (std::filesystem::exists(sibling, ec)) return sibling.string();
    }
    return "qqgen-dataplane";
}

}  // namespace qqgen::control
