// Feeds untrusted bytes to the ClientHello decoder; what decodes lies inside
// the input, and its SNI, put in qqgen's own ClientHello, decodes again.
#include <cstddef>
#include <cstdint>

#include "protocols/tls_records.hpp"

using namespace qqgen::proto;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const const_byte_span in{reinterpret_cast<const std::byte*>(data), size};
    const auto r = parse_tls_client_hello(in);
    if (!r.ok()) {
        check(r.why.offset <= size);
        return 0;
    }
    const tls_client_hello_info& v = r.value;
    check(v.record_size >= tls_record_header_size + tls_handshake_header_size && v.record_size <= size);
    check(v.record_size <= tls_record_header_size + tls_max_plaintext);
    const auto* begin = reinterpret_cast<const char*>(data);
    check(v.sni.empty() || (v.sni.data() >= begin && v.sni.data() + v.sni.size() <= begin + v.record_size));

    if (v.sni.size() > tls_max_sni) {
        check(tls_client_hello(v.sni).bytes.empty());
        return 0;
    }
    const tls_flight f = tls_client_hello(v.sni);
    const auto again = parse_tls_client_hello(f.bytes);
    check(again.ok());
    check(again.value.sni == v.sni && again.value.record_size == f.bytes.size());
    check(f.random_offset + 32 <= f.bytes.size() && f.session_id_offset + 32 <= f.bytes.size() &&
          f.key_share_offset + 32 == f.bytes.size());
    return 0;
}
