#!/bin/sh
# qqgen-dataplane as a user runs it. Usage: dataplane_cli.sh BINARY SCENARIO
# Every scenario runs DPDK with --no-huge --no-shconf --no-pci (no hugepages,
# no runtime files, no NIC needed; 22.11 refuses --in-memory with --no-huge).
set -eu
bin=$1
scenario=$2
eal="-l 0-1 --no-huge -m 512 --no-shconf --no-pci --log-level warning"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; echo "--- output:" >&2; cat "$tmp/out" >&2 2>/dev/null || true; exit 1; }

case $scenario in
help)
    "$bin" --help >"$tmp/out" 2>&1 || fail "--help exited $?"
    for opt in --topology --client-port --server-port --workers --capture --capture-sample \
               --capture-direction --duration --stats-interval --mbufs-per-worker --rx-desc \
               --tx-desc --wire-ring-size --link-timeout --stop-grace --dry-run --help; do
        grep -q -- "$opt" "$tmp/out" || fail "--help does not list $opt"
    done
    grep -q "usage: qqgen-dataplane \[EAL options\] -- \[qqgen options\]" "$tmp/out" || fail "no usage line"
    ;;
usage_errors)
    # Bad command lines are refused before EAL starts, with exit status 2.
    for args in "--topology mesh" "--topology ports --client-port a" "--no-such-option" \
                "--capture-direction up" "--capture-sample 0"; do
        set +e; "$bin" $args >"$tmp/out" 2>&1; rc=$?; set -e
        [ "$rc" -eq 2 ] || fail "'$args' exited $rc, not 2"
        grep -q "qqgen-dataplane:" "$tmp/out" || fail "'$args' gave no message"
    done
    # Bad load options are refused before EAL starts, naming the option (exit 2).
    for args in "--redirect-percent 150:redirect-percent" "--charset-weights 1,2:charset-weights" \
                "--dialect new:dialect" "--client-net 1.2.3:client-net" "--message-delay 9-3:message-delay" \
                "--ipv6 --dns-server 198.19.0.53:dns-server" "--client-mac zz:client-mac" \
                "--users 0:users"; do
        opts=${args%%:*}; name=${args##*:}
        set +e; "$bin" $eal -- --topology wire $opts >"$tmp/out" 2>&1; rc=$?; set -e
        [ "$rc" -eq 2 ] || fail "'$opts' exited $rc, not 2"
        grep -q -- "$name" "$tmp/out" || fail "'$opts': the message does not name $name"
    done
    # A port that does not exist is a set-up failure naming the ports there are.
    set +e
    "$bin" $eal -- --topology ports --client-port nope0 --server-port nope1 --dry-run >"$tmp/out" 2>&1
    rc=$?; set -e
    [ "$rc" -eq 1 ] || fail "missing port exited $rc, not 1"
    grep -q "no DPDK port named 'nope0'" "$tmp/out" || fail "missing port not named"
    ;;
dry_run_wire)
    "$bin" $eal -- --topology wire --dry-run --duration 1 --stats-interval 0.25 \
        --capture "$tmp/none.pcap" >"$tmp/out" 2>&1 || fail "dry run exited $?"
    grep -q "stopped: duration reached" "$tmp/out" || fail "did not stop on duration"
    grep -q "clean stop: every mbuf back in its pool" "$tmp/out" || fail "no clean stop"
    [ "$(grep -c '^\[' "$tmp/out")" -ge 3 ] || fail "fewer than 3 stats lines in 1 s at 0.25 s"
    [ -s "$tmp/none.pcap" ] || fail "capture file not written"
    ;;
sigint)
    "$bin" $eal -- --topology wire --dry-run --stats-interval 0 >"$tmp/out" 2>&1 &
    pid=$!
    # Wait (polling, bounded) until the workers run, then interrupt.
    i=0
    until grep -q "does housekeeping" "$tmp/out" 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 300 ] || { kill -KILL $pid; fail "never started"; }
        sleep 0.1
    done
    kill -INT $pid
    set +e; wait $pid; rc=$?; set -e
    [ "$rc" -eq 0 ] || fail "exited $rc after SIGINT"
    grep -q "stopped: signal INT" "$tmp/out" || fail "stop reason is not the signal"
    grep -q "clean stop" "$tmp/out" || fail "no clean stop"
    ;;
pcap_ports)
    # The ports topology on net_pcap vdevs: 100 frames read from a pcap on
    # each port are received, counted and captured (rx) by the dry run.
    python3 - "$tmp/in.pcap" <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(100):
        frame = bytes.fromhex("020000000002020000000001 88b5") + struct.pack(">I", i) + bytes(46)
        f.write(struct.pack("<IIII", 1700000000, i, len(frame), len(frame)) + frame)
PY
    "$bin" $eal --vdev "net_pcap0,rx_pcap=$tmp/in.pcap,tx_pcap=$tmp/c.pcap" \
        --vdev "net_pcap1,rx_pcap=$tmp/in.pcap,tx_pcap=$tmp/s.pcap" -- \
        --topology ports --client-port net_pcap0 --server-port net_pcap1 --workers 1 \
        --dry-run --duration 1 --stats-interval 0 --link-timeout 0.5 \
        --capture "$tmp/rx.pcap" --capture-direction rx >"$tmp/out" 2>&1 || fail "exited $?"
    grep -Eq "total +client rx_frames=100 " "$tmp/out" || fail "client port did not receive 100"
    grep -Eq "total +server rx_frames=100 " "$tmp/out" || fail "server port did not receive 100"
    grep -q "clean stop" "$tmp/out" || fail "no clean stop"
    if [ -n "${TSHARK:-}" ]; then
        n=$("$TSHARK" -r "$tmp/rx.pcap" 2>/dev/null | wc -l)
        [ "$n" -eq 200 ] || fail "capture holds $n frames, not 200"
    fi
    ;;
rss_null_ports)
    # net_null ports offer RSS: with 2 workers the engines steer by client
    # port (the ports take the symmetric key, read back); 3 workers cannot be
    # reached through the hash's low bits, and the run says so (exit 2).
    # net_null sends nothing back, so no session completes: only the set-up
    # is checked here (the steering itself: tests/unit/test_queue_steering).
    null="--no-huge -m 512 --no-shconf --no-pci --log-level warning --vdev net_null0 --vdev net_null1"
    ports="--topology ports --client-port net_null0 --server-port net_null1 --users 100 --stats-interval 0"
    "$bin" --lcores='(0,2)@0,1@1' $null -- $ports --duration 0.5 >"$tmp/out" 2>&1 || fail "2 workers exited $?"
    grep -q "RSS steering: each worker picks client ports whose flows hash to its own queue (2 queues)" "$tmp/out" ||
        fail "no RSS steering with 2 workers on RSS ports"
    grep -q "clean stop" "$tmp/out" || fail "no clean stop"
    set +e
    "$bin" --lcores='(0,2,3)@0,1@1' $null -- $ports --duration 0.5 >"$tmp/out" 2>&1
    rc=$?; set -e
    [ "$rc" -eq 2 ] || fail "3 workers on RSS ports exited $rc, not 2"
    grep -q "use a power-of-two worker count" "$tmp/out" || fail "3 workers: the message does not say what to change"
    ! grep -q "RSS steering:" "$tmp/out" || fail "3 workers: steering announced for a run it refuses"
    grep -q "clean stop" "$tmp/out" || fail "no clean stop after the refusal"
    ;;
*)
    echo "unknown scenario $scenario" >&2; exit 2 ;;
esac
echo "ok: $scenario"
