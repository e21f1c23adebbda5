// What users type and how it looks: each user's charset and font (chosen by
// the profile's weights), each message's text line and style. All of it is
// derived from the session identity and the message number, so the server
// half and the receiving buddy re-derive exactly what the sender must have
// sent and compare.
//
// The text itself comes from chat_texts: the shipped corpus converted once
// per charset at set-up (proto::prepared_texts), built before the workers
// and shared by them read-only. A message is one corpus line, or, when the
// profile gives message sizes, a cut of the drawn size from the charset's
// text stream starting at a drawn line (proto::text_stream).
//
// The font table is copied out of qq_fonts.hpp at set-up (chat_content.cpp):
// the packet path reads only the name bytes and default size it needs.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "dataplane/engine/engine_counters.hpp"
#include "dataplane/engine/load_settings.hpp"
#include "dataplane/engine/session_identity.hpp"
#include "protocols/bytes.hpp"
#include "protocols/text_corpus.hpp"
#include "protocols/text_stream.hpp"

namespace qqgen::engine {

// The prepared text tables, one per charset in proto::all_charsets order.
struct chat_texts {
    std::array<proto::prepared_texts, charset_weight_count> by_charset;
    // The same lines joined, for cuts of up to max_message_text_size bytes.
    std::array<proto::text_stream, charset_weight_count> streams;
};

struct chat_texts_result {
    chat_texts texts;
    std::string error;  // empty on success
    [[nodiscard]] bool ok() const noexcept { return error.empty(); }
};

// Set-up time (allocates, calls iconv): the shipped corpus in every charset,
// each with the languages a client of that charset types (gbk and gb18030:
// simplified, english, mixed; big5: traditional, english, mixed; utf-8: all).
chat_texts_result build_chat_texts();

// One font as it goes into the IM font tail.
struct font_entry {
    std::array<std::byte, 31> name{};
    std::uint8_t name_size = 0;
    std::uint8_t default_size = 10;
};

// A message's look, besides its font name.
struct message_look {
    std::uint8_t font = 0;  // index into chat_content::font()
    std::uint8_t size = 10;
    bool bold = false;
    bool italic = false;
    bool underline = false;
    std::uint8_t red = 0, green = 0, blue = 0;
    std::uint16_t charset_field = 0;  // the font tail's charset value
};

class chat_content {
public:
    // Set-up time. error() says what is wrong (a weighted charset with no
    // text, for instance); the engine refuses to start then.
    chat_content(const load_settings& s, const chat_texts& texts);

    [[nodiscard]] const std::string& error() const noexcept { return error_; }

    // The user's charset, an index into proto::all_charsets.
    [[nodiscard]] std::uint8_t charset_of(const session_identity& id, std::uint32_t slot,
                                          std::uint32_t incarnation) const noexcept {
        const auto r = static_cast<std::uint32_t>(id.draw(draw_kind::charset, slot, incarnation) % charset_total_);
        std::uint8_t c = 0;
        while (std::size_t{c} + 1 < charset_weight_count && r >= charset_cumulative_[c]) ++c;
        return c;
    }

    // Text of message `message` of the user (a line of its charset's table).
    [[nodiscard]] proto::const_byte_span text(const session_identity& id, std::uint32_t slot,
                                              std::uint32_t incarnation, std::uint32_t message) const noexcept {
        const std::uint8_t cs = charset_of(id, slot, incarnation);
        const proto::prepared_texts& t = texts_->by_charset[cs];
        const std::size_t line = id.draw(draw_kind::text, slot, incarnation, message) % t.size();
        if (size_total_ == 0) return t.line(line);
        return texts_->streams[cs].take(line, text_size(id, slot, incarnation, message));
    }

    // The size drawn for message `message` (when the profile gives sizes):
    // a class by weight, then uniform in its min..max.
    [[nodiscard]] std::size_t text_size(const session_identity& id, std::uint32_t slot, std::uint32_t incarnation,
                                        std::uint32_t message) const noexcept {
        const std::uint64_t v = id.draw(draw_kind::text_size, slot, incarnation, message);
        const auto r = static_cast<std::uint32_t>(v % size_total_);
        std::size_t c = 0;
        while (c + 1 < message_size_class_count && r >= size_cumulative_[c]) ++c;
        const std::uint32_t width = sizes_[c].max_bytes - sizes_[c].min_bytes + 1u;
        return sizes_[c].min_bytes + static_cast<std::size_t>((v >> 32) % width);
    }

    [[nodiscard]] message_look look(const session_identity& id, std::uint32_t slot, std::uint32_t incarnation,
                                    std::uint32_t message) const noexcept {
        const std::uint8_t cs = charset_of(id, slot, incarnation);
        message_look m;
        m.font = font_of(id, slot, incarnation, cs);
        m.charset_field = charset_field_[cs];
        // Most users keep the default look; some pick a size, a colour, bold.
        const std::uint64_t v = id.draw(draw_kind::style, slot, incarnation, message);
        m.size = static_cast<std::uint8_t>(fonts_[m.font].default_size + (v & 3) - 1);  // default -1 .. +2
        m.bold = ((v >> 2) & 15) == 0;
        m.italic = ((v >> 6) & 31) == 0;
        m.underline = ((v >> 11) & 63) == 0;
        if (((v >> 17) & 3) == 0) {
            m.red = static_cast<std::uint8_t>(v >> 24);
            m.green = static_cast<std::uint8_t>(v >> 32);
            m.blue = static_cast<std::uint8_t>(v >> 40);
        }
        return m;
    }

    [[nodiscard]] const font_entry& font(std::uint8_t index) const noexcept { return fonts_[index]; }
    [[nodiscard]] proto::const_byte_span font_name(std::uint8_t index) const noexcept {
        return proto::const_byte_span{fonts_[index].name}.first(fonts_[index].name_size);
    }

    // The user's face (avatar) number.
    [[nodiscard]] std::uint16_t face(const session_identity& id, std::uint32_t slot,
                                     std::uint32_t incarnation) const noexcept {
        return static_cast<std::uint16_t>(id.draw(draw_kind::face, slot, incarnation) % 100 * 3);
    }

    // Milliseconds the user waits before message `message` of a chat.
    [[nodiscard]] std::uint32_t delay_ms(const session_identity& id, std::uint32_t slot, std::uint32_t incarnation,
                                         std::uint32_t message) const noexcept {
        const std::uint32_t width = delay_max_ - delay_min_ + 1;
        return delay_min_ + static_cast<std::uint32_t>(id.draw(draw_kind::delay, slot, incarnation, message) % width);
    }

    // A live profile change: messages scheduled from now on wait min..max ms.
    void set_delays(std::uint32_t min_ms, std::uint32_t max_ms) noexcept {
        delay_min_ = min_ms;
        delay_max_ = max_ms < min_ms ? min_ms : max_ms;
    }

    // The user's font, an index into font() (proto::qq_fonts() order).
    std::uint8_t font_of(const session_identity& id, std::uint32_t slot, std::uint32_t incarnation,
                         std::uint8_t cs) const noexcept {
        const auto& choice = font_choice_[cs];
        if (choice.total == 0) return choice.fallback;
        const auto r = static_cast<std::uint32_t>(id.draw(draw_kind::font, slot, incarnation) % choice.total);
        std::size_t i = 0;
        while (i + 1 < choice.count && r >= choice.cumulative[i]) ++i;
        return choice.font[i];
    }

private:
    static constexpr std::size_t max_fonts = font_weight_count;
    static_assert(max_fonts == message_font_count && charset_weight_count == message_charset_count,
                  "engine_counters counts messages per charset and font: keep the counts equal");

    // The fonts a user of one charset may pick, with cumulative weights.
    struct font_choices {
        std::array<std::uint8_t, max_fonts> font{};
        std::array<std::uint32_t, max_fonts> cumulative{};
        std::size_t count = 0;
        std::uint32_t total = 0;
        std::uint8_t fallback = 0;  // the charset's default font
    };

    const chat_texts* texts_;
    std::array<font_entry, max_fonts> fonts_{};
    std::array<font_choices, charset_weight_count> font_choice_{};
    std::array<std::uint32_t, charset_weight_count> charset_cumulative_{};
    std::uint32_t charset_total_ = 1;
    std::array<std::uint16_t, charset_weight_count> charset_field_{};
    std::uint32_t delay_min_ = 0;
    std::uint32_t delay_max_ = 0;
    std::array<load_settings::message_size_class, message_size_class_count> sizes_{};
    std::array<std::uint32_t, message_size_class_count> size_cumulative_{};
    std::uint32_t size_total_ = 0;  // 0: one corpus line per message
    std::string error_;
};

}  // namespace qqgen::engine
