// A pcap file written with libpcap (pcap_open_dead + pcap_dump), Ethernet link type.
//
// Timestamps are given by the caller (simulated time), so the same input gives a
// byte-identical file: `qqgen sample` promises that for a fixed seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

struct pcap;
struct pcap_dumper;

namespace qqgen::control {

class pcap_file {
public:
    // Opens `path` for writing; throws std::runtime_error naming the path and
    // libpcap's reason when it cannot.
    explicit pcap_file(const std::string& path, std::uint32_t snaplen = 65535);
    ~pcap_file();
    pcap_file(const pcap_file&) = delete;
    pcap_file& operator=(const pcap_file&) = delete;

    void write(std::uint64_t time_ns, std::span<const std::byte> frame);
    // Flushes and closes; throws if the data could not be written (disk full).
    void close();
    [[nodiscard]] std::uint64_t frames() const noexcept { return frames_; }

private:
    std::string path_;
    ::pcap* handle_ = nullptr;
    ::pcap_dumper* dumper_ = nullptr;
    std::uint32_t snaplen_;
    std::uint64_t frames_ = 0;
};

}  // namespace qqgen::control
