"""Sigma as published: rules this version cannot run are skipped with file:line and a reason,
counted in a summary, and never block the others; `check --strict` makes a skip an error; a
rule's logsource filters the events it sees (real parser, real replay)."""
import json
import os
import re
import signal
import textwrap
import unittest

from harness import SOURCE_DIR, Vigie, VigieTestCase, run_vigie, wait_for

CORPUS = os.environ.get("VIGIE_CORPUS") or os.path.join(SOURCE_DIR, "..", "shared", "corpus")
SIGMA = os.path.join(CORPUS, "sigma", "rules")

GOOD = """\
    title: Modifying Crontab
    id: crontab-replace
    level: medium
    logsource: { product: linux, service: cron }
    detection:
      keywords: ['REPLACE']
      condition: keywords
    """
# Line 6: a construct this version does not run.
SKIPPED = """\
    title: Encoded command
    id: encoded-command
    level: high
    detection:
      selection:
        CommandLine|windash|base64: '-enc'
      condition: selection
    """
WINDASH = "modifier 'windash' with base64 or base64offset"


def write(path, text):
    with open(path, "w") as f:
        f.write(textwrap.dedent(text))
    return path


class SigmaLoad(VigieTestCase):
    def rules_dir(self, *docs):
        d = os.path.join(self.tmp, "rules")
        os.makedirs(d, exist_ok=True)
        for i, text in enumerate(docs):
            write(os.path.join(d, f"r{i}.yml"), text)
        return d

    def config(self, paths):
        return write(os.path.join(self.tmp, "vigie.yml"), f"""\
            storage: {{ path: {self.tmp}/vigie.db }}
            rules: {{ paths: [{", ".join(paths)}] }}
            """)

    def test_check_warns_on_a_skipped_rule_and_strict_makes_it_an_error(self):
        d = self.rules_dir(GOOD, SKIPPED)
        cfg = self.config([d])
        r = run_vigie("check", "--config", cfg)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(os.path.join(d, "r1.yml") + f":6: skipped: {WINDASH} is not supported", r.stderr)
        # GOOD and the built-in vigie-ioc-match
        self.assertIn(f"2 rule(s) and 0 correlation(s) loaded, 1 skipped: {WINDASH} ×1", r.stdout)
        r = run_vigie("check", "--strict", "--config", cfg)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("r1.yml:6", r.stderr)
        self.assertIn("--strict", r.stderr)

    def test_an_invalid_rule_stays_an_error_beside_a_skipped_one(self):
        d = self.rules_dir(GOOD, SKIPPED, GOOD.replace("crontab-replace", "bad").replace(
            "keywords: ['REPLACE']", "sel: { message|nosuchmodifier: x }").replace("condition: keywords",
                                                                                 "condition: sel"))
        r = run_vigie("check", "--config", self.config([d]))
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"r2\.yml:6: unknown modifier 'nosuchmodifier'")

    def test_replay_logsource_filters_events(self):
        d = self.rules_dir(GOOD)
        log = os.path.join(self.tmp, "mixed.log")
        with open(log, "w") as f:
            f.write("<78>Nov 22 10:00:01 srv-dpi crontab[812]: (root) REPLACE (root)\n")
            f.write("<134>Nov 22 10:00:02 srv-db postgres[4410]: [3-1] LOG:  statement: REPLACE INTO t VALUES (1)\n")
        r = run_vigie("replay", "--config", self.config([d]), "--format", "json", log)
        self.assertEqual(r.returncode, 0, r.stderr)
        alerts = [json.loads(line) for line in r.stdout.splitlines()]
        self.assertEqual(len(alerts), 1, r.stdout)
        self.assertEqual(alerts[0]["count"], 1, r.stdout)  # the postgres line is not counted in
        self.assertIn("crontab", alerts[0]["evidence"][0])
        self.assertNotIn("postgres", json.dumps(alerts[0]))

    def test_serve_logs_the_summary_at_start_and_reload(self):
        d = self.rules_dir(GOOD, SKIPPED)
        vigie = self.track(Vigie(self.tmp, rules=[d]).start())
        self.assertIn("r1.yml:6: skipped:", vigie.log_text())
        self.assertIn("rules: 2 rule(s) and 0 correlation(s) loaded, 1 skipped", vigie.log_text())
        vigie.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: vigie.log_text().count(f"1 skipped: {WINDASH}") >= 2, what="summary after reload")
        os.remove(os.path.join(d, "r1.yml"))
        vigie.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "loaded, 0 skipped" in vigie.log_text(), what="summary after the second reload")
        self.assertEqual(vigie.stop(), 0)
        self.assertEqual(vigie.counter("vigie_rules_loaded"), 2)  # GOOD and the built-in IOC rule
        self.assertEqual(vigie.counter("vigie_rules_skipped"), 0)  # the gauge follows the reload

    def test_sigmahq_folders_load_unmodified(self):
        if not os.path.isdir(SIGMA):
            self.skipTest(f"corpus not found at {SIGMA}")
        paths = [os.path.join(SIGMA, "linux"), os.path.join(SIGMA, "windows")]
        r = run_vigie("check", "--config", self.config(paths), timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])
        for line in r.stderr.splitlines():
            if line.startswith("vigie: "):
                continue
            self.assertRegex(line, r"^/.+\.yml:\d+: skipped: \S")  # never an error, always a reason
        m = re.search(r"rules: (\d+) rule\(s\) and \d+ correlation\(s\) loaded, (\d+) skipped", r.stdout)
        self.assertIsNotNone(m, r.stdout)
        files = sum(1 for p in paths for _, _, fs in os.walk(p) for f in fs if f.endswith(".yml"))
        print(f"\nSigmaHQ linux+windows: {int(m.group(1)) - 1} of {files} files load, {m.group(2)} skipped")
        self.assertEqual(int(m.group(1)) - 1 + int(m.group(2)), files)  # - 1: the built-in vigie-ioc-match


if __name__ == "__main__":
    unittest.main()
