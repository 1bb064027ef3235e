// load_config on whole files: the full example, the error report, defaults, file-level errors.
#include "config/config.hpp"

#include <algorithm>

#include "helpers.hpp"

using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace vigie::config::test {

TEST_CASE("a full configuration loads with every field set") {
  auto r = load_config(data("full.yml"));
  if (!r) {
    for (const auto& e : r.error()) MESSAGE(e.to_string());
    FAIL("full.yml must load");
  }
  const Config& c = **r;
  const fs::path dir = fs::absolute(data("")).lexically_normal();
  CHECK(c.source == dir / "full.yml");
  CHECK(c.storage.path == dir / "state/vigie.db");

  REQUIRE(c.sites.size() == 2);
  const Site& q = c.sites[0];
  CHECK(q.id == "ch-quimper");
  CHECK(q.name == "CH de Cornouaille");
  REQUIRE(q.networks.size() == 2);
  CHECK(q.networks[0].to_string() == "10.29.0.0/16");
  CHECK(q.networks[1].to_string() == "2001:db8:29::/48");
  CHECK(q.timezone == "Europe/Paris");
  CHECK(q.contacts == std::vector<std::string>{"rssi@ch-quimper.example", "soc@ch-quimper.example"});
  const Site& b = c.sites[1];
  CHECK(b.id == "clinique-brest");
  CHECK(b.name == "clinique-brest");       // name defaults to the id
  CHECK(b.timezone == "America/Cayenne");  // timezone defaults to inputs.default_timezone
  CHECK(b.contacts.empty());

  REQUIRE(c.inputs.syslog.size() == 3);
  const auto& udp = c.inputs.syslog[0];
  CHECK(udp.proto == SyslogInput::Proto::udp);
  CHECK(udp.address == "0.0.0.0");
  CHECK(udp.port == 514);
  CHECK(udp.listen == "udp://0.0.0.0:514");
  REQUIRE(udp.allow.size() == 2);
  CHECK(udp.allow[0].to_string() == "10.0.0.0/8");
  CHECK(udp.allow[1].to_string() == "2001:db8::/32");
  CHECK(udp.receive_buffer == 8u << 20);
  const auto& tcp = c.inputs.syslog[1];
  CHECK(tcp.proto == SyslogInput::Proto::tcp);
  CHECK(tcp.address == "::1");
  CHECK(tcp.port == 0);
  CHECK(tcp.allow.empty());  // defaults
  CHECK(tcp.max_connections == 1024);
  CHECK(tcp.max_connections_per_peer == 32);
  CHECK(tcp.idle_timeout == 10min);
  CHECK(tcp.min_rate == 64);
  CHECK(tcp.min_rate_window == 30s);
  const auto& bounded = c.inputs.syslog[2];
  CHECK(bounded.port == 6514);
  REQUIRE(bounded.allow.size() == 1);
  CHECK(bounded.allow[0].to_string() == "10.29.0.0/16");
  CHECK(bounded.max_connections == 2000);
  CHECK(bounded.max_connections_per_peer == 8);
  CHECK(bounded.idle_timeout == 2min);
  CHECK(bounded.min_rate == 10);
  CHECK(bounded.min_rate_window == 1min);
  CHECK(c.inputs.max_message_size == 1024 * 1024);
  CHECK(c.inputs.queue_batches == 256);
  CHECK(c.inputs.default_timezone == "America/Cayenne");

  CHECK(c.rules.paths == std::vector<fs::path>{dir / "rules", dir / "rules/empty.yml"});
  CHECK(c.detection.suppress_for == 2h);
  CHECK(c.detection.lateness == 45s);
  CHECK(c.workers == 3);

  REQUIRE(c.notify.smtp.has_value());
  const Smtp& s = *c.notify.smtp;
  CHECK(s.url == "smtps://relay.example:465");
  CHECK(s.starttls == StartTls::required);
  CHECK(s.username == "vigie");
  CHECK(s.password_file == dir / "secrets/smtp-password");
  CHECK(s.from == "Vigie BIPS <vigie@bips.example>");
  CHECK(s.ca_file == dir / "tls/relay-ca.pem");
  CHECK(s.timeout == 20s);
  CHECK(c.notify.maildir.empty());  // with notify.smtp a maildir is an error (it would go unused)
  CHECK(c.notify.language == "en");
  CHECK(c.notify.templates_dir == dir / "templates");
  CHECK(c.notify.hostname == "vigie.bips.example");
  CHECK(c.notify.retry_initial == 2s);
  CHECK(c.notify.retry_max == 15min);

  REQUIRE(c.notify.receivers.size() == 2);
  CHECK(c.notify.receivers[0].name == "regional-list");
  CHECK(c.notify.receivers[0].to == std::vector<std::string>{"alertes-ssi@listes.example"});
  CHECK_FALSE(c.notify.receivers[0].to_site_contacts);
  CHECK(c.notify.receivers[1].name == "site-contacts");
  CHECK(c.notify.receivers[1].to.empty());
  CHECK(c.notify.receivers[1].to_site_contacts);

  REQUIRE(c.notify.routes.size() == 2);
  const Route& r0 = c.notify.routes[0];
  CHECK(r0.match.size() == 4);
  CHECK(r0.match.at("level") == std::vector<std::string>{"high", "critical"});
  CHECK(r0.match.at("rule.id") == std::vector<std::string>{"ssh-bruteforce"});  // scalar → one-element list
  CHECK(r0.match.at("observer.site") == std::vector<std::string>{"ch-quimper"});
  CHECK(r0.match.at("tags") == std::vector<std::string>{"attack.t1110"});
  CHECK(r0.receivers == std::vector<std::string>{"regional-list", "site-contacts"});
  CHECK(r0.group_by == std::vector<std::string>{"rule.id", "observer.site"});
  CHECK(r0.group_wait == 30s);
  CHECK(r0.group_interval == 5min);
  CHECK(r0.repeat_interval == 4h);
  CHECK(r0.continue_matching);
  const Route& r1 = c.notify.routes[1];
  CHECK(r1.match.empty());
  CHECK(r1.receivers == std::vector<std::string>{"site-contacts"});
  CHECK_FALSE(r1.continue_matching);
}

TEST_CASE("every independent mistake is reported, in line order, with its line") {
  const fs::path file = data("errors.yml");
  auto r = load_config(file);
  REQUIRE_FALSE(r.has_value());
  const auto& errors = r.error();
  std::string all;
  for (const auto& e : errors) all += e.to_string() + "\n";
  INFO("errors:\n" << all);

  struct Expected {
    int line;
    std::string_view text;
  };
  const std::vector<Expected> expected = {
      {4, "sites[0].id: 'CH_Quimper' is not a valid site id"},
      {5, "sites[0].networks[0]: '10.29.0.0/33' is not an IP network"},
      {6, "sites[0].timezone: unknown time zone 'Europe/Quimper'"},
      {7, "sites[1].contacts[0]: 'not-an-address' is not an e-mail address"},
      {10, "inputs.syslog[0].listen: unknown scheme 'sctp'"},
      {11, "inputs.syslog[1].listen: tls:// inputs are not available yet"},
      {12, "inputs.max_message_size: must be between 480"},
      {14, "inputs.pcap[0].filter: "},
      {15, "detection.suppress_for: invalid duration 'soon'"},
      {16, "workers: expected an integer, found 'many'"},
      {18, "unknown key 'recievers' in notify (did you mean 'receivers'?)"},
      {21, "notify.routes[0].match.level: 'urgent' is not a level"},
      {21, "notify.routes[0].receivers[0]: unknown receiver 'nobody'"},
      {23, "feeds[0].relay: applies to the advisory formats only"},
  };
  REQUIRE(errors.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(errors[i].where == file.string() + ":" + std::to_string(expected[i].line));
    CHECK(errors[i].what.find(expected[i].text) == 0);
  }
}

TEST_CASE("relative paths resolve against the configuration file's directory, not the working directory") {
  TempDir dir;
  dir.write("etc/secret", "pw\n");
  dir.write("etc/rules/a.yml", "");
  const auto file = dir.write("etc/vigie.yml", R"(
storage: { path: ../var/vigie.db }
rules: { paths: [rules, ./rules/a.yml, /usr/share/zoneinfo] }
notify:
  smtp: { url: "smtp://relay:25", username: u, password_file: secret }
)");
  const auto cwd = fs::current_path();
  fs::current_path(fs::temp_directory_path());
  auto r = load_config(fs::relative(file));  // a relative file name, as `--config etc/vigie.yml` gives
  fs::current_path(cwd);
  REQUIRE(r.has_value());
  const Config& c = **r;
  const fs::path root = fs::canonical(dir.path());
  CHECK(fs::weakly_canonical(c.source) == root / "etc/vigie.yml");
  CHECK(c.storage.path == root / "var/vigie.db");
  CHECK(c.rules.paths == std::vector<fs::path>{root / "etc/rules", root / "etc/rules/a.yml", "/usr/share/zoneinfo"});
  CHECK(c.notify.smtp->password_file == root / "etc/secret");
}

TEST_CASE("defaults: an empty file gives the embedded configuration") {
  auto c = load_ok("");
  REQUIRE(c);
  CHECK(c->storage.path == "/var/lib/vigie/vigie.db");
  CHECK(c->maildir() == "/var/lib/vigie/maildir");
  CHECK_FALSE(c->notify.smtp.has_value());
  CHECK(c->sites.empty());
  CHECK(c->inputs.syslog.empty());
  CHECK(c->inputs.max_message_size == 64 * 1024);
  CHECK(c->notify.language == "fr");
  CHECK(c->detection.suppress_for == 1h);
  CHECK(c->workers == 0);
  // No receivers, no routes: every alert to the site's contacts and to root@localhost.
  REQUIRE(c->notify.receivers.size() == 1);
  CHECK(c->notify.receivers[0].name == "default");
  CHECK(c->notify.receivers[0].to == std::vector<std::string>{"root@localhost"});
  CHECK(c->notify.receivers[0].to_site_contacts);
  REQUIRE(c->notify.routes.size() == 1);
  CHECK(c->notify.routes[0].match.empty());
  CHECK(c->notify.routes[0].receivers == std::vector<std::string>{"default"});
}

TEST_CASE("defaults: receivers without routes get one route to all of them") {
  auto c = load_ok(R"(
notify:
  receivers:
    - { name: a, email: { to: [a@x.example] } }
    - { name: b, email: { to_site_contacts: true } }
)");
  REQUIRE(c);
  REQUIRE(c->notify.receivers.size() == 2);
  REQUIRE(c->notify.routes.size() == 1);
  CHECK(c->notify.routes[0].match.empty());
  CHECK(c->notify.routes[0].receivers == std::vector<std::string>{"a", "b"});
}

TEST_CASE("defaults: routes without receivers may name the default receiver") {
  auto c = load_ok("notify:\n  routes:\n    - { match: { level: critical }, receivers: [default] }\n");
  REQUIRE(c);
  REQUIRE(c->notify.receivers.size() == 1);
  CHECK(c->notify.receivers[0].name == "default");
  REQUIRE(c->notify.routes.size() == 1);
  CHECK(c->notify.routes[0].match.at("level") == std::vector<std::string>{"critical"});
}

TEST_CASE("the demo configuration shipped in deploy/ loads") {
  auto r = load_config(fs::path(VIGIE_SOURCE_DIR) / "deploy/demo/vigie.yml");
  if (!r)
    for (const auto& e : r.error()) MESSAGE(e.to_string());
  REQUIRE(r.has_value());
  CHECK((*r)->site("demo-local") != nullptr);
  CHECK((*r)->maildir() == (fs::path(VIGIE_SOURCE_DIR) / "var/maildir").lexically_normal());
}

TEST_CASE("a YAML syntax error is one error with its line") {
  expect_one_error("storage: { path: /x }\nsites:\n  - { id: a, networks: [10.0.0.0/8 }\n", 3, "YAML syntax error");
  expect_one_error("inputs:\n  syslog: []\n bad-indent: 1\n", 3, "YAML syntax error");
}

TEST_CASE("file-level errors") {
  TempDir dir;
  SUBCASE("missing file") {
    auto r = load_config(dir.path() / "absent.yml");
    REQUIRE_FALSE(r.has_value());
    REQUIRE(r.error().size() == 1);
    CHECK(r.error()[0].where == (dir.path() / "absent.yml").string());
    CHECK(r.error()[0].what.find("No such file") != std::string::npos);
  }
  SUBCASE("a directory") {
    auto r = load_config(dir.path());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error()[0].what.find("directory") != std::string::npos);
  }
  SUBCASE("two YAML documents") { expect_one_error("workers: 1\n---\nworkers: 2\n", 3, "one YAML document"); }
  SUBCASE("not a mapping") { expect_one_error("- storage\n", 1, "expected a mapping, found a list"); }
}

}  // namespace vigie::config::test
