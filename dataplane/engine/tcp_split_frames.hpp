// QQ frames a middlebox split across TCP segments (docs/tcp.md "Split
// frames"). qqgen never splits its own frames (each is at most the MSS), so
// a split is rare: instead of a receive buffer per session, a worker keeps a
// small pool of held parts. A part is held for (side, slot) from the segment
// that ended inside a frame until the segment that completes it; the bytes
// held are acknowledged, so the sender need not send them again.
//
// A held part is live while its endpoint says so (tcp_ep_flag::split_held)
// and still expects the byte after it (rcv_nxt == end_seq); anything else is
// stale (the connection was reset or reopened) and may be taken over. So no
// close path has to remember to release it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "dataplane/engine/frame_io.hpp"
#include "dataplane/engine/tcp_endpoint.hpp"

namespace qqgen::engine {

inline constexpr std::size_t tcp_split_capacity = 1600;  // a whole frame: up to the largest MSS
inline constexpr std::size_t tcp_split_pool_size = 64;   // frames split at once, per worker

struct tcp_held_part {
    std::uint32_t slot = 0xFFFFFFFFu;  // owner; all ones: free
    std::uint32_t end_seq = 0;         // the sequence number after the last byte held
    std::uint16_t size = 0;
    std::uint8_t side = 0;             // index_of(port_role)
    std::array<std::byte, tcp_split_capacity> bytes{};
};

class tcp_split_frames {
public:
    // Set-up time: `parts` held parts (0 in runs without TCP users).
    explicit tcp_split_frames(std::size_t parts) : parts_(parts) {}

    // The live part held for (side, slot), or nullptr.
    [[nodiscard]] tcp_held_part* find(port_role side, std::uint32_t slot, const tcp_endpoint& e) noexcept {
        if ((e.flags & tcp_ep_flag::split_held) == 0) return nullptr;
        for (tcp_held_part& p : parts_)
            if (p.slot == slot && p.side == index_of(side)) return p.end_seq == e.rcv_nxt ? &p : nullptr;
        return nullptr;
    }

    // A part to hold for (side, slot): its own stale one, a free or stale
    // one, else nullptr (every part in use: the caller does without).
    // `is_live(side_index, slot, end_seq)` says whether a part is in use.
    template <class IsLive>
    [[nodiscard]] tcp_held_part* take(port_role side, std::uint32_t slot, IsLive&& is_live) noexcept {
        tcp_held_part* spare = nullptr;
        for (tcp_held_part& p : parts_) {
            if (p.slot == slot && p.side == index_of(side)) return reset(p, side, slot);
            if (spare == nullptr && (p.slot == free_slot || !is_live(p.side, p.slot, p.end_seq))) spare = &p;
        }
        return spare == nullptr ? nullptr : reset(*spare, side, slot);
    }

    void release(tcp_held_part& p) noexcept { p.slot = free_slot; }

private:
    static constexpr std::uint32_t free_slot = 0xFFFFFFFFu;

    static tcp_held_part* reset(tcp_held_part& p, port_role side, std::uint32_t slot) noexcept {
        p.slot = slot;
        p.side = static_cast<std::uint8_t>(index_of(side));
        p.size = 0;
        return &p;
    }

    std::vector<tcp_held_part> parts_;
};

}  // namespace qqgen::engine
