// Frame building and parsing: what each generated or received packet costs
// the dataplane before any QQ work (bench/RESULTS.md).
#include <benchmark/benchmark.h>

#include <array>
#include <cstddef>

#include "protocols/checksum.hpp"
#include "protocols/counter_rng.hpp"
#include "protocols/net_headers.hpp"

using namespace qqgen::proto;

namespace {

frame_desc udp_desc(bool v6) {
    frame_desc d;
    d.eth.src = *mac_address::parse("02:00:00:00:00:01");
    d.eth.dst = *mac_address::parse("02:00:00:00:00:02");
    d.src_ip = *ip_address::parse(v6 ? "2001:db8::1" : "10.0.0.1");
    d.dst_ip = *ip_address::parse(v6 ? "2001:db8::2" : "10.0.0.2");
    d.src_port = 4000;
    d.dst_port = 8000;
    return d;
}

// Ethernet + IP + UDP around a 100-byte payload (a typical QQ keep-alive
// size), both checksums included.
void build_udp(benchmark::State& state, bool v6) {
    frame_desc d = udp_desc(v6);
    std::array<std::byte, 100> payload{};
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = std::byte(i);
    std::array<std::byte, 256> out{};
    for (auto _ : state) {
        ++d.ipv4_id;  // as the dataplane does per packet; keeps the call from being hoisted
        benchmark::DoNotOptimize(write_frame(out, d, payload));
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
}

void bm_build_ipv4_udp_frame(benchmark::State& state) { build_udp(state, false); }
void bm_build_ipv6_udp_frame(benchmark::State& state) { build_udp(state, true); }

// parse_frame of a received IPv4/UDP frame with both checksums verified
// (the path when the NIC did not check them).
void bm_parse_frame(benchmark::State& state) {
    const frame_desc d = udp_desc(false);
    std::array<std::byte, 100> payload{};
    std::array<std::byte, 256> frame{};
    const std::size_t n = write_frame(frame, d, payload);
    const const_byte_span in{frame.data(), n};
    const parse_options opts{state.range(0) != 0, state.range(0) != 0};
    for (auto _ : state) {
        auto r = parse_frame(in, opts);
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations());
}

// The partial Internet checksum of one region (a UDP datagram: header and
// body), the sum every frame pays twice (built, then verified on receipt):
// of one length, or (argument 0) of 1,024 lengths 60..300 in turn, as a
// burst's frames vary, so that branches on the length cannot be learnt.
void bm_checksum_partial(benchmark::State& state) {
    std::array<std::byte, 1500> data{};
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = std::byte(i * 7 + 3);
    std::array<std::uint16_t, 1024> lengths{};
    counter_rng rng(5, 0);
    for (auto& n : lengths) n = static_cast<std::uint16_t>(state.range(0) != 0 ? state.range(0) : 60 + rng.below(241));
    std::size_t at = 0;
    std::int64_t bytes = 0;
    for (auto _ : state) {
        const std::size_t n = lengths[at++ % lengths.size()];
        benchmark::DoNotOptimize(checksum_partial({data.data(), n}));
        bytes += static_cast<std::int64_t>(n);
    }
    state.SetBytesProcessed(bytes);
}

}  // namespace

BENCHMARK(bm_checksum_partial)->Arg(28)->Arg(150)->Arg(600)->Arg(1480)->Arg(0);
BENCHMARK(bm_build_ipv4_udp_frame);
BENCHMARK(bm_build_ipv6_udp_frame);
BENCHMARK(bm_parse_frame)->Arg(1)->Arg(0)->ArgName("verify");
