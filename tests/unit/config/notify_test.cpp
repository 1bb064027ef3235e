// Validation rules of the notify section: SMTP, receivers, routes, retry.
#include "helpers.hpp"

namespace vigie::config::test {

TEST_CASE("notify.smtp") {
  TempDir dir;
  dir.write("pw", "secret\n");
  auto check_one = [&](std::string_view yaml, std::string_view needle) {
    auto r = load_text(dir, yaml);
    REQUIRE_FALSE(r.has_value());
    std::string all;
    for (const auto& e : r.error()) all += e.to_string() + "\n";
    INFO(all);
    REQUIRE(r.error().size() == 1);
    CHECK(r.error()[0].what.find(needle) != std::string::npos);
  };
  check_one("notify:\n  smtp: { starttls: never }\n", "notify.smtp: missing required key 'url'");
  check_one("notify:\n  smtp: { url: \"http://relay:25\" }\n", "must start with smtp:// (STARTTLS) or smtps://");
  check_one("notify:\n  smtp: { url: \"smtp://:25\" }\n", "no host in 'smtp://:25'");
  check_one("notify:\n  smtp: { url: \"smtp://relay:25\", starttls: always }\n",
            "'always' is not one of required, opportunistic, never");
  check_one("notify:\n  smtp: { url: \"smtps://relay:465\", starttls: never }\n", "smtps:// always uses TLS");
  check_one("notify:\n  smtp: { url: \"smtp://relay:25\", username: u }\n", "'username' needs 'password_file'");
  check_one("notify:\n  smtp: { url: \"smtp://relay:25\", password_file: pw }\n", "'password_file' needs 'username'");
  check_one("notify:\n  smtp: { url: \"smtp://relay:25\", username: u, password_file: missing }\n",
            "notify.smtp.password_file: no such file: " + (dir.path() / "missing").string());
  check_one("notify:\n  smtp: { url: \"smtp://relay:25\", username: u, password_file: . }\n", "not a regular file");
  check_one("notify:\n  smtp: { url: \"smtp://relay:25\", from: \"Vigie <vigie at example>\" }\n", "is not a mailbox");
  check_one("notify:\n  smtp: { url: \"smtp://relay:25\", ca_file: nope.pem }\n", "notify.smtp.ca_file: no such file");
  check_one("notify:\n  smtp: { url: \"smtp://relay:25\", timeout: 0s }\n",
            "notify.smtp.timeout: must be longer than zero");
  check_one("notify:\n  smtp:\n", "notify.smtp: empty section");

  auto ok =
      load_text(dir, "notify:\n  smtp: { url: \"smtp://relay:587\", starttls: opportunistic, from: v@x.example }\n");
  REQUIRE(ok.has_value());
  CHECK((*ok)->notify.smtp->starttls == StartTls::opportunistic);
  CHECK((*ok)->notify.smtp->from == "v@x.example");
  CHECK((*ok)->notify.smtp->timeout == std::chrono::seconds(30));
}

#ifdef __linux__
TEST_CASE("notify.smtp.password_file must be readable") {
  if (::geteuid() == 0) return;  // root reads anything; the check cannot fail there
  TempDir dir;
  const auto pw = dir.write("pw", "secret\n");
  std::filesystem::permissions(pw, std::filesystem::perms::none);
  auto r = load_text(dir, "notify:\n  smtp: { url: \"smtp://relay:25\", username: u, password_file: pw }\n");
  REQUIRE_FALSE(r.has_value());
  REQUIRE(r.error().size() == 1);
  CHECK(r.error()[0].what.find("cannot read") != std::string::npos);
}
#endif

TEST_CASE("notify: maildir, language, templates_dir, hostname, retry") {
  expect_one_error("notify: { language: de }\n", 1, "'de' is not a supported language (fr, en)");
  expect_one_error("notify: { templates_dir: /nonexistent/templates }\n", 1, "not a directory: /nonexistent/templates");
  expect_one_error("notify: { hostname: \"bad host\" }\n", 1, "'bad host' is not a host name");
  expect_one_error("notify: { hostname: -x.example }\n", 1, "is not a host name");
  expect_one_error("notify: { maildir: \"\" }\n", 1, "notify.maildir: empty path");
  expect_one_error("notify: { retry_initial: 1m, retry_max: 30s }\n", 1,
                   "notify.retry_max: must not be shorter than retry_initial");
  expect_one_error("notify: { retry_initial: x }\n", 1, "notify.retry_initial: invalid duration 'x'");
}

TEST_CASE("notify.receivers") {
  expect_one_error("notify:\n  receivers:\n    - { email: { to: [a@x.example] } }\n", 3,
                   "notify.receivers[0]: missing required key 'name'");
  expect_one_error("notify:\n  receivers:\n    - { name: a }\n", 3, "missing required key 'email'");
  expect_one_error("notify:\n  receivers:\n    - { name: a, email: {} }\n", 3,
                   "notify.receivers[0].email: no recipients");
  expect_one_error("notify:\n  receivers:\n    - { name: a, email: { to: [], to_site_contacts: false } }\n", 3,
                   "no recipients");
  expect_one_error("notify:\n  receivers:\n    - name: a\n      email:\n        to: [a@x.example, \"a@@x\"]\n", 5,
                   "notify.receivers[0].email.to[1]: 'a@@x' is not an e-mail address");
  expect_one_error("notify:\n  receivers:\n    - { name: a, email: { to: [a@x.example], cc: [b@x.example] } }\n", 3,
                   "unknown key 'cc' in notify.receivers[0].email");
  expect_one_error(
      "notify:\n  receivers:\n    - { name: a, email: { to: [a@x.example] } }\n    - { name: a, email: { "
      "to_site_contacts: true } }\n",
      4, "duplicate receiver name 'a'");
  expect_one_error("notify:\n  receivers:\n    - { name: a, email: { to_site_contacts: yes please } }\n", 3,
                   "expected true or false");
}

TEST_CASE("notify.routes") {
  const std::string head =
      "sites: [{ id: ch-brest }]\n"
      "notify:\n"
      "  receivers:\n"
      "    - { name: list, email: { to: [l@x.example] } }\n"
      "  routes:\n";
  expect_one_error(head + "    - { match: { level: [high, severe] }, receivers: [list] }\n", 6,
                   "notify.routes[0].match.level: 'severe' is not a level");
  expect_one_error(head + "    - { match: { observer.site: ch-bresst }, receivers: [list] }\n", 6,
                   "notify.routes[0].match.observer.site: unknown site 'ch-bresst'");
  expect_one_error(head + "    - { match: { rule.title: x }, receivers: [list] }\n", 6,
                   "unknown key 'rule.title' in notify.routes[0].match");
  expect_one_error(head + "    - { match: { tags: [] }, receivers: [list] }\n", 6, "an empty list matches nothing");
  expect_one_error(head + "    - { match: {} }\n", 6, "notify.routes[0]: missing required key 'receivers'");
  expect_one_error(head + "    - { receivers: [] }\n", 6, "a route needs at least one receiver");
  expect_one_error(head + "    - receivers:\n        - list\n        - lsit\n", 8,
                   "notify.routes[0].receivers[1]: unknown receiver 'lsit'");
  expect_one_error(head + "    - { receivers: [list], group_interval: 0s }\n", 6, "must be longer than zero");
  expect_one_error(head + "    - { receivers: [list], repeat_interval: 4 hours }\n", 6, "invalid duration");
  expect_one_error(head + "    - { receivers: [list], continue: sometimes }\n", 6, "expected true or false");
  expect_one_error(head + "    - { receivers: [list], recievers: [list] }\n", 6,
                   "unknown key 'recievers' in notify.routes[0] (did you mean 'receivers'?)");

  auto c =
      load_ok(head + "    - { match: { level: low, observer.site: [ch-brest] }, receivers: [list], group_wait: 0s }\n");
  REQUIRE(c);
  const Route& r = c->notify.routes.at(0);
  CHECK(r.match.at("level") == std::vector<std::string>{"low"});
  CHECK(r.match.at("observer.site") == std::vector<std::string>{"ch-brest"});
  CHECK(r.group_wait.count() == 0);
  CHECK(r.group_interval == std::chrono::minutes(5));
  CHECK(r.repeat_interval == std::chrono::hours(4));
  CHECK(r.group_by.empty());
  CHECK_FALSE(r.continue_matching);
}

}  // namespace vigie::config::test

namespace vigie::config::test {

TEST_CASE("notify.routes group_by: the fields delivery groups on, nothing else") {
  const std::string head =
      "notify:\n"
      "  receivers:\n"
      "    - { name: list, email: { to: [l@x.example] } }\n"
      "  routes:\n";
  expect_one_error(head + "    - { receivers: [list], group_by: [rule.id, sorce.ip] }\n", 5,
                   "notify.routes[0].group_by[1]: unknown group_by field 'sorce.ip'");
  expect_one_error(head + "    - { receivers: [list], group_by: [tags] }\n", 5, "unknown group_by field 'tags'");
  expect_one_error(head + "    - { receivers: [list], group_by: [site, observer.site] }\n", 5,
                   "'observer.site' is listed twice");
  expect_one_error(head + "    - { receivers: [list], group_by: rule.id }\n", 5, "expected a list");
  expect_one_error(head + "    - { receivers: [list], group_interval: 10m }\n", 5,
                   "notify.routes[0].group_interval: applies to grouped routes only");
  auto c = load_ok(head +
                   "    - { receivers: [list], group_by: [rule.id, site, level, tlp, rule.title, source.ip, "
                   "key.custom.field] }\n");
  REQUIRE(c);
  CHECK(c->notify.routes.at(0).group_by == std::vector<std::string>{"rule.id", "observer.site", "level", "tlp",
                                                                    "rule.title", "source.ip", "key.custom.field"});
}

TEST_CASE("notify.smtp: a password never travels in clear text") {
  TempDir dir;
  dir.write("pw", "secret\n");
  auto errors = [&](std::string_view yaml) {
    auto r = load_text(dir, yaml);
    std::string all;
    if (!r)
      for (const auto& e : r.error()) all += e.to_string() + "\n";
    return all;
  };
  CHECK(errors("notify:\n  smtp: { url: \"smtp://relay:587\", starttls: opportunistic, username: u, password_file: "
               "pw }\n")
            .find("notify.smtp.username: 'username' with starttls: opportunistic could send the password in clear") !=
        std::string::npos);
  CHECK(errors("notify:\n  smtp: { url: \"smtp://relay:25\", starttls: never, username: u, password_file: pw }\n")
            .find("sends the password in clear text to a remote relay") != std::string::npos);
  // Implicit TLS, STARTTLS required, or a relay on this machine: accepted.
  CHECK(errors("notify:\n  smtp: { url: \"smtps://relay:465\", username: u, password_file: pw }\n").empty());
  CHECK(errors("notify:\n  smtp: { url: \"smtp://relay:587\", starttls: required, username: u, password_file: pw }\n")
            .empty());
  CHECK(errors("notify:\n  smtp: { url: \"smtp://127.0.0.1:25\", starttls: never, username: u, password_file: pw }\n")
            .empty());
  CHECK(errors("notify:\n  smtp: { url: \"smtp://[::1]:25\", starttls: never, username: u, password_file: pw }\n")
            .empty());
  // The maildir is the sink only without a relay: both would leave one unused.
  CHECK(errors("notify:\n  smtp: { url: \"smtp://relay:25\" }\n  maildir: mail\n")
            .find("notify.maildir: not used when notify.smtp is set") != std::string::npos);
  auto alone = load_text(dir, "notify:\n  maildir: ../mail\n");
  REQUIRE(alone.has_value());
  CHECK((*alone)->maildir() == (dir.path() / "../mail").lexically_normal());
  CHECK(errors("notify:\n  smtp: { url: \"smtp://relay:25\", starttls: never, ca_file: pw }\n")
            .find("notify.smtp.ca_file: unused with starttls: never") != std::string::npos);
  // Without AUTH there is no password to protect.
  CHECK(errors("notify:\n  smtp: { url: \"smtp://relay:25\", starttls: opportunistic }\n").empty());
}

}  // namespace vigie::config::test
