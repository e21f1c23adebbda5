#!/usr/bin/env python3
"""check_qq_tcp_streams.py PCAP [MAX_STREAMS]

QQ over TCP in a capture, reassembled by tshark (`-z follow,tcp,raw`, its
own TCP reassembly: retransmissions and overlaps resolved by tshark, not by
qqgen), must read as whole QQ frames in both directions of every stream:
a 2-byte big-endian length counting the whole frame, then a QQ packet that
starts with 0x02 and ends with 0x03 (qq-protocol.md "Framing"), nothing left
over. tshark 4.0 has no QQ-over-TCP dissector, hence this walk.
Prints a one-line summary; exits 1 naming the first bad stream.
"""
import subprocess
import sys


def tcp_streams(pcap):
    out = subprocess.run(["tshark", "-n", "-r", pcap, "-Y", "tcp.len > 0", "-T", "fields", "-e", "tcp.stream"],
                         capture_output=True, text=True, check=True).stdout
    return sorted({int(s) for s in out.split()})


def follow(pcap, streams):
    args = ["tshark", "-n", "-q", "-r", pcap]
    for s in streams:
        args += ["-z", f"follow,tcp,raw,{s}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    # Blocks: "Filter: tcp.stream eq N", then hex lines, tab-indented for node 1 (server -> client).
    result, current = {}, None
    for line in out.splitlines():
        if line.startswith("Filter: tcp.stream eq "):
            current = int(line.split()[-1])
            result[current] = [bytearray(), bytearray()]
        elif current is not None and line and not line.startswith(("=", "Follow:", "Node ", "Filter:")):
            side = 1 if line.startswith("\t") else 0
            result[current][side] += bytes.fromhex(line.strip())
    return result


def frames(data):
    """Number of whole QQ frames, or an error text."""
    i, n = 0, 0
    while i < len(data):
        if len(data) - i < 2:
            return f"{len(data) - i} byte(s) left over at offset {i}"
        length = int.from_bytes(data[i:i + 2], "big")
        if length < 2 + 7 or i + length > len(data):
            return f"frame length {length} at offset {i} does not fit the {len(data)}-byte stream"
        packet = data[i + 2:i + length]
        if packet[0] != 0x02 or packet[-1] != 0x03:
            return f"frame at offset {i} is not a QQ packet (starts {packet[0]:#04x}, ends {packet[-1]:#04x})"
        i += length
        n += 1
    return n


def main():
    pcap = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    streams = tcp_streams(pcap)
    if not streams:
        print(f"check_qq_tcp_streams: {pcap}: no TCP stream carries data", file=sys.stderr)
        return 1
    if limit:
        streams = streams[:limit]
    total = 0
    for s, sides in sorted(follow(pcap, streams).items()):
        for side, data in enumerate(sides):
            r = frames(bytes(data))
            if isinstance(r, str):
                who = "client -> server" if side == 0 else "server -> client"
                print(f"check_qq_tcp_streams: {pcap}: tcp.stream {s} ({who}): {r}", file=sys.stderr)
                return 1
            total += r
    print(f"check_qq_tcp_streams: {pcap}: {len(streams)} TCP streams, {total} QQ frames, all whole")
    return 0


if __name__ == "__main__":
    sys.exit(main())
