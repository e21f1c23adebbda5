// Flow affinity by tuple choice (design.md "Flow affinity"): pick each client
// port so that the flow, in both directions, hashes to the queue of the
// worker that owns the user, and find the user of a reply by arithmetic
// (design.md "Derive, don't store").
//
// A client port is built from
// - a "high part": which user (the engine derives it from the slot), spread
//   over the port bits the choice leaves free, and
// - k = log2(queues) correction bits, set so that the hash lands on the worker.
// With the symmetric key the hash is F(word XOR of the tuple), F linear over
// GF(2) (rss_toeplitz.hpp), and with the default RETA (entry i = i % queues)
// the queue is the hash's low k bits. So
//
//     queue = low_k(F(rest)) ^ low_k(F(correction bits)),
//
// where rest = client address, server address and port, and the port without
// its correction bits, all XORed. The map from the correction bits to
// low_k(F(.)) must be invertible: make() picks those bit positions by Gaussian
// elimination over GF(2) on the columns low_k(F(1 << b)), lowest port bit
// first, and tabulates the inverse. (For 0x6d5a and 8 queues port bits 0..2
// are dependent, so the choice is bits 0, 1 and 4; a hard-coded "low k bits"
// would reach only 4 of the 8 queues.)
//
// The correction depends on the server, so one user has a different low-bit
// pattern for each server it talks to (DNS, each login server), as a real
// client with one socket per server does; decode() gives back the same high
// part for all of them. Ports for distinct (high part, worker) never collide
// for one (client address, server).
//
// Constraints (make() refuses, with the reason, those it can see: the key,
// the queue count and the port range; the RETA and the hash types are the
// port set-up's to keep):
// - the key has period 16 bits over rss_key_size bytes (0x6d5a repeated, as
//   eth_port configures); without it the two directions hash differently;
// - queues is a power of two, 1..64, with the PMD's default RETA (i % queues;
//   any RETA size) and the NIC hashing UDP and TCP ports (L4 RSS types; with
//   L3-only hashing the port changes nothing);
// - the range is [port_base, port_base + port_count) with port_base >= 1 and
//   port_base + port_count <= 65536. Adding the base must never carry
//   through the correction bits, so the ports used start at the first
//   multiple of 2^L in the range (first_port()), L being one more than the
//   highest correction bit: with 0x6d5a, L = k, except 5 for 8 and 16 queues.
//   Up to 2^L - 1 ports at the start of the range stay unused: for the
//   default client ports 10000..59999 none up to 4 queues, 16 for 8 to 32
//   queues, 48 for 64 (10000 = 16 x 625). About (port_count - those) / queues
//   high parts fit: high_count(), e.g. 6248 per client address for 8 queues.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "protocols/bytes.hpp"
#include "protocols/net_headers.hpp"
#include "protocols/rss_toeplitz.hpp"

namespace qqgen::proto {

inline constexpr std::uint32_t rss_max_queues = 64;

struct rss_port_config {
    std::uint32_t queues = 1;      // RX queues per port, one per worker
    std::uint16_t port_base = 0;   // first client port
    std::uint32_t port_count = 0;  // client ports are [port_base, port_base + port_count)
};

// Whose a client port is. ok is false when the port is outside the range or
// is not one client_port_for makes (its high part is >= high_count()).
struct rss_port_owner {
    std::uint32_t high = 0;
    std::uint32_t worker = 0;
    bool ok = false;
};

class rss_port_choice {
public:
    // The choice for `key` and `config`, or nullopt with `error` saying what
    // to change. Set-up code: runs once per port configuration.
    [[nodiscard]] static std::optional<rss_port_choice> make(const_byte_span key, const rss_port_config& config,
                                                             std::string& error);

    [[nodiscard]] std::uint32_t queues() const noexcept { return queue_mask_ + 1; }
    // High parts 0 .. high_count() - 1 each have a port for every worker.
    [[nodiscard]] std::uint32_t high_count() const noexcept { return high_count_; }
    // The lowest port client_port_for gives (port_base rounded up to 2^L).
    [[nodiscard]] std::uint16_t first_port() const noexcept { return port_base_; }
    // The port bits client_port_for sets (bit b = value 1 << b).
    [[nodiscard]] std::uint16_t correction_mask() const noexcept { return correction_mask_; }

    // The client port of user `high` on `worker` for its flow with the
    // server (server, server_port); 0 when high >= high_count() or
    // worker >= queues(). Both addresses of one version.
    [[nodiscard]] std::uint16_t client_port_for(std::uint32_t high, std::uint32_t worker, const ip_address& client,
                                                const ip_address& server, std::uint16_t server_port) const noexcept;
    // The inverse, for a packet of that flow in either direction.
    [[nodiscard]] rss_port_owner decode(std::uint16_t client_port, const ip_address& client, const ip_address& server,
                                        std::uint16_t server_port) const noexcept;
    // The queue the flow lands on (the hash's low bits; the default RETA).
    [[nodiscard]] std::uint32_t queue_of(std::uint16_t client_port, const ip_address& client, const ip_address& server,
                                         std::uint16_t server_port) const noexcept;

private:
    rss_port_choice() noexcept = default;

    [[nodiscard]] std::uint16_t fold_rest(const ip_address& client, const ip_address& server,
                                          std::uint16_t server_port) const noexcept;
    // The high part spread over the free bits of the offset, and back.
    [[nodiscard]] std::uint32_t deposit(std::uint32_t high) const noexcept;
    [[nodiscard]] std::uint32_t extract(std::uint32_t offset) const noexcept;

    symmetric_toeplitz hash_;
    std::array<std::uint16_t, rss_max_queues> solve_{};  // low_k(F(bits)) -> correction bits
    std::array<std::uint8_t, 16> free_low_{};            // free bit positions below low_span_
    std::uint8_t free_low_count_ = 0;
    std::uint8_t low_span_ = 0;  // L: correction bits all lie below bit L
    std::uint16_t correction_mask_ = 0;
    std::uint32_t queue_mask_ = 0;
    std::uint16_t port_base_ = 0;
    std::uint32_t port_count_ = 0;
    std::uint32_t high_count_ = 0;
};

}  // namespace qqgen::proto
