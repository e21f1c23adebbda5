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

// The wire-level font of a message (size, bold/italic/underline, colour,
// charset field and name bytes) is proto::font_style in qq_im.hpp; a qq_font
// supplies its name bytes and default size.
inline constexpr std::uint8_t font_size_max = 0x1F;  // the low 5 bits of the attribute byte

}  // namespace qqgen::proto
