// The DPDK Environment Abstraction Layer for the life of a program: init
// with the EAL arguments (those before `--`), rte_eal_cleanup at the end.
//
// rte_eal_init can run once per process, so there is one eal_session in
// main(), passed down by reference; nothing reaches it through a global.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dataplane/io/io_status.hpp"

namespace qqgen::dpdk {

class eal_session {
public:
    eal_session() = default;
    eal_session(const eal_session&) = delete;
    eal_session& operator=(const eal_session&) = delete;
    ~eal_session();

    // args[0] is the program name, the rest are EAL arguments. Never exits
    // the process (unlike rte_exit); a failure says what to change.
    io_status init(std::span<const std::string> args);

    // rte_eal_cleanup now rather than at destruction (idempotent). Every
    // port and mempool must be released first.
    void cleanup() noexcept;

    bool initialised() const noexcept { return initialised_; }
    unsigned lcore_count() const noexcept;
    unsigned worker_lcore_count() const noexcept;

private:
    // rte_eal_init may keep pointers into argv, so the strings live as long
    // as the session.
    std::vector<std::unique_ptr<char[]>> arg_storage_;
    bool initialised_ = false;
};

}  // namespace qqgen::dpdk
