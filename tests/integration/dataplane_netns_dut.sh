#!/usr/bin/env bash
# qqgen-dataplane through a real stateful device: a Linux router with nftables
# conntrack in strict mode, in its own network namespace (tools/netns-dut).
# The dataplane's client and server ports are net_af_packet on veths; it
# answers the router's ARP for every emulated address and sends to the
# router's MACs. Checks: every user completes, the router's conntrack counts no
# invalid packet, nothing was refused by the firewall; then again with 3%
# loss injected on the router (nftables numgen, since this kernel has no
# sch_netem): the run still ends with every user accounted for, and resends
# are counted.
# Usage: dataplane_netns_dut.sh QQGEN_DATAPLANE NETNS_DUT_TOOL
set -euo pipefail
bin=$1; netns_dut=$2
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)"; exit 77; }
name="qq$$"
work=$(mktemp -d)
cleanup() { "$netns_dut" down "$name" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; cat "$work/out" >&2 2>/dev/null || true; "$netns_dut" status "$name" >&2 || true; exit 1; }
field() { grep -oE "$2 *[0-9]+" "$1" | head -n 1 | grep -oE '[0-9]+$'; }

run_through_dut() {  # run_through_dut USERS LOSS resolve|configured
  local users=$1 loss=$2 how=$3
  "$netns_dut" down "$name" >/dev/null 2>&1 || true
  "$netns_dut" up "$name" --loss "$loss" >/dev/null
  local c="${name:0:10}-c" s="${name:0:10}-s" dc="${name:0:9}-dc" ds="${name:0:9}-ds"
  local dc_mac ds_mac c_mac s_mac
  dc_mac=$(ip netns exec "$name-dut" cat "/sys/class/net/$dc/address")
  ds_mac=$(ip netns exec "$name-dut" cat "/sys/class/net/$ds/address")
  c_mac=$(ip netns exec "$name-gen" cat "/sys/class/net/$c/address")
  s_mac=$(ip netns exec "$name-gen" cat "/sys/class/net/$s/address")
  # The router's MACs: resolved with ARP through its interface addresses, or given.
  local next_hop=(--client-gateway 198.18.255.254 --server-gateway 198.19.255.254)
  [ "$how" = configured ] && next_hop=(--client-next-hop "$dc_mac" --server-next-hop "$ds_mac")
  # Resends after 300 ms so that losses are recovered within the test's time.
  timeout 120 ip netns exec "$name-gen" "$bin" -l 0-1 --no-huge -m 512 --no-shconf --no-pci --log-level warning \
    --vdev "net_af_packet0,iface=$c" --vdev "net_af_packet1,iface=$s" -- \
    --topology ports --client-port net_af_packet0 --server-port net_af_packet1 \
    --client-mac "$c_mac" --server-mac "$s_mac" "${next_hop[@]}" \
    --users "$users" --sessions "$users" --rate 500 --keepalive-interval 300 --message-delay 10-50 \
    --resend-timeout 300 --resend-tries 8 --stats-interval 0 --capture "$work/dut.pcap" >"$work/out" 2>&1 ||
    fail "dataplane exit $?"
  grep -q "stopped: stop condition met" "$work/out" || fail "run did not end by itself"
  grep -q "clean stop: every mbuf back in its pool" "$work/out" || fail "mbufs leaked"
  started=$(field "$work/out" 'users: started')
  completed=$(grep -oE 'users: started [0-9]+, completed [0-9]+' "$work/out" | grep -oE '[0-9]+$')
  failed=$(grep -oE 'users: .*, failed [0-9]+' "$work/out" | grep -oE '[0-9]+$')
  [ "$started" -eq "$users" ] || fail "started $started of $users"
  [ $((completed + failed)) -eq "$users" ] || fail "users not accounted for: $completed + $failed != $users"
  invalid=$(ip netns exec "$name-dut" conntrack -S | grep -oE 'invalid=[0-9]+' | cut -d= -f2 | paste -sd+ | bc)
  [ "$invalid" -eq 0 ] || fail "the DUT's conntrack counted $invalid invalid packets"
  refused=$(ip netns exec "$name-dut" nft list ruleset | grep 'comment "refused"' | grep -oE 'packets [0-9]+' | cut -d' ' -f2)
  [ "$refused" -eq 0 ] || fail "the DUT's firewall refused $refused packets"
  echo "through the DUT (loss $loss%, next hop $how): $completed of $users users completed, $failed gave up, conntrack invalid 0"
}

run_through_dut 200 0 resolve
# The router resolved by ARP: it asked us and we asked it.
grep -qE "client port: .*neighbour [1-9]" "$work/out" || fail "no ARP handled on the client port"
[ "$completed" -eq 200 ] || fail "without loss every user must complete"
grep -q "corrupt 0, duplicate 0, out of order 0, missing 0" "$work/out" || fail "server checks without loss"
"$(dirname "$0")/check_capture.sh" "$work/dut.pcap" >/dev/null || fail "capture through the DUT"

run_through_dut 200 3 configured
resends=$(awk '/^stage/{on=1; next} on && NF==8 {s+=$4} /^users:/{on=0} END{print s+0}' "$work/out")
[ "$resends" -gt 0 ] || fail "3% loss but no resend counted"
[ "$completed" -ge 190 ] || fail "with 3% loss and 8 tries only $completed of 200 completed"
echo "dataplane_netns_dut: ok ($resends resends under 3% loss)"
