#include "protocols/ndp.hpp"

#include <cstring>

#include "protocols/checksum.hpp"

namespace qqgen::proto {

namespace {
constexpr std::uint8_t opt_source_ll = 1;  // RFC 4861 4.6.1
constexpr std::uint8_t opt_target_ll = 2;
constexpr std::uint8_t na_router = 0x80, na_solicited = 0x40, na_override = 0x20;  // RFC 4861 4.4

std::uint32_t icmpv6_pseudo_sum(const ipv6_address& src, const ipv6_address& dst, std::size_t len) noexcept {
    return ipv6_pseudo_header_sum(src.bytes, dst.bytes, ip_protocol::icmpv6, static_cast<std::uint32_t>(len));
}
}  // namespace

ndp_frame make_neighbor_solicitation(const mac_address& my_mac, std::optional<vlan_tag> vlan,
                                     const ipv6_address& my_ip, const ipv6_address& target) noexcept {
    const ipv6_address group = solicited_node_multicast(target);
    ndp_frame f{{multicast_mac(group), my_mac, vlan}, my_ip, group, {}};
    f.msg.type = ndp_type::neighbor_solicitation;
    f.msg.target = target;
    if (!my_ip.is_unspecified()) f.msg.link_layer = my_mac;
    return f;
}

ndp_frame make_neighbor_advertisement(const mac_address& my_mac, std::optional<vlan_tag> vlan,
                                      const ipv6_address& my_ip, const ipv6_address& peer_ip,
                                      const mac_address& peer_mac) noexcept {
    const bool to_all = peer_ip.is_unspecified();
    ndp_frame f{{to_all ? multicast_mac(all_nodes_multicast) : peer_mac, my_mac, vlan},
                my_ip,
                to_all ? all_nodes_multicast : peer_ip,
                {}};
    f.msg.type = ndp_type::neighbor_advertisement;
    f.msg.target = my_ip;
    f.msg.flag_solicited = !to_all;
    f.msg.flag_override = true;
    f.msg.link_layer = my_mac;
    return f;
}

ndp_frame make_unsolicited_advertisement(const mac_address& my_mac, std::optional<vlan_tag> vlan,
                                         const ipv6_address& my_ip) noexcept {
    ndp_frame f{{multicast_mac(all_nodes_multicast), my_mac, vlan}, my_ip, all_nodes_multicast, {}};
    f.msg.type = ndp_type::neighbor_advertisement;
    f.msg.target = my_ip;
    f.msg.flag_override = true;
    f.msg.link_layer = my_mac;
    return f;
}

std::size_t encode_ndp(byte_span out, const ndp_message& m, const ipv6_address& src,
                       const ipv6_address& dst) noexcept {
    byte_writer w(out);
    const bool na = m.type == ndp_type::neighbor_advertisement;
    w.u8(static_cast<std::uint8_t>(m.type));
    w.u8(0);   // code
    w.u16(0);  // checksum, below
    std::uint8_t flags = 0;
    if (na) {
        if (m.flag_router) flags |= na_router;
        if (m.flag_solicited) flags |= na_solicited;
        if (m.flag_override) flags |= na_override;
    }
    w.u8(flags);
    w.zeros(3);
    w.bytes(m.target.bytes);
    if (m.link_layer) {
        w.u8(na ? opt_target_ll : opt_source_ll);
        w.u8(1);  // in units of 8 bytes
        w.bytes(m.link_layer->bytes);
    }
    const std::size_t n = w.finish();
    if (n == 0) return 0;
    store_be16(out.data() + 2, internet_checksum(out.first(n), icmpv6_pseudo_sum(src, dst, n)));
    return n;
}

std::size_t write_ndp_frame(byte_span out, const ndp_frame& f) noexcept {
    const std::size_t l2 = write_ethernet_header(out, f.eth, ethertype::ipv6);
    if (l2 == 0 || out.size() < l2 + 40) return 0;
    const std::size_t n = encode_ndp(out.subspan(l2 + 40), f.msg, f.src_ip, f.dst_ip);
    if (n == 0) return 0;
    std::byte* ip = out.data() + l2;  // RFC 8200 3
    store_be32(ip, 6u << 28);
    store_be16(ip + 4, static_cast<std::uint16_t>(n));
    ip[6] = std::byte{ip_protocol::icmpv6};
    ip[7] = std::byte{ndp_hop_limit};
    std::memcpy(ip + 8, f.src_ip.bytes.data(), 16);
    std::memcpy(ip + 24, f.dst_ip.bytes.data(), 16);
    return pad_frame(out, l2 + 40 + n);
}

result<ndp_message> decode_ndp(const_byte_span in, const ipv6_address& src, const ipv6_address& dst,
                               std::uint8_t hop_limit) noexcept {
    using R = result<ndp_message>;
    if (in.empty()) return R::fail(decode_error::truncated, 0);
    const auto type = std::to_integer<std::uint8_t>(in[0]);
    if (type != 135 && type != 136) return R::fail(decode_error::unknown_command, 0);
    if (in.size() < 24) return R::fail(decode_error::truncated, in.size());
    if (in[1] != std::byte{0}) return R::fail(decode_error::bad_value, 1);
    if (hop_limit != ndp_hop_limit) return R::fail(decode_error::bad_value, 0);
    if (checksum_partial(in, icmpv6_pseudo_sum(src, dst, in.size())) != 0xffff)
        return R::fail(bad_checksum_error, 2);

    R r;
    ndp_message& m = r.value;
    const bool na = type == 136;
    m.type = static_cast<ndp_type>(type);
    const auto flags = std::to_integer<std::uint8_t>(in[4]);
    m.flag_router = na && (flags & na_router) != 0;
    m.flag_solicited = na && (flags & na_solicited) != 0;
    m.flag_override = na && (flags & na_override) != 0;
    std::memcpy(m.target.bytes.data(), in.data() + 8, 16);
    if (m.target.is_multicast()) return R::fail(decode_error::bad_value, 8);

    bool has_source_ll = false;
    for (std::size_t pos = 24; pos < in.size();) {
        if (in.size() - pos < 2) return R::fail(decode_error::truncated, pos);
        const auto kind = std::to_integer<std::uint8_t>(in[pos]);
        const std::size_t len = std::to_integer<std::size_t>(in[pos + 1]) * 8;
        if (len == 0) return R::fail(decode_error::bad_length, pos + 1);
        if (len > in.size() - pos) return R::fail(decode_error::truncated, pos);
        if (kind == opt_source_ll || kind == opt_target_ll) {
            // Ethernet addresses make the option exactly 8 bytes (RFC 2464 6).
            if (len != 8) return R::fail(decode_error::bad_value, pos + 1);
            if (kind == opt_source_ll) has_source_ll = true;
            // Each message type reads its own option and ignores the other
            // (RFC 4861 4.3/4.4: "Future versions ... MUST be ignored").
            if (kind == (na ? opt_target_ll : opt_source_ll)) {
                mac_address mac;
                std::memcpy(mac.bytes.data(), in.data() + pos + 2, 6);
                m.link_layer = mac;
            }
        }
        pos += len;
    }
    if (!na && src.is_unspecified() && (!is_solicited_node_multicast(dst) || has_source_ll))
        return R::fail(decode_error::bad_value, has_source_ll ? 24 : 0);
    if (na && dst.is_multicast() && m.flag_solicited) return R::fail(decode_error::bad_value, 4);
    return r;
}

result<ndp_message> decode_ndp(const parsed_frame& f) noexcept {
    if (f.ip_version != 6 || f.protocol != ip_protocol::icmpv6) return result<ndp_message>::fail(decode_error::bad_value, 0);
    return decode_ndp(f.l4, f.src_ip.v6(), f.dst_ip.v6(), f.ttl);
}

}  // namespace qqgen::proto
