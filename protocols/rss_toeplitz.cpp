#include "protocols/rss_toeplitz.hpp"

namespace qqgen::proto {

namespace {

void put_be16(std::byte* p, std::uint16_t v) noexcept {
    p[0] = std::byte(v >> 8);
    p[1] = std::byte(v);
}

}  // namespace

rss_tuple rss_tuple_l3(const ip_address& src, const ip_address& dst) noexcept {
    rss_tuple t;
    if (src.version != dst.version) return t;
    const std::size_t n = src.is_v4() ? 4 : 16;
    for (std::size_t i = 0; i < n; ++i) {
        t.bytes[i] = src.bytes[i];
        t.bytes[n + i] = dst.bytes[i];
    }
    t.size = static_cast<std::uint8_t>(2 * n);
    return t;
}

rss_tuple rss_tuple_l4(const ip_address& src, const ip_address& dst, std::uint16_t src_port,
                       std::uint16_t dst_port) noexcept {
    rss_tuple t = rss_tuple_l3(src, dst);
    if (t.size == 0) return t;
    put_be16(t.bytes.data() + t.size, src_port);
    put_be16(t.bytes.data() + t.size + 2, dst_port);
    t.size = static_cast<std::uint8_t>(t.size + 4);
    return t;
}

// The window holds key bits [i, i + 32) for input bit i (MSB first); after
// each input bit it shifts left by one and takes the next key bit in.
std::uint32_t toeplitz_hash(const_byte_span key, const_byte_span input) noexcept {
    const auto key_byte = [&](std::size_t i) noexcept {
        return i < key.size() ? std::to_integer<std::uint32_t>(key[i]) : 0u;
    };
    std::uint32_t window = key_byte(0) << 24 | key_byte(1) << 16 | key_byte(2) << 8 | key_byte(3);
    std::uint32_t hash = 0;
    for (std::size_t i = 0; i < input.size(); ++i) {
        const auto in = std::to_integer<std::uint32_t>(input[i]);
        const std::uint32_t next = key_byte(i + 4);
        for (int b = 7; b >= 0; --b) {
            if (((in >> b) & 1u) != 0) hash ^= window;
            window = (window << 1) | ((next >> b) & 1u);
        }
    }
    return hash;
}

std::uint16_t xor_fold16(const_byte_span input) noexcept {
    std::uint16_t x = 0;
    std::size_t i = 0;
    for (; i + 1 < input.size(); i += 2) x ^= load_be16(input.data() + i);
    if (i < input.size()) x ^= static_cast<std::uint16_t>(std::to_integer<std::uint16_t>(input[i]) << 8);
    return x;
}

bool has_period16(const_byte_span key, std::size_t covered) noexcept {
    if (key.size() < covered || covered < 2) return false;
    for (std::size_t i = 2; i < covered; ++i)
        if (key[i] != key[i % 2]) return false;
    return true;
}

// F tabulated with the reference hash itself: F(x) is the hash of the single
// word x under 6 bytes of the key (one word plus the 4-byte window).
symmetric_toeplitz::symmetric_toeplitz(std::uint16_t pattern) noexcept {
    std::array<std::byte, 6> key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = std::byte(i % 2 == 0 ? pattern >> 8 : pattern);
    for (std::uint32_t v = 0; v < 256; ++v) {
        const std::array<std::byte, 2> high{std::byte(v), std::byte{0}};
        const std::array<std::byte, 2> low{std::byte{0}, std::byte(v)};
        high_[v] = toeplitz_hash(key, high);
        low_[v] = toeplitz_hash(key, low);
    }
}

void fill_default_reta(std::span<std::uint16_t> reta, std::uint16_t queues) noexcept {
    if (queues == 0) queues = 1;
    for (std::size_t i = 0; i < reta.size(); ++i) reta[i] = static_cast<std::uint16_t>(i % queues);
}

}  // namespace qqgen::proto
