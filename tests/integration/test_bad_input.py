"""Hostile and broken input: the daemon logs and counts it, keeps running, and loses nothing
it already accepted. Each case is followed by a real brute force that must still be stored."""
import socket
import time
import unittest

from harness import Vigie, VigieTestCase, wait_for

PRI_LINE = "<38>Nov 22 10:00:{s:02d} srv-dpi sshd[2211]: Failed password for root from {ip} port {p} ssh2"


class BadInput(VigieTestCase):
    def setUp(self):
        super().setUp()
        self.vigie = self.track(Vigie(self.tmp).start())  # no smtp: maildir delivery

    def tcp(self):
        return socket.create_connection(("127.0.0.1", self.vigie.port), timeout=5)

    def assert_still_detects(self, ip):
        lines = [PRI_LINE.format(s=i, ip=ip, p=40000 + i) for i in range(10)]
        with self.tcp() as s:
            s.sendall(("\n".join(lines) + "\n").encode())
        wait_for(lambda: self.vigie.query("SELECT count(*) FROM alerts WHERE level = 'high' AND key LIKE ?",
                                          f"%{ip}%")[0][0] >= 1,
                 what=f"the brute-force alert for {ip}")
        self.assertTrue(self.vigie.alive(), self.vigie.log_text())

    def stopped_counter(self, name, **labels):
        self.assertEqual(self.vigie.stop(), 0, self.vigie.log_text())
        return self.vigie.counter(name, **labels)

    def test_malformed_octet_count_frames(self):
        with self.tcp() as s:
            s.sendall(b"99999999999999999999 <34>x\n12x bogus\n")
        self.assert_still_detects("198.51.100.1")
        self.assertGreaterEqual(self.stopped_counter("vigie_syslog_malformed_total", reason="bad_octet_count"), 1)

    def test_lines_without_pri_that_start_with_digits_are_messages(self):
        # A relay forwarding file lines over TCP: no PRI, an ISO timestamp first. Such a line
        # must not be taken for an octet count ("2024…") and thrown away.
        ip = "198.51.100.6"
        lines = [f"2026-11-22T10:00:{i:02d}+01:00 srv-dpi sshd[2211]: Failed password for root from {ip} port {40000 + i} ssh2"
                 for i in range(10)]
        with self.tcp() as s:
            s.sendall(("\n".join(lines) + "\n").encode())
        wait_for(lambda: self.vigie.query("SELECT count FROM alerts WHERE level = 'high' AND key LIKE ?", f"%{ip}%"),
                 what="the brute-force alert from PRI-less lines")
        self.assertEqual(self.stopped_counter("vigie_syslog_malformed_total"), 0)

    def test_bytes_that_are_not_utf8(self):
        with self.tcp() as s:
            s.sendall(b"<38>Nov 22 10:00:00 srv sshd[1]: Failed password for \xff\xfe\xc0 from 203.0.113.9 port 1 ssh2\n")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.sendto(b"<38>\xff\xff\xff\x00\x01", ("127.0.0.1", self.vigie.port))
        self.assert_still_detects("198.51.100.2")
        self.assertEqual(self.stopped_counter("vigie_syslog_invalid_utf8_total"), 2)

    def test_a_byte_that_is_not_utf8_in_the_user_name_hides_no_brute_force(self):
        # RE2 in UTF-8 mode matches nothing across 0xff: the decoders must still see the line.
        ip = "198.51.100.8"
        lines = [f"<38>Nov 22 10:00:{i:02d} srv-dpi sshd[2211]: Failed password for ad\xffmin from {ip} "
                 f"port {40000 + i} ssh2".encode("latin-1") for i in range(10)]
        with self.tcp() as s:
            s.sendall(b"\n".join(lines) + b"\n")
        wait_for(lambda: self.vigie.query("SELECT count FROM alerts WHERE level = 'high' AND key LIKE ?", f"%{ip}%"),
                 what="the brute-force alert of failures with 0xff in the user name")
        self.assertEqual(self.vigie.query("SELECT count FROM alerts WHERE key LIKE ?", f"%{ip}%"), [(10,)])

    def test_one_mebibyte_line_is_truncated_and_the_connection_goes_on(self):
        ip = "198.51.100.3"
        lines = [PRI_LINE.format(s=i, ip=ip, p=40000 + i) for i in range(10)]
        with self.tcp() as s:
            s.sendall(b"<38>Nov 22 10:00:00 srv app: " + b"A" * (1 << 20) + b"\n" + ("\n".join(lines) + "\n").encode())
        wait_for(lambda: self.vigie.query("SELECT count(*) FROM alerts WHERE key LIKE ?", f"%{ip}%")[0][0] >= 1,
                 what="the alert sent after the oversized line")
        self.assertTrue(self.vigie.alive())
        self.assertIn("trunc", self.vigie.log_text().lower())
        self.assertEqual(self.stopped_counter("vigie_syslog_truncated_total", input=f"tcp://127.0.0.1:{self.vigie.port}"), 1)

    def test_client_that_sends_nothing_does_not_block_others(self):
        idle = self.tcp()
        try:
            self.assert_still_detects("198.51.100.4")
        finally:
            idle.close()
        # The idle client, the sender, and the harness probing the port at start.
        self.assertEqual(self.stopped_counter("vigie_tcp_connections_total"), 3)

    def test_half_a_frame_then_disconnect(self):
        with self.tcp() as s:
            s.sendall(b"120 <38>Nov 22 10:00:00 srv sshd[1]: Failed pass")
        with self.tcp() as s:
            s.sendall(b"<38>Nov 22 10:00:00 srv sshd[1]: Failed password for root from 10.9.9.9 po")
        time.sleep(0.2)
        self.assert_still_detects("198.51.100.5")
        # The cut octet-counted frame is counted; the unterminated line is delivered as a message.
        self.assertEqual(self.stopped_counter("vigie_syslog_malformed_total", reason="incomplete_frame"), 1)
        self.assertEqual(self.stopped_counter("vigie_events_received_total"), 12)


if __name__ == "__main__":
    unittest.main()
