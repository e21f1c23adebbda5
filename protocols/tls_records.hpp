// TLS 1.3 sessions as a middlebox sees them (RFC 8446), a companion
// application blended with QQ traffic: a browser's ClientHello with SNI
// (RFC 6066 3) and ALPN (RFC 7301), the server's hello flight, then opaque
// application_data records. Nothing is encrypted: what would be ciphertext is
// deterministic pseudo-random bytes (counter_rng.hpp), which a DPI box cannot
// tell apart from the real thing without the keys.
//
// The builders are set-up code (they allocate): the session engine prepares
// the bytes once and patches the per-session 32-byte fields at the offsets
// given. The decoder is for tests and fuzzing and does not allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "protocols/bytes.hpp"

namespace qqgen::proto {

namespace tls_content_type {  // RFC 8446 5.1
inline constexpr std::uint8_t change_cipher_spec = 20;
inline constexpr std::uint8_t alert = 21;
inline constexpr std::uint8_t handshake = 22;
inline constexpr std::uint8_t application_data = 23;
}  // namespace tls_content_type

namespace tls_handshake_type {  // RFC 8446 4
inline constexpr std::uint8_t client_hello = 1;
inline constexpr std::uint8_t server_hello = 2;
}  // namespace tls_handshake_type

inline constexpr std::size_t tls_record_header_size = 5;        // type, legacy_record_version, length
inline constexpr std::size_t tls_handshake_header_size = 4;     // msg_type, uint24 length
inline constexpr std::size_t tls_max_plaintext = 16384;         // 2^14, RFC 8446 5.1
inline constexpr std::size_t tls_max_record_payload = 16384;    // what qqgen puts in one record (5.2 allows +256)
inline constexpr std::size_t tls_max_sni = 253;                 // a dotted DNS name, RFC 1035 2.3.4
inline constexpr std::size_t tls_client_finished_payload = 53;  // Finished (4 + 32) + content type + 16-byte tag

// A record holding a handshake message and where its per-session 32-byte
// fields are (offsets from the start of `bytes`), for the engine to patch.
struct tls_flight {
    std::vector<std::byte> bytes;
    std::size_t random_offset = 0;      // 32 bytes: Random
    std::size_t session_id_offset = 0;  // 32 bytes: legacy_session_id (echo)
    std::size_t key_share_offset = 0;   // 32 bytes: x25519 public key
};

// ClientHello in one record (record version 0x0301, as browsers send their
// first record; hello legacy_version 0x0303; RFC 8446 4.1.2, 5.1): 32-byte
// legacy_session_id (D.4 middlebox compatibility), the cipher suites of a
// current browser (TLS 1.3 suites then TLS 1.2 ECDHE ones), null compression,
// extensions server_name, supported_groups, ec_point_formats,
// signature_algorithms, ALPN (h2, http/1.1), supported_versions (0x0304,
// 0x0303), psk_key_exchange_modes (psk_dhe_ke) and key_share (x25519).
// The three 32-byte fields hold zeros. An empty `sni` leaves out server_name
// (a client that connects by address, RFC 6066 3); an sni longer than
// tls_max_sni gives empty bytes.
tls_flight tls_client_hello(std::string_view sni);

// The server's first flight: ServerHello (legacy_version 0x0303,
// TLS_AES_128_GCM_SHA256, supported_versions 0x0304, key_share x25519), a
// ChangeCipherSpec record (RFC 8446 D.4) and application_data records of at
// most tls_max_record_payload bytes carrying `opaque_bytes` in total (what
// would be EncryptedExtensions .. Finished). Random and key share come from
// `seed`; the session id echo holds zeros (only the engine knows the
// client's). opaque_bytes 0 is treated as 1.
tls_flight tls_server_hello(std::size_t opaque_bytes, std::uint64_t seed);

// The client's answer to that flight: ChangeCipherSpec + one 53-byte
// application_data record (its encrypted Finished).
std::vector<std::byte> tls_client_finished(std::uint64_t seed);

// application_data records carrying payload_bytes in total, each at most
// tls_max_record_payload bytes; empty for 0.
std::vector<std::byte> tls_application_data(std::size_t payload_bytes, std::uint64_t seed);

struct tls_client_hello_info {
    std::string_view sni;         // host_name of server_name, a view into the input; empty if absent
    std::size_t record_size = 0;  // header included
};

// Walks the record at the start of `in` and the ClientHello in it. Refusals:
// truncated (the input ends inside the record); bad_value for a record that
// is not a handshake, a record version other than 3.x, a handshake message
// that is not a ClientHello; bad_length for a record over 2^14 bytes, a
// handshake length that does not fill the record exactly, a vector length
// that runs past its container or leaves bytes over, an odd cipher_suites
// length, an empty host_name; unsupported for a ClientHello continued in a
// next record; bad_value for two host_name entries or two server_name
// extensions (RFC 6066 3, RFC 8446 4.2). Offsets point at the field.
result<tls_client_hello_info> parse_tls_client_hello(const_byte_span in) noexcept;

}  // namespace qqgen::proto
