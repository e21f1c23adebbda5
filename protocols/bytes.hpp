// Bounds-checked big-endian byte access for encoders and decoders.
//
// Every decoder in protocols/ reads untrusted bytes, so reads go through
// byte_reader, which never reads past its span and remembers the first
// failure instead of throwing (decoders are used on the hot path, where a
// refusal is a counter, not an exception).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace qqgen::proto {

using byte_span = std::span<std::byte>;
using const_byte_span = std::span<const std::byte>;

// Why a decoder refused its input. One list for all decoders so that the
// dataplane can count refusals per reason in one array.
enum class decode_error : std::uint8_t {
    none = 0,
    truncated,        // input ended before a field it must hold
    bad_tag,          // QQ start (0x02) or end (0x03) tag missing
    bad_length,       // a length field disagrees with the bytes present
    bad_padding,      // QQ-TEA: trailing zero bytes wrong, or size not n*8 >= 16
    bad_value,        // a field holds a value the layout does not allow
    unknown_command,  // command code not one qqgen knows
    too_long,         // a field is longer than the output it is copied into
    bad_name,         // DNS: label or compression pointer invalid
    bad_checksum,     // IPv4 header, UDP, TCP or ICMPv6 checksum wrong
    unsupported,      // valid but not handled here (IP fragments, long IPv6 header chains)
    count_            // number of reasons; keep last
};

constexpr std::string_view to_string(decode_error e) noexcept {
    switch (e) {
    case decode_error::none: return "ok";
    case decode_error::truncated: return "truncated";
    case decode_error::bad_tag: return "bad start/end tag";
    case decode_error::bad_length: return "length field disagrees with data";
    case decode_error::bad_padding: return "bad QQ-TEA padding";
    case decode_error::bad_value: return "field value not allowed";
    case decode_error::unknown_command: return "unknown command";
    case decode_error::too_long: return "field too long for its destination";
    case decode_error::bad_name: return "bad DNS name";
    case decode_error::bad_checksum: return "bad checksum";
    case decode_error::unsupported: return "unsupported (fragment or header chain)";
    case decode_error::count_: break;
    }
    return "?";
}

// The refusal of a decoder: what went wrong and at which input offset.
struct refusal {
    decode_error code = decode_error::none;
    std::uint32_t offset = 0;
};

// The refusal `code` at `offset` (offsets are stored in 32 bits).
constexpr refusal refuse(decode_error code, std::size_t offset) noexcept {
    return {code, static_cast<std::uint32_t>(offset)};
}

// A decoder's answer: a value, or why not. (std::expected is C++23.)
template <class T>
struct result {
    T value{};
    refusal why{};

    [[nodiscard]] constexpr bool ok() const noexcept { return why.code == decode_error::none; }
    constexpr explicit operator bool() const noexcept { return ok(); }

    static constexpr result fail(decode_error code, std::size_t offset) noexcept {
        result r;
        r.why = refuse(code, offset);
        return r;
    }
};

// Sequential big-endian reader. After the first failed read every later read
// returns zero and fails too; check ok() once at the end.
class byte_reader {
public:
    constexpr explicit byte_reader(const_byte_span in) noexcept : in_(in) {}

    [[nodiscard]] constexpr bool ok() const noexcept { return ok_; }
    [[nodiscard]] constexpr std::size_t offset() const noexcept { return pos_; }
    [[nodiscard]] constexpr std::size_t remaining() const noexcept { return ok_ ? in_.size() - pos_ : 0; }
    [[nodiscard]] constexpr const_byte_span rest() const noexcept { return ok_ ? in_.subspan(pos_) : const_byte_span{}; }

    constexpr std::uint8_t u8() noexcept {
        if (!need(1)) return 0;
        return static_cast<std::uint8_t>(in_[pos_++]);
    }
    constexpr std::uint16_t u16() noexcept {
        if (!need(2)) return 0;
        std::uint16_t v = static_cast<std::uint16_t>((std::to_integer<unsigned>(in_[pos_]) << 8) |
                                                     std::to_integer<unsigned>(in_[pos_ + 1]));
        pos_ += 2;
        return v;
    }
    constexpr std::uint32_t u32() noexcept {
        std::uint32_t hi = u16();
        std::uint32_t lo = u16();
        return (hi << 16) | lo;
    }
    // A view of the next n bytes (empty on failure).
    constexpr const_byte_span bytes(std::size_t n) noexcept {
        if (!need(n)) return {};
        auto s = in_.subspan(pos_, n);
        pos_ += n;
        return s;
    }
    constexpr void skip(std::size_t n) noexcept { (void)bytes(n); }

private:
    constexpr bool need(std::size_t n) noexcept {
        if (!ok_ || in_.size() - pos_ < n) {
            ok_ = false;
            return false;
        }
        return true;
    }

    const_byte_span in_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

// Sequential big-endian writer into a caller's buffer. On overflow it stops
// writing and ok() turns false; encoders then return size 0.
class byte_writer {
public:
    constexpr explicit byte_writer(byte_span out) noexcept : out_(out) {}

    [[nodiscard]] constexpr bool ok() const noexcept { return ok_; }
    [[nodiscard]] constexpr std::size_t size() const noexcept { return pos_; }
    // Bytes written so far, or 0 if anything did not fit: the encoder result.
    [[nodiscard]] constexpr std::size_t finish() const noexcept { return ok_ ? pos_ : 0; }
    [[nodiscard]] constexpr byte_span written() const noexcept { return out_.first(pos_); }

    constexpr void u8(std::uint8_t v) noexcept {
        if (need(1)) out_[pos_++] = std::byte{v};
    }
    constexpr void u16(std::uint16_t v) noexcept {
        if (!need(2)) return;
        out_[pos_] = std::byte(v >> 8);
        out_[pos_ + 1] = std::byte(v & 0xff);
        pos_ += 2;
    }
    constexpr void u32(std::uint32_t v) noexcept {
        if (!need(4)) return;
        u16(static_cast<std::uint16_t>(v >> 16));
        u16(static_cast<std::uint16_t>(v & 0xffff));
    }
    void bytes(const_byte_span s) noexcept {
        if (!need(s.size())) return;
        if (!s.empty()) std::memcpy(out_.data() + pos_, s.data(), s.size());
        pos_ += s.size();
    }
    void zeros(std::size_t n) noexcept {
        if (!need(n)) return;
        std::memset(out_.data() + pos_, 0, n);
        pos_ += n;
    }
    // Reserve n bytes to be filled later (e.g. a length field); empty on overflow.
    constexpr byte_span reserve(std::size_t n) noexcept {
        if (!need(n)) return {};
        auto s = out_.subspan(pos_, n);
        pos_ += n;
        return s;
    }

private:
    constexpr bool need(std::size_t n) noexcept {
        if (!ok_ || out_.size() - pos_ < n) {
            ok_ = false;
            return false;
        }
        return true;
    }

    byte_span out_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

// Helpers for the common case of text and byte arrays held as chars/uint8_t.
inline const_byte_span as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
template <std::size_t N>
inline const_byte_span as_bytes(const std::uint8_t (&a)[N]) noexcept {
    return {reinterpret_cast<const std::byte*>(a), N};
}

inline void store_be16(std::byte* p, std::uint16_t v) noexcept {
    p[0] = std::byte(v >> 8);
    p[1] = std::byte(v & 0xff);
}
inline void store_be32(std::byte* p, std::uint32_t v) noexcept {
    store_be16(p, static_cast<std::uint16_t>(v >> 16));
    store_be16(p + 2, static_cast<std::uint16_t>(v & 0xffff));
}
inline std::uint16_t load_be16(const std::byte* p) noexcept {
    return static_cast<std::uint16_t>((std::to_integer<unsigned>(p[0]) << 8) | std::to_integer<unsigned>(p[1]));
}
inline std::uint32_t load_be32(const std::byte* p) noexcept {
    return (std::uint32_t{load_be16(p)} << 16) | load_be16(p + 2);
}

}  // namespace qqgen::proto
