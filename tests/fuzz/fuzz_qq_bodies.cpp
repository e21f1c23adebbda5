// libFuzzer target: every decoder of qq_status, qq_friends, qq_keepalive,
// qq_system and qq_logout. Whatever decodes must re-encode to exactly the
// input bytes, otherwise the target traps.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "protocols/qq_friends.hpp"
#include "protocols/qq_keepalive.hpp"
#include "protocols/qq_logout.hpp"
#include "protocols/qq_status.hpp"
#include "protocols/qq_system.hpp"

using namespace qqgen::proto;

namespace {

void require_same(const_byte_span input, const std::vector<std::byte>& out, std::size_t written) {
    if (written != input.size()) __builtin_trap();
    if (written != 0 && std::memcmp(out.data(), input.data(), written) != 0) __builtin_trap();
}

void friend_list(const_byte_span in, std::vector<std::byte>& out) {
    auto page = decode_friend_list_reply(in);
    if (!page) return;
    std::vector<friend_entry> entries;
    friend_entry_reader reader(page.value);
    while (!reader.done()) {
        auto e = reader.next();
        if (!e) {
            if (e.why.offset > in.size() || !reader.done()) __builtin_trap();
            return;
        }
        entries.push_back(e.value);
    }
    auto enc = encode_friend_list_reply(page.value.next_position, entries, out);
    if (enc.entries != entries.size()) __builtin_trap();
    require_same(in, out, enc.size);
}

void online_friends(const_byte_span in, std::vector<std::byte>& out) {
    auto page = decode_online_friends_reply(in);
    if (!page) return;
    std::vector<online_friend_entry> entries;
    online_friend_reader reader(page.value);
    while (!reader.done()) {
        auto e = reader.next();
        if (!e) {
            if (e.why.offset > in.size() || !reader.done()) __builtin_trap();
            return;
        }
        entries.push_back(e.value);
    }
    auto enc = encode_online_friends_reply(page.value.next_position, entries, out);
    if (enc.entries != entries.size()) __builtin_trap();
    require_same(in, out, enc.size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const_byte_span in(reinterpret_cast<const std::byte*>(data), size);
    std::vector<std::byte> out(size);

    if (auto r = decode_set_status_request(in)) require_same(in, out, encode_set_status_request(r.value, out));
    if (auto r = decode_set_status_reply(in)) require_same(in, out, encode_set_status_reply(r.value, out));
    if (auto r = decode_friend_status_change(in)) require_same(in, out, encode_friend_status_change(r.value, out));

    if (auto r = decode_friend_list_request(in)) require_same(in, out, encode_friend_list_request(r.value, out));
    friend_list(in, out);
    if (auto r = decode_online_friends_request(in)) {
        require_same(in, out, encode_online_friends_request(r.value, out));
    }
    online_friends(in, out);

    for (auto format : {keep_alive_uid_format::binary, keep_alive_uid_format::ascii_decimal}) {
        if (auto r = decode_keep_alive_request(in, format)) {
            require_same(in, out, encode_keep_alive_request(r.value, format, out));
        }
    }
    if (auto r = decode_keep_alive_reply(in)) require_same(in, out, encode_keep_alive_reply(r.value, out));

    if (auto r = decode_system_message(in)) require_same(in, out, encode_system_message(r.value, out));
    if (auto r = decode_system_message_ack(in)) require_same(in, out, encode_system_message_ack(r.value, out));

    if (auto r = decode_logout(in)) require_same(in, out, encode_logout(r.value, out));
    return 0;
}
