// The Internet checksum (RFC 1071) and the pseudo-header sums of UDP and TCP.
//
// Sums are kept as "partial sums": the one's-complement sum of the data read
// as big-endian 16-bit words, folded to 16 bits but not complemented, held in
// a uint32_t so that several can be added before one final fold. The
// checksum field of a header is ~fold(sum of everything it covers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "protocols/bytes.hpp"

namespace qqgen::proto {

// Fold a sum of 16-bit words to 16 bits with end-around carry (RFC 1071 4.1).
// Any uint64_t works: 2^16 = 1 (mod 0xFFFF), so each fold keeps the value.
constexpr std::uint16_t checksum_fold(std::uint64_t sum) noexcept {
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = (sum & 0xffffu) + (sum >> 16);
    return static_cast<std::uint16_t>(sum);
}

// The partial sum of `data` added to `initial` (another partial sum). `data`
// must begin at an even offset of the checksummed region; an odd final byte is
// padded with a zero byte on its right (RFC 1071 section 1, step 1), so only
// the last span of a region may have odd length.
[[nodiscard]] std::uint32_t checksum_partial(const_byte_span data, std::uint32_t initial = 0) noexcept;

// The value for a checksum field: ~fold(initial + sum of data).
[[nodiscard]] inline std::uint16_t internet_checksum(const_byte_span data, std::uint32_t initial = 0) noexcept {
    return static_cast<std::uint16_t>(~checksum_partial(data, initial));
}

// Pseudo-header partial sums for the UDP/TCP checksum.
// IPv4 (RFC 768, RFC 793 section 3.1): source, destination, zero, protocol,
// UDP/TCP length.
[[nodiscard]] std::uint32_t ipv4_pseudo_header_sum(std::span<const std::byte, 4> src, std::span<const std::byte, 4> dst,
                                                   std::uint8_t protocol, std::uint16_t l4_length) noexcept;
// IPv6 (RFC 8200 section 8.1): source, destination, 32-bit upper-layer length,
// three zero bytes, next header. Also used by ICMPv6 (RFC 4443 section 2.3).
[[nodiscard]] std::uint32_t ipv6_pseudo_header_sum(std::span<const std::byte, 16> src,
                                                   std::span<const std::byte, 16> dst, std::uint8_t next_header,
                                                   std::uint32_t l4_length) noexcept;

// RFC 1624 incremental update, equation 3: HC' = ~(~HC + ~m + m'), for a
// template whose 16-bit field m changes to m_new. The result may be 0x0000;
// a UDP checksum must then be sent as 0xFFFF (RFC 768).
[[nodiscard]] constexpr std::uint16_t checksum_update16(std::uint16_t checksum, std::uint16_t old_value,
                                                        std::uint16_t new_value) noexcept {
    std::uint32_t sum = static_cast<std::uint16_t>(~checksum);
    sum += static_cast<std::uint16_t>(~old_value);
    sum += new_value;
    return static_cast<std::uint16_t>(~checksum_fold(sum));
}

// The same for a 32-bit field (an address, a TCP sequence number): two words.
[[nodiscard]] constexpr std::uint16_t checksum_update32(std::uint16_t checksum, std::uint32_t old_value,
                                                        std::uint32_t new_value) noexcept {
    std::uint64_t sum = static_cast<std::uint16_t>(~checksum);
    sum += static_cast<std::uint16_t>(~(old_value >> 16));
    sum += static_cast<std::uint16_t>(~old_value);
    sum += new_value >> 16;
    sum += new_value & 0xffffu;
    return static_cast<std::uint16_t>(~checksum_fold(sum));
}

}  // namespace qqgen::proto
