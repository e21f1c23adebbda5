#include "dataplane/io/capture_writer.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>

#include <pcap/pcap.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

namespace qqgen::dpdk {

namespace {

// Where each capture copy carries its TSC time of capture. A registered
// dynamic field (rte_mbuf_dyn.h), so it cannot collide with a PMD's use of
// the mbuf; registering the same name again returns the same offset.
int register_tsc_field() {
    rte_mbuf_dynfield desc{};
    std::strncpy(desc.name, "qqgen_capture_tsc", sizeof(desc.name) - 1);
    desc.size = sizeof(std::uint64_t);
    desc.align = alignof(std::uint64_t);
    return rte_mbuf_dynfield_register(&desc);
}

constexpr int snaplen = 65535;

}  // namespace

capture_writer::~capture_writer() {
    (void)close();
    release_pools();
}

io_status capture_writer::open(const capture_plan& plan, std::span<const int> worker_sockets,
                               const tsc_clock& clock) {
    if (is_open()) return io_status::fail("capture: already open");
    plan_ = plan;
    if (plan.ring_size < 2 || !rte_is_power_of_2(plan.ring_size))
        return io_status::fail("capture: ring size must be a power of two");
    tsc_offset_ = register_tsc_field();
    if (tsc_offset_ < 0)
        return io_status::fail(std::string("capture: cannot register an mbuf dynamic field: ") +
                               rte_strerror(rte_errno));
    for (std::size_t w = 0; w < worker_sockets.size(); ++w) {
        const std::string name = plan.name_prefix + "_cap" + std::to_string(w);
        rte_ring* ring = rte_ring_create(name.c_str(), plan.ring_size, worker_sockets[w],
                                         RING_F_SP_ENQ | RING_F_SC_DEQ);
        if (ring == nullptr)
            ring = rte_ring_create(name.c_str(), plan.ring_size, SOCKET_ID_ANY,
                                   RING_F_SP_ENQ | RING_F_SC_DEQ);
        if (ring == nullptr)
            return io_status::fail("capture: cannot create ring '" + name + "': " +
                                   rte_strerror(rte_errno));
        rings_.push_back(ring);
        mbuf_pool pool;
        if (auto st = mbuf_pool::create(name, plan.pool_size, worker_sockets[w], pool); !st)
            return st;
        pools_.push_back(std::move(pool));
    }

    pcap_ = pcap_open_dead(DLT_EN10MB, snaplen);
    if (pcap_ == nullptr) return io_status::fail("capture: pcap_open_dead failed");
    dumper_ = pcap_dump_open(pcap_, plan.path.c_str());
    if (dumper_ == nullptr) {
        std::string why = pcap_geterr(pcap_);
        pcap_close(pcap_);
        pcap_ = nullptr;
        return io_status::fail("capture: cannot write '" + plan.path + "': " + why +
                               " (does the directory exist and is it writable?)");
    }
    hz_ = clock.hz();
    tsc_at_open_ = rte_rdtsc();
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    wall_ns_at_open_ = static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    linear_.resize(snaplen);
    return io_status::ok();
}

capture_tap capture_writer::make_tap(unsigned worker) const noexcept {
    if (!is_open() || worker >= rings_.size()) return capture_tap{};
    return capture_tap(rings_[worker], pools_[worker].get(), plan_.sample_every, tsc_offset_,
                       plan_.direction);
}

void capture_writer::write_one(const rte_mbuf* m) noexcept {
    const std::uint64_t tsc = *RTE_MBUF_DYNFIELD(m, tsc_offset_, const std::uint64_t*);
    const std::int64_t since_open =
        static_cast<std::int64_t>(tsc - tsc_at_open_);  // negative if captured a hair before open
    const auto ticks = static_cast<__int128>(since_open);
    const std::int64_t ns = wall_ns_at_open_ + static_cast<std::int64_t>(ticks * 1'000'000'000 / static_cast<__int128>(hz_));
    pcap_pkthdr hdr{};
    hdr.ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    hdr.ts.tv_usec = static_cast<suseconds_t>((ns % 1'000'000'000) / 1000);
    hdr.len = m->pkt_len;
    hdr.caplen = std::min<std::uint32_t>(m->pkt_len, snaplen);
    const void* data = rte_pktmbuf_read(m, 0, hdr.caplen, linear_.data());
    if (data == nullptr) return;
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &hdr, static_cast<const u_char*>(data));
    ++written_;
}

unsigned capture_writer::drain() noexcept {
    if (!is_open()) return 0;
    unsigned total = 0;
    std::array<rte_mbuf*, 64> burst;
    for (rte_ring* ring : rings_) {
        // Bounded per call so that one busy worker cannot starve the
        // housekeeping loop; the next tick takes the rest.
        for (int round = 0; round < 64; ++round) {
            const unsigned n = rte_ring_sc_dequeue_burst(
                ring, reinterpret_cast<void**>(burst.data()), burst.size(), nullptr);
            if (n == 0) break;
            for (unsigned i = 0; i < n; ++i) write_one(burst[i]);
            rte_pktmbuf_free_bulk(burst.data(), n);
            total += n;
        }
    }
    return total;
}

io_status capture_writer::close() {
    if (!is_open()) return io_status::ok();
    // Everything the workers queued (they have stopped by now).
    while (drain() != 0) {
    }
    io_status status = io_status::ok();
    if (pcap_dump_flush(dumper_) != 0 || std::ferror(pcap_dump_file(dumper_)) != 0)
        status = io_status::fail("capture: writing '" + plan_.path + "' failed: " +
                                 std::strerror(errno) + " (disk full?)");
    pcap_dump_close(dumper_);
    dumper_ = nullptr;
    pcap_close(pcap_);
    pcap_ = nullptr;
    return status;
}

unsigned capture_writer::mbufs_in_use() const noexcept {
    unsigned n = 0;
    for (const auto& p : pools_) n += p.in_use();
    return n;
}

void capture_writer::release_pools() noexcept {
    // Rings first: nothing may still point into the pools.
    std::array<rte_mbuf*, 64> burst;
    for (rte_ring* ring : rings_) {
        while (unsigned n = rte_ring_sc_dequeue_burst(ring, reinterpret_cast<void**>(burst.data()),
                                                      burst.size(), nullptr))
            rte_pktmbuf_free_bulk(burst.data(), n);
        rte_ring_free(ring);
    }
    rings_.clear();
    pools_.clear();
}

}  // namespace qqgen::dpdk
