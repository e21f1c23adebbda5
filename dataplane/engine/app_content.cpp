#include "dataplane/engine/app_content.hpp"

#include <algorithm>
#include <string_view>

#include "dataplane/engine/load_settings.hpp"
#include "protocols/charset.hpp"
#include "protocols/counter_rng.hpp"
#include "protocols/http_message.hpp"
#include "protocols/tls_records.hpp"

namespace qqgen::engine {

namespace {

std::vector<std::byte> bytes_of(std::string_view text) {
    std::vector<std::byte> out(text.size());
    std::transform(text.begin(), text.end(), out.begin(), [](char c) { return static_cast<std::byte>(c); });
    return out;
}

// Opaque, deterministic bytes (the TCP stream's requests and transfers).
std::vector<std::byte> pattern(std::size_t size, std::uint64_t seed) {
    std::vector<std::byte> out(size);
    proto::counter_rng(seed, 0xA5).fill(out);
    return out;
}

// The TCP stream's messages: an ASCII magic, then the pattern. Dissectors
// and DPI engines try their heuristics on a flow's first payload bytes; a
// fixed, printable start keeps a random one from looking like some protocol
// (tshark took random UDP payloads for RTCP; nDPI guessed RTMP, MongoDB).
std::vector<std::byte> stream_message(std::size_t size, std::uint64_t seed) {
    std::vector<std::byte> out = pattern(size, seed);
    constexpr std::string_view magic = "qqgs";
    for (std::size_t i = 0; i < magic.size() && i < out.size(); ++i) out[i] = static_cast<std::byte>(magic[i]);
    return out;
}

std::vector<std::byte> joined(std::vector<std::byte> a, const std::vector<std::byte>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// The TLS server's first flight after the hello: what EncryptedExtensions,
// Certificate, CertificateVerify and Finished take in a typical TLS 1.3
// handshake with a 2048-bit RSA certificate chain (about 3 KB).
constexpr std::size_t tls_server_flight_bytes = 3000;

}  // namespace

app_content::app_content(const load_settings& s) : pattern_(pattern(2048, s.seed)) {
    for (std::size_t k = 0; k < app_kind_count; ++k) {
        const app_spec& a = s.apps.apps[k];
        std::uint32_t sum = 0;
        for (std::size_t v = 0; v < max_app_variants; ++v) {
            if (v < a.variant_count) sum += a.variants[v].weight;
            cumulative_[k][v] = sum;
        }
        if (!a.enabled()) continue;
        try {
            prepare(s, static_cast<app_kind>(k));
        } catch (const std::exception& e) {
            error_ = "apps." + std::string(to_string(static_cast<app_kind>(k))) + ": " + e.what();
        }
        if (!error_.empty()) return;
    }
}

void app_content::prepare(const load_settings& s, app_kind k) {
    const app_spec& a = s.apps[k];
    for (std::uint8_t v = 0; v < a.variant_count; ++v) {
        const app_variant& var = a.variants[v];
        app_variant_bytes& b = bytes_[idx(k)][v];
        const std::uint64_t seed = proto::mix64(s.seed ^ (std::uint64_t{idx(k)} << 8) ^ v);
        switch (k) {
        case app_kind::http: {
            b.first_request = bytes_of(proto::http_get_request(var.name_view(), var.path_view(), v));
            b.request = b.first_request;
            const auto cs = static_cast<proto::charset>(var.charset);
            proto::http_response_result page = proto::http_page_response(var.response_bytes, cs, var.name_view());
            if (!page.error.empty()) {
                error_ = "apps.http: variants[" + std::to_string(v) + "]: " + page.error;
                return;
            }
            b.first_response = std::move(page.bytes);
            b.response = b.first_response;
            break;
        }
        case app_kind::tls: {
            proto::tls_flight hello = proto::tls_client_hello(var.name_view());
            proto::tls_flight server = proto::tls_server_hello(tls_server_flight_bytes, seed);
            b.first_request = std::move(hello.bytes);
            b.hello_random = hello.random_offset;
            b.hello_session_id = hello.session_id_offset;
            b.hello_key_share = hello.key_share_offset;
            b.first_response = std::move(server.bytes);
            b.server_random = server.random_offset;
            b.server_session_id = server.session_id_offset;
            b.server_key_share = server.key_share_offset;
            // The first request after the handshake carries the client's
            // ChangeCipherSpec and Finished (RFC 8446 D.4, 4.4.4) before it.
            b.request = proto::tls_application_data(a.request_bytes, seed + 1);
            b.response = proto::tls_application_data(var.response_bytes, seed + 2);
            break;
        }
        case app_kind::tcp_stream:
            b.first_request = stream_message(a.request_bytes, seed);
            b.request = b.first_request;
            b.first_response = stream_message(var.response_bytes, seed + 1);
            b.response = b.first_response;
            break;
        case app_kind::dns:
        case app_kind::udp_stream:
        case app_kind::count_: break;  // built per datagram
        }
    }
    if (k == app_kind::tls) {
        // Transaction 1's request: Finished first (kept per variant so that
        // request(k, v, t) stays one span).
        const std::vector<std::byte> finished = proto::tls_client_finished(s.seed);
        for (std::uint8_t v = 0; v < a.variant_count; ++v) {
            app_variant_bytes& b = bytes_[idx(k)][v];
            b.second_request = joined(finished, b.request);
        }
    }
}

}  // namespace qqgen::engine
