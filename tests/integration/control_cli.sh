#!/bin/sh
# The control process as a user drives it (issue 4): qqgen run / validate /
# apply / stats / stop against a real qqgen-dataplane on the wire topology.
# Usage: control_cli.sh QQGEN QQGEN_DATAPLANE SOURCE_ROOT SCENARIO
# DPDK runs with --no-huge --no-shconf --no-pci (no hugepages, no runtime files).
set -eu
qqgen=$1
export QQGEN_DATAPLANE=$2
root=$3
scenario=$4
poke="python3 $root/tests/integration/shm_poke.py"
inst="t$$"
tmp=$(mktemp -d)
run_pid=""
cleanup() {
    [ -n "$run_pid" ] && kill -9 "$run_pid" 2>/dev/null || true
    # A dataplane left behind by a failed scenario: stop it, then drop its segment.
    "$qqgen" stop --instance "$inst" --now --timeout 5 >/dev/null 2>&1 || true
    "$qqgen" stop --instance "$inst" --clean >/dev/null 2>&1 || true
    pkill -9 -f -- "--shm $inst" 2>/dev/null || true
    rm -f "/dev/shm/qqgen.$inst" "/dev/shm/qqgen.abi$$"
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    for f in "$tmp"/*.out "$tmp"/run/dataplane.log; do
        [ -f "$f" ] && { echo "--- $f:" >&2; tail -n 30 "$f" >&2; }
    done
    exit 1
}
eal='dataplane.eal=[--no-huge, -m, "512", --no-shconf, --no-pci, --log-level, warning]'
small="--set users.concurrent=3000 --set users.qq_numbers.count=3000"
# Room for every user a run at a few hundred new users/s starts in half a minute.
roomy="--set users.concurrent=30000 --set users.qq_numbers.count=30000"
# Users that stay logged in (keep-alives) until the run stops.
staying="--set users.total=0 --set phases.steady.duration=0s --set keepalive.count=1000 --set keepalive.interval=1s"
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# Polls `qqgen stats --json` until the dataplane has users (bounded).
wait_running() {
    i=0
    while [ $i -lt 300 ]; do
        if "$qqgen" stats --instance "$inst" --json >"$tmp/stats.json" 2>/dev/null &&
           [ "$(json "$tmp/stats.json" "d['counters']['users']['started'] > 0")" = True ]; then
            return 0
        fi
        sleep 0.1; i=$((i + 1))
    done
    fail "the dataplane did not start users within 30 s"
}
started() { "$qqgen" stats --instance "$inst" --json >"$tmp/s.json" && json "$tmp/s.json" "d['counters']['users']['started']"; }

case $scenario in
validate_configs)
    for f in "$root"/configs/*.yaml; do
        "$qqgen" validate "$f" >"$tmp/v.out" 2>&1 || fail "$f does not validate"
    done
    ;;
bad_profiles)
    # Every broken profile is refused with file:line:col or the field named, exit non-zero.
    n=0
    for f in "$root"/tests/data/profiles/bad/*.yaml; do
        # A corpus file may carry overrides as "# set: FIELD=VALUE" lines.
        set -- validate "$f"
        while IFS= read -r o; do [ -z "$o" ] || set -- "$@" --set "$o"; done <<SETS
$(sed -n 's/^# set: //p' "$f")
SETS
        set +e; "$qqgen" "$@" >"$tmp/v.out" 2>&1; rc=$?; set -e
        [ "$rc" -ne 0 ] || fail "$f was accepted"
        grep -q -e "$(basename "$f"):" -e "^--set " "$tmp/v.out" || fail "$f: the message does not name the file or the --set"
        n=$((n + 1))
    done
    [ "$n" -ge 15 ] || fail "only $n broken profiles"
    set +e; "$qqgen" validate "$root/configs/quickstart.yaml" --set phases.stedy.duration=1s >"$tmp/v.out" 2>&1; rc=$?; set -e
    [ "$rc" -ne 0 ] && grep -q "did you mean 'steady'" "$tmp/v.out" || fail "--set typo not refused with a suggestion"
    ;;
run_quickstart)
    # The README's main job, smaller: every user completes, report.json says so.
    "$qqgen" run "$root/configs/quickstart.yaml" --out "$tmp/run" --instance "$inst" --set "$eal" $small \
        --set users.total=3000 >"$tmp/run.out" 2>&1 || fail "qqgen run exited $?"
    r="$tmp/run/report.json"
    [ -f "$r" ] || fail "no report.json"
    [ "$(json "$r" "d['schema']")" = "qqgen-report/1" ] || fail "report schema"
    [ "$(json "$r" "d['totals']['counters']['users']['completed']")" = 3000 ] || fail "not every user completed"
    [ "$(json "$r" "d['totals']['counters']['users']['failed']")" = 0 ] || fail "users failed"
    [ "$(json "$r" "d['run']['end_reason']")" = "the phases ended" ] || fail "end reason"
    [ "$(json "$r" "d['profile']['applied']['users']['total']")" = 3000 ] || fail "the applied profile is not in the report"
    [ "$(json "$r" "d['totals']['ports']['client']['tx_frames'] == d['totals']['ports']['server']['rx_frames']")" = True ] ||
        fail "client tx and server rx differ on a wire"
    grep -q "profile generation 1: applied by 1 of 1 workers" "$tmp/run.out" || fail "no acknowledgement line"
    [ ! -e "/dev/shm/qqgen.$inst" ] || fail "the segment outlived the dataplane"
    ;;
run_outputs)
    # The run directory gets what the profile enables: capture.pcap (tshark and nDPI
    # accept it, large messages included), keylog.txt (a password and a session key
    # per login), report.json with the message sizes asked for; the progress lines
    # show users per stage and both ports' bit rates.
    "$qqgen" run "$root/configs/quickstart.yaml" --out "$tmp/run" --instance "$inst" --set "$eal" \
        --set users.concurrent=400 --set users.qq_numbers.count=400 --set users.total=400 \
        --set phases.steady.new_users_per_second=400 --set report.interval=200ms \
        --set capture.enabled=true --set keylog=true \
        --set 'chat.message_size=[{min: 1, max: 40, weight: 1}, {min: 700, max: 800, weight: 1}]' \
        >"$tmp/run.out" 2>&1 || fail "qqgen run exited $?"
    r="$tmp/run/report.json"
    [ "$(json "$r" "d['totals']['counters']['users']['completed']")" = 400 ] || fail "not every user completed"
    m=$(json "$r" "d['totals']['counters']['messages']")
    [ "$(json "$r" "(lambda m: m['corrupt'] == 0 and m['sent'] > 0 and 200 < m['text_bytes'] / m['sent'] < 600)(d['totals']['counters']['messages'])")" = True ] ||
        fail "message sizes not as asked: $m"
    [ -s "$tmp/run/capture.pcap" ] || fail "no capture.pcap in the run directory"
    bash "$root/tests/integration/check_capture.sh" "$tmp/run/capture.pcap" >"$tmp/check.out" 2>&1 ||
        fail "capture check: $(cat "$tmp/check.out")"
    big=$(tshark -n -r "$tmp/run/capture.pcap" -Y 'oicq.command == 0x0016 && udp.length > 700' 2>/dev/null | wc -l)
    [ "$big" -gt 0 ] || fail "no large 0x0016 message in the capture"
    [ -s "$tmp/run/keylog.txt" ] || fail "no keylog.txt in the run directory"
    logins=$(json "$r" "d['totals']['counters']['server_checks']['logins_ok']")
    keys=$(grep -c . "$tmp/run/keylog.txt")
    [ "$keys" -ge "$logins" ] || fail "keylog.txt has $keys lines for $logins logins"
    grep -Eq 'users [0-9]+ active \(login [0-9]+, sync [0-9]+, chat [0-9]+, keepalive [0-9]+, logout [0-9]+\)' "$tmp/run.out" ||
        fail "no progress line with users per stage"
    grep -Eq 'server tx [0-9]+ rx [0-9]+ fps [0-9.]+ Mbit/s' "$tmp/run.out" || fail "no server bit rate in the progress lines"
    ;;
report_html)
    # The report of a run: timeseries.csv, report.json's time series and its totals
    # agree; report.html renders in headless Chromium (every chart drawn, no script
    # error, nothing fetched; check_report_html.py), the screenshot kept in
    # $QQGEN_ARTIFACTS for people to look at. Then a threshold the run cannot meet:
    # exit status 3, the failed check named, the page says FAIL.
    "$qqgen" run "$root/configs/quickstart.yaml" --out "$tmp/run" --instance "$inst" --set "$eal" $small \
        --set users.total=3000 --set phases.steady.new_users_per_second=1000 --set transport.tcp_percent=30 \
        --set report.sample_interval=200ms --set 'report.dut="the wire topology (no device under test)"' \
        --set 'report.thresholds={max_failed_percent: 1, max_lost_percent: 1, max_drops: 0, max_login_p99: 5s}' \
        >"$tmp/run.out" 2>&1 || fail "qqgen run exited $?"
    r="$tmp/run/report.json"
    grep -q "^verdict: PASS" "$tmp/run.out" || fail "no PASS verdict printed"
    [ "$(json "$r" "d['verdict']['pass']")" = True ] || fail "verdict: $(json "$r" "d['verdict']")"
    rows=$(($(wc -l <"$tmp/run/timeseries.csv") - 1))
    [ "$rows" -ge 5 ] || fail "only $rows samples in timeseries.csv"
    [ "$(json "$r" "len(d['timeseries']['rows'])")" = "$rows" ] || fail "report.json and timeseries.csv differ in samples"
    python3 - "$tmp/run/timeseries.csv" "$r" <<'PY' || fail "timeseries.csv does not end at the report's totals"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
d = json.load(open(sys.argv[2]))
u = d['totals']['counters']['users']
last = rows[-1]
assert int(last['started']) == u['started'] == 3000, (last['started'], u['started'])
assert int(last['completed']) == u['completed'], last['completed']
assert int(last['tcp_attempted']) == d['totals']['counters']['tcp']['attempted'] > 0
assert max(float(r['client_tx_fps'] or 0) for r in rows) > 0
assert any(r['login_p99_us'] for r in rows) and any(r['tcp_connect_p99_us'] for r in rows)
ts = [float(r['t_s']) for r in rows]
assert ts == sorted(ts), "time goes backwards"
m = d['totals']['counters']['messages']
assert sum(c['sent'] for c in m['by_charset'].values()) == m['sent'] > 0, m['by_charset']
assert sum(f['sent'] for f in m['by_font'].values()) == m['sent'], m['by_font']
assert len(d['phases']) >= 2 and d['phases'][-1]['to_s'] == float(rows[-1]['t_s']), d['phases']
PY
    art=${QQGEN_ARTIFACTS:-$tmp}
    mkdir -p "$art"
    python3 "$root/tests/integration/check_report_html.py" --expect-verdict pass "$tmp/run/report.html" \
        "$art/report-pass.png" >"$tmp/html.out" 2>&1 || fail "report.html: $(cat "$tmp/html.out")"
    grep -q "dist-tcp-connect" "$tmp/html.out" || fail "no TCP connect distribution: $(cat "$tmp/html.out")"
    grep -q 'id="message-mix"' "$tmp/run/report.html" || fail "no charset and font breakdown in report.html"
    grep -q '<section id="phases">' "$tmp/run/report.html" || fail "no phase-by-phase table in report.html"
    set +e
    "$qqgen" run "$root/configs/quickstart.yaml" --out "$tmp/run2" --instance "$inst" --set "$eal" $small \
        --set users.total=500 --set report.thresholds.max_dns_p99=0ms >"$tmp/run2.out" 2>&1; rc=$?
    set -e
    [ "$rc" = 3 ] || fail "a run outside its thresholds exited $rc, not 3"
    grep -q "failed: DNS answer p99" "$tmp/run2.out" || fail "the failed check is not named"
    python3 "$root/tests/integration/check_report_html.py" --expect-verdict fail "$tmp/run2/report.html" \
        "$art/report-fail.png" >"$tmp/html2.out" 2>&1 || fail "report.html (fail): $(cat "$tmp/html2.out")"
    ;;
report_on_demand)
    # `qqgen report` on a dataplane that keeps running: the files of a stretch of it.
    "$qqgen" run "$root/configs/quickstart.yaml" --out "$tmp/run" --instance "$inst" --set "$eal" $small $staying \
        --set phases.steady.new_users_per_second=300 >"$tmp/run.out" 2>&1 &
    run_pid=$!
    wait_running
    "$qqgen" report --instance "$inst" --out "$tmp/now" --duration 3 --interval 0.5 >"$tmp/report.out" 2>&1 ||
        fail "qqgen report exited $?"
    r="$tmp/now/report.json"
    [ "$(json "$r" "d['run']['end_reason']")" = "still running (a report on demand)" ] || fail "end reason"
    [ "$(json "$r" "len(d['timeseries']['rows']) >= 5 and d['verdict']['pass']")" = True ] ||
        fail "report on demand: $(cat "$tmp/report.out")"
    [ "$(json "$r" "d['totals']['active_users'] > 0")" = True ] || fail "no active users in the snapshot"
    python3 "$root/tests/integration/check_report_html.py" --expect-verdict pass "$tmp/now/report.html" \
        "$tmp/now/report.png" >"$tmp/html.out" 2>&1 || fail "report.html: $(cat "$tmp/html.out")"
    # Still running: the report changed nothing.
    "$qqgen" stats --instance "$inst" >/dev/null || fail "the dataplane is gone"
    kill -INT "$run_pid"
    wait "$run_pid" || fail "qqgen run exited $? after Ctrl-C"
    run_pid=""
    ;;
soak_short)
    # configs/soak.yaml shortened to minutes with the same checks: users arriving and
    # leaving at constant concurrency, 20% over TCP; Ctrl-C in the steady phase ramps
    # down gracefully (every user logs out, every TCP connection closed with FIN); the
    # verdict judges drift of memory, mbufs and session-table occupancy and passes.
    # The wire's rings stay the profile's 4,096: the stop paces the logouts of
    # the ~2,300 users online (9,000 frames) to what the server half takes in.
    "$qqgen" run "$root/configs/soak.yaml" --out "$tmp/run" --instance "$inst" --set "$eal" \
        --set dataplane.lcores=0-1 --set dataplane.mbufs_per_worker=16383 \
        --set users.concurrent=4000 --set users.qq_numbers.count=4000 --set network.client.addresses=1 \
        --set phases.ramp_up.duration=10s --set phases.steady.duration=150s \
        --set phases.steady.new_users_per_second=150 --set phases.ramp_down.duration=5s \
        --set keepalive.interval=2s --set keepalive.count=4 --set 'chat.message_delay={min: 200ms, max: 1s}' \
        --set transport.tcp_percent=20 --set report.interval=10s --set report.sample_interval=1s \
        >"$tmp/run.out" 2>&1 &
    run_pid=$!
    sleep 100
    kill -INT "$run_pid"
    set +e; wait "$run_pid"; rc=$?; set -e
    run_pid=""
    [ "$rc" = 0 ] || fail "the soak exited $rc"
    r="$tmp/run/report.json"
    [ "$(json "$r" "d['run']['end_reason']")" = "stopped by the user" ] || fail "end reason"
    python3 - "$r" <<'PY' || fail "soak report"
import json, sys
d = json.load(open(sys.argv[1]))
v = d['verdict']
checks = {c['name']: c for c in v['checks']}
for name in ('resident memory drift', 'mbufs in use drift', 'session-table occupancy drift', 'counters consistent'):
    assert name in checks and checks[name]['pass'], (name, checks.get(name))
assert v['pass'], [c for c in v['checks'] if not c['pass']]
u = d['totals']['counters']['users']
assert d['totals']['active_users'] == 0, d['totals']['active_users']
assert u['started'] == u['completed'] + u['failed'] + u['stopped'], u
assert u['stopped'] > 0 and u['completed'] > 1000, u
t = d['totals']['counters']['tcp']
assert t['attempted'] > 100 and t['established'] == t['closed'], t
steady = [r for r in d['timeseries']['rows'] if r[1] == 2]
assert len(steady) >= 60, len(steady)
PY
    python3 "$root/tests/integration/check_report_html.py" --expect-verdict pass "$tmp/run/report.html" \
        "${QQGEN_ARTIFACTS:-$tmp}/soak-short.png" >"$tmp/html.out" 2>&1 || fail "report.html: $(cat "$tmp/html.out")"
    grep -q "chart-memory" "$tmp/html.out" || fail "no memory chart"
    ;;
run_blended)
    # configs/blended.yaml (issue 8), 3,000 sessions, no redirect (one QQ flow per
    # UDP user): every QQ user and companion session completes; report.json's
    # mix equals the weights; ndpiReader's flows in the capture match what the
    # profile's weights alone predict within 5 % (QQ: the UDP users, 50 of 100,
    # each user's transport drawn with the TCP share, so about 1 % from 1,500;
    # DNS: every QQ user's look-up and the dns sessions, 60 + 12; HTTP 14; TLS 10),
    # tshark finds nothing malformed and no TCP analysis flag; report.html
    # renders with its applications table.
    total=3000
    "$qqgen" run "$root/configs/blended.yaml" --out "$tmp/run" --instance "$inst" --set "$eal" \
        --set users.total=$total --set login.redirect_percent=0 >"$tmp/run.out" 2>&1 || fail "qqgen run exited $?"
    r="$tmp/run/report.json"
    grep -q "^verdict: PASS" "$tmp/run.out" || fail "no PASS verdict"
    python3 - "$r" <<'PY' || fail "report.json applications or mix"
import json, sys
d = json.load(open(sys.argv[1]))
apps, mix = d['applications'], d['application_mix']
for k in ('dns', 'http', 'tls', 'udp_stream', 'tcp_stream'):
    s = apps[k]['sessions']
    assert s['started'] == s['completed'] > 0 and s['failed'] == 0, (k, s)
    assert apps[k]['corrupt'] == 0, k
for k, m in mix.items():
    assert abs(m['session_share'] - m['weight_share']) < 0.01, (k, m)
assert d['totals']['counters']['users']['completed'] == mix['qq']['sessions_started']
assert sum(m['sessions_started'] for m in mix.values()) == 3000
PY
    python3 "$root/tests/integration/check_blended_capture.py" "$tmp/run/capture.pcap" --tolerance 0.05 \
        --expect QQ=$((total * 50 / 100)) --expect DNS=$((total * 72 / 100)) \
        --expect HTTP=$((total * 14 / 100)) --expect TLS=$((total * 10 / 100)) >"$tmp/capture.out" 2>&1 ||
        fail "capture: $(cat "$tmp/capture.out")"
    echo "blended: $(tail -n 1 "$tmp/capture.out")"
    art=${QQGEN_ARTIFACTS:-$tmp}
    mkdir -p "$art"
    python3 "$root/tests/integration/check_report_html.py" --expect-verdict pass "$tmp/run/report.html" \
        "$art/report-blended.png" >"$tmp/html.out" 2>&1 || fail "report.html: $(cat "$tmp/html.out")"
    grep -q 'id="applications"' "$tmp/run/report.html" || fail "report.html has no applications table"
    ;;
run_tcp)
    # Half the users over TCP, chosen by the profile: every session completes, every
    # connection is established and closed, tshark finds no TCP analysis flag.
    "$qqgen" run "$root/configs/quickstart.yaml" --out "$tmp/run" --instance "$inst" --set "$eal" $small \
        --set users.total=1000 --set transport.tcp_percent=50 --set transport.tcp_closer=server \
        --set capture.enabled=true >"$tmp/run.out" 2>&1 || fail "qqgen run exited $?"
    r="$tmp/run/report.json"
    [ "$(json "$r" "d['totals']['counters']['users']['completed']")" = 1000 ] || fail "not every user completed"
    [ "$(json "$r" "float(d['profile']['applied']['transport']['tcp_percent']) == 50")" = True ] || fail "transport not in the applied profile"
    t=$(json "$r" "d['totals']['counters']['tcp']")
    [ "$(json "$r" "(lambda t: 300 < t['attempted'] < 700 and t['established'] == t['attempted'] == t['closed'] == t['accepted'])(d['totals']['counters']['tcp'])")" = True ] ||
        fail "TCP connections: $t"
    flags=$(tshark -n -r "$tmp/run/capture.pcap" -Y 'tcp.analysis.flags' 2>/dev/null | head -n 5)
    [ -z "$flags" ] || fail "tshark finds TCP analysis flags: $flags"
    python3 "$root/tests/integration/check_qq_tcp_streams.py" "$tmp/run/capture.pcap" 100 >"$tmp/streams.out" 2>&1 ||
        fail "QQ frames in TCP: $(cat "$tmp/streams.out")"
    ;;
phases)
    # Ramp-up, 2 s steady, 1 s ramp-down: the run ends by itself, every user logged out.
    "$qqgen" run "$root/configs/quickstart.yaml" --out "$tmp/run" --instance "$inst" --set "$eal" $small $staying \
        --set phases.steady.duration=2s --set phases.ramp_down.duration=1s \
        --set phases.steady.new_users_per_second=2000 >"$tmp/run.out" 2>&1 || fail "qqgen run exited $?"
    r="$tmp/run/report.json"
    [ "$(json "$r" "d['totals']['counters']['users']['stopped'] == d['totals']['counters']['users']['started'] > 0")" = True ] ||
        fail "the ramp-down did not log every user out"
    [ "$(json "$r" "d['workers'][0]['phase']")" = ended ] || fail "phase not ended"
    ;;
live_apply)
    "$qqgen" run "$root/configs/quickstart.yaml" --out "$tmp/run" --instance "$inst" --set "$eal" $roomy $staying \
        --set phases.steady.new_users_per_second=300 --set phases.ramp_up.duration=0s >"$tmp/run.out" 2>&1 &
    run_pid=$!
    wait_running
    a=$(started); sleep 2; b=$(started)
    # Doubling the rate: acknowledged within 100 ms, visible within a second.
    "$qqgen" apply "$root/configs/quickstart.yaml" --instance "$inst" --set "$eal" $roomy $staying \
        --set phases.steady.new_users_per_second=600 --set phases.ramp_up.duration=0s >"$tmp/apply.out" 2>&1 ||
        fail "apply exited $?"
    ms=$(sed -n 's/.*acknowledged in \([0-9.]*\) ms.*/\1/p' "$tmp/apply.out")
    [ -n "$ms" ] && [ "$(echo "$ms < 100" | bc)" = 1 ] || fail "acknowledged in '$ms' ms, not under 100"
    sleep 0.5; c=$(started); sleep 2; d=$(started)
    ratio=$(echo "scale=2; ($d - $c) / ($b - $a)" | bc)
    [ "$(echo "$ratio > 1.6 && $ratio < 2.4" | bc)" = 1 ] || fail "rate ratio after doubling is $ratio"
    # A change that needs a restart is refused; the running profile stays.
    set +e
    "$qqgen" apply "$root/configs/quickstart.yaml" --instance "$inst" --set "$eal" $staying \
        --set users.concurrent=20000 --set users.qq_numbers.count=30000 >"$tmp/refused.out" 2>&1; rc=$?
    set -e
    [ "$rc" -ne 0 ] || fail "a change of users.concurrent was applied live"
    grep -q "users cannot change" "$tmp/refused.out" || fail "the refusal does not say why"
    "$qqgen" stats --instance "$inst" --json >"$tmp/s.json"
    [ "$(json "$tmp/s.json" "d['workers'][0]['applied_generation']")" = 2 ] || fail "applied generation moved"
    [ "$(json "$tmp/s.json" "d['counters']['users']['failed']")" = 0 ] || fail "users lost"
    # A broken profile never reaches the dataplane.
    printf 'users: {concurrent: [}\n' >"$tmp/broken.yaml"
    set +e; "$qqgen" apply "$tmp/broken.yaml" --instance "$inst" >"$tmp/broken.out" 2>&1; rc=$?; set -e
    [ "$rc" -ne 0 ] && grep -q "broken.yaml:1:" "$tmp/broken.out" || fail "broken profile not refused with its position"
    # A corrupted profile slot: the worker refuses it and keeps running the old profile.
    g=$($poke corrupt-profile "/dev/shm/qqgen.$inst")
    i=0
    while [ $i -lt 50 ]; do
        "$qqgen" stats --instance "$inst" --json >"$tmp/s.json"
        [ "$(json "$tmp/s.json" "d['workers'][0]['refused_generation']")" = "$g" ] && break
        sleep 0.1; i=$((i + 1))
    done
    [ "$(json "$tmp/s.json" "d['workers'][0]['refused_generation']")" = "$g" ] || fail "corrupted slot not refused"
    json "$tmp/s.json" "d['workers'][0]['refusal']" | grep -q checksum || fail "refusal does not name the checksum"
    [ "$(json "$tmp/s.json" "d['workers'][0]['applied_generation']")" = 2 ] || fail "corrupted profile applied"
    e=$(started); sleep 1; f=$(started)
    [ "$f" -gt "$e" ] || fail "users stopped starting after the corrupted slot"
    # Control killed: the dataplane goes on; a new control reads consistent counters and stops it.
    kill -9 "$run_pid"; wait "$run_pid" 2>/dev/null || true; run_pid=""
    sleep 1
    g1=$(started); sleep 1; g2=$(started)
    [ "$g2" -gt "$g1" ] || fail "the dataplane stopped when control was killed"
    "$qqgen" stats --instance "$inst" --json >"$tmp/s.json"
    [ "$(json "$tmp/s.json" "(lambda u: u['started'] == u['completed'] + u['failed'] + u['stopped'] + d['active_users'])(d['counters']['users'])")" = True ] ||
        fail "inconsistent user counters after reattaching"
    "$qqgen" stop --instance "$inst" >"$tmp/stop.out" 2>&1 || fail "stop exited $?"
    grep -q "stopped" "$tmp/stop.out" || fail "stop did not report the end"
    ;;
dataplane_killed)
    "$qqgen" run "$root/configs/quickstart.yaml" --out "$tmp/run" --instance "$inst" --set "$eal" $small $staying \
        >"$tmp/run.out" 2>&1 &
    run_pid=$!
    wait_running
    dp=$(json "$tmp/stats.json" "d['dataplane_pid']")
    kill -9 "$dp"
    t0=$(date +%s%N)
    set +e; wait "$run_pid"; rc=$?; set -e
    run_pid=""
    t1=$(date +%s%N)
    [ "$rc" -ne 0 ] || fail "qqgen run exited 0 after its dataplane was killed"
    grep -q "dataplane pid $dp" "$tmp/run.out" || fail "control did not say the dataplane died"
    ms=$(( (t1 - t0) / 1000000 ))
    [ "$ms" -lt 2000 ] || fail "control noticed after $ms ms"
    [ -f "$tmp/run/report.json" ] || fail "no report after the dataplane died"
    # Its segment is stale now: refused with a clear message, then cleaned.
    set +e; "$qqgen" stats --instance "$inst" >"$tmp/stale.out" 2>&1; rc=$?; set -e
    [ "$rc" -ne 0 ] && grep -q "$dp" "$tmp/stale.out" || fail "stale segment not reported"
    "$qqgen" stop --instance "$inst" --clean >"$tmp/clean.out" 2>&1 || true
    [ ! -e "/dev/shm/qqgen.$inst" ] || fail "stop --clean left the stale segment"
    ;;
foreign_abi)
    $poke foreign-abi "/dev/shm/qqgen.abi$$"
    set +e; "$qqgen" stats --instance "abi$$" >"$tmp/abi.out" 2>&1; rc=$?; set -e
    [ "$rc" -ne 0 ] || fail "a segment of ABI 999 was accepted"
    grep -q "999" "$tmp/abi.out" || fail "the message does not name the other ABI version"
    ;;
*) echo "unknown scenario $scenario" >&2; exit 2 ;;
esac
echo "ok: $scenario"
