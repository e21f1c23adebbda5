// A QQ key log: one line per key, `QQ-NUMBER KIND KEY-HEX`, KIND `password`
// (MD5(MD5(password)), which opens the login-OK reply) or `session` (which opens
// everything after it). With it anyone can decrypt a qqgen capture.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace qqgen::control {

class key_log {
public:
    void add(std::uint32_t qq_number, std::string_view kind, const std::array<std::byte, 16>& key);
    [[nodiscard]] const std::string& text() const noexcept { return text_; }
    // Throws std::runtime_error naming the path when it cannot be written.
    void write_file(const std::string& path) const;

private:
    std::string text_;
};

}  // namespace qqgen::control
