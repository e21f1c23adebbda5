// Fuzzes the UDP packet decoders; every accepted packet must re-encode to
// exactly the input, and a signature-form packet must also come back from the
// signature encoder.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "protocols/qq_header.hpp"

using namespace qqgen::proto;

namespace {

bool same(const std::vector<std::byte>& out, std::size_t n, const_byte_span in) {
    return n == in.size() && std::equal(in.begin(), in.end(), out.begin());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const const_byte_span in{reinterpret_cast<const std::byte*>(data), size};
    (void)ndpi42_qq_match(in);

    if (const auto c = decode_client_packet(in); c.ok()) {
        if (c.value.body.data() != in.data() + client_body_offset) __builtin_trap();
        std::vector<std::byte> out(size);
        if (!same(out, encode_client_packet(out, c.value.header, c.value.body), in)) __builtin_trap();
        if (c.value.signature != (signature_version(size) != 0 && signature_version(size) == c.value.header.version))
            __builtin_trap();
        if (c.value.signature && (code(c.value.header.command) >> 8) == 0) {
            std::vector<std::byte> sig(size);
            if (!same(sig, encode_signature_client_packet(sig, c.value.header, c.value.body, size), in))
                __builtin_trap();
        }
    }
    if (const auto s = decode_server_packet(in); s.ok()) {
        if (s.value.body.data() != in.data() + server_body_offset) __builtin_trap();
        std::vector<std::byte> out(size);
        if (!same(out, encode_server_packet(out, s.value.header, s.value.body), in)) __builtin_trap();
        if (s.value.signature && (code(s.value.header.command) >> 8) == 0) {
            std::vector<std::byte> sig(size);
            if (!same(sig, encode_signature_server_packet(sig, s.value.header, s.value.body, size), in))
                __builtin_trap();
        }
    } else if (size >= min_server_packet && in[0] == qq_start_tag && in[size - 1] == qq_end_tag) {
        __builtin_trap();  // a well-tagged packet of legal size must decode
    }
    return 0;
}
