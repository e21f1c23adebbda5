#include "control/shm/shm_attach.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "dataplane/shm/shm_process.hpp"

namespace qqgen::control {
namespace {

using namespace std::chrono_literals;

attach_result fail(attach_error e, std::string message) {
    attach_result r;
    r.error = e;
    r.message = std::move(message);
    return r;
}

std::string hex(std::uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%016llx", static_cast<unsigned long long>(v));
    return b;
}

std::string seconds(std::chrono::nanoseconds d) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f s", std::chrono::duration<double>(d).count());
    return b;
}

std::string no_such_instance_message(std::string_view instance) {
    std::string m = "no qqgen-dataplane instance '" + std::string(instance) + "' (" + shm::segment_path(instance) +
                    " does not exist); ";
    const std::vector<std::string> all = shm::list_instances();
    if (all.empty()) return m + "no instance has a segment: is qqgen-dataplane running?";
    m += "instances with a segment: ";
    for (std::size_t i = 0; i < all.size(); ++i) m += (i ? ", " : "") + all[i];
    return m;
}

// Header, layout for its worker count, and file size must all agree; empty
// if they do.
std::string layout_problem(const shm::shm_header& h, std::size_t file_size, std::string_view instance) {
    const std::string where = shm::segment_path(instance);
    if (h.worker_count == 0 || h.worker_count > shm::max_workers)
        return where + " claims " + std::to_string(h.worker_count) + " workers (1 to " +
               std::to_string(shm::max_workers) + " are possible)";
    const shm::segment_layout l = shm::layout_for(h.worker_count);
    if (h.segment_size != l.total_size || file_size != l.total_size)
        return where + " size mismatch: " + std::to_string(h.worker_count) + " workers need " +
               std::to_string(l.total_size) + " bytes, the header says " + std::to_string(h.segment_size) +
               " and the file has " + std::to_string(file_size);
    if (h.header_size != l.header_size || h.layout != l)
        return where +
               " size mismatch: its offsets and sizes differ from this qqgen's layout of the same ABI "
               "version (a build with other engine structs?)";
    return {};
}

}  // namespace

bool ack_report::complete() const noexcept {
    for (const auto& w : workers)
        if (w.state == ack_state::pending) return false;
    return true;
}
bool ack_report::all_applied() const noexcept {
    for (const auto& w : workers)
        if (w.state != ack_state::applied) return false;
    return !workers.empty();
}

attach_result shm_attachment::attach(std::string_view instance, attach_options options) {
    if (std::string why = shm::instance_name_problem(instance); !why.empty()) return fail(attach_error::bad_name, why);
    const std::string name = shm::segment_name(instance);
    const std::string path = shm::segment_path(instance);
    shm::open_result o = shm::mapping::open_existing(name);
    if (o.error == ENOENT) return fail(attach_error::no_such_instance, no_such_instance_message(instance));
    if (o.error != 0) return fail(attach_error::system, o.message);
    if (o.map.size() < sizeof(shm::shm_header))
        return fail(attach_error::not_qqgen, path + " is not a qqgen segment (" + std::to_string(o.map.size()) +
                                                 " bytes; remove it if nothing uses it)");

    const auto& h = *reinterpret_cast<const shm::shm_header*>(o.map.data());
    // A dataplane creating it stores the magic last, within microseconds.
    std::uint64_t magic = 0;
    for (int i = 0; i < 100 && (magic = shm::load_word(h.magic, std::memory_order_acquire)) == 0; ++i)
        std::this_thread::sleep_for(1ms);
    if (magic != shm::abi_magic)
        return fail(attach_error::not_qqgen, path + " is not a qqgen segment (magic " + hex(magic) + ", expected " +
                                                 hex(shm::abi_magic) + "; remove it if nothing uses it)");

    // Line 0 is the same in every ABI version: the owner check comes first,
    // so a stale segment of any version can be cleaned.
    if (!shm::process_running(h.pid, h.pid_start_ticks)) {
        std::string m = "instance " + std::string(instance) + " is stale: qqgen-dataplane pid " +
                        std::to_string(h.pid) + " is not running";
        if (!options.clean_stale) return fail(attach_error::stale, m + " (remove " + path + ")");
        const int err = o.map.unlink_if_same(name);
        if (err == 0 || err == ENOENT) return fail(attach_error::stale, m + "; removed " + path);
        if (err == ESTALE) return fail(attach_error::stale, m + "; " + path + " was replaced meanwhile: attach again");
        return fail(attach_error::stale, m + "; cannot remove " + path + ": " + std::strerror(err));
    }
    if (h.abi_version != shm::abi_version)
        return fail(attach_error::abi_mismatch, "instance " + std::string(instance) + " (qqgen-dataplane pid " +
                                                    std::to_string(h.pid) + ") speaks shared-memory ABI version " +
                                                    std::to_string(h.abi_version) + ", but this qqgen speaks version " +
                                                    std::to_string(shm::abi_version) +
                                                    ": use the qqgen built with that qqgen-dataplane");
    if (std::string why = layout_problem(h, o.map.size(), instance); !why.empty())
        return fail(attach_error::size_mismatch, why);

    attach_result r;
    shm_attachment a;
    a.instance_ = std::string(instance);
    a.worker_count_ = h.worker_count;
    a.layout_ = shm::layout_for(h.worker_count);
    a.map_ = std::move(o.map);
    r.handle.emplace(std::move(a));
    return r;
}

shm::profile_slot& shm_attachment::profile() noexcept {
    return *reinterpret_cast<shm::profile_slot*>(map_.data() + layout_.profile_offset);
}
shm::command_block& shm_attachment::command_at(std::uint32_t worker) noexcept {
    return *reinterpret_cast<shm::command_block*>(map_.data() + layout_.commands_offset +
                                                  std::size_t{worker} * layout_.command_stride);
}
const shm::stats_block& shm_attachment::stats_at(std::uint32_t worker) const noexcept {
    return *reinterpret_cast<const shm::stats_block*>(map_.data() + layout_.stats_offset +
                                                      std::size_t{worker} * layout_.stats_stride);
}

bool shm_attachment::read_status(shm::shm_status& out) const noexcept {
    return shm::seqlock_read(header().status, out, 1000);
}

std::uint64_t shm_attachment::publish_profile(const shm::shm_profile& p) noexcept {
    shm::profile_slot& slot = profile();
    std::atomic_ref<std::uint64_t> seq(slot.sequence);
    // Take the slot: even -> odd with a CAS, so that two control processes
    // never write at once. An odd sequence that stays odd for 50 ms is a
    // publisher that died mid-copy: move past it (it stays odd).
    std::uint64_t s = seq.load(std::memory_order_relaxed);
    std::uint64_t odd = 0;
    const std::uint64_t give_up = shm::mono_ns() + 50'000'000;
    while (odd == 0) {
        const bool take = (s & 1u) == 0 || shm::mono_ns() > give_up;
        if (!take) {
            std::this_thread::sleep_for(100us);
            s = seq.load(std::memory_order_relaxed);
        } else if (const std::uint64_t next = s + 1 + (s & 1u);
                   seq.compare_exchange_weak(s, next, std::memory_order_relaxed)) {
            odd = next;
        }
    }
    std::atomic_thread_fence(std::memory_order_release);

    std::array<std::uint64_t, shm::profile_slot::payload_words> record{};
    record[0] = shm::load_word(slot.words[0]) + 1;  // generation: we are the only writer now
    record[offsetof(shm::profile_record, payload_size) / 8] = sizeof(shm::shm_profile);
    std::memcpy(record.data() + shm::profile_payload_word, &p, sizeof p);
    record[shm::profile_checksum_word] = shm::profile_checksum(record);
    shm::seqlock_store_words(slot.words.data(), reinterpret_cast<const std::byte*>(record.data()), record.size());
    shm::seqlock_end(slot.sequence, odd);
    return record[0];
}

bool shm_attachment::read_stats(std::uint32_t worker, shm::shm_worker_stats& out) const noexcept {
    // A worker rewrites its block in about a microsecond once a millisecond:
    // many tries cost little and fail only if it died mid-copy.
    return worker < worker_count_ && shm::seqlock_read(stats_at(worker), out, 1000);
}

void shm_attachment::send_command(shm::command c) noexcept {
    for (std::uint32_t w = 0; w < worker_count_; ++w) {
        std::uint64_t& word = command_at(w).word;
        const std::uint64_t next = shm::decode_command(shm::load_word(word)).sequence + 1;
        shm::store_word(word, shm::encode_command(c, next), std::memory_order_release);
    }
}

liveness shm_attachment::dataplane_alive(std::chrono::nanoseconds max_silence) const {
    const shm::shm_header& h = header();
    const std::string who = "dataplane pid " + std::to_string(h.pid);
    shm::shm_status st;
    if (read_status(st) && st.state == shm::dataplane_state::exited) {
        const std::string_view why = shm::field_text(st.message);
        return {false, who + " has exited" + (why.empty() ? "" : ": " + std::string(why))};
    }
    if (!shm::process_running(h.pid, h.pid_start_ticks))
        return {false, who + " is not running (it ended without removing " + shm::segment_path(instance_) + ")"};
    const std::uint64_t beat = shm::load_word(h.heartbeat_mono_ns, std::memory_order_acquire);
    const std::uint64_t now = shm::mono_ns();
    const auto silence = std::chrono::nanoseconds(now > beat ? now - beat : 0);
    if (silence > max_silence) return {false, who + " stopped responding (no heartbeat for " + seconds(silence) + ")"};
    return {};
}

ack_report shm_attachment::wait_for_acks(std::uint64_t generation, std::chrono::nanoseconds timeout,
                                         std::chrono::nanoseconds max_silence) const {
    const auto start = std::chrono::steady_clock::now();
    ack_report r;
    r.workers.resize(worker_count_);
    shm::shm_worker_stats st;  // 7 KiB: read into one copy for all workers
    for (;;) {
        for (std::uint32_t w = 0; w < worker_count_; ++w) {
            worker_ack& a = r.workers[w];
            if (a.state != ack_state::pending || !read_stats(w, st)) continue;
            if (st.applied_generation == generation) {
                a.state = ack_state::applied;
            } else if (st.refused_generation == generation) {
                a.state = ack_state::refused;
                a.reason = std::string(shm::field_text(st.refusal));
            } else if (st.applied_generation > generation || st.refused_generation > generation) {
                a.state = ack_state::superseded;
            }
        }
        r.took = std::chrono::steady_clock::now() - start;
        if (r.complete() || r.took >= timeout) return r;
        if (liveness l = dataplane_alive(max_silence); !l.alive) {
            r.problem = std::move(l.problem);
            return r;
        }
        std::this_thread::sleep_for(1ms);
    }
}

}  // namespace qqgen::control
