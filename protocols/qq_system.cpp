#include "protocols/qq_system.hpp"

#include "protocols/ascii_decimal.hpp"

namespace qqgen::proto {

namespace {

// Index of the first byte equal to b at or after from, or s.size().
std::size_t find_byte(const_byte_span s, std::size_t from, std::uint8_t b) noexcept {
    while (from < s.size() && s[from] != std::byte{b}) ++from;
    return from;
}

}  // namespace

std::size_t encode_system_message(const system_message& message, byte_span out) noexcept {
    if (message.type > 99) return 0;
    if (find_byte(message.text, 0, system_message_separator) != message.text.size()) return 0;
    byte_writer w(out);
    w.u8(static_cast<std::uint8_t>('0' + message.type / 10));
    w.u8(static_cast<std::uint8_t>('0' + message.type % 10));
    w.u8(system_message_separator);
    write_decimal(w, message.from_uid);
    w.u8(system_message_separator);
    write_decimal(w, message.to_uid);
    w.u8(system_message_separator);
    w.bytes(message.text);
    if (message.has_trailer) {
        w.u8(system_message_separator);
        w.bytes(message.trailer);
    }
    return w.finish();
}

result<system_message> decode_system_message(const_byte_span in) noexcept {
    using R = result<system_message>;
    R out;
    system_message& m = out.value;
    // Field 0: two digits, then the separator.
    if (in.size() < 3) return R::fail(decode_error::truncated, in.size());
    for (std::size_t i = 0; i < 2; ++i) {
        unsigned c = std::to_integer<unsigned>(in[i]);
        if (c < '0' || c > '9') return R::fail(decode_error::bad_value, i);
    }
    if (in[2] != std::byte{system_message_separator}) return R::fail(decode_error::bad_value, 2);
    m.type = static_cast<std::uint8_t>((std::to_integer<unsigned>(in[0]) - '0') * 10 +
                                       (std::to_integer<unsigned>(in[1]) - '0'));
    // Fields 1 and 2: decimal uids, each followed by the separator (pidgin's
    // split_data refuses fewer than four fields).
    std::size_t start = 3;
    std::uint32_t* uids[] = {&m.from_uid, &m.to_uid};
    for (std::uint32_t* uid : uids) {
        std::size_t end = find_byte(in, start, system_message_separator);
        if (end == in.size()) return R::fail(decode_error::truncated, in.size());
        auto n = parse_decimal(in.subspan(start, end - start), 0xffffffffu);
        if (!n) return R::fail(n.why.code, start + n.why.offset);
        *uid = n.value;
        start = end + 1;
    }
    // Field 3: the text, up to the next separator or the end.
    std::size_t end = find_byte(in, start, system_message_separator);
    m.text = in.subspan(start, end - start);
    if (end != in.size()) {
        m.has_trailer = true;
        m.trailer = in.subspan(end + 1);
    }
    return out;
}

std::size_t encode_system_message_ack(const system_message_ack& ack, byte_span out) noexcept {
    byte_writer w(out);
    w.u8(ack.code);
    w.u8(system_message_ack_separator);
    write_decimal(w, ack.from_uid);
    w.u8(system_message_ack_separator);
    w.u16(ack.sequence);
    return w.finish();
}

result<system_message_ack> decode_system_message_ack(const_byte_span in) noexcept {
    using R = result<system_message_ack>;
    if (in.size() < 2) return R::fail(decode_error::truncated, in.size());
    R out;
    out.value.code = std::to_integer<std::uint8_t>(in[0]);
    if (in[1] != std::byte{system_message_ack_separator}) return R::fail(decode_error::bad_value, 1);
    // The uid is digits only, so the first non-digit ends it; the sequence
    // bytes after the second separator may hold any value, 0x1E included.
    std::size_t end = 2;
    while (end < in.size() && std::to_integer<unsigned>(in[end]) - '0' < 10u) ++end;
    if (end == in.size()) return R::fail(decode_error::truncated, in.size());
    if (in[end] != std::byte{system_message_ack_separator}) return R::fail(decode_error::bad_value, end);
    auto uid = parse_decimal(in.subspan(2, end - 2), 0xffffffffu);
    if (!uid) return R::fail(uid.why.code, 2 + uid.why.offset);
    out.value.from_uid = uid.value;
    if (in.size() - (end + 1) < 2) return R::fail(decode_error::truncated, in.size());
    if (in.size() - (end + 1) > 2) return R::fail(decode_error::bad_length, end + 3);
    out.value.sequence = load_be16(in.data() + end + 1);
    return out;
}

}  // namespace qqgen::proto
