// The I/O contract between the session engine and whatever moves its frames.
//
// The session engine (dataplane/engine/) is a template on an Io type that
// satisfies `frame_io`, so the same engine code runs over DPDK ports
// (qqgen::dpdk::dpdk_frame_io, dataplane/io/) and over an in-memory wire in
// unit tests (memory_frame_io.hpp). A template parameter, not a virtual call
// per packet: every call below is on the hot path and inlines.
//
// One Io object belongs to one worker: it holds that worker's queue on the
// client port and its queue on the server port. It is never shared between
// threads. This header is DPDK-free.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "dataplane/engine/tx_seal.hpp"

namespace qqgen::engine {

// Which of the worker's two ports a call is about. The client half of every
// session sends and receives on the client port, the server half (DNS and QQ
// servers) on the server port.
enum class port_role : std::uint8_t { client = 0, server = 1 };

inline constexpr std::size_t port_role_count = 2;
inline constexpr std::array<port_role, port_role_count> all_port_roles{port_role::client,
                                                                       port_role::server};

constexpr std::size_t index_of(port_role role) noexcept { return static_cast<std::size_t>(role); }

constexpr port_role peer_of(port_role role) noexcept {
    return role == port_role::client ? port_role::server : port_role::client;
}

constexpr std::string_view to_string(port_role role) noexcept {
    return role == port_role::client ? "client" : "server";
}

// Every buffer tx_begin hands out holds at least this many bytes: a full
// 1500-byte Ethernet frame with VLAN tag and room to spare.
inline constexpr std::size_t min_tx_capacity = 2048;

// What one port of one worker did. Plain integers written by the owning
// worker only; publication to other threads is the caller's business.
struct port_counters {
    std::uint64_t rx_frames = 0;            // frames handed to on_frame
    std::uint64_t rx_bytes = 0;             // their bytes (Ethernet header on, FCS off)
    std::uint64_t tx_frames = 0;            // frames the port accepted
    std::uint64_t tx_bytes = 0;             // their bytes
    std::uint64_t tx_alloc_failed = 0;      // tx_begin found no buffer
    std::uint64_t tx_refused = 0;           // the port's TX queue was full; frame freed
    std::uint64_t tx_bad_length = 0;        // tx_commit with 0 or more than the buffer held
    std::uint64_t tx_no_frame = 0;          // tx_commit/tx_abort without a tx_begin
    std::uint64_t rx_multiseg_dropped = 0;  // received frame not in one contiguous buffer

    // The fields, in order, for code that treats the counters as a table
    // (publication, sums, printing).
    static constexpr std::array fields{
        &port_counters::rx_frames,       &port_counters::rx_bytes,
        &port_counters::tx_frames,       &port_counters::tx_bytes,
        &port_counters::tx_alloc_failed, &port_counters::tx_refused,
        &port_counters::tx_bad_length,   &port_counters::tx_no_frame,
        &port_counters::rx_multiseg_dropped,
    };
    static constexpr std::array<std::string_view, fields.size()> field_names{
        "rx_frames",       "rx_bytes",   "tx_frames",     "tx_bytes",           "tx_alloc_failed",
        "tx_refused",      "tx_bad_length", "tx_no_frame", "rx_multiseg_dropped",
    };

    constexpr port_counters& operator+=(const port_counters& other) noexcept {
        for (auto field : fields) this->*field += other.*field;
        return *this;
    }
    friend constexpr bool operator==(const port_counters&, const port_counters&) = default;
};

// The counters of one Io object: one set per port.
struct io_counters {
    std::array<port_counters, port_role_count> port{};

    constexpr port_counters& operator[](port_role role) noexcept { return port[index_of(role)]; }
    constexpr const port_counters& operator[](port_role role) const noexcept {
        return port[index_of(role)];
    }
    constexpr io_counters& operator+=(const io_counters& other) noexcept {
        for (std::size_t i = 0; i < port.size(); ++i) port[i] += other.port[i];
        return *this;
    }
    friend constexpr bool operator==(const io_counters&, const io_counters&) = default;
};

// A received burst: its frames' bytes.
using frame_spans = std::span<const std::span<const std::byte>>;
// A burst from each port, indexed by index_of(role), as rx_bursts'
// before_bursts callback sees them.
using port_bursts = std::array<frame_spans, port_role_count>;

namespace detail {
// Callbacks of the shapes passed to rx_burst and rx_bursts; used only to spell
// out the concept.
struct frame_callback_archetype {
    void operator()(std::span<const std::byte>) const noexcept {}
};
struct role_frame_callback_archetype {
    void operator()(port_role, std::span<const std::byte>) const noexcept {}
};
struct bursts_callback_archetype {
    void operator()(const port_bursts&) const noexcept {}
};
}  // namespace detail

// The contract. Every member is noexcept: failures are counters, never
// exceptions, because all of them are called per frame.
template <class Io>
concept frame_io = requires(Io& io, const Io& const_io, port_role role, std::uint16_t length, const tx_seal& seal,
                            detail::frame_callback_archetype on_frame,
                            detail::role_frame_callback_archetype on_role_frame,
                            detail::bursts_callback_archetype before_bursts) {
    // A writable buffer for one frame to be sent on `role`'s port, at least
    // min_tx_capacity bytes long; or an empty span when no buffer can be had
    // (counted in tx_alloc_failed). Calling it again before tx_commit or
    // tx_abort hands back the same buffer. Buffers come from a small cache
    // refilled in bulk: no lock or system call per frame.
    { io.tx_begin(role) } noexcept -> std::same_as<std::span<std::byte>>;

    // The frame begun last on `role` is complete and `length` bytes long. It
    // is queued in the port's TX buffer, which is sent when a burst is full
    // and by flush(). Frames the port refuses are counted (tx_refused) and
    // freed. A length of 0 or above the buffer's size drops the frame
    // (tx_bad_length); a commit with nothing begun counts tx_no_frame.
    { io.tx_commit(role, length) } noexcept -> std::same_as<void>;

    // tx_commit of a frame whose QQ-TEA body is still plaintext, with what
    // sealing it takes: the Io seals every such frame of a burst in one
    // batch (seal_frames, tx_seal.hpp) right before the burst leaves, so
    // that whatever sees the frames after that (the port, a capture, a wire
    // hook) sees final bytes.
    { io.tx_commit(role, length, seal) } noexcept -> std::same_as<void>;

    // Give back the buffer begun last on `role` without sending it.
    { io.tx_abort(role) } noexcept -> std::same_as<void>;

    // Receive at most one burst on `role`'s port and call
    // on_frame(std::span<const std::byte>) for each frame, whose bytes stay
    // valid only during that call. Frames that are not one contiguous buffer
    // are counted (rx_multiseg_dropped) and dropped. Returns the number of
    // frames taken from the port (0 when it was empty). on_frame may call
    // tx_begin/tx_commit/tx_abort/flush on either port.
    { io.rx_burst(role, on_frame) } noexcept -> std::same_as<unsigned>;

    // At most one burst from each port, both taken before any is handed on:
    // before_bursts(port_bursts) once with every frame of both, then
    // on_frame(role, frame) for each, the client port's first. All of them
    // stay valid until rx_bursts returns: the engine decrypts both bursts'
    // bodies in one batch (rx_plaintexts.hpp). Frames dropped as
    // multi-segment are in neither.
    // Returns the frames taken from both ports.
    { io.rx_bursts(before_bursts, on_role_frame) } noexcept -> std::same_as<unsigned>;

    // Send whatever is queued on `role`'s port now. The worker loop calls it
    // on a drain deadline (about 100 us, as DPDK's l3fwd BURST_TX_DRAIN_US)
    // so that a partly filled burst never waits long.
    { io.flush(role) } noexcept -> std::same_as<void>;

    // Monotonic nanoseconds since an epoch shared by all workers of a run.
    { const_io.now_ns() } noexcept -> std::same_as<std::uint64_t>;

    // What this Io has done so far.
    { const_io.counters() } noexcept -> std::same_as<const io_counters&>;
};

}  // namespace qqgen::engine
