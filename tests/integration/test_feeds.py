"""Indicator feeds end to end: a feed file read by `vigie serve`, a site's syslog line naming a
listed address (logger over UDP), the built-in IOC rule's mail through aiosmtpd citing the
indicator; `vigie feeds list|refresh|import` against the running daemon; a broken feed keeps the
previous indicators in force; `vigie replay` reads the same feeds."""
import email.header
import json
import os
import subprocess
import time
import unittest

from harness import HttpServer, SmtpServer, Vigie, VigieTestCase, free_port, run_vigie, self_signed_cert, wait_for, wait_port

LISTED = "45.133.1.23"
LATER = "45.133.1.99"
IMPORTED = "45.133.1.50"


def subject(msg):
    return str(email.header.make_header(email.header.decode_header(msg["Subject"])))


def ioc_mails(smtp, value):
    return [m for m in smtp.messages() if value in subject(m) and "Indicator of compromise" in subject(m)]


def accepted(vigie, source, port=40000):
    vigie.logger(f"Accepted password for backup from {source} port {port} ssh2")


def ioc_count(vigie, value):
    rows = vigie.query("SELECT count FROM alerts WHERE rule_id = 'vigie-ioc-match' AND key LIKE ?", f"%{value}%")
    return rows[0][0] if rows else 0


class Feeds(VigieTestCase):
    def feed_config(self, body, tlp="red"):
        self.feed = os.path.join(self.tmp, "local.csv")
        with open(self.feed, "w") as f:
            f.write(body)
        return ("feeds:\n"
                f"  - {{ name: local, format: csv, path: {self.feed}, tlp: {tlp}, confidence: 90, every: 1h }}\n")

    def test_a_listed_address_is_mailed_citing_its_feed_and_follows_the_feed(self):
        smtp = self.track(SmtpServer(self.tmp).start())
        extra = self.feed_config(f"type,indicator,classification\nip,{LISTED.replace('.', '[.]')},c2 cobalt strike\n")
        vigie = self.track(Vigie(self.tmp, smtp_port=smtp.port, extra=extra).start())
        self.assertIn("feed local: 1 indicator(s)", vigie.log_text())
        accepted(vigie, LISTED)
        mails = wait_for(lambda: (lambda m: m if len(m) >= 2 else None)(ioc_mails(smtp, LISTED)),
                         what="the IOC mails to the list and the site")
        m = next(m for m in mails if m["To"] == "alertes-ssi@listes.example")
        # The indicator's TLP (RED) is stricter than the rule's (AMBER): the mail carries it.
        self.assertTrue(subject(m).startswith("[VIGIE][TLP:RED][HIGH] ch-test — "), subject(m))
        body = m.get_payload(decode=True).decode("utf-8")
        self.assertIn("Indicateur de compromission", body)
        self.assertIn(f"ip {LISTED} — vu dans source.ip = {LISTED}", body)
        self.assertIn("Source : flux local", body)
        self.assertIn("confiance 90/100", body)
        self.assertIn("c2 cobalt strike", body)
        stored = json.loads(vigie.query("SELECT ioc FROM alerts WHERE rule_id = 'vigie-ioc-match'")[0][0])
        self.assertEqual(stored["feed"], "local")
        self.assertEqual(stored["value"], LISTED)

        listing = run_vigie("feeds", "list", "--config", vigie.config)
        self.assertEqual(listing.returncode, 0, listing.stderr)
        self.assertRegex(listing.stdout, r"local\s+csv\s+1\s+\S+\s+ok")

        # The feed changes: refresh makes the new list the one in force, the old address stops.
        with open(self.feed, "w") as f:
            f.write(f"type,indicator\nip,{LATER}\n")
        r = run_vigie("feeds", "refresh", "--config", vigie.config, "local")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"local\s+csv\s+1\s")
        before = ioc_count(vigie, LISTED)
        accepted(vigie, LISTED, 40001)
        accepted(vigie, LATER)
        wait_for(lambda: ioc_count(vigie, LATER) == 1, what="the alert on the address listed now")
        self.assertEqual(ioc_count(vigie, LISTED), before, "an address no longer listed still matched")

        # A broken feed: an error, and the indicators of the last good read stay in force.
        with open(self.feed, "w") as f:
            f.write("\x00\x01garbage")
        r = run_vigie("feeds", "refresh", "--config", vigie.config)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("error:", r.stdout)
        accepted(vigie, LATER, 40002)
        wait_for(lambda: ioc_count(vigie, LATER) == 2, what="the previous indicators still matching")
        self.assertTrue(vigie.alive())

        # An operator's file, imported while the daemon runs: read at once.
        extra_list = os.path.join(self.tmp, "cert-sante.txt")
        with open(extra_list, "w") as f:
            f.write(f"# from a CERT Santé advisory\n{IMPORTED}\n")
        r = run_vigie("feeds", "import", "--config", vigie.config, "--format", "list", extra_list)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("imported as feed 'cert-sante'", r.stdout)
        accepted(vigie, IMPORTED)
        wait_for(lambda: ioc_count(vigie, IMPORTED) == 1, what="the alert on the imported indicator")
        self.assertEqual(vigie.stop(), 0)

    def test_import_refuses_an_unreadable_file_and_replay_reads_the_feeds(self):
        extra = self.feed_config(f"type,indicator\nip,{LISTED}\n")
        vigie = Vigie(self.tmp, extra=extra)  # not started: replay and import work without it
        bad = os.path.join(self.tmp, "bad.stix")
        with open(bad, "w") as f:
            f.write('{"type": "bundle", "objects": [')
        r = run_vigie("feeds", "import", "--config", vigie.config, "--format", "stix", bad)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("bad.stix", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "feeds", "bad.stix")))
        log = os.path.join(self.tmp, "auth.log")
        with open(log, "w") as f:
            f.write(f"<38>Mar 10 10:00:00 srv-web01 sshd[123]: Accepted password for backup from {LISTED} "
                    "port 40000 ssh2\n")
        r = run_vigie("replay", "--config", vigie.config, log)
        self.assertEqual(r.returncode, 0, r.stderr)
        alerts = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
        ioc = [a for a in alerts if a["rule"]["id"] == "vigie-ioc-match"]
        self.assertEqual(len(ioc), 1, r.stdout)
        self.assertEqual(ioc[0]["ioc"]["value"], LISTED)
        self.assertEqual(ioc[0]["ioc"]["feed"], "local")
        self.assertEqual(ioc[0]["key"]["threat.indicator.value"], LISTED)


class FetchedFeeds(VigieTestCase):
    def test_a_feed_fetched_over_http_is_conditional_keeps_its_last_good_body_and_refuses_oversize(self):
        http = self.track(HttpServer(self.tmp).start())
        url = http.put("iocs.csv", f"type,indicator\nip,{LISTED}\n")
        big = http.put("big.txt", "45.133.2.1\n" * 1000)
        extra = ("feeds:\n"
                 f"  - {{ name: remote, format: csv, url: \"{url}\", every: 1h, timeout: 10s }}\n"
                 f"  - {{ name: big, format: list, url: \"{big}\", max_size: 1KiB }}\n")
        vigie = self.track(Vigie(self.tmp, extra=extra).start())
        # Fetched by the feeds thread once the daemon is up (a slow server never delays the start).
        wait_for(lambda: "feed remote: 1 indicator(s)" in vigie.log_text(), what="the first fetch")
        wait_for(lambda: "big.txt: response larger than" in vigie.log_text(), what="the oversized feed refused")
        accepted(vigie, LISTED)
        wait_for(lambda: ioc_count(vigie, LISTED) == 1, what="the alert on the fetched indicator")

        # Unchanged: the server answers 304 to the conditional request.
        r = run_vigie("feeds", "refresh", "--config", vigie.config, "remote")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn('"GET /iocs.csv HTTP/1.1" 304', http.log_text())
        # Changed: fetched and read again.
        http.put("iocs.csv", f"type,indicator\nip,{LATER}\n", age=60)
        r = run_vigie("feeds", "refresh", "--config", vigie.config, "remote")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        accepted(vigie, LATER)
        wait_for(lambda: ioc_count(vigie, LATER) == 1, what="the alert on the new indicator")
        # Gone from the server: an error, the last good body stays in force.
        os.remove(os.path.join(http.dir, "iocs.csv"))
        r = run_vigie("feeds", "refresh", "--config", vigie.config, "remote")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("HTTP status 404", r.stdout)
        accepted(vigie, LATER, 40001)
        wait_for(lambda: ioc_count(vigie, LATER) == 2, what="the indicator of the last good fetch")
        self.assertEqual(vigie.stop(), 0)

        # Restarted while the server is down: the cached body of the last good fetch is in force.
        http.stop()
        vigie2 = self.track(vigie.same_config().start())
        self.assertIn("feed remote: 1 indicator(s)", vigie2.log_text())
        listing = run_vigie("feeds", "list", "--config", vigie.config)
        self.assertRegex(listing.stdout, r"remote\s+csv\s+1\s+\S+\s+error: .*127\.0\.0\.1")
        self.assertEqual(vigie2.stop(), 0)
        # The validators outlive the restart: the next request is conditional.
        http.put("iocs.csv", f"type,indicator\nip,{LATER}\n", age=60)
        http2 = self.track(HttpServer(self.tmp, port=http.port).start())
        vigie3 = self.track(vigie.same_config().start())
        self.assertIn("feed remote: 1 indicator(s)", vigie3.log_text())
        wait_for(lambda: http2.log_text().count('"GET /iocs.csv HTTP/1.1" 304') >= 2,
                 what="a conditional request after the restart")
        self.assertEqual(vigie3.stop(), 0)

    def test_a_misp_feed_by_url_fetches_changed_events_and_expires_those_gone(self):
        http = self.track(HttpServer(self.tmp).start())
        uuids = ["5f0c0001-aad8-4244-8005-90b3ceb44540", "5f0c0002-aad8-4244-8005-90b3ceb44540"]

        def event(uuid, address):
            return json.dumps({"Event": {"uuid": uuid, "info": "c2", "Attribute": [
                {"type": "ip-dst", "value": address, "to_ids": True, "timestamp": "1722272240"}]}})

        def manifest(stamps):
            return json.dumps({u: {"info": "c2", "timestamp": str(t), "Tag": [{"name": "tlp:green"}]}
                               for u, t in stamps.items()})

        http.put(f"misp/{uuids[0]}.json", event(uuids[0], LISTED))
        http.put(f"misp/{uuids[1]}.json", event(uuids[1], IMPORTED))
        http.put("misp/manifest.json", manifest({uuids[0]: 1722272240, uuids[1]: 1722272240}))
        url = f"http://127.0.0.1:{http.port}/misp/"
        extra = f"feeds:\n  - {{ name: misp-regional, format: misp, url: \"{url}\", every: 1h }}\n"
        vigie = self.track(Vigie(self.tmp, extra=extra).start())
        wait_for(lambda: "feed misp-regional: 2 indicator(s)" in vigie.log_text(), what="the first sync")
        accepted(vigie, LISTED)
        wait_for(lambda: ioc_count(vigie, LISTED) == 1, what="the alert on the MISP indicator")

        # One event changes (its timestamp grows), the other leaves the manifest.
        http.put(f"misp/{uuids[0]}.json", event(uuids[0], LATER), age=60)
        http.put("misp/manifest.json", manifest({uuids[0]: 1722272300}), age=60)
        r = run_vigie("feeds", "refresh", "--config", vigie.config, "misp-regional")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"misp-regional\s+misp\s+1\s")
        log = http.log_text()
        self.assertEqual(log.count(f"GET /misp/{uuids[0]}.json"), 2, log)
        self.assertEqual(log.count(f"GET /misp/{uuids[1]}.json"), 1, "an unchanged event was fetched again")
        accepted(vigie, LATER)
        wait_for(lambda: ioc_count(vigie, LATER) == 1, what="the alert on the changed event's indicator")
        accepted(vigie, IMPORTED)
        accepted(vigie, LISTED, 40001)
        time.sleep(1.0)
        self.assertEqual(ioc_count(vigie, IMPORTED), 0, "an event gone from the manifest still matched")
        self.assertEqual(ioc_count(vigie, LISTED), 1, "the changed event's old value still matched")
        self.assertEqual(vigie.stop(), 0)

    def test_https_certificates_are_verified_and_a_ca_file_trusts_the_site_s_own(self):
        cert, key = self_signed_cert(self.tmp)
        https = self.track(HttpServer(self.tmp, tls=(cert, key)).start())
        url = https.put("iocs.csv", f"type,indicator\nip,{LISTED}\n")
        extra = ("feeds:\n"
                 f"  - {{ name: untrusted, format: csv, url: \"{url}\" }}\n"
                 f"  - {{ name: trusted, format: csv, url: \"{url}\", ca_file: {cert} }}\n")
        vigie = self.track(Vigie(self.tmp, extra=extra).start())
        wait_for(lambda: "feed trusted: 1 indicator(s)" in vigie.log_text() and "feed untrusted: https" in
                 vigie.log_text(), what="both fetches")
        self.assertRegex(vigie.log_text(), r"feed untrusted: https://127\.0\.0\.1:\d+/iocs\.csv: .*certificate")
        listing = run_vigie("feeds", "list", "--config", vigie.config)
        self.assertRegex(listing.stdout, r"untrusted\s+csv\s+0\s+never\s+error: .*certificate")
        self.assertEqual(vigie.stop(), 0)

    def test_a_server_that_hangs_or_redirects_in_a_loop_is_an_error_and_the_daemon_goes_on(self):
        # One handler for both misbehaviours: /slow never answers, /loop redirects to itself.
        script = ("import http.server, sys, time\n"
                  "class H(http.server.BaseHTTPRequestHandler):\n"
                  "    def do_GET(self):\n"
                  "        if self.path == '/slow':\n"
                  "            time.sleep(60)\n"
                  "        self.send_response(302); self.send_header('Location', '/loop'); self.end_headers()\n"
                  "http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()\n")
        port = free_port()
        log = open(os.path.join(self.tmp, "bad-http.log"), "ab")
        server = subprocess.Popen(["/usr/bin/python3", "-c", script, str(port)], stdout=log, stderr=log)
        try:
            wait_port(port)
            extra = ("feeds:\n"
                     f"  - {{ name: slow, format: list, url: \"http://127.0.0.1:{port}/slow\", timeout: 2s }}\n"
                     f"  - {{ name: loop, format: list, url: \"http://127.0.0.1:{port}/loop\" }}\n")
            t0 = time.monotonic()
            vigie = self.track(Vigie(self.tmp, extra=extra).start())
            self.assertLess(time.monotonic() - t0, 2, "the start waited for the hanging server")
            wait_for(lambda: "feed slow: http" in vigie.log_text(), what="the timeout")
            text = vigie.log_text()
            self.assertRegex(text, r"feed slow: http://127\.0\.0\.1:\d+/slow: .*timed out")
            self.assertRegex(text, r"feed loop: http://127\.0\.0\.1:\d+/loop: Maximum \(5\) redirects")
            accepted(vigie, LISTED)  # still serving
            wait_for(lambda: vigie.query("SELECT count(*) FROM alerts")[0][0] >= 0, what="the store answering")
            self.assertTrue(vigie.alive())
            self.assertEqual(vigie.stop(), 0)
        finally:
            server.kill()
            server.wait(10)
            log.close()


class RetroHunt(VigieTestCase):
    def test_an_indicator_published_after_it_was_seen_raises_one_alert_per_site_once(self):
        smtp = self.track(SmtpServer(self.tmp).start())
        feed = os.path.join(self.tmp, "late.csv")
        with open(feed, "w") as f:
            f.write("type,indicator\nip,45.133.9.9\n")
        extra = ("feeds:\n"
                 f"  - {{ name: late, format: csv, path: {feed}, tlp: green, every: 1h }}\n"
                 "detection:\n  ioc: { retro_hunt: { flush_every: 1s } }\n")
        vigie = self.track(Vigie(self.tmp, smtp_port=smtp.port, extra=extra).start())
        accepted(vigie, LISTED)
        accepted(vigie, LISTED, 40001)
        wait_for(lambda: vigie.query("SELECT sum(count) FROM observables")[0][0] == 2, timeout=30,
                 what="the sightings written to the observables")
        self.assertEqual(ioc_count(vigie, LISTED), 0)

        # The address is published now: the sightings before are an alert for the site.
        with open(feed, "w") as f:
            f.write(f"type,indicator\nip,45.133.9.9\nip,{LISTED.rsplit('.', 1)[0]}.0/24\n")
        r = run_vigie("feeds", "refresh", "--config", vigie.config, "late")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        rows = wait_for(lambda: vigie.query(
            "SELECT site, count, summary, ioc FROM alerts WHERE rule_id = 'vigie-ioc-retro'") or None,
            what="the retro-hunt alert")
        self.assertEqual(len(rows), 1, rows)
        site, count, summary, ioc = rows[0]
        self.assertEqual((site, count), ("ch-test", 2))
        self.assertIn(f"ip {LISTED} (late) seen 0 day(s) before its publication at site ch-test: 2 time(s)", summary)
        self.assertEqual(json.loads(ioc)["value"], f"{LISTED.rsplit('.', 1)[0]}.0/24")
        mail = wait_for(lambda: next((m for m in smtp.messages() if "before its publication" in subject(m)), None),
                        what="the retro-hunt mail")
        self.assertTrue(subject(mail).startswith("[VIGIE][TLP:AMBER][HIGH] ch-test — "), subject(mail))
        # From now on the live rule matches; the retro-hunt does not run again for it.
        accepted(vigie, LISTED, 40002)
        wait_for(lambda: ioc_count(vigie, f"{LISTED.rsplit('.', 1)[0]}.0/24") == 1, what="the live IOC alert")
        self.assertEqual(vigie.stop(), 0)
        again = self.track(vigie.same_config().start())
        r = run_vigie("feeds", "refresh", "--config", vigie.config)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        time.sleep(1.0)
        self.assertEqual(vigie.query("SELECT count(*) FROM alerts WHERE rule_id = 'vigie-ioc-retro'")[0][0], 1)
        self.assertEqual(again.stop(), 0)


if __name__ == "__main__":
    unittest.main()
