// HTTP/1.1 requests and HTML page responses (RFC 9112, RFC 9110).
//
// The same builders' output, put in a TCP flow, was dissected by tshark 4.0.17
// without expert errors ("GET /index.html HTTP/1.1", "HTTP/1.1 200 OK
// (text/html)") and labelled HTTP by ndpiReader 4.2.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "protocols/charset.hpp"
#include "protocols/http_message.hpp"

using namespace qqgen::proto;
using namespace std::string_view_literals;

namespace {

std::string_view text_of(const std::vector<std::byte>& b, std::size_t from, std::size_t n) {
    return {reinterpret_cast<const char*>(b.data()) + from, n};
}

// The value of header field `name` in a response head, "" if absent.
std::string field(std::string_view head, std::string_view name) {
    const std::string key = "\r\n" + std::string(name) + ": ";
    const std::size_t p = head.find(key);
    if (p == std::string_view::npos) return {};
    const std::size_t v = p + key.size();
    return std::string(head.substr(v, head.find("\r\n", v) - v));
}

result<http_request_head> parse(std::string_view s) { return parse_http_request_head(as_bytes(s)); }

}  // namespace

TEST_CASE("GET request: request line, fields, and it parses back") {
    const std::string r = http_get_request("www.qq.com", "/news/index.html", 0);
    CHECK(r.starts_with("GET /news/index.html HTTP/1.1\r\nHost: www.qq.com\r\nUser-Agent: Mozilla/"));
    CHECK(r.ends_with("\r\nConnection: keep-alive\r\n\r\n"));
    CHECK(r.find("\r\nAccept: text/html,") != std::string::npos);
    CHECK(r.find("\r\nAccept-Language: zh-CN,zh;q=0.9,en;q=0.8\r\n") != std::string::npos);
    CHECK(r.find("\r\nAccept-Encoding: identity\r\n") != std::string::npos);

    const auto h = parse(r);
    REQUIRE(h.ok());
    CHECK(h.value.method == "GET");
    CHECK(h.value.path == "/news/index.html");
    CHECK(h.value.version == "HTTP/1.1");
    CHECK(h.value.host == "www.qq.com");
    CHECK(h.value.size == r.size());
    // Views into the input, not copies.
    CHECK(h.value.host.data() == r.data() + r.find("www.qq.com"));

    CHECK(http_get_request("a", "", 0).starts_with("GET / HTTP/1.1\r\n"));
    CHECK(http_get_request("a", "/", 7) == http_get_request("a", "/", 7 + http_user_agent_count));
    CHECK(http_get_request("a", "/", 0) != http_get_request("a", "/", 1));
}

TEST_CASE("request head decoder refuses what RFC 9112 does not allow") {
    const std::string ok = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
    for (std::size_t n = 0; n < ok.size(); ++n) {
        INFO(n);
        CHECK(parse(ok.substr(0, n)).why.code == decode_error::truncated);
    }
    const std::string pipelined = ok + "GET /next";  // bytes of a next request after the head
    const auto trailing = parse(pipelined);
    REQUIRE(trailing.ok());
    CHECK(trailing.value.size == ok.size());

    const auto bad = [](std::string_view s) { return parse(s).why.code == decode_error::bad_value; };
    CHECK(bad("GET / HTTP/1.1\nHost: h\r\n\r\n"));      // bare LF
    CHECK(bad("GET  / HTTP/1.1\r\nHost: h\r\n\r\n"));   // two spaces
    CHECK(bad("G(T / HTTP/1.1\r\nHost: h\r\n\r\n"));    // not a token
    CHECK(bad("GET /a\rb HTTP/1.1\r\nHost: h\r\n\r\n"));  // bare CR
    CHECK(bad("GET / HTTP/11\r\nHost: h\r\n\r\n"));
    CHECK(bad("GET / HTTP/1.1 \r\nHost: h\r\n\r\n"));
    CHECK(bad("GET / HTTP/1.1\r\nHost : h\r\n\r\n"));   // space before the colon (5.1)
    CHECK(bad("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n"));  // obs-fold (5.2)
    CHECK(bad("GET / HTTP/1.1\r\nNoColon\r\nHost: h\r\n\r\n"));
    CHECK(bad("GET / HTTP/1.1\r\nHost: h\0x\r\n\r\n"sv));
    CHECK(bad("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n"));  // no Host (3.2)
    CHECK(bad("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n"));  // two Hosts
    CHECK(parse("GET / HTTP/1.0\r\n\r\n").ok());  // 1.0 needs no Host

    const auto r = parse("GET / HTTP/1.1\r\nHOST:\t h:80 \r\n\r\n");
    REQUIRE(r.ok());
    CHECK(r.value.host == "h:80");
    CHECK(parse("GET / HTTP/1.1\r\nHost: h\r\n\n").why.offset == 25);
}

TEST_CASE("page response: exact body size in every charset, and the body decodes") {
    for (charset cs : all_charsets) {
        for (std::uint32_t size : {1u, 2u, 50u, 62u, 63u, 64u, 150u, 199u, 1000u, 20000u, 1u << 20}) {
            INFO(to_string(cs) << " " << size);
            const std::string_view title = cs == charset::big5 ? "騰訊首頁 QQ & <你>" : "腾讯首页 QQ & <你>";
            const http_response_result r = http_page_response(size, cs, title);
            INFO(r.error);
            REQUIRE(r.ok());
            REQUIRE(r.bytes.size() == r.header_size + size);
            const std::string_view head = text_of(r.bytes, 0, r.header_size);
            CHECK(head.starts_with("HTTP/1.1 200 OK\r\n"));
            CHECK(head.ends_with("\r\n\r\n"));
            CHECK(field(head, "Content-Length") == std::to_string(size));
            CHECK(field(head, "Content-Type") == "text/html; charset=" + std::string(to_string(cs)));
            CHECK(field(head, "Date") == "Mon, 01 Jun 2009 08:00:00 GMT");
            CHECK(field(head, "Connection") == "keep-alive");
            CHECK(field(head, "Server") == "nginx");

            const const_byte_span body = const_byte_span(r.bytes).subspan(r.header_size);
            const decoded_text d = decode_text(body, cs);
            INFO(d.error.message);
            REQUIRE(d.ok());
            CHECK(d.utf8.find("{smiley:") == std::string::npos);  // no 0x14 control bytes
            CHECK(std::string_view("<!DOCTYPE html>").starts_with(d.utf8.substr(0, 15)));
            if (size >= 200) {
                CHECK(d.utf8.find("<title>" + std::string(title.substr(0, title.find(' '))) +
                                  " QQ &amp; &lt;你&gt;</title>") != std::string::npos);
                CHECK(d.utf8.ends_with("</body>\n</html>\n"));
                CHECK(d.utf8.find(cs == charset::big5 ? "<html lang=\"zh-TW\">" : "<html lang=\"zh-CN\">") !=
                      std::string::npos);
                CHECK(d.utf8.find("<meta charset=\"" + std::string(to_string(cs)) + "\">") != std::string::npos);
            }
            if (size >= 1000) {
                CHECK(d.utf8.find("<p>") != std::string::npos);
                // Mostly Chinese text: well over a third of the bytes are not ASCII.
                std::size_t high = 0;
                for (std::byte b : body) high += std::to_integer<unsigned>(b) >= 0x80;
                CHECK(high * 3 > body.size());
            }
        }
    }
}

TEST_CASE("page response: tiny bodies are the ASCII page, padded or cut") {
    const auto body = [](std::uint32_t n) {
        const http_response_result r = http_page_response(n, charset::gbk, "t");
        REQUIRE(r.ok());
        return std::string(text_of(r.bytes, r.header_size, n));
    };
    const std::string mini = "<!DOCTYPE html>\n<html lang=\"zh-CN\"><meta charset=\"gbk\"></html>\n";
    CHECK(body(1) == "<");
    CHECK(body(20) == mini.substr(0, 20));
    CHECK(body(static_cast<std::uint32_t>(mini.size())) == mini);
    const std::string padded = body(static_cast<std::uint32_t>(mini.size() + 5));
    CHECK(padded.ends_with("\">     </html>\n"));
}

TEST_CASE("page response: deterministic, sizes up to 4 MiB, refusals") {
    const auto a = http_page_response(4u << 20, charset::gb18030, "页面");
    REQUIRE(a.ok());
    CHECK(a.bytes.size() == a.header_size + (4u << 20));
    const auto b = http_page_response(4u << 20, charset::gb18030, "页面");
    CHECK(a.bytes == b.bytes);

    const auto zero = http_page_response(0, charset::gbk, "t");
    CHECK(!zero.ok());
    CHECK(zero.bytes.empty());
    CHECK(!http_page_response((4u << 20) + 1, charset::gbk, "t").ok());
    // An emoji has no Big5 code; the error names the title.
    const auto euro = http_page_response(1000, charset::big5, "標題 😀");
    CHECK(!euro.ok());
    CHECK(euro.bytes.empty());
    CHECK(euro.error.find("title") != std::string::npos);
    // A smiley marker in a title is text, not the QQ smiley byte.
    const auto marker = http_page_response(500, charset::utf8, "{smiley:4f}");
    REQUIRE(marker.ok());
    CHECK(text_of(marker.bytes, 0, marker.bytes.size()).find("&#123;smiley:4f}") != std::string_view::npos);
}
