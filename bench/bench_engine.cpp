// The session engine's per-event pieces (issue 6): the timer wheel (schedule
// and expire), the pacer's grant, and the two look-ups by arithmetic that
// replace a hash table (design.md "Derive, don't store"): a server-half
// request's QQ number to its slot, a client-half reply's endpoint to its slot.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "dataplane/engine/load_settings.hpp"
#include "dataplane/engine/pacer.hpp"
#include "dataplane/engine/session_identity.hpp"
#include "dataplane/engine/timer_wheel.hpp"
#include "protocols/counter_rng.hpp"

using namespace qqgen;

namespace {

using engine::timer_node;

struct nodes_view {
    timer_node* base;
    timer_node& operator()(std::uint32_t id) const noexcept { return base[id]; }
};

// N timers armed 1..4096 ticks ahead, then the wheel advanced until all have
// fired: the cost per timer of schedule + cascade + pop (timers per second).
void bm_timer_wheel(benchmark::State& state) {
    const auto n = static_cast<std::uint32_t>(state.range(0));
    std::vector<timer_node> nodes(n);
    engine::timer_wheel<nodes_view> wheel(n, nodes_view{nodes.data()});
    std::vector<std::uint32_t> delay(n);
    proto::counter_rng rng(1, 2);
    for (auto& d : delay) d = 1 + rng.below(4096);
    std::uint32_t now = 0;
    for (auto _ : state) {
        for (std::uint32_t id = 0; id < n; ++id) wheel.schedule(id, now + delay[id]);
        std::uint32_t fired = 0;
        while (fired < n) {
            wheel.advance(++now);
            while (wheel.pop_expired() != engine::timer_none) ++fired;
        }
        benchmark::DoNotOptimize(fired);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * n);
}
BENCHMARK(bm_timer_wheel)->Arg(1 << 10)->Arg(1 << 16)->Arg(1 << 20);

// The pacer asked for up to 64 users every 10 us of a 1,000,000 users/s phase.
void bm_pacer_take(benchmark::State& state) {
    engine::pacer p(engine::pacer_phases{1'000'000, 0, 64, 0, 0});
    std::uint64_t now = 0;
    p.start(now);
    std::uint64_t granted = 0;
    for (auto _ : state) {
        now += 10'000;
        granted += p.take(now, 64);
    }
    benchmark::DoNotOptimize(granted);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(bm_pacer_take);

engine::load_settings million_users() {
    engine::load_settings s;
    s.users = 1'000'000;
    s.client_address_count = 128;  // enough endpoints for 1 M users steered over 4 queues too
    return s;
}

// Server half: the QQ number in a request's clear header to its slot.
void bm_slot_of_qq(benchmark::State& state) {
    const engine::load_settings s = million_users();
    const engine::session_identity id(s, 0, 1);
    std::uint32_t qq = s.qq_number_base, sum = 0;
    for (auto _ : state) {
        sum += id.slot_of_qq(qq);
        qq = qq + 7919 >= s.qq_number_base + s.users ? s.qq_number_base : qq + 7919;
    }
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(bm_slot_of_qq);

// Client half: a reply's destination address and port to its slot and
// generation; argument 1: with RSS steering over 4 queues (endpoint_space.hpp:
// a fold of the tuple and two table loads more).
void bm_owner_of_endpoint(benchmark::State& state) {
    const engine::load_settings s = million_users();
    engine::queue_steering steering;
    steering.key = proto::symmetric_rss_key();
    steering.queues = state.range(0) != 0 ? 4 : 1;
    const engine::session_identity id(s, 0, steering.queues, steering);
    const proto::ip_address& server = s.login_servers[0];
    std::vector<engine::client_endpoint> eps(4096);
    for (std::uint32_t i = 0; i < eps.size(); ++i) eps[i] = id.endpoint(i * 241u % s.users, i, server, s.login_server_port);
    std::uint32_t i = 0, sum = 0;
    for (auto _ : state) {
        const engine::endpoint_owner o = id.owner_of(eps[i].ip, eps[i].port, server, s.login_server_port);
        sum += o.slot + o.generation;
        i = (i + 1) & 4095u;
    }
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(bm_owner_of_endpoint)->Arg(0)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
