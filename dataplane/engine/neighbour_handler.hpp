// The neighbour module: ARP (RFC 826) and IPv6 neighbour discovery (RFC
// 4861) for the addresses the engine emulates, so that the dataplane lives
// on a real segment, behind a routing DUT or through a bridging one.
//
// - It answers ARP requests and neighbour solicitations (to the target or
//   its solicited-node group) for every address a port emulates: on the
//   client port the client address range (arithmetic, no table), on the
//   server port the DNS and login servers (neighbour_settings.hpp). Replies
//   go out on the port the request came in, with the request's VLAN tag.
// - It knows each port's next-hop MAC: configured, or resolved by asking for
//   the port's gateway_ip at start and every retry_ns until an answer comes;
//   it also takes the gateway's MAC from unsolicited ARP / NA and from the
//   gateway's own requests (RFC 826 "merge", RFC 4861 7.2.3).
// - At start it announces a bounded number of addresses per port (gratuitous
//   ARP, RFC 5227 3; unsolicited NA, RFC 4861 7.2.6): the fixed addresses
//   and the first announce_range of the range.
//
// The session engine calls handle_neighbour() for every frame that parsed
// (parse_frame) and passed the MAC and VLAN checks but is not UDP over IP:
// ARP (ethertype 0x0806, parsed_frame::l3 holds the ARP packet), ICMPv6
// (ip_version 6, protocol 58, parsed_frame::l4 holds the message) and
// anything else. It returns true when it took the frame (answered it or
// learned the next hop from it; the engine counts it in neighbour_frames),
// false to have it counted as refused (not_udp); every frame it does not
// take is also in one of its own counters (for_nobody, malformed).
//
// One per worker, like everything on the hot path: all state is fixed-size
// members, so nothing is allocated, locked, logged or thrown per frame.
// With several workers, ARP and ND land on one RX queue (they carry no L4
// ports for RSS), so one worker resolves; the workers' runners hand the MAC
// to the others through next_hop_board.hpp (set_next_hop_mac()).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "dataplane/engine/frame_io.hpp"
#include "dataplane/engine/load_settings.hpp"
#include "dataplane/engine/neighbour_counters.hpp"
#include "dataplane/engine/neighbour_settings.hpp"
#include "protocols/arp.hpp"
#include "protocols/ndp.hpp"
#include "protocols/net_headers.hpp"

namespace qqgen::engine {

class neighbour_handler {
public:
    // The engine's settings, seen as neighbour_settings_from() describes.
    explicit neighbour_handler(const load_settings& settings) noexcept
        : neighbour_handler(neighbour_settings_from(settings)) {}

    // Set-up code checks `settings` with validate() first; the handler
    // trusts them.
    explicit neighbour_handler(const neighbour_settings& settings) noexcept : settings_(settings) {
        ipv6_ = settings_.ip_version == 6;
        for (const port_role r : all_port_roles) {
            const auto& p = settings_[r];
            auto& s = state_[index_of(r)];
            if (p.vlan_id != 0) s.vlan = proto::vlan_tag{p.vlan_id, 0, false};
            s.resolving = p.next_hop_mac == proto::mac_address{};
            s.known = !s.resolving;
            s.mac = p.next_hop_mac;
            s.request_source = !is_unset(p.interface_ip) ? p.interface_ip
                               : p.fixed_count != 0      ? p.fixed[0]
                                                         : p.range_base;
        }
    }

    // --- the engine's calls ---------------------------------------------------

    // Announces each port's addresses and sends the first resolution
    // requests. Once, before the first poll(); the frames leave with the
    // engine's next flush.
    template <class Io>
    void start(Io& io, std::uint64_t now_ns) noexcept {
        started_ = true;
        for (const port_role r : all_port_roles) {
            const auto& p = settings_[r];
            const std::uint32_t n = p.range_count < settings_.announce_range ? p.range_count : settings_.announce_range;
            proto::ip_address a = p.range_base;
            for (std::uint32_t i = 0; i < n; ++i, increment_low32(a)) announce(io, r, a);
            for (std::size_t i = 0; i < p.fixed_count && i < p.fixed.size(); ++i) announce(io, r, p.fixed[i]);
            if (!is_unset(p.interface_ip)) announce(io, r, p.interface_ip);
            auto& s = state_[index_of(r)];
            if (!s.known) {
                send_request(io, r);
                s.next_request_ns = now_ns + settings_.retry_ns;
            }
        }
    }

    // Repeats the resolution request of every port whose next hop has not
    // answered within retry_ns. Cheap enough for every loop turn: two
    // compares when nothing is due. Starts the module if start() was not
    // called.
    template <class Io>
    void poll(Io& io, std::uint64_t now_ns) noexcept {
        if (!started_) [[unlikely]] {
            start(io, now_ns);
            return;
        }
        for (const port_role r : all_port_roles) {
            auto& s = state_[index_of(r)];
            if (s.known || now_ns < s.next_request_ns) [[likely]] continue;
            send_request(io, r);
            s.next_request_ns = now_ns + settings_.retry_ns;
        }
    }

    template <class Io>
    bool handle_neighbour(port_role port, const proto::parsed_frame& frame, Io& io) noexcept {
        auto& c = counters_[index_of(port)];
        const auto& vlan = state_[index_of(port)].vlan;
        if (vlan ? (!frame.vlan || frame.vlan->id != vlan->id) : frame.vlan.has_value()) {
            ++c.for_nobody;
            return false;
        }
        if (frame.ethertype == proto::ethertype::arp) return on_arp(port, frame, io);
        if (frame.ip_version == 6 && frame.protocol == proto::ip_protocol::icmpv6) return on_icmpv6(port, frame, io);
        ++c.for_nobody;
        return false;
    }

    // --- what the engine reads -----------------------------------------------

    // The next hop's MAC is known: frames can be sent from this port.
    [[nodiscard]] bool ready(port_role port) const noexcept { return state_[index_of(port)].known; }
    // The MAC to send this port's frames to; zero while !ready(port).
    [[nodiscard]] const proto::mac_address& next_hop_mac(port_role port) const noexcept {
        return state_[index_of(port)].mac;
    }
    // For the workers that do not see the ARP/ND queue: the MAC another
    // worker resolved. Ignored for a zero or multicast MAC.
    void set_next_hop_mac(port_role port, const proto::mac_address& mac) noexcept {
        if (mac == proto::mac_address{} || mac.is_multicast()) return;
        auto& s = state_[index_of(port)];
        s.mac = mac;
        s.known = true;
    }

    [[nodiscard]] const neighbour_counters& counters(port_role port) const noexcept {
        return counters_[index_of(port)];
    }
    [[nodiscard]] const neighbour_settings& settings() const noexcept { return settings_; }

private:
    struct port_state {
        std::optional<proto::vlan_tag> vlan;  // of the frames we originate
        proto::mac_address mac;               // the next hop's
        bool resolving = false;               // no next_hop_mac configured: learn it
        bool known = false;
        std::uint64_t next_request_ns = 0;
        proto::ip_address request_source;
    };

    // The next address of a range (validate() keeps ranges within the last
    // 32 bits).
    static void increment_low32(proto::ip_address& a) noexcept {
        const std::size_t end = a.is_v4() ? 4 : 16;
        for (std::size_t i = end; i-- > end - 4;) {
            a.bytes[i] = std::byte(std::to_integer<unsigned>(a.bytes[i]) + 1u);
            if (a.bytes[i] != std::byte{0}) break;
        }
    }

    // Takes `mac` as the next hop's if `ip` is this port's gateway. True if
    // it did.
    bool learn(port_role port, const proto::ip_address& ip, const proto::mac_address& mac) noexcept {
        auto& s = state_[index_of(port)];
        if (!s.resolving || ip != settings_[port].gateway_ip) return false;
        if (mac == proto::mac_address{} || mac.is_multicast()) return false;
        auto& c = counters_[index_of(port)];
        if (!s.known) ++c.resolved;
        else if (s.mac != mac) ++c.next_hop_changed;
        s.mac = mac;
        s.known = true;
        return true;
    }

    template <class Io>
    bool on_arp(port_role port, const proto::parsed_frame& frame, Io& io) noexcept {
        auto& c = counters_[index_of(port)];
        const auto decoded = proto::decode_arp(frame.l3);
        if (!decoded) {
            ++c.malformed;
            return false;
        }
        const proto::arp_message& m = decoded.value;
        const auto& p = settings_[port];
        if (ipv6_ || m.sender_mac == p.local_mac) {  // not our family, or our own frame come back
            ++c.for_nobody;
            return false;
        }
        const proto::ip_address sender = m.sender_ip;
        if (owns(p, sender)) ++c.conflicts;  // e.g. another host's announcement of our address
        bool took = learn(port, sender, m.sender_mac);
        // An announcement (sender == target) asks nothing of us.
        if (m.op == proto::arp_op::request && m.sender_ip != m.target_ip && owns(p, proto::ip_address(m.target_ip))) {
            // The reply keeps the request's tag, priority bits included.
            if (send(io, port, [&](proto::byte_span out) noexcept {
                    return proto::write_arp_frame(out, proto::make_arp_reply(m, p.local_mac), frame.vlan);
                }))
                ++c.arp_answered;
            took = true;
        }
        if (!took) ++c.for_nobody;
        return took;
    }

    template <class Io>
    bool on_icmpv6(port_role port, const proto::parsed_frame& frame, Io& io) noexcept {
        auto& c = counters_[index_of(port)];
        const auto decoded = proto::decode_ndp(frame);
        if (!decoded) {
            // Router advertisements, MLD, echo: ICMPv6 that is not ours to read.
            if (decoded.why.code == proto::decode_error::unknown_command) ++c.for_nobody;
            else ++c.malformed;
            return false;
        }
        const proto::ndp_message& m = decoded.value;
        const auto& p = settings_[port];
        if (!ipv6_ || frame.src_mac == p.local_mac) {
            ++c.for_nobody;
            return false;
        }
        const proto::ip_address target = m.target;
        bool took = false;
        if (m.type == proto::ndp_type::neighbor_advertisement) {
            // No target link-layer option: the frame's source (RFC 4861
            // 7.2.5 leaves the entry's MAC unchanged; we have none to keep).
            const proto::mac_address mac = m.link_layer.value_or(frame.src_mac);
            if (owns(p, target) && mac != p.local_mac) ++c.conflicts;
            took = learn(port, target, mac);
        } else {
            const proto::ipv6_address src = frame.src_ip.v6();
            if (!src.is_unspecified() && m.link_layer) took = learn(port, frame.src_ip, *m.link_layer);
            const proto::ipv6_address dst = frame.dst_ip.v6();
            // Sent to the target itself (unicast, RFC 4861 7.2.2 reachability
            // checks) or to its solicited-node group (7.2.2 resolution).
            if (owns(p, target) && (dst == m.target || dst == proto::solicited_node_multicast(m.target))) {
                // Answer to the option's MAC; a unicast NS may omit it, then
                // to the frame's source. From ::, make_neighbor_advertisement
                // answers all-nodes (7.2.4).
                const proto::mac_address peer_mac = m.link_layer.value_or(frame.src_mac);
                if (send(io, port, [&](proto::byte_span out) noexcept {
                        return proto::write_ndp_frame(
                            out, proto::make_neighbor_advertisement(p.local_mac, frame.vlan, m.target, src, peer_mac));
                    }))
                    ++c.ns_answered;
                took = true;
            }
        }
        if (!took) ++c.for_nobody;
        return took;
    }

    template <class Io>
    void announce(Io& io, port_role port, const proto::ip_address& a) noexcept {
        const auto& mac = settings_[port].local_mac;
        const auto& vlan = state_[index_of(port)].vlan;
        bool sent = false;
        if (ipv6_) {
            sent = send(io, port, [&](proto::byte_span out) noexcept {
                return proto::write_ndp_frame(out, proto::make_unsolicited_advertisement(mac, vlan, a.v6()));
            });
        } else {
            sent = send(io, port, [&](proto::byte_span out) noexcept {
                return proto::write_arp_frame(out, proto::make_gratuitous_arp(mac, a.v4()), vlan);
            });
        }
        if (sent) ++counters_[index_of(port)].gratuitous_sent;
    }

    template <class Io>
    void send_request(Io& io, port_role port) noexcept {
        const auto& p = settings_[port];
        const auto& s = state_[index_of(port)];
        bool sent = false;
        if (ipv6_) {
            sent = send(io, port, [&](proto::byte_span out) noexcept {
                const auto ns = proto::make_neighbor_solicitation(p.local_mac, s.vlan, s.request_source.v6(),
                                                                  p.gateway_ip.v6());
                return proto::write_ndp_frame(out, ns);
            });
        } else {
            sent = send(io, port, [&](proto::byte_span out) noexcept {
                const auto request = proto::make_arp_request(p.local_mac, s.request_source.v4(), p.gateway_ip.v4());
                return proto::write_arp_frame(out, request, s.vlan);
            });
        }
        if (sent) ++counters_[index_of(port)].resolve_sent;
    }

    // One frame written by `write` into a TX buffer of `port`; false (and
    // counted) when there is no buffer or the frame does not fit.
    template <class Io, class Write>
    bool send(Io& io, port_role port, Write&& write) noexcept {
        const proto::byte_span buffer = io.tx_begin(port);
        if (buffer.empty()) {
            ++counters_[index_of(port)].tx_failed;
            return false;
        }
        const std::size_t size = write(buffer);
        if (size == 0 || size > 0xFFFF) {
            io.tx_abort(port);
            ++counters_[index_of(port)].tx_failed;
            return false;
        }
        io.tx_commit(port, static_cast<std::uint16_t>(size));
        return true;
    }

    neighbour_settings settings_;
    std::array<port_state, port_role_count> state_{};
    std::array<neighbour_counters, port_role_count> counters_{};
    bool ipv6_ = false;
    bool started_ = false;
};

}  // namespace qqgen::engine
