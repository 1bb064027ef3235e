"""End to end: a site's syslog (logger over UDP and TCP) → rules → SQLite → SMTP (aiosmtpd)."""
import email.header
import os
import time
import unittest

from harness import SmtpServer, Vigie, VigieTestCase, free_port, wait_for

ATTACKER = "183.62.140.253"


def subject(msg):
    return str(email.header.make_header(email.header.decode_header(msg["Subject"])))


def brute_force(vigie, source=ATTACKER, n=10, tcp_from=5):
    for i in range(n):
        vigie.logger(f"Failed password for root from {source} port {40000 + i} ssh2", tcp=i >= tcp_from)


def high_mails(messages, source=ATTACKER):
    return [m for m in messages if "[HIGH]" in subject(m) and source in subject(m)]


class ServeMail(VigieTestCase):
    def test_bruteforce_over_udp_and_tcp_is_mailed_to_the_list_and_the_site(self):
        smtp = self.track(SmtpServer(self.tmp).start())
        vigie = self.track(Vigie(self.tmp, smtp_port=smtp.port).start())
        brute_force(vigie)
        mails = wait_for(lambda: len(high_mails(smtp.messages())) >= 2 and high_mails(smtp.messages()),
                         what="the brute-force mails")
        by_to = {m["To"]: m for m in mails}
        self.assertIn("alertes-ssi@listes.example", by_to)
        self.assertIn("rssi@ch-test.example", by_to)
        m = by_to["alertes-ssi@listes.example"]
        self.assertTrue(subject(m).startswith("[VIGIE][TLP:AMBER][HIGH] ch-test — "), subject(m))
        self.assertEqual(m["Auto-Submitted"], "auto-generated")
        self.assertRegex(m["Message-ID"], r"^<[^@>]+@vigie\.test\.example>$")
        body = m.get_payload(decode=True).decode("utf-8")
        self.assertIn(ATTACKER, body)
        # Stored before delivery, and marked sent only once the server accepted it.
        rows = vigie.query("SELECT status FROM deliveries d JOIN alerts a ON a.id = d.alert_id "
                           "WHERE a.level = 'high'")
        self.assertTrue(rows)
        wait_for(lambda: all(r[0] == "sent" for r in vigie.query(
            "SELECT d.status FROM deliveries d JOIN alerts a ON a.id = d.alert_id WHERE a.level = 'high'")),
            what="deliveries marked sent")
        self.assertEqual(vigie.stop(), 0)

    def test_kill_9_between_store_and_delivery_delivers_exactly_once(self):
        smtp_port = free_port()  # nothing listens yet: deliveries fail and stay pending
        vigie = self.track(Vigie(self.tmp, smtp_port=smtp_port).start())
        brute_force(vigie)

        def pending_high():
            return vigie.query("SELECT d.id, d.message_id, d.attempts FROM deliveries d JOIN alerts a "
                               "ON a.id = d.alert_id WHERE a.level = 'high' AND d.status = 'pending'")
        rows = wait_for(lambda: (lambda r: r if len(r) == 2 and all(x[2] >= 1 for x in r) else None)(pending_high()),
                        what="two pending high deliveries that already failed once")
        stored_ids = sorted(r[1] for r in rows)
        vigie.kill9()

        smtp = self.track(SmtpServer(self.tmp, port=smtp_port).start())
        vigie2 = self.track(vigie.same_config()).start()
        wait_for(lambda: len(high_mails(smtp.messages())) >= 2, what="the resumed deliveries")
        time.sleep(2.0)  # a duplicate would arrive within the retry interval (≤ 1 s)
        got = sorted(m["Message-ID"] for m in high_mails(smtp.messages()))
        self.assertEqual(got, stored_ids, "each stored mail arrives exactly once with its stored Message-ID")
        self.assertEqual(pending_high(), [])
        self.assertEqual(vigie2.stop(), 0)


if __name__ == "__main__":
    unittest.main()
