#include "protocols/rss_port_choice.hpp"

#include <bit>

namespace qqgen::proto {

namespace {

std::string hex16(std::uint32_t v) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s = "0x";
    for (int shift = 12; shift >= 0; shift -= 4) s += digits[(v >> shift) & 15u];
    return s;
}

std::string bit_list(std::uint32_t mask) {
    std::string s;
    for (unsigned b = 0; b < 16; ++b)
        if ((mask >> b) & 1u) s += (s.empty() ? "" : ", ") + std::to_string(b);
    return s.empty() ? "none" : s;
}

}  // namespace

std::optional<rss_port_choice> rss_port_choice::make(const_byte_span key, const rss_port_config& config,
                                                     std::string& error) {
    const std::string where = "RSS tuple choice: ";
    error.clear();
    if (!has_period16(key, rss_key_size)) {
        error = where + "the RSS key does not repeat its first two bytes over " + std::to_string(rss_key_size) +
                " bytes, so the two directions of a flow hash to different queues; configure the symmetric key "
                "(0x6d5a repeated, eth_port's symmetric_rss_key)";
        return std::nullopt;
    }
    const std::uint32_t queues = config.queues;
    if (queues == 0 || queues > rss_max_queues || !std::has_single_bit(queues)) {
        error = where + std::to_string(queues) + " queues: the queue is chosen through the hash's low bits, so " +
                "the count must be a power of two from 1 to " + std::to_string(rss_max_queues) +
                "; use a power-of-two worker count";
        return std::nullopt;
    }
    if (config.port_base == 0 || config.port_count == 0 ||
        std::uint32_t{config.port_base} + config.port_count > 65536u) {
        error = where + "client ports [" + std::to_string(config.port_base) + ", " +
                std::to_string(std::uint32_t{config.port_base} + config.port_count) +
                ") are not a non-empty range of ports 1..65535; set the client port base and count so that "
                "base >= 1 and base + count <= 65536";
        return std::nullopt;
    }

    rss_port_choice c;
    c.hash_ = symmetric_toeplitz(static_cast<std::uint16_t>(std::to_integer<std::uint16_t>(key[0]) << 8 |
                                                            std::to_integer<std::uint16_t>(key[1])));
    c.queue_mask_ = queues - 1;
    const auto k = static_cast<unsigned>(std::countr_zero(queues));

    // Gaussian elimination over GF(2), one port bit at a time from the
    // lowest: keep bit b when its column low_k(F(1 << b)) is independent of
    // the columns kept so far. basis[p] is a kept combination whose highest
    // set bit is p (row-echelon form).
    std::array<std::uint32_t, 6> basis{};
    unsigned rank = 0;
    for (unsigned b = 0; b < 16 && rank < k; ++b) {
        std::uint32_t v = c.hash_.of_fold(static_cast<std::uint16_t>(1u << b)) & c.queue_mask_;
        for (int p = static_cast<int>(k) - 1; p >= 0 && v != 0; --p)
            if (((v >> p) & 1u) != 0 && basis[static_cast<unsigned>(p)] != 0) v ^= basis[static_cast<unsigned>(p)];
        if (v == 0) continue;
        basis[static_cast<unsigned>(std::bit_width(v) - 1)] = v;
        c.correction_mask_ = static_cast<std::uint16_t>(c.correction_mask_ | (1u << b));
        ++rank;
    }
    if (rank < k) {
        error = where + "under this key the client port moves only " + std::to_string(rank) + " of the hash's low " +
                std::to_string(k) + " bits, so it cannot reach every one of " + std::to_string(queues) +
                " queues; use at most " + std::to_string(1u << rank) + " workers";
        return std::nullopt;
    }
    c.low_span_ = static_cast<std::uint8_t>(std::bit_width(c.correction_mask_));
    // Adding the base must not carry through the correction bits, so the
    // ports start at the first multiple of 2^L in the range.
    const std::uint32_t align = 1u << c.low_span_;
    const std::uint32_t end = std::uint32_t{config.port_base} + config.port_count;
    const std::uint32_t first = (config.port_base + align - 1) / align * align;
    if (first >= end || end - first <= c.correction_mask_) {
        error = where + "client ports [" + std::to_string(config.port_base) + ", " + std::to_string(end) +
                ") leave no room for the correction bits of " + std::to_string(queues) + " queues (port bits " +
                bit_list(c.correction_mask_) + ", " + hex16(c.correction_mask_) + ") above a multiple of " +
                std::to_string(align) + "; use at least " + std::to_string(align) +
                " ports starting at a multiple of " + std::to_string(align);
        return std::nullopt;
    }
    c.port_base_ = static_cast<std::uint16_t>(first);
    c.port_count_ = end - first;

    for (unsigned b = 0; b < c.low_span_; ++b)
        if (((c.correction_mask_ >> b) & 1u) == 0) c.free_low_[c.free_low_count_++] = static_cast<std::uint8_t>(b);

    // The inverse of the (bijective, linear) map from correction bits to the
    // hash's low k bits, by trying all 2^k settings.
    for (std::uint32_t s = 0; s < queues; ++s) {
        std::uint32_t bits = 0;
        unsigned i = 0;
        for (unsigned b = 0; b < 16; ++b)
            if (((c.correction_mask_ >> b) & 1u) != 0 && ((s >> i++) & 1u) != 0) bits |= 1u << b;
        c.solve_[c.hash_.of_fold(static_cast<std::uint16_t>(bits)) & c.queue_mask_] = static_cast<std::uint16_t>(bits);
    }

    // deposit() is increasing and leaves the correction bits zero, so the
    // largest offset of high part h is deposit(h) + correction_mask: find the
    // first h for which that leaves the range.
    std::uint32_t lo = 0, hi = 1u << (16 - k);
    while (lo < hi) {
        const std::uint32_t mid = lo + (hi - lo) / 2;
        if (c.deposit(mid) + c.correction_mask_ < c.port_count_)
            lo = mid + 1;
        else
            hi = mid;
    }
    c.high_count_ = lo;
    return c;
}

std::uint32_t rss_port_choice::deposit(std::uint32_t high) const noexcept {
    std::uint32_t offset = (high >> free_low_count_) << low_span_;
    for (unsigned i = 0; i < free_low_count_; ++i)
        if (((high >> i) & 1u) != 0) offset |= 1u << free_low_[i];
    return offset;
}

std::uint32_t rss_port_choice::extract(std::uint32_t offset) const noexcept {
    std::uint32_t high = (offset >> low_span_) << free_low_count_;
    for (unsigned i = 0; i < free_low_count_; ++i)
        if (((offset >> free_low_[i]) & 1u) != 0) high |= 1u << i;
    return high;
}

std::uint16_t rss_port_choice::fold_rest(const ip_address& client, const ip_address& server,
                                         std::uint16_t server_port) const noexcept {
    return static_cast<std::uint16_t>(xor_fold16(client) ^ xor_fold16(server) ^ server_port);
}

std::uint16_t rss_port_choice::client_port_for(std::uint32_t high, std::uint32_t worker, const ip_address& client,
                                               const ip_address& server, std::uint16_t server_port) const noexcept {
    if (high >= high_count_ || worker > queue_mask_) return 0;
    // The base is a multiple of 2^L, so the sum keeps the correction bits 0.
    const auto port = static_cast<std::uint16_t>(port_base_ + deposit(high));
    const std::uint32_t now = hash_.of_fold(static_cast<std::uint16_t>(fold_rest(client, server, server_port) ^ port));
    return static_cast<std::uint16_t>(port | solve_[(now ^ worker) & queue_mask_]);
}

std::uint32_t rss_port_choice::queue_of(std::uint16_t client_port, const ip_address& client, const ip_address& server,
                                        std::uint16_t server_port) const noexcept {
    return hash_.of_fold(static_cast<std::uint16_t>(fold_rest(client, server, server_port) ^ client_port)) &
           queue_mask_;
}

// The correction bits of a port are whatever they are; the worker is the
// queue its flow lands on, and client_port_for(high, worker) gives the port
// back because the correction for a worker is unique.
rss_port_owner rss_port_choice::decode(std::uint16_t client_port, const ip_address& client, const ip_address& server,
                                       std::uint16_t server_port) const noexcept {
    rss_port_owner owner;
    const std::uint32_t offset = static_cast<std::uint32_t>(client_port) - port_base_;
    if (client_port < port_base_ || offset >= port_count_) return owner;
    owner.high = extract(offset);
    if (owner.high >= high_count_) return owner;
    owner.worker = queue_of(client_port, client, server, server_port);
    owner.ok = true;
    return owner;
}

}  // namespace qqgen::proto
