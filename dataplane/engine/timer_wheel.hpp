// A hierarchical timer wheel over 32-bit node indices (Varghese & Lauck's
// scheme as in Linux's pre-4.8 kernel/timer.c: four levels of 256 slots,
// cascading a higher-level slot down each time the level below wraps).
//
// Why this and not rte_timer or a heap: every operation is O(1) (cascades
// are amortised: a timer moves down at most three times), nothing allocates
// after construction, and a node is three 32-bit words that can live inside
// the caller's own record (the session's 64-byte cache line) instead of a
// separate timer object. Ticks are 32-bit and wrap (every 49.7 days at 1 ms);
// a timer may be at most 2^31 - 1 ticks in the future.
//
// Nodes are addressed by id. The caller owns nodes 0 .. id_limit-1 and hands
// the wheel an accessor (`timer_node& operator()(std::uint32_t id)`); the
// wheel keeps its own list heads above id_limit. Lists are circular and
// doubly linked, so cancel is an unlink and moving a whole due slot to the
// expired list is one splice.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace qqgen::engine {

inline constexpr std::uint32_t timer_none = 0xFFFFFFFFu;

struct timer_node {
    std::uint32_t next = timer_none;  // timer_none: not armed
    std::uint32_t prev = timer_none;
    std::uint32_t expires = 0;        // tick
};
static_assert(sizeof(timer_node) == 12);

template <class Nodes>
class timer_wheel {
public:
    static constexpr unsigned level_count = 4;
    static constexpr unsigned slot_bits = 8;
    static constexpr std::uint32_t slots_per_level = 1u << slot_bits;
    static constexpr std::uint32_t slot_mask = slots_per_level - 1;
    static constexpr std::uint32_t head_count = level_count * slots_per_level + 1;  // + the expired list
    static constexpr std::uint32_t max_id_limit = timer_none - head_count;

    // Ids 0 .. id_limit-1 are the caller's; `now` is the first tick to run.
    timer_wheel(std::uint32_t id_limit, Nodes nodes, std::uint32_t now = 0)
        : id_limit_(id_limit), nodes_(nodes), heads_(head_count), next_tick_(now) {
        for (std::uint32_t h = 0; h < head_count; ++h) init_head(id_limit_ + h);
    }

    // Arms (or re-arms) timer `id` for tick `expires`. A timer for a tick
    // that has already run fires with the next tick advance() runs.
    void schedule(std::uint32_t id, std::uint32_t expires) noexcept {
        if (armed(id)) unlink(id);
        else ++armed_;
        node(id).expires = expires;
        add(id);
    }

    void cancel(std::uint32_t id) noexcept {
        if (!armed(id)) return;
        unlink(id);
        --armed_;
    }

    [[nodiscard]] bool armed(std::uint32_t id) noexcept { return node(id).next != timer_none; }

    // Runs every tick up to and including `now`: due timers move to the
    // expired list, to be taken with pop_expired().
    void advance(std::uint32_t now) noexcept {
        while (static_cast<std::int32_t>(now - next_tick_) >= 0) {
            const std::uint32_t index = next_tick_ & slot_mask;
            if (index == 0 && cascade(1) == 0 && cascade(2) == 0) cascade(3);
            splice(head(0, index), expired_head());
            ++next_tick_;
        }
    }

    // The next expired timer (now disarmed), or timer_none.
    std::uint32_t pop_expired() noexcept {
        const std::uint32_t h = expired_head();
        const std::uint32_t id = node(h).next;
        if (id == h) return timer_none;
        unlink(id);
        --armed_;
        return id;
    }

    [[nodiscard]] bool has_expired() noexcept { return node(expired_head()).next != expired_head(); }
    // The first tick advance() has not run yet.
    [[nodiscard]] std::uint32_t next_tick() const noexcept { return next_tick_; }
    [[nodiscard]] std::size_t armed_count() const noexcept { return armed_; }
    [[nodiscard]] std::uint32_t id_limit() const noexcept { return id_limit_; }
    [[nodiscard]] static constexpr std::size_t memory_bytes() noexcept { return head_count * sizeof(timer_node); }

private:
    timer_node& node(std::uint32_t id) noexcept { return id >= id_limit_ ? heads_[id - id_limit_] : nodes_(id); }
    std::uint32_t head(unsigned level, std::uint32_t index) const noexcept {
        return id_limit_ + level * slots_per_level + index;
    }
    std::uint32_t expired_head() const noexcept { return id_limit_ + level_count * slots_per_level; }

    void init_head(std::uint32_t h) noexcept {
        node(h).next = h;
        node(h).prev = h;
    }
    void push_back(std::uint32_t h, std::uint32_t id) noexcept {
        const std::uint32_t last = node(h).prev;
        node(id).next = h;
        node(id).prev = last;
        node(last).next = id;
        node(h).prev = id;
    }
    void unlink(std::uint32_t id) noexcept {
        timer_node& n = node(id);
        node(n.prev).next = n.next;
        node(n.next).prev = n.prev;
        n.next = timer_none;
        n.prev = timer_none;
    }
    // Appends all of list `from` to list `to` and empties `from`.
    void splice(std::uint32_t from, std::uint32_t to) noexcept {
        const std::uint32_t first = node(from).next;
        if (first == from) return;
        const std::uint32_t last = node(from).prev;
        const std::uint32_t to_last = node(to).prev;
        node(to_last).next = first;
        node(first).prev = to_last;
        node(last).next = to;
        node(to).prev = last;
        init_head(from);
    }

    // Puts an unlinked node into the slot its expiry falls in, relative to
    // the next tick to run (kernel/timer.c internal_add_timer).
    void add(std::uint32_t id) noexcept {
        const std::uint32_t expires = node(id).expires;
        const std::uint32_t delta = expires - next_tick_;
        std::uint32_t h;
        if (static_cast<std::int32_t>(delta) < 0) {
            h = head(0, next_tick_ & slot_mask);  // already due
        } else if (delta < (1u << slot_bits)) {
            h = head(0, expires & slot_mask);
        } else if (delta < (1u << (2 * slot_bits))) {
            h = head(1, (expires >> slot_bits) & slot_mask);
        } else if (delta < (1u << (3 * slot_bits))) {
            h = head(2, (expires >> (2 * slot_bits)) & slot_mask);
        } else {
            h = head(3, (expires >> (3 * slot_bits)) & slot_mask);
        }
        push_back(h, id);
    }

    // Re-adds every timer of the current slot of `level`; returns that slot's
    // index (0 means the level wrapped and the next level is due too).
    std::uint32_t cascade(unsigned level) noexcept {
        const std::uint32_t index = (next_tick_ >> (level * slot_bits)) & slot_mask;
        const std::uint32_t h = head(level, index);
        std::uint32_t id = node(h).next;
        init_head(h);
        while (id != h) {
            const std::uint32_t next = node(id).next;
            add(id);
            id = next;
        }
        return index;
    }

    std::uint32_t id_limit_;
    Nodes nodes_;
    std::vector<timer_node> heads_;
    std::uint32_t next_tick_;
    std::size_t armed_ = 0;
};

}  // namespace qqgen::engine
