"""Advisory relay end to end: a CERT Santé RSS feed and a CERT-FR index with its documents, served
over HTTP on loopback, fetched by `vigie serve`; new advisories mailed to the regional list
(aiosmtpd) in French, the CERT-FR advisory on the same CVE threaded under the CERT Santé mail, an
update reporting active exploitation mailed in the same thread, a first sync that leaves old
advisories out, a restart that sends nothing again, and a broken feed that is an error naming
it while the daemon keeps running."""
import email.header
import email.utils
import json
import time
import unittest
from datetime import datetime, timedelta, timezone

from harness import HttpServer, SmtpServer, Vigie, VigieTestCase, run_vigie, wait_for

CVE = "CVE-2026-24858"


def subject(msg):
    return str(email.header.make_header(email.header.decode_header(msg["Subject"])))


def body(msg):
    return msg.get_payload(decode=True).decode("utf-8")


def rfc822(days_ago):
    return email.utils.format_datetime(datetime.now(timezone.utc) - timedelta(days=days_ago))


def item(guid, title, description, days_ago, link=None):
    link = link or f"https://cyberveille.esante.gouv.fr/alertes/{guid}"
    return (f"<item><title>{title}</title><link>{link}</link>"
            f"<description>{description}</description><pubDate>{rfc822(days_ago)}</pubDate>"
            f'<guid isPermaLink="false">{guid}</guid></item>')


def rss(*items):
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            "<title>CERT Santé - Alertes et vulnérabilités</title>"
            "<link>https://cyberveille.esante.gouv.fr/alertes-et-vulnerabilites</link>"
            + "".join(items) + "</channel></rss>\n")


FORTIOS = item("cert-sante-alerte-4398", f"FORTINET FortiOS - {CVE}",
               "&lt;p&gt;Une vulnérabilité critique affectant FortiOS permet un contournement de "
               "l&amp;#039;authentification.&lt;/p&gt;", 1)
OLD = item("cert-sante-alerte-4100", "CITRIX NetScaler ADC - CVE-2026-7013",
           "Vulnérabilité de type dépassement de tampon.", 40)
UPDATE = item("cert-sante-alerte-4402", f"[MàJ] FORTINET FortiOS - {CVE}",
              "&lt;p&gt;Mise à jour : exploitation active constatée.&lt;/p&gt;", 0)


def certfr_document(reference, days_ago):
    date = (datetime.now(timezone.utc) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S.000000")
    return json.dumps({
        "reference": reference,
        "title": "Vulnérabilité dans Fortinet FortiOS",
        "summary": "Une vulnérabilité a été découverte dans FortiOS. Elle permet à un attaquant de provoquer "
                   "une exécution de code arbitraire à distance.",
        "content": "## Solutions\n\nSe référer au bulletin de sécurité de l'éditeur pour l'obtention des correctifs.",
        "affected_systems": [{"description": "FortiOS versions 7.2.x antérieures à 7.2.11",
                              "product": {"name": "FortiOS", "vendor": {"name": "Fortinet", "scada": False}}}],
        "cves": [{"name": CVE, "url": f"https://www.cve.org/CVERecord?id={CVE}"}],
        "risks": [{"description": "Exécution de code arbitraire à distance"}],
        "vendor_advisories": [{"published_at": date[:10], "title": "Bulletin de sécurité Fortinet FG-IR-26-060",
                               "url": "https://fortiguard.fortinet.com/psirt/FG-IR-26-060"}],
        "revisions": [{"description": "Version initiale", "revision_date": date}],
        "links": [], "affected_systems_content": None,
    }, ensure_ascii=False), date


class Advisories(VigieTestCase):
    def start(self, http, smtp):
        self.rss_url = http.put("rss.xml", rss(FORTIOS, OLD))
        doc, date = certfr_document("CERTFR-2026-AVI-0900", 1)
        http.put("docs/CERTFR-2026-AVI-0900.json", doc)
        index = [{"reference": "CERTFR-2026-AVI-0900", "last_revision_date": date,
                  "json_url": f"http://127.0.0.1:{http.port}/docs/CERTFR-2026-AVI-0900.json"},
                 # An index naming a document on another site: refused, never fetched.
                 {"reference": "CERTFR-2026-AVI-0901", "last_revision_date": date,
                  "json_url": "http://198.51.100.1/avis/CERTFR-2026-AVI-0901/json/"}]
        index_url = http.put("avis.json", json.dumps(index))
        extra = ("feeds:\n"
                 f"  - {{ name: cert-sante, format: rss, url: \"{self.rss_url}\", every: 1h, relay: true }}\n"
                 f"  - {{ name: certfr-avis, format: certfr, url: \"{index_url}\", every: 1h, relay: true }}\n")
        vigie = Vigie(self.tmp, smtp_port=smtp.port, extra=extra)
        check = run_vigie("check", "--config", vigie.config)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        return self.track(vigie.start())

    def list_mails(self, smtp, n):
        return wait_for(lambda: (lambda m: m if len(m) >= n else None)(
            [m for m in smtp.messages() if m["To"] == "alertes-ssi@listes.example"]), what=f"{n} advisory mail(s)")

    def test_relay_threads_updates_and_never_sends_twice(self):
        smtp = self.track(SmtpServer(self.tmp).start())
        http = self.track(HttpServer(self.tmp).start())
        vigie = self.start(http, smtp)
        mails = self.list_mails(smtp, 2)
        self.assertEqual(len(mails), 2, [subject(m) for m in mails])
        first = next(m for m in mails if m["In-Reply-To"] is None)
        certfr = next(m for m in mails if m is not first)
        # CERT Santé's alert: new, in French, with the CVE and the link.
        self.assertEqual(subject(first), f"[VIGIE][TLP:CLEAR][HIGH] FORTINET FortiOS - {CVE}")
        text = body(first)
        self.assertIn("Nouvelle alerte publiée par cert-sante", text)
        self.assertIn(f"CVE            : {CVE}", text)
        self.assertIn("permet un contournement de\n  l'authentification.", text)
        self.assertIn("https://cyberveille.esante.gouv.fr/alertes/cert-sante-alerte-4398", text)
        self.assertEqual(subject(certfr),
                         "[VIGIE][TLP:CLEAR][HIGH] Aussi publié — CERTFR-2026-AVI-0900 — Vulnérabilité dans Fortinet FortiOS")
        # CERT-FR's advisory on the same CVE: one thread, not two.
        self.assertEqual(certfr["In-Reply-To"], first["Message-ID"])
        self.assertIn("certfr-avis publie aussi ces vulnérabilités : CERTFR-2026-AVI-0900", body(certfr))
        self.assertIn("Fortinet FortiOS : FortiOS versions 7.2.x antérieures à 7.2.11", body(certfr))
        self.assertIn("Bulletin de sécurité Fortinet FG-IR-26-060 — https://fortiguard.fortinet.com/psirt/FG-IR-26-060",
                      body(certfr))
        self.assertIn("Se référer au bulletin de sécurité de l'éditeur", body(certfr))
        self.assertIn("CERTFR-2026-AVI-0901: json_url 'http://198.51.100.1/avis/CERTFR-2026-AVI-0901/json/' is on "
                      "another site, refused", vigie.log_text())
        # The 40-day-old item of the first sync is stored, not mailed.
        self.assertEqual(vigie.query("SELECT count(*) FROM advisories")[0][0], 3)
        self.assertFalse(any("CVE-2026-7013" in subject(m) for m in smtp.messages()))

        # An update reporting active exploitation: mailed in the same thread, critical.
        http.put("rss.xml", rss(UPDATE, FORTIOS, OLD), age=60)
        r = run_vigie("feeds", "refresh", "--config", vigie.config, "cert-sante")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        seen = {m["Message-ID"] for m in mails}
        update = next(m for m in self.list_mails(smtp, 3) if m["Message-ID"] not in seen)
        self.assertEqual(update["In-Reply-To"], first["Message-ID"])
        self.assertTrue(subject(update).startswith("[VIGIE][TLP:CLEAR][CRITICAL] Exploitation active — "),
                        subject(update))
        self.assertIn("MISE À JOUR : exploitation active signalée", body(update))

        # A broken body: an error naming the feed; the daemon keeps running, nothing is mailed.
        http.put("rss.xml", rss(UPDATE, FORTIOS)[:120], age=120)
        r = run_vigie("feeds", "refresh", "--config", vigie.config, "cert-sante")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("cert-sante", r.stdout)
        self.assertRegex(vigie.log_text(), r"feed cert-sante: .*(XML|xml)")
        self.assertTrue(vigie.alive())
        self.assertEqual(vigie.stop(), 0)

        # A restart reads and fetches everything again: nothing is sent twice.
        http.put("rss.xml", rss(UPDATE, FORTIOS, OLD), age=180)
        reads = vigie.log_text().count("feed cert-sante: 3 advisory(ies) read")
        again = self.track(vigie.same_config().start())
        wait_for(lambda: again.log_text().count("feed cert-sante: 3 advisory(ies) read") > reads,
                 what="the feed read again after the restart")
        r = run_vigie("feeds", "refresh", "--config", vigie.config)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        time.sleep(1.0)
        self.assertEqual(len([m for m in smtp.messages() if m["To"] == "alertes-ssi@listes.example"]), 3)
        self.assertEqual(again.stop(), 0)


if __name__ == "__main__":
    unittest.main()
