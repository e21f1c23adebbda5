// ASCII decimal numbers and dotted IPv4 addresses inside QQ bodies.
//
// A few classic QQ bodies are text, not binary: the keep-alive reply and the
// system message (0x1F-separated fields) and the system-message ack carry
// numbers as decimal strings (pidgin 2.4 libqq keep_alive.c, sys_msg.c: the
// fields go through strtol and "%d"). The servers printed them with "%d" /
// "%u", so qqgen writes and accepts only the canonical form: no sign, no
// leading zero except "0" itself. That keeps every decode -> encode byte-exact.
#pragma once

#include <cstddef>
#include <cstdint>

#include "protocols/bytes.hpp"

namespace qqgen::proto {

// Writes v in canonical decimal (1..10 digits).
inline void write_decimal(byte_writer& w, std::uint32_t v) noexcept {
    char digits[10];
    int n = 0;
    do {
        digits[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0) w.u8(static_cast<std::uint8_t>(digits[--n]));
}

// Number of bytes write_decimal(v) produces.
constexpr std::size_t decimal_width(std::uint32_t v) noexcept {
    std::size_t n = 1;
    while (v >= 10) {
        v /= 10;
        ++n;
    }
    return n;
}

// Parses a whole span as a canonical decimal no greater than max. On failure
// the refusal offset is relative to the span.
constexpr result<std::uint32_t> parse_decimal(const_byte_span s, std::uint32_t max) noexcept {
    if (s.empty()) return result<std::uint32_t>::fail(decode_error::bad_value, 0);
    if (s.size() > 1 && s[0] == std::byte{'0'}) return result<std::uint32_t>::fail(decode_error::bad_value, 0);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned c = std::to_integer<unsigned>(s[i]);
        if (c < '0' || c > '9') return result<std::uint32_t>::fail(decode_error::bad_value, i);
        v = v * 10 + (c - '0');
        if (v > max) return result<std::uint32_t>::fail(decode_error::bad_value, i);
    }
    result<std::uint32_t> r;
    r.value = static_cast<std::uint32_t>(v);
    return r;
}

// IPv4 addresses are held as the big-endian value of their four bytes
// (192.0.2.1 = 0xC0000201), as everywhere in qqgen.
inline void write_dotted_ip(byte_writer& w, std::uint32_t ip) noexcept {
    for (int shift = 24; shift >= 0; shift -= 8) {
        write_decimal(w, (ip >> shift) & 0xffu);
        if (shift != 0) w.u8('.');
    }
}

// Parses a whole span as "a.b.c.d" (canonical octets 0..255).
constexpr result<std::uint32_t> parse_dotted_ip(const_byte_span s) noexcept {
    std::uint32_t ip = 0;
    std::size_t start = 0;
    for (int octet = 0; octet < 4; ++octet) {
        std::size_t end = start;
        while (end < s.size() && s[end] != std::byte{'.'}) ++end;
        if ((end == s.size()) != (octet == 3)) {
            return result<std::uint32_t>::fail(decode_error::bad_value, end);
        }
        auto part = parse_decimal(s.subspan(start, end - start), 255);
        if (!part) return result<std::uint32_t>::fail(decode_error::bad_value, start + part.why.offset);
        ip = (ip << 8) | part.value;
        start = end + 1;
    }
    result<std::uint32_t> r;
    r.value = ip;
    return r;
}

}  // namespace qqgen::proto
