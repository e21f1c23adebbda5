// The control <-> dataplane shared-memory ABI (design.md "Control <->
// dataplane shared memory", docs/shm-abi.md): the one header both processes
// compile against. One POSIX segment per dataplane instance,
// /dev/shm/qqgen.<instance>, laid out as
//
//   [shm_header | profile_slot | command_block x workers | stats_block x workers]
//
// with every part on its own cache lines, offsets (never pointers) in the
// header, fixed-width fields and explicit padding only. Each part has one
// writer: control writes the profile slot and the command blocks; worker w
// writes stats block w; the dataplane's main thread writes the header.
// Multi-word records are published under a seqlock whose payload is copied
// as relaxed atomic 64-bit words, so a reader in another process never blocks
// the writer and detects (and retries) a torn copy.
//
// No DPDK here: control includes it too.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "dataplane/engine/engine_counters.hpp"
#include "dataplane/engine/frame_io.hpp"
#include "dataplane/engine/load_settings.hpp"

namespace qqgen::shm {

// --- identity and limits ----------------------------------------------------

// "QQGENSHM" in memory order on a little-endian host: readable in a hex dump
// of /dev/shm/qqgen.*.
inline constexpr std::uint64_t abi_magic = 0x4D48534E45475151ull;
// Bump on any change to a struct below or to the engine structs they embed
// (load_settings, engine_counters, io_counters); attach refuses a mismatch.
inline constexpr std::uint32_t abi_version = 6;  // 2: message_sizes, messages.text_bytes; 3: TCP settings and counters;
                                                 // 4: worker stats mbufs_in_use, mbufs_total;
                                                 // 5: messages by charset and font;
                                                 // 6: companion applications (load_settings.apps,
                                                 //    engine_counters.apps)

inline constexpr std::size_t cache_line = 64;
inline constexpr std::uint32_t max_workers = 1024;  // far above RTE_MAX_LCORE's default 128
inline constexpr std::size_t max_instance_name = 32;
inline constexpr std::string_view segment_prefix = "/qqgen.";  // shm_open name: /qqgen.<instance>
inline constexpr std::string_view shm_directory = "/dev/shm";  // where glibc puts shm_open names

// Every engine struct embedded below is part of this ABI: a change to one of
// them must bump abi_version and these numbers together.
static_assert(sizeof(engine::load_settings) == 3304 && alignof(engine::load_settings) == 8,
              "load_settings changed: it is shm ABI; bump shm::abi_version and this size");
static_assert(sizeof(engine::engine_counters) == 29432 && alignof(engine::engine_counters) == 8,
              "engine_counters changed: it is shm ABI; bump shm::abi_version and this size");
static_assert(sizeof(engine::io_counters) == 144 && alignof(engine::io_counters) == 8,
              "io_counters changed: it is shm ABI; bump shm::abi_version and this size");

// --- enums (u32 on the wire; readers treat unknown values as invalid) --------

enum class dataplane_state : std::uint32_t { starting, waiting_for_profile, running, stopping, exited };
enum class worker_state : std::uint32_t { starting, waiting_for_profile, running, stopping, finished, failed };
enum class worker_phase : std::uint32_t { waiting, ramp_up, steady, ramp_down, ended, stopping };
enum class command : std::uint32_t { none, stop, stop_now };

constexpr std::string_view to_string(dataplane_state s) noexcept {
    constexpr std::array<std::string_view, 5> n{"starting", "waiting_for_profile", "running", "stopping", "exited"};
    return static_cast<std::size_t>(s) < n.size() ? n[static_cast<std::size_t>(s)] : "?";
}
constexpr std::string_view to_string(worker_state s) noexcept {
    constexpr std::array<std::string_view, 6> n{"starting", "waiting_for_profile", "running", "stopping", "finished",
                                                "failed"};
    return static_cast<std::size_t>(s) < n.size() ? n[static_cast<std::size_t>(s)] : "?";
}
constexpr std::string_view to_string(worker_phase p) noexcept {
    constexpr std::array<std::string_view, 6> n{"waiting", "ramp_up", "steady", "ramp_down", "ended", "stopping"};
    return static_cast<std::size_t>(p) < n.size() ? n[static_cast<std::size_t>(p)] : "?";
}
constexpr std::string_view to_string(command c) noexcept {
    constexpr std::array<std::string_view, 3> n{"none", "stop", "stop_now"};
    return static_cast<std::size_t>(c) < n.size() ? n[static_cast<std::size_t>(c)] : "?";
}

// --- payloads -----------------------------------------------------------------

// What control publishes: every worker runs `settings` (each with its own
// worker index applied by the dataplane).
struct shm_profile {
    engine::load_settings settings{};
    std::array<char, 64> name{};  // the profile's name, NUL-terminated
    std::uint64_t published_unix_ns = 0;
};

// What worker w publishes about itself, about once a millisecond.
struct shm_worker_stats {
    std::uint64_t applied_generation = 0;  // profile generation it runs (0: none yet)
    std::uint64_t refused_generation = 0;  // last generation it refused (0: none)
    std::array<char, 192> refusal{};       // why, NUL-terminated
    worker_state state = worker_state::starting;
    worker_phase phase = worker_phase::waiting;
    std::uint64_t active_users = 0;
    std::uint64_t slots = 0;
    std::uint64_t published_unix_ns = 0;
    std::uint64_t loops = 0;  // poll-loop turns
    engine::engine_counters engine{};
    engine::io_counters io{};
    // The worker's mempool(s): mbufs out of the pool (held by the worker, a
    // TX queue, the wire or the DUT; per-lcore caches count as in the pool)
    // and its size. A soak watches that in-use stays flat (issue 7).
    std::uint64_t mbufs_in_use = 0;
    std::uint64_t mbufs_total = 0;
};

// The dataplane as a whole, written by its main thread.
struct shm_status {
    dataplane_state state = dataplane_state::starting;
    std::uint32_t padding0_ = 0;
    std::uint64_t changed_unix_ns = 0;
    // Why it stopped, or refused a first profile; NUL-terminated.
    std::array<char, 256> message{};
};

// The profile slot's seqlocked record: the checksum (FNV-1a 64 over every
// byte of the record but the checksum word) catches a slot corrupted by
// anything other than a torn write, which the seqlock catches.
struct profile_record {
    std::uint64_t generation = 0;    // 1, 2, ... per publication; 0: nothing published yet
    std::uint64_t payload_size = 0;  // sizeof(shm_profile) of the writer
    std::uint64_t checksum = 0;
    std::uint64_t padding0_ = 0;
    shm_profile profile{};
};
inline constexpr std::size_t profile_checksum_word = offsetof(profile_record, checksum) / 8;
inline constexpr std::size_t profile_payload_word = offsetof(profile_record, profile) / 8;

// --- seqlocked blocks -----------------------------------------------------------

constexpr std::size_t round_up(std::size_t n, std::size_t to) noexcept {
    return (n + to - 1) / to * to;
}

// A sequence word and the payload as 64-bit words, padded with explicit
// words to whole cache lines so that nothing else shares its lines.
template <class T>
struct alignas(cache_line) seqlock_block {
    static_assert(std::is_trivially_copyable_v<T> && sizeof(T) % 8 == 0 && alignof(T) <= 8);
    static constexpr std::size_t payload_words = sizeof(T) / 8;
    static constexpr std::size_t line_words = cache_line / 8;

    std::uint64_t sequence;  // odd while the writer copies
    std::array<std::uint64_t, round_up(1 + payload_words, line_words) - 1> words;
};

// Control's word to one worker: (sequence << 8) | command, one atomic store,
// so a worker sees a new command as a new sequence and never half of one.
struct alignas(cache_line) command_block {
    std::uint64_t word;
    std::array<std::uint64_t, 7> padding_;
};

using profile_slot = seqlock_block<profile_record>;
using stats_block = seqlock_block<shm_worker_stats>;
using status_block = seqlock_block<shm_status>;

// Where the parts are: offsets from the segment's start, never pointers.
struct segment_layout {
    std::uint64_t header_size;
    std::uint64_t profile_offset;
    std::uint64_t profile_size;
    std::uint64_t commands_offset;
    std::uint64_t command_stride;
    std::uint64_t stats_offset;
    std::uint64_t stats_stride;
    std::uint64_t total_size;

    friend constexpr bool operator==(const segment_layout&, const segment_layout&) = default;
};

// --- header ---------------------------------------------------------------------

struct alignas(cache_line) shm_header {
    // Line 0: who owns the segment. These offsets never change between ABI
    // versions, so any qqgen can tell whose segment it is and whether its
    // owner still runs. Written once; `magic` last, with release.
    std::uint64_t magic;
    std::uint32_t abi_version;
    std::uint32_t header_size;
    std::uint64_t segment_size;
    std::uint32_t pid;
    std::uint32_t worker_count;
    std::uint64_t pid_start_ticks;  // /proc/<pid>/stat starttime: tells a reused pid apart
    std::uint64_t tsc_hz;
    std::uint64_t start_unix_ns;
    std::uint64_t start_mono_ns;

    // Line 1: where the parts are; layout_for(worker_count) exactly.
    segment_layout layout;

    // Line 2: the main thread's heartbeat, about every 10 ms. Monotonic
    // time is what control compares (CLOCK_MONOTONIC is system-wide); unix
    // time is for people.
    std::uint64_t heartbeat_count;
    std::uint64_t heartbeat_unix_ns;
    std::uint64_t heartbeat_mono_ns;
    std::array<std::uint64_t, 5> padding2_;

    status_block status;
};

// --- layout ---------------------------------------------------------------------

constexpr segment_layout layout_for(std::uint32_t worker_count) noexcept {
    segment_layout l{};
    l.header_size = sizeof(shm_header);
    l.profile_offset = l.header_size;
    l.profile_size = sizeof(profile_slot);
    l.commands_offset = l.profile_offset + l.profile_size;
    l.command_stride = sizeof(command_block);
    l.stats_offset = l.commands_offset + l.command_stride * worker_count;
    l.stats_stride = sizeof(stats_block);
    l.total_size = l.stats_offset + l.stats_stride * worker_count;
    return l;
}

// --- layout checks: any failure here is an ABI change ---------------------------

template <class T>
inline constexpr bool whole_lines = sizeof(T) % cache_line == 0 && alignof(T) == cache_line;

static_assert(offsetof(shm_header, magic) == 0 && offsetof(shm_header, abi_version) == 8 &&
              offsetof(shm_header, header_size) == 12 && offsetof(shm_header, segment_size) == 16 &&
              offsetof(shm_header, pid) == 24 && offsetof(shm_header, worker_count) == 28 &&
              offsetof(shm_header, pid_start_ticks) == 32);
static_assert(offsetof(shm_header, layout) == 64 && sizeof(segment_layout) == 64 &&
              offsetof(shm_header, heartbeat_count) == 128 && offsetof(shm_header, status) == 192);
static_assert(sizeof(shm_header) == 512 && whole_lines<shm_header>);
static_assert(sizeof(shm_profile) == 3376 && offsetof(shm_profile, name) == 3304);
static_assert(sizeof(profile_record) == 3408 && profile_payload_word == 4);
static_assert(sizeof(profile_slot) == 3456 && whole_lines<profile_slot>);
static_assert(offsetof(shm_worker_stats, state) == 208 && offsetof(shm_worker_stats, engine) == 248 &&
              offsetof(shm_worker_stats, io) == 29680 && offsetof(shm_worker_stats, mbufs_in_use) == 29824 &&
              sizeof(shm_worker_stats) == 29840);
static_assert(sizeof(stats_block) == 29888 && whole_lines<stats_block>);
static_assert(sizeof(shm_status) == 272 && sizeof(status_block) == 320);
static_assert(sizeof(command_block) == 64 && whole_lines<command_block>);
static_assert(layout_for(2).total_size == 512 + 3456 + 2 * 64 + 2 * 29888);
// No implicit padding anywhere: the bytes a writer copies are exactly its
// fields, so checksums and byte comparisons mean something.
static_assert(std::has_unique_object_representations_v<shm_profile>);
static_assert(std::has_unique_object_representations_v<profile_record>);
static_assert(std::has_unique_object_representations_v<shm_worker_stats>);
static_assert(std::has_unique_object_representations_v<shm_status>);
static_assert(std::has_unique_object_representations_v<shm_header>);
static_assert(std::has_unique_object_representations_v<profile_slot>);
static_assert(std::has_unique_object_representations_v<stats_block>);
static_assert(std::has_unique_object_representations_v<command_block>);
// The segment is shared between processes: its atomics must be plain
// lock-free instructions on the words themselves.
static_assert(std::atomic_ref<std::uint64_t>::is_always_lock_free);
static_assert(std::atomic_ref<std::uint64_t>::required_alignment <= 8);

// --- names ----------------------------------------------------------------------

constexpr bool valid_instance_name(std::string_view s) noexcept {
    if (s.empty() || s.size() > max_instance_name) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}
// Empty if `s` is a valid instance name; else what is wrong with it.
inline std::string instance_name_problem(std::string_view s) {
    if (valid_instance_name(s)) return {};
    return "instance name '" + std::string(s) + "' is not valid: use 1 to " + std::to_string(max_instance_name) +
           " characters from A-Z a-z 0-9 _ -";
}
inline std::string segment_name(std::string_view instance) {
    return std::string(segment_prefix) + std::string(instance);
}
inline std::string segment_path(std::string_view instance) {
    return std::string(shm_directory) + "/" + segment_name(instance).substr(1);
}

// A NUL-terminated field as a view (never past the array).
template <std::size_t N>
constexpr std::string_view field_text(const std::array<char, N>& a) noexcept {
    return {a.data(), static_cast<std::size_t>(std::find(a.begin(), a.end(), '\0') - a.begin())};
}
// Copies `text` into a NUL-terminated field, cut to fit; the rest zeroed.
template <std::size_t N>
constexpr void set_field_text(std::array<char, N>& a, std::string_view text) noexcept {
    a.fill('\0');
    std::copy_n(text.begin(), std::min(text.size(), N - 1), a.begin());
}

// --- checksum -------------------------------------------------------------------

inline constexpr std::uint64_t fnv1a64_basis = 0xcbf29ce484222325ull;
// FNV-1a 64 (Fowler, Noll, Vo; draft-eastlake-fnv): tiny, and enough to
// catch a corrupted slot (not an adversary).
constexpr std::uint64_t fnv1a64(std::span<const std::byte> bytes, std::uint64_t h = fnv1a64_basis) noexcept {
    for (std::byte b : bytes) h = (h ^ std::to_integer<std::uint64_t>(b)) * 0x100000001b3ull;
    return h;
}
// The checksum of a profile record held as words: every byte but the
// checksum word's.
inline std::uint64_t profile_checksum(std::span<const std::uint64_t> record_words) noexcept {
    const auto bytes = std::as_bytes(record_words);
    const std::uint64_t h = fnv1a64(bytes.first(profile_checksum_word * 8));
    return fnv1a64(bytes.subspan((profile_checksum_word + 1) * 8), h);
}

// --- clocks ---------------------------------------------------------------------

inline std::uint64_t clock_ns(clockid_t clock) noexcept {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
}
inline std::uint64_t unix_ns() noexcept {
    return clock_ns(CLOCK_REALTIME);
}
inline std::uint64_t mono_ns() noexcept {
    return clock_ns(CLOCK_MONOTONIC);
}

// --- atomic words ---------------------------------------------------------------

inline std::uint64_t load_word(const std::uint64_t& w, std::memory_order order = std::memory_order_relaxed) noexcept {
    // atomic_ref<const T> is C++26; the load does not write.
    return std::atomic_ref<std::uint64_t>(const_cast<std::uint64_t&>(w)).load(order);
}
inline void store_word(std::uint64_t& w, std::uint64_t v,
                       std::memory_order order = std::memory_order_relaxed) noexcept {
    std::atomic_ref<std::uint64_t>(w).store(v, order);
}

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

// --- seqlock --------------------------------------------------------------------
//
// Boehm, "Can seqlocks get along with programming language memory models?"
// (MSPC 2012), the fence-based variant: the writer makes the sequence odd,
// fences (release) so no payload store is seen before the odd sequence,
// stores the words relaxed, then stores the next even sequence (release).
// The reader loads the sequence (acquire), loads the words relaxed, fences
// (acquire) and accepts the copy only if the sequence is unchanged and even.

// Writer side in three steps, for writers that take the block their own way
// (control's profile publication). begin returns the odd sequence it stored;
// a sequence already odd (a writer that died mid-copy) is moved past.
inline std::uint64_t seqlock_begin(std::uint64_t& sequence) noexcept {
    const std::uint64_t s = load_word(sequence);
    const std::uint64_t odd = s + 1 + (s & 1u);
    store_word(sequence, odd);
    std::atomic_thread_fence(std::memory_order_release);
    return odd;
}
// `from` holds n words' bytes.
inline void seqlock_store_words(std::uint64_t* words, const std::byte* from, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
        std::uint64_t w;
        std::memcpy(&w, from + i * 8, 8);
        store_word(words[i], w);
    }
}
inline void seqlock_end(std::uint64_t& sequence, std::uint64_t odd) noexcept {
    store_word(sequence, odd + 1, std::memory_order_release);
}
// The whole write, for a block with one writer.
inline void seqlock_write_words(std::uint64_t& sequence, std::uint64_t* words, const std::byte* from,
                                std::size_t n) noexcept {
    const std::uint64_t odd = seqlock_begin(sequence);
    seqlock_store_words(words, from, n);
    seqlock_end(sequence, odd);
}

// Reader side: at most `tries` attempts, never blocking, never allocating.
// False (a torn copy) if none was stable; `to` is then unspecified.
inline bool seqlock_read_words(const std::uint64_t& sequence, const std::uint64_t* words, std::byte* to, std::size_t n,
                               unsigned tries) noexcept {
    for (unsigned t = 0; t < tries; ++t) {
        const std::uint64_t s = load_word(sequence, std::memory_order_acquire);
        if (s & 1u) {
            cpu_relax();
            continue;
        }
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t w = load_word(words[i]);
            std::memcpy(to + i * 8, &w, 8);
        }
        std::atomic_thread_fence(std::memory_order_acquire);
        if (load_word(sequence) == s) return true;
        cpu_relax();
    }
    return false;
}

template <class T>
void seqlock_write(seqlock_block<T>& b, const T& value) noexcept {
    seqlock_write_words(b.sequence, b.words.data(), reinterpret_cast<const std::byte*>(&value),
                        seqlock_block<T>::payload_words);
}
template <class T>
bool seqlock_read(const seqlock_block<T>& b, T& out, unsigned tries) noexcept {
    return seqlock_read_words(b.sequence, b.words.data(), reinterpret_cast<std::byte*>(&out),
                              seqlock_block<T>::payload_words, tries);
}

// --- commands -------------------------------------------------------------------

struct worker_command {
    command what = command::none;  // unknown values read as none
    std::uint64_t sequence = 0;    // bumped by every send: a worker acts on a sequence it has not seen
};
constexpr std::uint64_t encode_command(command c, std::uint64_t sequence) noexcept {
    return sequence << 8 | static_cast<std::uint64_t>(c);
}
constexpr worker_command decode_command(std::uint64_t word) noexcept {
    const std::uint64_t c = word & 0xFFu;
    return {c <= static_cast<std::uint64_t>(command::stop_now) ? static_cast<command>(c) : command::none, word >> 8};
}

}  // namespace qqgen::shm
