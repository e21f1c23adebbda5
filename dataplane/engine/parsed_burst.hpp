// Received bursts' frames, parsed once.
//
// Before a burst is dispatched the engine parses every frame to guess the
// key of its QQ body (rx_plaintexts.hpp); the frame's handler needs the same
// parse, checksums verified. Parsing once instead of twice saves 0.9 % of a
// chatting worker's instructions (bench/RESULTS.md), so the first parse is
// kept here, verified, and taken up by receive() for the same frame (the same
// bytes at the same address) in the same burst. Anything else, a frame past
// the kept ones or one not seen before, is parsed on the spot: an answer
// from here is always exactly parse_frame's.
#pragma once

#include <array>
#include <cstddef>
#include <new>
#include <span>
#include <type_traits>

#include "dataplane/engine/burst_limits.hpp"
#include "dataplane/engine/frame_io.hpp"
#include "protocols/net_headers.hpp"

namespace qqgen::engine {

class parsed_burst {
public:
    using parse_result = decltype(proto::parse_frame(std::span<const std::byte>{}));
    static_assert(std::is_trivially_destructible_v<parse_result>, "add() makes entries over old ones");
    // A burst from each port, the longest an Io hands over at once
    // (rx_bursts: dpdk_frame_io, memory_frame_io).
    static constexpr std::size_t max_frames = port_role_count * max_burst_frames;

    void clear() noexcept {
        count_ = 0;
        next_ = 0;
    }

    // Parses `frame` and keeps the result; nullptr when the burst's room is
    // used up (nothing kept).
    const parse_result* add(std::span<const std::byte> frame) noexcept {
        if (count_ == max_frames) return nullptr;
        frames_[count_] = frame;
        // Made in place (the returned prvalue initialises the entry): assigned
        // from a temporary, the result was copied with 64-byte reloads of
        // bytes parse_frame had just stored narrower, which wait for those
        // stores to reach the cache (failed store forwarding; perf annotate).
        ::new (static_cast<void*>(&results_[count_])) parse_result(proto::parse_frame(frame));
        return &results_[count_++];
    }

    // parse_frame(frame): the kept result when `frame` is the next kept one
    // (frames are taken in the order they were added), else parsed now.
    parse_result take(std::span<const std::byte> frame) noexcept {
        while (next_ < count_) {
            const std::size_t i = next_++;
            if (frames_[i].data() == frame.data() && frames_[i].size() == frame.size()) return results_[i];
        }
        return proto::parse_frame(frame);
    }

private:
    std::array<std::span<const std::byte>, max_frames> frames_{};
    std::array<parse_result, max_frames> results_{};
    std::size_t count_ = 0;
    std::size_t next_ = 0;
};

}  // namespace qqgen::engine
