// The most frames one RX or TX burst carries, for every Io and every
// per-burst table of the engine (parsed_burst, rx_plaintexts, tx_seal).
//
// QQ-TEA runs a burst at a time (design.md "Frames": independent messages in
// SIMD lanes): every sealed frame of both ports' TX bursts, and a received
// burst's bodies. The lanes stay busier the more messages a batch holds
// (bench/RESULTS.md: batches of 64 against 32, chat +11 % from RX and +10 %
// more from TX), so a burst is 64 frames, twice DPDK's usual 32. 128 was
// measured too (bench/RESULTS.md, "tried and not kept"): chat +11 %, but full
// sessions -8 to -15 % and, with partial bursts held for the 100 us drain,
// a longer wait for a light load's replies.
#pragma once

#include <cstddef>

namespace qqgen::engine {

inline constexpr std::size_t max_burst_frames = 64;

}  // namespace qqgen::engine
