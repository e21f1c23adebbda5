// QQ over TCP: each UDP-style packet behind a 2-byte big-endian length that
// counts the whole frame, the two length bytes included (qq-protocol.md
// "Framing"; pidgin 2.4 libqq send_core.c _qq_send_packet writes the total
// buffer length, pidgin 2.7 qq_network.c tcp_pending subtracts pkt_len from
// the receive queue; Wireshark has no TCP dissector for it).
//
// The reassembler turns a byte stream cut into arbitrary segments back into
// frames, with a fixed buffer and no allocation. Frames that arrive whole
// inside a segment are handed out as views into the segment (no copy); only a
// frame split across segments is copied into the buffer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "protocols/bytes.hpp"
#include "protocols/qq_header.hpp"

namespace qqgen::proto {

inline constexpr std::size_t tcp_length_size = 2;
// The smallest frame the reassembler accepts: length + a server header + end
// tag (an empty-bodied server packet). pidgin's tcp_pending drops frames
// shorter than QQ_TCP_HEADER_LENGTH (9) + its tail check.
inline constexpr std::size_t min_tcp_frame = tcp_length_size + min_server_packet;
inline constexpr std::size_t max_tcp_frame = 0xFFFF;  // the length field's range

// --- encoders: return the frame size, 0 if it does not fit -----------------

// Length + packet (packet may overlap out; it is moved into place).
std::size_t encode_tcp_frame(byte_span out, const_byte_span packet) noexcept;
// Writes only the length, for a packet of packet_len bytes already at
// out[tcp_length_size] (built in place by frame_client_body etc.).
std::size_t frame_tcp_packet(byte_span out, std::size_t packet_len) noexcept;
// Length + client/server packet in one go.
std::size_t encode_tcp_client_frame(byte_span out, const client_header& h, const_byte_span body) noexcept;
std::size_t encode_tcp_server_frame(byte_span out, const server_header& h, const_byte_span body) noexcept;

// --- decoder for one frame at the start of a buffer -----------------------

struct tcp_frame_view {
    const_byte_span packet;       // the UDP-style packet (without the length)
    std::size_t frame_size = 0;   // bytes this frame takes from the buffer
};

// Refuses: truncated (fewer than 2 bytes, or fewer than the length says:
// offset = buffer size), bad_length (length < min_tcp_frame: offset 0).
// Bytes after the frame are left alone (frame_size says where they start).
result<tcp_frame_view> decode_tcp_frame(const_byte_span buffer) noexcept;

// What for_each_tcp_frame found in one in-order segment payload.
struct tcp_frames_result {
    std::size_t consumed = 0;  // bytes of the whole frames handed out (a frame boundary)
    std::uint32_t frames = 0;
    bool partial = false;  // a frame begins at `consumed` but does not end in the segment
    refusal why{};         // bad_length / too_long: the stream is broken at `consumed`

    [[nodiscard]] constexpr bool ok() const noexcept { return why.code == decode_error::none; }
};

// The stateless reassembly the session engine uses (docs/tcp.md): the
// whole frames at the start of `payload` are handed to on_frame(packet) in
// order; a trailing partial frame is left alone (the receiver acknowledges
// only up to `consumed`, so the sender resends it from a frame boundary).
// No buffer: a frame larger than max_frame is refused as too_long.
template <class OnFrame>
tcp_frames_result for_each_tcp_frame(const_byte_span payload, std::size_t max_frame, OnFrame&& on_frame) noexcept(
    std::is_nothrow_invocable_v<OnFrame&, const_byte_span>) {
    tcp_frames_result r;
    while (payload.size() - r.consumed >= tcp_length_size) {
        const std::size_t want = load_be16(payload.data() + r.consumed);
        if (want < min_tcp_frame || want > max_frame) {
            r.why = refusal{want < min_tcp_frame ? decode_error::bad_length : decode_error::too_long,
                            static_cast<std::uint32_t>(r.consumed)};
            return r;
        }
        if (payload.size() - r.consumed < want) break;
        on_frame(payload.subspan(r.consumed + tcp_length_size, want - tcp_length_size));
        r.consumed += want;
        ++r.frames;
    }
    r.partial = r.consumed != payload.size();
    return r;
}

// What one feed() call did.
struct tcp_feed_result {
    std::uint32_t frames = 0;  // complete frames handed to the callback
    // why.code != none: the stream is broken. bad_length (length field below
    // min_tcp_frame) or too_long (above the reassembler's capacity); offset =
    // stream position (bytes fed since reset, mod 2^32) of that frame's
    // length field.
    refusal why{};

    [[nodiscard]] constexpr bool ok() const noexcept { return why.code == decode_error::none; }
};

// Fixed-capacity stream reassembler. After a refusal the stream cannot be
// re-synchronised reliably (QQ frames carry no marker a length could be
// trusted from), so it stays failed, swallowing input, until reset(); the
// session drops the connection. Each feed of a failed stream reports the
// original refusal again with frames = 0.
template <std::size_t MaxFrame = 4096>
class tcp_reassembler {
    static_assert(MaxFrame >= min_tcp_frame && MaxFrame <= max_tcp_frame, "MaxFrame outside the 2-byte length's range");

public:
    static constexpr std::size_t capacity = MaxFrame;

    // Feeds one TCP payload segment; calls on_frame(const_byte_span packet)
    // for each completed frame, in order, with the packet after the length
    // field. The view is valid only during the call.
    template <class OnFrame>
    tcp_feed_result feed(const_byte_span segment, OnFrame&& on_frame) noexcept(
        std::is_nothrow_invocable_v<OnFrame&, const_byte_span>) {
        tcp_feed_result res;
        if (failed_.code != decode_error::none) {
            res.why = failed_;
            return res;
        }
        const std::byte* p = segment.data();
        std::size_t left = segment.size();

        // 1. Finish a frame begun in an earlier segment.
        if (have_ != 0) {
            const std::size_t frame_start = stream_pos_ - have_;
            if (have_ < tcp_length_size) {
                const std::size_t take = take_into(p, left, tcp_length_size);
                p += take;
                left -= take;
                if (have_ < tcp_length_size) {
                    stream_pos_ += segment.size();
                    return res;
                }
            }
            const std::size_t want = load_be16(buf_.data());
            if (!length_ok(want, frame_start, res)) return res;
            const std::size_t take = take_into(p, left, want);
            p += take;
            left -= take;
            if (have_ < want) {
                stream_pos_ += segment.size();
                return res;
            }
            on_frame(const_byte_span{buf_.data() + tcp_length_size, want - tcp_length_size});
            ++res.frames;
            have_ = 0;
        }

        // 2. Whole frames inside the segment: hand out views, no copy.
        while (left >= tcp_length_size) {
            const std::size_t want = load_be16(p);
            if (!length_ok(want, stream_pos_ + static_cast<std::size_t>(p - segment.data()), res)) return res;
            if (left < want) break;
            on_frame(const_byte_span{p + tcp_length_size, want - tcp_length_size});
            ++res.frames;
            p += want;
            left -= want;
        }

        // 3. Keep the beginning of the next frame.
        if (left != 0) {
            std::memcpy(buf_.data(), p, left);
            have_ = left;
        }
        stream_pos_ += segment.size();
        return res;
    }

    // Forget any partial frame and a past refusal (a new connection).
    void reset() noexcept {
        have_ = 0;
        stream_pos_ = 0;
        failed_ = {};
    }

    [[nodiscard]] bool failed() const noexcept { return failed_.code != decode_error::none; }
    [[nodiscard]] refusal failure() const noexcept { return failed_; }
    // Bytes of an incomplete frame held back.
    [[nodiscard]] std::size_t buffered() const noexcept { return have_; }

private:
    // Appends up to (target - have_) bytes from p to the buffer.
    std::size_t take_into(const std::byte* p, std::size_t left, std::size_t target) noexcept {
        const std::size_t need = target - have_;
        const std::size_t take = left < need ? left : need;
        if (take != 0) std::memcpy(buf_.data() + have_, p, take);  // p may be null for an empty segment
        have_ += take;
        return take;
    }

    bool length_ok(std::size_t want, std::size_t frame_pos, tcp_feed_result& res) noexcept {
        decode_error e = decode_error::none;
        if (want < min_tcp_frame)
            e = decode_error::bad_length;
        else if (want > MaxFrame)
            e = decode_error::too_long;
        if (e == decode_error::none) return true;
        failed_ = refusal{e, static_cast<std::uint32_t>(frame_pos)};
        res.why = failed_;
        have_ = 0;
        return false;
    }

    std::array<std::byte, MaxFrame> buf_;
    std::size_t have_ = 0;        // bytes of the current partial frame in buf_
    std::size_t stream_pos_ = 0;  // bytes fed before the current segment
    refusal failed_{};
};

}  // namespace qqgen::proto
