#include "control/run/dataplane_totals.hpp"

#include <algorithm>
#include <chrono>
#include <thread>
#include <cstdio>

namespace qqgen::control {

bool dataplane_totals::all_applied(std::uint64_t g) const noexcept {
    return std::all_of(workers.begin(), workers.end(),
                       [g](const shm::shm_worker_stats& w) { return w.applied_generation >= g; });
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

std::string progress_line(const dataplane_totals& now, const dataplane_totals& before, double elapsed_s,
                          double planned_s) {
    const double dt = static_cast<double>(now.read_mono_ns - before.read_mono_ns) / 1e9;
    const auto& u = now.engine.users;
    const auto& c = now.io.port[0];
    const auto& s = now.io.port[1];
    const auto& bc = before.io.port[0];
    const auto& bs = before.io.port[1];
    std::uint64_t failures = u.failed + now.engine.messages.lost + now.engine.messages.corrupt +
                             now.engine.server.corrupt + now.engine.client_corrupt_replies;
    for (const auto& port : now.io.port) failures += port.tx_alloc_failed + port.tx_refused;
    char remaining[32] = "";
    if (planned_s > 0) std::snprintf(remaining, sizeof remaining, "/%.0fs", planned_s);
    char line[512];
    std::snprintf(line, sizeof line,
                  "%6.1fs%s %-9s users: %llu active, %llu started, %llu done, %llu failed | "
                  "client tx %.0f rx %.0f fps %.1f Mbit/s | server tx %.0f rx %.0f fps | failures %llu",
                  elapsed_s, remaining, std::string(to_string(now.phase)).c_str(),
                  static_cast<unsigned long long>(now.active_users), static_cast<unsigned long long>(u.started),
                  static_cast<unsigned long long>(u.completed + u.stopped), static_cast<unsigned long long>(u.failed),
                  per_second(c.tx_frames, bc.tx_frames, dt), per_second(c.rx_frames, bc.rx_frames, dt),
                  per_second(c.tx_bytes + c.rx_bytes, bc.tx_bytes + bc.rx_bytes, dt) * 8 / 1e6,
                  per_second(s.tx_frames, bs.tx_frames, dt), per_second(s.rx_frames, bs.rx_frames, dt),
                  static_cast<unsigned long long>(failures));
    return line;
}

}  // namespace qqgen::control
