// The companion sessions of one worker (app_engine.hpp): one 64-byte record
// per slot, the timers' nodes, a cold array of send times, and the FIFO of
// free slots. Everything is allocated at construction.
//
// A slot's record holds both halves of its session, as QQ's does
// (design.md "Sessions"): the client side and the server side of a TCP
// connection, or the client's and the server's progress over UDP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dataplane/engine/app_settings.hpp"
#include "dataplane/engine/timer_wheel.hpp"

namespace qqgen::engine {

// One side of a scripted TCP connection (app_tcp.hpp). Positions count the
// side's stream from 0 (its SYN): data byte i is at 1 + i; the FIN after
// the last byte. Sequence numbers are the side's ISN plus a position.
struct app_tcp_side {
    std::uint32_t una = 0;       // first position the peer has not acknowledged
    std::uint32_t nxt = 0;       // next position to send
    std::uint32_t end = 0;       // position after what may be sent now (the current message, the FIN)
    std::uint32_t rcv = 0;       // next position expected from the peer (0: its SYN)
    std::uint32_t peer_isn = 0;  // learnt from the peer's SYN (a DUT may rewrite ISNs)
    std::uint32_t rx_start = 0;  // where the peer's message being received starts
    std::uint16_t rx_txn = 0;    // which transaction that message belongs to
    std::uint8_t state = 0;      // app_tcp_state
    std::uint8_t tries = 0;      // transmissions of what is at una
};
static_assert(sizeof(app_tcp_side) == 28);

struct app_session {
    std::uint32_t incarnation = 0;  // users of this slot so far; this one's number
    app_kind kind = app_kind::dns;
    std::uint8_t variant = 0;
    std::uint8_t active = 0;        // 1 while a session owns the slot
    std::uint8_t flags = 0;         // app_session_flag
    app_tcp_side client{};          // UDP: tries and rx_txn (next transaction) of the client
    app_tcp_side server{};          // UDP: rx_txn (datagrams received) of the server
};
static_assert(sizeof(app_session) == 64, "one cache line per companion session");

namespace app_session_flag {
inline constexpr std::uint8_t fin_sent = 0x01;      // client: its FIN is queued
inline constexpr std::uint8_t draining = 0x02;      // udp_stream: last datagram sent, waiting for stragglers
}  // namespace app_session_flag

class app_slots {
public:
    explicit app_slots(std::uint32_t slots)
        : slots_(slots), records_(slots), nodes_(2 * std::size_t{slots}), sent_us_(slots), free_(slots) {
        for (std::uint32_t s = 0; s < slots; ++s) free_[s] = s;
        free_count_ = slots;
    }

    [[nodiscard]] std::uint32_t size() const noexcept { return slots_; }
    app_session& operator[](std::uint32_t slot) noexcept { return records_[slot]; }
    const app_session& operator[](std::uint32_t slot) const noexcept { return records_[slot]; }
    // When the current request (TCP: or the SYN) of the slot was first sent, in us.
    std::uint32_t& sent_us(std::uint32_t slot) noexcept { return sent_us_[slot]; }

    // Timer node ids: `slot` is the client's, slots + slot the server's.
    struct nodes_view {
        timer_node* base;
        timer_node& operator()(std::uint32_t id) const noexcept { return base[id]; }
    };
    [[nodiscard]] nodes_view nodes() noexcept { return nodes_view{nodes_.data()}; }

    [[nodiscard]] std::uint32_t free_count() const noexcept { return free_count_; }
    [[nodiscard]] std::uint32_t active() const noexcept { return slots_ - free_count_; }
    std::uint32_t take_free() noexcept {
        const std::uint32_t s = free_[head_];
        head_ = head_ + 1 == slots_ ? 0 : head_ + 1;
        --free_count_;
        records_[s].active = 1;
        return s;
    }
    void release(std::uint32_t slot) noexcept {
        records_[slot].active = 0;
        std::uint32_t tail = head_ + free_count_;
        if (tail >= slots_) tail -= slots_;
        free_[tail] = slot;
        ++free_count_;
    }
    [[nodiscard]] std::size_t bytes_per_session() const noexcept {
        return sizeof(app_session) + 2 * sizeof(timer_node) + sizeof(std::uint32_t) + sizeof(std::uint32_t);
    }

private:
    std::uint32_t slots_;
    std::vector<app_session> records_;
    std::vector<timer_node> nodes_;
    std::vector<std::uint32_t> sent_us_;
    std::vector<std::uint32_t> free_;
    std::uint32_t head_ = 0;
    std::uint32_t free_count_ = 0;
};

}  // namespace qqgen::engine
