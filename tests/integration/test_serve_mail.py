"""End to end: a site's syslog (logger over UDP and TCP) → rules → SQLite → SMTP (aiosmtpd)."""
import email.header
import os
import socket
import time
import unittest

from harness import SmtpServer, Vigie, VigieTestCase, free_port, maildir_messages, self_signed_cert, wait_for

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

    def test_a_relay_that_hangs_after_data_does_not_hold_up_shutdown(self):
        smtp = self.track(SmtpServer(self.tmp, policy=["--hang-data"]).start())
        vigie = self.track(Vigie(self.tmp, smtp_port=smtp.port).start())
        brute_force(vigie)
        wait_for(lambda: "data: hanging" in smtp.log_text(), what="a transfer stuck after DATA")
        t0 = time.monotonic()
        self.assertEqual(vigie.stop(), 0)
        self.assertLess(time.monotonic() - t0, 10, "the exit waited for the relay")
        self.assertEqual(vigie.query("SELECT DISTINCT status FROM deliveries"), [("pending",)])

    def test_a_restart_does_not_raise_the_same_alert_again(self):
        vigie = self.track(Vigie(self.tmp).start())  # maildir delivery
        brute_force(vigie, n=10, tcp_from=10)
        wait_for(lambda: vigie.query("SELECT count FROM alerts WHERE level = 'high'") == [(10,)], what="the alert")
        self.assertEqual(vigie.stop(), 0)
        again = self.track(vigie.same_config()).start()
        self.assertIn("alert(s) of the last run still open", again.log_text())
        brute_force(again, n=10, tcp_from=10)
        wait_for(lambda: again.query("SELECT count FROM alerts WHERE level = 'high'") == [(20,)],
                 what="the same alert, updated")
        self.assertEqual(again.stop(), 0)
        maildir = os.path.join(self.tmp, "maildir")
        self.assertEqual(len(high_mails(maildir_messages(maildir))), 2)  # the list and the site, once

    def test_a_relay_that_hangs_does_not_hold_up_shutdown(self):
        # The relay's port accepts connections (kernel backlog) and never says a word.
        hung = socket.socket()
        hung.bind(("127.0.0.1", 0))
        hung.listen(8)
        try:
            vigie = self.track(Vigie(self.tmp, smtp_port=hung.getsockname()[1]).start())
            brute_force(vigie)
            wait_for(lambda: vigie.query("SELECT count(*) FROM deliveries")[0][0] >= 2, what="queued deliveries")
            time.sleep(0.5)  # the notifier is now waiting for the relay's greeting
            t0 = time.monotonic()
            self.assertEqual(vigie.stop(), 0)
            self.assertLess(time.monotonic() - t0, 10, "stop waited for the SMTP timeout (30 s)")
            self.assertEqual(vigie.query("SELECT DISTINCT status FROM deliveries"), [("pending",)])
        finally:
            hung.close()


# A site with two contacts: what a relay does to one must not decide for the other.
TWO_CONTACTS = """\
- { id: ch-test, networks: [127.0.0.0/8], contacts: [rssi@ch-test.example, dsi@ch-test.example] }
"""


class ServeMailRefusals(VigieTestCase):
    """What a relay refuses: one recipient (the others must still get the alert), or the whole
    message for good (failed at once, not retried for 72 h)."""

    def test_a_refused_recipient_does_not_keep_the_alert_from_the_others(self):
        smtp = self.track(SmtpServer(self.tmp, policy=["--refuse-rcpt", "rssi@ch-test.example"]).start())
        vigie = self.track(Vigie(self.tmp, smtp_port=smtp.port, sites=TWO_CONTACTS).start())
        brute_force(vigie)
        wait_for(lambda: len(high_mails(smtp.messages())) == 2, what="the mails to the list and the site")
        wait_for(lambda: vigie.query("SELECT DISTINCT status FROM deliveries") == [("sent",)],
                 what="every delivery marked sent")
        self.assertIn("rcpt refused rssi@ch-test.example", smtp.log_text())
        self.assertIn("data accepted for dsi@ch-test.example", smtp.log_text())
        self.assertEqual(vigie.stop(), 0)
        log = vigie.log_text()
        self.assertIn("recipient refused, the others got the mail: rssi@ch-test.example: 550 5.1.1 User unknown", log)
        # One refusal, however many lines the reply had.
        self.assertEqual(vigie.counter("vigie_delivery_recipients_refused_total"), 1)

    def test_a_recipient_deferred_for_now_gets_the_same_mail_later(self):
        smtp = self.track(SmtpServer(self.tmp, policy=["--defer-rcpt-once", "rssi@ch-test.example"]).start())
        vigie = self.track(Vigie(self.tmp, smtp_port=smtp.port, sites=TWO_CONTACTS).start())
        brute_force(vigie)
        wait_for(lambda: "data accepted for rssi@ch-test.example" in smtp.log_text(), what="the retry to rssi")
        self.assertIn("rcpt deferred rssi@ch-test.example", smtp.log_text())
        self.assertIn("data accepted for dsi@ch-test.example", smtp.log_text())
        site_mails = [m for m in high_mails(smtp.messages()) if "rssi@ch-test.example" in m["To"]]
        self.assertEqual(len(site_mails), 2)  # the first (to dsi) and the retry (to rssi): one mail
        self.assertEqual(site_mails[0]["Message-ID"], site_mails[1]["Message-ID"])
        self.assertEqual(vigie.stop(), 0)

    def test_a_relay_refusing_the_sender_is_retried_not_failed(self):
        smtp = self.track(SmtpServer(self.tmp, policy=["--reject-sender"]).start())
        vigie = self.track(Vigie(self.tmp, smtp_port=smtp.port).start())
        brute_force(vigie)
        rows = wait_for(lambda: (lambda r: r if r and all(a >= 1 for _, a in r) else None)(vigie.query(
            "SELECT status, attempts FROM deliveries")), what="failed attempts")
        self.assertTrue(all(status == "pending" for status, _ in rows), rows)
        self.assertEqual(vigie.stop(), 0)

    def test_a_message_refused_for_good_is_failed_at_once(self):
        smtp = self.track(SmtpServer(self.tmp, policy=["--reject-data"]).start())
        vigie = self.track(Vigie(self.tmp, smtp_port=smtp.port).start())
        brute_force(vigie)
        rows = wait_for(lambda: (lambda r: r if r and all(s == "failed" for s, _, _ in r) else None)(vigie.query(
            "SELECT d.status, d.attempts, d.last_error FROM deliveries d JOIN alerts a ON a.id = d.alert_id "
            "WHERE a.level = 'high'")), what="high deliveries marked failed")
        for status, attempts, error in rows:
            self.assertEqual(attempts, 1)
            self.assertIn("554", error)
        self.assertTrue(vigie.alive())
        self.assertEqual(vigie.stop(), 0)
        self.assertIn("refused for good", vigie.log_text())


class ServeMailAuth(VigieTestCase):
    """Submission to a relay that requires STARTTLS and AUTH, as notify.smtp describes it."""

    def relay(self, password):
        cert, key = self_signed_cert(self.tmp)
        server_secret = os.path.join(self.tmp, "relay-password")
        with open(server_secret, "w") as f:
            f.write("s3cret-relay\n")
        client_secret = os.path.join(self.tmp, "vigie-password")
        with open(client_secret, "w") as f:
            f.write(password + "\n")
        smtp = self.track(SmtpServer(self.tmp, policy=["--tls", cert, key, "--auth", "vigie", server_secret]).start())
        options = f"starttls: required, username: vigie, password_file: {client_secret}, ca_file: {cert}"
        vigie = self.track(Vigie(self.tmp, smtp_port=smtp.port, smtp_options=options).start())
        return smtp, vigie

    def test_starttls_then_auth_delivers(self):
        smtp, vigie = self.relay("s3cret-relay")
        brute_force(vigie)
        wait_for(lambda: len(high_mails(smtp.messages())) >= 2, what="the brute-force mails through the relay")
        self.assertIn("auth", smtp.log_text())
        self.assertNotIn("refused", smtp.log_text())
        self.assertEqual(vigie.stop(), 0)

    def test_a_wrong_password_keeps_the_mail_pending_and_says_why(self):
        smtp, vigie = self.relay("wrong")
        brute_force(vigie)
        rows = wait_for(lambda: vigie.query(
            "SELECT d.status, d.last_error FROM deliveries d JOIN alerts a ON a.id = d.alert_id "
            "WHERE a.level = 'high' AND d.attempts >= 1"), what="a failed delivery attempt")
        self.assertTrue(all(status == "pending" for status, _ in rows), rows)
        self.assertTrue(all("535" in (err or "") or "ogin" in (err or "") for _, err in rows), rows)
        self.assertIn("refused", smtp.log_text())
        self.assertEqual(high_mails(smtp.messages()), [])
        self.assertTrue(vigie.alive())
        self.assertEqual(vigie.stop(), 0)


if __name__ == "__main__":
    unittest.main()
