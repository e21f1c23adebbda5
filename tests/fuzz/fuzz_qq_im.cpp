// libFuzzer target: every decoder of protocols/qq_im.hpp. Whatever decodes
// must re-encode to exactly the input bytes, otherwise the target traps.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "protocols/qq_im.hpp"

using namespace qqgen::proto;

namespace {

void require_same(const_byte_span input, const std::vector<std::byte>& out, std::size_t written) {
    if (written != input.size()) __builtin_trap();
    if (written != 0 && std::memcmp(out.data(), input.data(), written) != 0) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const_byte_span in(reinterpret_cast<const std::byte*>(data), size);
    std::vector<std::byte> out(size);

    if (auto r = decode_font_tail(in)) require_same(in, out, encode_font_tail(r.value, out));
    if (auto r = decode_send_im(in)) {
        if (send_im_size(r.value) != size) __builtin_trap();
        require_same(in, out, encode_send_im(r.value, out));
    }
    if (auto r = decode_send_im_reply(in)) require_same(in, out, encode_send_im_reply(r.value, out));
    if (auto r = decode_recv_im(in)) {
        require_same(in, out, encode_recv_im(r.value, out));
        // The ack built from the header is the first 16 bytes of the input.
        std::byte ack[recv_im_ack_size];
        if (encode_recv_im_ack(make_recv_im_ack(r.value.header), ack) != recv_im_ack_size) __builtin_trap();
        if (std::memcmp(ack, in.data(), recv_im_ack_size) != 0) __builtin_trap();
    }
    if (auto r = decode_recv_im_ack(in)) require_same(in, out, encode_recv_im_ack(r.value, out));
    std::byte copy[recv_im_ack_size];
    if (copy_recv_im_ack(in, copy) != (size >= recv_im_ack_size ? recv_im_ack_size : 0)) __builtin_trap();
    return 0;
}
