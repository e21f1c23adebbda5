// Differential fuzzing of the QQ-TEA batch: the fuzzer's bytes become a burst
// of jobs (lengths, keys, seeds, output sizes, ciphertexts of its choosing)
// and every instruction set this CPU runs must give exactly what the scalar
// tea_encrypt / tea_decrypt give, answers and every output byte.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "protocols/qq_tea.hpp"
#include "protocols/qq_tea_batch.hpp"

using namespace qqgen::proto;

namespace {

// Reads the fuzzer's bytes in order; zeros once they run out.
class source {
public:
    source(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    std::uint8_t u8() { return at_ < size_ ? data_[at_++] : 0; }
    std::uint16_t u16() { return static_cast<std::uint16_t>(u8() | u8() << 8); }
    void fill(std::byte* out, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) out[i] = std::byte(u8());
    }
    bool empty() const { return at_ >= size_; }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t at_ = 0;
};

constexpr std::byte marker{0x5C};

struct item {
    tea_key key;
    std::vector<std::byte> in;  // plaintext to encrypt, ciphertext to decrypt
    std::uint64_t seed = 0;
    std::size_t out_size = 0;
};

void check_encrypt(const std::vector<item>& items) {
    std::vector<std::vector<std::byte>> want;
    std::vector<std::size_t> want_len;
    for (const item& it : items) {
        want.emplace_back(it.out_size, marker);
        want_len.push_back(tea_encrypt(it.key, it.in, want.back(), it.seed));
    }
    for (const tea_isa isa : tea_isas) {
        if (!tea_batch_supported(isa)) continue;
        std::vector<std::vector<std::byte>> outs;
        std::vector<tea_encrypt_job> jobs;
        for (const item& it : items) outs.emplace_back(it.out_size, marker);
        for (std::size_t i = 0; i < items.size(); ++i)
            jobs.push_back({items[i].key, items[i].in, outs[i], items[i].seed, 7});
        tea_encrypt_batch(jobs, isa);
        for (std::size_t i = 0; i < items.size(); ++i)
            if (jobs[i].out_len != want_len[i] || outs[i] != want[i]) __builtin_trap();
    }
}

void check_decrypt(const std::vector<item>& items) {
    std::vector<std::vector<std::byte>> want;
    std::vector<result<std::size_t>> want_r;
    for (const item& it : items) {
        want.emplace_back(it.out_size, marker);
        want_r.push_back(tea_decrypt(it.key, it.in, want.back()));
    }
    for (const tea_isa isa : tea_isas) {
        if (!tea_batch_supported(isa)) continue;
        std::vector<std::vector<std::byte>> outs;
        std::vector<tea_decrypt_job> jobs;
        for (const item& it : items) outs.emplace_back(it.out_size, marker);
        for (std::size_t i = 0; i < items.size(); ++i) jobs.push_back({items[i].key, items[i].in, outs[i], {}});
        tea_decrypt_batch(jobs, isa);
        for (std::size_t i = 0; i < items.size(); ++i) {
            const auto& got = jobs[i].plain_len;
            if (got.why.code != want_r[i].why.code || got.why.offset != want_r[i].why.offset ||
                got.value != want_r[i].value || outs[i] != want[i])
                __builtin_trap();
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    source src(data, size);
    const std::size_t count = 1 + src.u8() % 40;
    std::vector<item> plain, sealed;
    for (std::size_t i = 0; i < count && !src.empty(); ++i) {
        item it;
        src.fill(it.key.bytes.data(), it.key.bytes.size());
        it.seed = src.u16();
        it.in.resize(src.u16() % 1024);
        src.fill(it.in.data(), it.in.size());
        // Output: exact, short (refused) or long, as the fuzzer picks.
        const std::size_t cipher = tea_cipher_size(it.in.size());
        const std::uint8_t slack = src.u8();
        it.out_size = slack < 128 ? cipher + slack % 16 : cipher - 1 - slack % 16;

        // The same bytes as a ciphertext; half the time one the key really
        // sealed, so that the path past the padding checks is reached too.
        item c = it;
        c.out_size = it.in.size() + slack % 24;
        if (slack & 1) {
            c.in.assign(cipher, std::byte{0});
            tea_encrypt(it.key, it.in, c.in, it.seed);
            if (slack & 2) c.in[slack % c.in.size()] ^= std::byte{0x01};
        }
        plain.push_back(std::move(it));
        sealed.push_back(std::move(c));
    }
    check_encrypt(plain);
    check_decrypt(sealed);
    return 0;
}
