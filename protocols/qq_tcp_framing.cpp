#include "protocols/qq_tcp_framing.hpp"

#include <cstring>

namespace qqgen::proto {

std::size_t frame_tcp_packet(byte_span out, std::size_t packet_len) noexcept {
    if (packet_len > max_tcp_frame - tcp_length_size) return 0;
    const std::size_t n = tcp_length_size + packet_len;
    if (n > out.size()) return 0;
    store_be16(out.data(), static_cast<std::uint16_t>(n));
    return n;
}

std::size_t encode_tcp_frame(byte_span out, const_byte_span packet) noexcept {
    if (packet.size() > max_tcp_frame - tcp_length_size || tcp_length_size + packet.size() > out.size()) return 0;
    if (!packet.empty()) std::memmove(out.data() + tcp_length_size, packet.data(), packet.size());
    return frame_tcp_packet(out, packet.size());
}

std::size_t encode_tcp_client_frame(byte_span out, const client_header& h, const_byte_span body) noexcept {
    if (out.size() < tcp_length_size) return 0;
    // Cap the packet at what the length field can express.
    byte_span rest = out.subspan(tcp_length_size);
    if (rest.size() > max_tcp_frame - tcp_length_size) rest = rest.first(max_tcp_frame - tcp_length_size);
    const std::size_t n = encode_client_packet(rest, h, body);
    return n == 0 ? 0 : frame_tcp_packet(out, n);
}

std::size_t encode_tcp_server_frame(byte_span out, const server_header& h, const_byte_span body) noexcept {
    if (out.size() < tcp_length_size) return 0;
    byte_span rest = out.subspan(tcp_length_size);
    if (rest.size() > max_tcp_frame - tcp_length_size) rest = rest.first(max_tcp_frame - tcp_length_size);
    const std::size_t n = encode_server_packet(rest, h, body);
    return n == 0 ? 0 : frame_tcp_packet(out, n);
}

result<tcp_frame_view> decode_tcp_frame(const_byte_span buffer) noexcept {
    using r = result<tcp_frame_view>;
    if (buffer.size() < tcp_length_size) return r::fail(decode_error::truncated, buffer.size());
    const std::size_t len = load_be16(buffer.data());
    if (len < min_tcp_frame) return r::fail(decode_error::bad_length, 0);
    if (buffer.size() < len) return r::fail(decode_error::truncated, buffer.size());
    r ok;
    ok.value.packet = buffer.subspan(tcp_length_size, len - tcp_length_size);
    ok.value.frame_size = len;
    return ok;
}

}  // namespace qqgen::proto
