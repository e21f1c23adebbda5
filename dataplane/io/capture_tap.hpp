// The worker's side of frame capture: copies (1 in N of) the frames it sends
// and/or receives into a single-producer/single-consumer ring that the main
// lcore drains into a pcap file (capture_writer).
//
// The worker never writes a file: per captured frame it does one mbuf copy
// from its own capture pool and one lock-free ring enqueue. A full ring or
// an empty pool costs one frame of capture and one counter, never a stall.
// Copies, not clones: a clone would pin the original (and its pool) until
// the main lcore got round to it, and would forbid MBUF_FAST_FREE.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

namespace qqgen::dpdk {

enum class capture_direction : std::uint8_t { tx = 1, rx = 2, both = 3 };

// What one worker's tap did.
struct capture_counters {
    std::uint64_t queued = 0;       // copies handed to the writer
    std::uint64_t ring_full = 0;    // sampled frames lost: the writer fell behind
    std::uint64_t copy_failed = 0;  // sampled frames lost: capture pool empty

    static constexpr std::array fields{&capture_counters::queued, &capture_counters::ring_full,
                                       &capture_counters::copy_failed};
    static constexpr std::array<std::string_view, fields.size()> field_names{
        "capture_queued", "capture_ring_full", "capture_copy_failed"};
};

class capture_tap {
public:
    capture_tap() noexcept = default;  // captures nothing
    capture_tap(rte_ring* ring, rte_mempool* pool, std::uint32_t sample_every, int tsc_offset,
                capture_direction direction) noexcept
        : ring_(ring), pool_(pool), sample_every_(sample_every == 0 ? 1 : sample_every),
          countdown_(1), tsc_offset_(tsc_offset),
          tx_(ring != nullptr && (static_cast<unsigned>(direction) & 1u) != 0),
          rx_(ring != nullptr && (static_cast<unsigned>(direction) & 2u) != 0) {}

    bool wants_tx() const noexcept { return tx_; }
    bool wants_rx() const noexcept { return rx_; }

    // Offers one frame; the 1st, (N+1)th, (2N+1)th... offered are copied.
    void offer(const rte_mbuf* m) noexcept {
        if (--countdown_ != 0) return;
        countdown_ = sample_every_;
        rte_mbuf* copy = rte_pktmbuf_copy(m, pool_, 0, UINT32_MAX);
        if (copy == nullptr) [[unlikely]] {
            ++counters_.copy_failed;
            return;
        }
        *RTE_MBUF_DYNFIELD(copy, tsc_offset_, std::uint64_t*) = rte_rdtsc();
        if (rte_ring_sp_enqueue(ring_, copy) != 0) [[unlikely]] {
            rte_pktmbuf_free(copy);
            ++counters_.ring_full;
            return;
        }
        ++counters_.queued;
    }

    const capture_counters& counters() const noexcept { return counters_; }

private:
    rte_ring* ring_ = nullptr;
    rte_mempool* pool_ = nullptr;
    std::uint32_t sample_every_ = 1;
    std::uint32_t countdown_ = 1;
    int tsc_offset_ = 0;
    bool tx_ = false;
    bool rx_ = false;
    capture_counters counters_{};
};

}  // namespace qqgen::dpdk
