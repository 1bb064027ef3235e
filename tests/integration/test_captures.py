"""Packet captures through `vigie replay`: a capture written here (classic pcap, Ethernet, twelve
SSH connections from one address) fires the shipped burst rule at the site its networks name; the
corpus captures meet an IOC feed and a rule on HTTP fields; a truncated capture is an error naming
the file, and what was read before the cut is still replayed."""
import json
import os
import shutil
import struct
import subprocess
import unittest

from harness import Vigie, VigieTestCase, run_vigie, wait_for

SOURCE_DIR = os.environ.get("VIGIE_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.environ.get("VIGIE_CORPUS") or os.path.join(SOURCE_DIR, "..", "shared", "corpus")
PCAP = os.path.join(CORPUS, "pcap")


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def ip4(text):
    return bytes(int(x) for x in text.split("."))


def frame(src, dst, sport, dport, flags, seq, ack, payload=b""):
    """Ethernet + IPv4 + TCP (RFC 791, RFC 9293), checksums computed."""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0) + payload
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, ip4(src), ip4(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + ip + tcp


def write_pcap(path, frames):
    """Classic pcap (microseconds, Ethernet): [(seconds, frame bytes)]."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for ts, data in frames:
            f.write(struct.pack("<IIII", int(ts), int((ts % 1) * 1e6), len(data), len(data)) + data)


def ssh_session(client, server, port, t, server_banner=b"SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u3",
                client_banner=b"SSH-2.0-libssh_0.9.6"):
    """One SSH connection at time t: handshake, both identification strings, FIN both ways."""
    SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
    c, s = 1000, 5000
    cb, sb = client_banner + b"\r\n", server_banner + b"\r\n"
    return [
        (t, frame(client, server, port, 22, SYN, c, 0)),
        (t + 0.001, frame(server, client, 22, port, SYN | ACK, s, c + 1)),
        (t + 0.002, frame(client, server, port, 22, ACK, c + 1, s + 1)),
        (t + 0.010, frame(server, client, 22, port, PSH | ACK, s + 1, c + 1, sb)),
        (t + 0.020, frame(client, server, port, 22, PSH | ACK, c + 1, s + 1 + len(sb), cb)),
        (t + 1.0, frame(client, server, port, 22, FIN | ACK, c + 1 + len(cb), s + 1 + len(sb))),
        (t + 1.001, frame(server, client, 22, port, FIN | ACK, s + 1 + len(sb), c + 2 + len(cb))),
        (t + 1.002, frame(client, server, port, 22, ACK, c + 2 + len(cb), s + 2 + len(sb))),
    ]


def ssh_connections(client, server, count, start=1_775_000_000.0):
    """`count` SSH connections, 10 s apart."""
    out = []
    for i in range(count):
        out += ssh_session(client, server, 50000 + i, start + 10 * i)
    return out


class Captures(VigieTestCase):
    def config(self, extra=""):
        path = os.path.join(self.tmp, "vigie.yml")
        with open(path, "w") as f:
            f.write(f"storage: {{ path: {self.tmp}/vigie.db }}\n"
                    "sites:\n"
                    "  - { id: ch-quimper, name: CH, networks: [10.29.0.0/16], timezone: Europe/Paris }\n"
                    f"rules: {{ paths: [{SOURCE_DIR}/rules] }}\n" + extra)
        return path

    def replay(self, cfg, *files):
        r = run_vigie("replay", "--config", cfg, "--format", "json", *files)
        alerts = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
        return r, alerts

    def test_ssh_burst_in_a_capture_fires_the_shipped_rule_at_its_site(self):
        pcap = os.path.join(self.tmp, "ssh.pcap")
        write_pcap(pcap, ssh_connections("203.0.113.9", "10.29.0.5", 12))
        r, alerts = self.replay(self.config(), pcap)
        self.assertEqual(r.returncode, 0, r.stderr)
        burst = [a for a in alerts if a["rule"]["id"] == "vigie-pcap-ssh-burst"]
        self.assertEqual(len(burst), 1, r.stdout + r.stderr)
        self.assertEqual(burst[0]["site"], "ch-quimper")
        self.assertEqual(burst[0]["key"]["source.ip"], "203.0.113.9")
        # Nine connections are not a burst.
        write_pcap(pcap, ssh_connections("203.0.113.9", "10.29.0.5", 9))
        r, alerts = self.replay(self.config(), pcap)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse([a for a in alerts if a["rule"]["id"] == "vigie-pcap-ssh-burst"], r.stdout)

    def test_truncated_capture_is_an_error_naming_the_file_and_keeps_what_was_read(self):
        pcap = os.path.join(self.tmp, "cut.pcap")
        write_pcap(pcap, ssh_connections("203.0.113.9", "10.29.0.5", 12))
        with open(pcap, "r+b") as f:
            f.truncate(os.path.getsize(pcap) - 30)
        r, alerts = self.replay(self.config(), pcap)
        self.assertEqual(r.returncode, 1)
        self.assertIn(pcap, r.stderr)
        self.assertIn("truncated", r.stderr)
        # The eleven whole connections and the cut one's first frames were replayed.
        self.assertEqual([a["rule"]["id"] for a in alerts].count("vigie-pcap-ssh-burst"), 1, r.stderr)
        bogus = os.path.join(self.tmp, "not-a.pcap")
        with open(bogus, "wb") as f:
            f.write(struct.pack("<I", 0xA1B2C3D4) + b"\x00" * 3)
        r, _ = self.replay(self.config(), bogus)
        self.assertEqual(r.returncode, 1)
        self.assertIn(bogus, r.stderr)

    def test_corpus_captures_meet_an_ioc_feed_and_a_rule_on_http_fields(self):
        http = os.path.join(PCAP, "zeek", "http-get.pcap")
        if not os.path.exists(http):
            self.skipTest(f"corpus not found at {PCAP}")
        feed = os.path.join(self.tmp, "domains.txt")
        with open(feed, "w") as f:
            f.write("bro.org\nwikimedia.org\n")
        rules = os.path.join(self.tmp, "rules")
        os.mkdir(rules)
        with open(os.path.join(rules, "wget.yml"), "w") as f:
            f.write("title: wget fetching a text file\nid: test-wget-txt\nlevel: medium\n"
                    "logsource: { product: pcap }\n"
                    "detection:\n  sel:\n    event.dataset: pcap.http\n"
                    "    user_agent.original|startswith: Wget/\n    url.original|endswith: .txt\n"
                    "  condition: sel\n")
        cfg = self.config(f"feeds: [{{ name: watch, format: list, type: domain, path: {feed} }}]\n")
        with open(cfg) as f:
            text = f.read().replace(f"{SOURCE_DIR}/rules", rules)
        with open(cfg, "w") as f:
            f.write(text)
        r, alerts = self.replay(cfg, http, os.path.join(PCAP, "zeek", "wikipedia.pcap"))
        self.assertEqual(r.returncode, 0, r.stderr)
        ids = [a["rule"]["id"] for a in alerts]
        self.assertIn("test-wget-txt", ids, r.stdout + r.stderr)
        ioc = [a for a in alerts if a["rule"]["id"] == "vigie-ioc-match"]
        seen = {a["summary"] for a in ioc}
        self.assertTrue(any("bro.org" in s for s in seen), seen)
        self.assertTrue(any("wikimedia.org" in s for s in seen), seen)


class LiveCapture(VigieTestCase):
    """`vigie serve` capturing on one end of a veth pair, inside a network namespace this test
    owns; tcpreplay sends the capture on the other end."""

    def namespace(self):
        if os.geteuid() != 0:
            self.skipTest("live capture needs root (network namespaces, CAP_NET_RAW)")
        if not shutil.which("tcpreplay"):
            self.skipTest("tcpreplay not installed (deploy/test.sh installs it)")
        ns = f"vigie-it-{os.getpid()}"
        r = subprocess.run(["ip", "netns", "add", ns], capture_output=True, text=True)
        if r.returncode != 0:
            self.skipTest(f"network namespaces unavailable here: ip netns add: {r.stderr.strip()}")
        self.addCleanup(subprocess.run, ["ip", "netns", "del", ns], capture_output=True)
        for cmd in (["ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1"], ["ip", "link", "set", "v0", "up"],
                    ["ip", "link", "set", "v1", "up"], ["ip", "link", "set", "lo", "up"]):
            subprocess.run(["ip", "netns", "exec", ns, *cmd], check=True)
        return ns

    def test_capture_on_a_veth_sees_the_replayed_burst(self):
        ns = self.namespace()
        pcap = os.path.join(self.tmp, "ssh.pcap")
        write_pcap(pcap, ssh_connections("203.0.113.9", "10.29.0.5", 12))
        sites = "- { id: ch-quimper, name: CH, networks: [10.29.0.0/16], timezone: Europe/Paris }\n"
        vigie = self.track(Vigie(self.tmp, sites=sites, netns=ns,
                                 inputs="pcap:\n  - { interface: v0, immediate: true, filter: \"tcp port 22\" }\n"))
        vigie.start()
        self.assertIn("capturing on pcap:v0", vigie.log_text())
        subprocess.run(["ip", "netns", "exec", ns, "tcpreplay", "-q", "-i", "v1", "--topspeed", pcap], check=True,
                       capture_output=True)
        # Closed connections linger 5 s of capture time, then their flow events feed the rule.
        try:
            wait_for(lambda: vigie.query("SELECT count(*) FROM alerts WHERE rule_id = 'vigie-pcap-ssh-burst' "
                                         "AND site = 'ch-quimper'")[0][0] == 1,
                     timeout=40, what="the SSH burst alert from the live capture")
        except AssertionError as e:
            vigie.stop()
            rows = vigie.query("SELECT rule_id, site, key, first_seen FROM alerts")
            raise AssertionError(f"{e}\nalerts: {rows}\n{vigie.log_text()}") from None
        self.assertEqual(vigie.stop(), 0, vigie.log_text())
        self.assertEqual(vigie.counter("vigie_pcap_frames_total", input="pcap:v0"), 96)
        self.assertEqual(vigie.counter("vigie_pcap_flows_total"), 12)
        self.assertEqual(vigie.counter("vigie_events_dropped_total", input="pcap:v0"), 0)

    def test_missing_interface_stops_the_start_naming_it(self):
        vigie = Vigie(self.tmp, inputs="pcap:\n  - { interface: nosuch0 }\n")
        with self.assertRaises(AssertionError) as e:
            vigie.start()
        self.assertIn("pcap:nosuch0", str(e.exception))


if __name__ == "__main__":
    unittest.main()
