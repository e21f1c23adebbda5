// The exact content of what users send, re-derived wherever it is checked:
// the 0x0016 a sender must send for its message m (client half builds it,
// server half compares it), the 0x0017 the server relays (server half builds
// it, the buddy's client compares it), buddies' friend-list entries, and
// the padding seeds of every encryption.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "dataplane/engine/engine_core.hpp"
#include "protocols/bytes.hpp"
#include "protocols/qq_im.hpp"

namespace qqgen::engine {

// What a QQ-TEA padding seed is for (kept apart so no two encryptions of a
// run share their random bytes unless they are resends of the same thing).
enum class pad_purpose : std::uint32_t {
    client_request = 0,
    password_check = 1,
    logout = 2,
    push_ack = 3,
    server_reply = 4,
    relay = 5,
};

inline std::uint64_t pad_seed(const engine_core& c, std::uint32_t slot, std::uint32_t incarnation, pad_purpose p,
                              std::uint32_t n) noexcept {
    return c.identity.draw(draw_kind::padding, slot, incarnation,
                           (static_cast<std::uint32_t>(p) << 20) | (n & 0xFFFFFu));
}

// The font tail a message's look (chat_content.hpp) gives it, into f.
inline void fill_message_font(proto::font_style& f, const engine_core& c, const message_look& look) noexcept {
    f.size = look.size;
    f.bold = look.bold;
    f.italic = look.italic;
    f.underline = look.underline;
    f.red = look.red;
    f.green = look.green;
    f.blue = look.blue;
    f.charset = look.charset_field;
    f.name = c.content.font_name(look.font);
}

// The 0x0016 plaintext the user in `sender` sends as its message `message`
// (views into the content tables: valid for the run), into `kept` with send
// time 0 and, when `out` is given, into *out with send time `send_time`.
// Derived once per message and kept for the other three uses
// (sent_im_cache.hpp, held_send_im).
//
// Every field is stored on its own, into the returned object and into the
// cache entry, never copied as a whole from an object just written: a
// struct copy reloads it with 64-byte loads, which wait for the narrower
// stores that wrote it to reach the cache (failed store forwarding; perf
// annotate put a third of this function's time on the reload after
// returning a filled copy, and a ninth on the cache's copy of the filled
// result).
inline void derive_send_im(engine_core& c, std::uint32_t sender, std::uint32_t inc, std::uint32_t message,
                           proto::send_im& kept, proto::send_im* out = nullptr, std::uint32_t send_time = 0) noexcept {
    const std::uint32_t sender_uid = c.identity.qq_number(sender);
    const std::uint32_t receiver_uid = c.identity.qq_number(c.buddies.partner(sender, message));
    const auto& md5 = c.table.im_md5(sender);
    const std::uint16_t face = c.content.face(c.identity, sender, inc);
    const proto::const_byte_span text = c.content.text(c.identity, sender, inc, message);
    const message_look look = c.content.look(c.identity, sender, inc, message);
    const auto fill = [&](proto::send_im& m, std::uint32_t time) noexcept {
        m.header.sender_version = c.settings.client_version;
        m.header.sender_uid = sender_uid;
        m.header.receiver_uid = receiver_uid;
        m.header.session_md5 = md5;
        m.header.im_type = proto::normal_im_text;
        m.message.message_sequence = static_cast<std::uint16_t>(message);
        m.message.send_time = time;
        m.message.face = face;
        m.message.has_font = true;
        m.message.fragment_count = 0;
        m.message.fragment_index = 0;
        m.message.message_id = 0;
        m.message.reply_type = proto::im_reply_normal;
        m.message.text = text;
        fill_message_font(m.message.font, c, look);
    };
    fill(kept, 0);
    if (out != nullptr) fill(*out, send_time);
}

// The kept 0x0016 of `sender`'s message `message` (send time 0), derived
// first if it is not kept. The reference is valid until the next
// derivation: read it, or copy it, before asking for another message.
inline const proto::send_im& held_send_im(engine_core& c, std::uint32_t sender, std::uint32_t message) noexcept {
    const std::uint32_t inc = c.table[sender].incarnation;
    if (const proto::send_im* held = c.sent_ims.find(sender, inc, message)) return *held;
    proto::send_im& kept = c.sent_ims.claim(sender, inc, message);
    derive_send_im(c, sender, inc, message, kept);
    return kept;
}

// The same 0x0016 with send time `send_time`, as the sender sends it. One
// object returned on every path (NRVO), filled where it is returned.
inline proto::send_im expected_send_im(engine_core& c, std::uint32_t sender, std::uint32_t message,
                                       std::uint32_t send_time) noexcept {
    const std::uint32_t inc = c.table[sender].incarnation;
    proto::send_im im;
    if (const proto::send_im* held = c.sent_ims.find(sender, inc, message)) {
        im = *held;
        im.message.send_time = send_time;
        return im;
    }
    derive_send_im(c, sender, inc, message, c.sent_ims.claim(sender, inc, message), &im, send_time);
    return im;
}

inline bool same_bytes(proto::const_byte_span a, proto::const_byte_span b) noexcept {
    return a.size() == b.size() && (a.empty() || __builtin_memcmp(a.data(), b.data(), a.size()) == 0);
}

inline bool same_header(const proto::normal_im_header& a, const proto::normal_im_header& b) noexcept {
    return a.sender_version == b.sender_version && a.sender_uid == b.sender_uid && a.receiver_uid == b.receiver_uid &&
           a.session_md5 == b.session_md5 && a.im_type == b.im_type;
}

// Equal in every field but the send time (which the checker cannot know).
inline bool same_text(const proto::im_text& a, const proto::im_text& b) noexcept {
    const auto& fa = a.font;
    const auto& fb = b.font;
    return a.message_sequence == b.message_sequence && a.face == b.face && a.has_font == b.has_font &&
           a.fragment_count == b.fragment_count && a.fragment_index == b.fragment_index &&
           a.message_id == b.message_id && a.reply_type == b.reply_type && same_bytes(a.text, b.text) &&
           fa.size == fb.size && fa.bold == fb.bold && fa.italic == fb.italic && fa.underline == fb.underline &&
           fa.red == fb.red && fa.green == fb.green && fa.blue == fb.blue && fa.charset == fb.charset &&
           same_bytes(fa.name, fb.name);
}

// A buddy's friend-list entry (0x0026 reply), derived from its QQ number:
// nickname "u<number>" in ASCII, which every charset writes the same.
struct friend_entry_text {
    std::array<std::byte, 12> nickname{};
    std::size_t size = 0;
};

inline friend_entry_text nickname_of(std::uint32_t qq) noexcept {
    friend_entry_text t;
    std::array<char, 10> d{};
    std::size_t n = 0;
    do {
        d[n++] = static_cast<char>('0' + qq % 10);
        qq /= 10;
    } while (qq != 0);
    t.nickname[t.size++] = std::byte{'u'};
    while (n > 0) t.nickname[t.size++] = static_cast<std::byte>(d[--n]);
    return t;
}

inline std::uint8_t age_of(std::uint32_t qq) noexcept { return static_cast<std::uint8_t>(16 + qq % 45); }
inline std::uint8_t gender_of(std::uint32_t qq) noexcept { return static_cast<std::uint8_t>(qq & 1); }

}  // namespace qqgen::engine
