// Character sets of QQ message text, and conversion from the UTF-8 that
// corpus files and configuration are written in.
//
// QQ text is GBK/GB18030 with no terminator, Big5 for traditional-Chinese
// clients; a smiley is the byte 0x14 followed by a code byte
// (qq-protocol.md, "Instant message body"; pidgin 2.4 char_conv.c).
//
// Conversion runs at set-up time only (it allocates and calls iconv): text is
// converted once into prepared tables (text_corpus.hpp) and the packet path
// copies bytes from there.
//
// Smiley markers. In UTF-8 text a smiley is written `{smiley:XX}`, XX being
// exactly two hex digits (upper or lower case), the code byte. encode_text()
// turns each marker into the two raw bytes 0x14 XX without passing them
// through iconv; decode_text() renders 0x14 XX back as `{smiley:xx}` (lower
// case). Hex rather than decimal because the public smiley tables give the
// codes in hex (pidgin 2.4 qq_smiley_map: 0x41 "/jy" ... 0xA0; 0x4F is
// "/wx", the smile). The prefix `{smiley:` is reserved: a malformed marker
// is refused, not passed through as text. A literal U+0014 in the UTF-8 text
// is refused too, since on the wire it would read as a smiley.
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

namespace qqgen::proto {

enum class charset : std::uint8_t { gbk, gb18030, big5, utf8 };

inline constexpr std::array<charset, 4> all_charsets{charset::gbk, charset::gb18030, charset::big5,
                                                     charset::utf8};

// The name users write in configuration ("gbk", "gb18030", "big5", "utf-8").
constexpr std::string_view to_string(charset cs) noexcept {
    switch (cs) {
    case charset::gbk: return "gbk";
    case charset::gb18030: return "gb18030";
    case charset::big5: return "big5";
    case charset::utf8: return "utf-8";
    }
    return "?";
}

// Case-insensitive; accepts the names above and "utf8". Anything else is
// nullopt: the caller reports it together with charset_names_hint().
std::optional<charset> parse_charset(std::string_view name) noexcept;

// "gbk, gb18030, big5, utf-8": for error messages that list the choices.
constexpr std::string_view charset_names_hint() noexcept { return "gbk, gb18030, big5, utf-8"; }

// The name glibc's iconv knows the charset by.
constexpr const char* iconv_name(charset cs) noexcept {
    switch (cs) {
    case charset::gbk: return "GBK";
    case charset::gb18030: return "GB18030";
    case charset::big5: return "BIG5";
    case charset::utf8: return "UTF-8";
    }
    return "UTF-8";
}

// The charset field of the IM font tail (qq-protocol.md): 0x8602 GB, 0x8603
// BIG5, 0x0000 English. pidgin 2.4 writes 0x8622 for GB and receivers ignore
// the field (pidgin decodes every message as GBK whatever it says), so the
// value only has to look like what a real client sends.
inline constexpr std::uint16_t qq_charset_gb = 0x8602;
inline constexpr std::uint16_t qq_charset_big5 = 0x8603;
inline constexpr std::uint16_t qq_charset_english = 0x0000;
inline constexpr std::uint16_t qq_charset_gb_pidgin = 0x8622;  // pidgin 2.4 im.c

constexpr std::uint16_t qq_charset_field(charset cs) noexcept {
    switch (cs) {
    case charset::gbk:
    case charset::gb18030: return qq_charset_gb;  // GB18030 is a GBK superset; one "GB" value
    case charset::big5: return qq_charset_big5;
    case charset::utf8:
        // QQ clients of the 2000s never sent UTF-8 text; the field has no
        // value for it. We send the English value 0x0000, which is what an
        // English-locale client puts there (pidgin char_conv.c notes such
        // clients send 0x0000 even with Chinese text). utf-8 is for tests and
        // experiments, not for emulating a real client.
        return qq_charset_english;
    }
    return qq_charset_english;
}

// Why a conversion failed. The message says what and where, for the user.
enum class charset_errc : std::uint8_t {
    none = 0,
    unrepresentable,   // a character has no code in the target charset
    invalid_input,     // the input is not valid in its own charset
    truncated_input,   // the input ends inside a character
    bad_smiley,        // a malformed `{smiley:` marker, U+0014, or 0x14 without a code byte
    iconv_unavailable  // iconv_open failed (glibc gconv modules missing?)
};

struct charset_error {
    charset_errc code = charset_errc::none;
    std::size_t offset = 0;     // byte offset of the offending character in the input
    char32_t code_point = 0;    // the offending character, when it is known
    std::string message;        // complete sentence naming charset, offset and character
};

// UTF-8 -> charset. bytes is empty and error.code set when it fails.
struct encoded_text {
    std::vector<std::byte> bytes;
    charset_error error;
    [[nodiscard]] bool ok() const noexcept { return error.code == charset_errc::none; }
};

// charset -> UTF-8 (for reports and tests).
struct decoded_text {
    std::string utf8;
    charset_error error;
    [[nodiscard]] bool ok() const noexcept { return error.code == charset_errc::none; }
};

// Set-up time only: allocates and calls iconv. On failure the error names the
// charset, the byte offset in the input and (encoding) the character.
encoded_text encode_text(std::string_view utf8, charset to);
// Each 0x14 XX becomes `{smiley:xx}`. Received text that spells a marker in
// plain ASCII decodes to the same string: the reverse is not one-to-one there.
decoded_text decode_text(const_byte_span text, charset from);

// The smiley byte and marker syntax, for encoders that build text themselves.
inline constexpr std::byte smiley_lead{0x14};
inline constexpr std::string_view smiley_marker_prefix = "{smiley:";
inline constexpr std::size_t smiley_marker_size = 11;  // "{smiley:" + 2 hex digits + "}"

}  // namespace qqgen::proto
