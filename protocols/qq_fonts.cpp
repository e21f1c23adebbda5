// The font table. Names, charsets and why each font is here:
//  - 宋体 (SimSun): QQ's and pidgin 2.4's default (im.c `simsun[]`, GBK
//    CB CE CC E5; qq-protocol.md).
//  - 微软雅黑 (Microsoft YaHei), 黑体 (SimHei), 楷体 (KaiTi): the other common
//    fonts of simplified-Chinese clients (qq-protocol.md). Windows XP named
//    KaiTi "楷体_GB2312"; we send the later, shorter name.
//  - 新細明體 (PMingLiU): the default of traditional-Chinese Windows, so of
//    Big5 clients. The name exists only in traditional characters in Big5
//    (细 has no Big5 code), so the simplified spelling is an alt_name.
//  - Tahoma: an English-locale client (charset field 0x0000). ASCII, so its
//    bytes are the same in every charset here.
// Default sizes are 10 points, what pidgin 2.4 sends without a size (im.c);
// qq-protocol.md gives 9-10 for QQ itself.
#include "protocols/qq_fonts.hpp"

#include <algorithm>
#include <array>

namespace qqgen::proto {

namespace {

template <std::uint8_t... B>
inline constexpr std::array<std::byte, sizeof...(B)> bytes_of{std::byte{B}...};

constexpr auto simsun_gbk = bytes_of<0xCB, 0xCE, 0xCC, 0xE5>;              // 宋体
constexpr auto yahei_gbk = bytes_of<0xCE, 0xA2, 0xC8, 0xED, 0xD1, 0xC5, 0xBA, 0xDA>;  // 微软雅黑
constexpr auto simhei_gbk = bytes_of<0xBA, 0xDA, 0xCC, 0xE5>;              // 黑体
constexpr auto kaiti_gbk = bytes_of<0xBF, 0xAC, 0xCC, 0xE5>;               // 楷体
constexpr auto mingliu_big5 = bytes_of<0xB7, 0x73, 0xB2, 0xD3, 0xA9, 0xFA, 0xC5, 0xE9>;  // 新細明體
constexpr auto tahoma_ascii = bytes_of<'T', 'a', 'h', 'o', 'm', 'a'>;

constexpr std::array<qq_font, 6> fonts{{
    {"宋体", "", "simsun", "SimSun", charset::gbk, 10, simsun_gbk},
    {"微软雅黑", "", "yahei", "Microsoft YaHei", charset::gbk, 10, yahei_gbk},
    {"黑体", "", "simhei", "SimHei", charset::gbk, 10, simhei_gbk},
    {"楷体", "", "kaiti", "KaiTi", charset::gbk, 10, kaiti_gbk},
    {"新細明體", "新细明体", "mingliu", "PMingLiU", charset::big5, 10, mingliu_big5},
    {"Tahoma", "", "tahoma", "Tahoma", charset::utf8, 10, tahoma_ascii},
}};

constexpr std::size_t simsun_index = 0;
constexpr std::size_t mingliu_index = 4;
constexpr std::size_t tahoma_index = 5;

constexpr char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

}  // namespace

std::span<const qq_font> qq_fonts() noexcept { return fonts; }

const qq_font* find_font(std::string_view name_or_alias) noexcept {
    if (name_or_alias.empty()) return nullptr;
    for (const qq_font& f : fonts) {
        if (name_or_alias == f.name || name_or_alias == f.alt_name || iequals(name_or_alias, f.alias) ||
            iequals(name_or_alias, f.family))
            return &f;
    }
    return nullptr;
}

const qq_font& default_font(charset cs) noexcept {
    switch (cs) {
    case charset::gbk:
    case charset::gb18030: return fonts[simsun_index];
    case charset::big5: return fonts[mingliu_index];
    case charset::utf8: return fonts[tahoma_index];
    }
    return fonts[simsun_index];
}

}  // namespace qqgen::proto
