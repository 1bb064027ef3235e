"""Rule tooling as an administrator uses it: `vigie rules lint` finds each class of problem in
small rule files written for it, and `vigie rules explain` tells which decoder and rules a line
meets, which nearly matched and why — on the shipped rules."""
import json
import os
import textwrap
import unittest

from harness import SOURCE_DIR, VigieTestCase, run_vigie

RULES = os.path.join(SOURCE_DIR, "rules")

FAILED = "<38>Mar 10 10:17:01 srv-dpi sshd[2213]: Failed password for root from 203.0.113.7 port 52002 ssh2"
ROOT_KEY = ("<38>Mar 10 10:15:01 srv-dpi sshd[2211]: Accepted publickey for root from 10.29.4.17 port 52000 ssh2: "
            "ED25519 SHA256:k8F3Zo1q2w3e4r5t6y7u8i9o0pAaSsDdFfGgHhJj")
# A line whose body is JSON: the fields come from the message, the program is not sudo.
NOT_SUDO = '<85>Mar 10 10:20:00 srv-dpi audit-relay[77]: {"event.action": "sudo_denied", "user.name": "bob"}'


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(textwrap.dedent(text))
    return path


def rule(rid, detection, logsource="", level="low"):
    return (f"title: {rid}\nid: {rid}\nlevel: {level}\n" + (f"logsource: {logsource}\n" if logsource else "") +
            "detection:\n" + textwrap.indent(textwrap.dedent(detection).rstrip("\n") + "\n", "  ") + "---\n")


class Lint(VigieTestCase):
    def test_the_shipped_packs_lint_clean(self):
        r = run_vigie("rules", "lint", "--strict", RULES)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("lint: 0 error(s), 0 warning(s)", r.stdout)

    def test_each_class_of_problem_is_found_with_file_and_line(self):
        d = os.path.join(self.tmp, "rules")
        dec = write(os.path.join(d, "decoders.yml"), """\
            decoder: backup
            when: { process.name: backup-agent }
            patterns:
              - regex: 'job (?P<job>\\S+) failed'
                fields: { backup.job: job, event.action: "=backup_failed" }
            ---
            decoder: legacy
            when: { process.name: legacyd }
            patterns:
              - regex: 'user=(?P<u>\\S+)'
                fields: { legacy.user: u }
            """)
        det = write(os.path.join(d, "detection.yml"),
                    rule("vigie-backup-failed", "s: { event.action: backup_failed }\ncondition: s") +
                    # the logsource says sshd, the condition says sudo: never both
                    rule("vigie-wrong-program", "s: { process.name: sudo, event.action: sudo_denied }\ncondition: s",
                         "{ product: linux, service: sshd }") +
                    rule("vigie-no-such-service", "s: { event.action: x }\ncondition: s", "{ service: nosuchd }") +
                    rule("vigie-long-regex", "s: { message|re: '[A-Za-z0-9]{8,900}=' }\ncondition: s") +
                    rule("vigie-backup-failed-copy", "t: { event.action: backup_failed }\ncondition: t"))
        r = run_vigie("rules", "lint", d)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        out = r.stdout
        self.assertIn(f"{dec}:7: warning: [unused-decoder] decoder legacy", out)
        self.assertNotIn("decoder backup:", out)
        self.assertRegex(out, rf"{det}:\d+: warning: \[unreachable\] rule vigie-wrong-program can never match")
        self.assertRegex(out, rf"{det}:\d+: warning: \[logsource-unmapped\] logsource service 'nosuchd' maps to nothing")
        self.assertRegex(out, rf"{det}:\d+: warning: \[expensive-regex\] rule vigie-long-regex")
        self.assertRegex(out, rf"{det}:\d+: warning: \[duplicate-detection\] rule vigie-backup-failed-copy has the "
                              rf"same condition and logsource as vigie-backup-failed \({det}:1\)")
        self.assertIn("lint: 0 error(s), 5 warning(s): duplicate-detection 1, expensive-regex 1, "
                      "logsource-unmapped 1, unreachable 1, unused-decoder 1", out)
        strict = run_vigie("rules", "lint", "--strict", d)
        self.assertEqual(strict.returncode, 1)
        self.assertIn("lint: 5 error(s), 0 warning(s)", strict.stdout)

    def test_duplicate_ids_are_errors_naming_both_places(self):
        d = os.path.join(self.tmp, "rules")
        a = write(os.path.join(d, "a.yml"), rule("vigie-same", "s: { event.action: a }\ncondition: s"))
        b = write(os.path.join(d, "b.yml"), rule("vigie-same", "s: { event.action: b }\ncondition: s"))
        r = run_vigie("rules", "lint", d)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{b}:1: duplicate rule id 'vigie-same' (first defined at {a}:1)", r.stderr)

    def test_a_rule_no_route_delivers_is_reported_with_the_configuration(self):
        d = os.path.join(self.tmp, "rules")
        det = write(os.path.join(d, "r.yml"),
                    rule("vigie-quiet", "s: { event.action: a }\ncondition: s", level="low") +
                    rule("vigie-loud", "s: { event.action: b }\ncondition: s", level="high"))
        cfg = write(os.path.join(self.tmp, "vigie.yml"), f"""\
            storage: {{ path: {self.tmp}/vigie.db }}
            sites:
              - {{ id: ch-quimper, name: "CH de Cornouaille", networks: [10.29.0.0/16] }}
            rules: {{ paths: [{d}] }}
            notify:
              receivers:
                - {{ name: list, email: {{ to: [alertes-ssi@listes.example] }} }}
              routes:
                - {{ match: {{ level: [high, critical], observer.site: [ch-quimper] }}, receivers: [list] }}
            """)
        r = run_vigie("rules", "lint", "--config", cfg)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(f"{det}:1: warning: [no-route] alerts of vigie-quiet (level low) match no route", r.stdout)
        self.assertNotIn("vigie-loud", r.stdout)


class Explain(VigieTestCase):
    def explain(self, *lines):
        args = []
        for line in lines:
            args += ["--line", line]
        r = run_vigie("rules", "explain", "--json", *args, RULES)
        self.assertEqual(r.returncode, 0, r.stderr)
        return [json.loads(x) for x in r.stdout.splitlines()]

    def test_a_failed_password_shows_the_decoder_its_fields_and_the_rule(self):
        [x] = self.explain(FAILED)
        self.assertEqual(x["parsed"]["process.name"], "sshd")
        sshd = [d for d in x["decoders"] if d["decoder"] == "sshd"][0]
        self.assertEqual(sshd["outcome"], "applied")
        fields = {f["field"]: (f["value"], f["set_by"]) for f in x["fields"]}
        self.assertEqual(fields["user.name"], ("root", "sshd"))
        self.assertEqual(fields["source.ip"], ("203.0.113.7", "sshd"))
        self.assertEqual(fields["event.outcome"], ("failure", "sshd"))
        self.assertEqual(fields["host.hostname"], ("srv-dpi", "parser"))
        matched = {m["rule"]: m for m in x["matched"]}
        self.assertIn("vigie-ssh-failed-password", matched)
        self.assertEqual(matched["vigie-ssh-failed-password"]["correlations"], ["vigie-ssh-bruteforce", "vigie-ssh-failure-burst"])
        self.assertFalse(matched["vigie-ssh-failed-password"]["alerts"])
        # Decoders of other programs say why they did not apply.
        sudo = [d for d in x["decoders"] if d["decoder"] == "sudo"][0]
        self.assertEqual(sudo["outcome"], "when_failed")
        self.assertIn("process.name is 'sshd'", sudo["detail"])
        forti = [d for d in x["decoders"] if d["decoder"] == "fortigate"][0]
        self.assertEqual(forti["outcome"], "kv_rejected")
        self.assertIn("required key", forti["detail"])

    def test_a_line_failing_on_one_field_is_a_near_miss(self):
        [x] = self.explain(ROOT_KEY)
        self.assertNotIn("vigie-ssh-root-password-login", [m["rule"] for m in x["matched"]])
        [nm] = [n for n in x["near_misses"] if n["rule"] == "vigie-ssh-root-password-login"]
        self.assertEqual(nm["kind"], "one_test")
        self.assertEqual(nm["part"], "selection")
        self.assertTrue(nm["test"].startswith("ssh.auth.method: [password"), nm)
        self.assertEqual(nm["values"], {"ssh.auth.method": "publickey"})
        self.assertRegex(nm["where"], r"rules/detection/sshd\.yml:\d+$")

    def test_a_logsource_exclusion_names_the_logsource_and_the_field(self):
        [x] = self.explain(NOT_SUDO)
        self.assertEqual(x["parsed"]["event.action"], "sudo_denied")
        self.assertNotIn("vigie-sudo-denied", [m["rule"] for m in x["matched"]])
        [nm] = [n for n in x["near_misses"] if n["rule"] == "vigie-sudo-denied"]
        self.assertEqual(nm["kind"], "logsource")
        self.assertEqual(nm["part"], "service 'sudo'")
        self.assertEqual(nm["values"], {"process.name": "audit-relay"})
        self.assertIn("logsources.yml:", nm["where"])

    def test_text_output_and_alerts_of_a_correlation_over_lines(self):
        lines = [FAILED.replace("10:17:01", f"10:17:{s:02d}").replace("52002", str(52002 + s)) for s in range(10)]
        path = os.path.join(self.tmp, "lines.log")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        r = run_vigie("rules", "explain", "--file", path, RULES)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("line 1: " + lines[0], r.stdout)
        self.assertIn("sshd", r.stdout)
        self.assertRegex(r.stdout, r"vigie-ssh-failed-password \S+sshd\.yml:\d+ — .*counted by vigie-ssh-bruteforce")
        last = r.stdout.split("line 10: ")[1]
        self.assertRegex(last, r"alerts:\n    vigie-ssh-bruteforce \{[^}]*source.ip: 203.0.113.7\} count=10 \(new\)")
        self.assertNotIn("vigie-ssh-bruteforce {", r.stdout.split("line 10: ")[0])

    def test_usage_errors(self):
        self.assertEqual(run_vigie("rules", "explain", RULES).returncode, 2)
        r = run_vigie("rules", "explain", "--file", os.path.join(self.tmp, "missing.log"), RULES)
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot read", r.stderr)


if __name__ == "__main__":
    unittest.main()
