#include "dataplane/engine/chat_content.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "protocols/charset.hpp"
#include "protocols/qq_fonts.hpp"

namespace qqgen::engine {

namespace {

// Whether a font's name bytes are text a client of charset `user` sends:
// GB fonts (GBK bytes) for GBK and GB18030 clients, Big5 fonts for Big5
// clients, and the ASCII-named Tahoma for everyone.
bool font_suits(proto::charset font_cs, proto::charset user) noexcept {
    if (font_cs == proto::charset::utf8) return true;  // Tahoma: ASCII
    switch (user) {
    case proto::charset::gbk:
    case proto::charset::gb18030: return font_cs == proto::charset::gbk || font_cs == proto::charset::gb18030;
    case proto::charset::big5: return font_cs == proto::charset::big5;
    case proto::charset::utf8: return false;
    }
    return false;
}

std::vector<proto::corpus_language> languages_for(proto::charset cs) {
    using L = proto::corpus_language;
    switch (cs) {
    case proto::charset::gbk:
    case proto::charset::gb18030: return {L::simplified, L::english, L::mixed};
    case proto::charset::big5: return {L::traditional, L::english, L::mixed};
    case proto::charset::utf8: return {L::simplified, L::traditional, L::english, L::mixed};
    }
    return {L::english};
}

}  // namespace

chat_texts_result build_chat_texts() {
    chat_texts_result out;
    for (std::size_t i = 0; i < charset_weight_count; ++i) {
        const proto::charset cs = proto::all_charsets[i];
        const auto langs = languages_for(cs);
        proto::prepare_result r = proto::prepare_texts(cs, langs);
        if (!r.ok()) {
            out.error = "chat texts for charset " + std::string(proto::to_string(cs)) + ": " + r.error;
            return out;
        }
        out.texts.by_charset[i] = std::move(r.table);
        proto::text_stream_result st = proto::build_text_stream(out.texts.by_charset[i], max_message_text_size);
        if (!st.ok()) {
            out.error = "chat text stream for charset " + std::string(proto::to_string(cs)) + ": " + st.error;
            return out;
        }
        out.texts.streams[i] = std::move(st.stream);
    }
    return out;
}

chat_content::chat_content(const load_settings& s, const chat_texts& texts)
    : texts_(&texts), delay_min_(s.message_delay_min_ms), delay_max_(s.message_delay_max_ms) {
    const auto fonts = proto::qq_fonts();
    const std::size_t n = std::min(fonts.size(), max_fonts);
    for (std::size_t i = 0; i < n; ++i) {
        const auto bytes = fonts[i].name_bytes;
        fonts_[i].name_size = static_cast<std::uint8_t>(std::min(bytes.size(), fonts_[i].name.size()));
        std::memcpy(fonts_[i].name.data(), bytes.data(), fonts_[i].name_size);
        fonts_[i].default_size = fonts[i].default_size;
    }

    std::uint32_t total = 0;
    for (std::size_t c = 0; c < charset_weight_count; ++c) {
        const proto::charset cs = proto::all_charsets[c];
        total += s.charset_weights[c];
        charset_cumulative_[c] = total;
        charset_field_[c] = proto::qq_charset_field(cs);
        if (s.charset_weights[c] != 0 && texts.by_charset[c].empty())
            error_ = "charset_weights gives " + std::string(proto::to_string(cs)) +
                     " a weight but there is no chat text in that charset";

        font_choices& fc = font_choice_[c];
        const proto::qq_font& def = proto::default_font(cs);
        for (std::size_t i = 0; i < n; ++i) {
            if (fonts[i].name == def.name) fc.fallback = static_cast<std::uint8_t>(i);
            if (!font_suits(fonts[i].cs, cs) || s.font_weights[i] == 0) continue;
            fc.total += s.font_weights[i];
            fc.font[fc.count] = static_cast<std::uint8_t>(i);
            fc.cumulative[fc.count] = fc.total;
            ++fc.count;
        }
    }
    charset_total_ = total == 0 ? 1 : total;

    // Classes with weight 0 never win the draw (their cumulative equals the
    // previous one's), so they need no skipping.
    sizes_ = s.message_sizes;
    for (std::size_t c = 0; c < message_size_class_count; ++c) {
        size_total_ += s.message_sizes[c].weight;
        size_cumulative_[c] = size_total_;
        if (s.message_sizes[c].weight != 0 && s.message_sizes[c].max_bytes > max_message_text_size)
            error_ = "message_sizes asks for " + std::to_string(s.message_sizes[c].max_bytes) +
                     "-byte messages; the most is " + std::to_string(max_message_text_size);
    }
}

}  // namespace qqgen::engine
