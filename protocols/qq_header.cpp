#include "protocols/qq_header.hpp"

#include <cstring>

namespace qqgen::proto {
namespace {

void put_client_header(std::byte* p, const client_header& h, std::uint16_t version) noexcept {
    p[0] = qq_start_tag;
    store_be16(p + 1, version);
    store_be16(p + 3, code(h.command));
    store_be16(p + 5, h.sequence);
    store_be32(p + 7, h.qq_number);
}

void put_server_header(std::byte* p, const server_header& h, std::uint16_t version) noexcept {
    p[0] = qq_start_tag;
    store_be16(p + 1, version);
    store_be16(p + 3, code(h.command));
    store_be16(p + 5, h.sequence);
}

// Bytes needed for header + body + tail, or 0 when body_len is absurdly large.
constexpr std::size_t plain_size(std::size_t header, std::size_t body_len) noexcept {
    return body_len > SIZE_MAX - header - tail_size ? 0 : header + body_len + tail_size;
}

// The total size of a signature-form datagram, or 0 if the request cannot
// take that form (see encode_signature_client_packet).
constexpr std::size_t signature_size(std::size_t header, qq_command c, std::size_t body_len,
                                     std::size_t payload_size, std::size_t out_size) noexcept {
    if (signature_version(payload_size) == 0) return 0;
    if ((code(c) >> 8) != 0) return 0;  // nDPI 4.2 compares byte 3 with 00
    const std::size_t need = plain_size(header, body_len);
    if (need == 0 || need > payload_size || payload_size > out_size) return 0;
    return payload_size;
}

}  // namespace

std::size_t frame_client_body(byte_span out, const client_header& h, std::size_t body_len) noexcept {
    const std::size_t n = plain_size(client_header_size, body_len);
    if (n == 0 || n > out.size()) return 0;
    put_client_header(out.data(), h, h.version);
    out[n - 1] = qq_end_tag;
    return n;
}

std::size_t frame_server_body(byte_span out, const server_header& h, std::size_t body_len) noexcept {
    const std::size_t n = plain_size(server_header_size, body_len);
    if (n == 0 || n > out.size()) return 0;
    put_server_header(out.data(), h, h.version);
    out[n - 1] = qq_end_tag;
    return n;
}

std::size_t encode_client_packet(byte_span out, const client_header& h, const_byte_span body) noexcept {
    const std::size_t n = plain_size(client_header_size, body.size());
    if (n == 0 || n > out.size()) return 0;
    // Move the body first: it may overlap the header's bytes.
    if (!body.empty()) std::memmove(out.data() + client_body_offset, body.data(), body.size());
    return frame_client_body(out, h, body.size());
}

std::size_t encode_server_packet(byte_span out, const server_header& h, const_byte_span body) noexcept {
    const std::size_t n = plain_size(server_header_size, body.size());
    if (n == 0 || n > out.size()) return 0;
    if (!body.empty()) std::memmove(out.data() + server_body_offset, body.data(), body.size());
    return frame_server_body(out, h, body.size());
}

std::size_t frame_signature_client_body(byte_span out, const client_header& h, std::size_t body_len,
                                        std::size_t payload_size) noexcept {
    const std::size_t n = signature_size(client_header_size, h.command, body_len, payload_size, out.size());
    if (n == 0) return 0;
    put_client_header(out.data(), h, signature_version(n));
    const std::size_t pad_from = client_body_offset + body_len;
    std::memset(out.data() + pad_from, 0, n - tail_size - pad_from);
    out[n - 1] = qq_end_tag;
    return n;
}

std::size_t frame_signature_server_body(byte_span out, const server_header& h, std::size_t body_len,
                                        std::size_t payload_size) noexcept {
    const std::size_t n = signature_size(server_header_size, h.command, body_len, payload_size, out.size());
    if (n == 0) return 0;
    put_server_header(out.data(), h, signature_version(n));
    const std::size_t pad_from = server_body_offset + body_len;
    std::memset(out.data() + pad_from, 0, n - tail_size - pad_from);
    out[n - 1] = qq_end_tag;
    return n;
}

std::size_t encode_signature_client_packet(byte_span out, const client_header& h, const_byte_span body,
                                           std::size_t payload_size) noexcept {
    if (signature_size(client_header_size, h.command, body.size(), payload_size, out.size()) == 0) return 0;
    if (!body.empty()) std::memmove(out.data() + client_body_offset, body.data(), body.size());
    return frame_signature_client_body(out, h, body.size(), payload_size);
}

std::size_t encode_signature_server_packet(byte_span out, const server_header& h, const_byte_span body,
                                           std::size_t payload_size) noexcept {
    if (signature_size(server_header_size, h.command, body.size(), payload_size, out.size()) == 0) return 0;
    if (!body.empty()) std::memmove(out.data() + server_body_offset, body.data(), body.size());
    return frame_signature_server_body(out, h, body.size(), payload_size);
}

namespace {

// Common checks of both directions: size, then start tag, then end tag.
constexpr refusal check_frame(const_byte_span p, std::size_t min_size) noexcept {
    if (p.size() < min_size) return {decode_error::truncated, static_cast<std::uint32_t>(p.size())};
    if (p[0] != qq_start_tag) return {decode_error::bad_tag, 0};
    if (p[p.size() - 1] != qq_end_tag) return {decode_error::bad_tag, static_cast<std::uint32_t>(p.size() - 1)};
    return {};
}

constexpr bool is_signature(const_byte_span p, std::uint16_t version) noexcept {
    const std::uint16_t v = signature_version(p.size());
    return v != 0 && v == version;
}

}  // namespace

result<client_packet_view> decode_client_packet(const_byte_span packet) noexcept {
    using r = result<client_packet_view>;
    if (const refusal why = check_frame(packet, min_client_packet); why.code != decode_error::none)
        return r::fail(why.code, why.offset);
    byte_reader in(packet.first(packet.size() - tail_size));
    in.skip(1);
    r out;
    out.value.header.version = in.u16();
    out.value.header.command = static_cast<qq_command>(in.u16());
    out.value.header.sequence = in.u16();
    out.value.header.qq_number = in.u32();
    out.value.body = in.rest();
    out.value.signature = is_signature(packet, out.value.header.version);
    return out;
}

result<server_packet_view> decode_server_packet(const_byte_span packet) noexcept {
    using r = result<server_packet_view>;
    if (const refusal why = check_frame(packet, min_server_packet); why.code != decode_error::none)
        return r::fail(why.code, why.offset);
    byte_reader in(packet.first(packet.size() - tail_size));
    in.skip(1);
    r out;
    out.value.header.version = in.u16();
    out.value.header.command = static_cast<qq_command>(in.u16());
    out.value.header.sequence = in.u16();
    out.value.body = in.rest();
    out.value.signature = is_signature(packet, out.value.header.version);
    return out;
}

}  // namespace qqgen::proto
