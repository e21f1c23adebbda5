// Small, honest engines for testing the I/O layer (never in the shipped
// binary): a frame blaster on the client port and an echo responder on the
// server port of the same worker, as the session engine will pair a
// client half with a server half.
//
// The blaster sends numbered frames (Ethernet, ethertype 0x88b5 "local
// experimental", then a 32-bit sequence number and a pattern derived from
// it), keeps at most `window` of them unanswered, and checks every echo that
// comes back byte for byte. The responder sends every frame it receives back
// out of the port it came in on.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <utility>

#include "dataplane/engine/frame_io.hpp"

namespace qqgen::test {

using engine::port_role;

// What a blaster saw, written by its worker, read by the test after the
// workers were joined. One per worker, on its own lines.
struct alignas(64) blaster_result {
    std::uint64_t sent = 0;
    std::uint64_t echoed = 0;        // echoes received intact
    std::uint64_t mismatched = 0;    // echoes whose bytes differ from what was sent
    std::uint64_t out_of_order = 0;  // echoes with an unexpected sequence number
    std::uint64_t alloc_failed = 0;  // tx_begin gave nothing
};

// Frame layout: dst MAC, src MAC, ethertype 0x88b5, seq (big-endian), pattern.
inline constexpr std::size_t header_size = 14 + 4;

inline std::uint16_t frame_length_for(std::uint64_t seq) {
    // 60..1514 bytes, varying so that lengths are checked too.
    return static_cast<std::uint16_t>(60 + (seq * 97) % (1514 - 60 + 1));
}

inline std::byte pattern_byte(std::uint64_t seq, std::size_t i) {
    return static_cast<std::byte>((seq * 131 + i * 7) & 0xff);
}

inline void write_frame(std::span<std::byte> out, std::uint64_t seq, std::uint16_t length) {
    static constexpr std::array<std::uint8_t, 14> eth{0x02, 0, 0, 0, 0, 2,  // dst: server side
                                                      0x02, 0, 0, 0, 0, 1,  // src: client side
                                                      0x88, 0xb5};
    std::memcpy(out.data(), eth.data(), eth.size());
    for (int b = 0; b < 4; ++b) out[14 + b] = static_cast<std::byte>((seq >> (24 - 8 * b)) & 0xff);
    for (std::size_t i = header_size; i < length; ++i) out[i] = pattern_byte(seq, i);
}

inline std::uint32_t read_seq(std::span<const std::byte> frame) {
    std::uint32_t seq = 0;
    for (int b = 0; b < 4; ++b) seq = (seq << 8) | static_cast<std::uint32_t>(frame[14 + b]);
    return seq;
}

inline bool frame_is_intact(std::span<const std::byte> frame, std::uint64_t seq) {
    if (frame.size() != frame_length_for(seq) || read_seq(frame) != static_cast<std::uint32_t>(seq))
        return false;
    for (std::size_t i = header_size; i < frame.size(); ++i)
        if (frame[i] != pattern_byte(seq, i)) return false;
    return true;
}

// How the blaster shapes its frames: lengths 60..1514 with every byte
// checked (the default), or one fixed length with only the header and
// sequence number written and checked (to measure the I/O layer rather than
// the test's own memcpy and compare).
struct blast_shape {
    std::uint16_t fixed_length = 0;  // 0: varying, fully checked
};

class frame_blaster {
public:
    frame_blaster(std::uint64_t target, std::uint64_t window, blaster_result* result,
                  blast_shape shape = {}) noexcept
        : target_(target), window_(window), result_(result), shape_(shape) {}
    frame_blaster(const frame_blaster&) = delete;
    frame_blaster& operator=(const frame_blaster&) = delete;
    frame_blaster(frame_blaster&& o) noexcept
        : target_(o.target_), window_(o.window_), result_(std::exchange(o.result_, nullptr)),
          shape_(o.shape_), r_(o.r_) {}
    ~frame_blaster() {
        if (result_ != nullptr) *result_ = r_;
    }

    template <class Io>
    void poll(Io& io) noexcept {
        io.rx_burst(port_role::client, [&](std::span<const std::byte> f) { check_echo(f); });
        // Send up to a burst, never more than `window` unanswered.
        for (int i = 0; i < 32 && r_.sent < target_ && r_.sent - r_.echoed - r_.mismatched - r_.out_of_order < window_;
             ++i) {
            auto buf = io.tx_begin(port_role::client);
            if (buf.empty()) {
                ++r_.alloc_failed;
                break;
            }
            const std::uint16_t length =
                shape_.fixed_length != 0 ? shape_.fixed_length : frame_length_for(r_.sent);
            if (shape_.fixed_length != 0) write_frame(buf, r_.sent, header_size);
            else write_frame(buf, r_.sent, length);
            io.tx_commit(port_role::client, length);
            ++r_.sent;
        }
    }

    // Stopping: collect the echoes still on their way, for a while.
    template <class Io>
    bool drain(Io& io) noexcept {
        io.rx_burst(port_role::client, [&](std::span<const std::byte> f) { check_echo(f); });
        return r_.echoed + r_.mismatched + r_.out_of_order >= r_.sent;
    }

    const blaster_result& result() const noexcept { return r_; }

private:
    void check_echo(std::span<const std::byte> f) noexcept {
        if (f.size() < header_size) {
            ++r_.mismatched;
            return;
        }
        const std::uint32_t seq = read_seq(f);
        if (seq != static_cast<std::uint32_t>(next_echo_)) {
            ++r_.out_of_order;
            next_echo_ = seq + 1;
            return;
        }
        ++next_echo_;
        const bool intact = shape_.fixed_length != 0 ? f.size() == shape_.fixed_length
                                                     : frame_is_intact(f, seq);
        if (intact) ++r_.echoed;
        else ++r_.mismatched;
    }

    std::uint64_t target_;
    std::uint64_t window_;
    blaster_result* result_;
    blast_shape shape_;
    blaster_result r_{};
    std::uint64_t next_echo_ = 0;
};

class echo_responder {
public:
    template <class Io>
    void poll(Io& io) noexcept {
        io.rx_burst(port_role::server, [&](std::span<const std::byte> f) {
            auto out = io.tx_begin(port_role::server);
            if (out.size() < f.size()) {
                if (!out.empty()) io.tx_abort(port_role::server);
                ++not_echoed_;
                return;
            }
            std::memcpy(out.data(), f.data(), f.size());
            io.tx_commit(port_role::server, static_cast<std::uint16_t>(f.size()));
        });
    }
    std::uint64_t not_echoed() const noexcept { return not_echoed_; }

private:
    std::uint64_t not_echoed_ = 0;
};

// Both halves in one worker.
class blast_and_echo_engine {
public:
    blast_and_echo_engine(std::uint64_t target, std::uint64_t window, blaster_result* result,
                          blast_shape shape = {}) noexcept
        : blaster_(target, window, result, shape) {}

    template <class Io>
    void poll(Io& io) noexcept {
        blaster_.poll(io);
        echo_.poll(io);
    }
    template <class Io>
    bool graceful_stop_step(Io& io) noexcept {
        echo_.poll(io);
        return blaster_.drain(io);
    }

private:
    frame_blaster blaster_;
    echo_responder echo_;
};

}  // namespace qqgen::test
