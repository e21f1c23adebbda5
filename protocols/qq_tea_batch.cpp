// Dispatch of the QQ-TEA batch (qq_tea_batch.hpp): the instruction set is
// picked once, at first use; the scalar path is qq_tea.cpp itself.
#include "protocols/qq_tea_batch.hpp"

#include <array>

namespace qqgen::proto {
namespace {

// A job is one cache line: a burst of them streams through the lanes without
// sharing lines between jobs.
static_assert(sizeof(tea_encrypt_job) == 64);
static_assert(sizeof(tea_decrypt_job) == 64);

tea_isa detect() noexcept {
#if defined(__x86_64__)
    // libgcc's CPU model also checks (XGETBV) that the OS saves the wide
    // registers; init first in case this runs before its constructor.
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return tea_isa::avx512;
    if (__builtin_cpu_supports("avx2")) return tea_isa::avx2;
#endif
    return tea_isa::scalar;
}

// The reference: one job after the other through qq_tea.cpp.
void encrypt_scalar(std::span<tea_encrypt_job> jobs) noexcept {
    for (tea_encrypt_job& j : jobs) j.out_len = tea_encrypt(j.key, j.plain, j.out, j.pad_seed);
}
void decrypt_scalar(std::span<tea_decrypt_job> jobs) noexcept {
    for (tea_decrypt_job& j : jobs) j.plain_len = tea_decrypt(j.key, j.cipher, j.out);
}

// One implementation per instruction set, in tea_isa order (the per-ISA
// files exist on x86-64 only).
template <class Job>
using batch_fns = std::array<void (*)(std::span<Job>) noexcept, 3>;
#if defined(__x86_64__)
constexpr batch_fns<tea_encrypt_job> encrypt_fns{encrypt_scalar, tea_batch_detail::encrypt_avx2,
                                                 tea_batch_detail::encrypt_avx512};
constexpr batch_fns<tea_decrypt_job> decrypt_fns{decrypt_scalar, tea_batch_detail::decrypt_avx2,
                                                 tea_batch_detail::decrypt_avx512};
#else
constexpr batch_fns<tea_encrypt_job> encrypt_fns{encrypt_scalar, encrypt_scalar, encrypt_scalar};
constexpr batch_fns<tea_decrypt_job> decrypt_fns{decrypt_scalar, decrypt_scalar, decrypt_scalar};
#endif

// Runs `jobs` on `isa` if the CPU has it, else on the scalar path.
template <class Job>
void run_on(tea_isa isa, std::span<Job> jobs, const batch_fns<Job>& fns) noexcept {
    const auto at = static_cast<std::size_t>(isa);
    fns[at < fns.size() && tea_batch_supported(isa) ? at : 0](jobs);
}

}  // namespace

tea_isa tea_batch_isa() noexcept {
    static const tea_isa best = detect();
    return best;
}

bool tea_batch_supported(tea_isa isa) noexcept {
    switch (isa) {
        case tea_isa::scalar:
            return true;
        case tea_isa::avx2:
            return tea_batch_isa() != tea_isa::scalar;  // AVX-512F implies AVX2
        case tea_isa::avx512:
            return tea_batch_isa() == tea_isa::avx512;
    }
    return false;
}

void tea_encrypt_batch(std::span<tea_encrypt_job> jobs, tea_isa isa) noexcept {
    run_on(isa, jobs, encrypt_fns);
}

void tea_decrypt_batch(std::span<tea_decrypt_job> jobs, tea_isa isa) noexcept {
    run_on(isa, jobs, decrypt_fns);
}

void tea_encrypt_batch(std::span<tea_encrypt_job> jobs) noexcept {
    tea_encrypt_batch(jobs, tea_batch_isa());
}
void tea_decrypt_batch(std::span<tea_decrypt_job> jobs) noexcept {
    tea_decrypt_batch(jobs, tea_batch_isa());
}

}  // namespace qqgen::proto
