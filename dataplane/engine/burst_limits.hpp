// The most frames one RX or TX burst carries, for every Io and every
// per-burst table of the engine (parsed_burst, rx_plaintexts, tx_seal).
//
// QQ-TEA runs a burst at a time (design.md "Frames": independent messages in
// SIMD lanes): every sealed frame of both ports' TX bursts, and a received
// burst's bodies. The lanes stay busier the more messages a batch holds
// (bench/RESULTS.md: batches of 64 against 32, chat +11 % from RX and +10 %
// more from TX; QQ-TEA 128 x 16..256 B against 32 x: +50-60 %), so a burst
// is 128 frames, four times DPDK's usual 32. A partial TX burst leaves at
// the end of the engine's turn (session_engine::poll), so a light load does
// not wait for bursts to fill.
#pragma once

#include <cstddef>

namespace qqgen::engine {

inline constexpr std::size_t max_burst_frames = 128;

}  // namespace qqgen::engine
