// The next hops' MACs, shared between a run's workers. ARP carries no IP
// header for RSS to hash, so a NIC puts all of it on one queue (queue 0), and
// ND without L4 ports lands by address hash: with several workers on a
// multi-queue port, only the worker behind that queue resolves the gateway
// (neighbour_handler.hpp). Each worker's runner meets the board every so
// often: a MAC its own neighbour module learned from the wire (a first
// resolution, or a failover's announcement) goes up, and one another worker
// put up is taken with set_next_hop_mac, which starts a worker that was
// still waiting for its next hops.
//
// One 64-bit word per port (MAC in the low 48 bits, bit 48 set when valid):
// lock-free, one relaxed load per port per meeting. Release/acquire orders
// nothing else: the MAC is the whole message.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "dataplane/engine/frame_io.hpp"
#include "dataplane/engine/neighbour_handler.hpp"
#include "protocols/net_headers.hpp"

namespace qqgen::engine {

class next_hop_board {
public:
    void put(port_role port, const proto::mac_address& mac) noexcept {
        word(port).store(pack(mac), std::memory_order_release);
    }
    // The MAC last put for `port`, zero when none.
    [[nodiscard]] proto::mac_address get(port_role port) const noexcept {
        return unpack(words_[index_of(port)].load(std::memory_order_acquire));
    }

private:
    static constexpr std::uint64_t valid = std::uint64_t{1} << 48;
    static std::uint64_t pack(const proto::mac_address& mac) noexcept {
        std::uint64_t w = valid;
        for (std::size_t i = 0; i < 6; ++i) w |= std::uint64_t{std::to_integer<std::uint8_t>(mac.bytes[i])} << (8 * (5 - i));
        return w;
    }
    static proto::mac_address unpack(std::uint64_t w) noexcept {
        proto::mac_address mac{};
        if ((w & valid) == 0) return mac;
        for (std::size_t i = 0; i < 6; ++i) mac.bytes[i] = std::byte(w >> (8 * (5 - i)));
        return mac;
    }
    std::atomic<std::uint64_t>& word(port_role port) noexcept { return words_[index_of(port)]; }

    alignas(64) std::array<std::atomic<std::uint64_t>, 2> words_{};
};

// One worker's side of the board: what it last put up or took, per port, so
// that a change of its own MAC (learned from the wire) is told from a change
// on the board (learned by another worker).
class next_hop_sharing {
public:
    void meet(neighbour_handler& mine, next_hop_board& board) noexcept {
        for (const port_role r : all_port_roles) {
            proto::mac_address& last = last_[index_of(r)];
            const proto::mac_address own = mine.ready(r) ? mine.next_hop_mac(r) : proto::mac_address{};
            if (own != last && own != proto::mac_address{}) {
                board.put(r, own);
                last = own;
                continue;
            }
            const proto::mac_address posted = board.get(r);
            if (posted != last && posted != proto::mac_address{}) {
                mine.set_next_hop_mac(r, posted);
                last = posted;
            }
        }
    }

private:
    std::array<proto::mac_address, 2> last_{};
};

}  // namespace qqgen::engine
