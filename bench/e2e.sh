#!/usr/bin/env bash
# bench/e2e.sh [--runs N] [--seconds S] [--users N] [--fill N] [--fill-rate N]
#
# End-to-end benchmark (issue 6), in one run, on the same lcores (-l 0-1: main
# lcore 0, one worker on lcore 1), each measurement repeated --runs times and
# reported as the median:
#   baseline  dpdk-testpmd --forward-mode=txonly on one net_null port, 200-byte
#             frames: the floor cost of building a frame here (no state, no crypto);
#   chat      qqgen's chat phase on the wire topology: --users logged-in users
#             chatting without pause (every 0x0016 QQ-TEA encrypted, every
#             received body decrypted and checked); QQ frames per second sent
#             by both halves (client port tx + server port tx), and the frames
#             qqgen itself refused (TX queue full, no mbuf: "io drops");
#   scaling   the same chat with 2 workers (--users each, one ring pair
#             each): worker lcores 1 and 2, lcore 2 sharing CPU 0 with the
#             main lcore (--lcores '(0,2)@0,1@1': this machine has 2 CPUs);
#             the ratio 2-worker rate / 1-worker rate;
#   sessions  full sessions per second: DNS, token, login (20 % redirected),
#             status, friends, online, logout, no chat, no keep-alive wait;
#   fill      concurrency: --fill users logged in with keep-alives (started at
#             --fill-rate per second, below the full-session rate so that every
#             login completes first time); resident memory and hugepages of the
#             dataplane divided by the users logged in.
# Prints each run, the medians, the ratio chat / baseline, and a one-line
# summary a report can quote. Needs root for hugepages (tools/setup).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3; seconds=6; users=20000; fill=1000000; fill_rate=25000
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --users) users=$2; shift 2 ;;
    --fill) fill=$2; shift 2 ;;
    --fill-rate) fill_rate=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--seconds S] [--users N] [--fill N] [--fill-rate N]" >&2; exit 2 ;;
  esac
done
dp=build/qqgen-dataplane
[ -x "$dp" ] || { echo "build first (tools/setup)" >&2; exit 1; }
command -v dpdk-testpmd >/dev/null || { echo "dpdk-testpmd not found (package dpdk)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
eal=(-l 0-1 --in-memory --no-pci --log-level warning)

median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print 0; else if (NR % 2) print a[(NR+1)/2]; else printf "%.4f\n", (a[NR/2]+a[NR/2+1])/2}'; }
# The median of a run's per-second samples, the first (ramp, warm-up) left out.
steady() { tail -n +2 | median; }

baseline() {  # Mpps
  timeout -s INT $((seconds + 1)) dpdk-testpmd "${eal[@]}" --vdev net_null0 -- --forward-mode=txonly \
    --auto-start --nb-cores=1 --txpkts=200 --stats-period 1 >"$work/testpmd" 2>&1 || true
  grep -oE 'Tx-pps: +[0-9]+' "$work/testpmd" | grep -oE '[0-9]+$' | awk '$1 > 0 {print $1 / 1e6}' | steady
}

chat() {  # $1: EAL lcore options; prints "Mpps of QQ frames (both halves' tx) frames-refused-by-qqgen"
  # The per-second samples of the run (not of the 2-s graceful stop after it).
  "$dp" $1 --in-memory --no-pci --log-level warning -- --topology wire --users "$users" --sessions 0 \
    --rate 1000000 --ramp-ms 0 --chats 100 --messages 100 --message-delay 0-0 --keepalive-interval 600000 \
    --buddies 7 --duration "$seconds" --stats-interval 1 >"$work/chat" 2>&1
  local rate drops
  rate=$(grep -E '^\[' "$work/chat" | head -n "$seconds" |
    sed -E 's/.*client tx ([0-9.]+) Mpps.*server tx ([0-9.]+) Mpps.*/\1 \2/' | awk '{print $1 + $2}' | steady)
  drops=$(grep -E '^\[' "$work/chat" | head -n "$seconds" | grep -oE 'io drops [0-9]+' |
    awk '{n += $3} END {print n + 0}')
  echo "$rate $drops"
}

sessions() {  # complete sessions per second
  "$dp" "${eal[@]}" -- --topology wire --users 200000 --sessions 0 --rate 1000000 --ramp-ms 0 \
    --chats 0 --keepalives 0 --duration "$seconds" --stats-interval 0 >"$work/sessions" 2>&1
  local done refused
  done=$(grep -oE 'users: started [0-9]+, completed [0-9]+' "$work/sessions" | grep -oE '[0-9]+$')
  refused=$(grep -E '^  total ' "$work/sessions" | grep -oE 'tx_(refused|alloc_failed)=[0-9]+' |
    awk -F= '{n += $2} END {print n + 0}')
  echo "$done $seconds $refused" | awk '{print $1 / $2, $3}'
}

fill_memory() {  # bytes per logged-in user: RSS + hugepages of the dataplane at full concurrency
  local rate=$fill_rate wait_s
  wait_s=$(( fill / rate + 5 ))
  "$dp" "${eal[@]}" -- --topology wire --users "$fill" --sessions 0 --rate "$rate" --ramp-ms 0 --chats 0 \
    --client-addresses 64 --keepalive-interval 30000 --keepalives 1000 --duration $((wait_s + 2)) \
    --stats-interval 0 >"$work/fill" 2>&1 &
  local pid=$!
  sleep "$wait_s"
  local rss huge
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
  huge=$(awk '/^HugetlbPages:/ {print $2}' "/proc/$pid/status")
  wait "$pid" || true
  local logged
  logged=$(grep -oE 'logged in [0-9]+' "$work/fill" | head -n 1 | grep -oE '[0-9]+$')
  echo "$rss ${huge:-0} $logged" | awk '{printf "%.1f %d\n", ($1 + $2) * 1024 / $3, $3}'
}

declare -a b c c2 s
drops=0
for i in $(seq 1 "$runs"); do
  b[i]=$(baseline)
  read -r c[i] d1 <<<"$(chat "-l 0-1")"
  read -r c2[i] d2 <<<"$(chat "--lcores=(0,2)@0,1@1")"
  read -r s[i] d3 <<<"$(sessions)"
  drops=$((drops + d1 + d2 + d3))
  echo "run $i: testpmd txonly net_null ${b[i]} Mpps | qqgen chat ${c[i]} Mpps (refused $d1) |" \
       "2 workers ${c2[i]} Mpps (refused $d2) | full sessions ${s[i]}/s (refused $d3)"
done
mb=$(printf '%s\n' "${b[@]}" | median); mc=$(printf '%s\n' "${c[@]}" | median)
mc2=$(printf '%s\n' "${c2[@]}" | median); ms=$(printf '%s\n' "${s[@]}" | median)
ratio=$(echo "$mc $mb" | awk '{printf "%.4f", $1 / $2}')
scaling=$(echo "$mc2 $mc" | awk '{printf "%.2f", $1 / $2}')
read -r per_user filled <<<"$(fill_memory)"
echo "medians of $runs: testpmd $mb Mpps, qqgen chat $mc Mpps (ratio $ratio), 2 workers $mc2 Mpps" \
     "(scaling $scaling), full sessions $ms/s; frames refused by qqgen in all runs: $drops"
echo "fill: $filled users logged in, $per_user bytes per user (RSS + hugepages / users)"
echo "summary: qqgen chat phase $mc Mpps = $(echo "$ratio" | awk '{printf "%.1f", $1 * 100}')% of testpmd txonly ($mb Mpps, net_null, same lcores), ${scaling}x with 2 workers; $ms full sessions/s; $per_user B/user at $filled users (one worker, $(nproc) cores, $(date -u +%F))"
