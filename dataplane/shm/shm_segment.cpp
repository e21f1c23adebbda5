#include "dataplane/shm/shm_segment.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <thread>

#include <unistd.h>

#include "dataplane/shm/shm_process.hpp"

namespace qqgen::shm {
namespace {

// What holds the name we want.
enum class holder { being_created, ours_running, ours_dead, foreign };

struct existing {
    holder who = holder::foreign;
    std::uint32_t pid = 0;
    std::uint32_t abi = 0;
    std::uint64_t magic = 0;
};

// `patient`: a segment without a magic yet may be one another dataplane is
// creating (it sizes it and stores the magic within microseconds).
existing inspect(const mapping& m, bool patient) {
    existing e;
    if (m.size() >= cache_line)
        e.magic = load_word(reinterpret_cast<const shm_header*>(m.data())->magic, std::memory_order_acquire);
    if (e.magic != abi_magic) {
        e.who = patient && e.magic == 0 ? holder::being_created : holder::foreign;
        return e;
    }
    // Line 0 keeps its offsets in every ABI version, so this holds for
    // segments of older and newer qqgen too.
    const auto& h = *reinterpret_cast<const shm_header*>(m.data());
    e.pid = h.pid;
    e.abi = h.abi_version;
    e.who = process_running(h.pid, h.pid_start_ticks) ? holder::ours_running : holder::ours_dead;
    return e;
}

std::string hex(std::uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%016llx", static_cast<unsigned long long>(v));
    return b;
}

}  // namespace

create_result segment::create(std::string_view instance, std::uint32_t worker_count, std::uint64_t tsc_hz) {
    create_result r;
    if (std::string why = instance_name_problem(instance); !why.empty()) {
        r.error = why;
        return r;
    }
    if (worker_count == 0 || worker_count > max_workers) {
        r.error = "cannot create the shared-memory segment for " + std::to_string(worker_count) +
                  " workers: use 1 to " + std::to_string(max_workers);
        return r;
    }
    const std::string name = segment_name(instance);
    const std::string path = segment_path(instance);
    // A stale segment is removed once and the name is ours, unless another
    // dataplane races us for it; a segment being created gets ~100 ms.
    constexpr int patient_attempts = 10;
    for (int attempt = 0; attempt < 2 * patient_attempts; ++attempt) {
        open_result made = mapping::create_new(name, layout_for(worker_count).total_size);
        if (made.map) {
            segment s;
            s.instance_ = std::string(instance);
            s.name_ = name;
            s.map_ = std::move(made.map);
            s.init(worker_count, tsc_hz);
            r.seg.emplace(std::move(s));
            return r;
        }
        if (made.error != EEXIST) {
            r.error = made.message;
            return r;
        }
        open_result old = mapping::open_existing(name);
        if (old.error == ENOENT) continue;  // removed meanwhile
        if (old.error != 0) {
            r.error = path + " exists and " + old.message;
            return r;
        }
        const existing e = inspect(old.map, attempt < patient_attempts);
        std::string removed;
        switch (e.who) {
            case holder::being_created:
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
                continue;
            case holder::ours_running:
                r.error = "instance " + std::string(instance) + " is in use by qqgen-dataplane pid " +
                          std::to_string(e.pid) +
                          (e.abi != abi_version ? " (shared-memory ABI version " + std::to_string(e.abi) + ")" : "") +
                          ": stop it, or choose another instance name";
                return r;
            case holder::ours_dead:
                removed = "removed a stale segment " + path + " left by qqgen-dataplane pid " + std::to_string(e.pid) +
                          ", which is no longer running";
                break;
            case holder::foreign:
                removed = "removed " + path + ", which was not a qqgen segment (magic " + hex(e.magic) + ")";
                break;
        }
        if (const int err = old.map.unlink_if_same(name); err != 0 && err != ENOENT && err != ESTALE) {
            r.error = "cannot remove the stale segment " + path + ": " + std::strerror(err);
            return r;
        }
        r.notice += (r.notice.empty() ? "" : "; ") + removed;
    }
    r.error = "cannot create " + path + ": other processes keep creating it; is another qqgen-dataplane starting?";
    return r;
}

void segment::init(std::uint32_t worker_count, std::uint64_t tsc_hz) noexcept {
    // The mapping is new and zeroed, and no reader trusts it before the
    // magic: plain stores, then the magic with release.
    shm_header& h = header_mut();
    const segment_layout l = layout_for(worker_count);
    layout_ = l;
    worker_count_ = worker_count;
    h.abi_version = abi_version;
    h.header_size = static_cast<std::uint32_t>(l.header_size);
    h.segment_size = l.total_size;
    h.pid = static_cast<std::uint32_t>(::getpid());
    h.worker_count = worker_count;
    h.pid_start_ticks = process_start_ticks(h.pid);
    h.tsc_hz = tsc_hz;
    h.start_unix_ns = unix_ns();
    h.start_mono_ns = mono_ns();
    h.layout = l;
    status_.state = dataplane_state::starting;
    status_.changed_unix_ns = h.start_unix_ns;
    publish_status();
    beat();
    store_word(h.magic, abi_magic, std::memory_order_release);
}

segment::~segment() {
    if (!map_) return;
    set_state(dataplane_state::exited);
    map_.unlink_if_same(name_);
}

const profile_slot& segment::profile() const noexcept {
    return *reinterpret_cast<const profile_slot*>(map_.data() + layout_.profile_offset);
}
const command_block& segment::command_at(std::uint32_t worker) const noexcept {
    return *reinterpret_cast<const command_block*>(map_.data() + layout_.commands_offset +
                                                   std::size_t{worker} * layout_.command_stride);
}
stats_block& segment::stats_at(std::uint32_t worker) noexcept {
    return *reinterpret_cast<stats_block*>(map_.data() + layout_.stats_offset +
                                           std::size_t{worker} * layout_.stats_stride);
}

profile_read segment::read_profile(shm_profile& out, std::uint64_t known_generation, unsigned tries) const noexcept {
    const profile_slot& slot = profile();
    // Fast path, taken between nearly every burst: the generation word alone.
    profile_read r{profile_status::torn, 0};
    if (!seqlock_read_words(slot.sequence, slot.words.data(), reinterpret_cast<std::byte*>(&r.generation), 1, tries))
        return r;
    if (r.generation == known_generation || r.generation == 0) return {profile_status::unchanged, r.generation};

    std::array<std::uint64_t, profile_slot::payload_words> record;  // ~1 KiB on the stack, no allocation
    if (!seqlock_read_words(slot.sequence, slot.words.data(), reinterpret_cast<std::byte*>(record.data()),
                            record.size(), tries))
        return r;
    r.generation = record[0];
    if (record[offsetof(profile_record, payload_size) / 8] != sizeof(shm_profile))
        return {profile_status::bad_size, r.generation};
    if (profile_checksum(record) != record[profile_checksum_word]) return {profile_status::bad_checksum, r.generation};
    if (r.generation == known_generation) return {profile_status::unchanged, r.generation};
    std::memcpy(static_cast<void*>(&out), record.data() + profile_payload_word, sizeof(shm_profile));
    return {profile_status::ok, r.generation};
}

worker_command segment::command(std::uint32_t worker) const noexcept {
    if (worker >= worker_count()) return {};
    return decode_command(load_word(command_at(worker).word, std::memory_order_acquire));
}

void segment::publish_stats(std::uint32_t worker, const shm_worker_stats& stats) noexcept {
    if (worker < worker_count()) seqlock_write(stats_at(worker), stats);
}

void segment::beat() noexcept {
    shm_header& h = header_mut();
    store_word(h.heartbeat_count, ++beats_);
    store_word(h.heartbeat_unix_ns, unix_ns());
    store_word(h.heartbeat_mono_ns, mono_ns(), std::memory_order_release);
}

void segment::set_state(dataplane_state state) noexcept {
    status_.state = state;
    status_.changed_unix_ns = unix_ns();
    publish_status();
}

void segment::set_message(std::string_view message) noexcept {
    set_field_text(status_.message, message);
    status_.changed_unix_ns = unix_ns();
    publish_status();
}

void segment::publish_status() noexcept {
    seqlock_write(header_mut().status, status_);
}

}  // namespace qqgen::shm
