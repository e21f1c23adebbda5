// Ethernet (+ 802.1Q) / IPv4 or IPv6 / UDP (or TCP, tcp()) around a payload the caller has
// already written in place (net_headers.hpp's two-step form: the QQ packet
// is encoded and encrypted straight into the TX buffer, then the headers and
// checksums are written around it).
//
// One per worker; it holds each port's Ethernet header and IPv4 id counter.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "dataplane/engine/frame_io.hpp"
#include "dataplane/engine/load_settings.hpp"
#include "protocols/net_headers.hpp"

namespace qqgen::engine {

// The largest frame qqgen sends: 1500 bytes of IP, Ethernet header and tag.
inline constexpr std::size_t max_frame_size = 1500 + 18;

class frame_writer {
public:
    explicit frame_writer(const load_settings& s) noexcept : ipv6_(s.ip_version == 6) {
        for (port_role r : all_port_roles) {
            auto& e = eth_[index_of(r)];
            e.src = s.local_mac[index_of(r)];
            e.dst = s.next_hop_mac[index_of(r)];
            if (s.vlan_id[index_of(r)] != 0) e.vlan = proto::vlan_tag{s.vlan_id[index_of(r)], 0, false};
            payload_offset_[index_of(r)] = proto::ethernet_header_size(e) + (ipv6_ ? 40u : 20u) + 8u;
        }
    }

    // The MAC frames of `role`'s port go to (the neighbour module may learn
    // or change it while the engine runs).
    void set_next_hop(port_role role, const proto::mac_address& mac) noexcept { eth_[index_of(role)].dst = mac; }

    // Where the UDP payload starts in a frame sent on `role`'s port.
    [[nodiscard]] std::size_t payload_offset(port_role role) const noexcept { return payload_offset_[index_of(role)]; }

    // The room for a UDP payload in a TX buffer of `buffer_size` bytes.
    [[nodiscard]] std::size_t payload_room(port_role role, std::size_t buffer_size) const noexcept {
        const std::size_t end = buffer_size < max_frame_size ? buffer_size : max_frame_size;
        return end > payload_offset(role) ? end - payload_offset(role) : 0;
    }

    // Writes the headers and the UDP checksum around the payload_size bytes
    // at frame[payload_offset(role)]; returns the frame size (padded to 60
    // bytes), 0 if it does not fit.
    std::size_t finish(port_role role, proto::byte_span frame, const proto::ip_address& src, std::uint16_t src_port,
                       const proto::ip_address& dst, std::uint16_t dst_port, std::size_t payload_size) noexcept {
        const proto::frame_layout layout = headers(role, frame, src, src_port, dst, dst_port, payload_size);
        if (layout.frame_size == 0) return 0;
        proto::finish_checksums(frame, layout);
        return layout.frame_size;
    }

    // finish without the UDP checksum, for a payload whose last bytes are
    // written later (a sealed frame, tx_seal.hpp): the layout the checksum
    // needs then; frame_size 0 if it does not fit.
    proto::frame_layout headers(port_role role, proto::byte_span frame, const proto::ip_address& src,
                                std::uint16_t src_port, const proto::ip_address& dst, std::uint16_t dst_port,
                                std::size_t payload_size) noexcept {
        proto::frame_desc d;
        d.eth = eth_[index_of(role)];
        d.src_ip = src;
        d.dst_ip = dst;
        d.ipv4_id = ipv4_id_[index_of(role)]++;
        d.src_port = src_port;
        d.dst_port = dst_port;
        const proto::frame_layout layout = proto::write_headers(frame, d, payload_size);
        if (layout.frame_size == 0 || layout.payload_offset != payload_offset(role)) return {};
        return layout;
    }

    // A whole TCP segment (RFC 9293 3.1) around `payload` (copied), with its
    // checksum; returns the frame size, 0 if it does not fit.
    std::size_t tcp(port_role role, proto::byte_span frame, const proto::ip_address& src, std::uint16_t src_port,
                    const proto::ip_address& dst, std::uint16_t dst_port, const proto::tcp_fields& fields,
                    proto::const_byte_span payload) noexcept {
        proto::frame_desc d;
        d.eth = eth_[index_of(role)];
        d.src_ip = src;
        d.dst_ip = dst;
        d.ipv4_id = ipv4_id_[index_of(role)]++;
        d.protocol = proto::ip_protocol::tcp;
        d.src_port = src_port;
        d.dst_port = dst_port;
        d.tcp = fields;
        const std::size_t end = frame.size() < max_frame_size ? frame.size() : max_frame_size;
        return proto::write_frame(frame.first(end), d, payload);
    }

private:
    bool ipv6_;
    std::array<proto::ethernet_header, port_role_count> eth_{};
    std::array<std::size_t, port_role_count> payload_offset_{};
    std::array<std::uint16_t, port_role_count> ipv4_id_{};
};

}  // namespace qqgen::engine
