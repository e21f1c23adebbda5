// One worker's sessions: the 64-byte hot records and the cold parallel
// arrays, all allocated at construction (nothing grows later), plus the FIFO
// of free slots (FIFO rather than LIFO so a slot rests as long as possible
// before its next user, which keeps late frames of the previous one rare).
//
// Cold arrays, per slot:
// - relay_timer: the server half's timer for a 0x0017 relay awaiting the
//   buddy's ack (node id users + slot in the worker's timer wheel);
// - im_md5: MD5(uid || session key) of the current login, which every 0x0016
//   carries (qq-protocol.md "Instant message body"); computed once per login
//   because MD5 is too slow per message;
// - seen IPv6 address: where the server half last saw the user's requests
//   come from (after any NAT), where relays are sent (an IPv4 address and
//   the port fit in the hot record).
//
// The FIFO of free slots is a list threaded through the free records (their
// login_start_us, unused while a slot is idle): no array of its own, so a
// session costs 64 + 12 + 16 = 92 bytes with IPv4 (issue 6: at most 96 bytes
// per user all included).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "dataplane/engine/session_identity.hpp"
#include "dataplane/engine/session_record.hpp"
#include "dataplane/engine/timer_wheel.hpp"
#include "protocols/net_headers.hpp"

namespace qqgen::engine {

using im_digest = std::array<std::byte, 16>;

class session_table {
public:
    session_table(std::uint32_t users, bool ipv6)
        : users_(users), ipv6_(ipv6), records_(users), relay_timers_(users), im_md5_(users) {
        if (ipv6_) seen_ip6_.resize(users);
        for (std::uint32_t s = 0; s + 1 < users; ++s) link(s) = s + 1;
        free_head_ = 0;
        free_tail_ = users == 0 ? 0 : users - 1;
        free_count_ = users;
    }

    [[nodiscard]] std::uint32_t users() const noexcept { return users_; }
    session_record& operator[](std::uint32_t slot) noexcept { return records_[slot]; }
    const session_record& operator[](std::uint32_t slot) const noexcept { return records_[slot]; }

    timer_node& relay_timer(std::uint32_t slot) noexcept { return relay_timers_[slot]; }
    im_digest& im_md5(std::uint32_t slot) noexcept { return im_md5_[slot]; }

    void set_seen(std::uint32_t slot, const proto::ip_address& ip, std::uint16_t port) noexcept {
        if (ipv6_) seen_ip6_[slot] = ip.bytes;
        else records_[slot].seen_ip4 = ip.v4().to_u32();
        records_[slot].seen_port = port;
    }
    [[nodiscard]] client_endpoint seen(std::uint32_t slot) const noexcept {
        client_endpoint e;
        if (ipv6_) e.ip = proto::ipv6_address{seen_ip6_[slot]};
        else e.ip = proto::ipv4_address::from_u32(records_[slot].seen_ip4);
        e.port = records_[slot].seen_port;
        return e;
    }

    // --- free slots ---------------------------------------------------------
    [[nodiscard]] std::uint32_t free_count() const noexcept { return free_count_; }
    [[nodiscard]] std::uint32_t active() const noexcept { return users_ - free_count_; }
    // The slot free the longest, or no_slot.
    std::uint32_t take_free() noexcept {
        if (free_count_ == 0) return no_slot;
        const std::uint32_t s = free_head_;
        if (--free_count_ != 0) free_head_ = link(s);
        link(s) = 0;  // login_start_us again
        return s;
    }
    // `slot` (taken, its client half idle now) goes to the back of the FIFO.
    void release(std::uint32_t slot) noexcept {
        if (free_count_ == 0) free_head_ = slot;
        else link(free_tail_) = slot;
        free_tail_ = slot;
        ++free_count_;
    }

    // The memory one session costs: the hot line and every cold array.
    [[nodiscard]] std::size_t bytes_per_session() const noexcept {
        return sizeof(session_record) + sizeof(timer_node) + sizeof(im_digest) + (ipv6_ ? 16 : 0);
    }
    [[nodiscard]] std::size_t memory_bytes() const noexcept { return bytes_per_session() * users_; }

    // The timer wheel's view of the nodes: client timers are ids 0..users-1,
    // relay timers users..2*users-1.
    struct timer_nodes {
        session_table* table;
        timer_node& operator()(std::uint32_t id) const noexcept {
            return id < table->users_ ? table->records_[id].timer : table->relay_timers_[id - table->users_];
        }
    };
    [[nodiscard]] timer_nodes nodes() noexcept { return {this}; }
    [[nodiscard]] std::uint32_t relay_timer_id(std::uint32_t slot) const noexcept { return users_ + slot; }

private:
    // The next free slot after free slot `slot`, in the FIFO.
    std::uint32_t& link(std::uint32_t slot) noexcept { return records_[slot].login_start_us; }

    std::uint32_t users_;
    bool ipv6_;
    std::vector<session_record> records_;
    std::vector<timer_node> relay_timers_;
    std::vector<im_digest> im_md5_;
    std::vector<std::array<std::byte, 16>> seen_ip6_;
    std::uint32_t free_head_ = 0;
    std::uint32_t free_tail_ = 0;
    std::uint32_t free_count_ = 0;
};

}  // namespace qqgen::engine
