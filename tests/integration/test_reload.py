"""Administrators tune rules and reload without downtime (SIGHUP, as `systemctl reload` sends):
a valid change takes effect, a broken one is reported with file:line and the previous rule set
stays active; the daemon keeps running and keeps what it already accepted."""
import os
import re
import shutil
import signal
import subprocess
import textwrap
import threading
import time
import unittest

from harness import SOURCE_DIR, Vigie, VigieTestCase, run_vigie, wait_for

MARKER_RULE = """\
title: marker seen
id: test-marker
level: medium
detection: {{ s: {{ message|contains: '{marker}' }}, condition: s }}
"""


class Reload(VigieTestCase):
    def setUp(self):
        super().setUp()
        self.rules = os.path.join(self.tmp, "rules")
        shutil.copytree(os.path.join(SOURCE_DIR, "rules"), self.rules)
        self.vigie = self.track(Vigie(self.tmp, rules=[self.rules]).start())

    def write_rule(self, name, text):
        with open(os.path.join(self.rules, "detection", name), "w") as f:
            f.write(textwrap.dedent(text))

    def hup_and_wait(self, what):
        before = self.vigie.log_text().count(what)
        self.vigie.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: self.vigie.log_text().count(what) > before, what=what)

    def alerts_of(self, rule_id):
        return self.vigie.query("SELECT count(*) FROM alerts WHERE rule_id = ?", rule_id)[0][0]

    def test_a_new_rule_takes_effect_and_a_broken_one_keeps_the_previous_set(self):
        self.vigie.logger("marker-one seen", tag="app")
        # The shipped pack grows: count relative to what was loaded at start.
        loaded = lambda: [int(n) for n in re.findall(r"rules: (\d+) rule\(s\)", self.vigie.log_text())]
        shipped = loaded()[-1]
        self.write_rule("local.yml", MARKER_RULE.format(marker="marker-one"))
        self.hup_and_wait("rules reloaded")
        # What changed, by rule id (the shipped files are untouched).
        self.assertIn("rules reloaded: +1 \u22120 ~0 (added test-marker)", self.vigie.log_text())
        wait_for(lambda: len(loaded()) >= 2, what="the reload summary")
        self.assertEqual(loaded()[-1], shipped + 1)
        self.vigie.logger("marker-one seen again", tag="app")
        wait_for(lambda: self.alerts_of("test-marker") == 1, what="the new rule's alert")
        # The same rule edited: changed, not added.
        self.write_rule("local.yml", MARKER_RULE.format(marker="marker-one") + "tags: [local]\n")
        self.hup_and_wait("rules reloaded: +0 \u22120 ~1 (changed test-marker)")

        # A broken edit: reported with file and line, the previous set (with test-marker) stays.
        self.write_rule("local.yml", MARKER_RULE.format(marker="marker-two") + "  bogus: [\n")
        self.hup_and_wait("reload failed")
        log = self.vigie.log_text()
        self.assertRegex(log, r"local\.yml:\d+")
        self.assertIn("the previous rule set stays active", log)
        self.assertTrue(self.vigie.alive())
        # The old rule still matches; within its suppress_for the hit updates the open alert.
        self.vigie.logger("marker-one once more", tag="app")
        wait_for(lambda: self.vigie.query("SELECT count FROM alerts WHERE rule_id = 'test-marker'")[0][0] == 2,
                 what="the old rule still matching after the failed reload")
        self.assertEqual(self.vigie.stop(), 0)
        self.assertEqual(self.vigie.counter("vigie_reload_failures_total"), 1)

    def test_an_attack_in_progress_keeps_its_alert_across_a_reload(self):
        def failures(first, n):
            for i in range(first, first + n):
                self.vigie.logger(f"Failed password for root from 203.0.113.50 port {40000 + i} ssh2")
        failures(0, 10)
        wait_for(lambda: self.alerts_of("vigie-ssh-bruteforce") == 1, what="the brute-force alert")
        failures(10, 4)  # a window in progress for the next firing
        self.write_rule("local.yml", MARKER_RULE.format(marker="unrelated"))
        self.hup_and_wait("rules reloaded")
        failures(14, 6)  # 4 before the reload + 6 after: the second firing
        wait_for(lambda: self.vigie.query(
            "SELECT count FROM alerts WHERE rule_id = 'vigie-ssh-bruteforce'") == [(20,)],
            what="one alert, updated to 20 events")

    def test_vigie_reload_checks_first_then_waits_for_the_daemon(self):
        """`vigie reload`: rules that do not compile are reported and the daemon left alone;
        valid ones are reloaded by the daemon, whose summary the command prints."""
        reload = lambda: run_vigie("reload", "--config", self.vigie.config, "--timeout", "60")
        self.write_rule("local.yml", MARKER_RULE.format(marker="marker-r") + "  bogus: [\n")
        r = reload()
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertRegex(r.stderr, r"local\.yml:\d+")
        self.assertIn("reload not asked", r.stderr)
        self.assertNotIn("reloading rules", self.vigie.log_text())  # not signalled

        self.write_rule("local.yml", MARKER_RULE.format(marker="marker-r"))
        r = reload()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("rules reloaded: +1 \u22120 ~0 (added test-marker)", r.stdout)
        self.vigie.logger("marker-r seen", tag="app")
        wait_for(lambda: self.alerts_of("test-marker") == 1, what="the reloaded rule's alert")
        r = reload()  # nothing changed: a second reload says so
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("rules reloaded: +0 \u22120 ~0", r.stdout)

        self.assertEqual(self.vigie.stop(), 0)
        r = reload()
        self.assertEqual(r.returncode, 1)
        self.assertIn("no vigie serve runs on", r.stderr)

    def test_reloads_under_a_steady_load_lose_and_double_nothing(self):
        """Lines keep coming over TCP (util-linux logger, a file at a time) while the rules are
        reloaded three times, once with a change: every line is matched exactly once by a rule
        present in every set. The time from the signal to the new set in force is logged."""
        self.write_rule("load.yml", MARKER_RULE.format(marker="steady-load").replace("test-marker", "test-load"))
        self.hup_and_wait("rules reloaded")
        per_file = 2_000
        path = os.path.join(self.tmp, "load.txt")
        with open(path, "w") as f:
            f.writelines(f"steady-load line {i:06d}\n" for i in range(per_file))
        reloads, sent, done = [], [0], threading.Event()

        def send_until_done():  # a file at a time until the reloads are over, then one more
            while not done.is_set() or sent[0] == 0:
                subprocess.run(["logger", "-n", "127.0.0.1", "-P", str(self.vigie.port), "--rfc3164", "-t", "app",
                                "-T", "--octet-count", "-f", path], check=True)
                sent[0] += 1

        sender = threading.Thread(target=send_until_done)
        sender.start()
        for k in range(3):
            time.sleep(0.2)
            if k == 1:  # a change in the middle: a new rule beside the counting one
                self.write_rule("local.yml", MARKER_RULE.format(marker="unrelated"))
            r = run_vigie("reload", "--config", self.vigie.config, "--timeout", "60")
            self.assertEqual(r.returncode, 0, r.stderr)
            reloads.append(r.stdout.strip())
        done.set()
        sender.join()
        lines = sent[0] * per_file
        self.assertTrue(all(re.search(r" in \d+\.\d\d s$", line) for line in reloads), reloads)
        self.assertIn("added test-marker", reloads[1])
        print(f"\nreload under load ({lines} lines): " + "; ".join(line.rsplit(" in ", 1)[1] for line in reloads),
              flush=True)
        # The daemon received every line before it is stopped (TCP: the sender is done).
        self.assertEqual(self.vigie.stop(), 0)
        self.assertEqual(self.vigie.counter("vigie_rule_hits_total", rule="test-load"), lines)


if __name__ == "__main__":
    unittest.main()
