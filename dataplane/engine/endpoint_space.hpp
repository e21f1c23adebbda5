// One worker's client endpoints (address, port) and the arithmetic that finds
// a slot from an endpoint (design.md "Derive, don't store"). QQ users
// (session_identity.hpp) and the companion applications (app_core.hpp) each
// have one, over the same client addresses and their own port ranges.
//
// A worker has `slots` slots; slot s in incarnation i uses endpoint number
// e = (i % generations) * slots + s, so consecutive users of a slot send from
// different ports (when there are at least 2 x slots endpoints) and late
// replies to a previous user are recognised as stale.
//
// Where endpoint e is depends on how received frames reach the workers:
// - Unsteered (one queue per port, or queues isolated by construction): the
//   range's endpoints, address-major, are cut into one block per worker;
//   endpoint e of a worker is block_start + e. The server does not matter.
// - Steered (RSS over N queues, queue_steering.hpp): every worker uses every
//   address, and each address's ports are split by correction bits
//   (protocols/rss_port_choice.hpp): endpoint e is address e / H, high part
//   e % H (H = high_count()), and its port depends on the server the flow
//   goes to, so that the flow hashes to this worker's queue in both
//   directions. A user therefore sends to DNS and to each login server from a
//   different port, as a real client with one socket per server does; the
//   look-up finds the same e from any of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "dataplane/engine/queue_steering.hpp"
#include "protocols/net_headers.hpp"
#include "protocols/rss_port_choice.hpp"

namespace qqgen::engine {

inline constexpr std::uint32_t no_slot = 0xFFFFFFFFu;

// The last 32 bits of an address (all of an IPv4 one): client address
// ranges are arithmetic on them.
inline std::uint32_t ip_low32(const proto::ip_address& a) noexcept {
    const std::size_t o = a.is_v4() ? 0 : 12;
    return (std::to_integer<std::uint32_t>(a.bytes[o]) << 24) | (std::to_integer<std::uint32_t>(a.bytes[o + 1]) << 16) |
           (std::to_integer<std::uint32_t>(a.bytes[o + 2]) << 8) | std::to_integer<std::uint32_t>(a.bytes[o + 3]);
}
inline void set_ip_low32(proto::ip_address& a, std::uint32_t v) noexcept {
    const std::size_t o = a.is_v4() ? 0 : 12;
    a.bytes[o] = std::byte(v >> 24);
    a.bytes[o + 1] = std::byte(v >> 16);
    a.bytes[o + 2] = std::byte(v >> 8);
    a.bytes[o + 3] = std::byte(v);
}

struct client_endpoint {
    proto::ip_address ip;
    std::uint16_t port = 0;
};

// Which slot a client endpoint belongs to, and for which generation of
// users (incarnation % generations).
struct endpoint_owner {
    std::uint32_t slot = no_slot;
    std::uint32_t generation = 0;
    bool in_range = false;  // slot no_slot: the endpoint is a client one, but another worker's
};

// The client addresses and one port range of a profile.
struct endpoint_range {
    proto::ip_address base;  // first client address
    std::uint32_t address_count = 0;
    std::uint16_t port_base = 0;
    std::uint32_t ports_per_address = 0;
};

class endpoint_space {
public:
    // Throws std::invalid_argument (check()'s message) where steering is
    // impossible for this range; callers validate first.
    endpoint_space(const endpoint_range& range, std::uint32_t slots, std::uint32_t worker, std::uint32_t worker_count,
                   const queue_steering& steering)
        : range_(range), worker_(worker), slots_(slots == 0 ? 1 : slots), base_low_(ip_low32(range.base)) {
        std::uint64_t per_worker = 0;
        if (steering.steered()) {
            std::string error;
            choice_ = make_choice(range, steering, error);
            if (!choice_) throw std::invalid_argument(error);
            high_count_ = choice_->high_count();
            per_worker = std::uint64_t{range.address_count} * high_count_;
        } else {
            per_worker = std::uint64_t{range.address_count} * range.ports_per_address /
                         (worker_count == 0 ? 1 : worker_count);
            block_start_ = per_worker * worker;
        }
        const std::uint64_t g = per_worker / slots_;
        generations_ = g == 0 ? 1 : static_cast<std::uint32_t>(g < 0xFFFFFFFFu ? g : 0xFFFFFFFFu);
    }

    // Endpoints each worker has for `range` (set-up: builds the choice when
    // steered), or 0 with `error` saying why steering is impossible.
    [[nodiscard]] static std::uint64_t endpoints_per_worker(const endpoint_range& range, std::uint32_t worker_count,
                                                            const queue_steering& steering, std::string& error) {
        error.clear();
        if (!steering.steered())
            return std::uint64_t{range.address_count} * range.ports_per_address / (worker_count == 0 ? 1 : worker_count);
        if (steering.queues != worker_count) {
            error = "RSS spreads flows over " + std::to_string(steering.queues) + " queues but there are " +
                    std::to_string(worker_count) + " workers; each worker needs its own queue";
            return 0;
        }
        const auto choice = make_choice(range, steering, error);
        return choice ? std::uint64_t{range.address_count} * choice->high_count() : 0;
    }

    [[nodiscard]] bool steered() const noexcept { return choice_.has_value(); }
    [[nodiscard]] std::uint32_t generations() const noexcept { return generations_; }
    [[nodiscard]] std::uint32_t generation_of(std::uint32_t incarnation) const noexcept {
        return incarnation % generations_;
    }

    // The endpoint slot `slot` sends from in `incarnation` to (server, server_port).
    [[nodiscard]] client_endpoint endpoint(std::uint32_t slot, std::uint32_t incarnation, const proto::ip_address& server,
                                           std::uint16_t server_port) const noexcept {
        const std::uint64_t e = std::uint64_t{generation_of(incarnation)} * slots_ + slot;
        client_endpoint out;
        out.ip = range_.base;
        if (choice_) {
            set_ip_low32(out.ip, base_low_ + static_cast<std::uint32_t>(e / high_count_));
            out.port = choice_->client_port_for(static_cast<std::uint32_t>(e % high_count_), worker_, out.ip, server,
                                                server_port);
            return out;
        }
        const std::uint64_t g = block_start_ + e;
        set_ip_low32(out.ip, base_low_ + static_cast<std::uint32_t>(g / range_.ports_per_address));
        out.port = static_cast<std::uint16_t>(range_.port_base + g % range_.ports_per_address);
        return out;
    }

    // Whether `port` lies in the range's ports (cheap: a received frame's first test).
    [[nodiscard]] bool is_client_port(std::uint16_t port) const noexcept {
        return static_cast<std::uint32_t>(port) - range_.port_base < range_.ports_per_address;
    }

    // The owner of client endpoint (ip, port) of a flow with (server,
    // server_port); slot no_slot when it is not one of this worker's.
    [[nodiscard]] endpoint_owner owner_of(const proto::ip_address& ip, std::uint16_t port, const proto::ip_address& server,
                                          std::uint16_t server_port) const noexcept {
        endpoint_owner none;
        const proto::ip_address& base = range_.base;
        if (ip.version != base.version) return none;
        if (ip.is_v6())
            for (std::size_t i = 0; i < 12; ++i)
                if (ip.bytes[i] != base.bytes[i]) return none;
        const std::uint32_t a = ip_low32(ip) - base_low_;
        if (a >= range_.address_count || !is_client_port(port)) return none;
        none.in_range = true;
        std::uint64_t local = 0;
        if (choice_) {
            const proto::rss_port_owner o = choice_->decode(port, ip, server, server_port);
            if (!o.ok || o.worker != worker_) return none;
            local = std::uint64_t{a} * high_count_ + o.high;
        } else {
            const std::uint64_t e = std::uint64_t{a} * range_.ports_per_address + (port - range_.port_base);
            if (e < block_start_) return none;
            local = e - block_start_;
        }
        if (local >= std::uint64_t{generations_} * slots_) return none;
        return {static_cast<std::uint32_t>(local % slots_), static_cast<std::uint32_t>(local / slots_), true};
    }

private:
    static std::optional<proto::rss_port_choice> make_choice(const endpoint_range& range, const queue_steering& steering,
                                                             std::string& error) {
        const proto::rss_port_config config{steering.queues, range.port_base, range.ports_per_address};
        return proto::rss_port_choice::make(steering.key, config, error);
    }

    endpoint_range range_;
    std::uint32_t worker_;
    std::uint32_t slots_;
    std::uint32_t base_low_;
    std::uint64_t block_start_ = 0;
    std::uint32_t generations_ = 1;
    std::uint32_t high_count_ = 1;
    std::optional<proto::rss_port_choice> choice_;
};

}  // namespace qqgen::engine
