"""The syslog listeners' bounds and stop, with the real daemon and real senders: allow lists,
the per-peer cap, a trickling client, SIGTERM with data in the socket buffer, N lines in = N
accounted for, no port shared with another daemon, the open-file limit."""
import os
import resource
import socket
import subprocess
import time
import unittest

from harness import VIGIE, Vigie, VigieTestCase, free_port, wait_for

PRI_LINE = "<38>Nov 22 10:00:{s:02d} srv-dpi sshd[2211]: Failed password for root from {ip} port {p} ssh2\n"


def with_options(vigie, udp="", tcp=""):
    """Adds flow-map keys to the two listeners of a not yet started daemon's config."""
    with open(vigie.config) as f:
        text = f.read()
    for proto, opts in (("udp", udp), ("tcp", tcp)):
        if opts:
            old = f'{{ listen: "{proto}://127.0.0.1:{vigie.port}" }}'
            assert old in text, text
            text = text.replace(old, f'{{ listen: "{proto}://127.0.0.1:{vigie.port}", {opts} }}')
    with open(vigie.config, "w") as f:
        f.write(text)
    return vigie


def connect_from(source, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def udp_from(source, port, data):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        s.sendto(data, ("127.0.0.1", port))


class Listeners(VigieTestCase):
    def stopped(self, vigie):
        self.assertEqual(vigie.stop(), 0, vigie.log_text())
        return vigie

    def assert_accounted(self, vigie):
        """Every message received was parsed or dropped with a reason (kernel drops are never
        received: they are counted beside)."""
        received = vigie.counter("vigie_events_received_total")
        dropped = vigie.counter("vigie_events_dropped_total") - vigie.counter("vigie_events_dropped_total",
                                                                                reason="kernel")
        self.assertEqual(received, vigie.counter("vigie_events_parsed_total") + dropped, vigie.log_text()[-3000:])
        return received

    def test_allow_refuses_and_counts_senders_outside(self):
        vigie = with_options(Vigie(self.tmp), udp="allow: [127.0.0.2/32]", tcp="allow: [127.0.0.2/32]")
        vigie = self.track(vigie.start())
        vigie.logger("Failed password for root from 198.51.100.7 port 1 ssh2")  # UDP from 127.0.0.1
        subprocess.run(["logger", "-n", "127.0.0.1", "-P", str(vigie.port), "-T", "--octet-count", "-t", "sshd",
                        "refused over tcp"], stderr=subprocess.DEVNULL)  # may fail: the connection is reset
        udp_from("127.0.0.2", vigie.port, b"<13>Nov 22 10:00:00 host app: allowed over udp")
        with connect_from("127.0.0.2", vigie.port) as s:
            s.sendall(b"<13>Nov 22 10:00:00 host app: allowed over tcp\n")
        wait_for(lambda: "connection refused: sender not in" in vigie.log_text(), what="the refusal logged")
        wait_for(lambda: "datagram refused: sender not in" in vigie.log_text(), what="the drop logged")
        self.stopped(vigie)
        udp = f"udp://127.0.0.1:{vigie.port}"
        tcp = f"tcp://127.0.0.1:{vigie.port}"
        self.assertEqual(vigie.counter("vigie_events_dropped_total", input=udp, reason="not_allowed"), 1)
        # logger's connection, and the harness's own readiness probes from 127.0.0.1
        self.assertGreaterEqual(vigie.counter("vigie_tcp_connections_refused_total", input=tcp, reason="not_allowed"), 2)
        self.assertEqual(vigie.counter("vigie_tcp_connections_total", input=tcp), 1)
        self.assertEqual(vigie.counter("vigie_events_parsed_total"), 2)
        self.assert_accounted(vigie)

    def test_one_client_holding_connections_does_not_lock_out_another_sender(self):
        vigie = with_options(Vigie(self.tmp), tcp="max_connections: 8, max_connections_per_peer: 4")
        vigie = self.track(vigie.start())
        hog = []
        for _ in range(10):  # more than max_connections, all from 127.0.0.1, idle
            try:
                hog.append(connect_from("127.0.0.1", vigie.port))
            except OSError:
                pass
        try:
            wait_for(lambda: vigie.log_text().count("max_connections_per_peer") >= 1, what="the per-peer refusal")
            with connect_from("127.0.0.2", vigie.port) as s:
                s.sendall("".join(PRI_LINE.format(s=i, ip="203.0.113.66", p=40000 + i) for i in range(10)).encode())
            wait_for(lambda: vigie.query("SELECT count(*) FROM alerts WHERE level = 'high' AND key LIKE ?",
                                         "%203.0.113.66%")[0][0] == 1, what="the brute force from the other sender")
        finally:
            for s in hog:
                s.close()
        self.stopped(vigie)
        tcp = f"tcp://127.0.0.1:{vigie.port}"
        self.assertEqual(vigie.counter("vigie_tcp_connections_refused_total", input=tcp, reason="per_peer"), 6)
        self.assertEqual(vigie.counter("vigie_tcp_connections_refused_total", input=tcp, reason="limit"), 0)

    def test_a_trickling_client_is_closed_and_counted(self):
        vigie = with_options(Vigie(self.tmp), tcp="min_rate: 1000, min_rate_window: 300ms")
        vigie = self.track(vigie.start())
        s = socket.create_connection(("127.0.0.1", vigie.port))
        s.sendall(b"<13>Nov 22 10:00:00 host app: one byte at a time ")
        closed = False
        deadline = time.monotonic() + 10
        while not closed and time.monotonic() < deadline:
            try:
                s.sendall(b"x")
            except OSError:
                closed = True
            if "inside an unfinished message" in vigie.log_text():
                closed = True
            time.sleep(0.05)
        s.close()
        self.assertTrue(closed, vigie.log_text())
        self.stopped(vigie)
        self.assertEqual(vigie.counter("vigie_tcp_slow_closed_total"), 1)
        self.assertEqual(vigie.counter("vigie_events_parsed_total"), 1)  # what it sent is kept

    def test_sigterm_with_lines_in_the_socket_buffer_loses_none_uncounted(self):
        vigie = self.track(Vigie(self.tmp).start())
        n = 100_000
        payload = "".join(f"<13>Nov 22 10:00:00 host app: line {i} of the drain test\n" for i in range(n)).encode()
        s = socket.create_connection(("127.0.0.1", vigie.port))
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        vigie.proc.terminate()  # SIGTERM right after the sender closed
        s.settimeout(20)
        try:
            clean = s.recv(1) == b""  # EOF: the daemon read everything before closing
        except OSError:
            clean = False  # reset: the daemon closed with bytes unread (must then be counted)
        s.close()
        self.assertEqual(vigie.proc.wait(30), 0, vigie.log_text()[-3000:])
        received = self.assert_accounted(vigie)
        self.assertTrue(clean, "the daemon closed the connection before reading what the kernel held")
        self.assertEqual(received, n)

    def test_n_lines_over_tcp_and_udp_add_up_to_n(self):
        vigie = self.track(Vigie(self.tmp).start())
        path = os.path.join(self.tmp, "lines.log")
        n = 2000
        with open(path, "w") as f:
            f.write("".join(f"counted line {i}\n" for i in range(n)))
        base = ["logger", "-n", "127.0.0.1", "-P", str(vigie.port), "--rfc3164", "-t", "app", "-f", path]
        subprocess.run(base + ["-T", "--octet-count"], check=True)
        subprocess.run(base + ["-d"], check=True)
        self.stopped(vigie)
        tcp = f"tcp://127.0.0.1:{vigie.port}"
        udp = f"udp://127.0.0.1:{vigie.port}"
        self.assertEqual(vigie.counter("vigie_events_received_total", input=tcp), n)
        self.assertEqual(vigie.counter("vigie_events_received_total", input=udp) +
                         vigie.counter("vigie_events_dropped_total", input=udp, reason="kernel"), n)
        self.assertEqual(self.assert_accounted(vigie) + vigie.counter("vigie_events_dropped_total", reason="kernel"),
                         2 * n)

    def test_a_second_daemon_on_the_same_udp_port_fails_to_start(self):
        first = self.track(Vigie(self.tmp).start())
        other_dir = os.path.join(self.tmp, "second")
        os.mkdir(other_dir)
        second = Vigie(other_dir)
        with open(second.config) as f:
            text = f.read()
        busy = f"udp://127.0.0.1:{first.port}"
        with open(second.config, "w") as f:
            f.write(text.replace(f"udp://127.0.0.1:{second.port}", busy))
        r = subprocess.run([VIGIE, "serve", "--config", second.config], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(busy, r.stderr)
        self.assertIn("address already in use", r.stderr.lower())
        self.assertTrue(first.alive())

    def test_a_connection_cap_above_the_open_file_limit_is_refused_at_start(self):
        vigie = Vigie(self.tmp)  # default max_connections: 1024

        def low_limit():
            resource.setrlimit(resource.RLIMIT_NOFILE, (512, 512))

        # `check` (the unit's ExecStartPre, same limits) says so too, before serve is started.
        for command in ("check", "serve"):
            r = subprocess.run([VIGIE, command, "--config", vigie.config], capture_output=True, text=True, timeout=30,
                               preexec_fn=low_limit)
            self.assertEqual(r.returncode, 1, command + ": " + r.stderr)
            self.assertIn("max_connections (total 1024", r.stderr)
            self.assertIn("hard limit 512", r.stderr)

    def test_out_of_descriptors_accept_is_counted_retried_and_recovers(self):
        """The daemon's open-file limit lowered under it (prlimit, as an operator's mistake or
        another process's leak would leave it): accept fails with EMFILE, is counted and logged,
        retried; once descriptors are back, a sender gets through and its attack is seen."""
        vigie = self.track(Vigie(self.tmp).start())
        pid = vigie.proc.pid
        soft, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
        in_use = len(os.listdir(f"/proc/{pid}/fd"))
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (in_use, hard))  # not one more
        clients = [socket.create_connection(("127.0.0.1", vigie.port)) for _ in range(4)]  # the kernel queues them
        wait_for(lambda: "accept failed: Too many open files" in vigie.log_text(), what="the accept error logged")
        self.assertTrue(vigie.alive())
        for c in clients:
            c.close()
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft, hard))
        for i in range(10):
            vigie.logger(f"Failed password for root from 203.0.113.77 port {41000 + i} ssh2", tcp=True)
        wait_for(lambda: vigie.query("SELECT count(*) FROM alerts WHERE rule_id = 'vigie-ssh-bruteforce'")[0][0] == 1,
                 what="the brute force over TCP after the descriptors came back")
        self.assertEqual(vigie.stop(), 0)
        self.assertGreaterEqual(vigie.counter("vigie_tcp_accept_errors_total", reason="emfile"), 1)


if __name__ == "__main__":
    unittest.main()
