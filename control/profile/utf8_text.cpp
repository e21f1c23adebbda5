#include "control/profile/utf8_text.hpp"

namespace qqgen::control {

std::size_t first_invalid_utf8(std::string_view text) noexcept {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    std::size_t i = 0;
    while (i < text.size()) {
        const unsigned char b = byte(i);
        if (b < 0x80) {
            ++i;
            continue;
        }
        // Lead byte: sequence length and the range of the second byte that
        // rules out overlong forms, surrogates and code points past U+10FFFF
        // (RFC 3629 section 4, the UTF8-2/3/4 rules).
        std::size_t len = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (b >= 0xC2 && b <= 0xDF)
            len = 2;
        else if (b == 0xE0)
            len = 3, lo = 0xA0;
        else if (b >= 0xE1 && b <= 0xEC)
            len = 3;
        else if (b == 0xED)
            len = 3, hi = 0x9F;
        else if (b >= 0xEE && b <= 0xEF)
            len = 3;
        else if (b == 0xF0)
            len = 4, lo = 0x90;
        else if (b >= 0xF1 && b <= 0xF3)
            len = 4;
        else if (b == 0xF4)
            len = 4, hi = 0x8F;
        else
            return i;
        if (i + len > text.size()) return i;
        if (byte(i + 1) < lo || byte(i + 1) > hi) return i;
        for (std::size_t k = 2; k < len; ++k)
            if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return i;
        i += len;
    }
    return std::string_view::npos;
}

}  // namespace qqgen::control
