#include "control/key_log.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace qqgen::control {

void key_log::add(std::uint32_t qq_number, std::string_view kind, const std::array<std::byte, 16>& key) {
    static constexpr char hex[] = "0123456789abcdef";
    text_ += std::to_string(qq_number);
    text_ += ' ';
    text_ += kind;
    text_ += ' ';
    for (std::byte b : key) {
        text_ += hex[std::to_integer<unsigned>(b) >> 4];
        text_ += hex[std::to_integer<unsigned>(b) & 15];
    }
    text_ += '\n';
}

void key_log::write_file(const std::string& path) const {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (f) f << text_;
    if (!f.flush()) throw std::runtime_error("cannot write key log '" + path + "': " + std::strerror(errno));
}

}  // namespace qqgen::control
