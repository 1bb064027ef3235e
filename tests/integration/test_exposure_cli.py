"""`vigie exposure list` on a database filled by hand: the text table (aligned columns, UTC
seconds, "(no version)", bytes from the network escaped), one JSON object per row with --json,
the --site and --product filters, an empty inventory and an unknown site. The inventory filled
by `serve` from captures and logs is test_exposure.py's."""
import json
import os
import re
import sqlite3
import textwrap
import unittest
from datetime import datetime, timezone

from harness import VigieTestCase, run_vigie

T0 = 1_775_000_000  # 2026-03-31T23:33:20Z
US = 1_000_000


def rfc3339(seconds):
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# site, host, source, raw, product, version, distro, first_seen (s), last_seen (s), count
ROWS = [
    ("ch-quimper", "10.29.1.6", "ssh.server.version", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", "OpenSSH", "9.2p1",
     "Debian-2+deb12u3", T0 + 10, T0 + 3600, 12),
    ("ch-quimper", "10.29.1.5", "ssh.server.version", "SSH-2.0-OpenSSH_8.4p1", "OpenSSH", "8.4p1", "", T0, T0 + 60, 3),
    ("ch-quimper", "10.29.1.9", "http.response.server", "nginx", "nginx", "", "", T0 + 5, T0 + 5, 1),
    ("ch-quimper", "10.29.1.10", "http.response.server", "\x1b]0;owned\x07", "", "", "", T0 + 7, T0 + 8, 2),
    ("ch-brest", "10.30.0.3", "ssh.server.version", "SSH-2.0-dropbear_2022.83", "Dropbear SSH", "2022.83", "",
     T0 + 20, T0 + 7200, 40),
    ("ch-brest", "srv-pacs", "package", "status installed openssh-server:amd64 1:9.2p1-2+deb12u3", "OpenSSH",
     "9.2p1", "Debian-2+deb12u3", T0 + 30, T0 + 30, 1),
]

FIELDS = ["site", "host", "source", "raw", "product", "version", "distro", "first_seen", "last_seen", "count"]


class ExposureCli(VigieTestCase):
    def setUp(self):
        super().setUp()
        self.db = os.path.join(self.tmp, "vigie.db")
        self.config = os.path.join(self.tmp, "vigie.yml")
        with open(self.config, "w") as f:
            f.write(textwrap.dedent(f"""\
                storage: {{ path: {self.db} }}
                sites:
                  - {{ id: ch-quimper, name: "CH de Cornouaille", networks: [10.29.0.0/16], timezone: Europe/Paris,
                      contacts: [rssi@ch-quimper.example] }}
                  - {{ id: ch-brest, name: "CHU de Brest", networks: [10.30.0.0/16], timezone: Europe/Paris,
                      contacts: [rssi@ch-brest.example] }}
                """))

    def exposure(self, *args):
        return run_vigie("exposure", "list", "--config", self.config, *args)

    def fill(self):
        # The first run creates and migrates the database; the rows go in as serve would store them.
        self.assertEqual(self.exposure().returncode, 0)
        con = sqlite3.connect(self.db)
        with con:
            con.executemany("INSERT INTO software (site, host, source, raw, product, version, distro, first_seen,"
                            " last_seen, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [r[:7] + (r[7] * US + 123_456, r[8] * US + 999_999, r[9]) for r in ROWS])
        con.close()

    def table(self, *args):
        r = self.exposure(*args)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        header = lines[0]
        self.assertEqual(header.split(), ["SITE", "PRODUCT", "VERSION", "DISTRO", "HOST", "SOURCE", "FIRST", "SEEN",
                                          "LAST", "SEEN", "COUNT"])
        # Aligned: every column starts where its heading does, after at least two spaces.
        starts = [m.start() for m in re.finditer(r"(?:^|(?<=  ))\S", header)]
        self.assertEqual(len(starts), 9)
        rows = []
        for line in lines[1:]:
            for s in starts[1:]:
                self.assertEqual(line[s - 2:s], "  ", f"column at {s} not aligned in {line!r}")
                self.assertNotEqual(line[s], " ", line)
            rows.append([line[a:b].strip() for a, b in zip(starts, starts[1:] + [None])])
        return rows

    def test_an_empty_inventory_says_so_and_the_database_is_created_at_the_current_schema(self):
        r = self.exposure()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "no software seen yet\n")
        con = sqlite3.connect(self.db)
        try:
            self.assertEqual(con.execute("PRAGMA user_version").fetchone()[0], 7)
            self.assertEqual(con.execute("SELECT count(*) FROM software").fetchone()[0], 0)
        finally:
            con.close()
        r = self.exposure("--json")
        self.assertEqual((r.returncode, r.stdout), (0, ""))

    def test_the_text_table_lists_every_row_by_site_product_version_host(self):
        self.fill()
        rows = self.table()
        self.assertEqual(rows, [
            ["ch-brest", "Dropbear SSH", "2022.83", "-", "10.30.0.3", "ssh.server.version", rfc3339(T0 + 20),
             rfc3339(T0 + 7200), "40"],
            ["ch-brest", "OpenSSH", "9.2p1", "Debian-2+deb12u3", "srv-pacs", "package", rfc3339(T0 + 30),
             rfc3339(T0 + 30), "1"],
            # Not read as a product: the string itself, its control bytes escaped (no terminal escapes).
            ["ch-quimper", r"(\x1b]0;owned\x07)", "(no version)", "-", "10.29.1.10", "http.response.server",
             rfc3339(T0 + 7), rfc3339(T0 + 8), "2"],
            ["ch-quimper", "OpenSSH", "8.4p1", "-", "10.29.1.5", "ssh.server.version", rfc3339(T0), rfc3339(T0 + 60),
             "3"],
            ["ch-quimper", "OpenSSH", "9.2p1", "Debian-2+deb12u3", "10.29.1.6", "ssh.server.version",
             rfc3339(T0 + 10), rfc3339(T0 + 3600), "12"],
            ["ch-quimper", "nginx", "(no version)", "-", "10.29.1.9", "http.response.server", rfc3339(T0 + 5),
             rfc3339(T0 + 5), "1"],
        ])
        self.assertNotIn("\x1b", self.exposure().stdout)

    def test_json_gives_one_object_per_row_with_every_field(self):
        self.fill()
        r = self.exposure("--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        records = [json.loads(line) for line in r.stdout.splitlines()]
        self.assertEqual(len(records), len(ROWS))
        for rec in records:
            self.assertEqual(sorted(rec), sorted(FIELDS))
        by_host = {rec["host"]: rec for rec in records}
        self.assertEqual(by_host["10.29.1.6"], {
            "site": "ch-quimper", "host": "10.29.1.6", "source": "ssh.server.version",
            "raw": "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", "product": "OpenSSH", "version": "9.2p1",
            "distro": "Debian-2+deb12u3", "first_seen": rfc3339(T0 + 10), "last_seen": rfc3339(T0 + 3600),
            "count": 12})
        # The string as seen, exactly (JSON escapes it); empty readings stay empty.
        self.assertEqual(by_host["10.29.1.10"]["raw"], "\x1b]0;owned\x07")
        self.assertEqual(by_host["10.29.1.10"]["product"], "")
        self.assertEqual(by_host["10.29.1.9"]["version"], "")
        self.assertEqual([rec["host"] for rec in records],
                         ["10.30.0.3", "srv-pacs", "10.29.1.10", "10.29.1.5", "10.29.1.6", "10.29.1.9"])

    def test_site_and_product_filters(self):
        self.fill()
        self.assertEqual([r[4] for r in self.table("--site", "ch-brest")], ["10.30.0.3", "srv-pacs"])
        # A part of the product's name, any case: OpenSSH, and Dropbear SSH.
        self.assertEqual([r[4] for r in self.table("--product", "ssh")],
                         ["10.30.0.3", "srv-pacs", "10.29.1.5", "10.29.1.6"])
        self.assertEqual([r[4] for r in self.table("--product", "OPENSSH", "--site", "ch-quimper")],
                         ["10.29.1.5", "10.29.1.6"])
        r = self.exposure("--product", "openssh", "--site", "ch-brest", "--json")
        self.assertEqual([json.loads(line)["host"] for line in r.stdout.splitlines()], ["srv-pacs"])
        r = self.exposure("--product", "fortios")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("no software seen yet"), r.stdout)

    def test_an_unknown_site_is_a_usage_error_naming_it(self):
        self.fill()
        r = self.exposure("--site", "ch-nowhere")
        self.assertEqual(r.returncode, 2)
        self.assertIn("no site with id 'ch-nowhere'", r.stderr)
        self.assertEqual(r.stdout, "")


if __name__ == "__main__":
    unittest.main()
