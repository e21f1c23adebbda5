#!/usr/bin/env python3
"""check_blended_capture.py PCAP [--expect PROTO=FLOWS ...] [--tolerance FRACTION]

Checks a blended qqgen capture (QQ and the companion applications, issue 8)
with tools nobody here wrote:
  - tshark 4.0 dissects every frame without a malformed packet, an expert
    warning or error, or a bad IP/UDP/TCP checksum, and flags no TCP analysis
    problem (retransmission, out of order, lost segment, window full...);
  - every HTTP request names a Host and a path, every HTTP response has a
    Content-Type with a charset, every TLS ClientHello carries an SNI;
  - ndpiReader (nDPI 4.2) labels the flows; each flow counts under its master
    protocol (DNS.Sina counts as DNS, HTTP.Sina as HTTP), and with --expect
    the flow count of each named protocol must be within --tolerance (a
    fraction, default 0.03) of the expected count.
Prints the breakdown as JSON on the last line.
"""
import argparse
import collections
import json
import re
import subprocess
import sys


def fail(msg):
    print(f"check_blended_capture: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def tshark(pcap, *args):
    opts = ["-n", "-r", pcap, "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
            "-o", "tcp.check_checksum:TRUE"]
    out = subprocess.run(["tshark", *opts, *args], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        fail(f"tshark {' '.join(args)} failed: {out.stderr[-500:]}")
    return out.stdout


def lines(text):
    return [l for l in text.splitlines() if l.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pcap")
    ap.add_argument("--expect", action="append", default=[], help="PROTO=FLOWS (master protocol)")
    ap.add_argument("--tolerance", type=float, default=0.03)
    a = ap.parse_args()

    frames = len(lines(tshark(a.pcap, "-T", "fields", "-e", "frame.number")))
    if frames == 0:
        fail("tshark reads no frame")
    bad = lines(tshark(a.pcap, "-Y", '_ws.malformed || _ws.expert.severity >= warning || '
                       'ip.checksum.status == "Bad" || udp.checksum.status == "Bad" || '
                       'tcp.checksum.status == "Bad" || tcp.analysis.flags'))
    if bad:
        fail("tshark finds malformed frames, bad checksums or TCP analysis flags:\n" + "\n".join(bad[:20]))
    requests = lines(tshark(a.pcap, "-Y", "http.request", "-T", "fields", "-e", "http.host", "-e",
                            "http.request.uri"))
    if any(len(r.split("\t")) < 2 or not r.split("\t")[0] for r in requests):
        fail("an HTTP request without Host or path")
    responses = lines(tshark(a.pcap, "-Y", "http.response", "-T", "fields", "-e", "http.content_type"))
    if any("charset=" not in r for r in responses):
        fail("an HTTP response without a charset")
    hellos = lines(tshark(a.pcap, "-Y", "tls.handshake.type == 1", "-T", "fields", "-e",
                          "tls.handshake.extensions_server_name"))
    if any(not h.strip() for h in hellos):
        fail("a TLS ClientHello without SNI")
    # Each session's hellos carry their own random (RFC 8446 4.1.2), and the
    # server echoes the client's legacy_session_id (4.1.3).
    hs = lines(tshark(a.pcap, "-Y", "tls.handshake.type == 1 || tls.handshake.type == 2", "-T", "fields",
                      "-e", "tcp.stream", "-e", "tls.handshake.type", "-e", "tls.handshake.random",
                      "-e", "tls.handshake.session_id"))
    client_ids, randoms = {}, set()
    for h in hs:
        stream, kind, random, sid = (h.split("\t") + ["", "", "", ""])[:4]
        randoms.add(random)
        if kind == "1":
            client_ids[stream] = sid
        elif client_ids.get(stream) != sid:
            fail(f"TLS stream {stream}: the ServerHello does not echo the client's session id")
    if len(randoms) != len(hs):
        fail(f"{len(hs)} TLS hellos but {len(randoms)} distinct randoms")

    ndpi = subprocess.run(["ndpiReader", "-i", a.pcap, "-v", "2"], capture_output=True, text=True, check=False)
    if ndpi.returncode != 0:
        fail(f"ndpiReader failed: {ndpi.stderr[-500:]}")
    flows = collections.Counter()
    for line in ndpi.stdout.splitlines():
        if not re.match(r"^\s+\d+\s+(TCP|UDP) ", line):
            continue
        m = re.search(r"\[proto: [0-9.]+/([^\]]+)\]", line)
        if not m:
            continue
        master = m.group(1).split(".")[0]
        flows[master] += 1
    if not flows:
        fail("ndpiReader lists no flow")
    for e in a.expect:
        proto, _, want = e.partition("=")
        want = int(want)
        got = flows.get(proto, 0)
        if abs(got - want) > a.tolerance * max(want, 1):
            fail(f"ndpiReader counts {got} {proto} flows, expected {want} (tolerance {a.tolerance:.0%}); "
                 f"breakdown {dict(flows)}")
    summary = {"frames": frames, "http_requests": len(requests), "http_responses": len(responses),
               "tls_client_hellos": len(hellos), "ndpi_flows": dict(sorted(flows.items()))}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
