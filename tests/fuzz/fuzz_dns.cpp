// Feeds untrusted bytes to the DNS query and response decoders; whatever
// decodes is encoded again and must decode to the same fields.
#include <array>
#include <cstddef>
#include <cstdint>

#include "protocols/dns.hpp"

using namespace qqgen::proto;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

std::array<std::byte, 1024> out;

void fuzz_query(const_byte_span in) {
    const auto r = decode_dns_query(in);
    if (!r.ok()) return;
    const dns_query& q = r.value;
    check(q.name.size <= 253);
    // A decoded name has labels of 1..63 bytes without dots and at most 255
    // wire bytes, so it must encode again.
    const std::size_t n = encode_dns_query(out, q.id, q.name.view(), q.qtype, q.recursion_desired());
    check(n != 0);
    const auto again = decode_dns_query(const_byte_span{out}.first(n));
    check(again.ok());
    check(again.value.id == q.id && again.value.name.view() == q.name.view() && again.value.qtype == q.qtype);
    check(again.value.recursion_desired() == q.recursion_desired() && again.value.qclass == dns_class_in);
}

void fuzz_response(const_byte_span in) {
    const auto r = decode_dns_response(in);
    if (!r.ok()) return;
    const dns_response& v = r.value;
    check(v.address_count <= dns_max_addresses && v.address_count <= v.answer_count);
    check(v.rcode == (v.flags & dns_flag::rcode_mask));
    dns_response_desc d;
    d.id = v.id;
    d.name = v.name.view();
    d.qtype = v.qtype;
    d.rcode = v.rcode;
    d.recursion_desired = (v.flags & dns_flag::rd) != 0;
    d.recursion_available = (v.flags & dns_flag::ra) != 0;
    d.authoritative = (v.flags & dns_flag::aa) != 0;
    d.ttl = v.ttl;
    d.addresses = v.answers();
    const std::size_t n = encode_dns_response(out, d);
    check(n != 0);
    const auto again = decode_dns_response(const_byte_span{out}.first(n));
    check(again.ok());
    const dns_response& w = again.value;
    check(w.id == v.id && w.rcode == v.rcode && w.name.view() == v.name.view() && w.qtype == v.qtype);
    const std::uint16_t kept = dns_flag::qr | dns_flag::aa | dns_flag::rd | dns_flag::ra | dns_flag::rcode_mask;
    check(w.flags == (v.flags & kept));
    check(w.answer_count == v.address_count && w.address_count == v.address_count);
    for (std::size_t i = 0; i < v.address_count; ++i) check(w.addresses[i] == v.addresses[i]);
    if (v.address_count != 0) check(w.ttl == v.ttl);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const const_byte_span in{reinterpret_cast<const std::byte*>(data), size};
    fuzz_query(in);
    fuzz_response(in);
    return 0;
}
