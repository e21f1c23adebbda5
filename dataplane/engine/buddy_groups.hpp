// Who is whose buddy: groups of buddies_per_user + 1 consecutive slots of
// one worker (design.md "Buddies live together": a relayed chat never
// crosses cores). Every member of a group has all the others as buddies, in
// the order that starts after itself; the last group may be smaller.
#pragma once

#include <algorithm>
#include <cstdint>

#include "dataplane/engine/load_settings.hpp"

namespace qqgen::engine {

class buddy_groups {
public:
    explicit buddy_groups(const load_settings& s) noexcept
        : users_(s.users), group_size_(s.group_size()),
          messages_per_chat_(s.messages_per_chat == 0 ? 1u : s.messages_per_chat) {}

    [[nodiscard]] std::uint32_t first(std::uint32_t slot) const noexcept { return slot / group_size_ * group_size_; }
    [[nodiscard]] std::uint32_t members(std::uint32_t slot) const noexcept {
        return std::min(group_size_, users_ - first(slot));
    }
    [[nodiscard]] std::uint32_t count(std::uint32_t slot) const noexcept { return members(slot) - 1; }

    // Buddy number j (0 <= j < count(slot)) of `slot`.
    [[nodiscard]] std::uint32_t buddy(std::uint32_t slot, std::uint32_t j) const noexcept {
        const std::uint32_t f = first(slot);
        return f + (slot - f + 1 + j) % members(slot);
    }
    // The index j of `other` among slot's buddies, or count(slot) if it is not one.
    [[nodiscard]] std::uint32_t index_of(std::uint32_t slot, std::uint32_t other) const noexcept {
        const std::uint32_t f = first(slot);
        if (other == slot || other < f || other - f >= members(slot)) return count(slot);
        return (other - f + members(slot) - (slot - f) - 1) % members(slot);
    }
    // The buddy message `message` of the user goes to: chat c = message /
    // messages_per_chat is with buddy c (mod the number of buddies).
    [[nodiscard]] std::uint32_t partner(std::uint32_t slot, std::uint32_t message) const noexcept {
        return buddy(slot, (message / messages_per_chat_) % count(slot));
    }

private:
    std::uint32_t users_;
    std::uint32_t group_size_;
    std::uint32_t messages_per_chat_;
};

}  // namespace qqgen::engine
