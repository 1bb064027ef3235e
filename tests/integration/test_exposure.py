"""The exposure inventory end to end: a site drops a capture in its spool directory; the SSH servers
it shows (inside the site's networks) and a package a host's dpkg.log names (over syslog) become
the site's inventory, listed by `vigie exposure list`;
then CERT-FR publishes an advisory on OpenSSH (served over HTTP), and its mail to the regional list
names the exposed server, lists a Debian build as to be checked (fixes are backported), and leaves
out both a fixed version and a server outside the site."""
import email.header
import json
import os
import socket
import unittest
from datetime import datetime, timedelta, timezone

from harness import HttpServer, SmtpServer, Vigie, VigieTestCase, run_vigie, wait_for
from test_captures import ssh_session, write_pcap

SITES = """\
    - { id: ch-quimper, name: "CH de Cornouaille", networks: [10.29.0.0/16, 127.0.0.0/8], timezone: Europe/Paris,
        contacts: [rssi@ch-quimper.example] }
    """

START = 1_775_000_000.0  # 2026-03-31
PUTTY = b"SSH-2.0-PuTTY_Release_0.81"


def advisory(reference):
    date = (datetime.now(timezone.utc) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S.000000")
    doc = json.dumps({
        "reference": reference,
        "title": "Vulnérabilité dans OpenSSH",
        "summary": "Une vulnérabilité a été découverte dans OpenSSH. Elle permet à un attaquant de provoquer une "
                   "exécution de code arbitraire à distance.",
        "content": "## Solutions\n\nSe référer au bulletin de sécurité de l'éditeur.",
        "affected_systems": [{"description": "OpenSSH versions antérieures à 9.8p1",
                              "product": {"name": "OpenSSH", "vendor": {"name": "OpenBSD", "scada": False}}}],
        "cves": [{"name": "CVE-2024-6387", "url": "https://www.cve.org/CVERecord?id=CVE-2024-6387"}],
        "risks": [{"description": "Exécution de code arbitraire à distance"}],
        "vendor_advisories": [], "links": [], "affected_systems_content": None,
        "revisions": [{"description": "Version initiale", "revision_date": date}],
    }, ensure_ascii=False)
    return doc, date


def body(msg):
    return msg.get_payload(decode=True).decode("utf-8")


class Exposure(VigieTestCase):
    def test_an_advisory_mail_names_the_sites_running_an_affected_version(self):
        smtp = self.track(SmtpServer(self.tmp).start())
        http = self.track(HttpServer(self.tmp).start())
        index_url = http.put("avis.json", "[]")
        spool = os.path.join(self.tmp, "spool")
        extra = ("feeds:\n"
                 f"  - {{ name: certfr-avis, format: certfr, url: \"{index_url}\", every: 1h, relay: true }}\n"
                 "detection: { ioc: { retro_hunt: { flush_every: 1s } } }\n")
        vigie = self.track(Vigie(self.tmp, smtp_port=smtp.port, sites=SITES, extra=extra,
                                 inputs=f"spool: {{ dir: {spool}, every: 200ms, settle: 0s }}\n").start())
        frames = (ssh_session("192.0.2.7", "10.29.1.5", 50001, START, b"SSH-2.0-OpenSSH_8.4p1", PUTTY)
                  + ssh_session("192.0.2.7", "10.29.1.6", 50002, START + 10, b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", PUTTY)
                  + ssh_session("192.0.2.7", "10.29.1.7", 50003, START + 20, b"SSH-2.0-OpenSSH_9.9p1", PUTTY)
                  # A server outside the site, reached by one of its clients: not the site's software.
                  + ssh_session("10.29.2.2", "198.51.100.22", 50004, START + 30, b"SSH-2.0-OpenSSH_7.4", PUTTY))
        os.makedirs(os.path.join(spool, "ch-quimper"))
        write_pcap(os.path.join(spool, "ch-quimper", "dmz.pcap"), frames)

        def servers():
            return vigie.query("SELECT host, product, version, distro FROM software "
                               "WHERE site = 'ch-quimper' AND source = 'ssh.server.version' ORDER BY host")
        # A host's dpkg.log, forwarded by its rsyslog (imfile, tag dpkg).
        vigie.logger("2026-12-01 10:03:12 status installed openssh-server:amd64 1:9.2p1-2+deb12u3", tag="dpkg")
        rows = wait_for(lambda: (lambda r: r if len(r) == 3 else None)(servers()), what="three servers inventoried")
        self.assertEqual(rows, [("10.29.1.5", "OpenSSH", "8.4p1", ""),
                                ("10.29.1.6", "OpenSSH", "9.2p1", "Debian-2+deb12u3"),
                                ("10.29.1.7", "OpenSSH", "9.9p1", "")])
        package = wait_for(lambda: vigie.query("SELECT host, product, version, distro FROM software "
                                               "WHERE source = 'package'"), what="the package inventoried")
        hostname = socket.gethostname()
        self.assertEqual(package, [(hostname, "OpenSSH", "9.2p1", "Debian-2+deb12u3")])
        listed = run_vigie("exposure", "list", "--config", vigie.config, "--site", "ch-quimper")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        for host in ("10.29.1.5", "10.29.1.6", "10.29.1.7"):
            self.assertIn(host, listed.stdout)
        self.assertNotIn("198.51.100.22", listed.stdout)
        as_json = run_vigie("exposure", "list", "--config", vigie.config, "--json", "--product", "openssh")
        records = [json.loads(line) for line in as_json.stdout.splitlines()]
        self.assertEqual(len([r for r in records if r["source"] == "ssh.server.version"]), 3)
        self.assertTrue(all(r["product"] == "OpenSSH" and r["site"] == "ch-quimper" for r in records))
        self.assertRegex(records[0]["last_seen"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        unknown = run_vigie("exposure", "list", "--config", vigie.config, "--site", "ch-nowhere")
        self.assertEqual(unknown.returncode, 2)
        self.assertIn("no site with id 'ch-nowhere'", unknown.stderr)

        doc, date = advisory("CERTFR-2026-AVI-0950")
        http.put("docs/CERTFR-2026-AVI-0950.json", doc)
        http.put("avis.json", json.dumps([{"reference": "CERTFR-2026-AVI-0950", "last_revision_date": date,
                                           "json_url": f"http://127.0.0.1:{http.port}/docs/CERTFR-2026-AVI-0950.json"}]),
                 age=60)
        r = run_vigie("feeds", "refresh", "--config", vigie.config, "certfr-avis")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        mail = wait_for(lambda: next((m for m in smtp.messages() if m["To"] == "alertes-ssi@listes.example"
                                      and "OpenSSH" in str(email.header.make_header(
                                          email.header.decode_header(m["Subject"])))), None),
                        what="the advisory mail")
        text = body(mail)
        self.assertIn("Exposés (d'après ce que Vigie a vu dans les sites) :", text)
        self.assertIn("  - ch-quimper : OpenSSH 8.4p1 sur 10.29.1.5, vu le 2026-03-31", text)
        self.assertIn("  - ch-quimper : OpenSSH 9.2p1 Debian-2+deb12u3 sur 10.29.1.6, vu le 2026-03-31 — à vérifier :",
                      text)
        self.assertIn("rétroportés", text)
        self.assertIn(f"  - ch-quimper : OpenSSH 9.2p1 Debian-2+deb12u3 sur {hostname}, vu le ", text)
        self.assertNotIn("10.29.1.7", text)
        self.assertNotIn("198.51.100.22", text)
        self.assertEqual(vigie.stop(), 0)


if __name__ == "__main__":
    unittest.main()
