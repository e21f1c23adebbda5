// libFuzzer target: every decoder of protocols/qq_login.hpp. Whatever decodes
// must re-encode to exactly the input bytes (the decoders accept only the
// canonical layout), otherwise the target traps.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "protocols/qq_login.hpp"

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

    if (decode_login_token_request(in)) require_same(in, out, encode_login_token_request(out));
    if (auto r = decode_login_token_reply(in)) require_same(in, out, encode_login_token_reply(r.value, out));
    if (auto r = decode_login_block(in)) require_same(in, out, encode_login_block(r.value, out));
    if (auto r = decode_login_request(in)) {
        std::span<const std::byte, login_key_size> key(r.value.initial_key.data(), login_key_size);
        std::size_t n = encode_login_request_key(key, out);
        auto slots = login_request_layout(out);
        if (slots.ciphertext.size() != r.value.ciphertext.size()) __builtin_trap();
        std::memcpy(slots.ciphertext.data(), r.value.ciphertext.data(), slots.ciphertext.size());
        require_same(in, out, n);
    }
    if (auto r = decode_login_reply(in)) require_same(in, out, encode_login_reply(r.value, out));
    return 0;
}
