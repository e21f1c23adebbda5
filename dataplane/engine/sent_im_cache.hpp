// The 0x0016 bodies of the messages sent last, by sender slot.
//
// A chat message is derived four times: the sender's client builds its 0x0016,
// the server half checks it, the server builds the 0x0017 relay from it and
// the buddy's client checks that (chat_messages.hpp expected_send_im). Each
// derivation draws the text, face, font and look from the counter RNG and
// the content tables: 4.9 % of a chatting worker's instructions
// (bench/RESULTS.md). The four happen within a few bursts of each other, so
// the last derivation per sender is kept in a direct-mapped table, keyed by
// (slot, incarnation, message). The send time is not kept: the callers set
// it. An entry holds views into the content tables (stable for the run) and a
// copy of the sender's MD5(uid || session key), which changes only at a
// login: forget(slot) then (client_half::on_login).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "protocols/qq_im.hpp"

namespace qqgen::engine {

class sent_im_cache {
public:
    static constexpr std::size_t entries = 1024;  // ~112 KB: L2, a few bursts' worth of messages

    // The message held for (slot, incarnation, message), or nullptr.
    [[nodiscard]] const proto::send_im* find(std::uint32_t slot, std::uint32_t incarnation,
                                             std::uint32_t message) const noexcept {
        const entry& e = table_[slot % entries];
        return e.slot_plus_one == slot + 1 && e.incarnation == incarnation && e.message == message ? &e.im : nullptr;
    }

    // The entry for (slot, incarnation, message), now keyed so; the caller
    // fills its message (whatever an older key left there is overwritten).
    proto::send_im& claim(std::uint32_t slot, std::uint32_t incarnation, std::uint32_t message) noexcept {
        entry& e = table_[slot % entries];
        e.slot_plus_one = slot + 1;
        e.incarnation = incarnation;
        e.message = message;
        return e.im;
    }

    // What is held for `slot` is no longer right (its login changed).
    void forget(std::uint32_t slot) noexcept {
        entry& e = table_[slot % entries];
        if (e.slot_plus_one == slot + 1) e.slot_plus_one = 0;
    }

private:
    struct entry {
        std::uint32_t slot_plus_one = 0;  // 0: empty
        std::uint32_t incarnation = 0;
        std::uint32_t message = 0;
        proto::send_im im{};
    };
    std::array<entry, entries> table_{};
};

}  // namespace qqgen::engine
