// The exposure inventory from events to an advisory: InventoryAggregator (whose software, caps),
// the rows stored (store/software.hpp: folding, filters, purges) and find_exposed against a real
// store, down to the lines the mail is written from.
#include "intel/inventory.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>

#include "intel/exposure.hpp"
#include "store/software.hpp"
#include "store/store.hpp"

using namespace vigie;
using namespace vigie::intel;

namespace {

namespace fs = std::filesystem;

struct Db {
  fs::path dir;
  std::unique_ptr<store::Store> st;
  Db() {
    static int n = 0;
    dir = fs::temp_directory_path() / ("vigie-inventory-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(dir);
    fs::create_directories(dir);
    st = std::move(store::Store::open(dir / "vigie.db").value());
  }
  ~Db() {
    st.reset();
    fs::remove_all(dir);
  }
  store::Db& db() { return st->db(); }
};

config::Config sites() {
  config::Config cfg;
  config::Site q;
  q.id = "ch-quimper";
  q.networks = {core::Cidr::parse("10.29.0.0/16").value()};
  config::Site s;
  s.id = "spool-only";  // no networks: everything its files show is its own
  cfg.sites = {q, s};
  return cfg;
}

core::Event event(const char* dataset, const char* source_ip, int64_t at_s) {
  core::Event e;
  e.set_copy("event.dataset", dataset);
  e.set_copy(core::Field::source_ip, source_ip);
  e.time = core::TimePoint{std::chrono::seconds(at_s)};
  return e;
}

store::SoftwareRow row(std::string site, std::string host, std::string raw, int64_t last,
                       std::string product = "OpenSSH", std::string version = "", std::string distro = "") {
  store::SoftwareRow r;
  r.site = std::move(site);
  r.host = std::move(host);
  r.source = "ssh.server.version";
  r.raw = std::move(raw);
  r.product = std::move(product);
  r.version = std::move(version);
  r.distro = std::move(distro);
  r.first_seen = r.last_seen = last;
  r.count = 1;
  return r;
}

}  // namespace

TEST_CASE("aggregator: a site's servers, not the servers its clients reach; packages by host name") {
  const auto cfg = sites();
  InventoryAggregator agg(cfg);
  auto banner = event("pcap.ssh", "10.29.1.5", 1'775'000'000);
  banner.set_copy("ssh.server.version", "SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u3");
  agg.add(banner, "ch-quimper");
  auto later = event("pcap.ssh", "10.29.1.5", 1'775'000'600);
  later.set_copy("ssh.server.version", "SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u3");
  agg.add(later, "ch-quimper");
  auto outside = event("pcap.ssh", "198.51.100.22", 1'775'000'000);
  outside.set_copy("ssh.server.version", "SSH-2.0-OpenSSH_7.4");
  agg.add(outside, "ch-quimper");
  auto cert = event("pcap.tls", "10.29.0.1", 1'775'000'000);
  cert.set_copy("tls.server.subject", "C=US,O=Fortinet,OU=FortiGate,CN=FGT60F");
  cert.set_copy("tls.server.issuer", "CN=www.ch-quimper.example");  // a service's: not software
  agg.add(cert, "ch-quimper");
  auto web = event("pcap.http", "203.0.113.80", 1'775'000'000);
  web.set_copy("http.response.server", "nginx/1.24.0");
  agg.add(web, "spool-only");
  core::Event pkg;
  pkg.set_copy(core::Field::hostname, "web01");
  pkg.set_copy("package.name", "openssh-server");
  pkg.set_copy("package.version", "1:9.2p1-2+deb12u3");
  pkg.time = core::TimePoint{std::chrono::seconds(1'775'000'000)};
  agg.add(pkg, "ch-quimper");
  agg.add(banner, "");  // no site: no inventory

  CHECK(agg.stats().foreign == 1);
  auto rows = agg.take();
  CHECK(agg.size() == 0);
  REQUIRE(rows.size() == 4);
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.host < b.host; });
  CHECK(rows[0].host == "10.29.0.1");
  CHECK(rows[0].product == "Fortinet FortiGate");
  CHECK(rows[0].source == "tls.server.subject");
  CHECK(rows[1].host == "10.29.1.5");
  CHECK(rows[1].product == "OpenSSH");
  CHECK(rows[1].version == "8.4p1");
  CHECK(rows[1].distro == "Debian-5+deb11u3");
  CHECK(rows[1].count == 2);
  CHECK(rows[1].first_seen == 1'775'000'000'000'000);
  CHECK(rows[1].last_seen == 1'775'000'600'000'000);
  CHECK(rows[2].host == "203.0.113.80");
  CHECK(rows[2].site == "spool-only");
  CHECK(rows[3].host == "web01");
  CHECK(rows[3].source == "package");
  CHECK(rows[3].raw == "openssh-server 1:9.2p1-2+deb12u3");
  CHECK(rows[3].version == "9.2p1");

  // Past the cap, new entries are dropped and counted; known ones still count.
  InventoryAggregator small(cfg, 1);
  small.add(banner, "ch-quimper");
  small.add(web, "spool-only");
  small.add(banner, "ch-quimper");
  CHECK(small.stats().dropped == 1);
  CHECK(small.size() == 1);
  CHECK(small.take().front().count == 2);
}

TEST_CASE("store: rows fold, filter, and are purged by age and per site") {
  Db d;
  REQUIRE(store::upsert_software(d.db(), {row("a", "h1", "SSH-2.0-OpenSSH_8.4p1", 100, "OpenSSH", "8.4p1"),
                                          row("a", "h2", "SSH-2.0-OpenSSH_9.9p1", 300, "OpenSSH", "9.9p1"),
                                          row("b", "h3", "nginx/1.24.0", 200, "nginx", "1.24.0")}));
  auto again = row("a", "h1", "SSH-2.0-OpenSSH_8.4p1", 50, "OpenSSH", "8.4p1");
  again.last_seen = 400;
  again.count = 3;
  REQUIRE(store::upsert_software(d.db(), {again}));
  auto all = store::list_software(d.db()).value();
  REQUIRE(all.size() == 3);
  CHECK(all[0].host == "h1");
  CHECK(all[0].first_seen == 50);
  CHECK(all[0].last_seen == 400);
  CHECK(all[0].count == 4);
  CHECK(store::list_software(d.db(), {"b", "", 10}).value().size() == 1);
  CHECK(store::list_software(d.db(), {"", "SSH", 10}).value().size() == 2);  // any case, a part
  CHECK(store::list_software(d.db(), {"", "ssh", 1}).value().size() == 1);
  CHECK(store::software_products(d.db()).value() == std::vector<std::string>{"OpenSSH", "nginx"});
  CHECK(store::software_of_product(d.db(), "OpenSSH").value().size() == 2);

  // Older than 250 goes (h3 at 200), then site a keeps its most recently seen row only (h1 at 400).
  CHECK(store::purge_software(d.db(), 250, 1).value() == 2);
  all = store::list_software(d.db()).value();
  REQUIRE(all.size() == 1);
  CHECK(all[0].host == "h1");
}

TEST_CASE("find_exposed: affected hosts, then those to check, from the inventory; the mail's lines") {
  Db d;
  REQUIRE(store::upsert_software(
      d.db(),
      {row("ch-quimper", "10.29.1.5", "SSH-2.0-OpenSSH_8.4p1", 1'775'000'000'000'000, "OpenSSH", "8.4p1"),
       row("ch-quimper", "10.29.1.6", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", 1'775'100'000'000'000, "OpenSSH",
           "9.2p1", "Debian-2+deb12u3"),
       row("ch-brest", "10.30.0.2", "SSH-2.0-OpenSSH_9.9p1", 1'775'000'000'000'000, "OpenSSH", "9.9p1"),
       row("ch-brest", "10.30.0.3", "SSH-2.0-dropbear_2022.83", 1'775'000'000'000'000, "Dropbear SSH", "2022.83")}));
  Advisory a;
  a.reference = "CERTFR-2026-AVI-0950";
  a.affected = {{"OpenBSD", "OpenSSH", "OpenSSH versions antérieures à 9.8p1"}};
  auto r = find_exposed(d.db(), a).value();
  CHECK(r.ranges);
  REQUIRE(r.hosts.size() == 2);
  CHECK(r.hosts[0].host == "10.29.1.5");
  CHECK(r.hosts[0].exposure == Exposure::affected);
  CHECK(r.hosts[1].host == "10.29.1.6");
  CHECK(r.hosts[1].exposure == Exposure::undetermined);
  CHECK(exposure_lines(r) ==
        std::vector<std::string>{"ch-quimper\tOpenSSH 8.4p1\t10.29.1.5\t1775000000\t",
                                 "ch-quimper\tOpenSSH 9.2p1 Debian-2+deb12u3\t10.29.1.6\t1775100000\t"
                                 "paquet Debian : correctifs rétroportés possibles"});
  // The limit: the rest counted, said in one line.
  r = find_exposed(d.db(), a, 1).value();
  CHECK(r.hosts.size() == 1);
  CHECK(r.more == 1);
  CHECK(exposure_lines(r).back() == "+\t1");

  // An RSS item states it in prose; a statement about a product nobody runs: none exposed.
  Advisory rss;
  rss.title = "Vulnérabilité dans OpenSSH";
  rss.summary = "OpenSSH versions antérieures à 9.8p1 permettent une exécution de code. Appliquez le correctif.";
  CHECK(find_exposed(d.db(), rss).value().hosts.size() == 2);
  Advisory other;
  other.affected = {{"Fortinet", "FortiOS", "FortiOS versions 7.2.x antérieures à 7.2.11"}};
  r = find_exposed(d.db(), other).value();
  CHECK(r.ranges);
  CHECK(r.hosts.empty());
  Advisory vague;
  vague.affected = {{"SUSE", "openSUSE Leap", "openSUSE Leap 15.5"}};
  CHECK_FALSE(find_exposed(d.db(), vague).value().ranges);

  // 10.29.1.5 upgraded since: its last banner is what it runs, the old one no longer counts.
  REQUIRE(store::upsert_software(
      d.db(), {row("ch-quimper", "10.29.1.5", "SSH-2.0-OpenSSH_9.9p1", 1'776'000'000'000'000, "OpenSSH", "9.9p1")}));
  r = find_exposed(d.db(), a).value();
  REQUIRE(r.hosts.size() == 1);
  CHECK(r.hosts[0].host == "10.29.1.6");
}
