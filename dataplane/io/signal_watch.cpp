#include "dataplane/io/signal_watch.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace qqgen::dpdk {

namespace {
sigset_t stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}
}  // namespace

signal_watch::~signal_watch() {
    if (fd_ >= 0) ::close(fd_);
}

io_status signal_watch::open() {
    if (fd_ >= 0) return io_status::ok();
    const sigset_t set = stop_signals();
    if (int err = pthread_sigmask(SIG_BLOCK, &set, nullptr); err != 0)
        return io_status::fail(std::string("cannot block SIGINT/SIGTERM: ") + std::strerror(err));
    fd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd_ < 0)
        return io_status::fail(std::string("signalfd failed: ") + std::strerror(errno));
    return io_status::ok();
}

int signal_watch::wait(std::chrono::milliseconds timeout) noexcept {
    if (fd_ < 0) {
        ::usleep(static_cast<useconds_t>(timeout.count() * 1000));
        return 0;
    }
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return 0;
    signalfd_siginfo info{};
    if (::read(fd_, &info, sizeof(info)) != static_cast<ssize_t>(sizeof(info))) return 0;
    return static_cast<int>(info.ssi_signo);
}

}  // namespace qqgen::dpdk
