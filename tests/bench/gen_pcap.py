#!/usr/bin/env python3
"""Capture of issue 8 (tests/bench/pcap.sh; tests/bench/README.md, "Packet captures"): a classic
pcap (Ethernet, microsecond timestamps) of at least --mb MiB that looks like a site's traffic.

The IPv4 frames of corpus captures (DNS, TLS, HTTP, SSH) are replayed many times as distinct
flows: per copy, client addresses become addresses of 10.29.0.0/16, server addresses (those that
ever use a port below 1024) public addresses from a pool, client ports are shifted, and the IPv4
header checksum is recomputed. TCP/UDP checksums are left as they were (wrong after the rewrite;
Vigie, tcpdump and tshark do not check them by default). Between them, bulk HTTP downloads
(synthesized: handshake, GET, a 64 KiB - 8 MiB body in 1448-byte segments, an ACK every second
segment, FINs; TCP checksum 0) carry about three quarters of the bytes. New flows start at
--rate per second of capture time; timestamps never decrease. Seeded and deterministic.
Prints key=value counts on stdout."""
import argparse
import heapq
import os
import random
import struct
import sys

# (path under the corpus, kind, weight: copies per round)
TEMPLATES = [
    ("zeek/dns53.pcap", "dns", 12),
    ("zeek/wikipedia.pcap", "dns+http", 1),
    ("zeek/tls-ecdhe.pcap", "tls", 4),
    ("suricata-verify/bug-2646-01/input.pcap", "tls", 4),
    ("zeek/http-get.pcap", "http", 4),
    ("suricata-verify/ssh-banner-only/input.pcap", "ssh", 1),
]
PUBLIC_FIRST_OCTETS = [23, 31, 37, 45, 51, 52, 62, 64, 77, 78, 80, 85, 91, 93, 104, 109, 141, 142,
                       145, 151, 157, 176, 178, 185, 188, 193, 194, 195, 212, 213, 217]
BULK_SHARE = 0.75
MSS = 1448
START_US = 1_775_000_000 * 1_000_000
BULK_HOSTS = ["dl.bench-cdn.example", "updates.bench-vendor.example", "media.bench-video.example"]


def read_pcap(path):
    """[(microseconds from the first frame, frame)] of the IPv4-over-Ethernet frames."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        sys.exit(f"gen_pcap: {path}: not a pcap file")
    magic = struct.unpack("<I", data[:4])[0]
    endian = {0xA1B2C3D4: "<", 0xD4C3B2A1: ">"}.get(magic)
    if endian is None:
        sys.exit(f"gen_pcap: {path}: not a classic microsecond pcap (magic {magic:#x})")
    if struct.unpack(endian + "I", data[20:24])[0] != 1:
        sys.exit(f"gen_pcap: {path}: link type is not Ethernet")
    frames, off, t0 = [], 24, None
    while off + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        ts = sec * 1_000_000 + usec
        t0 = ts if t0 is None else t0
        if len(frame) >= 34 and frame[12:14] == b"\x08\x00" and frame[14] >> 4 == 4:
            frames.append((ts - t0, frame))
    return frames


def l4(frame):
    """(header length, protocol, ports offset or None) of an IPv4 frame."""
    ihl = (frame[14] & 15) * 4
    proto = frame[23]
    first_fragment = struct.unpack("!H", frame[20:22])[0] & 0x1FFF == 0
    ports = 14 + ihl if proto in (6, 17) and first_fragment and len(frame) >= 14 + ihl + 4 else None
    return ihl, proto, ports


def ip_checksum(header):
    s = sum(struct.unpack(f"!{len(header) // 2}H", header))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


class Template:
    def __init__(self, path, kind, weight):
        self.path, self.kind, self.weight = path, kind, weight
        self.frames = read_pcap(path)
        servers, tuples = set(), set()
        for _, fr in self.frames:
            _, proto, po = l4(fr)
            src, dst = fr[26:30], fr[30:34]
            if po is None:
                tuples.add((proto, min(src, dst), max(src, dst)))
                continue
            sp, dp = struct.unpack("!HH", fr[po:po + 4])
            servers.update(a for a, p in ((src, sp), (dst, dp)) if p < 1024)
            tuples.add((proto, min((src, sp), (dst, dp)), max((src, sp), (dst, dp))))
        addrs = {fr[o:o + 4] for _, fr in self.frames for o in (26, 30)}
        self.servers = sorted(servers)
        self.clients = sorted(addrs - servers)
        self.flows = len(tuples)
        self.bytes = sum(len(fr) for _, fr in self.frames)

    def copy(self, t_us, client_of, server_of, port_shift):
        """The frames of one copy, addresses and client ports rewritten, at t_us onwards."""
        amap = {a: client_of() for a in self.clients}
        amap.update({a: server_of() for a in self.servers})
        out = []
        for rel, fr in self.frames:
            b = bytearray(fr)
            ihl, _, po = l4(fr)
            src, dst = bytes(b[26:30]), bytes(b[30:34])
            b[26:30], b[30:34] = amap[src], amap[dst]
            if po is not None:
                for off, addr in ((po, src), (po + 2, dst)):
                    port = struct.unpack("!H", b[off:off + 2])[0]
                    if addr in self.clients and port >= 1024:
                        b[off:off + 2] = struct.pack("!H", 1024 + (port - 1024 + port_shift) % 64512)
            b[24:26] = b"\0\0"
            b[24:26] = struct.pack("!H", ip_checksum(bytes(b[14:14 + ihl])))
            out.append((t_us + rel, bytes(b)))
        return out


def tcp_frame(src, dst, sport, dport, flags, seq, ack, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags,
                      64240, 0, 0)
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + len(payload), 0, 0x4000, 64, 6, 0, src, dst))
    ip[10:12] = struct.pack("!H", ip_checksum(bytes(ip)))
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + bytes(ip) + tcp + payload


def bulk(t_us, rng, client, server, cport, size, filler):
    """One HTTP download of `size` body bytes: [(t_us, frame)]."""
    SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
    c, s = rng.getrandbits(32), rng.getrandbits(32)
    host = rng.choice(BULK_HOSTS)
    req = (f"GET /files/{rng.getrandbits(40):010x}.bin HTTP/1.1\r\nHost: {host}\r\n"
           "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64)\r\nAccept: */*\r\n\r\n").encode()
    head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Length: {size}\r\n\r\n").encode()
    rtt, gap = 2_000, 120  # microseconds: 20 ms RTT, ~100 Mbit/s per download
    out = [(t_us, tcp_frame(client, server, cport, 80, SYN, c, 0)),
           (t_us + rtt, tcp_frame(server, client, 80, cport, SYN | ACK, s, c + 1)),
           (t_us + rtt + 10, tcp_frame(client, server, cport, 80, ACK, c + 1, s + 1)),
           (t_us + rtt + 20, tcp_frame(client, server, cport, 80, PSH | ACK, c + 1, s + 1, req))]
    c += 1 + len(req)
    total = len(head) + size  # the header in one segment, then the body from the filler
    t, seq, sent, n = t_us + 2 * rtt + 20, s + 1, 0, 0
    while sent < total:
        seg = len(head) if sent == 0 else min(MSS, total - sent)
        payload = head if sent == 0 else filler[(sent % 65536):(sent % 65536) + seg]
        out.append((t, tcp_frame(server, client, 80, cport, PSH | ACK if sent == 0 else ACK, seq, c, payload)))
        seq, sent, n, t = seq + seg, sent + seg, n + 1, t + gap
        if n % 2 == 0 or sent >= total:
            out.append((t + rtt // 2, tcp_frame(client, server, cport, 80, ACK, c, seq)))
    out += [(t + 10, tcp_frame(server, client, 80, cport, FIN | ACK, seq, c)),
            (t + rtt // 2 + 10, tcp_frame(client, server, cport, 80, FIN | ACK, c, seq + 1)),
            (t + rtt + 10, tcp_frame(server, client, 80, cport, ACK, seq + 1, c + 1))]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--mb", type=int, default=64, help="at least this many MiB (default 64)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rate", type=int, default=2000, help="new flows per second of capture time")
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--corpus", default=os.environ.get("VIGIE_CORPUS_PCAP")
                    or os.path.normpath(os.path.join(here, "..", "..", "..", "shared", "corpus", "pcap")))
    a = ap.parse_args()
    for rel, _, _ in TEMPLATES:
        path = os.path.join(a.corpus, rel)
        if not os.path.isfile(path):
            sys.exit(f"gen_pcap: corpus capture missing: looked for {path}")
    templates = [Template(os.path.join(a.corpus, rel), kind, w) for rel, kind, w in TEMPLATES]
    rng = random.Random(a.seed)
    filler = rng.randbytes(65536 + MSS)
    server_pool = [bytes([rng.choice(PUBLIC_FIRST_OCTETS), rng.randrange(256), rng.randrange(256),
                          rng.randrange(1, 255)]) for _ in range(4096)]
    next_client = [0]

    def client_of():
        n = next_client[0] % (256 * 254)
        next_client[0] += 1
        return bytes([10, 29, n // 254, 1 + n % 254])

    def server_of():
        return rng.choice(server_pool)

    schedule = [t for t in templates for _ in range(t.weight)]
    target = a.mb * 1024 * 1024
    heap, seq = [], 0
    t_us, generated = START_US, 24
    counts = {"frames": 0, "bytes": 0, "flows": 0, "bulk_flows": 0, "bulk_bytes": 0, "small_frames": 0, "last_us": START_US}
    kind_copies = {}
    with open(a.out, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))

        def drain(upto):
            while heap and heap[0][0] <= upto:
                ts, _, fr = heapq.heappop(heap)
                out.write(struct.pack("<IIII", ts // 1_000_000, ts % 1_000_000, len(fr), len(fr)) + fr)
                counts["frames"] += 1
                counts["bytes"] += len(fr)
                counts["small_frames"] += len(fr) <= 200
                counts["last_us"] = ts

        i = 0
        while generated < target:
            if counts["bulk_bytes"] < BULK_SHARE * (generated - 24):
                size = min(8 << 20, max(64 << 10, int(rng.lognormvariate(13.0, 1.2))))
                frames = bulk(t_us, rng, client_of(), server_of(), rng.randrange(1024, 65536), size, filler)
                nflows, kind = 1, "bulk"
                counts["bulk_flows"] += 1
                counts["bulk_bytes"] += sum(len(fr) for _, fr in frames)
            else:
                tpl = schedule[i % len(schedule)]
                i += 1
                frames = tpl.copy(t_us, client_of, server_of, rng.randrange(64512))
                nflows, kind = tpl.flows, tpl.kind
            kind_copies[kind] = kind_copies.get(kind, 0) + 1
            counts["flows"] += nflows
            for ts, fr in frames:
                heapq.heappush(heap, (ts, seq, fr))
                seq += 1
                generated += 16 + len(fr)
            drain(t_us)
            t_us += max(1, 1_000_000 * nflows // a.rate)
        drain(float("inf"))
    starts = (t_us - START_US) / 1_000_000  # flows started over this much capture time
    span = (counts.pop("last_us") - START_US) / 1_000_000
    print(f"file_bytes={os.path.getsize(a.out)}\nseed={a.seed}")
    for k, v in counts.items():
        print(f"{k}={v}")
    print(f"bulk_byte_share={counts['bulk_bytes'] / counts['bytes']:.3f}")
    print(f"small_frame_share={counts['small_frames'] / counts['frames']:.3f}")
    print(f"avg_frame_bytes={counts['bytes'] / counts['frames']:.0f}")
    print(f"flow_start_seconds={starts:.1f}\ncapture_seconds={span:.1f}")
    print("copies=" + ",".join(f"{k}:{v}" for k, v in sorted(kind_copies.items())))
    print("templates=" + ",".join(f"{os.path.relpath(t.path, a.corpus)}:{len(t.frames)}f/{t.flows}fl"
                                  for t in templates))


if __name__ == "__main__":
    main()
