// Character sets, the shipped corpus and its prepared table, QQ fonts.
// Known answers come from the GBK, GB18030 and Big5 code tables (as glibc's
// iconv implements them) and from pidgin 2.4 (宋体 = CB CE CC E5).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "protocols/charset.hpp"
#include "protocols/qq_fonts.hpp"
#include "protocols/text_corpus.hpp"

using namespace qqgen::proto;

namespace {

std::vector<std::byte> bytes(std::initializer_list<unsigned> v) {
    std::vector<std::byte> r;
    for (unsigned b : v) r.push_back(static_cast<std::byte>(b));
    return r;
}

std::vector<std::byte> to_vector(const_byte_span s) { return {s.begin(), s.end()}; }

std::vector<std::byte> encode_ok(std::string_view utf8, charset cs) {
    encoded_text e = encode_text(utf8, cs);
    INFO(e.error.message);
    REQUIRE(e.ok());
    return e.bytes;
}

std::string decode_ok(const std::vector<std::byte>& b, charset cs) {
    decoded_text d = decode_text(b, cs);
    INFO(d.error.message);
    REQUIRE(d.ok());
    return d.utf8;
}

bool contains(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

std::size_t count_smileys(std::string_view s) {
    std::size_t n = 0;
    for (std::size_t p = s.find(smiley_marker_prefix); p != std::string_view::npos;
         p = s.find(smiley_marker_prefix, p + 1))
        ++n;
    return n;
}

}  // namespace

TEST_CASE("charset names parse case-insensitively and unknown names are refused", "[charset]") {
    for (charset cs : all_charsets) CHECK(parse_charset(to_string(cs)) == cs);
    CHECK(to_string(charset::gbk) == "gbk");
    CHECK(to_string(charset::gb18030) == "gb18030");
    CHECK(to_string(charset::big5) == "big5");
    CHECK(to_string(charset::utf8) == "utf-8");
    CHECK(parse_charset("GBK") == charset::gbk);
    CHECK(parse_charset("Gb18030") == charset::gb18030);
    CHECK(parse_charset("BIG5") == charset::big5);
    CHECK(parse_charset("UTF-8") == charset::utf8);
    CHECK(parse_charset("utf8") == charset::utf8);
    CHECK(parse_charset("UTF8") == charset::utf8);
    for (std::string_view bad : {"", "gb2312", "big-5", "utf-16", "latin1", "gbk ", "utf"})
        CHECK_FALSE(parse_charset(bad).has_value());
    CHECK(contains(std::string(charset_names_hint()), "gb18030"));
}

TEST_CASE("QQ charset field values", "[charset]") {
    CHECK(qq_charset_field(charset::gbk) == 0x8602);
    CHECK(qq_charset_field(charset::gb18030) == 0x8602);
    CHECK(qq_charset_field(charset::big5) == 0x8603);
    CHECK(qq_charset_field(charset::utf8) == 0x0000);
    CHECK(qq_charset_gb_pidgin == 0x8622);
}

TEST_CASE("known-answer encodings", "[charset]") {
    CHECK(encode_ok("宋体", charset::gbk) == bytes({0xCB, 0xCE, 0xCC, 0xE5}));
    CHECK(encode_ok("宋体", charset::gb18030) == bytes({0xCB, 0xCE, 0xCC, 0xE5}));
    CHECK(encode_ok("中文", charset::gbk) == bytes({0xD6, 0xD0, 0xCE, 0xC4}));
    CHECK(encode_ok("中文", charset::gb18030) == bytes({0xD6, 0xD0, 0xCE, 0xC4}));
    CHECK(encode_ok("中文", charset::big5) == bytes({0xA4, 0xA4, 0xA4, 0xE5}));
    CHECK(encode_ok("中文", charset::utf8) == bytes({0xE4, 0xB8, 0xAD, 0xE6, 0x96, 0x87}));
    CHECK(encode_ok("QQ 2005", charset::big5) == bytes({'Q', 'Q', ' ', '2', '0', '0', '5'}));
    CHECK(encode_ok("", charset::gbk).empty());

    CHECK(decode_ok(bytes({0xCB, 0xCE, 0xCC, 0xE5}), charset::gbk) == "宋体");
    CHECK(decode_ok(bytes({0xA4, 0xA4, 0xA4, 0xE5}), charset::big5) == "中文");
}

TEST_CASE("GB18030 writes characters outside GBK in four bytes", "[charset]") {
    // U+1F600 (grinning face): GB18030 four-byte code 94 39 FC 36. The
    // second and fourth bytes are digits 0x30..0x39, as the standard says.
    const std::vector<std::byte> b = encode_ok("\xF0\x9F\x98\x80", charset::gb18030);
    REQUIRE(b == bytes({0x94, 0x39, 0xFC, 0x36}));
    CHECK(decode_ok(b, charset::gb18030) == "\xF0\x9F\x98\x80");

    // GBK has no code for it: refused at its offset.
    const encoded_text e = encode_text("ok \xF0\x9F\x98\x80", charset::gbk);
    CHECK(e.error.code == charset_errc::unrepresentable);
    CHECK(e.error.offset == 3);
    CHECK(e.error.code_point == U'\U0001F600');
    CHECK(e.bytes.empty());
}

TEST_CASE("simplified-only characters are refused by Big5 with the right offset", "[charset]") {
    SECTION("们") {
        const encoded_text e = encode_text("我们", charset::big5);  // 我 is in Big5, 们 is not
        REQUIRE_FALSE(e.ok());
        CHECK(e.error.code == charset_errc::unrepresentable);
        CHECK(e.error.offset == 3);
        CHECK(e.error.code_point == U'\u4EEC');
        CHECK(contains(e.error.message, "big5"));
        CHECK(contains(e.error.message, "U+4EEC"));
        CHECK(contains(e.error.message, "们"));
        CHECK(contains(e.error.message, "byte 3"));
        CHECK(e.bytes.empty());
    }
    SECTION("这, after a smiley and ASCII") {
        const encoded_text e = encode_text("ok{smiley:4f}这个", charset::big5);
        CHECK(e.error.code == charset_errc::unrepresentable);
        CHECK(e.error.offset == 13);
        CHECK(e.error.code_point == U'\u8FD9');
    }
    SECTION("the same text is fine in GBK, GB18030 and UTF-8") {
        for (charset cs : {charset::gbk, charset::gb18030, charset::utf8})
            CHECK(decode_ok(encode_ok("我们这个", cs), cs) == "我们这个");
    }
}

TEST_CASE("invalid UTF-8 input is refused with its offset", "[charset]") {
    struct bad {
        std::string_view text;
        std::size_t offset;
    };
    for (bad b : {bad{"ab\xC3\x28", 2}, bad{"\xC0\xAF", 0}, bad{"x\xED\xA0\x80", 1}, bad{"\xF4\x90\x80\x80", 0},
                  bad{"中\xE6\x96", 3}, bad{"\xFF", 0}}) {
        const encoded_text e = encode_text(b.text, charset::gb18030);
        CHECK(e.error.code == charset_errc::invalid_input);
        CHECK(e.error.offset == b.offset);
        CHECK(contains(e.error.message, "UTF-8"));
    }
}

TEST_CASE("smiley markers become 0x14 XX and come back", "[charset][smiley]") {
    SECTION("ASCII around a smiley, every charset") {
        for (charset cs : all_charsets) {
            const std::vector<std::byte> b = encode_ok("hi{smiley:4f}!", cs);
            CHECK(b == bytes({'h', 'i', 0x14, 0x4F, '!'}));
            CHECK(decode_ok(b, cs) == "hi{smiley:4f}!");
        }
    }
    SECTION("a code byte that is a GBK lead byte, between Chinese characters") {
        const std::vector<std::byte> b = encode_ok("好{smiley:8A}的", charset::gbk);
        CHECK(b == bytes({0xBA, 0xC3, 0x14, 0x8A, 0xB5, 0xC4}));
        CHECK(decode_ok(b, charset::gbk) == "好{smiley:8a}的");  // markers come back lower case
    }
    SECTION("Big5, smileys back to back, at both ends, codes 00 and 14") {
        const std::vector<std::byte> b = encode_ok("{smiley:00}{smiley:14}中{smiley:ff}", charset::big5);
        CHECK(b == bytes({0x14, 0x00, 0x14, 0x14, 0xA4, 0xA4, 0x14, 0xFF}));
        CHECK(decode_ok(b, charset::big5) == "{smiley:00}{smiley:14}中{smiley:ff}");
    }
    SECTION("GB18030 four-byte character next to a smiley") {
        const std::vector<std::byte> b = encode_ok("\xF0\x9F\x98\x80{smiley:49}", charset::gb18030);
        CHECK(b == bytes({0x94, 0x39, 0xFC, 0x36, 0x14, 0x49}));
        CHECK(decode_ok(b, charset::gb18030) == "\xF0\x9F\x98\x80{smiley:49}");
    }
    SECTION("malformed markers and a literal U+0014 are refused") {
        for (std::string_view bad : {"a{smiley:4}", "a{smiley:zz}", "a{smiley:4f", "a{smiley:4f0}", "a{smiley:"}) {
            const encoded_text e = encode_text(bad, charset::gbk);
            CHECK(e.error.code == charset_errc::bad_smiley);
            CHECK(e.error.offset == 1);
        }
        const encoded_text e = encode_text("ab\x14O", charset::gbk);
        CHECK(e.error.code == charset_errc::bad_smiley);
        CHECK(e.error.offset == 2);
        CHECK(encode_ok("{smile} {smiley}", charset::gbk).size() == 16);  // not the reserved prefix
    }
}

TEST_CASE("decoding refuses broken legacy text with its offset", "[charset]") {
    SECTION("0x14 as the last byte") {
        const decoded_text d = decode_text(bytes({'h', 'i', 0x14}), charset::gbk);
        CHECK(d.error.code == charset_errc::bad_smiley);
        CHECK(d.error.offset == 2);
    }
    SECTION("a GBK character cut by a smiley byte") {
        const decoded_text d = decode_text(bytes({'a', 0xD6, 0x14, 0x4F}), charset::gbk);
        CHECK(d.error.code == charset_errc::invalid_input);
        CHECK(d.error.offset == 1);
    }
    SECTION("text ending inside a character") {
        const decoded_text d = decode_text(bytes({0xD6, 0xD0, 0xCE}), charset::gbk);
        CHECK(d.error.code == charset_errc::truncated_input);
        CHECK(d.error.offset == 2);
    }
    SECTION("a byte that is no character") {
        const decoded_text d = decode_text(bytes({'o', 'k', 0xFF, 0x41}), charset::big5);
        CHECK(d.error.code == charset_errc::invalid_input);
        CHECK(d.error.offset == 2);
        CHECK(contains(d.error.message, "big5"));
        CHECK(contains(d.error.message, "FF"));
        CHECK(d.utf8.empty());
    }
}

TEST_CASE("the shipped corpus has the promised shape", "[corpus]") {
    for (corpus_language l : all_corpus_languages) {
        INFO(to_string(l));
        const auto lines = corpus_lines(l);
        CHECK(lines.size() >= 12);
        std::size_t shortest = SIZE_MAX, smileys = 0;
        for (std::string_view s : lines) {
            CHECK_FALSE(s.empty());
            shortest = std::min(shortest, s.size());
            smileys += count_smileys(s);
        }
        CHECK(shortest <= 10);
        CHECK(smileys >= 2);
        // a few characters up to ~200 bytes, and a long line: >= 500 bytes in
        // every charset the language suits (the legacy ones are the smaller)
        for (charset cs : all_charsets) {
            if (!language_suits(l, cs)) continue;
            std::size_t longest = 0, medium = 0;
            for (std::string_view s : lines) {
                const std::size_t n = encode_ok(s, cs).size();
                longest = std::max(longest, n);
                if (n >= 40 && n <= 220) ++medium;
            }
            CHECK(longest >= 500);
            CHECK(medium >= 4);
        }
    }
    for (std::string_view s : corpus_lines(corpus_language::english))
        CHECK(std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7F; }));
    std::size_t truly_mixed = 0;  // Chinese, ASCII letters and digits in one line
    for (std::string_view line : corpus_lines(corpus_language::mixed)) {
        std::string s(line);  // without the smiley markers, whose letters do not count
        for (std::size_t p; (p = s.find(smiley_marker_prefix)) != std::string::npos;)
            s.erase(p, smiley_marker_size);
        INFO(line);
        const bool cjk = std::any_of(s.begin(), s.end(), [](char c) { return (c & 0x80) != 0; });
        const bool latin =
            std::any_of(s.begin(), s.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
        const bool digit = std::any_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
        CHECK((cjk && latin));
        truly_mixed += digit ? 1 : 0;
    }
    CHECK(truly_mixed >= 6);
    CHECK(parse_corpus_language("Traditional") == corpus_language::traditional);
    CHECK_FALSE(parse_corpus_language("cantonese").has_value());
}

TEST_CASE("every corpus line round-trips through every charset it suits", "[corpus]") {
    for (corpus_language l : all_corpus_languages) {
        for (charset cs : all_charsets) {
            if (!language_suits(l, cs)) continue;
            for (std::string_view s : corpus_lines(l)) {
                INFO(to_string(l) << " / " << to_string(cs) << ": " << s);
                const std::vector<std::byte> b = encode_ok(s, cs);
                CHECK(std::count(b.begin(), b.end(), smiley_lead) == static_cast<long>(count_smileys(s)));
                CHECK(decode_ok(b, cs) == s);
            }
        }
    }
    // The claim that simplified does not suit Big5 is real: some lines fail.
    std::size_t refused = 0;
    for (std::string_view s : corpus_lines(corpus_language::simplified))
        refused += encode_text(s, charset::big5).ok() ? 0 : 1;
    CHECK(refused >= 6);
}

TEST_CASE("the prepared table holds contiguous lines at the right offsets", "[corpus][prepared]") {
    const corpus_language sel[] = {corpus_language::english, corpus_language::simplified};
    prepare_result r = prepare_texts(charset::gbk, sel);
    INFO(r.error);
    REQUIRE(r.ok());
    const prepared_texts& t = r.table;
    const auto simp = corpus_lines(corpus_language::simplified);
    const auto eng = corpus_lines(corpus_language::english);
    REQUIRE(t.size() == simp.size() + eng.size());
    CHECK(t.skipped() == 0);
    CHECK(t.target() == charset::gbk);
    CHECK(t.offset(0) == 0);
    CHECK(t.offset(t.size()) == t.arena().size());

    std::size_t max = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        // order of all_corpus_languages, whatever the order of the selection
        const bool is_simp = i < simp.size();
        const std::string_view src = is_simp ? simp[i] : eng[i - simp.size()];
        CHECK(t.language(i) == (is_simp ? corpus_language::simplified : corpus_language::english));
        const const_byte_span line = t.line(i);
        CHECK(line.data() == t.arena().data() + t.offset(i));
        CHECK(t.offset(i + 1) == t.offset(i) + line.size());
        CHECK(to_vector(line) == encode_ok(src, charset::gbk));
        max = std::max(max, line.size());
    }
    CHECK(t.max_line_size() == max);

    // Repetition and order in the selection do not matter.
    const corpus_language again[] = {corpus_language::simplified, corpus_language::english,
                                     corpus_language::simplified};
    prepare_result r2 = prepare_texts(charset::gbk, again);
    REQUIRE(r2.ok());
    CHECK(to_vector(r2.table.arena()) == to_vector(t.arena()));
}

TEST_CASE("the prepared table skips and counts lines the charset cannot write", "[corpus][prepared]") {
    const corpus_language sel[] = {corpus_language::simplified, corpus_language::mixed};
    prepare_result r = prepare_texts(charset::big5, sel);
    INFO(r.error);
    REQUIRE(r.ok());
    std::size_t fit = 0;
    for (std::string_view s : corpus_lines(corpus_language::simplified)) fit += encode_text(s, charset::big5).ok();
    const std::size_t total =
        corpus_lines(corpus_language::simplified).size() + corpus_lines(corpus_language::mixed).size();
    CHECK(r.table.skipped() == corpus_lines(corpus_language::simplified).size() - fit);
    CHECK(r.table.size() == total - r.table.skipped());
    CHECK(r.table.skipped() > 0);
    CHECK(contains(r.table.first_skip_reason(), "big5"));
    CHECK(contains(r.table.first_skip_reason(), "simplified"));
    for (std::size_t i = 0; i < r.table.size(); ++i)
        CHECK(decode_text(r.table.line(i), charset::big5).ok());
}

TEST_CASE("a prepared table that would be empty is an error that says what to change", "[corpus][prepared]") {
    SECTION("no line fits") {
        const tagged_line lines[] = {{"我们这个", corpus_language::simplified}, {"", corpus_language::simplified},
                                     {"这是什么", corpus_language::simplified}};
        prepare_result r = prepare_texts(charset::big5, lines);
        CHECK_FALSE(r.ok());
        CHECK(r.table.empty());
        CHECK(contains(r.error, "big5"));
        CHECK(contains(r.error, "simplified"));
        CHECK(contains(r.error, "traditional"));  // a language that would work
        CHECK(contains(r.error, "U+4EEC"));       // why the first line failed
    }
    SECTION("nothing selected") {
        prepare_result r = prepare_texts(charset::gbk, std::span<const corpus_language>{});
        CHECK_FALSE(r.ok());
        CHECK(contains(r.error, "select at least one"));
    }
    SECTION("custom lines with a broken smiley are skipped, not fatal") {
        const tagged_line lines[] = {{"ok{smiley:4}", corpus_language::english}, {"fine", corpus_language::english}};
        prepare_result r = prepare_texts(charset::gbk, lines);
        REQUIRE(r.ok());
        CHECK(r.table.size() == 1);
        CHECK(r.table.skipped() == 1);
        CHECK(to_vector(r.table.line(0)) == bytes({'f', 'i', 'n', 'e'}));
    }
}

TEST_CASE("every font's stored name bytes equal iconv's output", "[fonts]") {
    REQUIRE(qq_fonts().size() >= 6);
    for (const qq_font& f : qq_fonts()) {
        INFO(f.alias);
        CHECK(to_vector(f.name_bytes) == encode_ok(f.name, f.cs));
        CHECK(decode_ok(to_vector(f.name_bytes), f.cs) == f.name);
        CHECK(f.default_size >= 9);
        CHECK(f.default_size <= 10);
        CHECK(find_font(f.name) == &f);
        CHECK(find_font(f.alias) == &f);
        CHECK(find_font(f.family) == &f);
        if (!f.alt_name.empty()) CHECK(find_font(f.alt_name) == &f);
    }
    const qq_font* simsun = find_font("宋体");
    REQUIRE(simsun != nullptr);
    CHECK(to_vector(simsun->name_bytes) == bytes({0xCB, 0xCE, 0xCC, 0xE5}));  // pidgin 2.4 im.c
    CHECK(&qq_fonts()[0] == simsun);
}

TEST_CASE("fonts are found by name or alias and map to their charsets", "[fonts]") {
    struct want {
        std::string_view key;
        std::string_view name;
        charset cs;
    };
    for (want w : {want{"simsun", "宋体", charset::gbk}, want{"YaHei", "微软雅黑", charset::gbk},
                   want{"simhei", "黑体", charset::gbk}, want{"KAITI", "楷体", charset::gbk},
                   want{"mingliu", "新細明體", charset::big5}, want{"新细明体", "新細明體", charset::big5},
                   want{"microsoft yahei", "微软雅黑", charset::gbk}, want{"tahoma", "Tahoma", charset::utf8}}) {
        const qq_font* f = find_font(w.key);
        INFO(w.key);
        REQUIRE(f != nullptr);
        CHECK(f->name == w.name);
        CHECK(f->cs == w.cs);
    }
    for (std::string_view unknown : {"", "arial", "宋", "simsun2", "Comic Sans MS"})
        CHECK(find_font(unknown) == nullptr);
    CHECK(find_font("mingliu")->name_bytes.size() == 8);
    // Tahoma is ASCII: the same bytes whatever the client's charset.
    for (charset cs : all_charsets) CHECK(encode_ok("Tahoma", cs) == to_vector(find_font("tahoma")->name_bytes));

    CHECK(default_font(charset::gbk).alias == "simsun");
    CHECK(default_font(charset::gb18030).alias == "simsun");
    CHECK(default_font(charset::big5).alias == "mingliu");
    CHECK(default_font(charset::utf8).alias == "tahoma");
}
