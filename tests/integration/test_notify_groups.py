"""Route group_by end to end: a storm of brute forces from 50 source addresses of one site,
routed with `group_by: [rule.id]`, reaches the regional list as a handful of mails listing
every alert (real aiosmtpd relay), while the store keeps all 50 alerts."""
import email.header
import re
import socket
import time
import unittest

from harness import SmtpServer, Vigie, VigieTestCase, run_vigie, wait_for

LINE = "<38>Nov 22 10:{m:02d}:{s:02d} srv-dpi sshd[2211]: Failed password for root from {ip} port {p} ssh2"
SOURCES = [f"203.0.113.{i}" for i in range(1, 51)]
HIGH_ROUTE = "  - { match: { level: [high, critical] }, receivers: [regional-list, site-contacts] }"


def subject(msg):
    return str(email.header.make_header(email.header.decode_header(msg["Subject"])))


def body(msg):
    return msg.get_payload(decode=True).decode("utf-8")


def grouped(vigie, route_options):
    """Rewrites the harness config so the high route groups with `route_options`."""
    with open(vigie.config) as f:
        text = f.read()
    assert HIGH_ROUTE in text, text
    text = text.replace(HIGH_ROUTE, HIGH_ROUTE[:-2] + ", " + route_options + " }")
    with open(vigie.config, "w") as f:
        f.write(text)
    return vigie


class NotifyGroups(VigieTestCase):
    def storm(self, vigie):
        lines = [LINE.format(m=n // 60, s=n % 60, ip=ip, p=40000 + n)
                 for k, ip in enumerate(SOURCES) for n in range(k, k + 10)]
        with socket.create_connection(("127.0.0.1", vigie.port), timeout=5) as s:
            s.sendall(("\n".join(lines) + "\n").encode())

    def test_a_storm_from_50_sources_gives_a_handful_of_mails_listing_every_alert(self):
        smtp = self.track(SmtpServer(self.tmp).start())
        vigie = grouped(Vigie(self.tmp, smtp_port=smtp.port),
                        "group_by: [rule.id], group_wait: 2s, group_interval: 2s, repeat_interval: 1h")
        self.track(vigie.start())
        t0 = time.monotonic()
        self.storm(vigie)
        wait_for(lambda: vigie.query("SELECT count(*) FROM alerts WHERE level = 'high'")[0][0] == 50,
                 what="50 brute-force alerts in the store")
        stored = {r[0] for r in vigie.query("SELECT id FROM alerts WHERE level = 'high'")}

        def regional():
            return [m for m in smtp.messages() if m["To"] == "alertes-ssi@listes.example"]

        def listed():
            return {i for m in regional() for i in stored if i in body(m)}
        wait_for(lambda: listed() == stored, timeout=30, what="mails to the list naming all 50 alerts")
        time.sleep(3)  # one more group_interval: a per-alert mail or a needless repeat would show now
        mails = regional()
        self.assertLessEqual(len(mails), 3, [subject(m) for m in mails])
        self.assertLess(time.monotonic() - t0, 20)
        self.assertTrue(any(re.search(r"— (\d+) alertes", subject(m)) for m in mails), [subject(m) for m in mails])
        self.assertEqual(sum(int(re.search(r"— (\d+) alertes", subject(m)).group(1)) >= 1 for m in mails), len(mails))
        # The site's contacts: one group of their own, the same handful of mails.
        site = [m for m in smtp.messages() if m["To"] == "rssi@ch-test.example"]
        self.assertLessEqual(len(site), 3)
        # Threaded: later mails of the group refer to its first one.
        first = mails[0]["Message-ID"]
        self.assertTrue(first.startswith("<group-"), first)
        for m in mails[1:]:
            self.assertEqual(m["In-Reply-To"], first)
        # The store still holds every alert; each group mail is one outbox row, marked sent.
        self.assertEqual(vigie.query("SELECT count(*) FROM alerts WHERE level = 'high'")[0][0], 50)
        wait_for(lambda: vigie.query("SELECT count(*) FROM deliveries WHERE status <> 'sent'")[0][0] == 0,
                 what="deliveries marked sent")
        self.assertEqual(vigie.query("SELECT count(*) FROM deliveries WHERE receiver = 'regional-list'")[0][0],
                         len(mails))
        self.assertEqual(vigie.stop(), 0)

    def test_a_group_waiting_at_a_crash_is_mailed_after_the_restart(self):
        smtp = self.track(SmtpServer(self.tmp).start())
        vigie = grouped(Vigie(self.tmp, smtp_port=smtp.port),
                        "group_by: [rule.id], group_wait: 5s, group_interval: 1h")
        self.track(vigie.start())
        self.storm(vigie)
        wait_for(lambda: vigie.query("SELECT count(*) FROM alerts WHERE level = 'high'")[0][0] == 50,
                 what="50 alerts")
        vigie.kill9()
        # Killed while the group waits out its group_wait: no mail yet, only the group's rows.
        self.assertEqual(vigie.query("SELECT count(*) FROM deliveries d JOIN alerts a ON a.id = d.alert_id "
                                     "WHERE a.level = 'high'")[0][0], 0)
        self.assertEqual(smtp.messages(), [])
        again = self.track(vigie.same_config()).start()

        def to_list():
            return [m for m in smtp.messages() if m["To"] == "alertes-ssi@listes.example"]
        try:
            wait_for(to_list, what="the group mail after the restart")
        except AssertionError as e:
            raise AssertionError(f"{e}\n{again.log_text()}\n{smtp.log_text()}") from None
        time.sleep(1.5)
        mails = to_list()
        self.assertEqual(len(mails), 1, [subject(m) for m in mails])
        self.assertIn("50 alertes", subject(mails[0]))
        self.assertEqual(again.stop(), 0)

    def test_check_refuses_what_delivery_would_not_honour(self):
        vigie = grouped(Vigie(self.tmp), "group_by: [rule.id, sorce.ip]")
        r = run_vigie("check", "--config", vigie.config)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("unknown group_by field 'sorce.ip'", r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
