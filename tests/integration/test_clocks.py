"""Sites whose clocks are wrong: a site configured Europe/Paris whose hosts log in UTC (every
stamp an hour off), a host whose clock is ahead. Correlation runs on each site's own stamps, so
one site's clock never decides what another site's windows keep."""
import datetime
import socket
import time
import unittest

from harness import Vigie, VigieTestCase, wait_for

SITES = """\
- { id: site-a, networks: [127.0.0.1/32], timezone: UTC, contacts: [rssi@site-a.example] }
- { id: site-b, networks: [127.0.0.2/32], timezone: UTC, contacts: [rssi@site-b.example] }
"""


def stamp(t):
    return t.strftime("%b %d %H:%M:%S").replace(" 0", "  ", 1) if t.day < 10 else t.strftime("%b %d %H:%M:%S")


class Clocks(VigieTestCase):
    def setUp(self):
        super().setUp()
        self.vigie = self.track(Vigie(self.tmp, sites=SITES).start())
        self.from_a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.from_a.bind(("127.0.0.1", 0))
        self.from_b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.from_b.bind(("127.0.0.2", 0))

    def tearDown(self):
        self.from_a.close()
        self.from_b.close()
        super().tearDown()

    def send(self, sock, when, text):
        sock.sendto(f"<38>{stamp(when)} host sshd[7]: {text}".encode(), ("127.0.0.1", self.vigie.port))

    def test_a_site_an_hour_slow_is_still_detected_while_another_site_is_busy(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        for i in range(10):
            self.send(self.from_a, now - datetime.timedelta(hours=1) + datetime.timedelta(seconds=i),
                      f"Failed password for root from 198.51.100.7 port {40000 + i} ssh2")
            for j in range(3):
                self.send(self.from_b, now, f"Accepted publickey for alice from 10.2.0.{j} port 5000 ssh2")
            time.sleep(0.02)  # separate batches, so eviction runs between site-a's lines
        rows = wait_for(lambda: self.vigie.query(
            "SELECT site, count FROM alerts WHERE rule_id = 'vigie-ssh-bruteforce'"), what="site-a's brute force")
        self.assertEqual(rows, [("site-a", 10)])

    def test_a_host_stamping_2099_does_not_reset_a_brute_force_in_progress(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        for i in range(10):
            self.send(self.from_a, now + datetime.timedelta(seconds=i),
                      f"Failed password for root from 198.51.100.8 port {40000 + i} ssh2")
            if i == 4:  # RFC 5424 with a far-future stamp, from the other site
                self.from_b.sendto(b"<38>1 2099-01-01T00:00:00Z host app - - - hello from the future",
                                   ("127.0.0.1", self.vigie.port))
            time.sleep(0.02)
        rows = wait_for(lambda: self.vigie.query(
            "SELECT site, count FROM alerts WHERE rule_id = 'vigie-ssh-bruteforce'"), what="the brute force")
        self.assertEqual(rows, [("site-a", 10)])


if __name__ == "__main__":
    unittest.main()
