// The main lcore's side of frame capture: owns the pcap file, one SPSC ring
// and one copy pool per worker, and drains the rings into the file with
// libpcap (pcap_open_dead + pcap_dump), so no worker ever makes a system call
// for capture.
//
// Frames are written per worker in the order that worker captured them, with
// the TSC time of capture; across workers the file is not sorted by time
// (tshark and ndpiReader do not mind; `reordercap` sorts it if needed).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dataplane/io/capture_tap.hpp"
#include "dataplane/io/io_status.hpp"
#include "dataplane/io/mbuf_pool.hpp"
#include "dataplane/io/tsc_clock.hpp"

struct rte_ring;
struct pcap;          // pcap_t
struct pcap_dumper;   // pcap_dumper_t

namespace qqgen::dpdk {

struct capture_plan {
    std::string path;             // pcap file to (over)write
    std::uint32_t sample_every = 1;
    capture_direction direction = capture_direction::tx;
    unsigned ring_size = 4096;    // per worker, power of two
    unsigned pool_size = 8191;    // copies in flight per worker
    std::string name_prefix = "qqgen";
};

class capture_writer {
public:
    capture_writer() = default;
    capture_writer(const capture_writer&) = delete;
    capture_writer& operator=(const capture_writer&) = delete;
    ~capture_writer();

    // Opens the file and makes a ring and pool per worker on its socket.
    io_status open(const capture_plan& plan, std::span<const int> worker_sockets,
                   const tsc_clock& clock);

    bool is_open() const noexcept { return dumper_ != nullptr; }

    // The tap worker `worker` captures through (a no-op tap if not open).
    capture_tap make_tap(unsigned worker) const noexcept;

    // Main lcore: writes what the workers queued so far. Returns frames written.
    unsigned drain() noexcept;

    // Final drain, flush and close; reports a write error (disk full...).
    io_status close();

    std::uint64_t frames_written() const noexcept { return written_; }
    // Copies not back in the capture pools: 0 once closed, else a leak.
    unsigned mbufs_in_use() const noexcept;
    // The capture pools, for the leak report; freed by release_pools().
    const std::vector<mbuf_pool>& pools() const noexcept { return pools_; }
    void release_pools() noexcept;

private:
    void write_one(const rte_mbuf* m) noexcept;

    capture_plan plan_;
    std::vector<rte_ring*> rings_;
    std::vector<mbuf_pool> pools_;
    pcap* pcap_ = nullptr;
    pcap_dumper* dumper_ = nullptr;
    int tsc_offset_ = -1;
    std::uint64_t hz_ = 1;
    std::uint64_t tsc_at_open_ = 0;
    std::int64_t wall_ns_at_open_ = 0;
    std::uint64_t written_ = 0;
    std::vector<unsigned char> linear_;  // for the rare chained copy
};

}  // namespace qqgen::dpdk
