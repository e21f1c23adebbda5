// Frames committed before their QQ-TEA body is encrypted, sealed in one batch
// right before their burst leaves (design.md "Frames": "batch it across a
// burst (independent messages in SIMD lanes) rather than caching
// ciphertext").
//
// QQ-TEA is one dependent chain of 16 rounds per 8-byte block, the cost of
// every QQ frame (bench/RESULTS.md: 75 % of a chatting worker, scalar). A
// UDP frame's size does not depend on its ciphertext (tea_cipher_size is a
// function of the plaintext length alone), so the engine writes every header
// and the plaintext, commits the frame with a tx_seal, and the Io seals all of
// a burst's frames together (tea_encrypt_batch: one message per SIMD lane)
// just before it hands them to the port. The UDP checksum covers the
// ciphertext, so it is written then too.
//
// Frames over TCP are encrypted as they are built (tcp_transport keeps their
// bytes for a retransmission), as is anything the engine must read back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "protocols/bytes.hpp"
#include "protocols/net_headers.hpp"
#include "protocols/qq_tea.hpp"

namespace qqgen::engine {

// What sealing one frame needs. Offsets are from the frame's first byte.
struct tx_seal {
    proto::tea_key key;
    std::uint64_t pad_seed = 0;
    std::uint16_t body_offset = 0;   // the ciphertext goes to [body_offset, + tea_cipher_size(plain_size))
    std::uint16_t plain_offset = 0;  // the plaintext waits at [plain_offset, + plain_size)
    std::uint16_t plain_size = 0;
    proto::frame_layout layout;      // write_headers' answer: the L4 checksum is finished here
};

// Seals frames[i] as seals[i] says: the body encrypted exactly as
// tea_encrypt(key, plaintext, body, pad_seed) would (every instruction set
// gives the same bytes), then the UDP/TCP checksum. The spans have the same
// length; frames must not overlap. A seal is only made for a body whose room
// holds its ciphertext (deferred_seal::take checks), so sealing cannot fail.
void seal_frames(std::span<std::byte* const> frames, std::span<const tx_seal> seals) noexcept;

// The seal of the one frame being built: send_udp arms it, the QQ packet
// writer (qq_packet_writer.hpp) fills it instead of encrypting when armed,
// and send_udp hands it to the Io with the frame.
class deferred_seal {
public:
    void arm() noexcept {
        armed_ = true;
        pending_ = false;
    }
    void disarm() noexcept { armed_ = false; }
    [[nodiscard]] bool armed() const noexcept { return armed_; }
    [[nodiscard]] bool pending() const noexcept { return pending_; }

    // Notes the encryption of `plain` (n bytes) into `body` for later; returns
    // the ciphertext size, 0 (nothing noted) when body cannot hold it.
    std::size_t take(const proto::tea_key& key, std::uint64_t pad_seed, const std::byte* plain, std::size_t n,
                     proto::byte_span body) noexcept {
        const std::size_t size = proto::tea_cipher_size(n);
        if (size > body.size() || plain < body.data() || plain + n > body.data() + body.size()) return 0;
        key_ = key;
        pad_seed_ = pad_seed;
        body_ = body.data();
        plain_ = plain;
        plain_size_ = n;
        pending_ = true;
        return size;
    }

    // The noted encryption as a seal of the frame starting at `frame`.
    [[nodiscard]] tx_seal seal(const std::byte* frame, const proto::frame_layout& layout) const noexcept {
        tx_seal s;
        s.key = key_;
        s.pad_seed = pad_seed_;
        s.body_offset = static_cast<std::uint16_t>(body_ - frame);
        s.plain_offset = static_cast<std::uint16_t>(plain_ - frame);
        s.plain_size = static_cast<std::uint16_t>(plain_size_);
        s.layout = layout;
        return s;
    }

private:
    bool armed_ = false;
    bool pending_ = false;
    proto::tea_key key_;
    std::uint64_t pad_seed_ = 0;
    const std::byte* body_ = nullptr;
    const std::byte* plain_ = nullptr;
    std::size_t plain_size_ = 0;
};

}  // namespace qqgen::engine
