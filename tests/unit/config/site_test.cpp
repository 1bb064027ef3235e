// Config::site, site_for (longest prefix across sites, indexed and scanned) and maildir().
#include "helpers.hpp"

namespace vigie::config::test {

namespace {

core::IpAddress ip(std::string_view s) {
  auto a = core::IpAddress::parse(s);
  REQUIRE(a.has_value());
  return *a;
}

const char* site_of(const Config& c, std::string_view addr) {
  const Site* s = c.site_for(ip(addr));
  return s ? s->id.c_str() : "";
}

}  // namespace

TEST_CASE("site_for: the most specific network wins across sites") {
  auto c = load_ok(R"(
sites:
  - { id: region, networks: [10.0.0.0/8, "2001:db8::/32"] }
  - { id: quimper, networks: [10.29.0.0/16] }
  - { id: quimper-urgences, networks: [10.29.7.0/24, "2001:db8:29::/48"] }
  - { id: one-host, networks: [10.29.7.9] }
  - { id: v6-host, networks: ["2001:db8:29::53"] }
)");
  REQUIRE(c);
  CHECK(std::string(site_of(*c, "10.1.2.3")) == "region");
  CHECK(std::string(site_of(*c, "10.29.1.1")) == "quimper");
  CHECK(std::string(site_of(*c, "10.29.7.1")) == "quimper-urgences");
  CHECK(std::string(site_of(*c, "10.29.7.9")) == "one-host");
  CHECK(std::string(site_of(*c, "11.0.0.1")) == "");
  CHECK(std::string(site_of(*c, "2001:db8:1::1")) == "region");
  CHECK(std::string(site_of(*c, "2001:db8:29::1")) == "quimper-urgences");
  CHECK(std::string(site_of(*c, "2001:db8:29::53")) == "v6-host");
  CHECK(std::string(site_of(*c, "2001:db9::1")) == "");
  CHECK(std::string(site_of(*c, "::ffff:10.29.7.1")) == "quimper-urgences");  // v4-mapped is v4

  // A copy edited by hand: scanned until re-indexed, never answered from a stale index.
  Config copy = *c;
  copy.sites.push_back(Site{"late", "Late", {*core::Cidr::parse("10.29.7.0/25")}, "UTC", {}, ""});
  CHECK(std::string(site_of(copy, "10.29.7.1")) == "late");  // size changed → scan, not a stale index
  copy.index_sites();
  CHECK(std::string(site_of(copy, "10.29.7.1")) == "late");
  CHECK(std::string(site_of(copy, "10.29.7.200")) == "quimper-urgences");
  CHECK(std::string(site_of(copy, "10.29.7.9")) == "one-host");
}

TEST_CASE("site_for on a default Config and on a hand-built one") {
  Config c;
  CHECK(c.site_for(ip("10.0.0.1")) == nullptr);
  c.sites.push_back(Site{"a", "A", {*core::Cidr::parse("0.0.0.0/0")}, "UTC", {}, ""});
  c.sites.push_back(Site{"b", "B", {*core::Cidr::parse("192.168.1.0/24")}, "UTC", {}, ""});
  CHECK(std::string(site_of(c, "192.168.1.7")) == "b");
  CHECK(std::string(site_of(c, "8.8.8.8")) == "a");
  CHECK(std::string(site_of(c, "::1")) == "");
  c.index_sites();
  CHECK(std::string(site_of(c, "192.168.1.7")) == "b");
  CHECK(std::string(site_of(c, "8.8.8.8")) == "a");
  CHECK(std::string(site_of(c, "::1")) == "");
}

TEST_CASE("site by id") {
  auto c = load_ok("sites:\n  - { id: a, name: Alpha }\n  - { id: b }\n");
  REQUIRE(c);
  REQUIRE(c->site("a") != nullptr);
  CHECK(c->site("a")->name == "Alpha");
  CHECK(c->site("b")->name == "b");
  CHECK(c->site("c") == nullptr);
}

TEST_CASE("maildir: notify.maildir, else beside the database") {
  Config c;
  c.storage.path = "/srv/vigie/state/vigie.db";
  CHECK(c.maildir() == "/srv/vigie/state/maildir");
  c.notify.maildir = "/var/mail/vigie";
  CHECK(c.maildir() == "/var/mail/vigie");
}

}  // namespace vigie::config::test
