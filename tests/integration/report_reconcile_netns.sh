#!/usr/bin/env bash
# Issue 7: the numbers in report.json reconcile with an independent observer.
#
# The real one-command run (`qqgen run configs/dut-netns.yaml --out DIR`) goes
# through the DUT-in-a-namespace topology (tools/netns-dut: a Linux router with
# strict nftables conntrack between two veths). The router's kernel is the
# observer; every comparison is of deltas read just before and just after the
# run, so set-up traffic is excluded.
#
# 1. Frames and bytes, per port and direction (report.json
#    totals.ports.<client,server>.{tx,rx}_{frames,bytes}: Ethernet header on,
#    FCS off, as the kernel counts a veth's frames):
#      client tx == rx of the router's client-side veth (NAME-dc), exactly;
#      client rx == tx of NAME-dc, exactly; the same for server and NAME-ds.
#    No tolerance is needed, and none is given. The generator namespace's
#    kernel sends nothing on its veths (no addresses, IPv6 off:
#    tools/netns-dut). The router's kernel sends frames of its own besides
#    the ones it forwards: IPv6 ND/MLD/DAD (switched off on its veths here,
#    as the run is IPv4, and the veths must be quiet before the first
#    reading) and ARP, counted by an nftables `arp` output chain. It sends
#    ARP only while it forwards, i.e. while the dataplane runs (the run lasts
#    a few seconds, less than the 15 s at least that a neighbour entry stays
#    REACHABLE, so no delayed probe follows it), so the dataplane sees every
#    one of them: its neighbour handler's counters
#    (engine_ports.X.neighbour_frames + refused.not_udp) must equal the
#    router's ARP output per veth. A router frame sent outside the
#    dataplane's life (a late neighbour probe) would fail that check, named.
#    Every frame on the router is accounted for as well, with nftables
#    counters: NAME-dc rx == frames forwarded to NAME-ds + ARP received;
#    NAME-dc tx == frames forwarded from NAME-ds + ARP the router sent (and the
#    same for NAME-ds); frames forwarded client->server ==
#    engine_ports.client.frames_sent (every frame the engine committed crossed
#    the router) and server->client == engine_ports.server.frames_sent; the
#    frames the dataplane sent to the router itself (ports.X.tx_frames -
#    engine_ports.X.frames_sent: ARP, its neighbour handler) == the ARP frames
#    the router received on that veth.
# 2. Flows. A user's 5-tuples (dataplane/engine/client_half.hpp,
#    client_requests.hpp, server_replies.hpp): its client endpoint (address,
#    port) to the DNS server's port 53 (UDP; the query and its resends), and
#    to port 8000 of each login server it talks to (UDP, or TCP for
#    transport.tcp_percent of the users): the first server, and the one a
#    redirect names (always another server), each from the token request on
#    through login, status, pages, chats, keep-alives, pushes and their acks,
#    and the logout. No server opens a flow (pushes go to the endpoint the
#    user logged in from, from its own login server). So, in report fields:
#      DNS flows         = stages.dns.started     (each started user asks once)
#      login flows       = stages.token.started   (= dns.completed + redirect.started:
#                                                   the first token request, and the one
#                                                   after each redirect)
#        of which TCP    = tcp.attempted          (one SYN sequence per connection)
#        of which UDP    = stages.token.started - tcp.attempted
#      flows             = stages.dns.started + stages.token.started
#    That holds when no two users share a client endpoint: consecutive users
#    of a slot use different endpoints as long as incarnations of a slot <=
#    generations = (addresses x ports_per_address / workers) / users per
#    worker, which the test checks from the applied profile; and when no TCP
#    user is stopped between a redirect and its new SYN (the run ends by
#    itself, so none is). The router counts the conntrack entries it created
#    (an nftables counter on the first packet of each entry, `ct status !
#    confirmed`, which resends of an unanswered first packet do not match, as
#    `ct state new` would), split by protocol and port, and `conntrack -L`
#    lists them at the end (UDP and TCP timeouts raised to 600 s in the DUT's
#    namespace, so none expires): both must equal the formula, per kind and
#    in total; conntrack counts no invalid packet, no failed insertion, and
#    the firewall refused nothing.
#
# Sanity: the run ends by itself with every user completed; every compared
# count is large (so an all-zero report cannot pass).
# REPORT_RECONCILE_PERTURB="PATH+=N,..." (e.g. totals.ports.client.rx_frames+=1
# or totals.counters.stages.token.started-=1) alters the report as read, to
# show that the test fails when the report is wrong.
# Usage: report_reconcile_netns.sh QQGEN QQGEN_DATAPLANE SOURCE_ROOT
set -euo pipefail
qqgen=$(realpath "$1")
QQGEN_DATAPLANE=$(realpath "$2"); export QQGEN_DATAPLANE
root=$3
netns_dut="$root/tools/netns-dut"
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)"; exit 77; }
for t in conntrack nft ip python3; do
  command -v "$t" >/dev/null || { echo "$t not installed"; exit 77; }
done

name="rr$$"
inst="rr$$"
work=$(mktemp -d)
dut="$name-dut"; gen="$name-gen"
c="${name:0:10}-c"; s="${name:0:10}-s"; dc="${name:0:9}-dc"; ds="${name:0:9}-ds"
cleanup() {
  "$qqgen" stop --instance "$inst" --now --timeout 5 >/dev/null 2>&1 || true
  "$qqgen" stop --instance "$inst" --clean >/dev/null 2>&1 || true
  "$netns_dut" down "$name" >/dev/null 2>&1 || true
  rm -f "/dev/shm/qqgen.$inst"
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for f in "$work/run.out" "$work/run/dataplane.log"; do
    [ -f "$f" ] && { echo "--- $f:" >&2; tail -n 30 "$f" >&2; }
  done
  "$netns_dut" status "$name" >&2 2>/dev/null || true
  exit 1
}
in_dut() { ip netns exec "$dut" "$@"; }

"$netns_dut" up "$name" >/dev/null || fail "tools/netns-dut up"
# The run is IPv4: no IPv6 on the router's veths, so its kernel sends no
# ND, MLD or DAD frames (the only frames of its own are ARP, counted below).
in_dut sysctl -qw "net.ipv6.conf.$dc.disable_ipv6=1" "net.ipv6.conf.$ds.disable_ipv6=1"
# No conntrack entry expires before it is listed at the end.
for k in udp_timeout udp_timeout_stream tcp_timeout_established tcp_timeout_fin_wait \
         tcp_timeout_close_wait tcp_timeout_last_ack tcp_timeout_time_wait tcp_timeout_close; do
  in_dut sysctl -qw "net.netfilter.nf_conntrack_$k=600"
done
# The observer's counters, beside netns-dut's own table (which decides; these
# only count: `accept` ends this chain, not the hook).
in_dut nft -f - <<NFT || fail "nft: reconcile counters"
table inet qqgen_reconcile {
  counter new_dns {}
  counter new_udp_login {}
  counter new_tcp_login {}
  counter new_other {}
  counter fwd_c2s {}
  counter fwd_s2c {}
  counter fwd_other {}
  chain forward {
    type filter hook forward priority -10; policy accept;
    iifname "$dc" oifname "$ds" counter name "fwd_c2s"
    iifname "$ds" oifname "$dc" counter name "fwd_s2c"
    iifname != "$dc" iifname != "$ds" counter name "fwd_other"
    ct status ! confirmed udp dport 53 counter name "new_dns" accept
    ct status ! confirmed udp dport 8000 counter name "new_udp_login" accept
    ct status ! confirmed tcp dport 8000 counter name "new_tcp_login" accept
    ct status ! confirmed counter name "new_other"
  }
}
table arp qqgen_reconcile {
  counter arp_in_dc {}
  counter arp_in_ds {}
  counter arp_out_dc {}
  counter arp_out_ds {}
  chain input {
    type filter hook input priority 0; policy accept;
    iifname "$dc" counter name "arp_in_dc"
    iifname "$ds" counter name "arp_in_ds"
  }
  chain output {
    type filter hook output priority 0; policy accept;
    oifname "$dc" counter name "arp_out_dc"
    oifname "$ds" counter name "arp_out_ds"
  }
}
NFT

# Observations: both router veths' counters, the nftables counters, conntrack.
observe() {  # observe PREFIX: PREFIX.dc, PREFIX.ds (ip -s -j link), PREFIX.nft (nft -j)
  in_dut ip -s -j link show dev "$dc" >"$1.dc"
  in_dut ip -s -j link show dev "$ds" >"$1.ds"
  in_dut nft -j list ruleset >"$1.nft"
}
tx_packets() { in_dut cat "/sys/class/net/$dc/statistics/tx_packets" "/sys/class/net/$ds/statistics/tx_packets" | paste -sd,; }

# Quiet before the first reading: the router's veths send nothing for a second.
quiet=0
for _ in $(seq 20); do
  a=$(tx_packets); sleep 0.5; b=$(tx_packets)
  [ "$a" = "$b" ] && { quiet=1; break; }
done
[ "$quiet" -eq 1 ] || fail "the router's veths did not fall quiet"
[ "$(in_dut conntrack -C)" -eq 0 ] || fail "conntrack entries before the run"

observe "$work/before"
set +e
timeout 150 ip netns exec "$gen" "$qqgen" run "$root/configs/dut-netns.yaml" --out "$work/run" --instance "$inst" \
  --set "dataplane.vdevs=[\"net_af_packet0,iface=$c\", \"net_af_packet1,iface=$s\"]" \
  --set users.concurrent=100 --set users.total=400 \
  --set network.client.addresses=16 --set network.client.ports_per_address=50000 \
  --set transport.tcp_percent=30 --set capture.enabled=false >"$work/run.out" 2>&1
rc=$?
set -e
observe "$work/after"
in_dut conntrack -L >"$work/conntrack.txt" 2>/dev/null || true
in_dut conntrack -S >"$work/conntrack_s.txt"
[ "$rc" -eq 0 ] || fail "qqgen run exited $rc"
[ -f "$work/run/report.json" ] || fail "no report.json"

python3 - "$work/run/report.json" "$work/before" "$work/after" "$work/conntrack.txt" \
  "$work/conntrack_s.txt" "${REPORT_RECONCILE_PERTURB:-}" <<'PY' || fail "the report does not reconcile with the router"
import json, re, sys
from collections import Counter

report_file, before, after, ct_file, ct_s_file, perturb = sys.argv[1:7]
rep = json.load(open(report_file))

# A deliberately wrong report (to show the test notices).
for item in filter(None, (p.strip() for p in perturb.split(","))):
    m = re.fullmatch(r"([\w.]+)([+-])=(\d+)", item)
    if not m:
        sys.exit(f"REPORT_RECONCILE_PERTURB: cannot read '{item}'")
    *path, leaf = m.group(1).split(".")
    node = rep
    for k in path:
        node = node[k]
    node[leaf] += int(m.group(3)) * (1 if m.group(2) == "+" else -1)
    print(f"perturbed: {m.group(1)} = {node[leaf]}")

def observation(prefix):
    links = {i: json.load(open(f"{prefix}.{i}"))[0]["stats64"] for i in ("dc", "ds")}
    counters, dut = {}, {}
    for o in json.load(open(f"{prefix}.nft"))["nftables"]:
        if "counter" in o and o["counter"].get("table") == "qqgen_reconcile":
            counters[o["counter"]["name"]] = (o["counter"]["packets"], o["counter"]["bytes"])
        r = o.get("rule")
        if r and r.get("table") == "qqgen_dut":
            n = next((e["counter"]["packets"] for e in r["expr"] if isinstance(e.get("counter"), dict)), None)
            if r.get("comment") == "refused":
                dut["refused"] = n
            elif '"invalid"' in json.dumps(r["expr"]):
                dut["invalid"] = n
    return links, counters, dut

links0, nft0, _ = observation(before)
links1, nft1, dut1 = observation(after)

def link(iface, direction, what):
    return links1[iface][direction][what] - links0[iface][direction][what]

def nft(name, i=0):
    return nft1[name][i] - nft0.get(name, (0, 0))[i]

failures = []
def check(what, report_value, observed, note="", left="report"):
    ok = report_value == observed
    print(f"  {'ok ' if ok else 'BAD'} {what:<60} {left} {report_value:>9}  router {observed:>9}{note}")
    if not ok:
        failures.append(what)

def require(what, cond, detail=""):
    print(f"  {'ok ' if cond else 'BAD'} {what}{(': ' + detail) if detail else ''}")
    if not cond:
        failures.append(what)

t = rep["totals"]
ports = t["ports"]
cnt = t["counters"]
users = cnt["users"]
applied = rep["profile"]["applied"]
total = applied["users"]["total"]

print("run:")
require("the run ended by itself", rep["run"]["end_reason"] == "the phases ended", rep["run"]["end_reason"])
require("every user started and completed", users["started"] == total == users["completed"] and users["failed"] == 0,
        f"{users}")
require("no frame lost inside the dataplane", all(
    ports[p][k] == 0 for p in ("client", "server")
    for k in ("tx_alloc_failed", "tx_refused", "tx_bad_length", "tx_no_frame", "rx_multiseg_dropped")))
require("no drop on the router's veths", all(
    link(i, d, "dropped") == 0 and link(i, d, "errors") == 0 for i in ("dc", "ds") for d in ("rx", "tx")))
require("the DUT refused nothing and saw no invalid packet",
        dut1.get("refused") == 0 and dut1.get("invalid") == 0, f"{dut1}")
require("frame counts are large (at least 10 per user each way)",
        all(ports[p][k] >= 10 * total for p in ("client", "server") for k in ("tx_frames", "rx_frames")))

# 1. Frames and bytes.
print("frames and bytes (report.json totals.ports vs the router's veths, deltas):")
for port, iface in (("client", "dc"), ("server", "ds")):
    p = ports[port]
    check(f"{port} tx_frames == {iface} rx_packets", p["tx_frames"], link(iface, "rx", "packets"))
    check(f"{port} tx_bytes == {iface} rx_bytes", p["tx_bytes"], link(iface, "rx", "bytes"))
    check(f"{port} rx_frames == {iface} tx_packets", p["rx_frames"], link(iface, "tx", "packets"))
    check(f"{port} rx_bytes == {iface} tx_bytes", p["rx_bytes"], link(iface, "tx", "bytes"))

print("every frame on the router accounted for (nftables counters):")
e = cnt["engine_ports"]
check("dc rx_packets == forwarded c->s + ARP received on dc", link("dc", "rx", "packets"),
      nft("fwd_c2s") + nft("arp_in_dc"), left="veth  ")
check("ds rx_packets == forwarded s->c + ARP received on ds", link("ds", "rx", "packets"),
      nft("fwd_s2c") + nft("arp_in_ds"), left="veth  ")
check("dc tx_packets == forwarded s->c + ARP sent on dc", link("dc", "tx", "packets"),
      nft("fwd_s2c") + nft("arp_out_dc"), left="veth  ")
check("ds tx_packets == forwarded c->s + ARP sent on ds", link("ds", "tx", "packets"),
      nft("fwd_c2s") + nft("arp_out_ds"), left="veth  ")
check("nothing else forwarded", 0, nft("fwd_other"), left="expect")
check("engine_ports.client.frames_sent == forwarded c->s", e["client"]["frames_sent"], nft("fwd_c2s"))
check("engine_ports.server.frames_sent == forwarded s->c", e["server"]["frames_sent"], nft("fwd_s2c"))
check("client tx_frames - engine frames_sent == ARP received on dc",
      ports["client"]["tx_frames"] - e["client"]["frames_sent"], nft("arp_in_dc"))
check("server tx_frames - engine frames_sent == ARP received on ds",
      ports["server"]["tx_frames"] - e["server"]["frames_sent"], nft("arp_in_ds"))
# The router's own frames (ARP only) all reached the dataplane while it ran:
# its neighbour handler took them (or refused them as not UDP).
for port, iface in (("client", "dc"), ("server", "ds")):
    check(f"{port} neighbour_frames + refused.not_udp == ARP sent on {iface}",
          e[port]["neighbour_frames"] + e[port]["refused"]["not_udp"], nft(f"arp_out_{iface}"))

# 2. Flows.
print("flows (report counters vs conntrack entries the router created):")
workers = rep["profile"]["workers"]
per_worker_users = -(-applied["users"]["concurrent"] // workers)
net = applied.get("network", {}).get("client", {})
endpoints = net.get("addresses", 16) * net.get("ports_per_address", 50000) // workers
generations = endpoints // per_worker_users
servers = len(applied.get("login", {}).get("servers", [None, None]))
most = max(w["counters"]["users"]["started"] for w in rep["workers"])
require("no two users share a client endpoint", most <= generations,
        f"at most {most} users per worker, {generations} endpoint generations")
require("a redirect names another server", servers >= 2, f"{servers} login servers")

st = cnt["stages"]
dns_flows = st["dns"]["started"]
login_flows = st["token"]["started"]
tcp_flows = cnt["tcp"]["attempted"]
require("the run has DNS, UDP and TCP login flows and redirects",
        dns_flows >= total and tcp_flows > 0 and login_flows - tcp_flows > 0 and st["redirect"]["started"] > 0)
require("token.started == dns.completed + redirect.started",
        login_flows == st["dns"]["completed"] + st["redirect"]["started"])

entries = Counter()
for line in open(ct_file):
    w = line.split()
    if not w:
        continue
    dport = next(x for x in w if x.startswith("dport="))[6:]
    entries[(w[0], dport)] += 1
stats = Counter()
for line in open(ct_s_file):
    for k, v in re.findall(r"(\w+)=(\d+)", line):
        if k != "cpu":
            stats[k] += int(v)
require("conntrack: no invalid packet, failed insertion or drop",
        all(stats[k] == 0 for k in ("invalid", "insert_failed", "drop", "early_drop", "error")), f"{dict(stats)}")

expected = dns_flows + login_flows
check("DNS flows: stages.dns.started", dns_flows, nft("new_dns"), "  (nft: new entries, udp dport 53)")
check("DNS flows: stages.dns.started", dns_flows, entries[("udp", "53")], "  (conntrack -L)")
check("UDP login flows: stages.token.started - tcp.attempted", login_flows - tcp_flows, nft("new_udp_login"),
      "  (nft: new entries, udp dport 8000)")
check("UDP login flows: stages.token.started - tcp.attempted", login_flows - tcp_flows, entries[("udp", "8000")],
      "  (conntrack -L)")
check("TCP login flows: tcp.attempted", tcp_flows, nft("new_tcp_login"), "  (nft: new entries, tcp dport 8000)")
check("TCP login flows: tcp.attempted", tcp_flows, entries[("tcp", "8000")], "  (conntrack -L)")
check("no other flow", 0, nft("new_other"), left="expect")
check("flows: stages.dns.started + stages.token.started", expected,
      nft("new_dns") + nft("new_udp_login") + nft("new_tcp_login") + nft("new_other"), "  (nft)")
check("flows: stages.dns.started + stages.token.started", expected, sum(entries.values()), "  (conntrack -L)")

if failures:
    print(f"{len(failures)} check(s) failed: " + "; ".join(failures))
    sys.exit(1)
print(f"report_reconcile_netns: ok ({total} users, {ports['client']['tx_frames'] + ports['server']['tx_frames']} frames, "
      f"{expected} flows)")
PY
