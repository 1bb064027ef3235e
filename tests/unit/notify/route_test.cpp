#include <doctest/doctest.h>

#include "helpers.hpp"
#include "notify/route.hpp"

using namespace vigie;
using namespace std::chrono_literals;

namespace {
std::vector<std::string> names(const std::vector<notify::Target>& ts) {
  std::vector<std::string> out;
  for (const auto& t : ts) out.push_back(t.receiver);
  return out;
}
}  // namespace

TEST_CASE("first matching route wins; site contacts are added for to_site_contacts") {
  test::TempDir t;
  auto cfg = test::sample_config(t.path);
  cfg->notify.routes[0].group_wait = 30s;
  auto a = test::sample_alert();
  auto targets = notify::route(*cfg, a);
  REQUIRE(names(targets) == std::vector<std::string>{"regional-list", "site-contacts"});
  CHECK(targets[0].recipients == std::vector<std::string>{"alertes-ssi@listes.example"});
  CHECK(targets[1].recipients == std::vector<std::string>{"rssi@ch-quimper.example"});
  CHECK(targets[0].group_wait == 30s);

  a.rule.level = core::Level::low;  // only the catch-all route
  targets = notify::route(*cfg, a);
  REQUIRE(names(targets) == std::vector<std::string>{"site-contacts"});
  CHECK(targets[0].group_wait == 0s);
}

TEST_CASE("continue_matching tries later routes; a receiver selected twice is kept once") {
  test::TempDir t;
  auto cfg = test::sample_config(t.path);
  cfg->notify.receivers.push_back({"soc", {"soc@example.org"}, false});
  cfg->notify.routes[0].continue_matching = true;
  config::Route soc;
  soc.match["rule.id"] = {"ssh-bruteforce"};
  soc.receivers = {"soc", "site-contacts"};
  cfg->notify.routes.insert(cfg->notify.routes.begin() + 1, soc);
  auto targets = notify::route(*cfg, test::sample_alert());
  CHECK(names(targets) == std::vector<std::string>{"regional-list", "site-contacts", "soc"});
  cfg->notify.routes[0].continue_matching = false;
  CHECK(names(notify::route(*cfg, test::sample_alert())) == std::vector<std::string>{"regional-list", "site-contacts"});
}

TEST_CASE("match keys: tags (any), observer.site, rule.id; all keys must match") {
  test::TempDir t;
  auto cfg = test::sample_config(t.path);
  cfg->notify.receivers.push_back({"soc", {"soc@example.org"}, false});
  config::Route r;
  r.match["tags"] = {"attack.t1110", "attack.t9999"};
  r.match["observer.site"] = {"ch-quimper"};
  r.receivers = {"soc"};
  cfg->notify.routes = {r};
  auto a = test::sample_alert();
  CHECK(names(notify::route(*cfg, a)) == std::vector<std::string>{"soc"});
  a.site = "ch-brest";
  CHECK(notify::route(*cfg, a).empty());
  a.site = "ch-quimper";
  a.rule.tags = {"attack.t1078"};
  CHECK(notify::route(*cfg, a).empty());
  cfg->notify.routes[0].match = {{"rule.id", {"other"}}};
  CHECK(notify::route(*cfg, test::sample_alert()).empty());
  cfg->notify.routes[0].match = {{"no.such.key", {"x"}}};
  CHECK(notify::route(*cfg, test::sample_alert()).empty());
}

TEST_CASE("targets without recipients are skipped and reported; addresses are not repeated") {
  test::TempDir t;
  auto cfg = test::sample_config(t.path);
  auto a = test::sample_alert();
  a.site = "unknown-site";  // no contacts
  std::vector<std::string> skipped;
  auto targets = notify::route(*cfg, a, skipped);
  CHECK(names(targets) == std::vector<std::string>{"regional-list"});
  CHECK(skipped == std::vector<std::string>{"site-contacts"});

  cfg->sites[0].contacts = {"ALERTES-SSI@listes.example", "rssi@ch-quimper.example"};
  targets = notify::route(*cfg, test::sample_alert());
  REQUIRE(targets.size() == 2);
  CHECK(targets[1].recipients == std::vector<std::string>{"rssi@ch-quimper.example"});
}
