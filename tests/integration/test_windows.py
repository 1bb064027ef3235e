"""Windows events replayed as JSON lines: the same failed logon (Security 4625) written by three
shippers — evtx_dump, NXLog to_json() behind an RFC 5424 header, Winlogbeat — reaches rules
under Sigma's field names (EventID, Channel) and the ECS aliases (source.ip, user.name)."""
import json
import os
import textwrap
import unittest

from harness import VigieTestCase, run_vigie

DATA = {"SubjectUserName": "-", "SubjectDomainName": "-", "TargetUserName": "admin",
        "TargetDomainName": "CHU", "Status": "0xc000006d", "LogonType": "3",
        "WorkstationName": "PC-17", "IpAddress": "10.29.4.17", "IpPort": "51234"}
PROVIDER = "Microsoft-Windows-Security-Auditing"
STAMP = "2026-11-30T08:15:02.123Z"

EVTX = {"Event": {"System": {"Provider": {"#attributes": {"Name": PROVIDER}}, "EventID": 4625,
                             "TimeCreated": {"#attributes": {"SystemTime": STAMP}},
                             "Channel": "Security", "Computer": "DC01.chu.local"},
                  "EventData": DATA}}
NXLOG = dict({"EventTime": "2026-11-30 09:15:02", "Hostname": "DC01.chu.local", "EventID": 4625,
              "SourceName": PROVIDER, "Channel": "Security"}, **DATA)
WINLOGBEAT = {"@timestamp": STAMP, "event": {"code": "4625", "outcome": "failure"},
              "winlog": {"channel": "Security", "event_id": "4625", "provider_name": PROVIDER,
                         "computer_name": "DC01.chu.local", "event_data": DATA}}

# Shipped style: product windows + service security, the event id as Sigma writes it.
RULES = """\
    title: Windows failed logon
    id: win-failed-logon
    level: low
    logsource: { product: windows, service: security }
    detection:
      s: { EventID: 4625 }
      condition: s
    """
BURST = """\
    ---
    title: Windows failed logons for one account from one source
    id: win-failed-logon-burst
    level: high
    correlation:
      type: event_count
      rules: [win-failed-logon]
      group-by: [source.ip, user.name]
      timespan: 5m
      condition: { gte: 3 }
    """


class WindowsReplay(VigieTestCase):
    def replay(self, *rules):
        rules_file = os.path.join(self.tmp, "windows.yml")
        with open(rules_file, "w") as f:
            f.write("".join(textwrap.dedent(r) for r in rules))
        cfg = os.path.join(self.tmp, "vigie.yml")
        with open(cfg, "w") as f:
            f.write(f"storage: {{ path: {self.tmp}/vigie.db }}\nrules: {{ paths: [{rules_file}] }}\n")
        log = os.path.join(self.tmp, "windows.jsonl")
        with open(log, "w") as f:
            f.write(json.dumps(EVTX) + "\n")
            # NXLog's om_tcp with to_syslog_ietf(): the header carries the time, the body the event.
            f.write(f"<14>1 {STAMP} DC01 nxlog - - - " + json.dumps(NXLOG) + "\n")
            f.write(json.dumps(WINLOGBEAT) + "\n")
            # A Linux line naming the same words is not a Windows event.
            f.write("<38>Nov 30 08:15:03 srv1 sshd[22]: EventID 4625 Channel Security\n")
        r = run_vigie("replay", "--config", cfg, "--format", "json", log)
        self.assertEqual(r.returncode, 0, r.stderr)
        return [json.loads(line) for line in r.stdout.splitlines()]

    def test_each_shape_fires_the_rule(self):
        alerts = self.replay(RULES)
        self.assertEqual([a["rule"]["id"] for a in alerts], ["win-failed-logon"], alerts)
        self.assertEqual(alerts[0]["count"], 3, alerts)

    def test_the_three_shapes_meet_on_the_ecs_aliases(self):
        alerts = self.replay(RULES, BURST)
        self.assertEqual(len(alerts), 1, alerts)
        a = alerts[0]
        self.assertEqual(a["rule"]["id"], "win-failed-logon-burst")
        self.assertEqual(a["key"], {"source.ip": "10.29.4.17", "user.name": "admin"})
        self.assertEqual(a["count"], 3)
        self.assertEqual(a["first_seen"], "2026-11-30T08:15:02.123000Z")


if __name__ == "__main__":
    unittest.main()
