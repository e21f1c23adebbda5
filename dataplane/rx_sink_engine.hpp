// The engine behind `qqgen-dataplane --dry-run`: sends nothing, receives on
// both ports and lets the io count what arrives. It exists to bring ports,
// queues, mempools, capture and the stop path up on a real machine before
// any load is offered; it makes no claim to emulate anything.
#pragma once

#include <span>

#include "dataplane/engine/frame_io.hpp"

namespace qqgen::dataplane {

class rx_sink_engine {
public:
    template <class Io>
    void poll(Io& io) noexcept {
        io.rx_burst(engine::port_role::client, [](std::span<const std::byte>) noexcept {});
        io.rx_burst(engine::port_role::server, [](std::span<const std::byte>) noexcept {});
    }
    template <class Io>
    bool graceful_stop_step(Io&) noexcept {
        return true;
    }
};

}  // namespace qqgen::dataplane
