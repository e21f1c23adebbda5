// The Toeplitz hash of receive-side scaling (RSS) as NICs compute it, the
// tuples they hash, and the redirection table (RETA) that turns a hash into a
// queue. DPDK-free: the tuple choice built on it (rss_port_choice.hpp) runs in
// the session engine and in unit tests.
//
// Source of every fact here: Microsoft, "RSS Hashing Functions" and
// "Verifying the RSS Hash Calculation" (Windows driver docs, the RSS spec NIC
// vendors implement; Intel 82599 datasheet 7.1.2.8 says the same):
// - the hash input for IPv4 is source address, destination address, then
//   (with L4) source port, destination port: 12 bytes, or 8 without ports;
//   for IPv6 the same with 16-byte addresses: 36 bytes, or 32. All in network
//   byte order, as on the wire.
// - for each bit of the input set, most significant bit of the first byte
//   first, the hash is XORed with the 32-bit window of the key that starts at
//   that bit's offset; so the key must be 4 bytes longer than the input (40
//   bytes covers IPv6 with ports).
// - the low bits of the hash index the indirection table (RETA); the entry
//   is the queue.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "protocols/bytes.hpp"
#include "protocols/net_headers.hpp"

namespace qqgen::proto {

// Input sizes (Microsoft RSS hash types IPv4, TCP/UDP-IPv4, IPv6, TCP/UDP-IPv6).
inline constexpr std::size_t rss_ipv4_l3_size = 8;
inline constexpr std::size_t rss_ipv4_l4_size = 12;
inline constexpr std::size_t rss_ipv6_l3_size = 32;
inline constexpr std::size_t rss_ipv6_l4_size = 36;
// The spec's key length; ixgbe and mlx5 use it, i40e/ice take 52 bytes.
inline constexpr std::size_t rss_key_size = 40;

// ---- the symmetric key ------------------------------------------------------
//
// Woo and Park, "Scalable TCP Session Monitoring with Symmetric Receive-side
// Scaling" (KAIST, 2012): with the key 0x6d5a repeated, hash(src, dst) ==
// hash(dst, src). Why: the key has a period of 16 bits, so the 32-bit window
// that starts at bit b of the input equals the one at bit b + 16. Every
// 16-bit word of the input therefore sees the same 16 windows W(0..15): a set
// bit j (MSB first) of any word XORs in W(j). The hash is
//
//     H(tuple) = F(w_0 ^ w_1 ^ ... ^ w_n),   F(x) = XOR of W(j) over bits j set in x,
//
// a function of the XOR of the tuple's 16-bit words only. Swapping source and
// destination (addresses and ports) permutes the words and leaves their XOR,
// hence the hash, unchanged: both directions of a flow land on one queue.
// F is linear over GF(2), so for a fixed rest of the tuple the hash is
// F(rest) ^ F(client port): an affine function of the client port's bits,
// which is what rss_port_choice solves for. (The price: the hash has only 16
// bits of entropy, its two halves are equal, and flows whose words XOR alike
// share a queue. For spreading the generator's own flows that is plenty.)
//
// dataplane/io/eth_port.cpp's symmetric_rss_key writes the same pattern.
inline constexpr std::uint16_t symmetric_rss_pattern = 0x6d5a;

template <std::size_t N = rss_key_size>
[[nodiscard]] constexpr std::array<std::byte, N> symmetric_rss_key() noexcept {
    std::array<std::byte, N> key{};
    for (std::size_t i = 0; i < N; ++i)
        key[i] = std::byte(i % 2 == 0 ? symmetric_rss_pattern >> 8 : symmetric_rss_pattern);
    return key;
}

// ---- tuples -----------------------------------------------------------------

// The bytes a NIC hashes for one packet.
struct rss_tuple {
    std::array<std::byte, rss_ipv6_l4_size> bytes{};
    std::uint8_t size = 0;

    [[nodiscard]] const_byte_span view() const noexcept { return const_byte_span{bytes}.first(size); }
};

// Addresses only (the 2-tuple; what NICs hash for fragments or when L4
// hashing is off). Empty (size 0) when the versions differ.
[[nodiscard]] rss_tuple rss_tuple_l3(const ip_address& src, const ip_address& dst) noexcept;
// Addresses and ports of the packet as received (source first).
[[nodiscard]] rss_tuple rss_tuple_l4(const ip_address& src, const ip_address& dst, std::uint16_t src_port,
                                     std::uint16_t dst_port) noexcept;

// ---- the hash ---------------------------------------------------------------

// The reference form, any key, bit by bit as in the spec. Key bits past the
// key's end count as zero (a NIC never gets there: keys are 4 bytes longer
// than the longest input). Not for the hot path: ~8 steps per input bit.
[[nodiscard]] std::uint32_t toeplitz_hash(const_byte_span key, const_byte_span input) noexcept;

// The XOR of `input` read as big-endian 16-bit words (a last odd byte is the
// high half of a word).
[[nodiscard]] std::uint16_t xor_fold16(const_byte_span input) noexcept;
// xor_fold16(a.wire()) unrolled: the per-packet part of a steered look-up
// (rss_port_choice::decode) folds two addresses.
[[nodiscard]] inline std::uint16_t xor_fold16(const ip_address& a) noexcept {
    const std::byte* const p = a.bytes.data();
    std::uint16_t x = static_cast<std::uint16_t>(load_be16(p) ^ load_be16(p + 2));
    if (!a.is_v4())
        x = static_cast<std::uint16_t>(x ^ load_be16(p + 4) ^ load_be16(p + 6) ^ load_be16(p + 8) ^ load_be16(p + 10) ^
                                       load_be16(p + 12) ^ load_be16(p + 14));
    return x;
}

// Whether the first `covered` bytes of `key` repeat its first two (period 16
// bits). Then symmetric_toeplitz(pattern of those two bytes) equals
// toeplitz_hash(key, t) for every input t with t.size() + 4 <= covered.
[[nodiscard]] bool has_period16(const_byte_span key, std::size_t covered = rss_key_size) noexcept;

// The hash under a period-16 key, as F(xor_fold16(tuple)) with F in two
// 256-entry tables (2 KB): one fold and two loads per packet.
class symmetric_toeplitz {
public:
    explicit symmetric_toeplitz(std::uint16_t pattern = symmetric_rss_pattern) noexcept;

    // F(x): the hash of any tuple whose 16-bit words XOR to x.
    [[nodiscard]] std::uint32_t of_fold(std::uint16_t x) const noexcept { return high_[x >> 8] ^ low_[x & 0xffu]; }
    [[nodiscard]] std::uint32_t hash(const_byte_span tuple) const noexcept { return of_fold(xor_fold16(tuple)); }

private:
    std::array<std::uint32_t, 256> high_{};  // F of the word's high byte
    std::array<std::uint32_t, 256> low_{};   // F of its low byte
};

// ---- the redirection table ----------------------------------------------------
//
// A RETA has a power-of-two size (128 on ixgbe, 512 on i40e and ice; mlx5
// sizes it to the queue count when that is a power of two) and is indexed by
// the hash's low bits. DPDK PMDs fill it with
// i % queues at configure time (ixgbe_rss_configure, i40e_pf_config_rss,
// ice_init_rss, mlx5_dev_configure_rss_reta), and eth_port leaves it so.

[[nodiscard]] constexpr std::uint32_t rss_reta_index(std::uint32_t hash, std::size_t reta_size) noexcept {
    return hash & static_cast<std::uint32_t>(reta_size - 1);
}
// The queue `hash` lands on. `reta` must have a power-of-two size; an empty
// one gives queue 0 (no RSS).
[[nodiscard]] inline std::uint16_t rss_queue(std::uint32_t hash, std::span<const std::uint16_t> reta) noexcept {
    return reta.empty() ? std::uint16_t{0} : reta[rss_reta_index(hash, reta.size())];
}
// The PMD default: entry i is queue i % queues.
void fill_default_reta(std::span<std::uint16_t> reta, std::uint16_t queues) noexcept;

}  // namespace qqgen::proto
