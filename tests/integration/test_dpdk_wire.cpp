// The DPDK I/O layer on the wire topology (net_ring pairs inside the
// process): frames cross intact both ways, counters add up, refusals and
// multi-segment frames are counted, capture files read back with tshark, and
// after stop every mbuf is back in its pool.
//
// One EAL for the whole program (rte_eal_init runs once per process):
// --no-huge --no-shconf so it needs no hugepages and leaves no runtime files
// (DPDK 22.11 refuses --in-memory together with --no-huge, which implies
// legacy memory; --no-shconf gives the same isolation), lcore 0 the main
// lcore, lcores 1 and 2 workers (2 shares CPU 1: for correctness only).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

// The test reaches under dpdk_frame_io once, to build a chained mbuf.
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "dataplane/io/dataplane_runtime.hpp"
#include "dataplane/io/eal_session.hpp"
#include "dataplane/io/stats_printer.hpp"
#include "tests/integration/test_engines.hpp"

namespace {

using namespace qqgen::dpdk;
using qqgen::engine::port_role;
using qqgen::test::blaster_result;

runtime_options wire_options() {
    runtime_options o;
    o.topology = topology_kind::wire;
    o.workers = 1;
    o.mbufs_per_worker = 8191;
    o.wire_ring_size = 1024;
    o.stats_interval_s = 0;
    o.name_prefix = "qqt";
    return o;
}

struct temp_dir {
    std::filesystem::path path;
    temp_dir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "qqgen-io-XXXXXX").string();
        REQUIRE(mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

// Output of a shell command, or an empty string.
std::string run(const std::string& command) {
    std::string out;
    std::unique_ptr<FILE, int (*)(FILE*)> p(popen(command.c_str(), "r"), pclose);
    if (!p) return out;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p.get())) out.append(buf, n);
    return out;
}

// Frames and bytes of a pcap file as tshark reads them.
struct pcap_count {
    std::uint64_t frames = 0;
    std::uint64_t bytes = 0;
};
std::optional<pcap_count> tshark_count(const std::filesystem::path& file) {
    pcap_count c;
    const std::string tshark = QQGEN_TSHARK;
    if (tshark.empty()) {
        WARN("tshark not found: pcap contents not checked");
        return std::nullopt;
    }
    const std::string out = run(tshark + " -r '" + file.string() + "' -T fields -e frame.len 2>/dev/null");
    std::size_t pos = 0;
    while (pos < out.size()) {
        const std::size_t end = out.find('\n', pos);
        const std::string line = out.substr(pos, end - pos);
        if (!line.empty()) {
            ++c.frames;
            c.bytes += std::stoull(line);
        }
        if (end == std::string::npos) break;
        pos = end + 1;
    }
    return c;
}

void require_clean(dataplane_runtime& rt) {
    const shutdown_report down = rt.shutdown();
    for (const auto& e : down.errors) UNSCOPED_INFO(e);
    CHECK(down.clean());
    for (const auto& p : down.pools) CHECK(p.in_use == 0);
}

// Sends `count` numbered frames from `from`, receiving on `to` as it goes
// (the ring holds 1023); returns how many arrived intact and in order.
std::uint64_t send_and_receive(dpdk_frame_io& io, port_role from, port_role to, std::uint64_t count,
                               std::uint64_t& received_bytes) {
    std::uint64_t next = 0;
    std::uint64_t intact = 0;
    const auto on_frame = [&](std::span<const std::byte> f) {
        if (qqgen::test::frame_is_intact(f, next)) ++intact;
        received_bytes += f.size();
        ++next;
    };
    for (std::uint64_t seq = 0; seq < count; ++seq) {
        auto buf = io.tx_begin(from);
        REQUIRE(buf.size() >= qqgen::engine::min_tx_capacity);
        const auto length = qqgen::test::frame_length_for(seq);
        qqgen::test::write_frame(buf, seq, length);
        io.tx_commit(from, length);
        if (seq % 256 == 255) {
            io.flush(from);
            while (io.rx_burst(to, on_frame) != 0) {
            }
        }
    }
    io.flush(from);
    while (io.rx_burst(to, on_frame) != 0) {
    }
    return intact;
}

}  // namespace

TEST_CASE("frames cross the wire intact in both directions and the counters add up") {
    dataplane_runtime rt(wire_options(), nullptr);
    REQUIRE(rt.setup().message() == "");
    constexpr std::uint64_t n = 5000;
    {
        // Driven from the main lcore: this test checks bytes, not threads.
        dpdk_frame_io io(rt.queues_of(0), rt.clock(), nullptr);
        std::uint64_t bytes_cs = 0;
        std::uint64_t bytes_sc = 0;
        CHECK(send_and_receive(io, port_role::client, port_role::server, n, bytes_cs) == n);
        CHECK(send_and_receive(io, port_role::server, port_role::client, n, bytes_sc) == n);
        const auto& c = io.counters();
        for (const port_role r : {port_role::client, port_role::server}) {
            CHECK(c[r].tx_frames == n);
            CHECK(c[r].rx_frames == n);
            CHECK(c[r].tx_alloc_failed == 0);
            CHECK(c[r].tx_refused == 0);
            CHECK(c[r].rx_multiseg_dropped == 0);
        }
        CHECK(c[port_role::client].tx_bytes == bytes_cs);
        CHECK(c[port_role::server].rx_bytes == bytes_cs);
        CHECK(c[port_role::server].tx_bytes == bytes_sc);
        CHECK(c[port_role::client].rx_bytes == bytes_sc);

        // The clock runs forward in nanoseconds.
        const std::uint64_t t0 = io.now_ns();
        const std::uint64_t t1 = io.now_ns();
        CHECK(t1 >= t0);
    }
    require_clean(rt);
}

TEST_CASE("tx_begin, tx_abort and bad lengths give buffers back") {
    dataplane_runtime rt(wire_options(), nullptr);
    REQUIRE(rt.setup().message() == "");
    {
        dpdk_frame_io io(rt.queues_of(0), rt.clock(), nullptr);
        auto a = io.tx_begin(port_role::client);
        auto b = io.tx_begin(port_role::client);
        CHECK(a.data() == b.data());
        io.tx_abort(port_role::client);
        io.tx_abort(port_role::client);
        CHECK(io.counters()[port_role::client].tx_no_frame == 1);
        REQUIRE_FALSE(io.tx_begin(port_role::server).empty());
        io.tx_commit(port_role::server, 0);
        REQUIRE_FALSE(io.tx_begin(port_role::server).empty());
        io.tx_commit(port_role::server, 4000);
        CHECK(io.counters()[port_role::server].tx_bad_length == 2);
        CHECK(io.counters()[port_role::server].tx_frames == 0);
        // A frame begun and never committed is freed with the io.
        REQUIRE_FALSE(io.tx_begin(port_role::server).empty());
    }
    require_clean(rt);
}

TEST_CASE("a full wire refuses frames; they are counted and freed, and the wire is emptied at stop") {
    auto options = wire_options();
    options.wire_ring_size = 64;  // an rte_ring of 64 slots holds 63
    dataplane_runtime rt(options, nullptr);
    REQUIRE(rt.setup().message() == "");
    {
        dpdk_frame_io io(rt.queues_of(0), rt.clock(), nullptr);
        for (std::uint64_t seq = 0; seq < 1000; ++seq) {
            auto buf = io.tx_begin(port_role::client);
            REQUIRE_FALSE(buf.empty());
            qqgen::test::write_frame(buf, seq, 64);
            io.tx_commit(port_role::client, 64);
        }
        io.flush(port_role::client);
        const auto& c = io.counters()[port_role::client];
        CHECK(c.tx_frames == 63);
        CHECK(c.tx_refused == 1000 - 63);
        CHECK(c.tx_bytes == 63 * 64);
        CHECK(c.tx_alloc_failed == 0);  // refused mbufs went back to the pool
    }
    const shutdown_report down = rt.shutdown();
    CHECK(down.wire_frames_dropped == 63);
    CHECK(down.clean());
}

TEST_CASE("rx_bursts takes a burst from each port before handing on any frame") {
    dataplane_runtime rt(wire_options(), nullptr);
    REQUIRE(rt.setup().message() == "");
    {
        dpdk_frame_io io(rt.queues_of(0), rt.clock(), nullptr);
        // 100 frames towards the server port, 30 towards the client port.
        const auto send = [&](port_role from, std::uint64_t first, std::uint64_t count) {
            for (std::uint64_t seq = first; seq < first + count; ++seq) {
                auto buf = io.tx_begin(from);
                REQUIRE(buf.size() >= qqgen::engine::min_tx_capacity);
                const auto length = qqgen::test::frame_length_for(seq);
                qqgen::test::write_frame(buf, seq, length);
                io.tx_commit(from, length);
            }
            io.flush(from);
        };
        send(port_role::client, 0, 100);
        send(port_role::server, 0, 30);
        std::vector<std::size_t> seen_before;
        std::vector<port_role> roles;
        std::uint64_t next_client = 0, next_server = 0, intact = 0;
        const unsigned n = io.rx_bursts(
            [&](const qqgen::engine::port_bursts& b) {
                REQUIRE(roles.empty());  // before any frame is handed on
                for (const auto& burst : b) seen_before.push_back(burst.size());
            },
            [&](port_role role, std::span<const std::byte> f) {
                std::uint64_t& next = role == port_role::client ? next_client : next_server;
                if (qqgen::test::frame_is_intact(f, next)) ++intact;
                ++next;
                roles.push_back(role);
            });
        const std::size_t burst = dpdk_frame_io::burst_size;
        CHECK(n == 30 + burst);
        CHECK(seen_before == std::vector<std::size_t>{30, burst});
        CHECK(intact == n);
        REQUIRE(roles.size() == n);
        CHECK(std::is_partitioned(roles.begin(), roles.end(), [](port_role r) { return r == port_role::client; }));
        // The rest of the server port's frames, then nothing.
        unsigned rest = 0;
        while (const unsigned more = io.rx_bursts([](const auto&) {}, [&](port_role role, std::span<const std::byte> f) {
                   if (role == port_role::server && qqgen::test::frame_is_intact(f, next_server)) ++intact;
                   ++next_server;
               }))
            rest += more;
        CHECK(rest == 100 - burst);
        CHECK(intact == 130);
        CHECK(io.counters()[port_role::server].rx_frames == 100);
        CHECK(io.counters()[port_role::client].rx_frames == 30);
    }
    require_clean(rt);  // every mbuf of both bursts is back
}

TEST_CASE("multi-segment frames are counted and dropped, not handed to the engine") {
    dataplane_runtime rt(wire_options(), nullptr);
    REQUIRE(rt.setup().message() == "");
    {
        const worker_queues q = rt.queues_of(0);
        // A two-segment frame sent straight through the client port.
        rte_mbuf* head = rte_pktmbuf_alloc(q.pool[0]);
        rte_mbuf* tail = rte_pktmbuf_alloc(q.pool[0]);
        REQUIRE(head != nullptr);
        REQUIRE(tail != nullptr);
        REQUIRE(rte_pktmbuf_append(head, 60) != nullptr);
        REQUIRE(rte_pktmbuf_append(tail, 40) != nullptr);
        REQUIRE(rte_pktmbuf_chain(head, tail) == 0);
        REQUIRE(rte_eth_tx_burst(q.port_id[0], q.queue, &head, 1) == 1);

        dpdk_frame_io io(q, rt.clock(), nullptr);
        unsigned handed = 0;
        CHECK(io.rx_burst(port_role::server, [&](std::span<const std::byte>) { ++handed; }) == 1);
        CHECK(handed == 0);
        CHECK(io.counters()[port_role::server].rx_multiseg_dropped == 1);
        CHECK(io.counters()[port_role::server].rx_frames == 0);
    }
    require_clean(rt);  // both segments are back
}

TEST_CASE("a worker lcore blasts and echoes through the wire; the capture file matches") {
    temp_dir dir;
    const auto pcap = dir.path / "wire.pcap";
    auto options = wire_options();
    options.capture_path = pcap.string();
    options.capture_dir = capture_direction::tx;
    options.capture_ring_size = 8192;
    dataplane_runtime rt(options, nullptr);
    REQUIRE(rt.setup().message() == "");
    constexpr std::uint64_t target = 20'000;
    std::vector<blaster_result> results(rt.worker_count());
    const run_report report = rt.run(
        [&](const worker_info& w) {
            return qqgen::test::blast_and_echo_engine(target, 256, &results[w.index]);
        },
        nullptr,
        [&](const run_snapshot& s) {
            return s.total.io[port_role::client].rx_frames >= target || s.elapsed_s > 30;
        });
    INFO("stop reason: " << report.stop_reason);
    CHECK(report.stop_reason == "stop condition met");
    CHECK(report.errors.empty());
    const blaster_result& r = results[0];
    CHECK(r.sent == target);
    CHECK(r.echoed == target);
    CHECK(r.mismatched == 0);
    CHECK(r.out_of_order == 0);

    const auto& io = report.final.total.io;
    CHECK(io[port_role::client].tx_frames == target);
    CHECK(io[port_role::server].rx_frames == target);
    CHECK(io[port_role::server].tx_frames == target);
    CHECK(io[port_role::client].rx_frames == target);
    CHECK(io[port_role::client].tx_bytes == io[port_role::server].rx_bytes);
    CHECK(io[port_role::server].tx_bytes == io[port_role::client].rx_bytes);
    CHECK(io[port_role::client].tx_refused == 0);

    // Every TX'd frame was offered to capture; what the writer did not lose
    // is in the file, and tshark agrees on count and size.
    const auto& cap = report.final.total.capture;
    CHECK(cap.queued + cap.ring_full + cap.copy_failed == 2 * target);
    CHECK(report.capture_written == cap.queued);
    if (const auto in_file = tshark_count(pcap)) {
        CHECK(in_file->frames == report.capture_written);
        if (cap.ring_full + cap.copy_failed == 0)
            CHECK(in_file->bytes == io[port_role::client].tx_bytes + io[port_role::server].tx_bytes);
    }
    require_clean(rt);
}

TEST_CASE("capture samples 1 in N and can capture what is received") {
    temp_dir dir;
    const auto pcap = dir.path / "sampled.pcap";
    auto options = wire_options();
    options.capture_path = pcap.string();
    options.capture_dir = capture_direction::rx;
    options.capture_sample = 7;
    options.capture_ring_size = 8192;
    dataplane_runtime rt(options, nullptr);
    REQUIRE(rt.setup().message() == "");
    constexpr std::uint64_t target = 7'000;
    std::vector<blaster_result> results(rt.worker_count());
    const run_report report = rt.run(
        [&](const worker_info& w) {
            return qqgen::test::blast_and_echo_engine(target, 128, &results[w.index]);
        },
        nullptr,
        [&](const run_snapshot& s) {
            return s.total.io[port_role::client].rx_frames >= target || s.elapsed_s > 30;
        });
    CHECK(results[0].echoed == target);
    const auto& cap = report.final.total.capture;
    // 2 * target frames received (server then client); the 1st, 8th, 15th ... are kept.
    CHECK(cap.queued + cap.ring_full + cap.copy_failed == (2 * target + 6) / 7);
    if (const auto in_file = tshark_count(pcap)) CHECK(in_file->frames == report.capture_written);
    require_clean(rt);
}

namespace {

void measure(const char* what, qqgen::test::blast_shape shape, std::uint64_t window) {
    auto options = wire_options();
    options.duration_s = 2;
    dataplane_runtime rt(options, nullptr);
    REQUIRE(rt.setup().message() == "");
    std::vector<blaster_result> results(rt.worker_count());
    const run_report report = rt.run(
        [&](const worker_info& w) {
            return qqgen::test::blast_and_echo_engine(~std::uint64_t{0}, window, &results[w.index],
                                                      shape);
        },
        nullptr);
    const auto& io = report.final.total.io;
    const double s = report.final.elapsed_s;
    std::printf("wire, 1 worker, blaster + echo, %s: client tx %.2f Mpps (%.2f Gb/s), "
                "server rx %.2f Mpps, client rx %.2f Mpps; 4 port operations per frame round trip\n",
                what, static_cast<double>(io[port_role::client].tx_frames) / s / 1e6,
                static_cast<double>(io[port_role::client].tx_bytes) * 8 / s / 1e9,
                static_cast<double>(io[port_role::server].rx_frames) / s / 1e6,
                static_cast<double>(io[port_role::client].rx_frames) / s / 1e6);
    CHECK(report.stop_reason == "duration reached");
    CHECK(results[0].mismatched == 0);
    CHECK(results[0].out_of_order == 0);
    CHECK(io[port_role::client].tx_frames > 0);
    CHECK(io[port_role::client].tx_refused == 0);
    require_clean(rt);
}

}  // namespace

TEST_CASE("throughput through one worker (measured and printed, not judged)", "[throughput]") {
    SECTION("60..1514 B frames, every byte written and checked") { measure("60..1514 B checked", {}, 768); }
    SECTION("64 B frames, header and sequence only") { measure("64 B", {64}, 768); }
}

TEST_CASE("two workers: each worker's frames come back to that worker (queue i <-> queue i)") {
    auto options = wire_options();
    options.workers = 2;  // lcores 1 and 2 (both on CPU 1: correctness, not speed)
    dataplane_runtime rt(options, nullptr);
    REQUIRE(rt.setup().message() == "");
    REQUIRE(rt.worker_count() == 2);
    constexpr std::uint64_t target = 5'000;
    std::vector<blaster_result> results(rt.worker_count());
    const run_report report = rt.run(
        [&](const worker_info& w) {
            return qqgen::test::blast_and_echo_engine(target, 256, &results[w.index]);
        },
        nullptr,
        [&](const run_snapshot& s) {
            for (const auto& w : s.workers)
                if (w.io[port_role::client].rx_frames < target) return s.elapsed_s > 30;
            return true;
        });
    CHECK(report.stop_reason == "stop condition met");
    REQUIRE(report.final.workers.size() == 2);
    for (unsigned w = 0; w < 2; ++w) {
        INFO("worker " << w);
        CHECK(results[w].echoed == target);
        CHECK(results[w].out_of_order == 0);
        const auto& io = report.final.workers[w].io;
        CHECK(io[port_role::client].tx_frames == target);
        CHECK(io[port_role::server].rx_frames == target);  // nothing crossed to the other worker
        CHECK(io[port_role::client].rx_frames == target);
    }
    require_clean(rt);
}

TEST_CASE("an mbuf that never comes back is reported as a leak") {
    dataplane_runtime rt(wire_options(), nullptr);
    REQUIRE(rt.setup().message() == "");
    rte_mbuf* kept = rte_pktmbuf_alloc(rt.queues_of(0).pool[0]);
    REQUIRE(kept != nullptr);
    const shutdown_report down = rt.shutdown();
    CHECK_FALSE(down.clean());
    REQUIRE(down.errors.size() == 1);
    CHECK(down.errors[0].find("1 mbufs never came back (leak)") != std::string::npos);
    // The pool is gone now; `kept` must not be touched again.
}

namespace {

// An engine that never finishes stopping: the loop must give up after the
// grace period, having called graceful_stop_step all along.
struct alignas(64) stubborn_result {
    std::uint64_t polls = 0;
    std::uint64_t stop_steps = 0;
};
class stubborn_engine {
public:
    explicit stubborn_engine(stubborn_result* out) noexcept : out_(out) {}
    stubborn_engine(stubborn_engine&& o) noexcept : out_(std::exchange(o.out_, nullptr)), r_(o.r_) {}
    ~stubborn_engine() {
        if (out_ != nullptr) *out_ = r_;
    }
    template <class Io>
    void poll(Io&) noexcept {
        ++r_.polls;
    }
    template <class Io>
    bool graceful_stop_step(Io&) noexcept {
        ++r_.stop_steps;
        return false;
    }

private:
    stubborn_result* out_;
    stubborn_result r_{};
};

}  // namespace

TEST_CASE("the graceful stop runs the engine's stop step and is bounded by the grace period") {
    auto options = wire_options();
    options.duration_s = 0.1;
    options.timing.stop_grace_ns = 300'000'000;
    dataplane_runtime rt(options, nullptr);
    REQUIRE(rt.setup().message() == "");
    std::vector<stubborn_result> results(rt.worker_count());
    const run_report report =
        rt.run([&](const worker_info& w) { return stubborn_engine(&results[w.index]); }, nullptr);
    CHECK(report.stop_reason == "duration reached");
    CHECK(results[0].polls > 0);
    CHECK(results[0].stop_steps > 0);
    CHECK(report.final.elapsed_s >= 0.1 + 0.3);
    CHECK(report.final.elapsed_s < 0.1 + 0.3 + 2);
    require_clean(rt);
}

TEST_CASE("an engine that cannot be built stops the run with its reason, cleanly") {
    dataplane_runtime rt(wire_options(), nullptr);
    REQUIRE(rt.setup().message() == "");
    const run_report report = rt.run(
        [](const worker_info&) -> stubborn_engine {
            throw std::runtime_error("no memory for 10M sessions");
        },
        nullptr,
        [](const run_snapshot& s) { return s.elapsed_s > 10; });
    CHECK(report.stop_reason ==
          "worker 0 ended early: engine construction failed: no memory for 10M sessions");
    REQUIRE(report.errors.size() == 1);
    CHECK(report.errors[0] == "worker 0: engine construction failed: no memory for 10M sessions");
    require_clean(rt);
}

int main(int argc, char** argv) {
    // QQGEN_TEST_EAL replaces the default EAL arguments, e.g. to run on
    // hugepages: QQGEN_TEST_EAL="--in-memory --no-pci --lcores 0@0,1@1,2@1".
    std::vector<std::string> eal_args{argc > 0 ? argv[0] : "test_dpdk_wire"};
    if (const char* env = std::getenv("QQGEN_TEST_EAL"); env != nullptr && *env != '\0') {
        std::istringstream words(env);
        for (std::string w; words >> w;) eal_args.push_back(w);
    } else {
        for (const char* a : {"--no-huge", "-m", "512", "--no-shconf", "--no-pci", "--no-telemetry",
                              "--lcores", "0@0,1@1,2@1", "--log-level", "warning"})
            eal_args.emplace_back(a);
    }
    eal_session eal;
    if (auto st = eal.init(eal_args); !st) {
        std::fprintf(stderr, "%s\n", st.message().c_str());
        return 1;
    }
    const int failed = Catch::Session().run(argc, argv);
    eal.cleanup();
    return failed;
}
