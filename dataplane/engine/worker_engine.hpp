// What the worker loop asks of a session engine.
//
// The DPDK worker loop (dataplane/io/worker_loop.hpp) and tests drive an
// engine through these two calls only; the engine drives its Io.
#pragma once

#include <concepts>

#include "dataplane/engine/frame_io.hpp"

namespace qqgen::engine {

template <class Engine, class Io>
concept worker_engine = frame_io<Io> && requires(Engine& engine, Io& io) {
    // One turn of the poll loop: receive a burst or two, advance timers,
    // start or continue sessions. Must return quickly (well under the ~100 us
    // TX drain period) and must not block. The loop flushes TX on its drain
    // deadline; the engine may flush earlier.
    { engine.poll(io) } noexcept -> std::same_as<void>;

    // Called over and over once a stop is requested (logouts, answering
    // what is still in flight). Returns true when the engine has finished
    // stopping; the loop also gives up after its grace period.
    { engine.graceful_stop_step(io) } noexcept -> std::same_as<bool>;
};

}  // namespace qqgen::engine
