// QQ-TEA batched across bursts (issue 6): TX frames sealed as their burst
// leaves (tx_seal.hpp) and received bodies decrypted a burst at a time
// (rx_plaintexts.hpp) give exactly what encrypting and decrypting each frame
// on its own gives.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "dataplane/engine/frame_writer.hpp"
#include "dataplane/engine/qq_packet_writer.hpp"
#include "dataplane/engine/rx_plaintexts.hpp"
#include "dataplane/engine/tx_seal.hpp"
#include "engine_test_support.hpp"
#include "protocols/net_headers.hpp"
#include "protocols/qq_tea.hpp"

using namespace qqgen;
using namespace qqgen::test;

namespace {

constexpr std::size_t fake_header = 7;  // bytes before the body, as a QQ header would be

proto::tea_key key_of(std::uint32_t i) {
    proto::tea_key k;
    for (std::size_t b = 0; b < k.bytes.size(); ++b) k.bytes[b] = std::byte((i * 37 + b * 11 + 5) & 0xff);
    return k;
}

std::vector<std::byte> text_of(std::size_t n, std::uint32_t salt) {
    std::vector<std::byte> t(n);
    for (std::size_t i = 0; i < n; ++i) t[i] = std::byte((i * 13 + salt) & 0xff);
    return t;
}

// One UDP frame with a QQ-like payload (fake_header bytes, then the body
// TEA(key, text)) built as send_udp builds it; with `seal` armed the body is
// left as plaintext and the returned seal says how to finish it.
std::size_t build(engine::frame_writer& fw, std::vector<std::byte>& frame, engine::deferred_seal& seal,
                  const proto::tea_key& key, std::uint64_t seed, const std::vector<std::byte>& text,
                  engine::tx_seal& out) {
    frame.assign(2048, std::byte{0});
    const auto role = engine::port_role::client;
    const std::size_t off = fw.payload_offset(role);
    proto::byte_span room = proto::byte_span{frame}.subspan(off, fw.payload_room(role, frame.size()));
    for (std::size_t i = 0; i < fake_header; ++i) room[i] = std::byte(0xa0 + i);
    const std::size_t c = engine::qq_packet::encrypt_body(room.subspan(fake_header), key, seed, seal,
                                                          [&](proto::byte_span p) {
                                                              std::copy(text.begin(), text.end(), p.begin());
                                                              return text.size();
                                                          });
    REQUIRE(c == proto::tea_cipher_size(text.size()));
    const auto src = *proto::ip_address::parse("10.0.0.1");
    const auto dst = *proto::ip_address::parse("10.0.1.1");
    const proto::frame_layout layout = fw.headers(role, frame, src, 4000, dst, 8000, fake_header + c);
    REQUIRE(layout.frame_size != 0);
    if (seal.pending()) out = seal.seal(frame.data(), layout);
    else proto::finish_checksums(frame, layout);
    frame.resize(layout.frame_size);
    return layout.frame_size;
}

}  // namespace

TEST_CASE("sealed frames have the bytes of frames encrypted as they were built", "[engine][tea_batch]") {
    const load_settings s = quick_settings(4);
    // One writer for each path: a writer numbers the IPv4 IDs it writes.
    engine::frame_writer fw_inline(s), fw_sealed(s);
    // More frames than one seal_frames chunk (128), bodies of every padding.
    constexpr std::uint32_t count = 130;
    std::vector<std::vector<std::byte>> inline_frames(count), sealed_frames(count);
    std::vector<engine::tx_seal> seals(count);
    std::vector<std::byte*> pointers(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        const auto text = text_of(1 + (i * 29) % 700, i);
        const proto::tea_key key = key_of(i);
        const std::uint64_t seed = 0x1234'5678ull * (i + 1);
        engine::deferred_seal unarmed;
        engine::tx_seal unused;
        build(fw_inline, inline_frames[i], unarmed, key, seed, text, unused);
        engine::deferred_seal armed;
        armed.arm();
        build(fw_sealed, sealed_frames[i], armed, key, seed, text, seals[i]);
        REQUIRE(armed.pending());
        // Not encrypted yet: the plaintext is still in the frame.
        CHECK(sealed_frames[i] != inline_frames[i]);
        pointers[i] = sealed_frames[i].data();
    }
    engine::seal_frames(pointers, seals);
    for (std::uint32_t i = 0; i < count; ++i) {
        INFO("frame " << i);
        CHECK(sealed_frames[i] == inline_frames[i]);
        // And a receiver takes it: checksums right, body decrypts to the text.
        const auto parsed = proto::parse_frame(sealed_frames[i]);
        REQUIRE(parsed);
        std::vector<std::byte> plain(2048);
        const auto d = proto::tea_decrypt(key_of(i), parsed.value.payload.subspan(fake_header), plain);
        REQUIRE(d.ok());
        plain.resize(d.value);
        CHECK(plain == text_of(1 + (i * 29) % 700, i));
    }
}

TEST_CASE("a deferred seal refuses a body whose room cannot hold the ciphertext", "[engine][tea_batch]") {
    engine::deferred_seal seal;
    seal.arm();
    std::vector<std::byte> body(40);
    // 30 bytes of plaintext need 40 bytes of ciphertext (tea_cipher_size): fits.
    CHECK(seal.take(key_of(1), 7, body.data() + 10, 30, body) == proto::tea_cipher_size(30));
    CHECK(seal.pending());
    seal.arm();
    CHECK(seal.take(key_of(1), 7, body.data() + 10, 31, body) == 0);
    CHECK_FALSE(seal.pending());
}

TEST_CASE("a burst's bodies decrypted in one batch answer as tea_decrypt does", "[engine][tea_batch]") {
    // The bodies sit in one buffer, as frames of a burst do.
    constexpr std::uint32_t count = 32;
    std::vector<std::vector<std::byte>> ciphers(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        const auto text = text_of(1 + (i * 53) % 600, i);
        ciphers[i].resize(proto::tea_cipher_size(text.size()));
        REQUIRE(proto::tea_encrypt(key_of(i), text, ciphers[i], i + 99) == ciphers[i].size());
    }
    engine::rx_plaintexts batch;
    for (std::uint32_t i = 0; i < count; ++i) {
        // Every 5th body guessed with a wrong key: its answer must be the
        // refusal tea_decrypt gives for that key.
        const proto::tea_key guess = i % 5 == 4 ? key_of(i + 1000) : key_of(i);
        REQUIRE(batch.add(guess, ciphers[i]));
    }
    batch.decrypt_all();
    REQUIRE(batch.size() == count);
    // Asked in another order than noted.
    for (std::uint32_t n = 0; n < count; ++n) {
        const std::uint32_t i = (n * 7) % count;
        INFO("body " << i);
        const proto::tea_key guess = i % 5 == 4 ? key_of(i + 1000) : key_of(i);
        const proto::tea_decrypt_job* j = batch.find(guess, ciphers[i]);
        REQUIRE(j != nullptr);
        std::vector<std::byte> scalar(2048);
        const auto d = proto::tea_decrypt(guess, ciphers[i], scalar);
        REQUIRE(j->plain_len.ok() == d.ok());
        if (d.ok()) {
            REQUIRE(j->plain_len.value == d.value);
            CHECK(std::equal(j->out.begin(), j->out.begin() + static_cast<std::ptrdiff_t>(d.value), scalar.begin()));
        }
        // Another key, or the same bytes elsewhere, is not this entry.
        CHECK(batch.find(key_of(i + 2000), ciphers[i]) == nullptr);
        const std::vector<std::byte> copy = ciphers[i];
        CHECK(batch.find(guess, copy) == nullptr);
    }
    batch.clear();
    CHECK(batch.find(key_of(0), ciphers[0]) == nullptr);
}

TEST_CASE("the batch's room is bounded: what does not fit is left to decrypt alone", "[engine][tea_batch]") {
    engine::rx_plaintexts batch;
    std::vector<std::byte> small(16), huge(engine::rx_plaintexts::max_cipher + 8);
    CHECK_FALSE(batch.add(key_of(1), huge));
    for (std::size_t i = 0; i < engine::rx_plaintexts::max_entries; ++i) CHECK(batch.add(key_of(1), small));
    CHECK_FALSE(batch.add(key_of(1), small));
    batch.clear();
    std::vector<std::byte> big(engine::rx_plaintexts::max_cipher);
    std::size_t added = 0;
    while (batch.add(key_of(2), big)) ++added;
    CHECK(added == engine::rx_plaintexts::arena_size / big.size());
}

TEST_CASE("a chatting engine over bursts of 32: every body checked, none corrupt", "[engine][tea_batch]") {
    load_settings s = quick_settings(64);
    s.chats_per_user = 4;
    s.messages_per_chat = 20;
    s.message_delay_min_ms = 0;
    s.message_delay_max_ms = 0;
    memory_wire_config w = roomy_wire();
    w.rx_burst = 32;
    memory_frame_io io(w);
    engine_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 60'000'000'000));
    settle(e, io, 2'000'000'000);
    const auto& c = e.counters();
    CHECK(c.users.completed == 64);
    CHECK(c.messages.corrupt == 0);
    CHECK(c.server.corrupt == 0);
    CHECK(c.client_corrupt_replies == 0);
    CHECK(c.messages.delivered > 0);
}

TEST_CASE("every client datagram with a QQ-TEA body is sealed in the TX batch, the login block too",
          "[engine][tea_batch]") {
    // The login block (416 bytes, the longest body of a session) was once
    // encrypted on its own as it was built, one block after another.
    load_settings s = quick_settings(64);
    memory_frame_io io(roomy_wire());
    std::uint64_t with_body = 0, logins = 0;
    io.set_wire_hook([&](port_role from, std::span<std::byte> frame) {
        if (from != port_role::client) return wire_verdict::deliver;
        const std::uint16_t command = qq_command_of(udp_payload(frame));
        // Not DNS (no QQ tag) nor the token request (its body is in clear).
        if (command != 0 && command != static_cast<std::uint16_t>(proto::qq_command::request_login_token)) ++with_body;
        if (command == static_cast<std::uint16_t>(proto::qq_command::login)) ++logins;
        return wire_verdict::deliver;
    });
    engine_t e(s, 0, 1, texts());
    REQUIRE(run_until(e, io, [&] { return e.done(); }, 60'000'000'000));
    settle(e, io);
    CHECK(e.counters().users.completed == 64);
    CHECK(logins >= 64);
    CHECK(io.wire(port_role::client).sealed == with_body);
}

TEST_CASE("the batch answers only for bodies it has decrypted", "[engine][tea_batch]") {
    const auto text = text_of(40, 3);
    std::vector<std::byte> cipher(proto::tea_cipher_size(text.size()));
    REQUIRE(proto::tea_encrypt(key_of(3), text, cipher, 5) == cipher.size());
    engine::rx_plaintexts batch;
    REQUIRE(batch.add(key_of(3), cipher));
    // Noted, not decrypted: no answer (a handler decrypts on its own).
    CHECK(batch.find(key_of(3), cipher) == nullptr);
    batch.decrypt_all();
    const proto::tea_decrypt_job* j = batch.find(key_of(3), cipher);
    REQUIRE(j != nullptr);
    REQUIRE(j->plain_len.ok());
    CHECK(std::equal(text.begin(), text.end(), j->out.begin()));
}
