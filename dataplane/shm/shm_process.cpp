#include "dataplane/shm/shm_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace qqgen::shm {
namespace {

struct proc_stat {
    bool read = false;
    char state = '?';
    std::uint64_t start_ticks = 0;
};

// proc(5): "pid (comm) state ppid ...", comm may hold spaces and ')', so
// fields are counted from the last ')'. starttime is field 22.
proc_stat read_proc_stat(std::uint32_t pid) noexcept {
    char path[48];
    std::snprintf(path, sizeof path, "/proc/%u/stat", pid);
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    char buf[1024];
    const ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) return {};
    buf[n] = '\0';
    const char* p = std::strrchr(buf, ')');
    if (p == nullptr || p[1] != ' ') return {};
    proc_stat st;
    st.state = p[2];
    p += 2;
    for (int field = 3; field < 22; ++field) {  // skip to field 22
        p = std::strchr(p, ' ');
        if (p == nullptr) return {};
        ++p;
    }
    st.start_ticks = std::strtoull(p, nullptr, 10);
    st.read = true;
    return st;
}

}  // namespace

std::uint64_t process_start_ticks(std::uint32_t pid) noexcept {
    return read_proc_stat(pid).start_ticks;
}

bool process_running(std::uint32_t pid, std::uint64_t start_ticks) noexcept {
    if (pid == 0 || pid > 0x7FFFFFFFu) return false;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) return false;
    const proc_stat st = read_proc_stat(pid);
    if (!st.read) return true;  // /proc hidden (hidepid): trust kill()
    if (st.state == 'Z' || st.state == 'X') return false;
    return start_ticks == 0 || st.start_ticks == start_ticks;
}

}  // namespace qqgen::shm
