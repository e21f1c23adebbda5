#include "protocols/qq_status.hpp"

#include <cstring>

namespace qqgen::proto {

// ---------------------------------------------------------------- 0x000D

std::size_t encode_set_status_request(const set_status_request& request, byte_span out) noexcept {
    if (!is_settable_status(request.status)) return 0;
    // pidgin 2.4 qq_send_packet_change_status: create_packet_b(away_cmd), create_packet_dw(misc_status).
    byte_writer w(out);
    w.u8(request.status);
    w.u32(request.misc_status);
    return w.finish();
}

result<set_status_request> decode_set_status_request(const_byte_span in) noexcept {
    using R = result<set_status_request>;
    if (in.size() < set_status_request_size) return R::fail(decode_error::truncated, in.size());
    if (in.size() > set_status_request_size) return R::fail(decode_error::bad_length, set_status_request_size);
    byte_reader r(in);
    R out;
    out.value.status = r.u8();
    if (!is_settable_status(out.value.status)) return R::fail(decode_error::bad_value, 0);
    out.value.misc_status = r.u32();
    return out;
}

std::size_t encode_set_status_reply(const set_status_reply& reply, byte_span out) noexcept {
    byte_writer w(out);
    w.u8(reply.result);
    return w.finish();
}

result<set_status_reply> decode_set_status_reply(const_byte_span in) noexcept {
    using R = result<set_status_reply>;
    // pidgin 2.4 qq_process_change_status_reply reads one byte.
    if (in.empty()) return R::fail(decode_error::truncated, 0);
    if (in.size() > 1) return R::fail(decode_error::bad_length, 1);
    R out;
    out.value.result = std::to_integer<std::uint8_t>(in[0]);
    return out;
}

// ---------------------------------------------------------------- status record

void write_buddy_status_record(byte_writer& w, const buddy_status_record& record) noexcept {
    w.u32(record.uid);
    w.u8(record.unknown1);
    w.u32(record.ip);
    w.u16(record.port);
    w.u8(record.unknown2);
    w.u8(record.status);
    w.u16(record.client_version);
    w.bytes(record.unknown_key);
}

result<buddy_status_record> read_buddy_status_record(const_byte_span in) noexcept {
    using R = result<buddy_status_record>;
    if (in.size() < buddy_status_record_size) return R::fail(decode_error::truncated, in.size());
    byte_reader r(in);
    R out;
    buddy_status_record& s = out.value;
    s.uid = r.u32();
    if (s.uid == 0) return R::fail(decode_error::bad_value, 0);
    s.unknown1 = r.u8();
    s.ip = r.u32();
    s.port = r.u16();
    s.unknown2 = r.u8();
    s.status = r.u8();
    s.client_version = r.u16();
    std::memcpy(s.unknown_key.data(), r.bytes(s.unknown_key.size()).data(), s.unknown_key.size());
    return out;
}

// ---------------------------------------------------------------- 0x0081

std::size_t encode_friend_status_change(const friend_status_change& change, byte_span out) noexcept {
    if (change.record.uid == 0) return 0;
    byte_writer w(out);
    write_buddy_status_record(w, change.record);
    w.u32(change.my_uid);
    return w.finish();
}

result<friend_status_change> decode_friend_status_change(const_byte_span in) noexcept {
    using R = result<friend_status_change>;
    auto record = read_buddy_status_record(in);
    if (!record) return R::fail(record.why.code, record.why.offset);
    if (in.size() < friend_status_change_size) return R::fail(decode_error::truncated, in.size());
    if (in.size() > friend_status_change_size) return R::fail(decode_error::bad_length, friend_status_change_size);
    R out;
    out.value.record = record.value;
    out.value.my_uid = load_be32(in.data() + buddy_status_record_size);
    return out;
}

}  // namespace qqgen::proto
