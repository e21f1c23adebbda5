#include "protocols/dns.hpp"

#include <algorithm>
#include <cstring>

namespace qqgen::proto {

namespace {

constexpr std::size_t max_pointer_hops = 64;  // more than any real name needs
constexpr std::uint16_t question_pointer = 0xc000 | dns_header_size;

// RFC 1035 4.1.4: the top two bits 11 mark a pointer; 01 and 10 were label
// types of RFC 2671, withdrawn by RFC 6891, and are refused.
constexpr unsigned label_type_mask = 0xc0;

// Reads the name at `pos` (following pointers) into `out`, then moves `pos`
// past it as it sits in the message (after its first pointer or its final
// zero). A pointer must point before the start of the labels it follows, so
// every jump goes strictly backwards and a loop is impossible; the hop limit
// is a second guard.
refusal read_name(const_byte_span msg, std::size_t& pos, dns_name& out) noexcept {
    std::size_t p = pos;
    std::size_t limit = pos;  // pointers must point below this
    std::size_t after = 0;    // where the name ends in the message
    std::size_t wire = 1;     // the final zero
    std::size_t hops = 0;
    out.size = 0;
    for (;;) {
        if (p >= msg.size()) return {decode_error::truncated, static_cast<std::uint32_t>(p)};
        const auto len = std::to_integer<std::size_t>(msg[p]);
        if ((len & label_type_mask) == label_type_mask) {
            if (msg.size() - p < 2) return {decode_error::truncated, static_cast<std::uint32_t>(p)};
            const std::size_t target = (len & 0x3f) << 8 | std::to_integer<std::size_t>(msg[p + 1]);
            if (after == 0) after = p + 2;
            if (target >= limit || ++hops > max_pointer_hops)
                return {decode_error::bad_name, static_cast<std::uint32_t>(p)};
            limit = target;
            p = target;
            continue;
        }
        if ((len & label_type_mask) != 0) return {decode_error::bad_name, static_cast<std::uint32_t>(p)};
        if (len == 0) {
            if (after == 0) after = p + 1;
            break;
        }
        wire += len + 1;
        if (wire > dns_max_name_wire) return {decode_error::bad_name, static_cast<std::uint32_t>(p)};
        if (msg.size() - p - 1 < len) return {decode_error::truncated, static_cast<std::uint32_t>(p)};
        const char* label = reinterpret_cast<const char*>(msg.data() + p + 1);
        // A '.' inside a label could not be told apart from a separator in
        // the dotted form.
        if (std::memchr(label, '.', len) != nullptr) return {decode_error::bad_name, static_cast<std::uint32_t>(p)};
        // wire <= 255 keeps the text within 253 characters.
        if (out.size != 0) out.text[out.size++] = '.';
        std::memcpy(out.text.data() + out.size, label, len);
        out.size = static_cast<std::uint8_t>(out.size + len);
        p += 1 + len;
    }
    pos = after;
    return {};
}

void write_header(byte_writer& w, std::uint16_t id, std::uint16_t flags, std::uint16_t qd, std::uint16_t an) noexcept {
    w.u16(id);
    w.u16(flags);
    w.u16(qd);
    w.u16(an);
    w.u16(0);  // NSCOUNT
    w.u16(0);  // ARCOUNT
}

bool write_question(byte_writer& w, std::string_view name, std::uint16_t qtype) noexcept {
    std::array<std::byte, dns_max_name_wire> buf;
    const std::size_t n = encode_dns_name(buf, name);
    if (n == 0) return false;
    w.bytes(std::span<const std::byte>{buf.data(), n});
    w.u16(qtype);
    w.u16(dns_class_in);
    return w.ok();
}

}  // namespace

std::size_t encode_dns_name(byte_span out, std::string_view name) noexcept {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    byte_writer w(out);
    // Each label adds its length byte; with the final zero that makes the
    // wire form text + 2 bytes (1 for the root).
    if (!name.empty()) {
        if (name.size() + 2 > dns_max_name_wire) return 0;
        for (;;) {
            const std::size_t dot = name.find('.');
            const std::string_view label = name.substr(0, dot);
            if (label.empty() || label.size() > dns_max_label) return 0;
            w.u8(static_cast<std::uint8_t>(label.size()));
            w.bytes(as_bytes(label));
            if (dot == std::string_view::npos) break;
            name.remove_prefix(dot + 1);
        }
    }
    w.u8(0);
    return w.finish();
}

std::size_t encode_dns_query(byte_span out, std::uint16_t id, std::string_view name, std::uint16_t qtype,
                             bool recursion_desired) noexcept {
    byte_writer w(out);
    write_header(w, id, recursion_desired ? dns_flag::rd : 0, 1, 0);
    return write_question(w, name, qtype) ? w.finish() : 0;
}

std::size_t encode_dns_response(byte_span out, const dns_response_desc& d) noexcept {
    if (d.addresses.size() > 0xffff || d.rcode > 15) return 0;
    std::uint16_t flags = dns_flag::qr | d.rcode;
    if (d.authoritative) flags |= dns_flag::aa;
    if (d.recursion_desired) flags |= dns_flag::rd;
    if (d.recursion_available) flags |= dns_flag::ra;
    byte_writer w(out);
    write_header(w, d.id, flags, 1, static_cast<std::uint16_t>(d.addresses.size()));
    if (!write_question(w, d.name, d.qtype)) return 0;
    for (const ipv4_address& a : d.addresses) {  // RFC 1035 3.2.1 resource record
        w.u16(question_pointer);
        w.u16(dns_type::a);
        w.u16(dns_class_in);
        w.u32(d.ttl);
        w.u16(4);
        w.bytes(a.bytes);
    }
    return w.finish();
}

namespace {

// Header and question, common to both decoders. `pos` ends after the question.
template <class T>
refusal read_header_and_question(const_byte_span in, T& v, std::size_t& pos, std::uint16_t& ancount,
                                 bool response) noexcept {
    byte_reader r(in);
    v.id = r.u16();
    v.flags = r.u16();
    const std::uint16_t qdcount = r.u16();
    ancount = r.u16();
    r.skip(4);  // NSCOUNT, ARCOUNT
    if (!r.ok()) return {decode_error::truncated, static_cast<std::uint32_t>(r.offset())};
    if (((v.flags & dns_flag::qr) != 0) != response) return {decode_error::bad_value, 2};
    if (!response && (v.flags & dns_flag::opcode_mask) != 0) return {decode_error::bad_value, 2};
    if (qdcount != 1) return {decode_error::bad_value, 4};
    pos = dns_header_size;
    if (refusal why = read_name(in, pos, v.name); why.code != decode_error::none) return why;
    if (in.size() - pos < 4) return {decode_error::truncated, static_cast<std::uint32_t>(pos)};
    v.qtype = load_be16(in.data() + pos);
    v.qclass = load_be16(in.data() + pos + 2);
    pos += 4;
    return {};
}

}  // namespace

result<dns_query> decode_dns_query(const_byte_span in) noexcept {
    result<dns_query> r;
    std::size_t pos = 0;
    std::uint16_t ancount = 0;
    if (refusal why = read_header_and_question(in, r.value, pos, ancount, false); why.code != decode_error::none)
        return result<dns_query>::fail(why.code, why.offset);
    return r;
}

result<dns_response> decode_dns_response(const_byte_span in) noexcept {
    using R = result<dns_response>;
    R r;
    dns_response& v = r.value;
    std::size_t pos = 0;
    if (refusal why = read_header_and_question(in, v, pos, v.answer_count, true); why.code != decode_error::none)
        return R::fail(why.code, why.offset);
    v.rcode = static_cast<std::uint8_t>(v.flags & dns_flag::rcode_mask);
    dns_name owner;  // checked, then dropped: CNAME chains name other owners
    for (std::size_t i = 0; i < v.answer_count; ++i) {
        if (refusal why = read_name(in, pos, owner); why.code != decode_error::none) return R::fail(why.code, why.offset);
        if (in.size() - pos < 10) return R::fail(decode_error::truncated, pos);
        const std::byte* rr = in.data() + pos;
        const std::uint16_t type = load_be16(rr);
        const std::uint16_t cls = load_be16(rr + 2);
        std::uint32_t ttl = load_be32(rr + 4);
        const std::size_t rdlength = load_be16(rr + 8);
        if (in.size() - pos - 10 < rdlength) return R::fail(decode_error::truncated, pos + 8);
        if (type == dns_type::a && cls == dns_class_in) {
            if (rdlength != 4) return R::fail(decode_error::bad_length, pos + 8);
            // RFC 2181 8: a TTL with the top bit set is read as zero.
            if (ttl > 0x7fffffffu) ttl = 0;
            v.ttl = v.address_count == 0 ? ttl : std::min(v.ttl, ttl);
            if (v.address_count < dns_max_addresses)
                std::memcpy(v.addresses[v.address_count++].bytes.data(), rr + 10, 4);
        }
        pos += 10 + rdlength;
    }
    return r;
}

}  // namespace qqgen::proto
