#include "protocols/qq_keepalive.hpp"

#include "protocols/ascii_decimal.hpp"

namespace qqgen::proto {

std::size_t encode_keep_alive_request(const keep_alive_request& request, keep_alive_uid_format format,
                                      byte_span out) noexcept {
    if (request.uid == 0) return 0;
    byte_writer w(out);
    if (format == keep_alive_uid_format::binary) {
        w.u32(request.uid);  // pidgin 2.4 keep_alive.c: create_packet_dw(qd->uid)
    } else {
        write_decimal(w, request.uid);  // pidgin 2.7 qq_request_keep_alive_2007: "%u"
    }
    return w.finish();
}

result<keep_alive_request> decode_keep_alive_request(const_byte_span in, keep_alive_uid_format format) noexcept {
    using R = result<keep_alive_request>;
    R out;
    if (format == keep_alive_uid_format::binary) {
        if (in.size() < 4) return R::fail(decode_error::truncated, in.size());
        if (in.size() > 4) return R::fail(decode_error::bad_length, 4);
        out.value.uid = load_be32(in.data());
    } else {
        if (in.empty()) return R::fail(decode_error::truncated, 0);
        auto uid = parse_decimal(in, 0xffffffffu);
        if (!uid) return R::fail(uid.why.code, uid.why.offset);
        out.value.uid = uid.value;
    }
    if (out.value.uid == 0) return R::fail(decode_error::bad_value, 0);
    return out;
}

std::size_t encode_keep_alive_reply(const keep_alive_reply& reply, byte_span out) noexcept {
    byte_writer w(out);
    write_decimal(w, reply.result);
    w.u8(keep_alive_separator);
    write_decimal(w, reply.unknown);
    w.u8(keep_alive_separator);
    write_decimal(w, reply.online_total);
    w.u8(keep_alive_separator);
    write_dotted_ip(w, reply.client_ip);
    w.u8(keep_alive_separator);
    write_decimal(w, reply.client_port);
    w.u8(keep_alive_separator);
    write_decimal(w, reply.last);
    return w.finish();
}

result<keep_alive_reply> decode_keep_alive_reply(const_byte_span in) noexcept {
    using R = result<keep_alive_reply>;
    constexpr std::size_t field_count = 6;
    const_byte_span fields[field_count];
    std::size_t starts[field_count] = {};
    std::size_t start = 0;
    for (std::size_t f = 0; f < field_count; ++f) {
        std::size_t end = start;
        while (end < in.size() && in[end] != std::byte{keep_alive_separator}) ++end;
        if (f + 1 < field_count && end == in.size()) {
            // Fewer than six fields: pidgin's split_data discards the packet.
            return R::fail(decode_error::truncated, in.size());
        }
        if (f + 1 == field_count && end != in.size()) return R::fail(decode_error::bad_value, end);
        fields[f] = in.subspan(start, end - start);
        starts[f] = start;
        start = end + 1;
    }
    R out;
    keep_alive_reply& v = out.value;
    std::uint32_t* numbers[] = {&v.result, &v.unknown, &v.online_total};
    for (std::size_t f = 0; f < 3; ++f) {
        auto n = parse_decimal(fields[f], 0xffffffffu);
        if (!n) return R::fail(n.why.code, starts[f] + n.why.offset);
        *numbers[f] = n.value;
    }
    auto ip = parse_dotted_ip(fields[3]);
    if (!ip) return R::fail(ip.why.code, starts[3] + ip.why.offset);
    v.client_ip = ip.value;
    auto port = parse_decimal(fields[4], 0xffff);
    if (!port) return R::fail(port.why.code, starts[4] + port.why.offset);
    v.client_port = static_cast<std::uint16_t>(port.value);
    auto last = parse_decimal(fields[5], 0xffffffffu);
    if (!last) return R::fail(last.why.code, starts[5] + last.why.offset);
    v.last = last.value;
    return out;
}

}  // namespace qqgen::proto
