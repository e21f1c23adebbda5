#include "dataplane/io/eth_port.hpp"

#include <array>
#include <cstdio>
#include <thread>
#include <vector>

#include <rte_errno.h>
#include <rte_ethdev.h>

namespace qqgen::dpdk {

namespace {

std::string errstr(int ret) { return rte_strerror(ret < 0 ? -ret : ret); }

std::string known_ports() {
    std::string list;
    std::uint16_t id = 0;
    RTE_ETH_FOREACH_DEV(id) {
        if (!list.empty()) list += ", ";
        list += port_name(id);
    }
    return list.empty() ? std::string("none") : list;
}

// Symmetric Toeplitz: with the key 0x6d5a repeated, hash(src, dst) ==
// hash(dst, src), so both directions of a flow land on the same queue
// (Woo and Park, "Scalable TCP Session Monitoring with Symmetric Receive-side
// Scaling", 2012). The session engine picks tuples that hash to the owning
// worker's queue.
std::vector<std::uint8_t> symmetric_rss_key(std::size_t length) {
    std::vector<std::uint8_t> key(length);
    for (std::size_t i = 0; i < length; ++i) key[i] = (i % 2 == 0) ? 0x6d : 0x5a;
    return key;
}

// rte_eth_link_to_str is still experimental in 22.11.
std::string describe_link(const rte_eth_link& link) {
    if (link.link_status != RTE_ETH_LINK_UP) return "link down";
    std::array<char, 64> text{};
    const bool speed_known =
        link.link_speed != RTE_ETH_SPEED_NUM_NONE && link.link_speed != RTE_ETH_SPEED_NUM_UNKNOWN;
    std::snprintf(text.data(), text.size(), "link up %u Mb/s %s-duplex",
                  speed_known ? link.link_speed : 0u,
                  link.link_duplex == RTE_ETH_LINK_FULL_DUPLEX ? "full" : "half");
    return text.data();
}

}  // namespace

std::string port_name(std::uint16_t port_id) {
    std::array<char, RTE_ETH_NAME_MAX_LEN> name{};
    if (rte_eth_dev_get_name_by_port(port_id, name.data()) != 0) return "port " + std::to_string(port_id);
    return name.data();
}

io_status find_port(const std::string& name, std::uint16_t& port_id) {
    if (rte_eth_dev_get_port_by_name(name.c_str(), &port_id) == 0) return io_status::ok();
    return io_status::fail("no DPDK port named '" + name + "' (ports: " + known_ports() +
                           "); name a PCI address bound to vfio-pci, or create a vdev with the EAL "
                           "option --vdev (e.g. --vdev net_af_packet0,iface=veth0)");
}

io_status start_port(std::uint16_t port_id, const port_queue_plan& plan, port_facts& facts) {
    const auto queues = static_cast<std::uint16_t>(plan.rx_pools.size());
    facts = port_facts{};
    facts.port_id = port_id;
    facts.name = port_name(port_id);
    facts.queues = queues;
    const std::string where = "port " + facts.name;
    if (queues == 0 || plan.queue_sockets.size() != queues)
        return io_status::fail(where + ": no queues planned");

    rte_eth_dev_info info{};
    if (int ret = rte_eth_dev_info_get(port_id, &info); ret != 0)
        return io_status::fail(where + ": cannot read device info: " + errstr(ret));
    facts.driver = info.driver_name != nullptr ? info.driver_name : "?";
    facts.socket = rte_eth_dev_socket_id(port_id);
    if (info.max_rx_queues < queues || info.max_tx_queues < queues) {
        return io_status::fail(where + " (" + facts.driver + ") has at most " +
                               std::to_string(info.max_rx_queues) + " RX and " +
                               std::to_string(info.max_tx_queues) + " TX queues, " +
                               std::to_string(queues) + " workers need one each: pass --workers " +
                               std::to_string(std::min(info.max_rx_queues, info.max_tx_queues)));
    }

    rte_eth_conf conf{};
    std::vector<std::uint8_t> key;
    const std::uint64_t rss_hf =
        info.flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP);
    if (queues > 1 && rss_hf != 0) {
        key = symmetric_rss_key(info.hash_key_size != 0 ? info.hash_key_size : 40);
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_key = key.data();
        conf.rx_adv_conf.rss_conf.rss_key_len = static_cast<std::uint8_t>(key.size());
        conf.rx_adv_conf.rss_conf.rss_hf = rss_hf;
        facts.rss = true;
        facts.rss_l4 = (rss_hf & RTE_ETH_RSS_UDP) != 0 && (rss_hf & RTE_ETH_RSS_TCP) != 0;
        facts.rss_key = key;
    } else if (queues > 1 && !plan.queues_are_isolated) {
        facts.warning = "no RSS on this port: every received frame lands on queue 0 (worker 0), "
                        "so replies to other workers' sessions are lost; use --workers 1 here";
    }
    if ((info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE) != 0) {
        // Valid because every mbuf a queue sends comes from its worker's one
        // pool with refcnt 1 (capture copies, it never clones).
        conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
        facts.fast_free = true;
    }

    if (int ret = rte_eth_dev_configure(port_id, queues, queues, &conf); ret != 0)
        return io_status::fail(where + ": rte_eth_dev_configure with " + std::to_string(queues) +
                               " queue pairs failed: " + errstr(ret));
    std::uint16_t rx_desc = plan.rx_desc;
    std::uint16_t tx_desc = plan.tx_desc;
    if (int ret = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &rx_desc, &tx_desc); ret != 0)
        return io_status::fail(where + ": cannot fit descriptor counts: " + errstr(ret));
    facts.rx_desc = rx_desc;
    facts.tx_desc = tx_desc;

    for (std::uint16_t q = 0; q < queues; ++q) {
        const int socket = plan.queue_sockets[q];
        rte_eth_rxconf rxconf = info.default_rxconf;
        rxconf.offloads = conf.rxmode.offloads;
        if (int ret = rte_eth_rx_queue_setup(port_id, q, rx_desc, static_cast<unsigned>(socket),
                                             &rxconf, plan.rx_pools[q]);
            ret != 0)
            return io_status::fail(where + ": RX queue " + std::to_string(q) +
                                   " set-up failed: " + errstr(ret));
        rte_eth_txconf txconf = info.default_txconf;
        txconf.offloads = conf.txmode.offloads;
        if (int ret = rte_eth_tx_queue_setup(port_id, q, tx_desc, static_cast<unsigned>(socket),
                                             &txconf);
            ret != 0)
            return io_status::fail(where + ": TX queue " + std::to_string(q) +
                                   " set-up failed: " + errstr(ret));
    }

    if (int ret = rte_eth_dev_start(port_id); ret != 0)
        return io_status::fail(where + ": rte_eth_dev_start failed: " + errstr(ret));

    // The key and hash types the port really uses, where the PMD reports
    // them: the engines choose client ports for this key (queue_steering).
    // Some PMDs keep their own key through rte_eth_dev_configure (net_null
    // does): then the key is set again, once, with rte_eth_dev_rss_hash_update.
    if (facts.rss) {
        const auto read_back = [&] {
            std::vector<std::uint8_t> used(key.size());
            rte_eth_rss_conf got{};
            got.rss_key = used.data();
            got.rss_key_len = static_cast<std::uint8_t>(used.size());
            if (rte_eth_dev_rss_hash_conf_get(port_id, &got) != 0) return false;
            facts.rss_key = used;
            facts.rss_l4 = (got.rss_hf & RTE_ETH_RSS_UDP) != 0 && (got.rss_hf & RTE_ETH_RSS_TCP) != 0;
            return true;
        };
        if (read_back() && facts.rss_key != key) {
            rte_eth_rss_conf again = conf.rx_adv_conf.rss_conf;
            if (rte_eth_dev_rss_hash_update(port_id, &again) == 0) read_back();
        }
        if (!facts.rss_l4 && facts.warning.empty())
            facts.warning = "RSS hashes addresses only (no UDP/TCP ports): client ports cannot steer flows to "
                            "their worker's queue, so replies to other workers' sessions are lost; use --workers 1 "
                            "here";
    }

    // Promiscuous: the DUT's frames carry MAC addresses qqgen did not choose
    // (a router rewrites them). Not every PMD has the knob; ring and pcap
    // ports accept everything anyway.
    const int promisc = rte_eth_promiscuous_enable(port_id);
    facts.promiscuous = promisc == 0 || rte_eth_promiscuous_get(port_id) == 1;

    const auto deadline = std::chrono::steady_clock::now() + plan.link_timeout;
    rte_eth_link link{};
    for (;;) {
        link = rte_eth_link{};
        if (rte_eth_link_get_nowait(port_id, &link) == 0 && link.link_status == RTE_ETH_LINK_UP) break;
        if (std::chrono::steady_clock::now() >= deadline) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    facts.link_up = link.link_status == RTE_ETH_LINK_UP;
    facts.link = describe_link(link);
    if (!facts.link_up && facts.warning.empty())
        facts.warning = "link still down after " + std::to_string(plan.link_timeout.count()) +
                        " ms; running anyway (check the cable or the veth peer)";
    return io_status::ok();
}

void close_port(std::uint16_t port_id) noexcept {
    if (!rte_eth_dev_is_valid_port(port_id)) return;
    rte_eth_dev_stop(port_id);
    rte_eth_dev_close(port_id);
}

}  // namespace qqgen::dpdk
