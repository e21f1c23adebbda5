#include "control/report/dataplane_totals.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <chrono>
#include <thread>
#include <cstdio>

namespace qqgen::control {

bool dataplane_totals::all_applied(std::uint64_t g) const noexcept {
    return std::all_of(workers.begin(), workers.end(),
                       [g](const shm::shm_worker_stats& w) { return w.applied_generation >= g; });
}

std::uint64_t frames_dropped(const engine::io_counters& io) {
    std::uint64_t n = 0;
    for (const auto& p : io.port)
        n += p.tx_alloc_failed + p.tx_refused + p.tx_bad_length + p.tx_no_frame + p.rx_multiseg_dropped;
    return n;
}

dataplane_totals read_totals(const shm_attachment& shm) {
    dataplane_totals t;
    t.read_mono_ns = shm::mono_ns();
    t.workers.resize(shm.worker_count());
    bool first = true;
    for (std::uint32_t w = 0; w < shm.worker_count(); ++w) {
        shm::shm_worker_stats& s = t.workers[w];
        // A worker preempted in the middle of its copy (a busy host) keeps
        // the block odd for a while: try again a few times, a millisecond apart.
        bool ok = shm.read_stats(w, s);
        for (int retry = 0; !ok && retry < 50; ++retry) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            ok = shm.read_stats(w, s);
        }
        if (!ok) {
            ++t.unreadable;
            s = {};
            continue;
        }
        t.engine += s.engine;
        t.io += s.io;
        t.active_users += s.active_users;
        t.slots += s.slots;
        t.loops += s.loops;
        t.mbufs_in_use += s.mbufs_in_use;
        t.mbufs_total += s.mbufs_total;
        if (first || static_cast<std::uint32_t>(s.phase) < static_cast<std::uint32_t>(t.phase)) t.phase = s.phase;
        first = false;
    }
    return t;
}

namespace {

double per_second(std::uint64_t now, std::uint64_t before, double seconds) {
    return seconds <= 0 || now < before ? 0.0 : static_cast<double>(now - before) / seconds;
}

}  // namespace

// Users inside a stage now: started, not yet completed or given up.
std::uint64_t in_stages(const engine::engine_counters& e, std::initializer_list<engine::stage> stages) {
    std::uint64_t n = 0;
    for (engine::stage st : stages) {
        const auto& c = e[st];
        const std::uint64_t left = c.completed + c.gave_up_total();
        n += c.started > left ? c.started - left : 0;
    }
    return n;
}

std::string progress_line(const dataplane_totals& now, const dataplane_totals& before, double elapsed_s,
                          double planned_s) {
    using engine::stage;
    const double dt = static_cast<double>(now.read_mono_ns - before.read_mono_ns) / 1e9;
    const auto& e = now.engine;
    const auto& u = e.users;
    std::uint64_t failures = u.failed + e.messages.lost + e.messages.corrupt + e.server.corrupt +
                             e.client_corrupt_replies;
    for (const auto& port : now.io.port) failures += port.tx_alloc_failed + port.tx_refused;
    char remaining[32] = "";
    if (planned_s > 0) std::snprintf(remaining, sizeof remaining, "/%.0fs", planned_s);
    // The redirect stage overlaps the second token and login, so it is left
    // out of "login"; users between two chats or keep-alives are in no stage.
    const auto u64 = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
    char line[640];
    int n = std::snprintf(
        line, sizeof line,
        "%6.1fs%s %-9s users %llu active (login %llu, sync %llu, chat %llu, keepalive %llu, logout %llu), "
        "%llu started, %llu done, %llu failed",
        elapsed_s, remaining, std::string(to_string(now.phase)).c_str(), u64(now.active_users),
        u64(in_stages(e, {stage::dns, stage::token, stage::login})),
        u64(in_stages(e, {stage::status, stage::friends, stage::online})), u64(in_stages(e, {stage::chat})),
        u64(in_stages(e, {stage::keepalive})), u64(in_stages(e, {stage::logout})), u64(u.started),
        u64(u.completed + u.stopped), u64(u.failed));
    constexpr std::array<const char*, 2> port_names{"client", "server"};
    for (std::size_t p = 0; p < port_names.size() && n > 0 && static_cast<std::size_t>(n) < sizeof line; ++p) {
        const auto& a = now.io.port[p];
        const auto& b = before.io.port[p];
        n += std::snprintf(line + n, sizeof line - static_cast<std::size_t>(n),
                           " | %s tx %.0f rx %.0f fps %.1f Mbit/s", port_names[p],
                           per_second(a.tx_frames, b.tx_frames, dt), per_second(a.rx_frames, b.rx_frames, dt),
                           per_second(a.tx_bytes + a.rx_bytes, b.tx_bytes + b.rx_bytes, dt) * 8 / 1e6);
    }
    if (n > 0 && static_cast<std::size_t>(n) < sizeof line)
        std::snprintf(line + n, sizeof line - static_cast<std::size_t>(n), " | failures %llu", u64(failures));
    return line;
}

}  // namespace qqgen::control
