#include "protocols/qq_im.hpp"

#include <cstring>

namespace qqgen::proto {

namespace {

// Offset of the first 0x00 in s, or s.size().
std::size_t find_nul(const_byte_span s) noexcept {
    const void* p = s.empty() ? nullptr : std::memchr(s.data(), 0, s.size());
    return p == nullptr ? s.size() : static_cast<std::size_t>(static_cast<const std::byte*>(p) - s.data());
}

// Offset of the first byte below 0x20 in s, or s.size().
std::size_t find_control(const_byte_span s) noexcept {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (std::to_integer<unsigned>(s[i]) < 0x20) return i;
    }
    return s.size();
}

bool valid_font(const font_style& f) noexcept {
    return f.size >= 1 && f.size <= font_size_mask && f.name.size() <= font_name_max &&
           find_control(f.name) == f.name.size();
}

bool valid_im_text(const im_text& m) noexcept {
    if (m.reply_type != im_reply_normal && m.reply_type != im_reply_auto) return false;
    if (find_nul(m.text) != m.text.size()) return false;
    return !m.has_font || valid_font(m.font);
}

void write_font_tail(byte_writer& w, const font_style& f) noexcept {
    // pidgin 2.4 qq_get_send_im_tail: [0] 0x00, [1] attribute, [2..4] RGB,
    // [5] 0x00, [6..7] charset, [8..] name, [tail_len - 1] tail_len.
    w.u8(0x00);
    w.u8(font_attribute(f));
    w.u8(f.red);
    w.u8(f.green);
    w.u8(f.blue);
    w.u8(0x00);
    w.u16(f.charset);
    w.bytes(f.name);
    w.u8(static_cast<std::uint8_t>(font_tail_size(f)));
}

void write_normal_header(byte_writer& w, const normal_im_header& h) noexcept {
    w.u16(h.sender_version);
    w.u32(h.sender_uid);
    w.u32(h.receiver_uid);
    w.bytes(h.session_md5);
    w.u16(h.im_type);
}

void write_im_text(byte_writer& w, const im_text& m) noexcept {
    // pidgin 2.4 qq_send_packet_im 036-052: sequence, time, face, 00 00 00
    // then the font flag 0x01, four zero bytes (LumaQQ: fragment count,
    // fragment index, message id), the text type; then text and tail.
    w.u16(m.message_sequence);
    w.u32(m.send_time);
    w.u16(m.face);
    w.u32(m.has_font ? 1u : 0u);
    w.u8(m.fragment_count);
    w.u8(m.fragment_index);
    w.u16(m.message_id);
    w.u8(m.reply_type);
    w.bytes(m.text);
    if (m.has_font) write_font_tail(w, m.font);
}

// Reads a normal-IM header from in (at least 28 bytes present) into h.
//
// The readers here fill the caller's object, and each decoder returns one
// named result on every path (NRVO): built in a temporary and copied, a
// result was reloaded with wide loads right after narrow stores to the same
// bytes, which wait for those stores to reach the cache (failed store
// forwarding: a third of decode_recv_im's samples in perf annotate).
void read_normal_header(const_byte_span in, normal_im_header& h) noexcept {
    byte_reader r(in);
    h.sender_version = r.u16();
    h.sender_uid = r.u32();
    h.receiver_uid = r.u32();
    std::memcpy(h.session_md5.data(), r.bytes(h.session_md5.size()).data(), h.session_md5.size());
    h.im_type = r.u16();
}

// Decodes the text part into m; refusal offsets are relative to in, which
// holds the text part and nothing after it. m is left part-filled when
// refused.
refusal read_im_text(const_byte_span in, im_text& m) noexcept {
    if (in.size() < im_text_fixed_size) return refuse(decode_error::truncated, in.size());
    byte_reader r(in);
    m.message_sequence = r.u16();
    m.send_time = r.u32();
    m.face = r.u16();
    std::uint32_t flag = r.u32();
    if (flag > 1) return refuse(decode_error::bad_value, 8);
    m.has_font = flag == 1;
    m.fragment_count = r.u8();
    m.fragment_index = r.u8();
    m.message_id = r.u16();
    m.reply_type = r.u8();
    if (m.reply_type != im_reply_normal && m.reply_type != im_reply_auto) {
        return refuse(decode_error::bad_value, im_text_fixed_size - 1);
    }
    const_byte_span rest = r.rest();
    std::size_t text_size = rest.size();
    if (m.has_font) {
        // pidgin takes the text up to the first 0x00 (g_strdup) and the rest
        // as the font attributes; qqgen finds the tail from its length byte
        // instead and then checks that its leading 0x00 is that first 0x00
        // (the text holds none), so both readings agree. A truncated message
        // passes only if its new last byte equals the number of tail bytes
        // kept, k: below 9 the length is refused, and from 9 on that byte is
        // name byte k - 9, which is >= 0x20, so k >= 32 and the name would
        // need 24+ bytes with ' '..'\'' at that index. Real font names are
        // shorter, so in practice every truncation is refused.
        if (rest.empty()) return refuse(decode_error::truncated, in.size());
        std::size_t tail_size = std::to_integer<std::size_t>(rest.back());
        if (tail_size < font_tail_fixed_size || tail_size > rest.size() ||
            tail_size > font_tail_fixed_size + font_name_max) {
            return refuse(decode_error::bad_length, in.size() - 1);
        }
        text_size = rest.size() - tail_size;
        auto font = decode_font_tail(rest.subspan(text_size));
        if (!font) return refuse(font.why.code, im_text_fixed_size + text_size + font.why.offset);
        m.font = font.value;
    }
    m.text = rest.first(text_size);
    if (auto nul = find_nul(m.text); nul != text_size) {
        return refuse(decode_error::bad_value, im_text_fixed_size + nul);
    }
    return {};
}

}  // namespace

// ---------------------------------------------------------------- font tail

std::size_t encode_font_tail(const font_style& font, byte_span out) noexcept {
    if (!valid_font(font)) return 0;
    byte_writer w(out);
    write_font_tail(w, font);
    return w.finish();
}

result<font_style> decode_font_tail(const_byte_span tail) noexcept {
    using R = result<font_style>;
    if (tail.size() < font_tail_fixed_size) return R::fail(decode_error::truncated, tail.size());
    if (std::to_integer<std::size_t>(tail.back()) != tail.size()) {
        return R::fail(decode_error::bad_length, tail.size() - 1);
    }
    if (tail.size() > font_tail_fixed_size + font_name_max) return R::fail(decode_error::too_long, tail.size() - 1);
    if (tail[0] != std::byte{0}) return R::fail(decode_error::bad_value, 0);
    byte_reader r(tail.subspan(1));
    R out;
    font_style& f = out.value;
    std::uint8_t attribute = r.u8();
    f.size = attribute & font_size_mask;
    if (f.size == 0) return R::fail(decode_error::bad_value, 1);
    f.bold = (attribute & font_bold) != 0;
    f.italic = (attribute & font_italic) != 0;
    f.underline = (attribute & font_underline) != 0;
    f.red = r.u8();
    f.green = r.u8();
    f.blue = r.u8();
    // pidgin reads this byte as "bar" and skips it; qq_get_send_im_tail writes 0x00.
    if (r.u8() != 0) return R::fail(decode_error::bad_value, 5);
    f.charset = r.u16();
    f.name = r.bytes(tail.size() - font_tail_fixed_size);
    if (auto c = find_control(f.name); c != f.name.size()) return R::fail(decode_error::bad_value, 8 + c);
    return out;
}

// ---------------------------------------------------------------- 0x0016 send

std::size_t encode_send_im(const send_im& im, byte_span out) noexcept {
    if (im.header.im_type != normal_im_text || !valid_im_text(im.message)) return 0;
    if (out.size() < send_im_size(im)) return 0;
    // qq-protocol.md "Instant message body"; pidgin 2.4 qq_send_packet_im
    // 000-007 (its comments swap "sender" and "receiver": the first uid is qd->uid).
    byte_writer w(out);
    w.u32(im.header.sender_uid);
    w.u32(im.header.receiver_uid);
    write_normal_header(w, im.header);
    write_im_text(w, im.message);
    return w.finish();
}

result<send_im> decode_send_im(const_byte_span in) noexcept {
    using R = result<send_im>;
    R out;  // the one object returned (see read_normal_header)
    if (in.size() < 8 + normal_im_header_size) {
        out = R::fail(decode_error::truncated, in.size());
        return out;
    }
    send_im& im = out.value;
    read_normal_header(in.subspan(8), im.header);
    // The uids appear twice; a body whose copies disagree was not built by a client.
    const std::size_t bad_at = load_be32(in.data()) != im.header.sender_uid         ? 10
                               : load_be32(in.data() + 4) != im.header.receiver_uid ? 14
                               : im.header.im_type != normal_im_text                ? 34
                                                                                    : 0;
    if (bad_at != 0) {
        out = R::fail(decode_error::bad_value, bad_at);
        return out;
    }
    constexpr std::size_t text_offset = 8 + normal_im_header_size;
    if (const refusal why = read_im_text(in.subspan(text_offset), im.message); why.code != decode_error::none)
        out = R::fail(why.code, text_offset + why.offset);
    return out;
}

std::size_t encode_send_im_reply(const send_im_reply& reply, byte_span out) noexcept {
    byte_writer w(out);
    w.u8(reply.result);
    return w.finish();
}

result<send_im_reply> decode_send_im_reply(const_byte_span in) noexcept {
    using R = result<send_im_reply>;
    // pidgin 2.4 qq_process_send_im_reply reads one byte.
    if (in.empty()) return R::fail(decode_error::truncated, 0);
    if (in.size() > 1) return R::fail(decode_error::bad_length, 1);
    R out;
    out.value.result = std::to_integer<std::uint8_t>(in[0]);
    return out;
}

// ---------------------------------------------------------------- 0x0017 receive

std::size_t encode_recv_im(const recv_im& im, byte_span out) noexcept {
    const bool normal = is_normal_recv_im(im.header.im_type);
    const bool text = normal && im.normal.im_type == normal_im_text;
    if (text && !valid_im_text(im.message)) return 0;
    byte_writer w(out);
    // pidgin 2.4 qq_process_recv_im reads the 20-byte header in this order.
    w.u32(im.header.sender_uid);
    w.u32(im.header.receiver_uid);
    w.u32(im.header.server_im_sequence);
    w.u32(im.header.sender_ip);
    w.u16(im.header.sender_port);
    w.u16(im.header.im_type);
    if (normal) write_normal_header(w, im.normal);
    if (text) {
        write_im_text(w, im.message);
    } else {
        w.bytes(im.payload);
    }
    return w.finish();
}

result<recv_im> decode_recv_im(const_byte_span in) noexcept {
    using R = result<recv_im>;
    R out;  // the one object returned (see read_normal_header)
    if (in.size() < recv_im_header_size) {
        out = R::fail(decode_error::truncated, in.size());
        return out;
    }
    recv_im& im = out.value;
    byte_reader r(in);
    im.header.sender_uid = r.u32();
    im.header.receiver_uid = r.u32();
    im.header.server_im_sequence = r.u32();
    im.header.sender_ip = r.u32();
    im.header.sender_port = r.u16();
    im.header.im_type = r.u16();
    if (!is_normal_recv_im(im.header.im_type)) {
        im.payload = r.rest();
        return out;
    }
    if (r.remaining() < normal_im_header_size) {
        out = R::fail(decode_error::truncated, in.size());
        return out;
    }
    read_normal_header(r.bytes(normal_im_header_size), im.normal);
    constexpr std::size_t text_offset = recv_im_header_size + normal_im_header_size;
    if (im.normal.im_type != normal_im_text) {
        im.payload = r.rest();
        return out;
    }
    if (const refusal why = read_im_text(r.rest(), im.message); why.code != decode_error::none)
        out = R::fail(why.code, text_offset + why.offset);
    return out;
}

std::size_t encode_recv_im_ack(const recv_im_ack& ack, byte_span out) noexcept {
    byte_writer w(out);
    w.u32(ack.sender_uid);
    w.u32(ack.receiver_uid);
    w.u32(ack.server_im_sequence);
    w.u32(ack.sender_ip);
    return w.finish();
}

std::size_t copy_recv_im_ack(const_byte_span received_plain, byte_span out) noexcept {
    if (received_plain.size() < recv_im_ack_size) return 0;
    byte_writer w(out);
    w.bytes(received_plain.first(recv_im_ack_size));
    return w.finish();
}

result<recv_im_ack> decode_recv_im_ack(const_byte_span in) noexcept {
    using R = result<recv_im_ack>;
    if (in.size() < recv_im_ack_size) return R::fail(decode_error::truncated, in.size());
    if (in.size() > recv_im_ack_size) return R::fail(decode_error::bad_length, recv_im_ack_size);
    byte_reader r(in);
    R out;
    out.value.sender_uid = r.u32();
    out.value.receiver_uid = r.u32();
    out.value.server_im_sequence = r.u32();
    out.value.sender_ip = r.u32();
    return out;
}

}  // namespace qqgen::proto
