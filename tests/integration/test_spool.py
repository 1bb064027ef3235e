"""The spool of `vigie serve`: a site drops a capture and a log file in its directory; both go
through the rules, their alerts carry that site (its addresses would name none), are stored and
mailed to the site's contact; only then do the files move to .done. A truncated capture goes to
.failed with what was read of it processed; a file still being written waits; and a kill -9
before a file has left the spool has it read again at the next start, never lost."""
import os
import time
import unittest

from harness import SmtpServer, Vigie, VigieTestCase, wait_for
from test_captures import ssh_connections, write_pcap

SITES = """\
    - { id: ch-test, name: "CH de Test", networks: [127.0.0.0/8], timezone: Europe/Paris,
        contacts: [rssi@ch-test.example] }
    - { id: ch-brest, name: "CHU de Brest", networks: [10.30.0.0/16], timezone: Europe/Paris,
        contacts: [rssi@ch-brest.example] }
    """

ATTACKER = "183.62.140.253"


def auth_log(path, source=ATTACKER, n=10, start_minute=0):
    """A day's auth.log as a site's rsyslog writes it (RFC 3164, host name not an address)."""
    with open(path, "w") as f:
        for i in range(n):
            f.write(f"<38>Dec  4 09:{start_minute + i // 60:02d}:{i % 60:02d} web01 sshd[{900 + i}]: "
                    f"Failed password for root from {source} port {40000 + i} ssh2\n")


def aged(path, seconds=60):
    t = time.time() - seconds
    os.utime(path, (t, t))


class Spool(VigieTestCase):
    def spool_vigie(self, smtp_port=None, settle="0s", after=""):
        self.spool = os.path.join(self.tmp, "spool")
        inputs = f"spool: {{ dir: {self.spool}, every: 200ms, settle: {settle}{after} }}\n"
        return Vigie(self.tmp, smtp_port=smtp_port, sites=SITES, inputs=inputs)

    def site_alerts(self, vigie, rule):
        return vigie.query("SELECT site, count FROM alerts WHERE rule_id = ?", rule)

    def test_a_sites_capture_and_log_are_correlated_for_that_site_then_moved(self):
        smtp = self.track(SmtpServer(self.tmp).start())
        vigie = self.track(self.spool_vigie(smtp.port).start())
        brest = os.path.join(self.spool, "ch-brest")
        os.makedirs(os.path.join(brest, "2026-12-04"))
        # Addresses of no site: only the directory says whose capture it is.
        write_pcap(os.path.join(brest, "2026-12-04", "dmz.pcap"), ssh_connections("192.0.2.7", "198.51.100.22", 12))
        auth_log(os.path.join(brest, "auth.log"))
        burst = wait_for(lambda: self.site_alerts(vigie, "vigie-pcap-ssh-burst"), what="the ssh burst alert")
        self.assertEqual(burst[0][0], "ch-brest")
        brute = wait_for(lambda: self.site_alerts(vigie, "vigie-ssh-bruteforce"), what="the brute-force alert")
        self.assertEqual(brute[0][0], "ch-brest")
        done = os.path.join(self.spool, ".done", "ch-brest")
        wait_for(lambda: os.path.exists(os.path.join(done, "2026-12-04", "dmz.pcap"))
                 and os.path.exists(os.path.join(done, "auth.log")), what="both files moved to .done")
        self.assertEqual(os.listdir(os.path.join(brest, "2026-12-04")), [])
        self.assertFalse(os.path.exists(os.path.join(brest, "auth.log")))
        wait_for(lambda: any(m["To"] == "rssi@ch-brest.example" for m in smtp.messages()),
                 what="a mail to the site's contact")
        # A file named like one already done is read too (a site sends auth.log every day).
        auth_log(os.path.join(brest, "auth.log"), source="203.0.113.9")
        wait_for(lambda: os.path.exists(os.path.join(done, "auth.log.1")), what="the second auth.log moved")
        self.assertEqual(vigie.stop(), 0)
        self.assertEqual(vigie.counter("vigie_spool_files_total", outcome="done"), 3)
        self.assertEqual(vigie.counter("vigie_spool_records_total", kind="lines"), 20)
        self.assertEqual(vigie.counter("vigie_spool_records_total", kind="frames"), 96)

    def test_truncated_capture_unknown_site_and_upload_in_progress(self):
        vigie = self.track(self.spool_vigie(settle="3s").start())
        brest = os.path.join(self.spool, "ch-brest")
        os.makedirs(brest)
        whole = os.path.join(self.tmp, "whole.pcap")
        write_pcap(whole, ssh_connections("192.0.2.7", "198.51.100.22", 12))
        with open(whole, "rb") as f:
            data = f.read()
        cut = os.path.join(brest, "cut.pcap")
        with open(cut, "wb") as f:
            f.write(data[:-30])  # the last frame cut short
        aged(cut)
        os.makedirs(os.path.join(self.spool, "ch-nowhere"))
        stray = os.path.join(self.spool, "ch-nowhere", "auth.log")
        auth_log(stray)
        aged(stray)
        fresh = os.path.join(brest, "fresh.log")  # still being written: younger than settle
        auth_log(fresh, n=3)
        wait_for(lambda: os.path.exists(os.path.join(self.spool, ".failed", "ch-brest", "cut.pcap")),
                 what="the truncated capture in .failed")
        wait_for(lambda: os.path.exists(os.path.join(self.spool, ".failed", "ch-nowhere", "auth.log")),
                 what="the unknown site's file in .failed")
        # What was read of the cut capture went through: the burst is there.
        burst = wait_for(lambda: self.site_alerts(vigie, "vigie-pcap-ssh-burst"), what="the burst of the cut file")
        self.assertEqual(burst[0][0], "ch-brest")
        self.assertTrue(os.path.exists(fresh), "a file younger than settle is not taken")
        wait_for(lambda: os.path.exists(os.path.join(self.spool, ".done", "ch-brest", "fresh.log")),
                 timeout=15, what="the settled file taken later")
        self.assertTrue(vigie.alive())
        log = vigie.log_text()
        self.assertIn(f"spool: {cut}: after ", log)
        self.assertIn("truncated", log)
        self.assertIn(f"spool: {stray}: the directory ch-nowhere is not the id of a site (sites[].id); not read", log)
        self.assertEqual(vigie.stop(), 0)
        self.assertEqual(vigie.counter("vigie_spool_files_total", outcome="failed"), 2)

    def test_kill_9_before_a_file_left_the_spool_reads_it_again(self):
        vigie = self.spool_vigie(after=", after: delete")
        brest = os.path.join(vigie.workdir, "spool", "ch-brest")
        os.makedirs(brest)
        path = os.path.join(brest, "auth.log")
        # Large enough that the read is still being settled when it is seen in the log.
        with open(path, "w") as f:
            for i in range(200_000):
                f.write(f"<38>Dec  4 08:{(i // 3600) % 60:02d}:{i % 60:02d} web01 sshd[{i}]: "
                        f"Connection closed by 10.30.{i % 250}.{i % 200} port {1024 + i % 60000} [preauth]\n")
            for i in range(10):
                f.write(f"<38>Dec  4 09:00:{i:02d} web01 sshd[{900 + i}]: "
                        f"Failed password for root from {ATTACKER} port {40000 + i} ssh2\n")
        aged(path)
        vigie.start()
        self.track(vigie)
        wait_for(lambda: f"spool: {path}: " in vigie.log_text(), what="the file read")
        vigie.kill9()
        if not os.path.exists(path):
            # Settled already: then its alert had to be stored before it was deleted.
            self.assertTrue(self.site_alerts(vigie, "vigie-ssh-bruteforce"))
            self.skipTest("the file was settled before the kill (the machine is fast): nothing to read again")
        again = self.track(vigie.same_config().start())
        wait_for(lambda: not os.path.exists(path), timeout=30, what="the file read again and deleted")
        alerts = self.site_alerts(again, "vigie-ssh-bruteforce")
        self.assertTrue(alerts)
        self.assertEqual(alerts[0][0], "ch-brest")
        self.assertEqual(again.stop(), 0)
        self.assertFalse(os.path.exists(os.path.join(self.spool, ".done")), "after: delete keeps no copy")


if __name__ == "__main__":
    unittest.main()
