// Batched QQ-TEA: on every instruction set this CPU has, each job gives the
// bytes and the answer of the scalar tea_encrypt / tea_decrypt, refusals
// included; the known-answer vector decrypts through the batch.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocols/counter_rng.hpp"
#include "protocols/qq_tea.hpp"
#include "protocols/qq_tea_batch.hpp"

using namespace qqgen::proto;

namespace {

// The instruction sets to compare: every one this CPU runs (scalar always).
std::vector<tea_isa> runnable_isas() {
    std::vector<tea_isa> v;
    for (const tea_isa isa : tea_isas)
        if (tea_batch_supported(isa)) v.push_back(isa);
    return v;
}

tea_key random_key(counter_rng& rng) {
    tea_key k;
    rng.fill(k.bytes);
    return k;
}

// One message and the buffers both paths write into.
struct message {
    tea_key key;
    std::vector<std::byte> plain;
    std::uint64_t seed = 0;
    std::size_t out_size = 0;
};

// Output buffers start filled with a marker so that bytes written outside the
// answer are compared too.
constexpr std::byte marker{0xA5};

message random_message(counter_rng& rng, std::size_t max_len) {
    message m;
    m.key = random_key(rng);
    m.plain.resize(rng.below(static_cast<std::uint32_t>(max_len + 1)));
    rng.fill(m.plain);
    m.seed = rng.next();
    m.out_size = tea_cipher_size(m.plain.size());
    // Now and then an output a few bytes too small (refused) or larger.
    const std::uint32_t r = rng.below(10);
    if (r == 0) m.out_size -= 1 + rng.below(8);
    if (r == 1) m.out_size += rng.below(24);
    return m;
}

// A random plaintext of n bytes under a random key and pad seed, and its
// ciphertext by the scalar tea_encrypt (the reference).
struct reference_cipher {
    tea_key key;
    std::vector<std::byte> plain;
    std::uint64_t seed = 0;
    std::vector<std::byte> cipher;
};

reference_cipher encrypt_reference(counter_rng& rng, std::size_t n) {
    reference_cipher r;
    r.key = random_key(rng);
    r.plain.resize(n);
    rng.fill(r.plain);
    r.seed = rng.next();
    r.cipher.resize(tea_cipher_size(n));
    REQUIRE(tea_encrypt(r.key, r.plain, r.cipher, r.seed) == r.cipher.size());
    return r;
}

// Encrypts the messages as one batch on `isa`; returns each output buffer.
std::vector<std::vector<std::byte>> encrypt_batch(const std::vector<message>& msgs, tea_isa isa,
                                                  std::vector<std::size_t>& lens) {
    std::vector<std::vector<std::byte>> outs;
    for (const message& m : msgs) outs.emplace_back(m.out_size, marker);
    std::vector<tea_encrypt_job> jobs(msgs.size());
    for (std::size_t i = 0; i < msgs.size(); ++i) {
        jobs[i].key = msgs[i].key;
        jobs[i].plain = msgs[i].plain;
        jobs[i].out = outs[i];
        jobs[i].pad_seed = msgs[i].seed;
        jobs[i].out_len = 12345;  // must be overwritten
    }
    tea_encrypt_batch(jobs, isa);
    lens.clear();
    for (const auto& j : jobs) lens.push_back(j.out_len);
    return outs;
}

// The decrypt side: a ciphertext, its key and the output size to offer.
struct sealed {
    tea_key key;
    std::vector<std::byte> cipher;
    std::size_t out_size = 0;
};

struct opened {
    std::vector<std::byte> out;
    result<std::size_t> r;
};

std::vector<opened> decrypt_batch(const std::vector<sealed>& items, tea_isa isa) {
    std::vector<opened> res(items.size());
    std::vector<tea_decrypt_job> jobs(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        res[i].out.assign(items[i].out_size, marker);
        jobs[i].key = items[i].key;
        jobs[i].cipher = items[i].cipher;
        jobs[i].out = res[i].out;
        jobs[i].plain_len = result<std::size_t>::fail(decode_error::bad_tag, 99);  // must be overwritten
    }
    tea_decrypt_batch(jobs, isa);
    for (std::size_t i = 0; i < items.size(); ++i) res[i].r = jobs[i].plain_len;
    return res;
}

std::vector<opened> decrypt_scalar(const std::vector<sealed>& items) {
    std::vector<opened> res(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        res[i].out.assign(items[i].out_size, marker);
        res[i].r = tea_decrypt(items[i].key, items[i].cipher, res[i].out);
    }
    return res;
}

void check_same(const std::vector<opened>& got, const std::vector<opened>& want) {
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        INFO("job " << i);
        CHECK(got[i].r.ok() == want[i].r.ok());
        CHECK(got[i].r.value == want[i].r.value);
        CHECK(got[i].r.why.code == want[i].r.why.code);
        CHECK(got[i].r.why.offset == want[i].r.why.offset);
        CHECK(got[i].out == want[i].out);
    }
}

// Every item decrypted in place (out == cipher) by the batch and by
// tea_decrypt: the same answers and the same buffers.
void check_decrypt_in_place(const std::vector<sealed>& items, tea_isa isa) {
    std::vector<std::vector<std::byte>> bufs, want_bufs;
    std::vector<result<std::size_t>> want;
    std::vector<tea_decrypt_job> jobs;
    for (const sealed& s : items) {
        bufs.push_back(s.cipher);
        want_bufs.push_back(s.cipher);
        want.push_back(tea_decrypt(s.key, want_bufs.back(), want_bufs.back()));
    }
    for (std::size_t i = 0; i < items.size(); ++i) jobs.push_back({items[i].key, bufs[i], bufs[i], {}});
    tea_decrypt_batch(jobs, isa);
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        INFO("in place, job " << i);
        CHECK(jobs[i].plain_len.why.code == want[i].why.code);
        CHECK(jobs[i].plain_len.why.offset == want[i].why.offset);
        CHECK(jobs[i].plain_len.value == want[i].value);
        CHECK(bufs[i] == want_bufs[i]);
    }
}

// Encrypting msgs and decrypting items on every runnable instruction set
// gives the scalar answers (decrypting in place too, when asked).
void check_against_scalar(const std::vector<message>& msgs, const std::vector<sealed>& items, bool in_place_too) {
    std::vector<std::size_t> want_lens;
    const auto want = encrypt_batch(msgs, tea_isa::scalar, want_lens);
    const auto want_open = decrypt_scalar(items);
    for (const tea_isa isa : runnable_isas()) {
        INFO("isa " << to_string(isa));
        std::vector<std::size_t> lens;
        CHECK(encrypt_batch(msgs, isa, lens) == want);
        CHECK(lens == want_lens);
        check_same(decrypt_batch(items, isa), want_open);
        if (in_place_too) check_decrypt_in_place(items, isa);
    }
}

sealed seal(counter_rng& rng, std::size_t n) {
    sealed s;
    s.key = random_key(rng);
    std::vector<std::byte> plain(n);
    rng.fill(plain);
    s.cipher.resize(tea_cipher_size(n));
    REQUIRE(tea_encrypt(s.key, plain, s.cipher, rng.next()) == s.cipher.size());
    s.out_size = n;
    return s;
}

// Refusals of every kind, mixed with good ciphertexts of many lengths.
std::vector<sealed> mixed_ciphertexts(counter_rng& rng, std::size_t count) {
    std::vector<sealed> v;
    for (std::size_t i = 0; i < count; ++i) {
        sealed s = seal(rng, rng.below(700));
        switch (rng.below(8)) {
            case 0:
                s.cipher[rng.below(static_cast<std::uint32_t>(s.cipher.size()))] ^= std::byte{0x10};
                break;
            case 1:
                s.key.bytes[rng.below(16)] ^= std::byte{0x01};
                break;  // wrong key
            case 2:
                s.cipher.resize(rng.below(40));
                break;  // bad size, mostly
            case 3:
                if (s.out_size != 0) s.out_size -= 1;  // too_long
                break;
            case 4:
                s.out_size += rng.below(20);
                break;
            default:
                break;  // valid
        }
        v.push_back(std::move(s));
    }
    return v;
}

std::vector<std::byte> from_hex(const std::string& hex) {
    auto nib = [](char c) -> unsigned {
        if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
        if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
        throw std::runtime_error(std::string("bad hex digit ") + c);
    };
    std::vector<std::byte> out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(std::byte((nib(hex[i]) << 4) | nib(hex[i + 1])));
    return out;
}

// The value of "name: value" in tests/data/qq_tea_kat.txt.
std::string kat_field(const std::string& name) {
    const std::string path = std::string(QQGEN_SHARED_TESTDATA) + "/qq_tea_kat.txt";
    std::ifstream f(path);
    if (!f) throw std::runtime_error("cannot open " + path);
    std::string line;
    while (std::getline(f, line))
        if (line.rfind(name + ": ", 0) == 0) return line.substr(name.size() + 2);
    throw std::runtime_error("no " + name + " in " + path);
}

}  // namespace

TEST_CASE("tea batch: the dispatch picks a supported instruction set", "[qq_tea_batch]") {
    CHECK(tea_batch_supported(tea_isa::scalar));
    CHECK(tea_batch_supported(tea_batch_isa()));
    if (tea_batch_supported(tea_isa::avx512)) CHECK(tea_batch_supported(tea_isa::avx2));
    CHECK(to_string(tea_isa::avx2) == "avx2");
    WARN("tea batch runs on " << to_string(tea_batch_isa()));
    std::vector<tea_encrypt_job> none;
    tea_encrypt_batch(none);  // an empty batch is fine
}

TEST_CASE("tea batch encrypt equals scalar: random lengths, keys and batch sizes", "[qq_tea_batch]") {
    counter_rng rng(61, 1);
    for (int round = 0; round < 60; ++round) {
        const std::size_t count = 1 + rng.below(40);
        std::vector<message> msgs;
        for (std::size_t i = 0; i < count; ++i) msgs.push_back(random_message(rng, 1000));

        std::vector<std::vector<std::byte>> want;
        std::vector<std::size_t> want_lens;
        for (const message& m : msgs) {
            want.emplace_back(m.out_size, marker);
            want_lens.push_back(tea_encrypt(m.key, m.plain, want.back(), m.seed));
        }
        for (const tea_isa isa : runnable_isas()) {
            INFO("isa " << to_string(isa) << ", round " << round << ", " << count << " jobs");
            std::vector<std::size_t> lens;
            const auto got = encrypt_batch(msgs, isa, lens);
            CHECK(lens == want_lens);
            CHECK(got == want);
        }
    }
}

TEST_CASE("tea batch encrypt: every length 0..100 in one batch, and equal lengths", "[qq_tea_batch]") {
    counter_rng rng(62, 1);
    std::vector<message> all, equal;
    for (std::size_t n = 0; n <= 100; ++n) {
        message m{random_key(rng), std::vector<std::byte>(n), rng.next(), tea_cipher_size(n)};
        rng.fill(m.plain);
        all.push_back(m);
    }
    for (int i = 0; i < 37; ++i) {  // more than 32 lanes, all finishing together
        message m{random_key(rng), std::vector<std::byte>(200), rng.next(), tea_cipher_size(200)};
        rng.fill(m.plain);
        equal.push_back(m);
    }
    for (const auto* msgs : {&all, &equal}) {
        std::vector<std::size_t> want_lens;
        const auto want = encrypt_batch(*msgs, tea_isa::scalar, want_lens);
        for (const tea_isa isa : runnable_isas()) {
            INFO("isa " << to_string(isa));
            std::vector<std::size_t> lens;
            CHECK(encrypt_batch(*msgs, isa, lens) == want);
            CHECK(lens == want_lens);
        }
    }
}

TEST_CASE("tea batch: more jobs than one ordering window (256)", "[qq_tea_batch]") {
    // Lanes take jobs longest first, window by window; every job must still
    // get its own answer.
    counter_rng rng(69, 1);
    std::vector<message> msgs;
    for (int i = 0; i < 600; ++i) msgs.push_back(random_message(rng, 120));
    std::vector<sealed> items;
    for (int i = 0; i < 600; ++i) items.push_back(seal(rng, rng.below(120)));
    check_against_scalar(msgs, items, false);
}

TEST_CASE("tea batch: short and very long messages in one burst (both orderings)", "[qq_tea_batch]") {
    // Lanes take jobs longest first: by counting where every message is
    // under 256 blocks (2 KB), by comparison where one is not; a burst of
    // each kind, with more jobs than lanes and messages of one length
    // among them, must give every job its own answer.
    counter_rng rng(70, 1);
    for (const std::size_t longest : {std::size_t{2030}, std::size_t{2050}, std::size_t{5000}}) {
        INFO("longest " << longest);
        std::vector<message> msgs;
        std::vector<sealed> items;
        for (int i = 0; i < 90; ++i) {
            const std::size_t n = i % 9 == 0 ? longest - rng.below(30) : i % 3 == 0 ? 77 : rng.below(300);
            message m{random_key(rng), std::vector<std::byte>(n), rng.next(), tea_cipher_size(n)};
            rng.fill(m.plain);
            msgs.push_back(std::move(m));
            items.push_back(seal(rng, n));
        }
        check_against_scalar(msgs, items, true);
    }
}

TEST_CASE("tea batch: bursts bounded by one long message (fewer vectors)", "[qq_tea_batch]") {
    // A long message among short ones takes as many steps on any number of
    // lanes, so the batch runs it on one vector (burst_shape); every job,
    // the long one's refusals included, must still get its own answer.
    counter_rng rng(72, 1);
    for (const std::size_t shorts : {std::size_t{0}, std::size_t{7}, std::size_t{40}, std::size_t{100}}) {
        INFO(shorts << " short messages");
        std::vector<message> msgs;
        std::vector<sealed> items;
        for (std::size_t i = 0; i <= shorts; ++i) {
            const bool long_one = i == shorts / 2;
            message m = random_message(rng, long_one ? 0 : 60);
            if (long_one) {
                m.plain.resize(1000 + rng.below(400));
                rng.fill(m.plain);
                m.out_size = tea_cipher_size(m.plain.size());
            }
            msgs.push_back(std::move(m));
            items.push_back(seal(rng, long_one ? 1200 : rng.below(60)));
        }
        check_against_scalar(msgs, items, true);
    }
}

TEST_CASE("tea batch: bursts that keep 64 lanes busy (four vectors on AVX-512)", "[qq_tea_batch]") {
    // 64 or more jobs with little spread in length take the wide lanes
    // (qq_tea_batch_avx512.cpp keeps_64_lanes_busy); refusals and lane
    // refills must behave there as in the narrow ones.
    counter_rng rng(70, 1);
    for (const std::size_t count : {64, 150}) {
        std::vector<message> msgs;
        for (std::size_t i = 0; i < count; ++i) {
            message m{random_key(rng), std::vector<std::byte>(300), rng.next(), tea_cipher_size(300)};
            rng.fill(m.plain);
            msgs.push_back(m);
        }
        INFO(count << " jobs");
        check_against_scalar(msgs, mixed_ciphertexts(rng, count + 50), false);
    }
}

TEST_CASE("tea batch: long messages of one length run whole tiles", "[qq_tea_batch]") {
    // Lanes all far from an edge or their end take several blocks at once
    // (qq_tea_batch_lanes.hpp run_tile: rows read and written whole and
    // transposed). 700-byte bodies (89 blocks) keep every lane quiet for
    // ~85 steps; the counts cover one vector (AVX2: 8 lanes), the narrow
    // AVX-512 lanes (32) and the wide ones (64, 70). Wrong keys are refused
    // at the header or the tail after the tiles; decrypt runs in place too.
    counter_rng rng(71, 1);
    for (const std::size_t count : {5, 32, 64, 70}) {
        std::vector<message> msgs;
        std::vector<sealed> items;
        for (std::size_t i = 0; i < count; ++i) {
            message m{random_key(rng), std::vector<std::byte>(700), rng.next(), tea_cipher_size(700)};
            rng.fill(m.plain);
            msgs.push_back(m);
            sealed s = seal(rng, 700);
            if (i % 7 == 3) s.key.bytes[i % 16] ^= std::byte{0x20};  // refused: header or tail
            items.push_back(std::move(s));
        }
        INFO(count << " jobs");
        check_against_scalar(msgs, items, true);
    }
}

TEST_CASE("tea batch encrypt in place and overlapping, as tea_encrypt allows", "[qq_tea_batch]") {
    counter_rng rng(63, 1);
    for (const tea_isa isa : runnable_isas()) {
        INFO("isa " << to_string(isa));
        std::vector<std::vector<std::byte>> frames, want;
        std::vector<tea_encrypt_job> jobs;
        for (int i = 0; i < 30; ++i) {
            const std::size_t n = rng.below(600);
            reference_cipher r = encrypt_reference(rng, n);
            want.push_back(std::move(r.cipher));
            // Even jobs: plaintext already at the plain offset (the
            // dataplane's zero-copy case); odd jobs: at the buffer's start.
            frames.emplace_back(tea_cipher_size(n));
            const std::size_t at = i % 2 == 0 ? tea_plain_offset(n) : 0;
            if (n != 0) std::memcpy(frames.back().data() + at, r.plain.data(), n);
            jobs.push_back({r.key, const_byte_span{frames.back().data() + at, n}, frames.back(), r.seed, 0});
        }
        tea_encrypt_batch(jobs, isa);
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            INFO("job " << i);
            CHECK(jobs[i].out_len == want[i].size());
            CHECK(frames[i] == want[i]);
        }
    }
}

TEST_CASE("tea batch encrypt with the plaintext further on in out (the engine's out + 10)", "[qq_tea_batch]") {
    // The dataplane writes a body at out + 10 (qq_packet_writer.hpp
    // plain_lead); the batch moves it down to out + pad + 3 over itself.
    // Every length 0..200 and offsets beyond the buffer's cipher size.
    counter_rng rng(71, 1);
    for (const tea_isa isa : runnable_isas()) {
        for (const std::size_t lead : {std::size_t{10}, std::size_t{11}, std::size_t{45}}) {
            INFO("isa " << to_string(isa) << ", plaintext at out + " << lead);
            std::vector<std::vector<std::byte>> frames, want;
            std::vector<tea_encrypt_job> jobs;
            for (std::size_t n = 0; n <= 200; ++n) {
                reference_cipher r = encrypt_reference(rng, n);
                want.push_back(std::move(r.cipher));
                frames.emplace_back(lead + n + 8, marker);
                if (n != 0) std::memcpy(frames.back().data() + lead, r.plain.data(), n);
                jobs.push_back({r.key, const_byte_span{frames.back().data() + lead, n},
                                byte_span{frames.back().data(), tea_cipher_size(n)}, r.seed, 0});
            }
            tea_encrypt_batch(jobs, isa);
            for (std::size_t i = 0; i < jobs.size(); ++i) {
                INFO("length " << i);
                REQUIRE(jobs[i].out_len == want[i].size());
                CHECK(std::equal(want[i].begin(), want[i].end(), frames[i].begin()));
            }
        }
    }
}

TEST_CASE("tea batch decrypt equals scalar, refusals included", "[qq_tea_batch]") {
    counter_rng rng(64, 1);
    for (int round = 0; round < 60; ++round) {
        const auto items = mixed_ciphertexts(rng, 1 + rng.below(40));
        const auto want = decrypt_scalar(items);
        for (const tea_isa isa : runnable_isas()) {
            INFO("isa " << to_string(isa) << ", round " << round);
            check_same(decrypt_batch(items, isa), want);
        }
    }
}

TEST_CASE("tea batch decrypt: each refusal of tea_decrypt", "[qq_tea_batch]") {
    counter_rng rng(65, 1);
    const tea_key key = tea_key_filled(std::byte{0x42});
    std::vector<sealed> items;
    for (std::size_t len : {0u, 1u, 8u, 15u, 17u, 23u}) items.push_back({key, std::vector<std::byte>(len), 64});
    // 16 bytes whose pad byte says 7: no room for a plaintext. Chained by
    // hand: P0 = 07 00.., P1 = 0, so C0 = E(P0) and C1 = E(C0) ^ P0.
    {
        const tea_key_words k = tea_words(key);
        const tea_block c0 = encrypt_block({0x07000000u, 0}, k);
        const tea_block e1 = encrypt_block(c0, k);
        sealed s{key, std::vector<std::byte>(16), 16};
        store_be32(s.cipher.data(), c0.y);
        store_be32(s.cipher.data() + 4, c0.z);
        store_be32(s.cipher.data() + 8, e1.y ^ 0x07000000u);
        store_be32(s.cipher.data() + 12, e1.z);
        items.push_back(s);
    }
    sealed small = seal(rng, 40);
    small.out_size = 39;  // too_long
    items.push_back(small);
    sealed tail = seal(rng, 11);
    tail.key.bytes[3] ^= std::byte{0x80};  // wrong key: non-zero tail
    tail.out_size = 24;                    // room for any pad the wrong key yields
    items.push_back(tail);
    items.push_back(seal(rng, 0));  // the valid empty plaintext
    items.push_back(seal(rng, 300));

    const auto want = decrypt_scalar(items);
    CHECK(want[6].r.why.code == decode_error::bad_padding);  // the pad-7 case really is refused
    CHECK(want[6].r.why.offset == 0);
    CHECK(want[7].r.why.code == decode_error::too_long);
    CHECK(want[8].r.why.offset == 24 - 7);
    CHECK(want[9].r.ok());
    for (const tea_isa isa : runnable_isas()) {
        INFO("isa " << to_string(isa));
        check_same(decrypt_batch(items, isa), want);
    }
}

TEST_CASE("tea batch decrypt in place (out == cipher)", "[qq_tea_batch]") {
    counter_rng rng(66, 1);
    for (const tea_isa isa : runnable_isas()) {
        INFO("isa " << to_string(isa));
        check_decrypt_in_place(mixed_ciphertexts(rng, 35), isa);
    }
}

TEST_CASE("tea batch decrypts the known-answer vector among other jobs", "[qq_tea_batch]") {
    const auto key = tea_key_from_bytes(from_hex(kat_field("key")));
    REQUIRE(key.ok());
    const auto cipher = from_hex(kat_field("ciphertext"));
    const auto plain = from_hex(kat_field("plaintext"));
    counter_rng rng(67, 1);
    for (const tea_isa isa : runnable_isas()) {
        INFO("isa " << to_string(isa));
        std::vector<sealed> items = mixed_ciphertexts(rng, 20);
        items.insert(items.begin() + 7, sealed{key.value, cipher, cipher.size()});
        const auto got = decrypt_batch(items, isa);
        REQUIRE(got[7].r.ok());
        CHECK(std::vector<std::byte>(got[7].out.begin(),
                                     got[7].out.begin() + static_cast<std::ptrdiff_t>(got[7].r.value)) == plain);
        check_same(got, decrypt_scalar(items));

        // And back: the batch's ciphertext of the KAT plaintext decrypts to it.
        std::vector<std::byte> out(tea_cipher_size(plain.size()));
        tea_encrypt_job job{key.value, plain, out, 7, 0};
        tea_encrypt_batch(std::span{&job, 1}, isa);
        REQUIRE(job.out_len == cipher.size());
        std::vector<std::byte> back(plain.size());
        const auto r = tea_decrypt(key.value, out, back);
        REQUIRE(r.ok());
        CHECK(back == plain);
    }
}

TEST_CASE("tea batch on an unsupported instruction set runs the scalar path", "[qq_tea_batch]") {
    counter_rng rng(68, 1);
    std::vector<message> msgs;
    for (int i = 0; i < 9; ++i) msgs.push_back(random_message(rng, 300));
    std::vector<std::size_t> want_lens, lens;
    const auto want = encrypt_batch(msgs, tea_isa::scalar, want_lens);
    for (const tea_isa isa : tea_isas) {
        CHECK(encrypt_batch(msgs, isa, lens) == want);  // supported or not
        CHECK(lens == want_lens);
    }
    CHECK(encrypt_batch(msgs, static_cast<tea_isa>(200), lens) == want);
}
