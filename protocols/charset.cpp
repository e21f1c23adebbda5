// UTF-8 <-> GBK / GB18030 / Big5 with glibc iconv, plus QQ smiley markers.
// Set-up time only: everything here allocates.
//
// Why a raw 0x14 (smiley lead) cannot be mistaken for part of a multibyte
// character, so that both directions may split text at 0x14 bytewise:
//  - GBK (CP936 / GBK 1.0): lead byte 0x81..0xFE, trail byte 0x40..0x7E or
//    0x80..0xFE.
//  - GB18030-2005: two-byte codes as GBK; four-byte codes are
//    [0x81..0xFE][0x30..0x39][0x81..0xFE][0x30..0x39].
//  - Big5 (and the Big5-2003 / CP950 variants): lead 0x81..0xFE (0xA1..0xF9
//    in the original standard), trail 0x40..0x7E or 0xA1..0xFE.
//  - UTF-8 (RFC 3629): every byte of a multibyte sequence is >= 0x80.
// No byte of a multibyte character is below 0x30, so every 0x14 in valid
// text is the single-byte control character DC4, which is what QQ uses as
// the smiley lead (qq-protocol.md; pidgin 2.4 char_conv.c splits on "\x14").
// The code byte after 0x14 is arbitrary (pidgin's codes are 0x41..0xA0, some
// of which are GBK lead bytes), so it never goes through iconv.
#include "protocols/charset.hpp"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace qqgen::proto {

namespace {

char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

// Owns one iconv_t; closing it is the only way to free glibc's gconv state.
class iconv_handle {
public:
    iconv_handle(const char* to, const char* from) noexcept
        : cd_(::iconv_open(to, from)), open_errno_(cd_ == invalid() ? errno : 0) {}
    ~iconv_handle() {
        if (cd_ != invalid()) ::iconv_close(cd_);
    }
    iconv_handle(const iconv_handle&) = delete;
    iconv_handle& operator=(const iconv_handle&) = delete;

    [[nodiscard]] bool valid() const noexcept { return cd_ != invalid(); }
    [[nodiscard]] int open_errno() const noexcept { return open_errno_; }
    [[nodiscard]] iconv_t get() const noexcept { return cd_; }

private:
    static iconv_t invalid() noexcept { return reinterpret_cast<iconv_t>(-1); }
    iconv_t cd_;
    int open_errno_;
};

enum class iconv_status : std::uint8_t { ok, bad_sequence, incomplete, irreversible, other };

struct iconv_outcome {
    iconv_status status = iconv_status::ok;
    std::size_t offset = 0;  // where in the input the conversion stopped
    int err = 0;             // errno for iconv_status::other
};

// Appends the conversion of `in` to `out` (std::string or std::vector<std::byte>).
// E2BIG only means our output window was too small: grow it and go on.
template <class Out>
iconv_outcome run_iconv(const iconv_handle& h, std::string_view in, Out& out) {
    ::iconv(h.get(), nullptr, nullptr, nullptr, nullptr);  // back to the initial shift state
    // iconv(3) takes char** for the input although it does not write through it.
    char* inp = const_cast<char*>(in.data());
    std::size_t inleft = in.size();
    std::size_t irreversible = 0;
    bool flushing = false;
    for (;;) {
        const std::size_t old = out.size();
        // 4 output bytes per input byte covers every pair of charsets here
        // (worst case: one ASCII byte to one byte, two GBK bytes to three
        // UTF-8 bytes, four UTF-8 bytes to four GB18030 bytes); the loop copes
        // if it does not.
        const std::size_t room = inleft * 4 + 16;
        out.resize(old + room);
        char* outp = reinterpret_cast<char*>(out.data()) + old;
        std::size_t outleft = room;
        const std::size_t rc = flushing ? ::iconv(h.get(), nullptr, nullptr, &outp, &outleft)
                                        : ::iconv(h.get(), &inp, &inleft, &outp, &outleft);
        const int err = errno;
        out.resize(old + (room - outleft));
        if (rc == static_cast<std::size_t>(-1)) {
            const std::size_t at = static_cast<std::size_t>(inp - in.data());
            if (err == E2BIG) continue;
            if (err == EILSEQ) return {iconv_status::bad_sequence, at, err};
            if (err == EINVAL) return {iconv_status::incomplete, at, err};
            return {iconv_status::other, at, err};
        }
        irreversible += rc;
        if (flushing) break;
        if (inleft == 0) flushing = true;  // stateless charsets write nothing here; do it anyway
    }
    // glibc counts a character as irreversible when it wrote a substitute
    // (only with //TRANSLIT or //IGNORE, which we never ask for); treat it as
    // a failure rather than ship text that does not round-trip.
    if (irreversible != 0) return {iconv_status::irreversible, 0, 0};
    return {};
}

// One UTF-8 character, strictly per RFC 3629 (no overlongs, no surrogates,
// nothing above U+10FFFF). len == 0 means invalid.
struct utf8_char {
    char32_t cp = 0;
    std::uint8_t len = 0;
};

utf8_char utf8_at(std::string_view s, std::size_t i) noexcept {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const std::size_t left = s.size() - i;
    const unsigned c0 = b(0);
    if (c0 < 0x80) return {c0, 1};
    std::uint8_t len = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (c0 >= 0xC2 && c0 <= 0xDF) {
        len = 2, cp = c0 & 0x1F, min = 0x80;
    } else if (c0 >= 0xE0 && c0 <= 0xEF) {
        len = 3, cp = c0 & 0x0F, min = 0x800;
    } else if (c0 >= 0xF0 && c0 <= 0xF4) {
        len = 4, cp = c0 & 0x07, min = 0x10000;
    } else {
        return {};
    }
    if (left < len) return {};
    for (std::size_t k = 1; k < len; ++k) {
        if ((b(k) & 0xC0) != 0x80) return {};
        cp = (cp << 6) | (b(k) & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
    return {cp, len};
}

std::string hex_bytes(const_byte_span s, std::size_t at, std::size_t n) {
    std::string r;
    for (std::size_t k = at; k < s.size() && k < at + n; ++k) {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%02X", std::to_integer<unsigned>(s[k]));
        if (!r.empty()) r += ' ';
        r += buf;
    }
    return r;
}

std::string describe_char(std::string_view utf8, std::size_t at, utf8_char c) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c.cp));
    std::string r = buf;
    if (c.cp >= 0x20 && c.cp != 0x7F) {
        r += " '";
        r += utf8.substr(at, c.len);
        r += '\'';
    }
    return r;
}

charset_error make_error(charset_errc code, std::size_t offset, char32_t cp, std::string message) {
    return charset_error{code, offset, cp, std::move(message)};
}

charset_error open_failed(const iconv_handle& h, const char* to, const char* from) {
    return make_error(charset_errc::iconv_unavailable, 0, 0,
                      std::string("cannot open iconv conversion from ") + from + " to " + to + ": " +
                          std::strerror(h.open_errno()) +
                          "; glibc's gconv modules for GBK, GB18030 and BIG5 must be installed");
}

int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    c = ascii_lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// The smiley code of a well-formed marker at utf8[at], or -1.
int parse_marker(std::string_view utf8, std::size_t at) noexcept {
    const std::string_view m = utf8.substr(at, smiley_marker_size);
    if (m.size() != smiley_marker_size || m.back() != '}') return -1;
    const int hi = hex_digit(m[smiley_marker_prefix.size()]);
    const int lo = hex_digit(m[smiley_marker_prefix.size() + 1]);
    if (hi < 0 || lo < 0) return -1;
    return hi * 16 + lo;
}

}  // namespace

std::optional<charset> parse_charset(std::string_view name) noexcept {
    for (charset cs : all_charsets)
        if (iequals(name, to_string(cs))) return cs;
    if (iequals(name, "utf8")) return charset::utf8;
    return std::nullopt;
}

encoded_text encode_text(std::string_view utf8, charset to) {
    encoded_text r;
    const std::string_view cs_name = to_string(to);
    const iconv_handle h(iconv_name(to), "UTF-8");
    if (!h.valid()) {
        r.error = open_failed(h, iconv_name(to), "UTF-8");
        return r;
    }
    auto fail = [&](charset_errc code, std::size_t at, char32_t cp, std::string msg) {
        r.bytes.clear();
        r.error = make_error(code, at, cp, std::move(msg));
    };
    // Converts utf8[from, until); the input was validated already, so the
    // only expected failure is a character without a code in `to`.
    auto convert = [&](std::size_t from, std::size_t until) -> bool {
        const iconv_outcome o = run_iconv(h, utf8.substr(from, until - from), r.bytes);
        if (o.status == iconv_status::ok) return true;
        const std::size_t at = from + o.offset;
        const utf8_char c = utf8_at(utf8, at);
        const std::string where = "at byte " + std::to_string(at) + " of the UTF-8 text";
        switch (o.status) {
        case iconv_status::bad_sequence:
            fail(charset_errc::unrepresentable, at, c.cp,
                 describe_char(utf8, at, c) + " " + where + " has no " + std::string(cs_name) +
                     " code; rewrite it or choose gb18030 or utf-8, which can write every character");
            break;
        case iconv_status::irreversible:
            fail(charset_errc::unrepresentable, from, 0,
                 "text starting at byte " + std::to_string(from) + " can only be written approximately in " +
                     std::string(cs_name));
            break;
        case iconv_status::incomplete:
            fail(charset_errc::truncated_input, at, 0, "UTF-8 text ends inside a character " + where);
            break;
        default:
            fail(charset_errc::invalid_input, at, 0,
                 "iconv UTF-8 to " + std::string(cs_name) + " failed " + where + ": " + std::strerror(o.err));
            break;
        }
        return false;
    };

    std::size_t seg = 0;  // start of the run of plain text not converted yet
    std::size_t pos = 0;
    while (pos < utf8.size()) {
        if (utf8.substr(pos).starts_with(smiley_marker_prefix)) {
            const int code = parse_marker(utf8, pos);
            if (code < 0) {
                fail(charset_errc::bad_smiley, pos, 0,
                     "malformed smiley marker at byte " + std::to_string(pos) +
                         " of the UTF-8 text: write {smiley:XX} with two hex digits, e.g. {smiley:4f}");
                return r;
            }
            if (!convert(seg, pos)) return r;
            r.bytes.push_back(smiley_lead);
            r.bytes.push_back(static_cast<std::byte>(code));
            pos += smiley_marker_size;
            seg = pos;
            continue;
        }
        const utf8_char c = utf8_at(utf8, pos);
        if (c.len == 0) {
            fail(charset_errc::invalid_input, pos, 0,
                 "invalid UTF-8 at byte " + std::to_string(pos) + " (bytes " + hex_bytes(as_bytes(utf8), pos, 4) +
                     "); save the text as UTF-8");
            return r;
        }
        if (c.cp == 0x14) {
            fail(charset_errc::bad_smiley, pos, c.cp,
                 "control character U+0014 at byte " + std::to_string(pos) +
                     " of the UTF-8 text would read as a QQ smiley; write {smiley:XX} instead");
            return r;
        }
        pos += c.len;
    }
    convert(seg, utf8.size());
    return r;
}

decoded_text decode_text(const_byte_span text, charset from) {
    decoded_text r;
    const std::string_view cs_name = to_string(from);
    const iconv_handle h("UTF-8", iconv_name(from));
    if (!h.valid()) {
        r.error = open_failed(h, "UTF-8", iconv_name(from));
        return r;
    }
    const std::string_view raw(reinterpret_cast<const char*>(text.data()), text.size());
    auto fail = [&](charset_errc code, std::size_t at, std::string msg) {
        r.utf8.clear();
        r.error = make_error(code, at, 0, std::move(msg));
    };
    auto convert = [&](std::size_t begin, std::size_t end) -> bool {
        const iconv_outcome o = run_iconv(h, raw.substr(begin, end - begin), r.utf8);
        if (o.status == iconv_status::ok) return true;
        const std::size_t at = begin + o.offset;
        const std::string where = " at byte " + std::to_string(at) + " (bytes " + hex_bytes(text, at, 4) + ")";
        if (o.status == iconv_status::incomplete && end == text.size())
            fail(charset_errc::truncated_input, at, std::string(cs_name) + " text ends inside a character" + where);
        else if (o.status == iconv_status::incomplete)
            fail(charset_errc::invalid_input, at,
                 std::string(cs_name) + " character cut short by a smiley byte 0x14" + where);
        else
            fail(charset_errc::invalid_input, at,
                 "not a " + std::string(cs_name) + " character, or one without a Unicode mapping," + where);
        return false;
    };

    std::size_t seg = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != smiley_lead) continue;
        if (i + 1 == text.size()) {
            fail(charset_errc::bad_smiley, i,
                 "smiley byte 0x14 at byte " + std::to_string(i) + " is the last byte: it needs a code byte");
            return r;
        }
        if (!convert(seg, i)) return r;
        char marker[smiley_marker_size + 1];
        std::snprintf(marker, sizeof marker, "{smiley:%02x}", std::to_integer<unsigned>(text[i + 1]));
        r.utf8.append(marker, smiley_marker_size);
        ++i;  // the code byte
        seg = i + 1;
    }
    convert(seg, text.size());
    return r;
}

}  // namespace qqgen::proto
