#include "control/pcap_file.hpp"

#include <pcap/pcap.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace qqgen::control {

pcap_file::pcap_file(const std::string& path, std::uint32_t snaplen) : path_(path), snaplen_(snaplen) {
    handle_ = pcap_open_dead(DLT_EN10MB, static_cast<int>(snaplen));
    if (handle_ == nullptr) throw std::runtime_error("pcap: cannot create a libpcap handle for " + path);
    dumper_ = pcap_dump_open(handle_, path.c_str());
    if (dumper_ == nullptr) {
        std::string why = pcap_geterr(handle_);
        pcap_close(handle_);
        handle_ = nullptr;
        throw std::runtime_error("pcap: cannot open '" + path + "' for writing: " + why);
    }
}

pcap_file::~pcap_file() {
    if (dumper_ != nullptr) pcap_dump_close(dumper_);
    if (handle_ != nullptr) pcap_close(handle_);
}

void pcap_file::write(std::uint64_t time_ns, std::span<const std::byte> frame) {
    if (dumper_ == nullptr) throw std::logic_error("pcap: write after close of " + path_);
    pcap_pkthdr header{};
    header.ts.tv_sec = static_cast<time_t>(time_ns / 1'000'000'000u);
    header.ts.tv_usec = static_cast<suseconds_t>((time_ns % 1'000'000'000u) / 1000u);
    header.len = static_cast<bpf_u_int32>(frame.size());
    header.caplen = static_cast<bpf_u_int32>(frame.size() < snaplen_ ? frame.size() : snaplen_);
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &header, reinterpret_cast<const u_char*>(frame.data()));
    ++frames_;
}

void pcap_file::close() {
    if (dumper_ == nullptr) return;
    bool failed = pcap_dump_flush(dumper_) != 0;
    int saved = errno;
    pcap_dump_close(dumper_);
    dumper_ = nullptr;
    pcap_close(handle_);
    handle_ = nullptr;
    if (failed) throw std::runtime_error("pcap: writing '" + path_ + "' failed: " + std::strerror(saved));
}

}  // namespace qqgen::control
