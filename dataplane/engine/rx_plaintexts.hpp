// Received QQ bodies decrypted a burst at a time (issue 6; design.md
// "Frames": batch QQ-TEA across a burst, independent messages in SIMD lanes).
//
// Before a received burst is dispatched, each half guesses, per frame, the
// key its handler will decrypt the body with (the session key of the user
// the frame names, or the login's keys: client_half::guess_body,
// server_half::guess_body)
// and the burst's bodies are decrypted together (tea_decrypt_batch). The
// handlers still call decrypt(key, cipher) as before; that answers from here
// when the same ciphertext (same bytes in the same frame) was decrypted with
// the same key, and otherwise decrypts on the spot. A wrong guess therefore
// costs one wasted lane, never a wrong answer: an entry is used only for the
// exact (key, ciphertext) it was made from, and the batch gives exactly what
// tea_decrypt gives (qq_tea_batch.hpp).
//
// Entries live until the next bursts: the received frames (and so the
// ciphertexts the entries point into) stay valid until both ports' bursts
// are handled.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dataplane/engine/burst_limits.hpp"
#include "dataplane/engine/frame_io.hpp"
#include "protocols/bytes.hpp"
#include "protocols/qq_tea.hpp"
#include "protocols/qq_tea_batch.hpp"

namespace qqgen::engine {

// The keys a half guesses one received body will be decrypted with, in the
// order its handler tries them (at most two: pidgin's login reply is tried
// with the password key, then the initial key).
struct body_guess {
    static constexpr std::size_t max_keys = 2;
    proto::const_byte_span cipher;
    std::array<proto::tea_key, max_keys> keys{};
    std::size_t key_count = 0;

    void add(const proto::tea_key& key) noexcept {
        if (key_count < max_keys) keys[key_count++] = key;
    }
};

class rx_plaintexts {
public:
    // A batch is a burst from each port (rx_bursts), each at most
    // max_burst_frames; a login reply may be guessed with two keys
    // (body_guess), and few of a burst's frames are login replies.
    static constexpr std::size_t max_frames = port_role_count * max_burst_frames;
    static constexpr std::size_t max_entries = max_frames * 3 / 2;
    // Plaintext room for the batch; a body that does not fit is decrypted on
    // the spot instead. Two full bursts of bodies of up to ~750 bytes.
    static constexpr std::size_t arena_size = max_frames * 768;
    // Bodies longer than the engine's scratch buffer are not batched, so that
    // an answer from here never differs from decrypting into that buffer.
    static constexpr std::size_t max_cipher = 2048;

    void clear() noexcept {
        count_ = 0;
        decrypted_ = 0;
        used_ = 0;
        cursor_ = 0;
    }

    // Notes `cipher` for decryption with `key` in this burst's batch; false
    // (nothing noted) when the burst's room is used up.
    bool add(const proto::tea_key& key, proto::const_byte_span cipher) noexcept {
        if (count_ == max_entries || cipher.size() > max_cipher || cipher.size() > arena_size - used_) return false;
        proto::tea_decrypt_job& j = jobs_[count_++];
        j.key = key;
        j.cipher = cipher;
        j.out = proto::byte_span{arena_}.subspan(used_, cipher.size());
        used_ += cipher.size();
        return true;
    }

    // Notes every key of `guess`; false when the burst's room ran out.
    bool add(const body_guess& guess) noexcept {
        for (std::size_t k = 0; k < guess.key_count; ++k)
            if (!add(guess.keys[k], guess.cipher)) return false;
        return true;
    }

    // Decrypts every noted body in one batch.
    void decrypt_all() noexcept {
        if (count_ != decrypted_) proto::tea_decrypt_batch(std::span(jobs_.data() + decrypted_, count_ - decrypted_));
        decrypted_ = count_;
    }

    [[nodiscard]] std::size_t size() const noexcept { return count_; }

    // The batch's answer for (key, cipher), or nullptr when it has none
    // (bodies noted but not decrypted yet have none). Handlers ask in the
    // order the bodies were noted, so the first look is usually the hit.
    [[nodiscard]] const proto::tea_decrypt_job* find(const proto::tea_key& key,
                                                     proto::const_byte_span cipher) noexcept {
        const std::size_t count = decrypted_;
        for (std::size_t n = 0; n < count; ++n) {
            const std::size_t i = cursor_ + n < count ? cursor_ + n : cursor_ + n - count;
            const proto::tea_decrypt_job& j = jobs_[i];
            if (j.cipher.data() == cipher.data() && j.cipher.size() == cipher.size() && j.key == key) {
                cursor_ = i + 1 < count ? i + 1 : 0;
                return &j;
            }
        }
        return nullptr;
    }

private:
    std::array<proto::tea_decrypt_job, max_entries> jobs_{};
    std::size_t count_ = 0;
    std::size_t decrypted_ = 0;  // jobs_[0, decrypted_) hold their answers
    std::size_t used_ = 0;
    std::size_t cursor_ = 0;
    alignas(64) std::array<std::byte, arena_size> arena_{};
};

}  // namespace qqgen::engine
