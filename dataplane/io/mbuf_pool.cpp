#include "dataplane/io/mbuf_pool.hpp"

#include <algorithm>

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

namespace qqgen::dpdk {

io_status mbuf_pool::create(const std::string& name, unsigned count, int socket, mbuf_pool& out) {
    out.reset();
    // The per-lcore cache keeps alloc/free off the shared ring; DPDK wants
    // it no larger than count / 1.5 and RTE_MEMPOOL_CACHE_MAX_SIZE.
    const unsigned cache = std::min<unsigned>(RTE_MEMPOOL_CACHE_MAX_SIZE / 2, count * 2 / 3);
    rte_mempool* pool = rte_pktmbuf_pool_create(name.c_str(), count, cache, 0,
                                                RTE_MBUF_DEFAULT_BUF_SIZE, socket);
    if (pool == nullptr && socket != SOCKET_ID_ANY && rte_errno == ENOMEM) {
        // No memory on that socket (e.g. --no-huge, or hugepages reserved on
        // one node only): any socket is better than no run.
        pool = rte_pktmbuf_pool_create(name.c_str(), count, cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                       SOCKET_ID_ANY);
    }
    if (pool == nullptr) {
        return io_status::fail("cannot create mempool '" + name + "' of " + std::to_string(count) +
                               " mbufs on socket " + std::to_string(socket) + ": " +
                               rte_strerror(rte_errno) +
                               "; reserve more hugepages (or a larger -m) or lower "
                               "--mbufs-per-worker");
    }
    out.pool_ = pool;
    return io_status::ok();
}

const char* mbuf_pool::name() const noexcept { return pool_ != nullptr ? pool_->name : ""; }
unsigned mbuf_pool::size() const noexcept { return pool_ != nullptr ? pool_->size : 0; }
unsigned mbuf_pool::in_use() const noexcept {
    return pool_ != nullptr ? rte_mempool_in_use_count(pool_) : 0;
}

void mbuf_pool::reset() noexcept {
    if (pool_ != nullptr) rte_mempool_free(std::exchange(pool_, nullptr));
}

}  // namespace qqgen::dpdk
