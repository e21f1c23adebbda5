// HTTP/1.1 page fetches, a companion application blended with QQ traffic: the
// GET a desktop browser sends and the server's 200 answer carrying an HTML page
// in one of the QQ charsets (RFC 9112 message syntax, RFC 9110 header fields).
//
// The builders are set-up code: the session engine calls them once, keeps the
// bytes and copies them into TCP segments per packet, then checks every
// received byte against its copy. So they allocate, and the same inputs always
// give the same bytes (no clock, no randomness). The decoder is for tests and
// fuzzing and reads untrusted bytes without allocating.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/bytes.hpp"
#include "protocols/charset.hpp"

namespace qqgen::proto {

// How many User-Agent strings http_get_request chooses from.
inline constexpr std::uint32_t http_user_agent_count = 4;

// Request line "GET <path> HTTP/1.1" (RFC 9112 3), then Host (RFC 9110 7.2),
// User-Agent (number `agent % http_user_agent_count`: IE 8 and Firefox 3.5 on
// Windows XP, as QQ2009 users browsed, and Chrome 49 and 120 on Windows 7/10),
// Accept, Accept-Language (zh-CN first), Accept-Encoding: identity (the pages
// are sent uncompressed, so the engine can check them byte for byte),
// Connection: keep-alive, and the empty line.
// Preconditions, not checked: `path` is an origin-form target (RFC 9112 3.2.1)
// of visible ASCII ("" is sent as "/"), `host` holds no CR, LF or NUL.
std::string http_get_request(std::string_view host, std::string_view path, std::uint32_t agent);

struct http_response_result {
    std::vector<std::byte> bytes;  // status line + header fields + body
    std::size_t header_size = 0;   // bytes before the body (the empty line included)
    std::string error;             // non-empty: could not be built; bytes is empty then
    [[nodiscard]] bool ok() const noexcept { return error.empty(); }
};

// The largest body http_page_response builds: pages of the companion
// application stay well below it, and it bounds set-up memory.
inline constexpr std::uint32_t http_max_body = 4u << 20;

// "HTTP/1.1 200 OK", Server: nginx, a fixed Date (IMF-fixdate, RFC 9110 5.6.7),
// Content-Type: text/html; charset=<gbk|gb18030|big5|utf-8>, Content-Length,
// Connection: keep-alive, Cache-Control; then a body of exactly `body_bytes`
// bytes in charset `cs`:
//   <!DOCTYPE html>, <html lang="zh-CN"> ("zh-TW" for big5), <meta charset>,
//   <title> from `title_utf8` (HTML-escaped), <p> paragraphs of the shipped
//   chat corpus (simplified Chinese, traditional for big5; smileys dropped),
//   whitespace up to the exact size, then </body></html>.
// A paragraph that does not fit whole is left out, never cut, so no multi-byte
// character is split; the gap is filled with ASCII spaces and a newline.
// A body too small for the page around the title becomes the ASCII page
//   <!DOCTYPE html>\n<html lang="zh-CN"><meta charset="gbk"></html>\n
// (63 bytes for gbk; lang and charset as above) padded with spaces before
// </html>, and a body smaller still is the first `body_bytes` bytes of that
// ASCII page (1 byte: "<"). The page is 1 byte to http_max_body.
// Errors: body_bytes 0 or above http_max_body, a title the charset cannot
// write, iconv missing (the message says which).
http_response_result http_page_response(std::uint32_t body_bytes, charset cs, std::string_view title_utf8);

// The head of a request: request line and header fields up to CRLF CRLF.
struct http_request_head {
    std::string_view method, path, version, host;  // views into the input
    std::size_t size = 0;                          // bytes of the head, the final CRLF CRLF included
};

// Reads the head at the start of `in` (RFC 9112 2.1-2.2, 3, 5). Refusals:
// truncated when no empty line ends the head within `in`; bad_value for a
// request line that is not `token SP target SP HTTP/d.d` (target: visible
// ASCII), a line ending in a bare LF or CR, a field line without a colon or
// with whitespace before it (RFC 9112 5.1), obs-fold (5.2), a control byte in
// a field value, an HTTP/1.1 request with no Host or with two (RFC 9112 3.2).
// Offsets point at the offending byte. Field values are trimmed of SP/HTAB.
result<http_request_head> parse_http_request_head(const_byte_span in) noexcept;

}  // namespace qqgen::proto
