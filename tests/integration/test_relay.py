"""A site's own rsyslog relays its hosts' logs to Vigie: Debian's rsyslogd, run in the foreground
on a private configuration, receives `logger` datagrams and forwards them over TCP with each of
its framings and formats. The brute force must be detected whatever the relay does to the
message (RFC 5424 re-encoding, octet counting, traditional LF framing)."""
import os
import subprocess
import textwrap
import unittest

from harness import Vigie, VigieTestCase, free_port, wait_for

RSYSLOGD = "/usr/sbin/rsyslogd"

# rsyslog's built-in templates (https://www.rsyslog.com/doc/configuration/templates.html).
RELAYS = {
    "rfc5424-octet-counted": ('TCP_Framing="octet-counted"', "RSYSLOG_SyslogProtocol23Format"),
    "rfc3164-traditional": ('TCP_Framing="traditional"', "RSYSLOG_ForwardFormat"),
}


class Rsyslog:
    def __init__(self, workdir, target_port, framing, template):
        self.port = free_port()
        self.dir = os.path.join(workdir, f"rsyslog-{self.port}")
        os.mkdir(self.dir)
        self.conf = os.path.join(self.dir, "rsyslog.conf")
        with open(self.conf, "w") as f:
            f.write(textwrap.dedent(f"""\
                global(workDirectory="{self.dir}")
                module(load="imudp")
                input(type="imudp" address="127.0.0.1" port="{self.port}")
                action(type="omfwd" target="127.0.0.1" port="{target_port}" protocol="tcp" {framing}
                       template="{template}")
                """))
        self.proc = None

    def start(self):
        self.log = open(os.path.join(self.dir, "rsyslogd.log"), "ab")
        self.proc = subprocess.Popen([RSYSLOGD, "-n", "-f", self.conf, "-i", os.path.join(self.dir, "pid")],
                                     stdout=self.log, stderr=self.log)
        # Datagrams sent before imudp has bound its socket are lost: wait for the kernel to list it.
        wait_for(lambda: self.udp_bound() or self.proc.poll() is not None, what="rsyslog's UDP input")
        if self.proc.poll() is not None:
            raise AssertionError("rsyslogd exited at start: " + open(self.log.name).read())
        return self

    def udp_bound(self):
        with open("/proc/net/udp") as f:
            return any(line.split()[1].endswith(f":{self.port:04X}") for line in list(f)[1:])

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        if not self.log.closed:
            self.log.close()


@unittest.skipUnless(os.access(RSYSLOGD, os.X_OK), "rsyslog is not installed (deploy/test.sh installs it)")
class Relay(VigieTestCase):
    def test_brute_force_through_an_rsyslog_relay(self):
        for name, (framing, template) in RELAYS.items():
            with self.subTest(relay=name):
                tmp = os.path.join(self.tmp, name)
                os.mkdir(tmp)
                vigie = self.track(Vigie(tmp).start())
                relay = self.track(Rsyslog(tmp, vigie.port, framing, template).start())
                ip = "203.0.113.77"
                for i in range(12):
                    subprocess.run(["logger", "-d", "-n", "127.0.0.1", "-P", str(relay.port), "--rfc3164",
                                    "-t", "sshd", f"Failed password for root from {ip} port {40000 + i} ssh2"],
                                   check=True)
                rows = wait_for(lambda: vigie.query(
                    "SELECT count, key FROM alerts WHERE rule_id = 'vigie-ssh-bruteforce'"),
                    what=f"the brute-force alert relayed as {name}")
                self.assertIn(ip, rows[0][1])
                relay.stop()  # rsyslogd forwards what it still holds before it exits
                self.assertEqual(vigie.stop(), 0)
                self.assertEqual(vigie.counter("vigie_syslog_malformed_total"), 0)
                self.assertEqual(vigie.counter("vigie_events_received_total"), 12)


if __name__ == "__main__":
    unittest.main()
