// An in-memory frame_io: the session engine's test double (no DPDK, no NIC).
//
// One memory_frame_io stands for one worker's two ports joined back to back
// by a wire, the way the `wire` topology joins them with rte_eth_from_rings:
// a frame committed and flushed on the client port arrives on the server
// port's RX, and the other way round. It keeps DPDK's semantics where they
// matter to an engine: a fixed pool of buffers (tx_begin fails when it is
// empty), a TX buffer that only reaches the wire when a burst is full or on
// flush(), a wire of bounded depth (a full wire refuses frames), and bursts of
// bounded size on RX. On top it can drop or corrupt every Nth frame, delay
// every frame, or hand each frame to a hook that decides its fate (deliver,
// drop, or hold back behind the next frame: a reordering, as netem's
// `reorder` does), so tests can make the "DUT" misbehave on purpose. Time is
// a manual clock.
//
// Like its DPDK counterpart it is owned by one thread; it allocates only in
// its constructor (and in set_wire_hook, which copies the hook).
#pragma once

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include "dataplane/engine/burst_limits.hpp"
#include "dataplane/engine/frame_io.hpp"

namespace qqgen::engine {

struct memory_wire_config {
    std::size_t buffer_count = 1024;               // buffers shared by both ports
    std::size_t frame_capacity = min_tx_capacity;  // bytes per buffer
    std::size_t wire_depth = 512;                  // frames in flight per direction
    std::size_t tx_burst = 32;                     // TX buffer sent when this full
    std::size_t rx_burst = 32;                     // most frames per rx_burst (<= max_rx_burst)
    std::uint64_t drop_every = 0;                  // drop every Nth frame per direction; 0: never
    std::uint64_t corrupt_every = 0;               // flip the last byte of every Nth; 0: never
    std::uint64_t delay_ns = 0;                    // one-way wire delay
};

// What the wire did, per direction (indexed by the sending port).
struct wire_counters {
    std::uint64_t carried = 0;    // frames put on the wire
    std::uint64_t delivered = 0;  // frames handed to the far port's RX
    std::uint64_t dropped = 0;    // lost on the wire (drop_every or the hook)
    std::uint64_t corrupted = 0;  // changed by corrupt_every
    std::uint64_t reordered = 0;  // held back behind a later frame (the hook's hold_back)
    std::uint64_t sealed = 0;     // committed with a tx_seal: QQ-TEA body encrypted in a send's batch
};

// A hook's decision about one frame on the wire. The hook may also change
// the frame's bytes before it is delivered. hold_back: the frame arrives
// after the frames of the next burst sent the same way (or, if none comes,
// reorder_release_ns after it was due); one frame per direction is held at a
// time, a second one asked for is delivered in order.
enum class wire_verdict : std::uint8_t { deliver, drop, hold_back };

class memory_frame_io {
public:
    static constexpr std::size_t max_rx_burst = max_burst_frames;
    using wire_hook = std::function<wire_verdict(port_role from, std::span<std::byte> frame)>;

    explicit memory_frame_io(memory_wire_config config = {})
        : config_(sanitised(config)),
          storage_(config_.buffer_count * config_.frame_capacity),
          lengths_(config_.buffer_count, 0) {
        free_.reserve(config_.buffer_count);
        // Highest index first so that buffer 0 is handed out first: tests
        // that look at reuse get a predictable order.
        for (std::size_t i = config_.buffer_count; i-- > 0;)
            free_.push_back(static_cast<std::uint32_t>(i));
        sealed_frames_.reserve(port_role_count * config_.tx_burst);
        seals_.reserve(port_role_count * config_.tx_burst);
        for (auto& p : ports_) {
            p.tx_pending.reserve(config_.tx_burst);
            p.rx_wire.resize(config_.wire_depth);
        }
    }

    // --- frame_io ---------------------------------------------------------

    std::span<std::byte> tx_begin(port_role role) noexcept {
        auto& p = port(role);
        if (p.begun == no_buffer) {
            if (free_.empty()) {
                ++counters_[role].tx_alloc_failed;
                return {};
            }
            p.begun = free_.back();
            free_.pop_back();
        }
        return buffer(p.begun);
    }

    void tx_commit(port_role role, std::uint16_t length) noexcept { commit(role, length, nullptr); }
    void tx_commit(port_role role, std::uint16_t length, const tx_seal& seal) noexcept {
        commit(role, length, &seal);
    }

    void tx_abort(port_role role) noexcept {
        auto& p = port(role);
        if (p.begun == no_buffer) {
            ++counters_[role].tx_no_frame;
            return;
        }
        free_.push_back(std::exchange(p.begun, no_buffer));
    }

    template <class F>
    unsigned rx_burst(port_role role, F&& on_frame) noexcept {
        received r;
        take(role, r);
        for (unsigned i = 0; i < r.count; ++i) on_frame(r.frames[i]);
        give_back(r);
        return r.count;
    }

    template <class B, class F>
    unsigned rx_bursts(B&& before_bursts, F&& on_frame) noexcept {
        std::array<received, port_role_count> r;
        port_bursts bursts;
        for (const port_role role : all_port_roles) {
            const std::size_t i = index_of(role);
            take(role, r[i]);
            bursts[i] = frame_spans(r[i].frames.data(), r[i].count);
        }
        if (r[0].count + r[1].count == 0) return 0;
        before_bursts(bursts);
        for (const port_role role : all_port_roles) {
            const received& b = r[index_of(role)];
            for (unsigned i = 0; i < b.count; ++i) on_frame(role, b.frames[i]);
        }
        for (const received& b : r) give_back(b);
        return r[0].count + r[1].count;
    }

    void flush(port_role role) noexcept {
        if (!port(role).tx_pending.empty()) send(role);
    }

    std::uint64_t now_ns() const noexcept { return now_ns_; }
    const io_counters& counters() const noexcept { return counters_; }

    // --- test controls ----------------------------------------------------

    void set_now_ns(std::uint64_t ns) noexcept { now_ns_ = std::max(now_ns_, ns); }
    void advance_ns(std::uint64_t ns) noexcept { now_ns_ += ns; }

    // Called for every frame as it is put on the wire, after drop_every and
    // corrupt_every; an empty hook delivers everything.
    void set_wire_hook(wire_hook hook) { hook_ = std::move(hook); }

    // Place a frame on `to`'s RX as if the wire had carried it (e.g. a frame
    // the DUT made up). False when no buffer is free, the frame does not fit
    // or the wire is full.
    bool inject(port_role to, std::span<const std::byte> frame) noexcept {
        auto& w = port(to).incoming();
        if (free_.empty() || frame.empty() || frame.size() > config_.frame_capacity ||
            w.count == w.slots.size())
            return false;
        const std::uint32_t index = free_.back();
        free_.pop_back();
        std::memcpy(buffer(index).data(), frame.data(), frame.size());
        lengths_[index] = static_cast<std::uint16_t>(frame.size());
        w.push({index, now_ns_});
        return true;
    }

    // Buffers not held by anyone (neither begun, queued for TX, nor on the
    // wire): equals buffers_total() when nothing leaked.
    std::size_t buffers_free() const noexcept { return free_.size(); }
    std::size_t buffers_total() const noexcept { return config_.buffer_count; }
    // Frames on the wire towards `to`, not yet received.
    std::size_t in_flight(port_role to) const noexcept {
        return port(to).incoming().count + (port(to).held.index != no_buffer ? 1 : 0);
    }
    // Frames committed on `role` and waiting for a full burst or flush().
    std::size_t tx_queued(port_role role) const noexcept { return port(role).tx_pending.size(); }
    const wire_counters& wire(port_role from) const noexcept { return wire_[index_of(from)]; }
    const memory_wire_config& config() const noexcept { return config_; }

private:
    static constexpr std::uint32_t no_buffer = std::numeric_limits<std::uint32_t>::max();
    static constexpr std::uint64_t reorder_release_ns = 1'000'000;

    struct in_flight_frame {
        std::uint32_t index;
        std::uint64_t arrives_at;
    };

    // Fixed-size FIFO of frames on the wire towards one port.
    struct wire_queue {
        std::vector<in_flight_frame> slots;
        std::size_t head = 0;
        std::size_t count = 0;

        void resize(std::size_t n) { slots.resize(n); }
        const in_flight_frame& front() const noexcept { return slots[head]; }
        void pop() noexcept {
            head = (head + 1) % slots.size();
            --count;
        }
        void push(in_flight_frame f) noexcept {
            slots[(head + count) % slots.size()] = f;
            ++count;
        }
    };

    struct port_state {
        std::uint32_t begun = no_buffer;
        in_flight_frame held{no_buffer, 0};  // a frame towards this port held back (hold_back)
        std::vector<std::uint32_t> tx_pending;
        wire_queue rx_wire;  // frames travelling towards this port
        std::uint64_t sent_on_wire = 0;

        wire_queue& incoming() noexcept { return rx_wire; }
        const wire_queue& incoming() const noexcept { return rx_wire; }
    };

    static memory_wire_config sanitised(memory_wire_config c) noexcept {
        c.buffer_count = std::max<std::size_t>(c.buffer_count, 1);
        c.frame_capacity = std::clamp<std::size_t>(c.frame_capacity, 1, 65535);
        c.wire_depth = std::max<std::size_t>(c.wire_depth, 1);
        c.tx_burst = std::max<std::size_t>(c.tx_burst, 1);
        c.rx_burst = std::clamp<std::size_t>(c.rx_burst, 1, max_rx_burst);
        return c;
    }

    port_state& port(port_role role) noexcept { return ports_[index_of(role)]; }
    const port_state& port(port_role role) const noexcept { return ports_[index_of(role)]; }

    std::span<std::byte> buffer(std::uint32_t index) noexcept {
        return {storage_.data() + std::size_t{index} * config_.frame_capacity,
                config_.frame_capacity};
    }

    void commit(port_role role, std::uint16_t length, const tx_seal* seal) noexcept {
        auto& p = port(role);
        if (p.begun == no_buffer) {
            ++counters_[role].tx_no_frame;
            return;
        }
        const std::uint32_t index = std::exchange(p.begun, no_buffer);
        if (length == 0 || length > config_.frame_capacity) {
            ++counters_[role].tx_bad_length;
            free_.push_back(index);
            return;
        }
        lengths_[index] = length;
        p.tx_pending.push_back(index);
        if (seal != nullptr) {
            sealed_frames_.push_back(buffer(index).data());
            seals_.push_back(*seal);
            ++wire_[index_of(role)].sealed;
        }
        if (p.tx_pending.size() >= config_.tx_burst) send(role);
    }

    // Puts the TX buffer of `from` on the wire towards its peer. Every frame
    // committed with a seal on either port is sealed first, in one batch, as
    // dpdk_frame_io does (sealing the other port's early is harmless: a
    // committed frame is complete). What the wire has no room for is
    // refused, as a full NIC queue would.
    void send(port_role from) noexcept {
        auto& p = port(from);
        if (!seals_.empty()) {
            seal_frames(sealed_frames_, seals_);
            sealed_frames_.clear();
            seals_.clear();
        }
        auto& to = port(peer_of(from)).incoming();
        bool pushed = false, held_now = false;
        auto& c = counters_[from];
        auto& wc = wire_[index_of(from)];
        for (const std::uint32_t index : p.tx_pending) {
            if (to.count == to.slots.size()) {
                ++c.tx_refused;
                free_.push_back(index);
                continue;
            }
            ++c.tx_frames;
            c.tx_bytes += lengths_[index];
            ++wc.carried;
            const std::uint64_t seq = ++p.sent_on_wire;
            const auto frame = buffer(index).first(lengths_[index]);
            bool deliver = !(config_.drop_every != 0 && seq % config_.drop_every == 0);
            if (deliver && config_.corrupt_every != 0 && seq % config_.corrupt_every == 0) {
                frame.back() ^= std::byte{0xff};
                ++wc.corrupted;
            }
            const wire_verdict v = deliver && hook_ ? hook_(from, frame) : wire_verdict::deliver;
            if (!deliver || v == wire_verdict::drop) {
                ++wc.dropped;
                free_.push_back(index);
                continue;
            }
            ++wc.delivered;
            auto& dest = port(peer_of(from));
            if (v == wire_verdict::hold_back && dest.held.index == no_buffer) {
                ++wc.reordered;
                dest.held = {index, now_ns_ + config_.delay_ns};
                held_now = true;
                continue;
            }
            to.push({index, now_ns_ + config_.delay_ns});
            pushed = true;
        }
        p.tx_pending.clear();
        // A frame held in an earlier burst follows this one's frames.
        if (pushed && !held_now) release_held(peer_of(from), true);
    }

    // One RX burst as taken from the wire: its buffers (given back once the
    // frames are handled, as rte_pktmbuf_free_bulk after a DPDK burst) and
    // their frames' bytes.
    struct received {
        std::array<std::uint32_t, max_rx_burst> buffers;
        std::array<std::span<const std::byte>, max_rx_burst> frames;
        unsigned count = 0;
    };

    void take(port_role role, received& r) noexcept {
        auto& w = port(role).incoming();
        release_held(role, false);
        r.count = 0;
        while (r.count < config_.rx_burst && w.count > 0 && w.front().arrives_at <= now_ns_) {
            r.buffers[r.count++] = w.front().index;
            w.pop();
        }
        auto& c = counters_[role];
        for (unsigned i = 0; i < r.count; ++i) {
            r.frames[i] = buffer(r.buffers[i]).first(lengths_[r.buffers[i]]);
            ++c.rx_frames;
            c.rx_bytes += r.frames[i].size();
        }
    }

    void give_back(const received& r) noexcept {
        for (unsigned i = 0; i < r.count; ++i) free_.push_back(r.buffers[i]);
    }

    // The frame held back towards `to` goes on the wire: `now` after a later
    // burst, else once reorder_release_ns past its due time.
    void release_held(port_role to, bool now) noexcept {
        auto& dest = port(to);
        if (dest.held.index == no_buffer) return;
        if (!now && now_ns_ < dest.held.arrives_at + reorder_release_ns) return;
        auto& w = dest.incoming();
        if (w.count == w.slots.size()) return;  // the wire is full: later
        w.push({dest.held.index, std::max(dest.held.arrives_at, now_ns_)});
        dest.held.index = no_buffer;
    }

    memory_wire_config config_;
    std::vector<std::byte> storage_;
    std::vector<std::uint16_t> lengths_;
    std::vector<std::uint32_t> free_;
    std::vector<std::byte*> sealed_frames_;  // frames committed with a seal on either port, not sealed yet
    std::vector<tx_seal> seals_;             // and their seals
    std::array<port_state, port_role_count> ports_{};
    std::array<wire_counters, port_role_count> wire_{};
    io_counters counters_{};
    wire_hook hook_;
    std::uint64_t now_ns_ = 0;
};

static_assert(frame_io<memory_frame_io>);

}  // namespace qqgen::engine
