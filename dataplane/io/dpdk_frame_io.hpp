// frame_io over DPDK ports: one worker's RX/TX queue on the client port and
// its queue on the server port.
//
// Made on the worker's own lcore and used only there. Hot path as in DPDK's
// l3fwd and testpmd txonly: mbufs come from a per-port cache refilled with
// rte_pktmbuf_alloc_bulk, committed frames wait in a per-port TX buffer sent
// with rte_eth_tx_burst when a burst is full or on flush(), what the queue
// refuses is counted and freed, frames committed with a seal are QQ-TEA
// encrypted in one batch as a burst leaves (tx_seal.hpp), and received mbufs
// go back with rte_pktmbuf_free_bulk. No allocation, lock, system call or log
// per frame.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "dataplane/engine/burst_limits.hpp"
#include "dataplane/engine/frame_io.hpp"
#include "dataplane/io/capture_tap.hpp"
#include "dataplane/io/tsc_clock.hpp"

namespace qqgen::dpdk {

using engine::port_role;

// Where one worker's frames go: its queue id on each port and the pool its
// TX buffers come from.
struct worker_queues {
    std::array<std::uint16_t, engine::port_role_count> port_id{};
    std::array<rte_mempool*, engine::port_role_count> pool{};
    std::uint16_t queue = 0;
};

class dpdk_frame_io {
public:
    // Frames per rte_eth_tx_burst and per rte_eth_rx_burst
    // (engine/burst_limits.hpp: QQ-TEA runs a burst at a time). Received
    // mbufs come off the port, so the pool sizing (dataplane_runtime.cpp)
    // counts them with the queues.
    static constexpr std::uint16_t burst_size = engine::max_burst_frames;

    dpdk_frame_io(const worker_queues& queues, const tsc_clock& clock, capture_tap* tap) noexcept
        : clock_(clock), tap_(tap != nullptr && (tap->wants_tx() || tap->wants_rx()) ? tap : nullptr),
          capture_tx_(tap_ != nullptr && tap_->wants_tx()),
          capture_rx_(tap_ != nullptr && tap_->wants_rx()) {
        for (std::size_t i = 0; i < ports_.size(); ++i) {
            ports_[i].port_id = queues.port_id[i];
            ports_[i].queue = queues.queue;
            ports_[i].pool = queues.pool[i];
        }
    }
    dpdk_frame_io(const dpdk_frame_io&) = delete;
    dpdk_frame_io& operator=(const dpdk_frame_io&) = delete;

    // Gives back every mbuf still held. Frames committed but not flushed are
    // dropped (counted as tx_refused): the worker loop flushes before this.
    ~dpdk_frame_io() {
        for (std::size_t i = 0; i < ports_.size(); ++i) {
            auto& p = ports_[i];
            if (p.begun != nullptr) rte_pktmbuf_free(std::exchange(p.begun, nullptr));
            if (p.cached != 0) rte_pktmbuf_free_bulk(p.cache.data(), p.cached);
            if (p.queued != 0) {
                counters_.port[i].tx_refused += p.queued;
                rte_pktmbuf_free_bulk(p.tx.data(), p.queued);
            }
            p.cached = p.queued = 0;
        }
    }

    std::span<std::byte> tx_begin(port_role role) noexcept {
        auto& p = port(role);
        if (p.begun == nullptr) {
            if (p.cached == 0 && !refill(p)) [[unlikely]] {
                ++counters_[role].tx_alloc_failed;
                return {};
            }
            p.begun = p.cache[--p.cached];
            if (p.cached != 0) prefetch_for_writing(p.cache[p.cached - 1]);
        }
        // Fresh from rte_pktmbuf_alloc_bulk: data_off at the headroom, so the
        // tailroom is the whole data room (2048 bytes with the default size).
        return {rte_pktmbuf_mtod(p.begun, std::byte*), rte_pktmbuf_tailroom(p.begun)};
    }

    void tx_commit(port_role role, std::uint16_t length) noexcept { commit(role, length, nullptr); }
    void tx_commit(port_role role, std::uint16_t length, const engine::tx_seal& seal) noexcept {
        commit(role, length, &seal);
    }

    void tx_abort(port_role role) noexcept {
        auto& p = port(role);
        if (p.begun == nullptr) [[unlikely]] {
            ++counters_[role].tx_no_frame;
            return;
        }
        p.cache[p.cached++] = std::exchange(p.begun, nullptr);
    }

    template <class F>
    unsigned rx_burst(port_role role, F&& on_frame) noexcept {
        received r;
        take(role, r);
        for (std::uint16_t i = 0; i < r.kept; ++i) on_frame(r.frames[i]);
        if (r.taken != 0) rte_pktmbuf_free_bulk(r.pkts.data(), r.taken);
        return r.taken;
    }

    template <class B, class F>
    unsigned rx_bursts(B&& before_bursts, F&& on_frame) noexcept {
        std::array<received, engine::port_role_count> r;
        engine::port_bursts bursts;
        for (const port_role role : engine::all_port_roles) {
            const std::size_t i = engine::index_of(role);
            take(role, r[i]);
            bursts[i] = engine::frame_spans(r[i].frames.data(), r[i].kept);
        }
        if (r[0].taken + r[1].taken == 0) return 0;
        before_bursts(bursts);
        for (const port_role role : engine::all_port_roles) {
            const received& b = r[engine::index_of(role)];
            for (std::uint16_t i = 0; i < b.kept; ++i) on_frame(role, b.frames[i]);
        }
        for (received& b : r)
            if (b.taken != 0) rte_pktmbuf_free_bulk(b.pkts.data(), b.taken);
        return r[0].taken + r[1].taken;
    }

    void flush(port_role role) noexcept {
        auto& p = port(role);
        if (p.queued != 0) send(role, p);
    }

    std::uint64_t now_ns() const noexcept { return clock_.now_ns(); }
    const engine::io_counters& counters() const noexcept { return counters_; }
    // Mbufs out of this worker's pool(s) and their size, for the stats block
    // (about once a millisecond, not per frame: rte_mempool_in_use_count
    // walks every lcore's cache).
    std::pair<std::uint64_t, std::uint64_t> pool_usage() const noexcept {
        std::uint64_t in_use = 0, total = 0;
        for (std::size_t i = 0; i < ports_.size(); ++i) {
            const rte_mempool* pool = ports_[i].pool;
            bool seen = false;
            for (std::size_t j = 0; j < i; ++j) seen = seen || ports_[j].pool == pool;
            if (pool == nullptr || seen) continue;
            in_use += rte_mempool_in_use_count(pool);
            total += pool->size;
        }
        return {in_use, total};
    }
    const capture_counters* capture() const noexcept {
        return tap_ != nullptr ? &tap_->counters() : nullptr;
    }

private:
    // One RX burst as taken from the port: every mbuf (freed by the caller
    // once the frames are handled) and the single-segment frames' bytes.
    struct received {
        std::array<rte_mbuf*, burst_size> pkts;
        std::array<std::span<const std::byte>, burst_size> frames;
        std::uint16_t taken = 0;
        std::uint16_t kept = 0;
    };

    void take(port_role role, received& r) noexcept {
        auto& p = port(role);
        r.taken = rte_eth_rx_burst(p.port_id, p.queue, r.pkts.data(), burst_size);
        r.kept = 0;
        auto& c = counters_[role];
        for (std::uint16_t i = 0; i < r.taken; ++i) {
            rte_mbuf* m = r.pkts[i];
            if (m->nb_segs != 1) [[unlikely]] {
                ++c.rx_multiseg_dropped;
                continue;
            }
            ++c.rx_frames;
            c.rx_bytes += m->data_len;
            if (capture_rx_) tap_->offer(m);
            rte_prefetch0(rte_pktmbuf_mtod(m, void*));
            r.frames[r.kept++] = std::span<const std::byte>(rte_pktmbuf_mtod(m, const std::byte*), m->data_len);
        }
    }

    // One port's hot state, on its own cache lines: per-frame calls on the
    // client port do not touch the server port's lines and vice versa.
    struct alignas(RTE_CACHE_LINE_SIZE) port_state {
        rte_mbuf* begun = nullptr;   // handed out by tx_begin, not yet committed
        rte_mempool* pool = nullptr;
        std::uint64_t queued_bytes = 0;
        std::uint16_t port_id = 0;
        std::uint16_t queue = 0;
        std::uint16_t cached = 0;    // mbufs in cache
        std::uint16_t queued = 0;    // committed mbufs in tx
        std::array<rte_mbuf*, burst_size> cache{};
        std::array<rte_mbuf*, burst_size> tx{};
    };

    port_state& port(port_role role) noexcept { return ports_[engine::index_of(role)]; }

    void commit(port_role role, std::uint16_t length, const engine::tx_seal* seal) noexcept {
        auto& p = port(role);
        rte_mbuf* m = p.begun;
        if (m == nullptr) [[unlikely]] {
            ++counters_[role].tx_no_frame;
            return;
        }
        p.begun = nullptr;
        if (length == 0 || length > rte_pktmbuf_tailroom(m)) [[unlikely]] {
            ++counters_[role].tx_bad_length;
            p.cache[p.cached++] = m;  // room: it came from this cache
            return;
        }
        m->data_len = length;
        m->pkt_len = length;
        if (seal != nullptr) {
            seals_[sealed_] = *seal;
            sealed_frames_[sealed_++] = rte_pktmbuf_mtod(m, std::byte*);
        }
        p.queued_bytes += length;
        p.tx[p.queued++] = m;
        if (p.queued == burst_size) send(role, p);
    }

    // The next frame's mbuf and the first three lines of its data (headers,
    // QQ header, a chat body), fetched while this frame is built: refill
    // takes a burst of mbufs at once, and by the time the later ones are
    // written a frame's work (sessions, keys, the QQ-TEA lanes) has pushed
    // their lines out of L1. Measured (bench/RESULTS.md): the e2e chat's
    // best second +2..16 % in 8 of 8 interleaved pairs; the data lines
    // alone gave about half of that.
    static void prefetch_for_writing(const rte_mbuf* m) noexcept {
        const char* const data = rte_pktmbuf_mtod(m, const char*);
        __builtin_prefetch(m, 1, 3);  // rte_prefetch0_write is experimental in DPDK 22.11
        __builtin_prefetch(data, 1, 3);
        __builtin_prefetch(data + RTE_CACHE_LINE_SIZE, 1, 3);
        __builtin_prefetch(data + 2 * RTE_CACHE_LINE_SIZE, 1, 3);
    }

    static bool refill(port_state& p) noexcept {
        if (rte_pktmbuf_alloc_bulk(p.pool, p.cache.data(), burst_size) == 0) {
            p.cached = burst_size;
            return true;
        }
        // The pool is nearly dry (frames held by the DUT or the wire): take
        // what single mbufs there are rather than none.
        rte_mbuf* m = rte_pktmbuf_alloc(p.pool);
        if (m == nullptr) return false;
        p.cache[p.cached++] = m;
        return true;
    }

    // Every sealed frame of both ports sealed in one batch, the burst captured
    // (final bytes: after tx_burst the mbufs are the PMD's), then sent.
    void send(port_role role, port_state& p) noexcept {
        if (sealed_ != 0) {
            engine::seal_frames({sealed_frames_.data(), sealed_}, {seals_.data(), sealed_});
            sealed_ = 0;
        }
        if (capture_tx_)
            for (std::uint16_t i = 0; i < p.queued; ++i) tap_->offer(p.tx[i]);
        const std::uint16_t sent = rte_eth_tx_burst(p.port_id, p.queue, p.tx.data(), p.queued);
        auto& c = counters_[role];
        std::uint64_t refused_bytes = 0;
        if (sent < p.queued) [[unlikely]] {
            for (std::uint16_t i = sent; i < p.queued; ++i) refused_bytes += p.tx[i]->pkt_len;
            rte_pktmbuf_free_bulk(&p.tx[sent], p.queued - sent);
            c.tx_refused += p.queued - sent;
        }
        c.tx_frames += sent;
        c.tx_bytes += p.queued_bytes - refused_bytes;
        p.queued = 0;
        p.queued_bytes = 0;
    }

    std::array<port_state, engine::port_role_count> ports_{};
    // Frames committed with a seal on either port, not sealed yet: a send on
    // one port seals the other's too, so that a batch has up to 128 messages
    // (lanes refill as short bodies end; bench/RESULTS.md "Batched QQ-TEA").
    // Sealing early is harmless: a committed frame is complete.
    std::array<std::byte*, engine::port_role_count * burst_size> sealed_frames_{};
    std::array<engine::tx_seal, engine::port_role_count * burst_size> seals_{};
    std::uint16_t sealed_ = 0;
    engine::io_counters counters_{};
    tsc_clock clock_;
    capture_tap* tap_;
    bool capture_tx_;
    bool capture_rx_;
};

static_assert(engine::frame_io<dpdk_frame_io>);

}  // namespace qqgen::dpdk
