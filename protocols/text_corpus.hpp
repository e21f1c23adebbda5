// The chat lines qqgen's users type, shipped inside the library, and the
// table that holds them pre-converted for the packet path.
//
// At set-up, prepare_texts() converts every selected line once into the
// target charset and packs the results into one contiguous arena; the packet
// path then only picks a line by index and copies its bytes (no allocation,
// no iconv). Lines are UTF-8 with smiley markers `{smiley:XX}` (charset.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/bytes.hpp"
#include "protocols/charset.hpp"

namespace qqgen::proto {

enum class corpus_language : std::uint8_t { simplified, traditional, english, mixed };

inline constexpr std::array<corpus_language, 4> all_corpus_languages{
    corpus_language::simplified, corpus_language::traditional, corpus_language::english, corpus_language::mixed};

constexpr std::string_view to_string(corpus_language l) noexcept {
    switch (l) {
    case corpus_language::simplified: return "simplified";
    case corpus_language::traditional: return "traditional";
    case corpus_language::english: return "english";
    case corpus_language::mixed: return "mixed";
    }
    return "?";
}

// Case-insensitive: "simplified", "traditional", "english", "mixed".
std::optional<corpus_language> parse_corpus_language(std::string_view name) noexcept;

// Whether every shipped line of a language can be written in a charset:
// simplified -> gbk, gb18030, utf-8; traditional -> big5, gb18030, utf-8;
// english and mixed -> all (mixed lines use only characters that Big5 and GBK
// share). The unit test checks this claim line by line against iconv.
// (Traditional lines happen to fit GBK too, as GBK carries Big5's
// characters, but a GBK client is a mainland client and types simplified.)
constexpr bool language_suits(corpus_language l, charset cs) noexcept {
    switch (l) {
    case corpus_language::simplified: return cs != charset::big5;
    case corpus_language::traditional: return cs != charset::gbk;
    case corpus_language::english:
    case corpus_language::mixed: return true;
    }
    return false;
}

// The shipped lines of one language, UTF-8. Static storage; never empty.
std::span<const std::string_view> corpus_lines(corpus_language l) noexcept;

// A line and its language, for building a table from lines of one's own.
struct tagged_line {
    std::string_view utf8;
    corpus_language language = corpus_language::english;
};

struct prepare_result;

// Lines converted to one charset, back to back in one arena. Built once at
// set-up, then read-only: share it between workers by const reference.
class prepared_texts {
public:
    prepared_texts() = default;

    [[nodiscard]] std::size_t size() const noexcept { return languages_.size(); }
    [[nodiscard]] bool empty() const noexcept { return languages_.empty(); }

    // Packet path. Precondition: i < size().
    [[nodiscard]] const_byte_span line(std::size_t i) const noexcept {
        return {arena_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]};
    }
    [[nodiscard]] corpus_language language(std::size_t i) const noexcept { return languages_[i]; }

    // Where line i starts in arena(); offset(size()) == arena().size().
    [[nodiscard]] std::uint32_t offset(std::size_t i) const noexcept { return offsets_[i]; }
    [[nodiscard]] const_byte_span arena() const noexcept { return arena_; }
    [[nodiscard]] charset target() const noexcept { return target_; }
    [[nodiscard]] std::size_t max_line_size() const noexcept { return max_line_size_; }

    // Lines left out because the charset cannot write them (or they were
    // empty), and why the first one was: for the start-up report.
    [[nodiscard]] std::size_t skipped() const noexcept { return skipped_; }
    [[nodiscard]] const std::string& first_skip_reason() const noexcept { return first_skip_reason_; }

private:
    friend prepare_result prepare_texts(charset cs, std::span<const tagged_line> lines);

    std::vector<std::byte> arena_;
    std::vector<std::uint32_t> offsets_{0};  // size() + 1 entries
    std::vector<corpus_language> languages_;
    charset target_ = charset::gbk;
    std::size_t max_line_size_ = 0;
    std::size_t skipped_ = 0;
    std::string first_skip_reason_;
};

struct prepare_result {
    prepared_texts table;
    std::string error;  // empty on success; else says what to change
    [[nodiscard]] bool ok() const noexcept { return error.empty(); }
};

// Set-up time. Converts the lines, skipping (and counting) those the charset
// cannot write; fails only if no line is left or the arena would exceed 4 GiB.
prepare_result prepare_texts(charset cs, std::span<const tagged_line> lines);

// The shipped corpus of the selected languages (each taken once, in the order
// of all_corpus_languages, whatever the order or repetition in `languages`).
prepare_result prepare_texts(charset cs, std::span<const corpus_language> languages);

}  // namespace qqgen::proto
