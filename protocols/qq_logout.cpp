#include "protocols/qq_logout.hpp"

#include <cstring>

namespace qqgen::proto {

std::size_t encode_logout(const logout_body& body, byte_span out) noexcept {
    byte_writer w(out);
    w.bytes(body.password_key);
    return w.finish();
}

result<logout_body> decode_logout(const_byte_span in) noexcept {
    using R = result<logout_body>;
    if (in.size() < logout_body_size) return R::fail(decode_error::truncated, in.size());
    if (in.size() > logout_body_size) return R::fail(decode_error::bad_length, logout_body_size);
    R out;
    std::memcpy(out.value.password_key.data(), in.data(), logout_body_size);
    return out;
}

}  // namespace qqgen::proto
