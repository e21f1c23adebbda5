// Feeds untrusted bytes to the HTTP request head decoder; a head that decodes
// has its fields inside the input, and, rebuilt as qqgen's own GET with the
// same host and path, decodes to the same host and path.
#include <cstddef>
#include <cstdint>
#include <string>

#include "protocols/http_message.hpp"

using namespace qqgen::proto;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

bool inside(std::string_view part, const_byte_span in) {
    const auto* begin = reinterpret_cast<const char*>(in.data());
    return part.empty() || (part.data() >= begin && part.data() + part.size() <= begin + in.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const const_byte_span in{reinterpret_cast<const std::byte*>(data), size};
    const auto r = parse_http_request_head(in);
    if (!r.ok()) {
        check(r.why.offset <= size);
        return 0;
    }
    const http_request_head& h = r.value;
    check(h.size >= 4 && h.size <= size);
    const std::string_view head(reinterpret_cast<const char*>(data), h.size);
    check(head.ends_with("\r\n\r\n"));
    check(inside(h.method, in.first(h.size)) && inside(h.path, in.first(h.size)) &&
          inside(h.version, in.first(h.size)) && inside(h.host, in.first(h.size)));
    check(!h.method.empty() && !h.path.empty() && h.version.size() == 8);

    // The decoder only accepts a visible-ASCII target and a host without
    // control bytes, which is what http_get_request asks of its arguments.
    const std::string again = http_get_request(h.host, h.path, static_cast<std::uint32_t>(size));
    const auto a = parse_http_request_head(as_bytes(again));
    check(a.ok());
    check(a.value.method == "GET" && a.value.version == "HTTP/1.1");
    check(a.value.path == h.path && a.value.host == h.host && a.value.size == again.size());
    return 0;
}
