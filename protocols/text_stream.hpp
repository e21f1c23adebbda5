// Message text of a chosen size, cut from a charset's prepared lines.
//
// A profile may ask for messages of given sizes (load_settings
// message_sizes), longer or shorter than any one corpus line. At set-up the
// prepared lines of a charset are joined by single spaces into one stream,
// repeated so that a cut of up to max_take bytes starting at any line is
// contiguous; the packet path then returns a span into it (no copy, no
// allocation, no iconv).
//
// A cut never splits a character or a smiley (0x14 and its code byte,
// qq-protocol.md "Instant message body"), so the receiver's charset decoder
// reads it whole; it never ends on a joining space either. It is therefore up
// to 3 bytes shorter than asked (a GB18030 four-byte character), and a cut
// asked shorter than the first character holds that character.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "protocols/bytes.hpp"
#include "protocols/text_corpus.hpp"

namespace qqgen::proto {

struct text_stream_result;

class text_stream {
public:
    text_stream() = default;

    // Lines the cuts can start at (those of the prepared table).
    [[nodiscard]] std::size_t lines() const noexcept { return line_start_.size(); }
    [[nodiscard]] std::size_t max_take() const noexcept { return max_take_; }
    [[nodiscard]] bool empty() const noexcept { return line_start_.empty(); }

    // Packet path. The text from the start of line `line` (< lines()), at
    // most `bytes` (<= max_take()) long and ending on a character boundary;
    // at least the line's first character.
    [[nodiscard]] const_byte_span take(std::size_t line, std::size_t bytes) const noexcept {
        const std::size_t start = line_start_[line];
        std::size_t end = start + bytes;
        while (end > start && !boundary_[end]) --end;
        if (end == start) end = first_end_[line];
        return {text_.data() + start, end - start};
    }

private:
    friend text_stream_result build_text_stream(const prepared_texts& t, std::size_t max_take);

    std::vector<std::byte> text_;
    std::vector<std::uint32_t> line_start_;
    std::vector<std::uint32_t> first_end_;  // per line: where its first character ends
    std::vector<std::uint8_t> boundary_;    // [k]: a cut may end before text_[k]; size text_.size() + 1
    std::size_t max_take_ = 0;
};

struct text_stream_result {
    text_stream stream;
    std::string error;  // empty on success
    [[nodiscard]] bool ok() const noexcept { return error.empty(); }
};

// Set-up time (allocates). Fails on an empty table or a line whose bytes are
// not well-formed in the table's charset (a truncated multi-byte character).
text_stream_result build_text_stream(const prepared_texts& t, std::size_t max_take);

// Bytes of the character that starts at `text[0]` in charset `cs` (a smiley
// 0x14 XX counts as one character of 2 bytes); 0 if text is empty or the
// character is cut off or malformed. GBK and Big5 lead bytes 0x81-0xFE start
// two-byte characters; GB18030 adds four-byte ones (second byte 0x30-0x39).
std::size_t character_size(const_byte_span text, charset cs) noexcept;

}  // namespace qqgen::proto
