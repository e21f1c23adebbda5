// TLS 1.3 records for DPI: ClientHello, the server's flight, opaque
// application data, and the ClientHello decoder (RFC 8446, RFC 6066, RFC 7301).
#include "protocols/tls_records.hpp"

#include <algorithm>
#include <initializer_list>

#include "protocols/counter_rng.hpp"

namespace qqgen::proto {

namespace {

// One stream of counter_rng per kind of bytes, so one seed never gives the
// same bytes in two places of a session.
namespace rng_stream {
inline constexpr std::uint64_t server_random = 0x746c7301;
inline constexpr std::uint64_t server_key = 0x746c7302;
inline constexpr std::uint64_t server_flight = 0x746c7303;
inline constexpr std::uint64_t client_finished = 0x746c7304;
inline constexpr std::uint64_t application_data = 0x746c7305;
}  // namespace rng_stream

namespace ext {  // IANA TLS ExtensionType values (RFC 8446 4.2)
inline constexpr std::uint16_t server_name = 0;
inline constexpr std::uint16_t supported_groups = 10;
inline constexpr std::uint16_t ec_point_formats = 11;
inline constexpr std::uint16_t signature_algorithms = 13;
inline constexpr std::uint16_t alpn = 16;
inline constexpr std::uint16_t supported_versions = 43;
inline constexpr std::uint16_t psk_key_exchange_modes = 45;
inline constexpr std::uint16_t key_share = 51;
}  // namespace ext

constexpr std::uint16_t legacy_version = 0x0303;        // TLS 1.2, RFC 8446 4.1.2
constexpr std::uint16_t first_record_version = 0x0301;  // 5.1: the ClientHello record may say TLS 1.0
constexpr std::uint16_t x25519 = 0x001d;
constexpr std::uint16_t tls_aes_128_gcm_sha256 = 0x1301;
constexpr std::size_t field_size = 32;  // Random, legacy_session_id, x25519 key

// Chrome's order without GREASE: the three TLS 1.3 suites, then ECDHE with
// AES-GCM and ChaCha20, then the old CBC and RSA suites.
constexpr std::uint16_t cipher_suites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                                           0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
constexpr std::uint16_t groups[] = {x25519, 0x0017, 0x0018};  // x25519, secp256r1, secp384r1
// ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, rsa_pkcs1_sha256, then the SHA-384 and SHA-512 forms.
constexpr std::uint16_t signature_schemes[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};

// Appends big-endian fields to a vector; a length field is opened as zeros
// and filled in when the bytes it counts are written.
class builder {
public:
    std::vector<std::byte> bytes;

    void u8(std::uint8_t v) { bytes.push_back(std::byte{v}); }
    void u16(std::uint16_t v) {
        u8(static_cast<std::uint8_t>(v >> 8));
        u8(static_cast<std::uint8_t>(v));
    }
    void text(std::string_view s) { bytes.insert(bytes.end(), as_bytes(s).begin(), as_bytes(s).end()); }
    std::size_t zeros(std::size_t n) {
        bytes.insert(bytes.end(), n, std::byte{0});
        return bytes.size() - n;
    }
    std::size_t random(std::size_t n, counter_rng& rng) {
        const std::size_t at = zeros(n);
        rng.fill(std::span<std::byte>(bytes).subspan(at, n));
        return at;
    }
    std::size_t open(std::size_t width) { return zeros(width); }
    void close(std::size_t at, std::size_t width) {
        std::size_t n = bytes.size() - at - width;
        for (std::size_t i = width; i-- > 0; n >>= 8) bytes[at + i] = std::byte(n & 0xff);
    }
};

// An extension holding one vector of 16-bit values (supported_groups,
// signature_algorithms): type, extension length, vector length, values.
void u16_list_extension(builder& b, std::uint16_t type, std::span<const std::uint16_t> values) {
    b.u16(type);
    b.u16(static_cast<std::uint16_t>(2 + 2 * values.size()));
    b.u16(static_cast<std::uint16_t>(2 * values.size()));
    for (std::uint16_t v : values) b.u16(v);
}

// An extension whose data is a few fixed bytes.
void fixed_extension(builder& b, std::uint16_t type, std::initializer_list<std::uint8_t> data) {
    b.u16(type);
    b.u16(static_cast<std::uint16_t>(data.size()));
    for (std::uint8_t v : data) b.u8(v);
}

void record_header(builder& b, std::uint8_t type, std::uint16_t version, std::size_t length) {
    b.u8(type);
    b.u16(version);
    b.u16(static_cast<std::uint16_t>(length));
}

// RFC 8446 D.4: the one-byte ChangeCipherSpec a middlebox-compatible peer sends.
void change_cipher_spec(builder& b) {
    record_header(b, tls_content_type::change_cipher_spec, legacy_version, 1);
    b.u8(1);
}

void opaque_records(builder& b, std::size_t total, counter_rng& rng) {
    while (total > 0) {
        const std::size_t n = std::min(total, tls_max_record_payload);
        record_header(b, tls_content_type::application_data, legacy_version, n);
        b.random(n, rng);
        total -= n;
    }
}

// Checked reads inside [pos, end) of the input, with offsets into the input.
struct cursor {
    const_byte_span in;
    std::size_t pos = 0;
    std::size_t end = 0;

    [[nodiscard]] bool has(std::size_t n) const noexcept { return end - pos >= n; }
    std::size_t u8() noexcept { return std::to_integer<std::size_t>(in[pos++]); }
    std::size_t u16() noexcept {
        const std::size_t v = load_be16(in.data() + pos);
        pos += 2;
        return v;
    }
};

}  // namespace

tls_flight tls_client_hello(std::string_view sni) {
    tls_flight f;
    if (sni.size() > tls_max_sni) return f;
    builder b;
    record_header(b, tls_content_type::handshake, first_record_version, 0);  // length filled in last
    b.u8(tls_handshake_type::client_hello);
    const std::size_t hello = b.open(3);
    b.u16(legacy_version);
    f.random_offset = b.zeros(field_size);
    b.u8(field_size);
    f.session_id_offset = b.zeros(field_size);
    b.u16(sizeof cipher_suites);
    for (std::uint16_t suite : cipher_suites) b.u16(suite);
    b.u8(1);  // legacy_compression_methods: null only (4.1.2)
    b.u8(0);
    const std::size_t exts = b.open(2);
    if (!sni.empty()) {  // RFC 6066 3: ServerNameList of one host_name
        b.u16(ext::server_name);
        const std::size_t e = b.open(2);
        const std::size_t list = b.open(2);
        b.u8(0);  // host_name
        b.u16(static_cast<std::uint16_t>(sni.size()));
        b.text(sni);
        b.close(list, 2);
        b.close(e, 2);
    }
    u16_list_extension(b, ext::supported_groups, groups);
    fixed_extension(b, ext::ec_point_formats, {1, 0});  // RFC 8422 5.1.2: uncompressed only
    u16_list_extension(b, ext::signature_algorithms, signature_schemes);
    b.u16(ext::alpn);  // RFC 7301 3.1: ProtocolNameList of 8-bit-length names
    const std::size_t alpn = b.open(2);
    const std::size_t names = b.open(2);
    for (std::string_view p : {std::string_view("h2"), std::string_view("http/1.1")}) {
        b.u8(static_cast<std::uint8_t>(p.size()));
        b.text(p);
    }
    b.close(names, 2);
    b.close(alpn, 2);
    // RFC 8446 4.2.1: an 8-bit list length in a ClientHello; TLS 1.3, then 1.2.
    fixed_extension(b, ext::supported_versions, {4, 0x03, 0x04, 0x03, 0x03});
    fixed_extension(b, ext::psk_key_exchange_modes, {1, 1});  // 4.2.9: psk_dhe_ke
    b.u16(ext::key_share);  // 4.2.8: client_shares of one KeyShareEntry
    b.u16(2 + 4 + field_size);
    b.u16(4 + field_size);
    b.u16(x25519);
    b.u16(field_size);
    f.key_share_offset = b.zeros(field_size);
    b.close(exts, 2);
    b.close(hello, 3);
    b.close(3, 2);
    f.bytes = std::move(b.bytes);
    return f;
}

tls_flight tls_server_hello(std::size_t opaque_bytes, std::uint64_t seed) {
    tls_flight f;
    builder b;
    record_header(b, tls_content_type::handshake, legacy_version, 0);
    b.u8(tls_handshake_type::server_hello);
    const std::size_t hello = b.open(3);
    b.u16(legacy_version);
    counter_rng random_rng(seed, rng_stream::server_random);
    f.random_offset = b.random(field_size, random_rng);
    b.u8(field_size);
    f.session_id_offset = b.zeros(field_size);
    b.u16(tls_aes_128_gcm_sha256);
    b.u8(0);  // legacy_compression_method
    const std::size_t exts = b.open(2);
    fixed_extension(b, ext::supported_versions, {0x03, 0x04});  // 4.2.1: selected_version (TLS 1.3)
    b.u16(ext::key_share);  // 4.2.8: one KeyShareEntry
    b.u16(4 + field_size);
    b.u16(x25519);
    b.u16(field_size);
    counter_rng key(seed, rng_stream::server_key);
    f.key_share_offset = b.random(field_size, key);
    b.close(exts, 2);
    b.close(hello, 3);
    b.close(3, 2);
    change_cipher_spec(b);
    counter_rng flight(seed, rng_stream::server_flight);
    opaque_records(b, std::max<std::size_t>(opaque_bytes, 1), flight);
    f.bytes = std::move(b.bytes);
    return f;
}

std::vector<std::byte> tls_client_finished(std::uint64_t seed) {
    builder b;
    change_cipher_spec(b);
    counter_rng rng(seed, rng_stream::client_finished);
    opaque_records(b, tls_client_finished_payload, rng);
    return std::move(b.bytes);
}

std::vector<std::byte> tls_application_data(std::size_t payload_bytes, std::uint64_t seed) {
    builder b;
    counter_rng rng(seed, rng_stream::application_data);
    opaque_records(b, payload_bytes, rng);
    return std::move(b.bytes);
}

result<tls_client_hello_info> parse_tls_client_hello(const_byte_span in) noexcept {
    using R = result<tls_client_hello_info>;
    if (in.size() < tls_record_header_size) return R::fail(decode_error::truncated, in.size());
    if (std::to_integer<unsigned>(in[0]) != tls_content_type::handshake) return R::fail(decode_error::bad_value, 0);
    if (std::to_integer<unsigned>(in[1]) != 3) return R::fail(decode_error::bad_value, 1);
    const std::size_t length = load_be16(in.data() + 3);
    if (length > tls_max_plaintext) return R::fail(decode_error::bad_length, 3);
    if (in.size() - tls_record_header_size < length) return R::fail(decode_error::truncated, in.size());
    // 5.1: no zero-length handshake fragments; a shorter one is a split header.
    if (length == 0) return R::fail(decode_error::bad_length, 3);
    if (length < tls_handshake_header_size) return R::fail(decode_error::unsupported, 3);
    if (std::to_integer<unsigned>(in[5]) != tls_handshake_type::client_hello)
        return R::fail(decode_error::bad_value, 5);
    const std::size_t hlen = std::size_t{load_be16(in.data() + 6)} << 8 | std::to_integer<std::size_t>(in[8]);
    if (hlen > length - tls_handshake_header_size) return R::fail(decode_error::unsupported, 6);
    if (hlen < length - tls_handshake_header_size) return R::fail(decode_error::bad_length, 6);

    R r;
    r.value.record_size = tls_record_header_size + length;
    cursor c{in, 9, r.value.record_size};
    const auto bad = [](std::size_t at) { return R::fail(decode_error::bad_length, at); };
    // 4.1.2: legacy_version, random, legacy_session_id<0..32>,
    // cipher_suites<2..2^16-2>, legacy_compression_methods<1..2^8-1>.
    if (!c.has(2 + field_size + 1)) return bad(c.pos);
    c.pos += 2 + field_size;
    std::size_t at = c.pos;
    const std::size_t sid = c.u8();
    if (sid > field_size || !c.has(sid)) return bad(at);
    c.pos += sid;
    at = c.pos;
    if (!c.has(2)) return bad(at);
    const std::size_t suites = c.u16();
    if (suites == 0 || suites % 2 != 0 || !c.has(suites)) return bad(at);
    c.pos += suites;
    at = c.pos;
    if (!c.has(1)) return bad(at);
    const std::size_t methods = c.u8();
    if (methods == 0 || !c.has(methods)) return bad(at);
    c.pos += methods;
    if (!c.has(1)) return r;  // no extensions at all (a TLS 1.2 hello may omit them)
    at = c.pos;
    if (!c.has(2)) return bad(at);
    const std::size_t extensions = c.u16();
    if (extensions != c.end - c.pos) return bad(at);

    bool sni_seen = false;
    while (c.pos < c.end) {
        at = c.pos;
        if (!c.has(4)) return bad(at);
        const std::size_t type = c.u16();
        const std::size_t size = c.u16();
        if (!c.has(size)) return bad(at + 2);
        cursor e{in, c.pos, c.pos + size};
        c.pos += size;
        if (type != ext::server_name) continue;
        if (sni_seen) return R::fail(decode_error::bad_value, at);  // 4.2: one extension of a type
        sni_seen = true;
        // RFC 6066 3: ServerNameList server_name_list<1..2^16-1>, entries of
        // NameType and HostName<1..2^16-1>; at most one host_name.
        if (!e.has(2)) return bad(e.pos);
        const std::size_t list = e.u16();
        if (list == 0 || list != size - 2) return bad(e.pos - 2);
        while (e.pos < e.end) {
            const std::size_t entry = e.pos;
            if (!e.has(3)) return bad(entry);
            const std::size_t name_type = e.u8();
            const std::size_t name_size = e.u16();
            if (name_size == 0 || !e.has(name_size)) return bad(entry + 1);
            if (name_type == 0) {
                if (!r.value.sni.empty()) return R::fail(decode_error::bad_value, entry);
                r.value.sni = std::string_view(reinterpret_cast<const char*>(in.data() + e.pos), name_size);
            }
            e.pos += name_size;
        }
    }
    return r;
}

}  // namespace qqgen::proto
