#include "dataplane/engine/tx_seal.hpp"

#include <array>

#include "dataplane/engine/burst_limits.hpp"
#include "protocols/qq_tea_batch.hpp"

namespace qqgen::engine {

void seal_frames(std::span<std::byte* const> frames, std::span<const tx_seal> seals) noexcept {
    // dpdk_frame_io seals at most both ports' bursts at once; a longer list
    // (memory_frame_io's configurable burst) goes in chunks.
    constexpr std::size_t chunk = 2 * max_burst_frames;
    std::array<proto::tea_encrypt_job, chunk> jobs;
    for (std::size_t base = 0; base < seals.size(); base += chunk) {
        const std::size_t n = seals.size() - base < chunk ? seals.size() - base : chunk;
        for (std::size_t i = 0; i < n; ++i) {
            const tx_seal& s = seals[base + i];
            std::byte* const f = frames[base + i];
            proto::tea_encrypt_job& j = jobs[i];
            j.key = s.key;
            j.plain = {f + s.plain_offset, s.plain_size};
            j.out = {f + s.body_offset, proto::tea_cipher_size(s.plain_size)};
            j.pad_seed = s.pad_seed;
        }
        proto::tea_encrypt_batch(std::span(jobs.data(), n));
        for (std::size_t i = 0; i < n; ++i) {
            const tx_seal& s = seals[base + i];
            proto::finish_checksums({frames[base + i], s.layout.frame_size}, s.layout);
        }
    }
}

}  // namespace qqgen::engine
