// The advisory relay (intel/relay.hpp) against a real store: what is mailed once, what is stored
// silently, the threads, the filters, and that a new relay on the same database (a restart)
// sends nothing again.
#include "intel/relay.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>

#include "store/store.hpp"

using namespace vigie;
using namespace vigie::intel;

namespace {

namespace fs = std::filesystem;

constexpr int64_t kNow = 1'795'000'000;  // 2026-11-18
const core::TimePoint now_tp{std::chrono::seconds(kNow)};

struct Db {
  fs::path dir;
  std::unique_ptr<store::Store> st;
  Db() {
    static int n = 0;
    dir = fs::temp_directory_path() / ("vigie-relay-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(dir);
    fs::create_directories(dir);
    st = std::move(store::Store::open(dir / "vigie.db").value());
  }
  ~Db() {
    st.reset();
    fs::remove_all(dir);
  }
};

config::Feed feed(std::string name, bool relay = true) {
  config::Feed f;
  f.name = std::move(name);
  f.format = "rss";
  f.relay = relay;
  f.tlp = "CLEAR";
  return f;
}

Advisory advisory(std::string feed, std::string ref, std::vector<std::string> cves, int64_t age_days = 1) {
  Advisory a;
  a.feed = std::move(feed);
  a.reference = std::move(ref);
  a.title = "FORTINET FortiOS - " + (cves.empty() ? std::string() : cves.front());
  a.summary = "Une vulnérabilité dans FortiOS permet une exécution de code.";
  a.link = "https://cert.example/" + a.reference;
  a.published = a.revised = kNow - age_days * 86'400;
  a.cves = std::move(cves);
  a.affected = {{"Fortinet", "FortiOS", "FortiOS 7.2.x antérieures à 7.2.11"}};
  return a;
}

std::vector<core::Alert> run(AdvisoryRelay& r, const std::vector<Advisory>& v, const config::Feed& f,
                             const config::Advisories& opts = {}) {
  auto got = r.relay(v, f, opts, now_tp);
  REQUIRE(got);
  REQUIRE(r.commit(now_tp));
  return std::move(*got);
}

}  // namespace

TEST_CASE("a new advisory is relayed once, across restarts; an old one is stored silently") {
  Db db;
  const auto f = feed("cert-sante");
  {
    AdvisoryRelay relay(db.st->db());
    const auto fresh = advisory("cert-sante", "a-1", {"CVE-2026-1000"});
    const auto old = advisory("cert-sante", "a-0", {"CVE-2025-9999"}, 30);
    auto got = relay.relay({fresh, old, fresh}, f, {}, now_tp);
    REQUIRE(got);
    CHECK(relay.counts().seen == 2);
    CHECK(relay.counts().too_old == 1);
    REQUIRE(got->size() == 1);
    const core::Alert& a = got->front();
    CHECK(a.rule.id == kAdvisoryRule);
    CHECK(a.rule.tlp == "CLEAR");
    CHECK(a.site.empty());
    REQUIRE(a.advisory);
    CHECK(a.advisory->change == "new");
    CHECK(a.advisory->seq == 0);
    CHECK(a.advisory->thread.empty());
    CHECK(a.advisory->affected == std::vector<std::string>{"Fortinet FortiOS : FortiOS 7.2.x antérieures à 7.2.11"});
    REQUIRE(relay.commit(now_tp));
    CHECK(run(relay, {fresh}, f).empty());
  }
  AdvisoryRelay restarted(db.st->db());
  CHECK(run(restarted,
            {advisory("cert-sante", "a-1", {"CVE-2026-1000"}), advisory("cert-sante", "a-0", {"CVE-2025-9999"}, 30)}, f)
            .empty());
  CHECK(store::AdvisoryStore(db.st->db()).count("cert-sante").value() == 2);
}

TEST_CASE("updates that matter are mailed in the advisory's thread; a mere revision is not") {
  Db db;
  const auto f = feed("certfr-avis");
  AdvisoryRelay relay(db.st->db());
  auto a = advisory("certfr-avis", "CERTFR-2026-AVI-0001", {"CVE-2026-1000"});
  const auto first = run(relay, {a}, f);
  REQUIRE(first.size() == 1);
  const std::string thread = first[0].id;

  a.revised += 3600;  // a revision that changes nothing that matters
  a.summary += " Précisions.";
  CHECK(run(relay, {a}, f).empty());

  a.revised += 3600;
  a.cves = {"CVE-2026-1000", "CVE-2026-1001"};
  auto got = run(relay, {a}, f);
  REQUIRE(got.size() == 1);
  CHECK(got[0].advisory->change == "cves");
  CHECK(got[0].advisory->new_cves == std::vector<std::string>{"CVE-2026-1001"});
  CHECK(got[0].advisory->thread == thread);
  CHECK(got[0].advisory->seq == 1);
  CHECK(got[0].id != thread);
  CHECK(got[0].update);

  a.revised += 3600;
  a.exploited = true;
  got = run(relay, {a}, f);
  REQUIRE(got.size() == 1);
  CHECK(got[0].advisory->change == "exploited");
  CHECK(got[0].rule.level == core::Level::critical);
  CHECK(got[0].advisory->seq == 2);

  a.closed = a.revised + 60;
  got = run(relay, {a}, f);
  REQUIRE(got.size() == 1);
  CHECK(got[0].advisory->change == "closed");
  CHECK(got[0].advisory->seq == 3);
  CHECK(got[0].advisory->thread == thread);
}

TEST_CASE("the same CVE from two CERTs is one thread") {
  Db db;
  AdvisoryRelay relay(db.st->db());
  const auto first =
      run(relay, {advisory("cert-sante", "cert-sante-alerte-4398", {"CVE-2026-24858"})}, feed("cert-sante"));
  REQUIRE(first.size() == 1);
  auto other = advisory("certfr-avis", "CERTFR-2026-AVI-0200", {"CVE-2026-24858", "CVE-2026-24859"});
  const auto got = run(relay, {other}, feed("certfr-avis"));
  REQUIRE(got.size() == 1);
  CHECK(got[0].advisory->change == "also");
  CHECK(got[0].advisory->thread == first[0].id);
  CHECK(got[0].advisory->new_cves == std::vector<std::string>{"CVE-2026-24859"});
  // CERT Santé's update item ([MàJ], a new guid) on the new CVE joins the same thread too.
  const auto third =
      run(relay, {advisory("cert-sante", "cert-sante-alerte-4402", {"CVE-2026-24859"})}, feed("cert-sante"));
  REQUIRE(third.size() == 1);
  CHECK(third[0].advisory->thread == first[0].id);
  CHECK(third[0].advisory->seq == 2);
  CHECK(third[0].advisory->change == "revised");
}

TEST_CASE("filters: feeds without relay, minimum level, keywords, products") {
  Db db;
  AdvisoryRelay relay(db.st->db());
  CHECK(run(relay, {advisory("quiet", "q-1", {"CVE-2026-1"})}, feed("quiet", false)).empty());
  CHECK(store::AdvisoryStore(db.st->db()).count("quiet").value() == 1);

  config::Advisories high;
  high.min_level = core::Level::high;
  auto medium = advisory("f", "m-1", {"CVE-2026-2"});
  CHECK(advisory_level(medium) == core::Level::medium);
  CHECK(run(relay, {medium}, feed("f"), high).empty());
  auto rce = advisory("f", "m-2", {"CVE-2026-3"});
  rce.risks = {"Exécution de code arbitraire à distance"};
  CHECK(advisory_level(rce) == core::Level::high);
  CHECK(run(relay, {rce}, feed("f"), high).size() == 1);

  config::Advisories words;
  words.keywords = {"netscaler"};
  CHECK_FALSE(passes_filters(advisory("f", "x", {}), words));
  auto citrix = advisory("f", "x", {});
  citrix.title = "CITRIX NetScaler ADC - CVE-2026-7013";
  citrix.affected = {{"Citrix", "NetScaler ADC", "NetScaler ADC 14.1 antérieures à 14.1-29.72"}};
  CHECK(passes_filters(citrix, words));
  config::Advisories products;
  products.products = {"fortios"};
  CHECK(passes_filters(advisory("f", "y", {}), products));
  CHECK_FALSE(passes_filters(citrix, products));

  // Filtered out, then exploited: relayed then, as a new thread.
  auto later = advisory("f", "m-1", {"CVE-2026-2"});
  later.revised += 60;
  later.exploited = true;
  const auto got = run(relay, {later}, feed("f"), high);
  REQUIRE(got.size() == 1);
  CHECK(got[0].advisory->change == "new");
}
