// Who a worker is, as the engine factory sees it (DPDK-free).
#pragma once

namespace qqgen::dpdk {

struct worker_info {
    unsigned index = 0;         // 0 .. count-1; also its queue id on every port
    unsigned count = 1;         // workers in this run
    unsigned lcore = 0;         // EAL lcore it runs on
    int socket = 0;             // NUMA socket of that lcore
};

}  // namespace qqgen::dpdk
