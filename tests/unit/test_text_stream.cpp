// proto::text_stream: cuts of a chosen size from a charset's prepared lines
// never split a character or a smiley (iconv decodes every cut), never end
// on a joining space, and miss the asked size by at most 3 bytes.
#include <catch2/catch.hpp>

#include <cstddef>
#include <string>
#include <vector>

#include "protocols/charset.hpp"
#include "protocols/text_corpus.hpp"
#include "protocols/text_stream.hpp"

using namespace qqgen::proto;

namespace {

prepared_texts table(charset cs) {
    prepare_result r = prepare_texts(cs, all_corpus_languages);
    REQUIRE(r.ok());
    return std::move(r.table);
}

bool same_prefix(const_byte_span a, const_byte_span b) {
    const std::size_t n = a.size() < b.size() ? a.size() : b.size();
    for (std::size_t i = 0; i < n; ++i)
        if (a[i] != b[i]) return false;
    return true;
}

}  // namespace

TEST_CASE("every cut of every line decodes in its charset", "[text_stream]") {
    constexpr std::size_t most = 800;
    for (charset cs : all_charsets) {
        INFO(to_string(cs));
        const prepared_texts t = table(cs);
        const text_stream_result r = build_text_stream(t, most);
        REQUIRE(r.ok());
        const text_stream& s = r.stream;
        REQUIRE(s.lines() == t.size());
        std::size_t longer_than_asked = 0;
        for (std::size_t line = 0; line < s.lines(); ++line) {
            for (std::size_t want = 1; want <= most; want += (want < 80 ? 1 : 7)) {
                INFO("line " << line << ", " << want << " bytes");
                const const_byte_span cut = s.take(line, want);
                REQUIRE(!cut.empty());
                if (cut.size() > want) {
                    // Only when the line's first character is longer than asked.
                    CHECK(cut.size() == character_size(t.line(line), cs));
                    ++longer_than_asked;
                } else {
                    CHECK(cut.size() + 3 >= want);
                }
                CHECK(same_prefix(cut, t.line(line)));
                CHECK(cut.size() != t.line(line).size() + 1);  // not the line and its joining space
                const decoded_text d = decode_text(cut, cs);
                REQUIRE(d.ok());
            }
        }
        if (cs != charset::utf8) CHECK(longer_than_asked > 0);  // some lines start with a 2-byte character
    }
}

TEST_CASE("a cut as long as a line is the line; longer cuts go on into the next lines", "[text_stream]") {
    const prepared_texts t = table(charset::gbk);
    const text_stream_result r = build_text_stream(t, 800);
    REQUIRE(r.ok());
    for (std::size_t line = 0; line < t.size(); ++line) {
        const const_byte_span whole = t.line(line);
        const const_byte_span cut = r.stream.take(line, whole.size());
        CHECK(cut.size() == whole.size());
        CHECK(same_prefix(cut, whole));
        // One byte more still ends the line: a cut never ends on the joining space.
        CHECK(r.stream.take(line, whole.size() + 1).size() == whole.size());
    }
    // The last line wraps round to the first.
    const std::size_t last = t.size() - 1;
    const const_byte_span wrap = r.stream.take(last, t.line(last).size() + 1 + t.line(0).size());
    CHECK(wrap.size() == t.line(last).size() + 1 + t.line(0).size());
    CHECK(wrap[t.line(last).size()] == std::byte{' '});
}

TEST_CASE("character sizes in each charset", "[text_stream]") {
    const auto bytes = [](std::initializer_list<int> v) {
        std::vector<std::byte> b;
        for (int x : v) b.push_back(static_cast<std::byte>(x));
        return b;
    };
    const auto smile = bytes({0x14, 0x4F});
    const auto song = bytes({0xCB, 0xCE});              // 宋 in GBK
    const auto four = bytes({0x81, 0x30, 0x81, 0x30});  // GB18030 four-byte U+0080
    const auto euro = bytes({0xE2, 0x82, 0xAC});        // € in UTF-8
    CHECK(character_size(smile, charset::gbk) == 2);
    CHECK(character_size(smile, charset::utf8) == 2);
    CHECK(character_size(song, charset::gbk) == 2);
    CHECK(character_size(song, charset::big5) == 2);
    CHECK(character_size(four, charset::gb18030) == 4);
    CHECK(character_size(four, charset::gbk) == 2);
    CHECK(character_size(euro, charset::utf8) == 3);
    CHECK(character_size(const_byte_span(euro).first(2), charset::utf8) == 0);  // cut off
    CHECK(character_size(const_byte_span(song).first(1), charset::gbk) == 0);
    CHECK(character_size(bytes({0x80}), charset::gbk) == 0);
    CHECK(character_size(bytes({'a'}), charset::big5) == 1);
    CHECK(character_size({}, charset::gbk) == 0);
}

TEST_CASE("an empty table is refused; a one-line table repeats its line", "[text_stream]") {
    CHECK_FALSE(build_text_stream(prepared_texts{}, 100).ok());
    const std::vector<tagged_line> lines{{"好的", corpus_language::simplified}};
    const prepare_result p = prepare_texts(charset::gbk, lines);
    REQUIRE(p.ok());
    const text_stream_result r = build_text_stream(p.table, 100);
    REQUIRE(r.ok());
    CHECK(r.stream.take(0, 100).size() == 99);  // "好的 " (5 bytes) x 20 less the last joining space
}
