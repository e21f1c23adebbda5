#include "protocols/qq_login.hpp"

#include <cstring>

namespace qqgen::proto {

namespace {

template <std::size_t N>
constexpr std::array<std::byte, N> make_bytes(const std::uint8_t (&v)[N]) noexcept {
    std::array<std::byte, N> a{};
    for (std::size_t i = 0; i < N; ++i) a[i] = std::byte{v[i]};
    return a;
}

constexpr std::uint8_t fixed_23_51[29] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x86, 0xCC, 0x4C, 0x35, 0x2C, 0xD3, 0x73, 0x6C,
    0x14, 0xF6, 0xF6, 0xAF, 0xC3, 0xFA, 0x33, 0xA4, 0x01,
};
constexpr std::uint8_t fixed_53_68[16] = {
    0x8D, 0x8B, 0xFA, 0xEC, 0xD5, 0x52, 0x17, 0x4A,
    0x86, 0xF9, 0xA7, 0x75, 0xE6, 0x32, 0xD1, 0x6D,
};
constexpr std::uint8_t fixed_100[100] = {
    0x40, 0x0B, 0x04, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x03, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0xE9, 0x03, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0xF3, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xED,
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xEC, 0x03,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x05, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x07, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x01, 0xEE, 0x03, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01, 0xEF, 0x03, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x01, 0xEB, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
};

constexpr bool is_login_mode(std::uint8_t m) noexcept {
    return m == login_mode_online || m == login_mode_away || m == login_mode_hidden;
}

// Offset of the first non-zero byte of s, or s.size().
//
// Both helpers answer the common case (a well-formed block) from a whole-span
// test and look byte by byte only for the offset of a refusal: a byte loop
// over a login block's ~300 bytes of zero padding was most of
// decode_login_block's time in a full-session worker (perf annotate).
std::size_t first_non_zero(const_byte_span s) noexcept {
    std::uint64_t any = 0;
    std::size_t at = 0;
    for (; at + 8 <= s.size(); at += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + at, sizeof w);
        any |= w;
    }
    for (; at < s.size(); ++at) any |= std::to_integer<std::uint64_t>(s[at]);
    if (any == 0) return s.size();
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != std::byte{0}) return i;
    }
    return s.size();
}

// Offset of the first byte where s differs from expected (same size), or s.size().
template <std::size_t N>
std::size_t first_difference(const_byte_span s, const std::array<std::byte, N>& expected) noexcept {
    if (std::memcmp(s.data(), expected.data(), N) == 0) return N;
    for (std::size_t i = 0; i < N; ++i) {
        if (s[i] != expected[i]) return i;
    }
    return N;
}

template <std::size_t N>
void read_array(byte_reader& r, std::array<std::byte, N>& a) noexcept {
    auto s = r.bytes(N);
    if (!s.empty()) std::memcpy(a.data(), s.data(), N);
}

}  // namespace

const std::array<std::byte, 29> login_fixed_23_51 = make_bytes(fixed_23_51);
const std::array<std::byte, 16> login_fixed_53_68 = make_bytes(fixed_53_68);
const std::array<std::byte, 100> login_fixed_100 = make_bytes(fixed_100);

// ---------------------------------------------------------------- 0x0062 token

std::size_t encode_login_token_request(byte_span out) noexcept {
    byte_writer w(out);
    w.u8(0x00);  // pidgin 2.4 qq_send_packet_request_login_token: create_packet_b(.., 0)
    return w.finish();
}

result<login_token_request> decode_login_token_request(const_byte_span in) noexcept {
    using R = result<login_token_request>;
    if (in.empty()) return R::fail(decode_error::truncated, 0);
    if (in[0] != std::byte{0}) return R::fail(decode_error::bad_value, 0);
    if (in.size() != login_token_request_size) return R::fail(decode_error::bad_length, 1);
    return R{};
}

std::size_t encode_login_token_reply(const login_token_reply& reply, byte_span out) noexcept {
    if (reply.token.size() > 0xff) return 0;
    byte_writer w(out);
    w.u8(reply.result);
    w.u8(static_cast<std::uint8_t>(reply.token.size()));
    w.bytes(reply.token);
    return w.finish();
}

result<login_token_reply> decode_login_token_reply(const_byte_span in) noexcept {
    using R = result<login_token_reply>;
    byte_reader r(in);
    R out;
    out.value.result = r.u8();
    std::uint8_t length = r.u8();
    if (!r.ok()) return R::fail(decode_error::truncated, in.size());
    // pidgin 2.4 logs a mismatch and goes on with the real size; a generator
    // that writes a wrong length has a bug, so qqgen refuses it.
    if (length != r.remaining()) return R::fail(decode_error::bad_length, 1);
    out.value.token = r.bytes(length);
    return out;
}

// ---------------------------------------------------------------- 0x0022 login

std::size_t encode_login_block(const login_block& block, byte_span out) noexcept {
    if (out.size() < login_block_size || block.token.size() > login_block_max_token ||
        !is_login_mode(block.login_mode)) {
        return 0;
    }
    // pidgin 2.4 qq_send_packet_login, byte by byte:
    //   000-015 TEA(password key, ""), 016 0x00, 017-020 "used to be IP, now
    //   zero", 021-022 "used to be port, now zero", 023-051 login_23_51,
    //   052 login mode, 053-068 login_53_68, 069 token length, 070- token,
    //   then login_100_bytes, then zeros up to 416.
    byte_writer w(out.first(login_block_size));
    w.bytes(block.password_check);
    w.zeros(7);
    w.bytes(login_fixed_23_51);
    w.u8(block.login_mode);
    w.bytes(login_fixed_53_68);
    w.u8(static_cast<std::uint8_t>(block.token.size()));
    w.bytes(block.token);
    w.bytes(login_fixed_100);
    w.zeros(login_block_size - w.size());
    return w.finish();
}

result<login_block> decode_login_block(const_byte_span in) noexcept {
    using R = result<login_block>;
    if (in.size() < login_block_size) return R::fail(decode_error::truncated, in.size());
    if (in.size() > login_block_size) return R::fail(decode_error::bad_length, login_block_size);
    R out;
    std::memcpy(out.value.password_check.data(), in.data(), password_check_size);
    if (auto i = first_non_zero(in.subspan(16, 7)); i != 7) return R::fail(decode_error::bad_value, 16 + i);
    if (auto i = first_difference(in.subspan(login_block_fixed_23_offset, 29), login_fixed_23_51); i != 29) {
        return R::fail(decode_error::bad_value, login_block_fixed_23_offset + i);
    }
    out.value.login_mode = std::to_integer<std::uint8_t>(in[login_block_mode_offset]);
    if (!is_login_mode(out.value.login_mode)) return R::fail(decode_error::bad_value, login_block_mode_offset);
    if (auto i = first_difference(in.subspan(login_block_fixed_53_offset, 16), login_fixed_53_68); i != 16) {
        return R::fail(decode_error::bad_value, login_block_fixed_53_offset + i);
    }
    std::size_t token_length = std::to_integer<std::size_t>(in[login_block_token_length_offset]);
    if (token_length > login_block_max_token) return R::fail(decode_error::bad_length, login_block_token_length_offset);
    out.value.token = in.subspan(login_block_token_offset, token_length);
    std::size_t tail = login_block_token_offset + token_length;
    if (auto i = first_difference(in.subspan(tail, login_block_tail_size), login_fixed_100);
        i != login_block_tail_size) {
        return R::fail(decode_error::bad_value, tail + i);
    }
    std::size_t pad = tail + login_block_tail_size;
    if (auto i = first_non_zero(in.subspan(pad)); pad + i != login_block_size) {
        return R::fail(decode_error::bad_value, pad + i);
    }
    return out;
}

login_request_slots login_request_layout(byte_span body) noexcept {
    if (body.size() < login_request_body_size) return {};
    return {body.first(login_key_size), body.subspan(login_key_size, login_ciphertext_size)};
}

std::size_t encode_login_request_key(std::span<const std::byte, login_key_size> initial_key, byte_span body) noexcept {
    auto slots = login_request_layout(body);
    if (slots.initial_key.empty()) return 0;
    std::memcpy(slots.initial_key.data(), initial_key.data(), login_key_size);
    return login_request_body_size;
}

result<login_request> decode_login_request(const_byte_span in) noexcept {
    using R = result<login_request>;
    if (in.size() < login_request_body_size) return R::fail(decode_error::truncated, in.size());
    if (in.size() > login_request_body_size) return R::fail(decode_error::bad_length, login_request_body_size);
    R out;
    out.value.initial_key = in.first(login_key_size);
    out.value.ciphertext = in.subspan(login_key_size, login_ciphertext_size);
    return out;
}

// ---------------------------------------------------------------- login replies

std::size_t encode_login_ok(const login_ok& reply, byte_span out) noexcept {
    // pidgin 2.4 _qq_process_login_ok reads these fields in this order.
    byte_writer w(out);
    w.u8(static_cast<std::uint8_t>(login_reply_kind::ok));
    w.bytes(reply.session_key);
    w.u32(reply.uid);
    w.u32(reply.client_ip);
    w.u16(reply.client_port);
    w.u32(reply.server_ip);
    w.u16(reply.server_port);
    w.u32(reply.login_time);
    w.bytes(reply.unknown1);
    w.u32(reply.unknown_server1_ip);
    w.u16(reply.unknown_server1_port);
    w.u32(reply.unknown_server2_ip);
    w.u16(reply.unknown_server2_port);
    w.u16(reply.unknown2);
    w.u16(reply.unknown3);
    w.bytes(reply.unknown4);
    w.bytes(reply.unknown5);
    w.u32(reply.last_client_ip);
    w.u32(reply.last_login_time);
    w.bytes(reply.unknown6);
    return w.finish();
}

std::size_t encode_login_redirect(const login_redirect& reply, byte_span out) noexcept {
    // pidgin 2.4 _qq_process_login_redirect: result, uid, new server IP, port.
    byte_writer w(out);
    w.u8(static_cast<std::uint8_t>(login_reply_kind::redirect));
    w.u32(reply.uid);
    w.u32(reply.new_server_ip);
    w.u16(reply.new_server_port);
    return w.finish();
}

std::size_t encode_login_wrong_password(const_byte_span message, byte_span out) noexcept {
    // pidgin 2.4 _qq_process_login_wrong_pwd: the text is data + 1 .. end.
    byte_writer w(out);
    w.u8(static_cast<std::uint8_t>(login_reply_kind::wrong_password));
    w.bytes(message);
    return w.finish();
}

std::size_t encode_login_reply(const login_reply& reply, byte_span out) noexcept {
    switch (reply.kind) {
    case login_reply_kind::ok: return encode_login_ok(reply.ok, out);
    case login_reply_kind::redirect: return encode_login_redirect(reply.redirect, out);
    case login_reply_kind::wrong_password: return encode_login_wrong_password(reply.message, out);
    }
    return 0;
}

result<login_reply> decode_login_reply(const_byte_span in) noexcept {
    using R = result<login_reply>;
    if (in.empty()) return R::fail(decode_error::truncated, 0);
    R out;
    byte_reader r(in);
    std::uint8_t code = r.u8();
    switch (code) {
    case static_cast<std::uint8_t>(login_reply_kind::ok): {
        if (in.size() < login_ok_size) return R::fail(decode_error::truncated, in.size());
        if (in.size() > login_ok_size) return R::fail(decode_error::bad_length, login_ok_size);
        out.value.kind = login_reply_kind::ok;
        login_ok& ok = out.value.ok;
        read_array(r, ok.session_key);
        ok.uid = r.u32();
        ok.client_ip = r.u32();
        ok.client_port = r.u16();
        ok.server_ip = r.u32();
        ok.server_port = r.u16();
        ok.login_time = r.u32();
        read_array(r, ok.unknown1);
        ok.unknown_server1_ip = r.u32();
        ok.unknown_server1_port = r.u16();
        ok.unknown_server2_ip = r.u32();
        ok.unknown_server2_port = r.u16();
        ok.unknown2 = r.u16();
        ok.unknown3 = r.u16();
        read_array(r, ok.unknown4);
        read_array(r, ok.unknown5);
        ok.last_client_ip = r.u32();
        ok.last_login_time = r.u32();
        read_array(r, ok.unknown6);
        return out;
    }
    case static_cast<std::uint8_t>(login_reply_kind::redirect): {
        if (in.size() < login_redirect_size) return R::fail(decode_error::truncated, in.size());
        if (in.size() > login_redirect_size) return R::fail(decode_error::bad_length, login_redirect_size);
        out.value.kind = login_reply_kind::redirect;
        out.value.redirect.uid = r.u32();
        out.value.redirect.new_server_ip = r.u32();
        out.value.redirect.new_server_port = r.u16();
        return out;
    }
    case static_cast<std::uint8_t>(login_reply_kind::wrong_password):
        out.value.kind = login_reply_kind::wrong_password;
        out.value.message = r.rest();
        return out;
    default: return R::fail(decode_error::bad_value, 0);
    }
}

}  // namespace qqgen::proto
