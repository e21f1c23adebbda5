#include "dataplane/io/wire_topology.hpp"

#include <array>

#include <rte_bus_vdev.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dataplane/io/eth_port.hpp"

namespace qqgen::dpdk {

io_status wire_topology::create(const std::string& prefix, unsigned queues, unsigned ring_size,
                                const std::vector<int>& queue_sockets) {
    destroy();
    if (queues == 0 || queues > max_queues || queue_sockets.size() != queues)
        return io_status::fail("wire topology: " + std::to_string(queues) +
                               " workers asked, the ring PMD carries 1 to " +
                               std::to_string(max_queues) + " queue pairs per port");
    if (ring_size < 2 || !rte_is_power_of_2(ring_size))
        return io_status::fail("wire topology: ring size " + std::to_string(ring_size) +
                               " is not a power of two >= 2");
    const auto make_ring = [&](const std::string& name, int socket) -> rte_ring* {
        rte_ring* r = rte_ring_create(name.c_str(), ring_size, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
        if (r == nullptr && socket != SOCKET_ID_ANY)
            r = rte_ring_create(name.c_str(), ring_size, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
        return r;
    };
    for (unsigned q = 0; q < queues; ++q) {
        rte_ring* c2s = make_ring(prefix + "_c2s" + std::to_string(q), queue_sockets[q]);
        if (c2s != nullptr) client_to_server_.push_back(c2s);
        rte_ring* s2c = make_ring(prefix + "_s2c" + std::to_string(q), queue_sockets[q]);
        if (s2c != nullptr) server_to_client_.push_back(s2c);
        if (c2s == nullptr || s2c == nullptr) {
            const int err = rte_errno;
            destroy();
            return io_status::fail("wire topology: cannot create ring " + std::to_string(q) +
                                   " of " + std::to_string(ring_size) + " slots: " +
                                   rte_strerror(err));
        }
    }
    const unsigned socket = static_cast<unsigned>(queue_sockets[0] < 0 ? 0 : queue_sockets[0]);
    const std::string client = prefix + "_client";
    const std::string server = prefix + "_server";
    const int c = rte_eth_from_rings(client.c_str(), server_to_client_.data(), queues,
                                     client_to_server_.data(), queues, socket);
    if (c < 0) {
        const int err = rte_errno;
        destroy();
        return io_status::fail("wire topology: rte_eth_from_rings(" + client +
                               ") failed: " + rte_strerror(err) + " (is the name in use?)");
    }
    client_name_ = "net_ring_" + client;
    client_port_ = static_cast<std::uint16_t>(c);
    const int s = rte_eth_from_rings(server.c_str(), client_to_server_.data(), queues,
                                     server_to_client_.data(), queues, socket);
    if (s < 0) {
        const int err = rte_errno;
        destroy();
        return io_status::fail("wire topology: rte_eth_from_rings(" + server +
                               ") failed: " + rte_strerror(err));
    }
    server_name_ = "net_ring_" + server;
    server_port_ = static_cast<std::uint16_t>(s);
    created_ = true;
    return io_status::ok();
}

unsigned wire_topology::drain() noexcept {
    unsigned freed = 0;
    std::array<void*, 64> objs;
    for (auto* rings : {&client_to_server_, &server_to_client_}) {
        for (rte_ring* r : *rings) {
            while (unsigned n = rte_ring_dequeue_burst(r, objs.data(), objs.size(), nullptr)) {
                rte_pktmbuf_free_bulk(reinterpret_cast<rte_mbuf**>(objs.data()), n);
                freed += n;
            }
        }
    }
    return freed;
}

void wire_topology::destroy() noexcept {
    drain();
    // rte_eth_dev_close released the ports; the vdevs stay on the bus until
    // uninit, and their names with them.
    for (std::string* name : {&client_name_, &server_name_}) {
        if (name->empty()) continue;
        std::uint16_t id = 0;
        if (rte_eth_dev_get_port_by_name(name->c_str(), &id) == 0) close_port(id);
        rte_vdev_uninit(name->c_str());
        name->clear();
    }
    for (auto* rings : {&client_to_server_, &server_to_client_}) {
        for (rte_ring* r : *rings) rte_ring_free(r);
        rings->clear();
    }
    created_ = false;
}

}  // namespace qqgen::dpdk
