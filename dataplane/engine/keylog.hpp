// The optional key log: one line per key a client learns, so that a capture
// of the run can be decrypted later (for instance by a Wireshark Lua
// dissector or a test script):
//
//   QQ-NUMBER KIND KEY-HEX\n      KIND: password | session
//
// The worker appends into a buffer allocated at set-up; the caller (the main
// lcore, a test) drains it with pending()/consume(). No file I/O, no
// allocation on the hot path: a line that does not fit is counted and lost.
// Owned by one worker; draining from another thread is the caller's job to
// synchronise (the DPDK layer copies it out between bursts).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "protocols/qq_tea.hpp"

namespace qqgen::engine {

enum class key_kind : std::uint8_t { password, session };

class keylog {
public:
    // One line is at most 10 + 1 + 8 + 1 + 32 + 1 bytes.
    static constexpr std::size_t max_line = 54;

    // capacity 0 disables the log (add() does nothing, counts nothing).
    explicit keylog(std::size_t capacity = 0) : buffer_(capacity) {}

    [[nodiscard]] bool enabled() const noexcept { return !buffer_.empty(); }

    void add(std::uint32_t qq_number, key_kind kind, const proto::tea_key& key) noexcept {
        if (!enabled()) return;
        std::array<char, max_line> line{};
        std::size_t n = 0;
        // Decimal QQ number.
        std::array<char, 10> digits{};
        std::size_t d = 0;
        do {
            digits[d++] = static_cast<char>('0' + qq_number % 10);
            qq_number /= 10;
        } while (qq_number != 0);
        while (d > 0) line[n++] = digits[--d];
        line[n++] = ' ';
        const std::string_view k = kind == key_kind::password ? "password" : "session";
        std::memcpy(line.data() + n, k.data(), k.size());
        n += k.size();
        line[n++] = ' ';
        static constexpr char hex[] = "0123456789abcdef";
        for (std::byte b : key.bytes) {
            line[n++] = hex[std::to_integer<unsigned>(b) >> 4];
            line[n++] = hex[std::to_integer<unsigned>(b) & 15];
        }
        line[n++] = '\n';
        if (buffer_.size() - used_ < n) {
            ++dropped_;
            return;
        }
        std::memcpy(buffer_.data() + used_, line.data(), n);
        used_ += n;
        ++lines_;
    }

    // Whole lines written and not yet consumed.
    [[nodiscard]] std::string_view pending() const noexcept { return {buffer_.data(), used_}; }
    // Drops the first n pending bytes (the caller has written them out).
    void consume(std::size_t n) noexcept {
        if (n >= used_) {
            used_ = 0;
            return;
        }
        std::memmove(buffer_.data(), buffer_.data() + n, used_ - n);
        used_ -= n;
    }

    [[nodiscard]] std::uint64_t lines() const noexcept { return lines_; }
    [[nodiscard]] std::uint64_t dropped() const noexcept { return dropped_; }

private:
    std::vector<char> buffer_;
    std::size_t used_ = 0;
    std::uint64_t lines_ = 0;
    std::uint64_t dropped_ = 0;
};

}  // namespace qqgen::engine
