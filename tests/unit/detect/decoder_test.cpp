#include "detect/pattern.hpp"
#include "helpers.hpp"

using namespace vigie;
using namespace vigie::detect;
using namespace vigie::detect::test;

namespace {

constexpr std::string_view kSshd = R"(
decoder: sshd
when: { process.name: sshd }
patterns:
  - regex: 'Failed (?P<method>password|publickey) for (?:invalid user )?(?P<user>\S+) from (?P<ip>\S+) port (?P<port>\d+)'
    fields: { user.name: user, source.ip: ip, source.port: port, event.action: "=ssh_login", event.outcome: "=failure", ssh.method: method }
  - regex: 'Failed \S+ for'
    fields: { event.action: "=ssh_login_generic" }
  - regex: 'Accepted (?P<method>\S+) for (?P<user>\S+) from (?P<ip>\S+)'
    fields: { user.name: user, source.ip: ip, event.outcome: "=success" }
)";

// A decoder that rewrites `message`, and one that reads only the rewritten text.
constexpr std::string_view kRewrite = R"(
decoder: rewrite-message
patterns:
  - regex: 'wrapped: (?P<inner>.*)'
    fields: { message: inner }
---
decoder: after-rewrite
patterns:
  - regex: '^inner user=(?P<u>\w+)'
    fields: { user.name: u, event.outcome: "=rewritten" }
)";

core::Event decoded(const std::shared_ptr<const RuleSet>& rs, core::Event e) {
  core::Metrics metrics;
  Matcher m(rs, metrics);
  m.decode(e);
  return e;
}

}  // namespace

TEST_CASE("decoder: captures and literals set fields; the first matching pattern wins") {
  auto rs = load(kSshd);
  CHECK(rs->decoder_count() == 1);
  auto e =
      decoded(rs, event({{"process.name", "sshd"},
                         {"message", "Failed password for invalid user admin from 183.62.140.253 port 50022 ssh2"}}));
  CHECK(e.value(core::Field::user_name) == "admin");
  CHECK(e.value(core::Field::source_ip) == "183.62.140.253");
  CHECK(e.value(core::Field::source_port) == "50022");
  CHECK(e.value(core::Field::event_action) == "ssh_login");  // pattern 0, not the generic pattern 1
  CHECK(e.value(core::Field::event_outcome) == "failure");
  CHECK(e.get("ssh.method") == std::optional<std::string_view>("password"));
}

TEST_CASE("decoder: a later pattern applies when earlier ones do not match") {
  auto rs = load(kSshd);
  auto e = decoded(rs, event({{"process.name", "sshd"}, {"message", "Failed keyboard-interactive for root"}}));
  CHECK(e.value(core::Field::event_action) == "ssh_login_generic");
  CHECK_FALSE(e.get(core::Field::user_name));
  auto ok =
      decoded(rs, event({{"process.name", "sshd"}, {"message", "Accepted publickey for alice from 10.1.2.3 port 1"}}));
  CHECK(ok.value(core::Field::event_outcome) == "success");
  CHECK(ok.value(core::Field::user_name) == "alice");
}

TEST_CASE("decoder: `when` is exact and case-sensitive, lists are alternatives") {
  auto rs = load(kSshd);
  const std::string line = "Failed password for root from 1.2.3.4 port 22 ssh2";
  CHECK_FALSE(decoded(rs, event({{"process.name", "SSHD"}, {"message", line}})).get(core::Field::user_name));
  CHECK_FALSE(decoded(rs, event({{"message", line}})).get(core::Field::user_name));
  auto rs2 = load(R"(
decoder: auth
when: { process.name: [sshd, sshd-session] }
patterns: [{ regex: 'for (?P<u>\w+)', fields: { user.name: u } }]
)");
  CHECK(decoded(rs2, event({{"process.name", "sshd-session"}, {"message", line}})).value(core::Field::user_name) ==
        "root");
}

TEST_CASE("decoder: several decoders apply in file order and see each other's fields") {
  auto rs = load(R"(
decoder: kv
patterns:
  - regex: 'user=(?P<u>\w+)'
    fields: { user.name: u }
---
decoder: from-user
field: user.name
patterns:
  - regex: '^adm'
    fields: { event.category: "=admin" }
---
decoder: needs-user
when: { user.name: root }
patterns:
  - regex: 'user='
    fields: { event.action: "=root_seen" }
---
)" + std::string(kRewrite));
  CHECK(rs->decoder_count() == 5);
  auto e = decoded(rs, event({{"message", "login user=admin2"}}));
  CHECK(e.value(core::Field::user_name) == "admin2");
  CHECK(e.get("event.category") == std::optional<std::string_view>("admin"));
  auto root = decoded(rs, event({{"message", "login user=root"}}));
  CHECK(root.value(core::Field::event_action) == "root_seen");
  CHECK_FALSE(root.get("event.category"));
  // A decoder rewrote `message`: the decoder after it scans the new text, not the old one.
  auto w = decoded(rs, event({{"message", "wrapped: inner user=bob"}}));
  CHECK(w.value(core::Field::message) == "inner user=bob");
  CHECK(w.value(core::Field::event_outcome) == "rewritten");
  CHECK(w.value(core::Field::user_name) == "bob");
}

TEST_CASE("decoder: with rules scanning the field, decoders are chosen from the scan, and again after a rewrite") {
  // A rule testing `message` with a pattern makes the decoders reading it be chosen from that
  // scan (Matcher::choose_decoders); `after-rewrite` cannot be told from the first text.
  auto rs = load(std::string(kRewrite) + R"(---
decoder: plain
patterns:
  - regex: '^plain (?P<w>\w+)'
    fields: { event.action: w }
---
title: scans message
id: scans-message
detection:
  selection: { message|re: 'user=b.b' }
  condition: selection
)");
  auto w = decoded(rs, event({{"message", "wrapped: inner user=bob"}}));
  CHECK(w.value(core::Field::message) == "inner user=bob");
  CHECK(w.value(core::Field::event_outcome) == "rewritten");
  CHECK(w.value(core::Field::user_name) == "bob");
  CHECK(fires(rs, "scans-message", event({{"message", "wrapped: inner user=bob"}})));
  auto p = decoded(rs, event({{"message", "plain word"}}));
  CHECK(p.value(core::Field::event_action) == "word");
  CHECK_FALSE(p.get(core::Field::user_name));
}

TEST_CASE("decoder: optional groups that did not participate leave the field unset; numbered groups work") {
  auto rs = load(R"(
decoder: opt
patterns:
  - regex: 'conn (\d+)(?: user (?P<u>\w+))?'
    fields: { user.name: u, source.port: "1" }
)");
  auto e = decoded(rs, event({{"message", "conn 42"}}));
  CHECK(e.value(core::Field::source_port) == "42");
  CHECK_FALSE(e.get(core::Field::user_name));
}

TEST_CASE("decoder fields are visible to detection rules") {
  auto rs = load(std::string(kSshd) + R"(
---
title: SSH failed password
id: ssh-failed
detection:
  selection: { event.action: ssh_login, event.outcome: failure }
  condition: selection
)");
  CHECK(fires(rs, "ssh-failed",
              event({{"process.name", "sshd"}, {"message", "Failed password for root from 1.2.3.4 port 22 ssh2"}})));
  CHECK_FALSE(fires(rs, "ssh-failed",
                    event({{"process.name", "cron"}, {"message", "Failed password for root from 1.2.3.4 port 22"}})));
}

TEST_CASE("decoder: one matcher over repeated and varied lines decodes each as a fresh one would") {
  // The matcher remembers what a text gave (scan and captures, per field): a repeated line is
  // answered from there, a line that takes the same slot must not be, and a field a decoder
  // rewrote is a different text.
  auto rs = load(R"(
decoder: wrap
patterns:
  - regex: 'wrapped: (?P<inner>.*)'
    fields: { message: inner }
---
decoder: login
patterns:
  - regex: 'user=(?P<u>\w+) from (?P<ip>\S+)'
    fields: { user.name: u, source.ip: ip, event.outcome: "=failure" }
  - regex: 'user=(?P<u>\w+)'
    fields: { user.name: u }
)");
  std::vector<std::string> lines;
  for (int i = 0; i < 9000; ++i) {
    const std::string user = "u" + std::to_string(i % 300);
    switch (i % 4) {
      case 0:
        lines.push_back("login user=" + user + " from 10.0.0." + std::to_string(i % 7));
        break;
      case 1:
        lines.push_back("wrapped: login user=" + user);
        break;
      case 2:
        lines.push_back("user=" + user + " from gw-" + std::to_string(i % 5));  // a host: source.domain
        break;
      default:
        lines.push_back("nothing for user " + user);
    }
  }
  core::Metrics metrics;
  Matcher shared(rs, metrics);
  // The same text twice in a row: the second pattern wins after the first failed, both times.
  for (int i = 0; i < 2; ++i) {
    auto e = event({{"message", "login user=carol"}});
    shared.decode(e);
    CHECK(e.value(core::Field::user_name) == "carol");
    CHECK_FALSE(e.get(core::Field::event_outcome));
  }
  for (const auto& line : lines) {
    auto once = event({{"message", line}});
    auto fresh = decoded(rs, once);
    shared.decode(once);
    CAPTURE(line);
    for (const auto f :
         {core::Field::message, core::Field::user_name, core::Field::source_ip, core::Field::event_outcome})
      CHECK(once.get(f) == fresh.get(f));
    CHECK(once.get("source.domain") == fresh.get("source.domain"));
  }
}
