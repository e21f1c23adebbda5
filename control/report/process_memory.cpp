#include "control/report/process_memory.hpp"

#include <cstdio>
#include <cstring>
#include <string>

namespace qqgen::control {

std::optional<process_memory> read_process_memory(int pid) {
    const std::string path = "/proc/" + std::to_string(pid) + "/status";
    std::FILE* f = std::fopen(path.c_str(), "re");
    if (f == nullptr) return std::nullopt;
    process_memory m;
    bool rss_seen = false;
    char line[256];
    while (std::fgets(line, sizeof line, f) != nullptr) {
        unsigned long long kb = 0;
        // "VmRSS:     1234 kB"; HugetlbPages since Linux 4.4.
        if (std::sscanf(line, "VmRSS: %llu kB", &kb) == 1) {
            m.rss_bytes = kb * 1024;
            rss_seen = true;
        } else if (std::sscanf(line, "HugetlbPages: %llu kB", &kb) == 1) {
            m.hugetlb_bytes = kb * 1024;
        }
    }
    std::fclose(f);
    if (!rss_seen) return std::nullopt;  // a zombie has no VmRSS line
    return m;
}

}  // namespace qqgen::control
