#include <doctest/doctest.h>

#include <sstream>

#include "core/timezone.hpp"
#include "helpers.hpp"
#include "notify/render.hpp"

using namespace vigie;

namespace {

notify::RenderedMail render(const core::Alert& a, std::string_view lang, bool update = false,
                            const config::Site* site = nullptr, const core::TimeZone* zone = nullptr) {
  auto t = notify::load_templates(lang, {});
  REQUIRE_MESSAGE(t, t.error().to_string());
  notify::MailParams p{
      "Vigie <vigie@vigie.test>", "vigie.test", {"alertes-ssi@listes.example", "rssi@site.example"}, site, zone, update,
      test::at(1'700'000'100)};
  p.language = std::string(lang);
  auto m = notify::render_mail(*t, a, p);
  REQUIRE_MESSAGE(m, m.error().to_string());
  return *m;
}

void check_wire_format(const std::string& bytes) {
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    const auto nl = bytes.find('\n', pos);
    REQUIRE(nl != std::string::npos);
    REQUIRE(nl > pos);
    CHECK(bytes[nl - 1] == '\r');
    CHECK(nl - pos - 1 <= 998);
    std::size_t bad = 0;  // 7-bit printable only: RFC 2047 headers, quoted-printable body
    for (std::size_t i = pos; i + 1 < nl; ++i) {
      const auto c = static_cast<unsigned char>(bytes[i]);
      if ((c < 0x20 && c != '\t') || c >= 0x80) ++bad;
    }
    CHECK(bad == 0);
    pos = nl + 1;
  }
}

}  // namespace

TEST_CASE("French mail: exact subject, headers, body with site time zone and UTC") {
  config::Site site{"ch-quimper", "CH de Cornouaille", {}, "Europe/Paris", {}, ""};
  auto zone = core::TimeZone::load("Europe/Paris");
  REQUIRE(zone);
  const auto a = test::sample_alert();
  const auto m = render(a, "fr", false, &site, &*zone);
  CHECK(m.subject == "[VIGIE][TLP:AMBER][HIGH] ch-quimper — SSH brute force depuis 183.62.140.253");
  CHECK(test::decode_2047(test::header_of(m.bytes, "Subject")) == m.subject);
  CHECK(m.message_id == "<" + a.id + "@vigie.test>");
  CHECK(test::header_of(m.bytes, "Message-ID") == m.message_id);
  CHECK(test::header_of(m.bytes, "From") == "Vigie <vigie@vigie.test>");
  CHECK(test::header_of(m.bytes, "To") == "alertes-ssi@listes.example, rssi@site.example");
  CHECK(test::header_of(m.bytes, "Date") == "Tue, 14 Nov 2023 22:15:00 +0000");
  CHECK(test::header_of(m.bytes, "MIME-Version") == "1.0");
  CHECK(test::header_of(m.bytes, "Content-Type") == "text/plain; charset=utf-8");
  CHECK(test::header_of(m.bytes, "Content-Transfer-Encoding") == "quoted-printable");
  CHECK(test::header_of(m.bytes, "Auto-Submitted") == "auto-generated");
  CHECK(test::header_of(m.bytes, "X-Vigie-Alert-Id") == a.id);
  CHECK(test::header_of(m.bytes, "X-Vigie-Level") == "high");
  CHECK(test::header_of(m.bytes, "In-Reply-To").empty());
  check_wire_format(m.bytes);

  const auto body = test::qp_decode(test::body_of(m.bytes));
  CHECK(body.find("Site           : ch-quimper — CH de Cornouaille") != std::string::npos);
  CHECK(body.find("Règle          : ssh-bruteforce — SSH brute force") != std::string::npos);
  CHECK(body.find("Étiquettes     : attack.credential_access, attack.t1110") != std::string::npos);
  CHECK(body.find("Occurrences    : 10") != std::string::npos);
  // 22:13:20Z is 23:13:20 in Paris in November (CET).
  CHECK(body.find("Premier vu     : 2023-11-14 23:13:20 UTC+01:00 (Europe/Paris) — 2023-11-14 22:13:20 UTC") !=
        std::string::npos);
  CHECK(body.find("  source.ip = 183.62.140.253") != std::string::npos);
  CHECK(body.find("  | Failed password for root from 183.62.140.253 port 4242 ssh2") != std::string::npos);
  CHECK(body.find("Que faire") != std::string::npos);
  CHECK(body.find("X-Vigie-Alert-Id: " + a.id) != std::string::npos);
}

TEST_CASE("English mail and UTC-only times when the site has no zone") {
  const auto m = render(test::sample_alert(), "en");
  CHECK(m.subject == "[VIGIE][TLP:AMBER][HIGH] ch-quimper — SSH brute force from 183.62.140.253");
  const auto body = test::qp_decode(test::body_of(m.bytes));
  CHECK(body.find("First seen     : 2023-11-14 22:13:20 UTC") != std::string::npos);
  CHECK(body.find("What to do") != std::string::npos);
  CHECK(body.find("Automated alert sent by Vigie") != std::string::npos);
  check_wire_format(m.bytes);
}

TEST_CASE("Message-ID is stable per alert; an update threads to the first mail") {
  const auto a = test::sample_alert();
  CHECK(render(a, "fr").bytes == render(a, "fr").bytes);
  auto u = a;
  u.update = true;
  u.count = 42;
  const auto m = render(u, "fr", true);
  CHECK(m.message_id == "<" + a.id + ".42@vigie.test>");
  CHECK(test::header_of(m.bytes, "In-Reply-To") == "<" + a.id + "@vigie.test>");
  CHECK(test::header_of(m.bytes, "References") == "<" + a.id + "@vigie.test>");
  CHECK(m.subject.find("(mise à jour : 42 événements)") != std::string::npos);
}

TEST_CASE("hostile values cannot inject headers or break the format") {
  auto a = test::sample_alert();
  a.rule.title = "evil\r\nBcc: victim@example.org\r\n\r\nfake body";
  a.key = {{"source.ip", "1.2.3.4\nX-Injected: yes"}};
  a.evidence = {"bad utf8 \xC3\x28 \xff\xfe and NUL \x01 and CR\rLF\n done", std::string(5000, 'A')};
  a.summary = "line1\nline2";
  const auto m = render(a, "fr");
  CHECK(test::header_of(m.bytes, "Bcc").empty());
  CHECK(test::header_of(m.bytes, "X-Injected").empty());
  CHECK(m.subject.find('\n') == std::string::npos);
  CHECK(m.subject.find("evil\xEF\xBF\xBD\xEF\xBF\xBD"
                       "Bcc: victim@example.org") != std::string::npos);
  check_wire_format(m.bytes);
  const auto body = test::qp_decode(test::body_of(m.bytes));
  CHECK(body.find("bad utf8 \xEF\xBF\xBD( \xEF\xBF\xBD\xEF\xBF\xBD and NUL \xEF\xBF\xBD and "
                  "CR\xEF\xBF\xBDLF\xEF\xBF\xBD done") != std::string::npos);
  CHECK(body.find("line1\xEF\xBF\xBDline2") != std::string::npos);
  CHECK(body.find(std::string(5000, 'A')) != std::string::npos);
}

TEST_CASE("templates: built-ins mirror deploy/templates; templates_dir overrides; errors are reported") {
  for (const char* lang : {"fr", "en"})
    for (const char* part : {"subject", "body"})
      CHECK(notify::builtin_template(lang, part) ==
            test::read_file(std::filesystem::path(VIGIE_SOURCE_DIR) / "deploy/templates" / lang /
                            (std::string(part) + ".mustache")));
  test::TempDir t;
  std::filesystem::create_directories(t.path / "fr");
  std::ofstream(t.path / "fr" / "subject.mustache") << "Alerte {{rule_id}} <{{site_label}}>";
  auto tpl = notify::load_templates("fr", t.path);
  REQUIRE(tpl);
  notify::MailParams p{"v@h", "h", {"a@b"}, nullptr, nullptr, false, test::at(0)};
  auto m = notify::render_mail(*tpl, test::sample_alert(), p);
  REQUIRE(m);
  CHECK(m->subject == "Alerte ssh-bruteforce <ch-quimper>");                               // no HTML escaping
  CHECK(test::qp_decode(test::body_of(m->bytes)).find("Que faire") != std::string::npos);  // built-in body

  std::ofstream(t.path / "fr" / "body.mustache") << "{{#unclosed}}";
  auto bad = notify::load_templates("fr", t.path);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().where == (t.path / "fr" / "body.mustache").string());
  CHECK_FALSE(notify::load_templates("de", {}));
}

TEST_CASE("the body starts with its first line of text, update or not") {
  for (const char* lang : {"fr", "en"}) {
    CAPTURE(lang);
    for (bool update : {false, true}) {
      const auto body = test::qp_decode(test::body_of(render(test::sample_alert(), lang, update).bytes));
      REQUIRE_FALSE(body.empty());
      CHECK(body.rfind("\r\n", 0) != 0);
      CHECK(body.front() != ' ');
    }
  }
}

TEST_CASE("a folded YAML description is wrapped under its indent, with no stray character") {
  auto a = test::sample_alert();
  a.rule.description =
      "At least 10 failed SSH password logins from one source address within 5 minutes at one site: "
      "password guessing against an SSH server. Check whether the server should be reachable.\n"
      "\n"
      "Second paragraph.\n";  // `>` scalars end with a newline
  const auto body = test::qp_decode(test::body_of(render(a, "en").bytes));
  const auto start = body.find("Description:\r\n");
  REQUIRE(start != std::string::npos);
  CHECK(body.find("\xEF\xBF\xBD") == std::string::npos);  // no U+FFFD from the trailing newline
  std::istringstream lines(body.substr(start));
  std::string line;
  std::getline(lines, line);     // "Description:"
  std::vector<std::string> got;  // up to the next heading (a line not indented)
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line.rfind("  ", 0) != 0) break;
    got.push_back(line);
  }
  REQUIRE(got.size() >= 3);
  for (const auto& l : got) CHECK(l.size() <= 76);
  CHECK(got[0].rfind("  At least 10 failed SSH password logins", 0) == 0);
  CHECK(got.back() == "  Second paragraph.");
  CHECK(got[got.size() - 2].empty());  // the paragraph break
}

TEST_CASE("advisory mails: the exposed sites in the mail's language, 'none' only when versions were compared") {
  core::Alert a = test::sample_alert();
  a.rule.id = "vigie-advisory";
  core::AdvisoryRef r;
  r.feed = "certfr-avis";
  r.reference = "CERTFR-2026-AVI-0950";
  r.title = "Vulnérabilité dans OpenSSH";
  r.affected = {"OpenBSD OpenSSH : OpenSSH versions antérieures à 9.8p1"};
  r.exposure_known = true;
  r.exposed = {"ch-quimper\tOpenSSH 8.4p1\t10.29.1.5\t1775000000\t",
               "ch-brest\tOpenSSH 9.2p1 Debian-2+deb12u3\t10.30.0.6\t1775100000\t"
               "paquet Debian : correctifs rétroportés possibles",
               "+\t3"};
  a.advisory = r;
  auto fr = test::qp_decode(test::body_of(render(a, "fr").bytes));
  CHECK(fr.find("  - ch-quimper : OpenSSH 8.4p1 sur 10.29.1.5, vu le 2026-03-31\r\n") != std::string::npos);
  CHECK(fr.find("  - ch-brest : OpenSSH 9.2p1 Debian-2+deb12u3 sur 10.30.0.6, vu le 2026-04-02 — à vérifier : "
                "paquet Debian : correctifs rétroportés possibles\r\n") != std::string::npos);
  CHECK(fr.find("  - … et 3 autre(s)\r\n") != std::string::npos);
  auto en = test::qp_decode(test::body_of(render(a, "en").bytes));
  CHECK(en.find("  - ch-quimper: OpenSSH 8.4p1 on 10.29.1.5, seen 2026-03-31\r\n") != std::string::npos);
  CHECK(en.find("— to check: Debian build: fixes may be backported\r\n") != std::string::npos);
  CHECK(en.find("Exposed: no site") == std::string::npos);

  a.advisory->exposed.clear();
  fr = test::qp_decode(test::body_of(render(a, "fr").bytes));
  CHECK(fr.find("Exposés : aucun site, d'après les versions que Vigie a vues.") != std::string::npos);
  a.advisory->exposure_known = false;  // nothing Vigie could compare: it says nothing
  fr = test::qp_decode(test::body_of(render(a, "fr").bytes));
  CHECK(fr.find("Exposés") == std::string::npos);
}
