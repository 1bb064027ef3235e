// Advisory formats (intel/advisory_formats.hpp): hand-written CERT-FR documents and indexes, RSS
// and Atom bodies, HTML descriptions, truncated and hostile bodies; and, in suite "corpus", the
// CERT-FR documents and the CERT Santé RSS sample under ../shared/corpus/feeds.
#include "intel/advisory_formats.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

using namespace vigie::intel;

namespace {

// 2026-02-20T00:00:00Z
constexpr int64_t kFeb20 = 1'771'545'600;

const std::string kDocument = R"({
  "reference": "CERTFR-2025-AVI-0539",
  "title": "Multiples vulnérabilités dans Cisco ISE",
  "summary": "De multiples vulnérabilités ont été découvertes.",
  "content": "## Solutions\n\nSe référer au bulletin de sécurité de l'éditeur.",
  "affected_systems": [{"description": "ISE versions 3.3 antérieures à 3.3 Patch 7",
                        "product": {"name": "Identity Services Engine", "vendor": {"name": "Cisco"}}},
                       "not an object", {"product": 7}],
  "cves": [{"name": "cve-2025-20337"}, {"name": "CVE-2025-20281"}, {"name": "CVE-2025-20281"}, {"name": 12}],
  "risks": [{"description": "Exécution de code arbitraire à distance"}],
  "vendor_advisories": [{"published_at": "2025-06-25", "title": "Bulletin Cisco", "url": "https://cisco.example/a"}],
  "revisions": [{"description": "Ajout de CVE-2025-20337", "revision_date": "2025-07-17T00:00:00.000000"},
                {"description": "Version initiale", "revision_date": "2025-06-26T00:00:00.000000"},
                {"description": "L'éditeur indique que les vulnérabilités sont activement exploitées.",
                 "revision_date": "2025-07-22T10:30:00.123456"}],
  "closed_at": null
})";

const std::string kRss = R"(<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>CERT Santé</title>
<item><title>[MàJ] FORTINET FortiOS - CVE-2026-24858, CVE-2026-24859</title>
<link>https://cert.example/alertes/fortinet-fortios-cve-2026-24858-2026-11-12</link>
<description>&lt;p&gt;Mise à jour : exploitation active constatée.&lt;br/&gt;Versions&amp;nbsp;7.0 &amp;amp; 7.2.&lt;/p&gt;</description>
<pubDate>Fri, 20 Nov 2026 17:40:00 +0100</pubDate><guid isPermaLink="false">cert-sante-alerte-4398</guid></item>
<item><title><![CDATA[Campagne d'hameçonnage]]></title><link>https://cert.example/alertes/campagne</link>
<dc:date>2026-10-28T14:30:00+01:00</dc:date></item>
<item><title>Sans identifiant</title></item>
</channel></rss>)";

const std::string kAtom = R"(<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>CERT</title>
<entry><title>JENKINS - CVE-2026-53435</title><id>urn:cert:4412</id>
<link rel="alternate" href="https://cert.example/alertes/jenkins-cve-2026-53435"/>
<published>2026-11-18T10:12:00+01:00</published><updated>2026-11-19T08:00:00Z</updated>
<summary type="html">&lt;b&gt;Jenkins&lt;/b&gt; : pas d'exploitation active connue.</summary></entry>
</feed>)";

}  // namespace

TEST_CASE("a CERT-FR document: fields, CVEs tidied, revisions sorted, exploitation from a revision") {
  ParseReport r;
  auto a = parse_certfr_document(kDocument, "certfr-avis", r);
  REQUIRE(a);
  CHECK(a->reference == "CERTFR-2025-AVI-0539");
  CHECK(a->feed == "certfr-avis");
  CHECK_FALSE(a->alert);
  CHECK(a->link == "https://www.cert.ssi.gouv.fr/avis/CERTFR-2025-AVI-0539/");
  CHECK(a->cves == std::vector<std::string>{"CVE-2025-20281", "CVE-2025-20337"});
  REQUIRE(a->affected.size() == 1);
  CHECK(a->affected[0].vendor == "Cisco");
  CHECK(a->affected[0].product == "Identity Services Engine");
  CHECK(a->risks == std::vector<std::string>{"Exécution de code arbitraire à distance"});
  REQUIRE(a->vendor_advisories.size() == 1);
  CHECK(a->vendor_advisories[0].url == "https://cisco.example/a");
  REQUIRE(a->revisions.size() == 3);
  CHECK(a->revisions[0].description == "Version initiale");
  CHECK(a->published == 1'750'896'000);  // 2025-06-26, no zone: UTC
  CHECK(a->revised == 1'753'180'200);    // 2025-07-22T10:30:00
  CHECK(a->update);
  CHECK(a->exploited);
  CHECK(a->closed == 0);
  CHECK(a->solution.find("Se référer") != std::string::npos);

  auto closed = parse_certfr_document(
      R"({"reference":"CERTFR-2026-ALE-0001","title":"t","closed_at":"2026-03-01T00:00:00.000000",
          "summary":"Voir CVE-2026-0001 et CVE-2026-0002."})",
      "certfr-alerte", r);
  REQUIRE(closed);
  CHECK(closed->alert);
  CHECK(closed->link == "https://www.cert.ssi.gouv.fr/alerte/CERTFR-2026-ALE-0001/");
  CHECK(closed->closed == 1'772'323'200);
  CHECK(closed->cves == std::vector<std::string>{"CVE-2026-0001", "CVE-2026-0002"});  // from the text
  CHECK_FALSE(closed->exploited);
}

TEST_CASE("a CERT-FR index: entries, bad entries counted") {
  ParseReport r;
  auto idx = parse_certfr_index(
      R"([{"reference":"CERTFR-2026-AVI-0194","json_url":"https://x.example/avis/CERTFR-2026-AVI-0194/json/",
           "last_revision_date":"2026-02-20T00:00:00.000000"},
          {"reference":"CERTFR-2026-AVI-0195"}, 3])",
      r);
  REQUIRE(idx);
  REQUIRE(idx->size() == 1);
  CHECK((*idx)[0].reference == "CERTFR-2026-AVI-0194");
  CHECK((*idx)[0].last_revision_date == kFeb20);
  CHECK(r.records == 3);
  CHECK(r.invalid == 2);
  CHECK_FALSE(parse_certfr_index(R"({"items": []})", r));
  CHECK_FALSE(parse_certfr_index("", r));
  CHECK_FALSE(parse_certfr_document("[1,2]", "f", r));
  CHECK_FALSE(parse_certfr_document(R"({"title":"no reference"})", "f", r));
}

TEST_CASE("RSS: update markers, HTML descriptions, CVEs from title and link, dates with zones") {
  ParseReport r;
  auto items = parse_advisory_feed(kRss, "cert-sante", r);
  REQUIRE(items);
  REQUIRE(items->size() == 2);
  CHECK(r.records == 3);
  CHECK(r.invalid == 1);  // no guid, id or link
  const Advisory& a = (*items)[0];
  CHECK(a.reference == "cert-sante-alerte-4398");
  CHECK(a.title == "FORTINET FortiOS - CVE-2026-24858, CVE-2026-24859");
  CHECK(a.update);
  CHECK(a.alert);
  CHECK(a.exploited);
  CHECK(a.summary == "Mise à jour : exploitation active constatée.\nVersions 7.0 & 7.2.");
  CHECK(a.cves == std::vector<std::string>{"CVE-2026-24858", "CVE-2026-24859"});
  CHECK(a.published == 1'795'192'800);  // 2026-11-20T16:40:00Z
  const Advisory& b = (*items)[1];
  CHECK(b.reference == "https://cert.example/alertes/campagne");  // no guid: the link
  CHECK(b.title == "Campagne d'hameçonnage");
  CHECK(b.published == 1'793'194'200);  // dc:date 2026-10-28T13:30:00Z
  CHECK(b.cves.empty());
  CHECK_FALSE(b.update);
}

TEST_CASE("Atom: id, alternate link, published and updated; a negated exploitation does not count") {
  ParseReport r;
  auto items = parse_advisory_feed(kAtom, "cert", r);
  REQUIRE(items);
  REQUIRE(items->size() == 1);
  const Advisory& a = (*items)[0];
  CHECK(a.reference == "urn:cert:4412");
  CHECK(a.link == "https://cert.example/alertes/jenkins-cve-2026-53435");
  CHECK(a.published == 1'794'993'120);  // 2026-11-18T09:12:00Z
  CHECK(a.revised == 1'795'075'200);    // 2026-11-19T08:00:00Z
  CHECK(a.summary == "Jenkins : pas d'exploitation active connue.");
  CHECK_FALSE(a.exploited);
  CHECK(a.cves == std::vector<std::string>{"CVE-2026-53435"});
}

TEST_CASE("bodies that are not feeds are errors with the reason; truncations never crash") {
  ParseReport r;
  auto not_xml = parse_advisory_feed("{\"json\": true}", "f", r);
  REQUIRE_FALSE(not_xml);
  CHECK(not_xml.error().find("not XML") == 0);
  auto html = parse_advisory_feed("<html><body>503</body></html>", "f", r);
  REQUIRE_FALSE(html);
  CHECK(html.error() == "not an RSS or Atom feed (root element <html>)");
  CHECK_FALSE(parse_advisory_feed("", "f", r));
  for (const std::string* body : {&kRss, &kAtom, &kDocument})
    for (std::size_t n = 0; n < body->size(); n += 7) {
      ParseReport rr;
      const std::string_view cut(body->data(), n);
      if (body == &kDocument)
        (void)parse_certfr_document(cut, "f", rr);
      else
        (void)parse_advisory_feed(cut, "f", rr);
    }
}

TEST_CASE("html_to_text, find_cves, says_exploited") {
  using namespace vigie::intel::detail;
  CHECK(html_to_text("<p>a&#233;&#xE9;&eacute;</p><ul><li>x</li><li>y</li></ul>") == "aééé\nx\ny");
  CHECK(html_to_text("a &unknown; b &#0; c") == "a &unknown; b \xEF\xBF\xBD c");
  CHECK(html_to_text("cut <b") == "cut");
  CHECK(html_to_text(std::string(100, 'x'), 10) == std::string(10, 'x'));
  CHECK(html_to_text("é\xC3\xA9", 3) == "é");  // cut at a character boundary
  std::vector<std::string> cves;
  find_cves("cve-2026-53435-2026-11-18 CVE-2026-1 CVE_2026_12345 CVE-2026-123456789 xCVE-2025-0001", cves);
  CHECK(cves == std::vector<std::string>{"CVE-2026-53435", "CVE-2025-0001"});
  CHECK(says_exploited("Le CERT-FR a connaissance d'une exploitation active."));
  CHECK(says_exploited("Cette vulnérabilité est activement exploitée."));
  CHECK(says_exploited("Exploitation massive constatée par le CERT Santé"));
  CHECK(says_exploited("CISA: known to be exploited"));
  CHECK_FALSE(says_exploited("Le CERT-FR n'a pas connaissance d'exploitation active."));
  CHECK_FALSE(says_exploited("Aucune exploitation active n'a été constatée."));
  CHECK_FALSE(says_exploited("Risque d'exploitation."));
}

TEST_SUITE("corpus") {
  TEST_CASE("the CERT-FR documents of the corpus") {
    ParseReport r;
    auto docs = read_certfr_dir(VIGIE_CORPUS "/feeds/certfr", "certfr-avis", r);
    REQUIRE(docs);
    REQUIRE(docs->size() == 5);
    CHECK(r.invalid == 0);
    struct Want {
      const char* reference;
      std::size_t cves, affected, revisions;
      bool exploited;
    };
    const Want want[] = {{"CERTFR-2025-AVI-0001", 2, 10, 1, false},
                         {"CERTFR-2025-AVI-0539", 3, 2, 4, true},
                         {"CERTFR-2026-AVI-0194", 1174, 5, 1, false},
                         {"CERTFR-2026-AVI-0195", 62, 31, 1, false},
                         {"CERTFR-2026-AVI-0196", 18, 16, 1, false}};
    for (std::size_t i = 0; i < 5; ++i) {
      const Advisory& a = (*docs)[i];
      CAPTURE(a.reference);
      CHECK(a.reference == want[i].reference);
      CHECK(a.cves.size() == want[i].cves);
      CHECK(a.affected.size() == want[i].affected);
      CHECK(a.revisions.size() == want[i].revisions);
      CHECK(a.exploited == want[i].exploited);
      CHECK_FALSE(a.title.empty());
      CHECK_FALSE(a.summary.empty());
      CHECK(a.published > 0);
    }
    CHECK((*docs)[2].published == kFeb20);
    CHECK((*docs)[1].revised == 1'754'006'400);  // 2025-08-01
  }

  TEST_CASE("the CERT Santé RSS sample of the corpus") {
    ParseReport r;
    auto body = detail::read_file(VIGIE_CORPUS "/feeds/rss/cert-sante-alertes.synthetic.rss.xml");
    REQUIRE(body);
    auto items = parse_advisory_feed(*body, "cert-sante", r);
    REQUIRE(items);
    REQUIRE(items->size() == 4);
    CHECK(r.invalid == 0);
    CHECK((*items)[0].reference == "cert-sante-alerte-4412");
    CHECK((*items)[0].cves == std::vector<std::string>{"CVE-2026-53435"});
    CHECK((*items)[0].summary.find("d'appliquer le correctif") != std::string::npos);
    CHECK((*items)[1].update);
    CHECK((*items)[1].exploited);
    CHECK((*items)[1].cves == std::vector<std::string>{"CVE-2026-24858", "CVE-2026-24859"});
    CHECK((*items)[2].reference ==
          "https://cyberveille.esante.gouv.fr/alertes/citrix-netscaler-adc-cve-2026-7013-2026-11-05");
    CHECK((*items)[2].cves == std::vector<std::string>{"CVE-2026-7013"});
    CHECK((*items)[3].cves.empty());
    CHECK((*items)[3].published == 1'793'194'200);  // Wed, 28 Oct 2026 14:30:00 +0100
  }
}
