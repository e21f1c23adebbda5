// A packet-mbuf mempool with an owner: created on a NUMA socket, freed by the
// destructor, and able to say how many of its mbufs are still out (the leak
// check at the end of a run).
#pragma once

#include <string>
#include <utility>

#include "dataplane/io/io_status.hpp"

struct rte_mempool;

namespace qqgen::dpdk {

class mbuf_pool {
public:
    mbuf_pool() = default;
    mbuf_pool(const mbuf_pool&) = delete;
    mbuf_pool& operator=(const mbuf_pool&) = delete;
    mbuf_pool(mbuf_pool&& other) noexcept : pool_(std::exchange(other.pool_, nullptr)) {}
    mbuf_pool& operator=(mbuf_pool&& other) noexcept {
        if (this != &other) {
            reset();
            pool_ = std::exchange(other.pool_, nullptr);
        }
        return *this;
    }
    ~mbuf_pool() { reset(); }

    // `count` mbufs of RTE_MBUF_DEFAULT_BUF_SIZE (2048 bytes of data after
    // the headroom), with a per-lcore cache, on `socket`.
    static io_status create(const std::string& name, unsigned count, int socket, mbuf_pool& out);

    rte_mempool* get() const noexcept { return pool_; }
    explicit operator bool() const noexcept { return pool_ != nullptr; }
    const char* name() const noexcept;
    unsigned size() const noexcept;
    // Mbufs not back in the pool (per-lcore caches count as back).
    unsigned in_use() const noexcept;
    void reset() noexcept;

private:
    rte_mempool* pool_ = nullptr;
};

}  // namespace qqgen::dpdk
