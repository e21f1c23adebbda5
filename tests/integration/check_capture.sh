#!/usr/bin/env bash
# check_capture.sh PCAP [EXPECTED_QQ_FLOWS]
# Checks a qqgen capture with tools nobody here wrote:
#  - tshark 4.0 dissects every frame (no malformed packet, no expert warning or
#    error) with IP and UDP checksum verification on, and no checksum is bad;
#  - every UDP frame is QQ (OICQ, to or from port 8000) or DNS (port 53);
#  - ndpiReader (nDPI 4.2) labels every UDP flow to port 8000 QQ, and, when
#    EXPECTED_QQ_FLOWS is given, finds exactly that many such flows.
set -euo pipefail
pcap=$1
expected_flows=${2:-}
fail() { echo "check_capture: $pcap: $*" >&2; exit 1; }

[ -s "$pcap" ] || fail "missing or empty"
tshark_opts=(-n -r "$pcap" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE)

frames=$(tshark "${tshark_opts[@]}" -T fields -e frame.number 2>/dev/null | wc -l)
[ "$frames" -gt 0 ] || fail "tshark reads no frame"

bad=$(tshark "${tshark_opts[@]}" -Y '_ws.malformed || _ws.expert.severity >= warning ||
      ip.checksum.status == "Bad" || udp.checksum.status == "Bad" || tcp.checksum.status == "Bad"' 2>/dev/null || true)
[ -z "$bad" ] || fail "tshark finds malformed frames or bad checksums:
$(head -n 20 <<<"$bad")"

# Every UDP frame is OICQ or DNS (ARP and ICMPv6 neighbour discovery may be there too).
others=$(tshark "${tshark_opts[@]}" -Y 'udp && !oicq && !dns' 2>/dev/null || true)
[ -z "$others" ] || fail "UDP frames that are neither OICQ nor DNS:
$(head -n 20 <<<"$others")"
port8000_not_oicq=$(tshark "${tshark_opts[@]}" -Y '(udp.port == 8000) && !oicq' 2>/dev/null || true)
[ -z "$port8000_not_oicq" ] || fail "frames on UDP port 8000 not dissected as OICQ:
$(head -n 20 <<<"$port8000_not_oicq")"

ndpi=$(ndpiReader -i "$pcap" -v 2 2>&1) || fail "ndpiReader failed: $(tail -n 5 <<<"$ndpi")"
qq_port_flows=$(grep -E '^\s+[0-9]+\s+UDP .*:8000 ' <<<"$ndpi" || true)
not_qq=$(grep -v 'proto: 48/QQ\]' <<<"$qq_port_flows" || true)
[ -z "$not_qq" ] || fail "ndpiReader does not label these port-8000 flows QQ:
$(head -n 10 <<<"$not_qq")"
flows=$(grep -c . <<<"$qq_port_flows" || true)
if [ -n "$expected_flows" ] && [ "$flows" -ne "$expected_flows" ]; then
  fail "ndpiReader sees $flows QQ flows, expected $expected_flows"
fi
echo "check_capture: $pcap: $frames frames dissected cleanly; $flows QQ flows, all labelled QQ by nDPI"
