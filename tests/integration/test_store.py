"""The store's guarantees with the real daemon: one daemon per database, no alert lost to a full
disk (a small tmpfs as the storage directory, filled and freed), a failing store thread ends
`serve` with status 1 and a message."""
import os
import re
import subprocess
import tempfile
import unittest

from harness import Vigie, VigieTestCase, maildir_messages, run_vigie, wait_for

ATTACKER = "183.62.140.253"


def brute_force(vigie, source=ATTACKER, n=10):
    for i in range(n):
        vigie.logger(f"Failed password for root from {source} port {40000 + i} ssh2")


def high_alerts(vigie):
    return vigie.query("SELECT id, count FROM alerts WHERE level = 'high'")


def fill(directory):
    """Writes a file until the filesystem refuses a single block more; returns its path."""
    path = os.path.join(directory, "filler")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 4096, 512):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)
    return path


class OneDaemonPerDatabase(VigieTestCase):
    def test_a_second_serve_on_the_same_database_exits_1_naming_the_first(self):
        first = self.track(Vigie(self.tmp).start())
        second = run_vigie("serve", "--config", first.config, timeout=30)
        self.assertEqual(second.returncode, 1, second.stderr)
        self.assertIn(f"pid {first.proc.pid}", second.stderr)
        self.assertIn("vigie.db", second.stderr)
        self.assertTrue(first.alive(), "the first daemon keeps running")
        self.assertEqual(first.stop(), 0)
        # Released at exit: the same database can be served again.
        again = self.track(first.same_config().start())
        self.assertEqual(again.stop(), 0)


class StoreThreadFailure(VigieTestCase):
    def test_a_store_thread_that_cannot_start_ends_serve_with_status_1(self):
        vigie = Vigie(self.tmp)
        # The journal of unstored alerts cannot be a directory: the store thread fails at start.
        os.makedirs(vigie.db + "-unstored.jsonl")
        r = run_vigie("serve", "--config", vigie.config, timeout=60)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertRegex(r.stderr, r"thread store failed: .*vigie\.db-unstored\.jsonl")
        self.assertIn("stopped after a thread failure", r.stderr)
        self.assertNotIn("terminate called", r.stderr)


class DiskFull(VigieTestCase):
    def setUp(self):
        super().setUp()
        # Outside self.tmp: the harness removes that before the cleanups below run.
        self.mnt = tempfile.mkdtemp(prefix="vigie-tmpfs-")
        self.addCleanup(os.rmdir, self.mnt)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", self.mnt], capture_output=True, text=True)
        if r.returncode != 0:
            self.skipTest(f"cannot mount a tmpfs on {self.mnt} (needs root): {r.stderr.strip()}")
        self.addCleanup(self.unmount)

    def unmount(self):
        for p in reversed(self._procs):  # the daemon holds files there
            try:
                p.stop()
            except Exception:
                pass
        subprocess.run(["umount", "-l", self.mnt], check=False)

    def daemon(self):
        vigie = Vigie(self.tmp)
        db = os.path.join(self.mnt, "vigie.db")
        with open(vigie.config) as f:
            text = f.read().replace(f"storage: {{ path: {vigie.db} }}", f"storage: {{ path: {db} }}")
        with open(vigie.config, "w") as f:
            f.write(text)
        vigie.db = db
        return vigie

    def journal_text(self):
        try:
            with open(os.path.join(self.mnt, "vigie.db-unstored.jsonl"), encoding="utf-8") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def high_mails(self):
        return [m for m in maildir_messages(os.path.join(self.mnt, "maildir"))
                if "[HIGH]" in str(m["Subject"]) or ATTACKER in m.get_payload(decode=True).decode("utf-8", "replace")]

    def fill_and_attack(self, vigie):
        filler = fill(self.mnt)
        brute_force(vigie)
        wait_for(lambda: "not stored, kept for a retry" in vigie.log_text(), what="a failed store")
        wait_for(lambda: ATTACKER in self.journal_text(), what="the alert in the journal")
        self.assertEqual(high_alerts(vigie), [], "not stored while the disk is full")
        self.assertEqual(self.high_mails(), [])
        self.assertNotIn("alert not stored:", vigie.log_text())
        return filler

    def test_a_disk_that_fills_and_is_freed_loses_no_alert(self):
        vigie = self.track(self.daemon().start())
        filler = self.fill_and_attack(vigie)
        os.unlink(filler)
        rows = wait_for(lambda: high_alerts(vigie), what="the alert stored once the disk has room")
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][1], 10)
        wait_for(lambda: len(self.high_mails()) >= 2, what="the mails to the list and the site")
        wait_for(lambda: self.journal_text() == "", what="the journal emptied")
        self.assertEqual(vigie.stop(), 0)
        self.assertGreaterEqual(vigie.counter("vigie_store_journal_appended_total"), 1)
        self.assertEqual(vigie.counter("vigie_alerts_lost_total"), 0)
        self.assertEqual(vigie.counter("vigie_alerts_stored_total"), 1, "counted once, when really stored")

    def test_alerts_journaled_before_a_stop_are_stored_and_mailed_at_the_next_start(self):
        vigie = self.track(self.daemon().start())
        filler = self.fill_and_attack(vigie)
        self.assertEqual(vigie.stop(), 0)
        self.assertIn("for the next start", vigie.log_text())
        os.unlink(filler)
        again = self.track(vigie.same_config().start())
        rows = wait_for(lambda: high_alerts(again), what="the journaled alert stored at start")
        self.assertEqual(rows[0][1], 10)
        wait_for(lambda: len(self.high_mails()) >= 2, what="its mails")
        self.assertEqual(self.journal_text(), "")
        self.assertEqual(again.stop(), 0)
        self.assertEqual(again.counter("vigie_store_journal_replayed_total"), 1)


if __name__ == "__main__":
    unittest.main()
