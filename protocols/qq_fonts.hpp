// The fonts QQ users chat in, with their names pre-encoded for the IM font
// tail, and a plain description of a message's font style.
//
// The font tail of an IM (qq-protocol.md, "Instant message body") carries the
// font name in the client's charset with no terminator; the default is 宋体,
// GBK CB CE CC E5 (pidgin 2.4 im.c, `simsun[]`). The name bytes here are
// constexpr so the packet path copies them; the unit test checks each one
// against iconv.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "protocols/bytes.hpp"
#include "protocols/charset.hpp"

namespace qqgen::proto {

struct qq_font {
    std::string_view name;      // UTF-8, as the client lists it
    std::string_view alt_name;  // another spelling users type (e.g. simplified), or empty
    std::string_view alias;     // short ASCII name for configuration files
    std::string_view family;    // the Windows English family name
    charset cs;                 // the charset of clients that use it, and of name_bytes
    std::uint8_t default_size;  // points
    const_byte_span name_bytes; // name in cs: what goes on the wire
};

// 宋体, 微软雅黑, 黑体, 楷体, 新細明體, Tahoma; the first is the QQ default.
std::span<const qq_font> qq_fonts() noexcept;

// By UTF-8 name or alternative spelling (exact), or by alias or family name
// (ASCII, case-insensitive). nullptr if unknown.
const qq_font* find_font(std::string_view name_or_alias) noexcept;

// What a client of that charset uses unless told otherwise: 宋体 for GB,
// 新細明體 for Big5, Tahoma for English (utf-8).
const qq_font& default_font(charset cs) noexcept;

// A message's font style. The wire packs size and the three flags into one
// attribute byte: size in the low 5 bits, bold 0x20, italic 0x40, underline
// 0x80 (qq-protocol.md; pidgin 2.4 char_conv.c _get_size/_check_bold...).
struct font_style {
    std::uint8_t size = 10;  // 1..31; pidgin 2.4 sends 10 when no size is set
    bool bold = false;
    bool italic = false;
    bool underline = false;
    std::uint8_t r = 0;
    std::uint8_t g = 0;
    std::uint8_t b = 0;
};

inline constexpr std::uint8_t font_size_max = 0x1F;

constexpr bool is_valid(const font_style& s) noexcept { return s.size >= 1 && s.size <= font_size_max; }

// Sizes outside 1..31 are the caller's bug; the byte keeps the low 5 bits.
constexpr std::uint8_t attribute_byte(const font_style& s) noexcept {
    return static_cast<std::uint8_t>((s.size & font_size_max) | (s.bold ? 0x20 : 0) | (s.italic ? 0x40 : 0) |
                                     (s.underline ? 0x80 : 0));
}

constexpr font_style font_style_from_wire(std::uint8_t attribute, std::uint8_t r, std::uint8_t g,
                                          std::uint8_t b) noexcept {
    return font_style{static_cast<std::uint8_t>(attribute & font_size_max), (attribute & 0x20) != 0,
                      (attribute & 0x40) != 0, (attribute & 0x80) != 0, r, g, b};
}

}  // namespace qqgen::proto
