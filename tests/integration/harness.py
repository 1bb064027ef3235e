"""Helpers for Vigie's integration tests: real processes on loopback, ephemeral ports.

Every test starts the real `vigie` binary, real syslog senders (`logger`, raw sockets) and a
real SMTP server (Debian's python3-aiosmtpd) and inspects what a user would see: mail in a
maildir, rows in the SQLite database, exit codes and error messages.
"""
import copy
import mailbox
import os
import re
import signal
import socket
import sqlite3
import subprocess
import tempfile
import textwrap
import time
import unittest

VIGIE = os.environ["VIGIE_BIN"]
SOURCE_DIR = os.environ["VIGIE_SOURCE_DIR"]
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's interpreter, the one that has aiosmtpd


def free_port(kind=socket.SOCK_STREAM):
    """A port that is free for both UDP and TCP at the time of the call."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            t.bind(("127.0.0.1", 0))
            port = t.getsockname()[1]
            try:
                u.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


def wait_for(predicate, timeout=20.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def wait_port(port, timeout=15.0):
    def connectable():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            return False
    wait_for(connectable, timeout, what=f"port {port}")


def self_signed_cert(workdir, cn="127.0.0.1"):
    """A certificate and key for a loopback server, made with openssl; returns (cert, key)."""
    cert, key = os.path.join(workdir, "server.crt"), os.path.join(workdir, "server.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={cn}",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", cert],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


class PeerProcess:
    """A real peer (aiosmtpd, http.server) started with `_spawn(cmd)`, its output in `log_path`."""

    def __init__(self, log_path, port=None):
        self.port = port or free_port()
        self.log_path = log_path
        self.proc = None

    def _spawn(self, cmd):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=log)
        wait_port(self.port)
        return self

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class SmtpServer(PeerProcess):
    """aiosmtpd storing every message it accepts in a maildir. With `policy` (arguments of
    smtp_relay.py: ["--tls", cert, key, "--auth", user, password_file], ["--refuse-rcpt", addr],
    ["--reject-data"]) it behaves like a relay with that policy."""

    def __init__(self, workdir, port=None, policy=None):
        port = port or free_port()
        super().__init__(os.path.join(workdir, f"smtp-{port}.log"), port)
        self.maildir = os.path.join(workdir, f"smtp-{self.port}")
        self.policy = policy

    def start(self):
        if self.policy is not None:
            cmd = [SYSTEM_PYTHON, os.path.join(os.path.dirname(__file__), "smtp_relay.py"), str(self.port),
                   self.maildir, *self.policy]
        else:
            cmd = [SYSTEM_PYTHON, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}",
                   "-c", "aiosmtpd.handlers.Mailbox", self.maildir]
        return self._spawn(cmd)

    def messages(self):
        if not os.path.isdir(os.path.join(self.maildir, "new")):
            return []
        return list(mailbox.Maildir(self.maildir, create=False))


class HttpServer(PeerProcess):
    """Python's http.server on loopback serving a directory (it answers If-Modified-Since), behind
    TLS when given (cert, key)."""

    TLS = ("import http.server, ssl, sys, functools\n"
           "h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[2])\n"
           "srv = http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), h)\n"
           "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[3], sys.argv[4])\n"
           "srv.socket = ctx.wrap_socket(srv.socket, server_side=True)\n"
           "srv.serve_forever()\n")

    def __init__(self, workdir, tls=None, port=None):
        super().__init__(os.path.join(workdir, "http.log"), port)
        self.tls = tls
        self.dir = os.path.join(workdir, "www")
        os.makedirs(self.dir, exist_ok=True)

    def start(self):
        if self.tls:
            return self._spawn([SYSTEM_PYTHON, "-c", self.TLS, str(self.port), self.dir, *self.tls])
        return self._spawn([SYSTEM_PYTHON, "-m", "http.server", str(self.port), "--bind", "127.0.0.1",
                            "--directory", self.dir])

    def put(self, name, text, age=0):
        """Serves `text` as `name`, dated a fixed second + age (Last-Modified tells versions apart)."""
        path = os.path.join(self.dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        t = 1_764_000_000 + age
        os.utime(path, (t, t))
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}/{name}"


def maildir_messages(path):
    if not os.path.isdir(os.path.join(path, "new")):
        return []
    return list(mailbox.Maildir(path, create=False))


class Vigie:
    """A `vigie serve` process on a config written into a temporary directory."""

    DEFAULT_SITES = """\
        - { id: ch-test, name: "CH de Test", networks: [127.0.0.0/8], timezone: Europe/Paris,
            contacts: [rssi@ch-test.example] }
        """

    def __init__(self, workdir, smtp_port=None, rules=None, extra="", smtp_options="", sites=None, inputs="",
                 netns=None):
        """inputs: YAML lines added under `inputs:` (two-space indented keys); netns: run the daemon
        inside that network namespace (its syslog ports are then not reachable from here)."""
        self.workdir = workdir
        self.netns = netns
        self.port = free_port()
        self.db = os.path.join(workdir, "vigie.db")
        self.log_path = os.path.join(workdir, "vigie.log")
        self.proc = None
        rules = rules or [os.path.join(SOURCE_DIR, "rules")]
        smtp = ""
        if smtp_port:
            options = smtp_options or "starttls: never"
            smtp = (f'  smtp: {{ url: "smtp://127.0.0.1:{smtp_port}", {options}, '
                    f'from: "Vigie <vigie@test.example>" }}\n')
        self.config = os.path.join(workdir, "vigie.yml")
        with open(self.config, "w") as f:
            f.write(f"storage: {{ path: {self.db} }}\n")
            f.write("sites:\n" + textwrap.indent(textwrap.dedent(sites or self.DEFAULT_SITES), "  "))
            f.write("inputs:\n" + textwrap.indent(textwrap.dedent(inputs), "  "))
            f.write(textwrap.dedent(f"""\
                  syslog:
                    - {{ listen: "udp://127.0.0.1:{self.port}" }}
                    - {{ listen: "tcp://127.0.0.1:{self.port}" }}
                rules: {{ paths: [{", ".join(rules)}] }}
                """))
            notify = textwrap.dedent("""\
                hostname: vigie.test.example
                retry_initial: 200ms
                retry_max: 1s
                receivers:
                  - { name: regional-list, email: { to: [alertes-ssi@listes.example] } }
                  - { name: site-contacts, email: { to_site_contacts: true } }
                routes:
                  - { match: { level: [high, critical] }, receivers: [regional-list, site-contacts] }
                  - { match: {}, receivers: [site-contacts] }
                """)
            # Every line of the notify block sits two spaces under `notify:`.
            f.write("notify:\n" + smtp + textwrap.indent(notify, "  ") + extra)

    def start(self):
        self.log = open(self.log_path, "ab")
        prefix = ["ip", "netns", "exec", self.netns] if self.netns else []  # ip execs vigie: same pid
        self.proc = subprocess.Popen(prefix + [VIGIE, "serve", "--config", self.config], stdout=self.log,
                                     stderr=self.log)
        wait_for(lambda: "vigie ready" in self.log_text() or self.proc.poll() is not None, what="vigie ready")
        if self.proc.poll() is not None:
            raise AssertionError("vigie exited at start:\n" + self.log_text())
        if not self.netns:
            wait_port(self.port)
        return self

    def same_config(self):
        """A new, unstarted process on this one's config, database and ports (restart after a crash)."""
        other = copy.copy(self)
        other.proc = None
        return other

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def counter(self, name, **labels):
        """Sum of a counter over the label sets that include `labels`, from the `counter ...`
        lines the daemon logs when it stops (call after stop())."""
        total = 0
        for m in re.finditer(r"counter (\w+)(?:\{(.*?)\})? (\d+)$", self.log_text(), re.M):
            if m.group(1) != name:
                continue
            have = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
            if all(have.get(k) == v for k, v in labels.items()):
                total += int(m.group(3))
        return total

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.log.close()

    def stop(self):
        try:
            if self.alive():
                self.proc.terminate()
                try:
                    return self.proc.wait(20)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    raise AssertionError("vigie did not stop within 20s of SIGTERM")
            return self.proc.returncode if self.proc else None
        finally:
            if self.proc and self.proc.poll() is not None and not self.log.closed:
                self.log.close()

    def query(self, sql, *args):
        con = sqlite3.connect(self.db, timeout=10)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def logger(self, message, tag="sshd", tcp=False, extra=()):
        """Sends one message with util-linux logger (RFC 3164 framing like a site's host)."""
        cmd = ["logger", "-n", "127.0.0.1", "-P", str(self.port), "--rfc3164", "-t", tag]
        cmd += ["-T", "--octet-count"] if tcp else ["-d"]
        subprocess.run(cmd + list(extra) + [message], check=True)


def run_vigie(*args, timeout=60):
    return subprocess.run([VIGIE, *args], capture_output=True, text=True, timeout=timeout)


class VigieTestCase(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="vigie-it-")
        self.tmp = self._tmp.name
        self._procs = []

    def tearDown(self):
        for p in reversed(self._procs):
            try:
                p.stop()
            except Exception:
                pass
        if os.environ.get("VIGIE_KEEP_TMP"):
            print("kept", self.tmp)
        else:
            self._tmp.cleanup()

    def track(self, proc):
        self._procs.append(proc)
        return proc
