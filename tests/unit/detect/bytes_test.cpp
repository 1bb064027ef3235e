// Matching sees every byte (invalid UTF-8 never makes a decoder or rule miss) and decoded
// addresses are validated before they become address fields (issue 5 items 8 and 9).
#include "detect/pattern.hpp"
#include "helpers.hpp"

using namespace vigie;
using namespace vigie::detect;
using namespace vigie::detect::test;

namespace {

// An sshd line as the syslog parser leaves it: process.name and message split from the header.
core::Event sshd(int64_t seconds, const std::string& message, const std::string& site = "ch-a") {
  auto e = event({{"observer.site", site}, {"process.name", "sshd"}, {"message", message}}, seconds);
  e.set_raw_copy("<38>Mar 10 10:15:01 srv sshd[2211]: " + message);
  return e;
}

core::Event decoded(const std::shared_ptr<const RuleSet>& rs, core::Event e, core::Metrics& metrics) {
  Matcher m(rs, metrics);
  m.decode(e);
  return e;
}

constexpr std::string_view kFrom = R"(
decoder: from
patterns:
  - regex: 'from (?P<ip>\S+) to (?P<dip>\S+)$'
    fields: { source.ip: ip, destination.ip: dip, event.action: "=seen" }
)";

}  // namespace

TEST_CASE("valid_utf8 and matchable: ASCII and valid UTF-8 pass as they are, invalid bytes become U+FFFD") {
  CHECK(valid_utf8(""));
  CHECK(valid_utf8("Failed password for root from 10.0.0.1 port 22 ssh2"));
  CHECK(valid_utf8("utilisateur \xc3\xa9lodie \xe2\x82\xac \xf0\x9f\x94\x91"));
  CHECK_FALSE(valid_utf8("ad\xffmin"));
  CHECK_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(valid_utf8("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  CHECK_FALSE(valid_utf8("abcdefgh\xc3"));      // cut sequence after a full ASCII word
  std::string scratch;
  const std::string_view fine = "plain ascii line";
  CHECK(matchable(fine, scratch).data() == fine.data());  // no copy for valid input
  CHECK(matchable("ad\xffmin", scratch) == "ad\xef\xbf\xbdmin");
  CHECK(matchable("\xc3\xa9\xc3", scratch) == "\xc3\xa9\xef\xbf\xbd");
}

TEST_CASE("a \\xff in the user name of ten failed passwords still raises the shipped brute-force alert") {
  auto rs = load_rules({std::filesystem::path(VIGIE_SOURCE_DIR) / "rules"}, config::Detection{});
  if (!rs) {
    for (const auto& e : rs.error()) MESSAGE(e.to_string());
    FAIL("the shipped rules must load");
  }
  core::Metrics metrics;
  Engine engine(*rs, metrics);
  std::vector<core::Alert> alerts;
  for (int i = 0; i < 10; ++i) {
    auto e =
        sshd(i * 5, "Failed password for ad\xffmin from 183.62.140.253 port " + std::to_string(40000 + i) + " ssh2");
    engine.process(e, alerts);
    if (i == 0) {
      CHECK(e.value(core::Field::user_name) == "ad\xef\xbf\xbdmin");  // the value changes...
      CHECK(e.value(core::Field::source_ip) == "183.62.140.253");
    }
  }
  engine.finish(alerts);
  // ...not whether the brute force is seen.
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].rule.id == "vigie-ssh-bruteforce");
  CHECK(alerts[0].count == 10);
  CHECK(alerts[0].key == core::KeyValues{{"observer.site", "ch-a"}, {"source.ip", "183.62.140.253"}});
  CHECK(alerts[0].evidence.front().find("ad\xffmin") != std::string::npos);  // evidence keeps the bytes
}

TEST_CASE("rule patterns match fields and keywords holding invalid UTF-8") {
  auto rs = load(R"(
title: one character
id: wild
detection: { s: { user.name: 'ad?min' }, condition: s }
---
title: regex
id: re
detection: { s: { user.name|re: '^ad.min$' }, condition: s }
---
title: keyword
id: kw
detection: { k: ['Failed * for ad?min from'], condition: k }
)");
  auto e = event({{"user.name", "ad\xffmin"}, {"message", "Failed password for ad\xffmin from 10.0.0.1"}});
  const auto ids = hits(rs, e);
  CHECK(ids == std::vector<std::string>{"wild", "re", "kw"});
  for (uint32_t i = 0; i < rs->rule_count(); ++i) CHECK(rs->evaluate_naive(i, e));  // the reference agrees
}

TEST_CASE("classify_address: IP addresses, host names, and neither") {
  CHECK(classify_address("183.62.140.253") == AddressKind::ip);
  CHECK(classify_address("2001:db8:bad::17") == AddressKind::ip);
  CHECK(classify_address("::ffff:10.0.0.1") == AddressKind::ip);
  CHECK(classify_address("mail.ch-quimper.example") == AddressKind::host);
  CHECK(classify_address("gateway") == AddressKind::host);
  CHECK(classify_address("3com.example.") == AddressKind::host);
  CHECK(classify_address("183.106.179.x") == AddressKind::invalid);
  CHECK(classify_address("10.0.0.1a") == AddressKind::invalid);
  CHECK(classify_address("1.2.3") == AddressKind::invalid);
  CHECK(classify_address("256.1.1.1") == AddressKind::invalid);
  CHECK(classify_address("") == AddressKind::invalid);
  CHECK(classify_address("host_name.example") == AddressKind::invalid);
  CHECK(classify_address("-bad.example") == AddressKind::invalid);
  CHECK(classify_address("a..b") == AddressKind::invalid);
  CHECK(classify_address("1.2.3.4 port 22") == AddressKind::invalid);
}

TEST_CASE("decoded addresses: an IP is kept, a host name goes to .domain, anything else is not set and counted") {
  auto rs = load(kFrom);
  core::Metrics metrics;
  auto e = decoded(rs, event({{"message", "from 183.62.140.253 to 2001:db8::1"}}), metrics);
  CHECK(e.value(core::Field::source_ip) == "183.62.140.253");
  CHECK(e.value(core::Field::destination_ip) == "2001:db8::1");

  e = decoded(rs, event({{"message", "from scanner.example.net to 10.0.0.1"}}), metrics);
  CHECK_FALSE(e.get(core::Field::source_ip));
  CHECK(e.get("source.domain") == std::optional<std::string_view>("scanner.example.net"));
  CHECK(e.value(core::Field::destination_ip) == "10.0.0.1");

  e = decoded(rs, event({{"message", "from 183.106.179.x to srv.example"}}), metrics);
  CHECK_FALSE(e.get(core::Field::source_ip));
  CHECK_FALSE(e.get("source.domain"));
  CHECK_FALSE(e.get(core::Field::destination_ip));
  CHECK(e.get("destination.domain") == std::optional<std::string_view>("srv.example"));
  CHECK(e.value(core::Field::event_action) == "seen");  // the rest of the decoder still applies
  CHECK(e.value(core::Field::message) == "from 183.106.179.x to srv.example");
  CHECK(metrics.value("vigie_decoder_invalid_address_total", {{"decoder", "from"}, {"field", "source.ip"}}) == 1);
  CHECK(metrics.value("vigie_decoder_invalid_address_total", {{"decoder", "from"}, {"field", "destination.ip"}}) == 0);
}

TEST_CASE("decoder literals for address fields must be IP addresses") {
  const auto errors = errors_of(R"(
decoder: lit
patterns:
  - regex: 'x'
    fields: { source.ip: "=gateway.example", destination.ip: "=10.0.0.1" }
)");
  REQUIRE(errors.size() == 1);
  CHECK(any_contains(errors, "'gateway.example' is not an IP address; source.ip takes IP addresses only"));
  CHECK(any_contains(errors, "bad.yml:5"));
}
