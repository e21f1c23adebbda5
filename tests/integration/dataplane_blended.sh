#!/usr/bin/env bash
# QQ blended with the companion applications (issue 8), qqgen-dataplane alone
# (--apps), checked by tools nobody here wrote:
#   wire   on the embedded wire topology: every QQ user and every companion
#          session completes with nothing corrupt, lost or failed; the ports
#          reconcile; tshark dissects the capture without a malformed frame,
#          a bad checksum or a TCP analysis flag; ndpiReader's flows by master
#          protocol are what the sessions predict (QQ, DNS, HTTP, TLS);
#   netns  the same load through a Linux router with strict nftables conntrack
#          (tools/netns-dut): no invalid packet, nothing refused, no TCP
#          connection left open in the DUT's table, the same ndpiReader flows;
#   stop   stopped in the middle of endless sessions: every companion
#          session accounted for (stopped), the connections reset, no mbuf lost.
# Usage: dataplane_blended.sh QQGEN_DATAPLANE NETNS_DUT_TOOL wire|netns|stop
set -euo pipefail
bin=$1; netns_dut=$2; scenario=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
name="bl$$"
cleanup() { "$netns_dut" down "$name" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; tail -n 40 "$work/out" >&2 2>/dev/null || true; exit 1; }
eal="-l 0-1 --no-huge -m 512 --no-shconf --no-pci --log-level warning"

users=200
# Sessions per worker of each companion (the dataplane runs one worker here).
declare -A total=([dns]=120 [http]=60 [tls]=60 [udp_stream]=10 [tcp_stream]=10)
apps="dns=120/${total[dns]},http=60/${total[http]},tls=60/${total[tls]},udp_stream=10/${total[udp_stream]},tcp_stream=10/${total[tcp_stream]}"
load=(--users "$users" --rate 400 --message-delay 10-50 --keepalive-interval 300 --stats-interval 0 --app-slots 128)

# app_field KIND FIELD: the number after FIELD on the dataplane's "app KIND:" line.
app_field() { grep -E "^app $1:" "$work/out" | grep -oE "$2 [0-9]+" | head -n 1 | grep -oE '[0-9]+$'; }
num() { grep -oE "$1 *[0-9]+" "$work/out" | head -n 1 | grep -oE '[0-9]+$'; }

check_apps_complete() {  # every companion session completed, nothing corrupt or lost
  for k in "${!total[@]}"; do
    local started completed failed corrupt
    started=$(app_field "$k" 'sessions started') || fail "no 'app $k:' line"
    completed=$(app_field "$k" 'completed'); failed=$(app_field "$k" 'failed'); corrupt=$(app_field "$k" 'corrupt')
    [ "$started" -eq "${total[$k]}" ] && [ "$completed" -eq "${total[$k]}" ] ||
      fail "$k: $completed of $started sessions completed, expected ${total[$k]}"
    [ "$failed" -eq 0 ] && [ "$corrupt" -eq 0 ] || fail "$k: $failed failed, $corrupt corrupt"
  done
  [ "$(app_field udp_stream 'lost')" -eq 0 ] || fail "udp_stream datagrams lost"
  [ "$(num 'users: started')" -eq "$users" ] || fail "QQ users started"
  [ "$(grep -oE 'users: started [0-9]+, completed [0-9]+' "$work/out" | grep -oE '[0-9]+$')" -eq "$users" ] ||
    fail "not every QQ user completed"
}

check_flows() {  # ndpiReader's flows by master protocol against the sessions
  local redirected qq dns
  redirected=$(grep -oE 'redirected [0-9]+' "$work/out" | head -n 1 | grep -oE '[0-9]+$')
  qq=$((users + redirected))       # one QQ flow per login server a user logged in to
  dns=$((users + total[dns]))      # one DNS flow per QQ user and per dns session
  python3 "$here/check_blended_capture.py" "$1" --tolerance 0 \
    --expect QQ=$qq --expect DNS=$dns --expect HTTP=${total[http]} --expect TLS=${total[tls]} >"$work/capture" 2>&1 ||
    fail "$(cat "$work/capture")"
  echo "$scenario: $(tail -n 1 "$work/capture")"
}

case "$scenario" in
wire)
  "$bin" $eal -- --topology wire "${load[@]}" --sessions "$users" --apps "$apps" \
    --capture "$work/wire.pcap" >"$work/out" 2>&1 || fail "dataplane exit $?"
  grep -q "stopped: stop condition met" "$work/out" || fail "did not end by itself"
  grep -q "clean stop: every mbuf back in its pool" "$work/out" || fail "mbufs leaked"
  check_apps_complete
  c_tx=$(grep -E '^  total +client' "$work/out" | grep -oE 'tx_frames=[0-9]+' | cut -d= -f2)
  s_rx=$(grep -E '^  total +server' "$work/out" | grep -oE 'rx_frames=[0-9]+' | cut -d= -f2)
  [ "$c_tx" -eq "$s_rx" ] || fail "ports do not reconcile ($c_tx sent, $s_rx received)"
  check_flows "$work/wire.pcap"
  ;;
netns)
  [ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)"; exit 77; }
  command -v conntrack >/dev/null || { echo "conntrack not installed"; exit 77; }
  "$netns_dut" up "$name" >/dev/null
  c="${name:0:10}-c"; s="${name:0:10}-s"
  c_mac=$(ip netns exec "$name-gen" cat "/sys/class/net/$c/address")
  s_mac=$(ip netns exec "$name-gen" cat "/sys/class/net/$s/address")
  timeout 150 ip netns exec "$name-gen" "$bin" $eal --vdev "net_af_packet0,iface=$c" --vdev "net_af_packet1,iface=$s" -- \
    --topology ports --client-port net_af_packet0 --server-port net_af_packet1 \
    --client-mac "$c_mac" --server-mac "$s_mac" --client-gateway 198.18.255.254 --server-gateway 198.19.255.254 \
    "${load[@]}" --sessions "$users" --apps "$apps" \
    --capture "$work/dut.pcap" --capture-direction tx >"$work/out" 2>&1 || fail "dataplane exit $?"
  grep -q "clean stop: every mbuf back in its pool" "$work/out" || fail "mbufs leaked"
  check_apps_complete
  invalid=$(ip netns exec "$name-dut" conntrack -S | grep -oE 'invalid=[0-9]+' | cut -d= -f2 | paste -sd+ | bc)
  [ "$invalid" -eq 0 ] || fail "the DUT's conntrack counted $invalid invalid packets"
  refused=$(ip netns exec "$name-dut" nft list ruleset | grep 'comment "refused"' | grep -oE 'packets [0-9]+' | cut -d' ' -f2)
  [ "$refused" -eq 0 ] || fail "the DUT's firewall refused $refused packets"
  ip netns exec "$name-dut" conntrack -L -p tcp 2>/dev/null >"$work/ct" || true
  open=$(grep -vcE ' (TIME_WAIT|CLOSE) ' "$work/ct" || true)
  [ "$open" -eq 0 ] || fail "$open TCP connections left open in the DUT: $(grep -vE ' (TIME_WAIT|CLOSE) ' "$work/ct" | head -n 3)"
  tcp_conns=$(grep -c . "$work/ct" || true)
  expected_tcp=$((total[http] + total[tls] + total[tcp_stream]))
  [ "$tcp_conns" -eq "$expected_tcp" ] || fail "the DUT tracked $tcp_conns TCP connections, expected $expected_tcp"
  check_flows "$work/dut.pcap"
  echo "netns: $tcp_conns TCP connections through strict conntrack, 0 invalid, 0 refused, 0 left open"
  ;;
stop)
  # Endless companion sessions (no totals, long think times), stopped at 2 s.
  "$bin" $eal -- --topology wire --users 50 --sessions 0 --rate 100 --keepalive-interval 1000 --keepalives 100 \
    --stats-interval 0 --app-slots 256 --apps dns=50,http=50,tls=50,udp_stream=20,tcp_stream=20 \
    --duration 2 --stop-grace 3 --capture "$work/stop.pcap" >"$work/out" 2>&1 || fail "dataplane exit $?"
  grep -q "clean stop: every mbuf back in its pool" "$work/out" || fail "mbufs leaked"
  stopped_total=0
  for k in dns http tls udp_stream tcp_stream; do
    started=$(app_field "$k" 'sessions started'); completed=$(app_field "$k" 'completed')
    failed=$(app_field "$k" 'failed'); stopped=$(app_field "$k" 'stopped')
    [ "$started" -gt 0 ] || fail "$k: no session started"
    [ $((completed + failed + stopped)) -eq "$started" ] || fail "$k: $started started != $completed + $failed + $stopped"
    [ "$failed" -eq 0 ] || fail "$k: $failed failed"
    stopped_total=$((stopped_total + stopped))
  done
  [ "$stopped_total" -gt 0 ] || fail "the stop found no companion session running"
  resets=$(tshark -n -r "$work/stop.pcap" -Y 'tcp.flags.reset == 1 && tcp.srcport >= 60000' 2>/dev/null | wc -l)
  [ "$resets" -gt 0 ] || fail "no connection reset by the stop"
  echo "stop: $stopped_total companion sessions stopped, $resets connections reset, nothing lost"
  ;;
*) echo "usage: $0 QQGEN_DATAPLANE NETNS_DUT_TOOL wire|netns|stop" >&2; exit 2 ;;
esac
