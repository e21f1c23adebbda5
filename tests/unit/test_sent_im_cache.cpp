// sent_im_cache: a message is answered only for its own (slot, incarnation,
// message), a slot sharing the entry replaces it, and forget drops it.
#include <catch2/catch.hpp>

#include "dataplane/engine/sent_im_cache.hpp"

using qqgen::engine::sent_im_cache;

namespace {
qqgen::proto::send_im message(std::uint16_t sequence) {
    qqgen::proto::send_im im;
    im.message.message_sequence = sequence;
    im.header.sender_uid = 10000u + sequence;
    return im;
}
}  // namespace

TEST_CASE("sent_im_cache answers only for the exact message", "[engine][cache]") {
    sent_im_cache cache;
    const auto n = static_cast<std::uint32_t>(sent_im_cache::entries);
    CHECK(cache.find(0, 0, 0) == nullptr);  // empty: slot 0 is not mistaken for "no slot"
    cache.claim(7, 2, 5) = message(5);
    const auto* held = cache.find(7, 2, 5);
    REQUIRE(held != nullptr);
    CHECK(held->message.message_sequence == 5);
    CHECK(cache.find(7, 2, 6) == nullptr);   // another message
    CHECK(cache.find(7, 3, 5) == nullptr);   // another incarnation
    CHECK(cache.find(7 + n, 2, 5) == nullptr);  // another slot of the same entry
    cache.claim(7 + n, 2, 5) = message(9);
    CHECK(cache.find(7, 2, 5) == nullptr);  // replaced
    REQUIRE(cache.find(7 + n, 2, 5) != nullptr);
    CHECK(cache.find(7 + n, 2, 5)->message.message_sequence == 9);
    cache.forget(7);  // not the slot held: nothing happens
    CHECK(cache.find(7 + n, 2, 5) != nullptr);
    cache.forget(7 + n);
    CHECK(cache.find(7 + n, 2, 5) == nullptr);
}
