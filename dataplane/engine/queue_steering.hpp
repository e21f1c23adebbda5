// How the NIC spreads received frames over the workers' queues, as the
// engines need to know it (design.md "Flow affinity"): with RSS over N > 1
// queues, each worker picks client ports whose flows hash to its own queue
// (protocols/rss_port_choice.hpp, dataplane/io/README.md "Flow affinity on a
// NIC with N queues"). One queue, or queues isolated by construction (the
// wire topology's ring pairs), need nothing: `queues` stays 1.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "protocols/rss_toeplitz.hpp"

namespace qqgen::engine {

struct queue_steering {
    // The port's RSS key, its first rss_key_size bytes (all an IPv6 TCP/UDP
    // hash reads); the port layer writes the symmetric 0x6d5a pattern.
    std::array<std::byte, proto::rss_key_size> key{};
    // RX queues the port spreads flows over, one per worker; 1: no steering.
    std::uint32_t queues = 1;

    [[nodiscard]] bool steered() const noexcept { return queues > 1; }
};

}  // namespace qqgen::engine
