// HTTP/1.1 GET requests, 200 responses carrying HTML pages, and the request
// head decoder (RFC 9112, RFC 9110).
#include "protocols/http_message.hpp"

#include <array>
#include <cstring>

#include "protocols/text_corpus.hpp"

namespace qqgen::proto {

namespace {

// Widely logged User-Agent strings: IE 8 and Firefox 3.5.5 on Windows XP
// (2009, the QQ2009 years), Chrome 49 (the last Chrome for XP, 2016) and
// Chrome 120 on Windows 10 (2023, with the frozen "Windows NT 10.0" form).
constexpr std::array<std::string_view, http_user_agent_count> user_agents{
    "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.1; Trident/4.0; .NET CLR 2.0.50727)",
    "Mozilla/5.0 (Windows; U; Windows NT 5.1; zh-CN; rv:1.9.1.5) Gecko/20091102 Firefox/3.5.5",
    "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/49.0.2623.112 "
    "Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
    "Safari/537.36",
};

// A fixed Date, so the response is the same bytes every time (the engine checks
// them); 1 June 2009 was a Monday. IMF-fixdate, RFC 9110 5.6.7.
constexpr std::string_view fixed_date = "Mon, 01 Jun 2009 08:00:00 GMT";

constexpr std::string_view paragraph_open = "<p>";
constexpr std::string_view paragraph_close = "</p>\n";
constexpr std::string_view page_tail = "</body>\n</html>\n";

void append(std::vector<std::byte>& out, std::string_view s) {
    const auto b = as_bytes(s);
    out.insert(out.end(), b.begin(), b.end());
}

void append(std::vector<std::byte>& out, const_byte_span b) { out.insert(out.end(), b.begin(), b.end()); }

// k bytes of whitespace: spaces, the last one a newline.
void append_padding(std::vector<std::byte>& out, std::size_t k) {
    if (k == 0) return;
    out.insert(out.end(), k - 1, std::byte{' '});
    out.push_back(std::byte{'\n'});
}

// UTF-8 text made safe for HTML content: markup characters become references
// (HTML Living Standard 13.1.4), and '{' too, so that encode_text never sees a
// smiley marker (charset.hpp) and never writes the control byte 0x14.
std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '{': out += "&#123;"; break;
        default: out += c;
        }
    }
    return out;
}

// A corpus line without its `{smiley:XX}` markers: a web page has no QQ smileys.
std::string without_smileys(std::string_view s) {
    std::string out;
    for (std::size_t p = 0; p < s.size();) {
        if (s.substr(p, smiley_marker_prefix.size()) == smiley_marker_prefix && s.size() - p >= smiley_marker_size) {
            p += smiley_marker_size;
            continue;
        }
        out += s[p++];
    }
    return out;
}

std::string_view html_lang(charset cs) noexcept { return cs == charset::big5 ? "zh-TW" : "zh-CN"; }

// The page for bodies too small for the title and paragraphs: ASCII only.
std::string mini_page(charset cs) {
    return "<!DOCTYPE html>\n<html lang=\"" + std::string(html_lang(cs)) + "\"><meta charset=\"" +
           std::string(to_string(cs)) + "\"></html>\n";
}

std::string response_header(std::uint32_t body_bytes, charset cs) {
    std::string h = "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: ";
    h += fixed_date;
    h += "\r\nContent-Type: text/html; charset=";
    h += to_string(cs);  // lower-case IANA names; charset names are case-insensitive (RFC 9110 8.3.2)
    h += "\r\nContent-Length: " + std::to_string(body_bytes);
    h += "\r\nConnection: keep-alive\r\nCache-Control: max-age=600\r\n\r\n";
    return h;
}

// The corpus paragraphs in `cs`: simplified lines, traditional for Big5 (the
// script a Big5 reader expects; text_corpus.hpp language_suits).
prepare_result page_texts(charset cs) {
    const corpus_language lang = cs == charset::big5 ? corpus_language::traditional : corpus_language::simplified;
    std::vector<std::string> stripped;
    for (std::string_view s : corpus_lines(lang)) stripped.push_back(html_escape(without_smileys(s)));
    std::vector<tagged_line> lines;
    for (const std::string& s : stripped) lines.push_back(tagged_line{s, lang});
    return prepare_texts(cs, std::span<const tagged_line>(lines));
}

// RFC 9110 5.6.2: tchar.
constexpr bool is_tchar(unsigned char c) noexcept {
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) return true;
    return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}
constexpr bool is_visible(unsigned char c) noexcept { return c >= 0x21 && c <= 0x7e; }
// field-vchar = VCHAR / obs-text, plus SP and HTAB inside a value (RFC 9110 5.5).
constexpr bool is_field_char(unsigned char c) noexcept { return c == ' ' || c == '\t' || is_visible(c) || c >= 0x80; }

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::string_view trim_ows(std::string_view v) noexcept {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v;
}

// Parses "method SP target SP HTTP/d.d" (RFC 9112 3, 2.3); `base` is the
// line's offset in the input. Returns the offset of the first bad byte, or npos.
std::size_t parse_request_line(std::string_view line, std::size_t base, http_request_head& h) noexcept {
    std::size_t p = 0;
    while (p < line.size() && is_tchar(static_cast<unsigned char>(line[p]))) ++p;
    if (p == 0 || p == line.size() || line[p] != ' ') return base + p;
    h.method = line.substr(0, p);
    const std::size_t t = ++p;
    while (p < line.size() && is_visible(static_cast<unsigned char>(line[p]))) ++p;
    if (p == t || p == line.size() || line[p] != ' ') return base + p;
    h.path = line.substr(t, p - t);
    const std::size_t v = ++p;
    const std::string_view version = line.substr(v);
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !digit(version[5]) || version[6] != '.' ||
        !digit(version[7]))
        return base + v;
    h.version = version;
    return std::string_view::npos;
}

}  // namespace

std::string http_get_request(std::string_view host, std::string_view path, std::uint32_t agent) {
    std::string r = "GET ";
    r += path.empty() ? std::string_view("/") : path;
    r += " HTTP/1.1\r\nHost: ";
    r += host;
    r += "\r\nUser-Agent: ";
    r += user_agents[agent % http_user_agent_count];
    // Accept as the browsers of those years sent it for a page (Firefox 3.5's list).
    r += "\r\nAccept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
         "\r\nAccept-Language: zh-CN,zh;q=0.9,en;q=0.8"
         "\r\nAccept-Encoding: identity"
         "\r\nConnection: keep-alive\r\n\r\n";
    return r;
}

http_response_result http_page_response(std::uint32_t body_bytes, charset cs, std::string_view title_utf8) {
    http_response_result r;
    if (body_bytes == 0 || body_bytes > http_max_body) {
        r.error = "HTTP page body of " + std::to_string(body_bytes) + " bytes: choose 1 to " +
                  std::to_string(http_max_body) + " bytes";
        return r;
    }
    const encoded_text title = encode_text(html_escape(title_utf8), cs);
    if (!title.ok()) {
        r.error = "HTTP page title: " + title.error.message;
        return r;
    }
    prepare_result texts = page_texts(cs);
    if (!texts.ok()) {
        r.error = "HTTP page text: " + texts.error;
        return r;
    }

    const std::string header = response_header(body_bytes, cs);
    std::vector<std::byte>& out = r.bytes;
    out.reserve(header.size() + body_bytes);
    append(out, header);
    r.header_size = out.size();

    const std::string head_open = "<!DOCTYPE html>\n<html lang=\"" + std::string(html_lang(cs)) +
                                  "\">\n<head>\n<meta charset=\"" + std::string(to_string(cs)) + "\">\n<title>";
    const std::string_view head_close = "</title>\n</head>\n<body>\n";
    const std::size_t frame = head_open.size() + title.bytes.size() + head_close.size() + page_tail.size();

    if (body_bytes < frame) {
        // Too small for the real page: the ASCII page, padded or cut (ASCII
        // bytes are single characters, so any cut is a clean one).
        const std::string mini = mini_page(cs);
        const std::string_view end_tag = "</html>\n";
        if (body_bytes >= mini.size()) {
            append(out, std::string_view(mini).substr(0, mini.size() - end_tag.size()));
            out.insert(out.end(), body_bytes - mini.size(), std::byte{' '});
            append(out, end_tag);
        } else {
            append(out, std::string_view(mini).substr(0, body_bytes));
        }
    } else {
        append(out, head_open);
        append(out, title.bytes);
        append(out, head_close);
        const prepared_texts& t = texts.table;
        const std::size_t overhead = paragraph_open.size() + paragraph_close.size();
        std::size_t room = body_bytes - frame;
        // Lines in corpus order, round and round; when the next one does not
        // fit, the first later one that does, until none fits.
        for (std::size_t i = 0;; i = (i + 1) % t.size()) {
            std::size_t pick = t.size();
            for (std::size_t k = 0; k < t.size(); ++k) {
                const std::size_t j = (i + k) % t.size();
                if (t.line(j).size() + overhead <= room) {
                    pick = j;
                    break;
                }
            }
            if (pick == t.size()) break;
            append(out, paragraph_open);
            append(out, t.line(pick));
            append(out, paragraph_close);
            room -= t.line(pick).size() + overhead;
            i = pick;
        }
        append_padding(out, room);
        append(out, page_tail);
    }
    return r;
}

result<http_request_head> parse_http_request_head(const_byte_span in) noexcept {
    using R = result<http_request_head>;
    const std::string_view s(reinterpret_cast<const char*>(in.data()), in.size());
    http_request_head h;
    bool host_seen = false;
    for (std::size_t pos = 0, line_no = 0;; ++line_no) {
        const std::size_t lf = s.find('\n', pos);
        if (lf == std::string_view::npos) return R::fail(decode_error::truncated, s.size());
        // RFC 9112 2.2: lines end in CRLF; a bare LF or CR is refused here.
        if (lf == pos || s[lf - 1] != '\r') return R::fail(decode_error::bad_value, lf);
        const std::string_view line = s.substr(pos, lf - 1 - pos);
        const std::size_t base = pos;
        pos = lf + 1;
        if (line_no == 0) {
            const std::size_t bad = parse_request_line(line, base, h);
            if (bad != std::string_view::npos) return R::fail(decode_error::bad_value, bad);
            continue;
        }
        if (line.empty()) {
            // RFC 9112 3.2: an HTTP/1.1 request carries exactly one Host.
            if (!host_seen && h.version != "HTTP/1.0") return R::fail(decode_error::bad_value, base);
            h.size = pos;
            return R{h, {}};
        }
        std::size_t p = 0;  // field-name ":" OWS field-value OWS (RFC 9112 5)
        while (p < line.size() && is_tchar(static_cast<unsigned char>(line[p]))) ++p;
        if (p == 0 || p == line.size() || line[p] != ':') return R::fail(decode_error::bad_value, base + p);
        for (std::size_t q = p + 1; q < line.size(); ++q)
            if (!is_field_char(static_cast<unsigned char>(line[q]))) return R::fail(decode_error::bad_value, base + q);
        if (iequals(line.substr(0, p), "host")) {
            if (host_seen) return R::fail(decode_error::bad_value, base);
            host_seen = true;
            h.host = trim_ows(line.substr(p + 1));
        }
    }
}

}  // namespace qqgen::proto
