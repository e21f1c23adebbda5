// Bringing one DPDK ethdev port up for qqgen's workers, and down again.
//
// Any port DPDK knows by name works: a PCI device ("0000:3b:00.0"), a vdev
// named on the EAL command line (net_af_packet0, net_pcap0, net_null0) or a
// ring pair the wire topology made. The port gets one RX/TX queue pair per
// worker; queue i belongs to worker i and its RX descriptors are filled from
// worker i's mempool on worker i's socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dataplane/io/io_status.hpp"

struct rte_mempool;

namespace qqgen::dpdk {

struct port_queue_plan {
    std::uint16_t rx_desc = 1024;
    std::uint16_t tx_desc = 1024;
    std::span<rte_mempool* const> rx_pools;  // one per queue (worker)
    std::span<const int> queue_sockets;      // one per queue (worker)
    std::chrono::milliseconds link_timeout{5000};
    // True when queue i of this port only ever carries worker i's flows by
    // construction (ring pairs), so a port without RSS is not a problem.
    bool queues_are_isolated = false;
};

// What bring-up found, for the start-up banner and the report.
struct port_facts {
    std::string name;
    std::string driver;
    std::uint16_t port_id = 0;
    int socket = -1;
    std::uint16_t queues = 0;
    std::uint16_t rx_desc = 0;
    std::uint16_t tx_desc = 0;
    bool rss = false;           // received flows spread over queues by symmetric Toeplitz
    bool rss_l4 = false;        // ... with UDP and TCP ports in the hash (tuple choice can steer)
    std::vector<std::uint8_t> rss_key;  // the key the port hashes with (read back where the PMD can)
    bool promiscuous = false;
    bool fast_free = false;     // RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE enabled
    bool link_up = false;
    std::string link;           // rte_eth_link_to_str
    std::string warning;        // something the user should know; empty if none
};

// The port id of a port named `name`, or a message listing the ports there are.
io_status find_port(const std::string& name, std::uint16_t& port_id);

// Configures queue pairs, starts the port, turns promiscuous mode on where the
// PMD supports it, and waits for the link up to plan.link_timeout (a link
// still down afterwards is a warning, not an error: some virtual PMDs never
// report one).
io_status start_port(std::uint16_t port_id, const port_queue_plan& plan, port_facts& facts);

// rte_eth_dev_stop then rte_eth_dev_close: the PMD frees the mbufs its
// queues still hold. The port id is invalid afterwards.
void close_port(std::uint16_t port_id) noexcept;

std::string port_name(std::uint16_t port_id);

}  // namespace qqgen::dpdk
