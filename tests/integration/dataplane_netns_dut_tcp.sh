#!/usr/bin/env bash
# QQ over TCP through a real stateful firewall (issue 5): a Linux router in its
# own network namespace (tools/netns-dut) with nftables conntrack in strict
# mode (nf_conntrack_tcp_be_liberal=0, ct state invalid drop). Every user is a
# TCP user. Checks, with tools nobody here wrote:
#  1. every session completes; conntrack -S counts 0 invalid; the firewall
#     refused nothing; no connection is left open in conntrack -L afterwards
#     (only TIME_WAIT/CLOSE); tshark finds no TCP analysis flag, and its TCP
#     reassembly of every stream reads as whole QQ frames;
#  2. with the server closing first: the same;
#  3. stopped in the middle (--duration with users that stay logged in): every
#     connection is closed with FIN, none left open in the DUT's table;
#  4. with 3% loss injected on the router (nftables numgen: this kernel has no
#     sch_netem, so reorder and delay cannot be injected here): the run ends
#     with every user accounted for, retransmissions counted, none stuck.
# Usage: dataplane_netns_dut_tcp.sh QQGEN_DATAPLANE NETNS_DUT_TOOL
set -euo pipefail
bin=$1; netns_dut=$2
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)"; exit 77; }
command -v conntrack >/dev/null || { echo "conntrack (package conntrack) not installed"; exit 77; }
name="qt$$"
work=$(mktemp -d)
cleanup() { "$netns_dut" down "$name" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; tail -n 40 "$work/out" >&2 2>/dev/null || true; "$netns_dut" status "$name" >&2 || true; exit 1; }
num() { grep -oE "$2 [0-9]+" "$1" | head -n 1 | grep -oE '[0-9]+$'; }

# run USERS LOSS CLOSER [extra dataplane options...]
run() {
  local users=$1 loss=$2 closer=$3; shift 3
  "$netns_dut" down "$name" >/dev/null 2>&1 || true
  "$netns_dut" up "$name" --loss "$loss" >/dev/null
  local c="${name:0:10}-c" s="${name:0:10}-s" c_mac s_mac
  c_mac=$(ip netns exec "$name-gen" cat "/sys/class/net/$c/address")
  s_mac=$(ip netns exec "$name-gen" cat "/sys/class/net/$s/address")
  timeout 150 ip netns exec "$name-gen" "$bin" -l 0-1 --no-huge -m 512 --no-shconf --no-pci --log-level warning \
    --vdev "net_af_packet0,iface=$c" --vdev "net_af_packet1,iface=$s" -- \
    --topology ports --client-port net_af_packet0 --server-port net_af_packet1 \
    --client-mac "$c_mac" --server-mac "$s_mac" \
    --client-gateway 198.18.255.254 --server-gateway 198.19.255.254 \
    --users "$users" --rate 500 --message-delay 10-50 --resend-timeout 300 --resend-tries 8 \
    --tcp-percent 100 --tcp-port 8000 --tcp-closer "$closer" --stats-interval 0 \
    --capture "$work/dut.pcap" "$@" >"$work/out" 2>&1 || fail "dataplane exit $?"
  grep -q "clean stop: every mbuf back in its pool" "$work/out" || fail "mbufs leaked"
  started=$(num "$work/out" 'users: started')
  completed=$(grep -oE 'users: started [0-9]+, completed [0-9]+' "$work/out" | grep -oE '[0-9]+$')
  failed=$(grep -oE 'users: .*, failed [0-9]+' "$work/out" | grep -oE '[0-9]+$')
  stopped=$(grep -oE 'users: .*, stopped [0-9]+' "$work/out" | grep -oE '[0-9]+$')
  attempted=$(num "$work/out" 'tcp connections: attempted')
  established=$(grep -oE 'attempted [0-9]+, established [0-9]+' "$work/out" | grep -oE '[0-9]+$')
  closed=$(grep -oE ', closed [0-9]+' "$work/out" | grep -oE '[0-9]+$')
  [ "$attempted" -gt 0 ] || fail "no TCP connection attempted"
  invalid=$(ip netns exec "$name-dut" conntrack -S | grep -oE 'invalid=[0-9]+' | cut -d= -f2 | paste -sd+ | bc)
  [ "$invalid" -eq 0 ] || fail "the DUT's conntrack counted $invalid invalid packets"
  refused=$(ip netns exec "$name-dut" nft list ruleset | grep 'comment "refused"' | grep -oE 'packets [0-9]+' | cut -d' ' -f2)
  [ "$refused" -eq 0 ] || fail "the DUT's firewall refused $refused packets"
  # What the DUT still tracks: a connection not closed with FIN (or RST) is
  # ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT, CLOSE_WAIT or LAST_ACK.
  ip netns exec "$name-dut" conntrack -L -p tcp 2>/dev/null >"$work/ct" || true
  open=$(grep -vcE ' (TIME_WAIT|CLOSE) ' "$work/ct" || true)
  [ "$open" -eq 0 ] || fail "$open TCP connections left open in the DUT's conntrack table:
$(grep -vE ' (TIME_WAIT|CLOSE) ' "$work/ct" | head -n 5)"
}

tcp_flags_in_capture() {
  tshark -n -r "$work/dut.pcap" -Y 'tcp.analysis.flags' 2>/dev/null | head -n 5 || true
}

run 200 0 client --sessions 200 --keepalive-interval 300
[ "$completed" -eq 200 ] || fail "client closes: $completed of 200 users completed"
[ "$established" -eq "$attempted" ] && [ "$closed" -eq "$attempted" ] || fail "connections: $attempted attempted, $established established, $closed closed"
flags=$(tcp_flags_in_capture); [ -z "$flags" ] || fail "tshark finds TCP analysis flags: $flags"
"$(dirname "$0")/check_capture.sh" "$work/dut.pcap" >/dev/null || fail "capture through the DUT"
python3 "$(dirname "$0")/check_qq_tcp_streams.py" "$work/dut.pcap" >"$work/streams" 2>&1 || fail "$(cat "$work/streams")"
echo "client closes: 200 of 200 completed, $attempted connections through strict conntrack, 0 invalid, 0 left open"

run 200 0 server --sessions 200 --keepalive-interval 300
[ "$completed" -eq 200 ] || fail "server closes: $completed of 200 users completed"
flags=$(tcp_flags_in_capture); [ -z "$flags" ] || fail "tshark finds TCP analysis flags: $flags"
echo "server closes: 200 of 200 completed, 0 invalid, 0 left open"

# Users that stay logged in (keep-alives every second, for minutes), stopped at 4 s.
run 300 0 client --sessions 0 --keepalive-interval 1000 --keepalives 1000 --duration 4 --stop-grace 5
[ "$stopped" -gt 0 ] || fail "the stop found no logged-in user"
echo "stopped mid-run: $stopped users logged out, every connection closed (0 left open)"

run 200 3 client --sessions 200 --keepalive-interval 300
retransmits=$(grep -oE 'tcp client port: segments [0-9]+, retransmits [0-9]+' "$work/out" | grep -oE '[0-9]+$')
[ $((completed + failed)) -eq 200 ] || fail "3% loss: users not accounted for: $completed + $failed != 200"
[ "$retransmits" -gt 0 ] || fail "3% loss but no client retransmission counted"
[ "$completed" -ge 180 ] || fail "3% loss: only $completed of 200 completed"
python3 "$(dirname "$0")/check_qq_tcp_streams.py" "$work/dut.pcap" >"$work/streams" 2>&1 || fail "3% loss: $(cat "$work/streams")"
echo "3% loss: $completed of 200 completed, $failed gave up, $retransmits client retransmissions; reorder and delay: not injected (no sch_netem)"
