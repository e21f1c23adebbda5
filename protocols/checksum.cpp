#include "protocols/checksum.hpp"

#include <bit>
#include <cstring>

namespace qqgen::proto {

namespace {

inline std::uint64_t load64(const std::byte* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// One's-complement addition of 64-bit words: the carry out of the top goes
// back in at the bottom (2^64 = 1 mod 0xFFFF). Compiles to add + adc.
inline std::uint64_t add_carry(std::uint64_t sum, std::uint64_t w) noexcept {
    sum += w;
    return sum + (sum < w ? 1 : 0);
}

}  // namespace

// RFC 1071 section 2(B), byte-order independence: summing the data as native
// words and swapping the folded result gives the sum of big-endian words. So
// the loop adds native 64-bit words with end-around carry (2(C), "parallel
// summation") in two independent chains, and swaps once at the end. Frames
// are short (60..1514 bytes), so a plain scalar loop beats the vectorised
// one the compiler makes of 32-bit accumulation (measured on a 108-byte UDP
// datagram).
std::uint32_t checksum_partial(const_byte_span data, std::uint32_t initial) noexcept {
    const std::byte* p = data.data();
    std::size_t n = data.size();
    std::uint64_t a = 0, b = 0;
    while (n >= 32) {
        a = add_carry(a, load64(p));
        b = add_carry(b, load64(p + 8));
        a = add_carry(a, load64(p + 16));
        b = add_carry(b, load64(p + 24));
        p += 32;
        n -= 32;
    }
    while (n >= 8) {
        a = add_carry(a, load64(p));
        p += 8;
        n -= 8;
    }
    // The tail with fixed-size loads (a variable-length memcpy is a call).
    // Every load starts at an even offset, so each adds whole native 16-bit
    // words; a last odd byte is the first byte of a word padded with zero
    // (RFC 1071 section 1): its low half on a little-endian machine.
    if (n & 4) {
        std::uint32_t w;
        std::memcpy(&w, p, 4);
        a = add_carry(a, w);
        p += 4;
    }
    if (n & 2) {
        std::uint16_t w;
        std::memcpy(&w, p, 2);
        b = add_carry(b, w);
        p += 2;
    }
    if (n & 1) {
        const auto last = std::to_integer<std::uint64_t>(*p);
        a = add_carry(a, std::endian::native == std::endian::little ? last : last << 8);
    }
    const std::uint64_t sum = add_carry(a, b);
    std::uint16_t folded = checksum_fold((sum >> 32) + (sum & 0xffffffffu));
    if constexpr (std::endian::native == std::endian::little)
        folded = static_cast<std::uint16_t>((folded >> 8) | (folded << 8));
    return checksum_fold(std::uint64_t{folded} + initial);
}

std::uint32_t ipv4_pseudo_header_sum(std::span<const std::byte, 4> src, std::span<const std::byte, 4> dst,
                                     std::uint8_t protocol, std::uint16_t l4_length) noexcept {
    std::uint64_t sum = std::uint64_t{load_be16(src.data())} + load_be16(src.data() + 2) + load_be16(dst.data()) +
                        load_be16(dst.data() + 2) + protocol + l4_length;
    return checksum_fold(sum);
}

std::uint32_t ipv6_pseudo_header_sum(std::span<const std::byte, 16> src, std::span<const std::byte, 16> dst,
                                     std::uint8_t next_header, std::uint32_t l4_length) noexcept {
    std::uint64_t sum = std::uint64_t{next_header} + (l4_length >> 16) + (l4_length & 0xffffu);
    for (std::size_t i = 0; i < 16; i += 2) sum += std::uint64_t{load_be16(src.data() + i)} + load_be16(dst.data() + i);
    return checksum_fold(sum);
}

}  // namespace qqgen::proto
