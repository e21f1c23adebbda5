#include "protocols/text_stream.hpp"

#include <algorithm>
#include <limits>

namespace qqgen::proto {

namespace {

constexpr std::byte joining_space{0x20};  // ASCII: the same byte in every charset qqgen writes

std::size_t utf8_size(std::uint8_t lead) noexcept {
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) return 2;
    if (lead >= 0xE0 && lead <= 0xEF) return 3;
    if (lead >= 0xF0 && lead <= 0xF4) return 4;
    return 0;
}

}  // namespace

std::size_t character_size(const_byte_span text, charset cs) noexcept {
    if (text.empty()) return 0;
    const auto b0 = std::to_integer<std::uint8_t>(text[0]);
    std::size_t n = 1;
    if (text[0] == smiley_lead) {
        n = 2;
    } else if (cs == charset::utf8) {
        n = utf8_size(b0);
        for (std::size_t k = 1; n != 0 && k < n && k < text.size(); ++k)
            if ((std::to_integer<std::uint8_t>(text[k]) & 0xC0) != 0x80) n = 0;
    } else if (b0 >= 0x81 && b0 <= 0xFE) {
        n = 2;
        if (cs == charset::gb18030 && text.size() >= 2) {
            const auto b1 = std::to_integer<std::uint8_t>(text[1]);
            if (b1 >= 0x30 && b1 <= 0x39) n = 4;
        }
    } else if (b0 >= 0x80) {
        n = 0;  // 0x80 and 0xFF lead nothing in GBK, GB18030 or Big5
    }
    return n <= text.size() ? n : 0;
}

text_stream_result build_text_stream(const prepared_texts& t, std::size_t max_take) {
    text_stream_result r;
    text_stream& s = r.stream;
    if (t.empty()) {
        r.error = "no text lines in charset " + std::string(to_string(t.target()));
        return r;
    }
    // One pass over the lines joined by spaces, recording where characters
    // start; then repeats of the same bytes until every line start has
    // max_take bytes after it.
    std::vector<std::uint8_t> starts;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const const_byte_span line = t.line(i);
        s.line_start_.push_back(static_cast<std::uint32_t>(s.text_.size()));
        std::size_t k = 0;
        while (k < line.size()) {
            const std::size_t n = character_size(line.subspan(k), t.target());
            if (n == 0) {
                r.error = "chat line " + std::to_string(i) + " in " + std::string(to_string(t.target())) +
                          " has a malformed character at byte " + std::to_string(k);
                r.stream = text_stream{};
                return r;
            }
            if (k == 0) s.first_end_.push_back(static_cast<std::uint32_t>(s.text_.size() + n));
            starts.push_back(1);
            starts.insert(starts.end(), n - 1, 0);
            k += n;
        }
        s.text_.insert(s.text_.end(), line.begin(), line.end());
        s.text_.push_back(joining_space);
        starts.push_back(2);
    }
    // starts[k]: 1 a character of a line starts at byte k, 0 k continues
    // one, 2 k is a joining space (a cut may end before it, not after it).
    const std::size_t period = s.text_.size();
    const std::size_t need = static_cast<std::size_t>(s.line_start_.back()) + max_take + 1;
    if (need > std::numeric_limits<std::uint32_t>::max()) {
        r.error = "chat text stream would exceed 4 GiB";
        r.stream = text_stream{};
        return r;
    }
    const std::vector<std::byte> once = s.text_;
    const std::vector<std::uint8_t> once_starts = starts;
    while (s.text_.size() < need) {
        const auto copy = static_cast<std::ptrdiff_t>(std::min(period, need - s.text_.size()));
        s.text_.insert(s.text_.end(), once.begin(), once.begin() + copy);
        starts.insert(starts.end(), once_starts.begin(), once_starts.begin() + copy);
    }
    // boundary_[k]: a cut may end before byte k: a character or a joining
    // space starts at k and byte k-1 is not a joining space. Cuts never
    // reach the stream's end (need above leaves a byte after the longest).
    s.boundary_.assign(s.text_.size() + 1, 0);
    for (std::size_t k = 1; k < s.text_.size(); ++k)
        s.boundary_[k] = starts[k] != 0 && starts[k - 1] != 2 ? 1 : 0;
    s.max_take_ = max_take;
    return r;
}

}  // namespace qqgen::proto
