#include "protocols/qq_friends.hpp"

namespace qqgen::proto {

// ---------------------------------------------------------------- 0x0026

std::size_t encode_friend_list_request(const friend_list_request& request, byte_span out) noexcept {
    // pidgin 2.4 qq_send_packet_get_buddies_list: create_packet_w(position), create_packet_b(0x00).
    byte_writer w(out);
    w.u16(request.start_position);
    w.u8(0x00);
    return w.finish();
}

result<friend_list_request> decode_friend_list_request(const_byte_span in) noexcept {
    using R = result<friend_list_request>;
    if (in.size() < friend_list_request_size) return R::fail(decode_error::truncated, in.size());
    if (in.size() > friend_list_request_size) return R::fail(decode_error::bad_length, friend_list_request_size);
    if (in[2] != std::byte{0}) return R::fail(decode_error::bad_value, 2);
    R out;
    out.value.start_position = load_be16(in.data());
    return out;
}

page_encoding encode_friend_list_reply(std::uint16_t next_position, std::span<const friend_entry> entries,
                                       byte_span out) noexcept {
    byte_writer w(out);
    w.u16(next_position);
    if (!w.ok()) return {};
    page_encoding page{w.size(), 0};
    for (const friend_entry& e : entries) {
        if (e.uid == 0 || e.nickname.size() > 0xff) return {};
        if (out.size() - w.size() < friend_entry_size(e)) break;
        // pidgin 2.4 qq_process_get_buddies_list_reply reads these in this order.
        w.u32(e.uid);
        w.u16(e.face);
        w.u8(e.age);
        w.u8(e.gender);
        w.u8(static_cast<std::uint8_t>(e.nickname.size()));
        w.bytes(e.nickname);
        w.u16(e.unknown);
        w.u8(e.flag1);
        w.u8(e.comm_flag);
        page.size = w.size();
        ++page.entries;
    }
    return page;
}

void set_friend_list_next_position(byte_span page, std::uint16_t next_position) noexcept {
    if (page.size() >= 2) store_be16(page.data(), next_position);
}

result<friend_list_page> decode_friend_list_reply(const_byte_span in) noexcept {
    using R = result<friend_list_page>;
    if (in.size() < 2) return R::fail(decode_error::truncated, in.size());
    R out;
    out.value.next_position = load_be16(in.data());
    out.value.entries = in.subspan(2);
    return out;
}

result<friend_entry> friend_entry_reader::next() noexcept {
    using R = result<friend_entry>;
    const std::size_t base = offset_;
    auto refuse = [&](decode_error code, std::size_t at) noexcept {
        rest_ = {};
        return R::fail(code, base + at);
    };
    if (rest_.empty()) return refuse(decode_error::truncated, 0);
    byte_reader r(rest_);
    R out;
    friend_entry& e = out.value;
    e.uid = r.u32();
    e.face = r.u16();
    e.age = r.u8();
    e.gender = r.u8();
    std::uint8_t nickname_length = r.u8();
    if (!r.ok()) return refuse(decode_error::truncated, rest_.size());
    if (e.uid == 0) return refuse(decode_error::bad_value, 0);
    // A nickname length that runs past the page is a corrupted length field,
    // not a short read of fixed fields.
    if (r.remaining() < nickname_length) return refuse(decode_error::bad_length, 8);
    e.nickname = r.bytes(nickname_length);
    e.unknown = r.u16();
    e.flag1 = r.u8();
    e.comm_flag = r.u8();
    if (!r.ok()) return refuse(decode_error::truncated, rest_.size());
    offset_ += r.offset();
    rest_ = r.rest();
    return out;
}

// ---------------------------------------------------------------- 0x0027

std::size_t encode_online_friends_request(const online_friends_request& request, byte_span out) noexcept {
    if (request.subcommand != 0x02 && request.subcommand != 0x03) return 0;
    // pidgin 2.4 qq_send_packet_get_buddies_online: 0x02, position, 0x00, 0x0000.
    byte_writer w(out);
    w.u8(request.subcommand);
    w.u8(request.start_position);
    w.u8(0x00);
    w.u16(0x0000);
    return w.finish();
}

result<online_friends_request> decode_online_friends_request(const_byte_span in) noexcept {
    using R = result<online_friends_request>;
    if (in.size() < online_friends_request_size) return R::fail(decode_error::truncated, in.size());
    if (in.size() > online_friends_request_size) return R::fail(decode_error::bad_length, online_friends_request_size);
    R out;
    out.value.subcommand = std::to_integer<std::uint8_t>(in[0]);
    if (out.value.subcommand != 0x02 && out.value.subcommand != 0x03) return R::fail(decode_error::bad_value, 0);
    out.value.start_position = std::to_integer<std::uint8_t>(in[1]);
    for (std::size_t i = 2; i < online_friends_request_size; ++i) {
        if (in[i] != std::byte{0}) return R::fail(decode_error::bad_value, i);
    }
    return out;
}

page_encoding encode_online_friends_reply(std::uint8_t next_position, std::span<const online_friend_entry> entries,
                                          byte_span out) noexcept {
    byte_writer w(out);
    w.u8(next_position);
    if (!w.ok()) return {};
    page_encoding page{w.size(), 0};
    for (const online_friend_entry& e : entries) {
        if (e.status.uid == 0) return {};
        if (out.size() - w.size() < online_friend_entry_size) break;
        // pidgin 2.4 qq_process_get_buddies_online_reply: record, unknown1, flag1, comm_flag, unknown2, ending.
        write_buddy_status_record(w, e.status);
        w.u16(e.unknown1);
        w.u8(e.flag1);
        w.u8(e.comm_flag);
        w.u16(e.unknown2);
        w.u8(e.ending);
        page.size = w.size();
        ++page.entries;
    }
    return page;
}

result<online_friends_page> decode_online_friends_reply(const_byte_span in) noexcept {
    using R = result<online_friends_page>;
    if (in.empty()) return R::fail(decode_error::truncated, 0);
    R out;
    out.value.next_position = std::to_integer<std::uint8_t>(in[0]);
    out.value.entries = in.subspan(1);
    return out;
}

result<online_friend_entry> online_friend_reader::next() noexcept {
    using R = result<online_friend_entry>;
    const std::size_t base = offset_;
    if (rest_.size() < online_friend_entry_size) {
        std::size_t have = rest_.size();
        rest_ = {};
        return R::fail(decode_error::truncated, base + have);
    }
    auto record = read_buddy_status_record(rest_);
    if (!record) {
        rest_ = {};
        return R::fail(record.why.code, base + record.why.offset);
    }
    byte_reader r(rest_.subspan(buddy_status_record_size, online_friend_entry_size - buddy_status_record_size));
    R out;
    online_friend_entry& e = out.value;
    e.status = record.value;
    e.unknown1 = r.u16();
    e.flag1 = r.u8();
    e.comm_flag = r.u8();
    e.unknown2 = r.u16();
    e.ending = r.u8();
    offset_ += online_friend_entry_size;
    rest_ = rest_.subspan(online_friend_entry_size);
    return out;
}

}  // namespace qqgen::proto
