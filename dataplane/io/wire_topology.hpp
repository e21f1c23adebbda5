// The `wire` topology: a client port and a server port joined back to back
// inside the process, no NIC and no root network set-up needed.
//
// With N workers there are N ring pairs: queue i of the client port transmits
// into ring c2s[i], which is RX queue i of the server port, and s2c[i] runs
// the other way, so a frame sent by worker i always comes back to worker i
// (exact flow affinity without RSS). Ports come from rte_eth_from_rings
// (librte_net_ring); the rings are single-producer/single-consumer because
// each has exactly one worker on each end.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dataplane/io/io_status.hpp"

struct rte_ring;

namespace qqgen::dpdk {

class wire_topology {
public:
    // The ring PMD's limit (RTE_PMD_RING_MAX_RX_RINGS in drivers/net/ring).
    static constexpr unsigned max_queues = 16;

    wire_topology() = default;
    wire_topology(const wire_topology&) = delete;
    wire_topology& operator=(const wire_topology&) = delete;
    ~wire_topology() { destroy(); }

    // Makes the rings (ring_size slots each, a power of two) and the two
    // ports, named "net_ring_<prefix>_client" and "net_ring_<prefix>_server".
    io_status create(const std::string& prefix, unsigned queues, unsigned ring_size,
                     const std::vector<int>& queue_sockets);

    std::uint16_t client_port() const noexcept { return client_port_; }
    std::uint16_t server_port() const noexcept { return server_port_; }
    bool created() const noexcept { return created_; }

    // Frees every mbuf still in the rings and returns how many there were.
    // The ring PMD leaves ring contents alone on close (they are the
    // application's rings), so without this they would leak. Call after the
    // workers stopped.
    unsigned drain() noexcept;

    // After the ports were closed (close_port): removes the vdevs and frees
    // the rings. Drains first.
    void destroy() noexcept;

private:
    std::vector<rte_ring*> client_to_server_;
    std::vector<rte_ring*> server_to_client_;
    std::string client_name_;
    std::string server_name_;
    std::uint16_t client_port_ = 0;
    std::uint16_t server_port_ = 0;
    bool created_ = false;
};

}  // namespace qqgen::dpdk
