#include "dataplane/io/stats_printer.hpp"

#include <cinttypes>
#include <string>

namespace qqgen::dpdk {

namespace {

using engine::port_counters;
using engine::port_role;

std::uint64_t drops(const port_counters& c) {
    return c.tx_alloc_failed + c.tx_refused + c.tx_bad_length + c.tx_no_frame +
           c.rx_multiseg_dropped;
}

}  // namespace

void print_interval(std::FILE* out, const run_snapshot& before, const run_snapshot& now) {
    const double dt = now.elapsed_s - before.elapsed_s;
    if (out == nullptr || dt <= 0) return;
    std::fprintf(out, "[%7.1fs]", now.elapsed_s);
    std::uint64_t dropped = 0;
    for (const port_role role : engine::all_port_roles) {
        const auto& a = before.total.io[role];
        const auto& b = now.total.io[role];
        // Line rate as the wire sees it: +24 bytes per frame (preamble, FCS, gap).
        const auto gbps = [&](std::uint64_t frames, std::uint64_t bytes) {
            return static_cast<double>(bytes + frames * 24) * 8 / dt / 1e9;
        };
        const std::uint64_t tx = b.tx_frames - a.tx_frames;
        const std::uint64_t rx = b.rx_frames - a.rx_frames;
        std::fprintf(out, " %s tx %.3f Mpps %.3f Gb/s rx %.3f Mpps %.3f Gb/s |",
                     std::string(engine::to_string(role)).c_str(), static_cast<double>(tx) / dt / 1e6,
                     gbps(tx, b.tx_bytes - a.tx_bytes), static_cast<double>(rx) / dt / 1e6,
                     gbps(rx, b.rx_bytes - a.rx_bytes));
        dropped += drops(b) - drops(a);
    }
    const auto lost = [](const capture_counters& c) { return c.ring_full + c.copy_failed; };
    std::fprintf(out, " io drops %" PRIu64 " | capture %" PRIu64 " lost %" PRIu64 "\n", dropped,
                 now.total.capture.queued - before.total.capture.queued,
                 lost(now.total.capture) - lost(before.total.capture));
    std::fflush(out);
}

void print_summary(std::FILE* out, const run_report& report) {
    if (out == nullptr) return;
    const auto& f = report.final;
    std::fprintf(out, "stopped: %s after %.2f s\n", report.stop_reason.c_str(), f.elapsed_s);
    const auto row = [&](const char* who, const worker_snapshot& s) {
        for (const port_role role : engine::all_port_roles) {
            const auto& c = s.io[role];
            std::fprintf(out, "  %-8s %-6s", who, std::string(engine::to_string(role)).c_str());
            for (std::size_t i = 0; i < port_counters::fields.size(); ++i)
                std::fprintf(out, " %s=%" PRIu64, std::string(port_counters::field_names[i]).c_str(),
                             c.*port_counters::fields[i]);
            std::fprintf(out, "\n");
        }
    };
    for (std::size_t w = 0; w < f.workers.size(); ++w) {
        const std::string who = "worker" + std::to_string(w);
        row(who.c_str(), f.workers[w]);
    }
    row("total", f.total);
    if (f.elapsed_s > 0) {
        for (const port_role role : engine::all_port_roles) {
            const auto& c = f.total.io[role];
            std::fprintf(out, "  average %s: tx %.3f Mpps, rx %.3f Mpps\n",
                         std::string(engine::to_string(role)).c_str(),
                         static_cast<double>(c.tx_frames) / f.elapsed_s / 1e6,
                         static_cast<double>(c.rx_frames) / f.elapsed_s / 1e6);
        }
    }
    const auto& cap = f.total.capture;
    if (cap.queued + cap.ring_full + cap.copy_failed > 0 || report.capture_written > 0)
        std::fprintf(out,
                     "  capture: %" PRIu64 " frames written, %" PRIu64 " lost (ring full), %" PRIu64
                     " lost (copy pool empty)\n",
                     report.capture_written, cap.ring_full, cap.copy_failed);
    for (const auto& e : report.errors) std::fprintf(out, "error: %s\n", e.c_str());
    std::fflush(out);
}

void print_shutdown(std::FILE* out, const shutdown_report& report) {
    if (out == nullptr) return;
    if (report.wire_frames_dropped != 0)
        std::fprintf(out, "  %u frames were still on the wire at stop (freed)\n",
                     report.wire_frames_dropped);
    for (const auto& p : report.pools)
        std::fprintf(out, "  mempool %-16s %u/%u mbufs in use after stop%s\n", p.pool.c_str(),
                     p.in_use, p.size, p.in_use == 0 ? "" : "  <-- LEAK");
    for (const auto& e : report.errors) std::fprintf(out, "error: %s\n", e.c_str());
    if (report.clean()) std::fprintf(out, "clean stop: every mbuf back in its pool\n");
    std::fflush(out);
}

}  // namespace qqgen::dpdk
