// A session's identity, derived rather than stored (design.md "Derive, don't
// store"): everything about the user in slot `slot` of this worker, in its
// `incarnation` (the how-many-th user of that slot), is a pure function of
// (seed, worker, slot, incarnation) through counter_rng.
//
// Look-ups are arithmetic:
// - server half: the QQ number in every client header is
//   qq_number_base + worker * users + slot;
// - client half: the client endpoint (address, port) a reply is sent to,
//   through endpoint_space.hpp: endpoint g * users + slot serves slot `slot`
//   in incarnations with incarnation % generations == g. Consecutive users of
//   a slot therefore use different client ports (when there are at least
//   2 x users endpoints), so late replies to a previous user are recognised
//   as stale, not misread.
// - Sequence numbers: the user of incarnation i of a slot numbers its
//   requests from sequence_start(slot, i) = base(slot) + i * span (mod 2^16),
//   span = requests_per_session(). Consecutive users' windows never overlap,
//   so the server half tells a stale request (previous window) from a current
//   one, even through a NAT that hides the client port.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dataplane/engine/load_settings.hpp"
#include "dataplane/engine/derived_key_cache.hpp"
#include "dataplane/engine/endpoint_space.hpp"
#include "dataplane/engine/queue_steering.hpp"
#include "protocols/counter_rng.hpp"
#include "protocols/md5.hpp"
#include "protocols/net_headers.hpp"
#include "protocols/qq_tea.hpp"

namespace qqgen::engine {

// What a value is derived for: the counter_rng stream of each is distinct.
enum class draw_kind : std::uint8_t {
    sequence_base,
    initial_key,
    session_key,
    token,
    dns_id,
    password,
    padding,
    redirect,
    login_server,
    charset,
    font,
    text,
    style,
    delay,
    push_sequence,
    face,
    resend,
    text_size,  // appended: the draws above keep their streams
    transport,  // UDP or TCP user (docs/tcp.md)
    tcp_isn,    // initial sequence numbers of both sides
};

inline constexpr std::size_t token_size = 24;  // pidgin 2.4: the usual token length
inline constexpr std::size_t password_size = 13;  // "qq" + 11 characters

class session_identity {
public:
    // How many recent session and password keys are kept (derived_key_cache.hpp).
    static constexpr std::size_t session_keys_kept = 1024;
    static constexpr std::size_t password_keys_kept = 256;

    // Throws std::invalid_argument where `steering` is impossible for the
    // settings' client ports (load_settings::validate_for_workers says so first).
    session_identity(const load_settings& s, std::uint32_t worker_index, std::uint32_t worker_count,
                     const queue_steering& steering = {})
        : seed_(s.seed),
          worker_(worker_index),
          users_(s.users),
          qq_first_(s.qq_number_base + worker_index * s.users),
          span_(static_cast<std::uint32_t>(s.requests_per_session())),
          ppm_redirect_(s.redirect_ppm),
          server_count_(s.login_server_count),
          endpoints_(qq_client_range(s), s.users, worker_index, worker_count, steering) {}

    // The QQ clients' addresses and ports.
    static endpoint_range qq_client_range(const load_settings& s) noexcept {
        return {s.client_address_base, s.client_address_count, s.client_port_base, s.client_ports_per_address};
    }

    // The value number `extra` of kind k for (slot, incarnation).
    [[nodiscard]] std::uint64_t draw(draw_kind k, std::uint32_t slot, std::uint32_t incarnation,
                                     std::uint32_t extra = 0) const noexcept {
        return proto::counter_random(seed_, stream_of(k, slot), (std::uint64_t{incarnation} << 24) ^ extra);
    }

    // --- QQ numbers (server-half look-up) -------------------------------
    [[nodiscard]] std::uint32_t qq_number(std::uint32_t slot) const noexcept { return qq_first_ + slot; }
    // no_slot when the number is not one of this worker's users.
    [[nodiscard]] std::uint32_t slot_of_qq(std::uint32_t qq) const noexcept {
        const std::uint32_t s = qq - qq_first_;
        return s < users_ ? s : no_slot;
    }

    // --- client endpoints (client-half look-up) ---------------------------
    [[nodiscard]] std::uint32_t generations() const noexcept { return endpoints_.generations(); }
    [[nodiscard]] std::uint32_t generation_of(std::uint32_t incarnation) const noexcept {
        return endpoints_.generation_of(incarnation);
    }
    // The endpoint the user sends from to (server, server_port): one per
    // server where RSS steers flows (endpoint_space.hpp).
    [[nodiscard]] client_endpoint endpoint(std::uint32_t slot, std::uint32_t incarnation, const proto::ip_address& server,
                                           std::uint16_t server_port) const noexcept {
        return endpoints_.endpoint(slot, incarnation, server, server_port);
    }
    // slot no_slot when (ip, port) is not an endpoint of this worker; the
    // server is the other end of the frame's flow.
    [[nodiscard]] endpoint_owner owner_of(const proto::ip_address& ip, std::uint16_t port, const proto::ip_address& server,
                                          std::uint16_t server_port) const noexcept {
        return endpoints_.owner_of(ip, port, server, server_port);
    }

    // --- sequence windows ------------------------------------------------
    [[nodiscard]] std::uint32_t sequence_span() const noexcept { return span_; }
    [[nodiscard]] std::uint16_t sequence_start(std::uint32_t slot, std::uint32_t incarnation) const noexcept {
        const auto base = static_cast<std::uint32_t>(draw(draw_kind::sequence_base, slot, 0));
        return static_cast<std::uint16_t>(base + incarnation * span_);
    }
    // The offset of `sequence` in the window of (slot, incarnation), or -1.
    [[nodiscard]] std::int32_t sequence_offset(std::uint32_t slot, std::uint32_t incarnation,
                                               std::uint16_t sequence) const noexcept {
        const auto off = static_cast<std::uint16_t>(sequence - sequence_start(slot, incarnation));
        return off < span_ ? static_cast<std::int32_t>(off) : -1;
    }

    // --- keys and tokens ---------------------------------------------------
    [[nodiscard]] proto::tea_key initial_key(std::uint32_t slot, std::uint32_t incarnation) const noexcept {
        return key_from(draw_kind::initial_key, slot, incarnation);
    }
    // What the login server hands out (login-OK bytes 1..16). The recent
    // ones are kept (derived_key_cache.hpp): every frame after the login
    // needs its user's several times.
    [[nodiscard]] proto::tea_key session_key(std::uint32_t slot, std::uint32_t incarnation) const noexcept {
        return session_keys_.get(slot, incarnation,
                                 [&]() noexcept { return key_from(draw_kind::session_key, slot, incarnation); });
    }
    // The token answered to the token request at sequence offset `offset`.
    void token(std::uint32_t slot, std::uint32_t incarnation, std::uint32_t offset,
               std::span<std::byte, token_size> out) const noexcept {
        for (std::size_t i = 0; i < token_size; i += 8) {
            const std::uint64_t v = draw(draw_kind::token, slot, incarnation, offset * 4 + static_cast<std::uint32_t>(i / 8));
            for (std::size_t b = 0; b < 8; ++b) out[i + b] = std::byte(v >> (8 * b));
        }
    }
    [[nodiscard]] std::uint16_t dns_id(std::uint32_t slot, std::uint32_t incarnation) const noexcept {
        return static_cast<std::uint16_t>(draw(draw_kind::dns_id, slot, incarnation));
    }
    // The login server a user looks up and tries first.
    [[nodiscard]] std::uint8_t first_server(std::uint32_t slot, std::uint32_t incarnation) const noexcept {
        return static_cast<std::uint8_t>(draw(draw_kind::login_server, slot, incarnation) % server_count_);
    }
    [[nodiscard]] std::uint8_t redirect_target(std::uint8_t from) const noexcept {
        return static_cast<std::uint8_t>((from + 1u) % server_count_);
    }
    // Whether the server redirects this user's first login.
    [[nodiscard]] bool redirected(std::uint32_t slot, std::uint32_t incarnation) const noexcept {
        return draw(draw_kind::redirect, slot, incarnation) % 1'000'000 < ppm_redirect_;
    }

    // The account's password: a function of the seed and the QQ number only
    // (an account keeps its password from one login to the next).
    [[nodiscard]] std::array<char, password_size> password(std::uint32_t slot) const noexcept {
        const std::uint64_t v = proto::counter_random(seed_, 0x7061737377646Full /* "passwd" */, qq_number(slot));
        static constexpr char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
        std::array<char, password_size> pw{'q', 'q'};
        for (std::size_t i = 2; i < password_size; ++i) pw[i] = alphabet[(v >> (5 * (i - 2))) & 31];
        return pw;
    }
    // MD5(MD5(password)), about 0.2 us (protocols/md5.hpp): derived, not
    // stored with the user; the recent ones are kept (derived_key_cache.hpp).
    [[nodiscard]] proto::tea_key password_key(std::uint32_t slot) const noexcept {
        return password_keys_.get(slot, 0, [&]() noexcept {
            const auto pw = password(slot);
            return proto::password_key({pw.data(), pw.size()});
        });
    }

    [[nodiscard]] std::uint32_t users() const noexcept { return users_; }
    [[nodiscard]] std::uint32_t worker() const noexcept { return worker_; }

private:
    [[nodiscard]] std::uint64_t stream_of(draw_kind k, std::uint32_t slot) const noexcept {
        return (std::uint64_t{static_cast<std::uint8_t>(k)} << 56) | (std::uint64_t{worker_ & 0xFFFFFFu} << 32) | slot;
    }
    // Draws 0 and 1 of (k, slot, incarnation), little-endian, with the
    // stream's part of counter_random computed once for both.
    proto::tea_key key_from(draw_kind k, std::uint32_t slot, std::uint32_t incarnation) const noexcept {
        const std::uint64_t stream = proto::stream_key(seed_, stream_of(k, slot));
        const std::uint64_t counter = std::uint64_t{incarnation} << 24;
        proto::tea_key key;
        for (std::size_t i = 0; i < 2; ++i) {
            // draw(k, slot, incarnation, i)
            const std::uint64_t v = proto::counter_random_in(stream, counter ^ i);
            for (std::size_t b = 0; b < 8; ++b) key.bytes[8 * i + b] = std::byte(v >> (8 * b));
        }
        return key;
    }

    std::uint64_t seed_;
    std::uint32_t worker_;
    std::uint32_t users_;
    std::uint32_t qq_first_;
    std::uint32_t span_;
    std::uint32_t ppm_redirect_;
    std::uint32_t server_count_;
    endpoint_space endpoints_;
    // Caches of pure derivations: filling them changes no answer, so the
    // derivations stay const. One worker's, never shared between threads.
    // Sized for the frames of a few RX/TX bursts (24 bytes an entry).
    mutable derived_key_cache<session_keys_kept> session_keys_;
    mutable derived_key_cache<password_keys_kept> password_keys_;
};

}  // namespace qqgen::engine
