// The last few users' password keys, by slot.
//
// A password key is MD5(MD5(password)) (pidgin 2.4 _gen_pwkey), two digests
// or about 0.2 us (protocols/md5.hpp), and a session needs its own a dozen
// times within a few microseconds: the login request, the server's check,
// the guess of the login reply's key and its decryption, and each of the
// four logout datagrams on both halves. Storing the key with every user
// would cost 16 of the 96 bytes a user may take (issue 6), so only the
// recently used ones are kept: a direct-mapped table indexed by slot. A key
// is a pure function of the slot (the password depends on the seed and the
// QQ number only, neither of which a live change may alter), so an entry
// never goes stale; a miss only costs the derivation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "protocols/qq_tea.hpp"

namespace qqgen::engine {

class password_key_cache {
public:
    static constexpr std::size_t entries = 256;  // 5 KiB: stays in L1/L2 beside the hot records

    // The key of `slot`: from the table, or derive(slot) stored in its place.
    template <class Derive>
    const proto::tea_key& get(std::uint32_t slot, Derive&& derive) noexcept {
        entry& e = table_[slot % entries];
        if (e.slot_plus_one != slot + 1) {
            e.key = derive(slot);
            e.slot_plus_one = slot + 1;
        }
        return e.key;
    }

private:
    struct entry {
        std::uint32_t slot_plus_one = 0;  // 0: empty (slot numbers start at 0)
        proto::tea_key key{};
    };
    std::array<entry, entries> table_{};
};

}  // namespace qqgen::engine
