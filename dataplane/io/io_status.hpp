// The outcome of a start-up or tear-down step of the DPDK layer: ok, or a
// message a user can act on (what failed, where, how to fix it).
//
// Only set-up code returns io_status; the hot path has counters instead.
#pragma once

#include <string>
#include <utility>

namespace qqgen::dpdk {

class [[nodiscard]] io_status {
public:
    static io_status ok() { return io_status{}; }
    static io_status fail(std::string message) { return io_status{std::move(message)}; }

    bool is_ok() const noexcept { return !failed_; }
    explicit operator bool() const noexcept { return is_ok(); }
    const std::string& message() const noexcept { return message_; }

private:
    io_status() = default;
    explicit io_status(std::string message) : message_(std::move(message)), failed_(true) {}

    std::string message_;
    bool failed_ = false;
};

}  // namespace qqgen::dpdk
