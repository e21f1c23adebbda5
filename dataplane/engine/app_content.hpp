// The bytes every companion application sends, prepared once at set-up
// (app_settings.hpp): HTTP requests and pages, TLS flights and records, the
// TCP and UDP streams' patterns. The engine copies from them into segments
// and checks every received byte against them, so a session's content is a
// pure function of (application, variant, transaction) and a retransmission
// is a copy of the same bytes.
//
// Set-up may allocate and may fail (iconv for the GBK pages): error() says
// why; the engine refuses to start then. The look-ups below are noexcept and
// allocate nothing.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dataplane/engine/app_settings.hpp"

namespace qqgen::engine {

struct load_settings;

// The byte ranges of one variant of one application.
struct app_variant_bytes {
    std::vector<std::byte> first_request;  // transaction 0's request (TLS: the ClientHello)
    std::vector<std::byte> request;        // every later transaction's request
    std::vector<std::byte> second_request; // when not empty, transaction 1's (TLS: Finished, then the request)
    std::vector<std::byte> first_response; // transaction 0's response (TLS: the server's flight)
    std::vector<std::byte> response;       // every later transaction's response
    std::size_t hello_random = 0;          // TLS: offsets of the per-session 32-byte fields of the hellos
    std::size_t hello_session_id = 0;
    std::size_t hello_key_share = 0;
    std::size_t server_random = 0;
    std::size_t server_session_id = 0;
    std::size_t server_key_share = 0;
};

class app_content {
public:
    explicit app_content(const load_settings& s);

    // Empty when everything could be prepared.
    [[nodiscard]] const std::string& error() const noexcept { return error_; }

    // The request (client to server) and response of transaction t of a
    // session of application k using variant v.
    [[nodiscard]] std::span<const std::byte> request(app_kind k, std::uint8_t v, std::uint32_t t) const noexcept {
        const app_variant_bytes& b = bytes_[idx(k)][v];
        if (t == 0) return b.first_request;
        if (t == 1 && !b.second_request.empty()) return b.second_request;
        return b.request;
    }
    [[nodiscard]] std::span<const std::byte> response(app_kind k, std::uint8_t v, std::uint32_t t) const noexcept {
        const app_variant_bytes& b = bytes_[idx(k)][v];
        return t == 0 ? std::span<const std::byte>(b.first_response) : std::span<const std::byte>(b.response);
    }
    [[nodiscard]] const app_variant_bytes& variant_bytes(app_kind k, std::uint8_t v) const noexcept {
        return bytes_[idx(k)][v];
    }

    // The variant a draw picks, by the variants' weights.
    [[nodiscard]] std::uint8_t pick_variant(app_kind k, std::uint64_t draw) const noexcept {
        const auto& cum = cumulative_[idx(k)];
        const std::uint32_t total = cum[max_app_variants - 1];
        if (total == 0) return 0;
        const auto r = static_cast<std::uint32_t>(draw % total);
        std::uint8_t v = 0;
        while (v + 1u < max_app_variants && r >= cum[v]) ++v;
        return v;
    }

    // The UDP stream's payload pattern: datagram n's bytes start at
    // pattern offset (n * 61) % 256, so consecutive datagrams differ.
    [[nodiscard]] std::span<const std::byte> stream_pattern(std::uint32_t n, std::size_t size) const noexcept {
        return std::span<const std::byte>(pattern_).subspan((n * 61u) % 256u, size);
    }

private:
    static constexpr std::size_t idx(app_kind k) noexcept { return static_cast<std::size_t>(k); }
    void prepare(const load_settings& s, app_kind k);

    std::array<std::array<app_variant_bytes, max_app_variants>, app_kind_count> bytes_{};
    std::array<std::array<std::uint32_t, max_app_variants>, app_kind_count> cumulative_{};
    std::vector<std::byte> pattern_;
    std::string error_;
};

}  // namespace qqgen::engine
