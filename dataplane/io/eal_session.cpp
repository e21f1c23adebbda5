#include "dataplane/io/eal_session.hpp"

#include <cstring>
#include <string>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

namespace qqgen::dpdk {

eal_session::~eal_session() { cleanup(); }

io_status eal_session::init(std::span<const std::string> args) {
    if (initialised_) return io_status::fail("EAL: already initialised in this process");
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (const auto& a : args) {
        auto copy = std::make_unique<char[]>(a.size() + 1);
        std::memcpy(copy.get(), a.c_str(), a.size() + 1);
        argv.push_back(copy.get());
        arg_storage_.push_back(std::move(copy));
    }
    argv.push_back(nullptr);
    const int consumed = rte_eal_init(static_cast<int>(args.size()), argv.data());
    if (consumed < 0) {
        const int err = rte_errno;
        std::string hint;
        switch (err) {
        case EACCES: hint = "run as root (or give the user access to hugepages and devices)"; break;
        case EALREADY: hint = "rte_eal_init can run only once per process"; break;
        case ENOMEM:
            hint = "reserve hugepages (echo 512 > /proc/sys/vm/nr_hugepages; mount -t hugetlbfs "
                   "nodev /dev/hugepages) or pass --no-huge -m 512";
            break;
        case EBUSY:
            hint = "another DPDK process holds the same runtime files; pass --in-memory or its "
                   "own --file-prefix";
            break;
        default: hint = "check the EAL arguments before `--` (e.g. -l 0-1 --in-memory)"; break;
        }
        return io_status::fail("EAL initialisation failed: " + std::string(rte_strerror(err)) +
                               "; " + hint);
    }
    if (static_cast<std::size_t>(consumed) + 1 < args.size())
        return io_status::fail("EAL did not understand '" + args[static_cast<std::size_t>(consumed) + 1] +
                               "': EAL options go before `--`, qqgen options after it");
    initialised_ = true;
    return io_status::ok();
}

void eal_session::cleanup() noexcept {
    if (!initialised_) return;
    rte_eal_cleanup();
    initialised_ = false;
}

unsigned eal_session::lcore_count() const noexcept {
    return initialised_ ? rte_lcore_count() : 0;
}

unsigned eal_session::worker_lcore_count() const noexcept {
    const unsigned n = lcore_count();
    return n > 0 ? n - 1 : 0;
}

}  // namespace qqgen::dpdk
