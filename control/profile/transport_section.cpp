// transport: how users reach the login servers — the share over TCP, the
// servers' TCP port, the MSS and who closes (docs/tcp.md). The DNS look-up
// stays UDP whatever the transport.
#include <cmath>
#include <string>

#include "control/profile/profile_sections.hpp"

namespace qqgen::control {

void read_transport(yaml_section& root, engine::load_settings& s) {
    yaml_section t = root.section("transport");
    double percent = s.tcp_share_ppm / 10000.0;
    if (t.number("tcp_percent", percent, 0, 100))
        s.tcp_share_ppm = static_cast<std::uint32_t>(std::lround(percent * 10000.0));
    // QQ over TCP used 8000, 80 and 443 (qq-protocol.md "Framing"); any port
    // outside the client range is allowed (the engine checks the range).
    t.integer("tcp_port", s.tcp_server_port, 1);
    // 536: RFC 9293 3.7.1's default MSS; 1460: a 1500-byte IPv4 packet.
    t.integer("tcp_mss", s.tcp_mss, 536, 1460);
    std::string closer = s.tcp_closer == engine::tcp_closer_server ? "server" : "client";
    if (t.choice("tcp_closer", closer, {"client", "server"}))
        s.tcp_closer = closer == "server" ? engine::tcp_closer_server : engine::tcp_closer_client;
}

}  // namespace qqgen::control
