// The keys of the users a worker served last, by slot: a direct-mapped
// table in front of a key derivation.
//
// Keys are derived, not stored (design.md "Derive, don't store"): storing a
// user's session and password keys would cost 32 of the 96 bytes a user may
// take (issue 6). But a key is needed several times within microseconds of
// its user's frames: a session key by the sender sealing a frame, by the
// receiving half guessing the key of a burst's bodies (rx_plaintexts.hpp), by
// its handler and by the reply; a password key (two MD5s, ~0.2 us) for the
// login request, the server's check, the login reply's guess and decryption
// and each of the four logout datagrams on both halves. So the recent ones
// are kept. A key is a pure function of (slot, tag) (the seed, the QQ
// numbers and the identity of a run cannot change live), so an entry never
// goes stale: a miss costs only the derivation, and no answer depends on
// what the table holds.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "protocols/qq_tea.hpp"

namespace qqgen::engine {

template <std::size_t Entries>
class derived_key_cache {
    static_assert(Entries != 0 && (Entries & (Entries - 1)) == 0, "a power of two: the index is a mask");

public:
    static constexpr std::size_t entries = Entries;

    // The key of (slot, tag) (tag: the incarnation for per-login keys, 0
    // for per-account ones): from the table, or derive() stored in its place.
    template <class Derive>
    const proto::tea_key& get(std::uint32_t slot, std::uint32_t tag, Derive&& derive) noexcept {
        entry& e = table_[slot & (Entries - 1)];
        if (e.slot_plus_one != slot + 1 || e.tag != tag) {
            e.key = derive();
            e.slot_plus_one = slot + 1;
            e.tag = tag;
        }
        return e.key;
    }

private:
    struct entry {
        std::uint32_t slot_plus_one = 0;  // 0: empty (slot numbers start at 0)
        std::uint32_t tag = 0;
        proto::tea_key key{};
    };
    std::array<entry, Entries> table_{};
};

}  // namespace qqgen::engine
