"""The command line as an operator and an administrator use it: check, replay, rules test,
exit codes and error messages that name the file and line."""
import json
import os
import sqlite3
import subprocess
import textwrap
import unittest

from harness import SOURCE_DIR, Vigie, VigieTestCase, maildir_messages, run_vigie

RULES = os.path.join(SOURCE_DIR, "rules")


def write(path, text):
    with open(path, "w") as f:
        f.write(textwrap.dedent(text))
    return path


class Cli(VigieTestCase):
    def config(self, rules=RULES, extra=""):
        return write(os.path.join(self.tmp, "vigie.yml"), f"""\
            storage: {{ path: {self.tmp}/vigie.db }}
            rules: {{ paths: [{rules}] }}
            """ + extra)

    def test_usage_error_exits_2(self):
        self.assertEqual(run_vigie("replay").returncode, 2)
        self.assertEqual(run_vigie("no-such-command").returncode, 2)

    def test_check_accepts_the_demo_configuration(self):
        r = run_vigie("check", "--config", os.path.join(SOURCE_DIR, "deploy/demo/vigie.yml"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("OK", r.stdout)
        self.assertIn("spool: " + os.path.normpath(os.path.join(SOURCE_DIR, "var", "spool")) + ", read files moved to ",
                      r.stdout)

    def test_check_lists_every_error_with_file_and_line(self):
        cfg = write(os.path.join(self.tmp, "bad.yml"), """\
            storage: { path: x.db }
            sites:
              - { id: a, networks: [10.0.0.0/33] }
            notfy: {}
            """)
        r = run_vigie("check", "--config", cfg)
        self.assertEqual(r.returncode, 1)
        self.assertIn("bad.yml:3", r.stderr)
        self.assertIn("bad.yml:4", r.stderr)

    def test_invalid_rule_at_start_is_reported_and_serve_exits_1(self):
        rules = os.path.join(self.tmp, "rules")
        os.mkdir(rules)
        write(os.path.join(rules, "broken.yml"), """\
            title: Broken
            id: broken-rule
            level: high
            detection:
              selection: { message|nosuchmodifier: x }
              condition: selection
            """)
        vigie = Vigie(self.tmp, rules=[rules])
        r = run_vigie("serve", "--config", vigie.config, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"broken\.yml:5")
        self.assertIn("nosuchmodifier", r.stderr)

    def test_replay_prints_one_json_alert_per_line(self):
        log = os.path.join(self.tmp, "auth.log")
        with open(log, "w") as f:
            for i in range(12):
                f.write(f"<38>Nov 22 10:00:{i:02d} srv-dpi sshd[2211]: Failed password for invalid user admin"
                        f" from 183.62.140.253 port {40000 + i} ssh2\n")
            f.write("Nov 22 10:01:00 srv-dpi CRON[99]: (root) CMD (run-parts /etc/cron.hourly)\n")  # no PRI
        r = run_vigie("replay", "--config", self.config(), "--format", "json", log)
        self.assertEqual(r.returncode, 0, r.stderr)
        alerts = [json.loads(line) for line in r.stdout.splitlines()]
        high = [a for a in alerts if a["rule"]["level"] == "high"]
        self.assertEqual(len(high), 1, r.stdout)
        a = high[0]
        self.assertEqual(a["key"].get("source.ip"), "183.62.140.253")
        self.assertGreaterEqual(a["count"], 10)
        for k in ("id", "rule", "site", "key", "count", "first_seen", "last_seen", "summary", "evidence", "ioc", "advisory"):
            self.assertIn(k, a)
        self.assertTrue(a["evidence"])

    def test_replay_deliver_stores_and_mails_each_alert_once_in_its_final_state(self):
        log = os.path.join(self.tmp, "auth.log")
        with open(log, "w") as f:
            for i in range(30):  # fires at 10, 20, 30: one alert, then two updates within suppress_for
                f.write(f"<38>Nov 22 10:{i // 60:02d}:{i % 60:02d} srv-dpi sshd[2211]: Failed password for root"
                        f" from 183.62.140.253 port {40000 + i} ssh2\n")
        cfg = self.config(extra="notify: { hostname: vigie.test.example }\n")
        r = run_vigie("replay", "--config", cfg, "--deliver", log)
        self.assertEqual(r.returncode, 0, r.stderr)
        con = sqlite3.connect(os.path.join(self.tmp, "vigie.db"))
        try:
            rows = con.execute("SELECT id, count FROM alerts WHERE rule_id = 'vigie-ssh-bruteforce'").fetchall()
            self.assertEqual(len(rows), 1, rows)
            alert_id, count = rows[0]
            self.assertEqual(count, 30)
            status = con.execute("SELECT DISTINCT status FROM deliveries WHERE alert_id = ?", (alert_id,)).fetchall()
            self.assertEqual(status, [("sent",)])
        finally:
            con.close()
        mails = [m for m in maildir_messages(os.path.join(self.tmp, "maildir")) if m["X-Vigie-Alert-Id"] == alert_id]
        self.assertEqual(len(mails), 1)  # the default receiver: root@localhost and no site (file input)
        self.assertEqual(mails[0]["Message-ID"], f"<{alert_id}@vigie.test.example>")
        self.assertIn("Occurrences    : 30", mails[0].get_payload(decode=True).decode())

    def test_replay_cuts_oversized_lines_like_the_network_inputs(self):
        log = os.path.join(self.tmp, "big.log")
        with open(log, "w") as f:
            f.write("<38>Nov 22 10:00:00 srv app: " + "A" * (1 << 20) + "\n")
            for i in range(10):
                f.write(f"<38>Nov 22 10:00:{i:02d} srv sshd[1]: Failed password for root from 192.0.2.44 port {i} ssh2\n")
        r = run_vigie("replay", "--config", self.config(), "--format", "json", log)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("big.log: 1 line(s) longer than inputs.max_message_size, truncated to 65536 bytes", r.stderr)
        alerts = [json.loads(line) for line in r.stdout.splitlines()]
        self.assertTrue(any(a["key"].get("source.ip") == "192.0.2.44" for a in alerts), r.stdout)

    def test_replay_of_a_missing_file_exits_1_and_names_it(self):
        r = run_vigie("replay", "--config", self.config(), os.path.join(self.tmp, "absent.log"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("absent.log", r.stderr)

    def test_shipped_rules_pass_their_tests(self):
        r = run_vigie("rules", "test", RULES)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"[1-9]\d* passed, 0 failed")

    def test_a_failing_rule_test_exits_1(self):
        rules = os.path.join(self.tmp, "rules")
        os.mkdir(rules)
        write(os.path.join(rules, "r.yml"), """\
            title: Root login
            id: root-login
            level: medium
            detection:
              selection: { message|contains: "session opened for user root" }
              condition: selection
            tests:
              - description: a line that does not match, but the test expects an alert
                logs: ["<38>Nov 22 10:00:00 srv su[1]: nothing to see"]
                expect: [{ rule: root-login, count: 1 }]
            """)
        r = run_vigie("rules", "test", rules)
        self.assertEqual(r.returncode, 1)
        self.assertIn("FAIL", r.stdout)
        self.assertIn("r.yml:", r.stdout)


    def test_a_process_refused_executable_memory_says_its_captures_lost_pcre2_jit(self):
        # The restriction systemd's MemoryDenyWriteExecute= applies, set by the kernel's
        # PR_SET_MDWE (Linux 6.3+) before exec; the replay's alerts are the same, only slower.
        log = os.path.join(self.tmp, "auth.log")
        with open(log, "w") as f:
            for i in range(10):
                f.write(f"<38>Mar 10 10:00:{i:02d} srv-web01 sshd[123]: Failed password for root from "
                        f"183.62.140.253 port {40000 + i} ssh2\n")
        cfg = os.path.join(self.tmp, "vigie.yml")
        with open(cfg, "w") as f:
            f.write(f"storage: {{ path: {self.tmp}/vigie.db }}\nrules: {{ paths: [{SOURCE_DIR}/rules] }}\n")
        probe = subprocess.run(["/usr/bin/python3", "-c",
                                "import ctypes,sys; sys.exit(ctypes.CDLL(None).prctl(65, 1, 0, 0, 0) != 0)"])
        if probe.returncode != 0:
            self.skipTest("this kernel has no PR_SET_MDWE (Linux 6.3+)")
        plain = run_vigie("replay", "--config", cfg, log)
        restricted = subprocess.run(
            ["/usr/bin/python3", "-c",
             "import ctypes,os,sys; ctypes.CDLL(None).prctl(65, 1, 0, 0, 0); os.execv(sys.argv[1], sys.argv[1:])",
             os.environ["VIGIE_BIN"], "replay", "--config", cfg, log], capture_output=True, text=True, timeout=60)
        self.assertEqual(restricted.returncode, 0, restricted.stderr)
        self.assertIn("PCRE2 JIT unavailable", restricted.stderr)
        self.assertNotIn("PCRE2 JIT unavailable", plain.stderr)
        self.assertEqual(restricted.stdout, plain.stdout)
        self.assertIn("vigie-ssh-bruteforce", plain.stdout)


if __name__ == "__main__":
    unittest.main()
