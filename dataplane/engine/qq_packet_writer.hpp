// QQ datagrams written straight into a UDP payload area: header, body, end
// tag, with the body QQ-TEA encrypted in place (qq-protocol.md "QQ-TEA").
//
// The body encoder writes its plaintext at body + 10, the largest offset
// QQ-TEA can need (pad 7 + 3); tea_encrypt then moves it to where its padding
// puts it and encrypts over it, all inside the frame: no second buffer. When
// the frame's sender has armed a deferred_seal (a UDP frame, tx_seal.hpp),
// the encryption is only noted there and done with the rest of the TX burst.
#pragma once

#include <cstddef>
#include <cstdint>

#include "protocols/bytes.hpp"
#include "protocols/qq_header.hpp"
#include "dataplane/engine/tx_seal.hpp"
#include "protocols/qq_tea.hpp"

namespace qqgen::engine::qq_packet {

inline constexpr std::size_t plain_lead = 10;  // tea_plain_offset() is at most 7 + 3

// The body area of a datagram written into `out`: after the header, before the tail.
inline proto::byte_span body_area(proto::byte_span out, std::size_t header_size) noexcept {
    if (out.size() < header_size + proto::tail_size) return {};
    return out.subspan(header_size, out.size() - header_size - proto::tail_size);
}

// TEA(key, plaintext) into body; encode(byte_span room) writes the plaintext
// and returns its size (0: failed). Returns the ciphertext size, 0 on failure.
// With `seal` armed the ciphertext is written later (seal_frames).
template <class Encode>
std::size_t encrypt_body(proto::byte_span body, const proto::tea_key& key, std::uint64_t pad_seed,
                         deferred_seal& seal, Encode&& encode) noexcept {
    if (body.size() < plain_lead + proto::tea_min_cipher_size) return 0;
    const proto::byte_span room = body.subspan(plain_lead, body.size() - plain_lead - 7);
    const std::size_t n = encode(room);
    if (n == 0) return 0;
    if (seal.armed()) return seal.take(key, pad_seed, room.data(), n, body);
    return proto::tea_encrypt(key, room.first(n), body, pad_seed);
}

// A client datagram with an encrypted body; returns its size or 0.
template <class Encode>
std::size_t client_encrypted(proto::byte_span out, const proto::client_header& h, const proto::tea_key& key,
                             std::uint64_t pad_seed, deferred_seal& seal, Encode&& encode) noexcept {
    const std::size_t c = encrypt_body(body_area(out, proto::client_header_size), key, pad_seed, seal, encode);
    return c == 0 ? 0 : proto::frame_client_body(out, h, c);
}

// A server datagram with an encrypted body; returns its size or 0.
template <class Encode>
std::size_t server_encrypted(proto::byte_span out, const proto::server_header& h, const proto::tea_key& key,
                             std::uint64_t pad_seed, deferred_seal& seal, Encode&& encode) noexcept {
    const std::size_t c = encrypt_body(body_area(out, proto::server_header_size), key, pad_seed, seal, encode);
    return c == 0 ? 0 : proto::frame_server_body(out, h, c);
}

}  // namespace qqgen::engine::qq_packet
