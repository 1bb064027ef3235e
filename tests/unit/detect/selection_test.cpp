#include "helpers.hpp"

#include "detect/pattern.hpp"

using namespace vigie;
using namespace vigie::detect;
using namespace vigie::detect::test;

namespace {

// One rule "r" whose detection is `selection` (YAML, indented by 4) with condition `selection`.
std::shared_ptr<const RuleSet> rule(const std::string& selection) {
  return load("title: t\nid: r\ndetection:\n  selection:\n" + selection + "\n  condition: selection\n");
}

bool on(const std::shared_ptr<const RuleSet>& rs, std::initializer_list<std::pair<std::string, std::string>> f) {
  return fires(rs, "r", event(f));
}

}  // namespace

TEST_CASE("plain values: case-insensitive exact match") {
  auto rs = rule("    user.name: Admin");
  CHECK(on(rs, {{"user.name", "admin"}}));
  CHECK(on(rs, {{"user.name", "ADMIN"}}));
  CHECK_FALSE(on(rs, {{"user.name", "admin2"}}));
  CHECK_FALSE(on(rs, {{"user.name", "xadmin"}}));
  CHECK_FALSE(on(rs, {{"process.name", "admin"}}));
}

TEST_CASE("field map is AND, value list is OR, list of maps is OR") {
  auto and_rs = rule("    user.name: root\n    process.name: [sshd, sudo]");
  CHECK(and_rs->atom_count() == 3);
  CHECK(on(and_rs, {{"user.name", "root"}, {"process.name", "sudo"}}));
  CHECK(on(and_rs, {{"user.name", "root"}, {"process.name", "sshd"}}));
  CHECK_FALSE(on(and_rs, {{"user.name", "root"}, {"process.name", "cron"}}));
  CHECK_FALSE(on(and_rs, {{"process.name", "sshd"}}));
  auto or_rs = rule("    - user.name: root\n    - process.name: sudo");
  CHECK(on(or_rs, {{"user.name", "root"}}));
  CHECK(on(or_rs, {{"process.name", "sudo"}}));
  CHECK_FALSE(on(or_rs, {{"user.name", "alice"}}));
}

TEST_CASE("wildcards * and ?, escapes, and invalid UTF-8 inside a wildcard") {
  auto rs = rule("    message: 'Failed*for ?oot'");
  CHECK(on(rs, {{"message", "failed password for root"}}));
  CHECK(on(rs, {{"message", "FAILED for Zoot"}}));
  CHECK_FALSE(on(rs, {{"message", "failed password for root now"}}));
  CHECK_FALSE(on(rs, {{"message", "xFailed for root"}}));
  CHECK(on(rs, {{"message", std::string("Failed \xff\xfe for root")}}));
  auto esc = rule(R"(    message: 'a\*b\?c')");
  CHECK(on(esc, {{"message", "A*B?C"}}));
  CHECK_FALSE(on(esc, {{"message", "axxbyc"}}));
  auto star_only = rule("    message: '*'");
  CHECK(on(star_only, {{"message", "anything"}}));
  CHECK(on(star_only, {{"message", ""}}));
  CHECK_FALSE(on(star_only, {{"user.name", "x"}}));
  auto trailing = rule(R"(    message: 'x\\*')");  // backslash then wildcard
  CHECK(on(trailing, {{"message", R"(x\anything)"}}));
}

TEST_CASE("contains, startswith, endswith (case-insensitive, with wildcards inside)") {
  auto c = rule("    message|contains: 'Invalid User'");
  CHECK(on(c, {{"message", "sshd: invalid user bob"}}));
  CHECK_FALSE(on(c, {{"message", "valid user"}}));
  auto s = rule("    process.name|startswith: 'ssh'");
  CHECK(on(s, {{"process.name", "SSHD"}}));
  CHECK_FALSE(on(s, {{"process.name", "xssh"}}));
  auto e = rule("    url.original|endswith: '.php'");
  CHECK(on(e, {{"url.original", "/a/b.PHP"}}));
  CHECK_FALSE(on(e, {{"url.original", "/a.php?x=1"}}));
  auto w = rule("    message|contains: 'user * from'");
  CHECK(on(w, {{"message", "invalid user bob from 1.2.3.4"}}));
  auto meta = rule("    message|contains: 'a.b(c)+'");  // regex metacharacters are literal
  CHECK(on(meta, {{"message", "x A.B(C)+ y"}}));
  CHECK_FALSE(on(meta, {{"message", "aXb(c)"}}));
}

TEST_CASE("|all turns a value list into AND") {
  auto rs = rule("    message|contains|all: [sudo, 'incorrect password']");
  CHECK(on(rs, {{"message", "sudo: 3 incorrect password attempts"}}));
  CHECK_FALSE(on(rs, {{"message", "sudo: session opened"}}));
}

TEST_CASE("re: RE2 syntax, unanchored, case-sensitive unless (?i) or |i") {
  auto rs = rule(R"(    message|re: 'port \d{2,5}$')");
  CHECK(on(rs, {{"message", "from 1.2.3.4 port 2222"}}));
  CHECK_FALSE(on(rs, {{"message", "from 1.2.3.4 PORT 2222"}}));
  CHECK_FALSE(on(rs, {{"message", "port 2 x"}}));
  auto ci = rule(R"(    message|re: '(?i)PORT \d+')");
  CHECK(on(ci, {{"message", "port 22"}}));
  auto flag = rule(R"(    message|re|i: 'PORT \d+')");
  CHECK(on(flag, {{"message", "port 22"}}));
}

TEST_CASE("cased makes plain and pattern values case-sensitive") {
  auto rs = rule("    user.name|cased: Admin");
  CHECK(on(rs, {{"user.name", "Admin"}}));
  CHECK_FALSE(on(rs, {{"user.name", "admin"}}));
  auto c = rule("    message|contains|cased: Error");
  CHECK(on(c, {{"message", "an Error"}}));
  CHECK_FALSE(on(c, {{"message", "an error"}}));
}

TEST_CASE("cidr matches IPv4 and IPv6 networks, not other text") {
  auto rs = rule("    source.ip|cidr: [10.0.0.0/8, '2001:db8::/32']");
  CHECK(on(rs, {{"source.ip", "10.29.4.1"}}));
  CHECK(on(rs, {{"source.ip", "2001:db8::1"}}));
  CHECK_FALSE(on(rs, {{"source.ip", "11.0.0.1"}}));
  CHECK_FALSE(on(rs, {{"source.ip", "not-an-ip"}}));
  CHECK_FALSE(on(rs, {{"user.name", "x"}}));
}

TEST_CASE("exists and null") {
  auto ex = rule("    user.name|exists: true");
  CHECK(on(ex, {{"user.name", ""}}));
  CHECK_FALSE(on(ex, {{"message", "x"}}));
  auto nex = rule("    user.name|exists: false");
  CHECK(on(nex, {{"message", "x"}}));
  CHECK_FALSE(on(nex, {{"user.name", "bob"}}));
  auto null = rule("    user.name: null\n    message|contains: login");
  CHECK(on(null, {{"message", "login"}}));
  CHECK_FALSE(on(null, {{"message", "login"}, {"user.name", "bob"}}));
  auto empty = rule("    user.name: ''");
  CHECK(on(empty, {{"user.name", ""}}));
  CHECK_FALSE(on(empty, {{"user.name", "a"}}));
}

TEST_CASE("base64 encodes the value before matching") {
  // base64("whoami") == "d2hvYW1p"
  auto rs = rule("    message|base64|contains: whoami");
  CHECK(on(rs, {{"message", "powershell -enc d2hvYW1p"}}));
  CHECK_FALSE(on(rs, {{"message", "powershell whoami"}}));
  // Base64 is case-sensitive: another case is another string.
  auto exact = rule("    f|base64: ABC");
  CHECK(on(exact, {{"f", "QUJD"}}));
  CHECK_FALSE(on(exact, {{"f", "quJd"}}));
  CHECK_FALSE(on(rs, {{"message", "powershell -enc D2HVYW1P"}}));
  CHECK(base64_encode("a") == "YQ==");
  CHECK(base64_encode("ab") == "YWI=");
  CHECK(base64_encode("abc") == "YWJj");
}

TEST_CASE("numeric comparisons lt, lte, gt, gte") {
  auto rs = rule("    source.port|gte: 1024\n    destination.port|lt: 100");
  CHECK(on(rs, {{"source.port", "1024"}, {"destination.port", "22"}}));
  CHECK_FALSE(on(rs, {{"source.port", "1023"}, {"destination.port", "22"}}));
  CHECK_FALSE(on(rs, {{"source.port", "2000"}, {"destination.port", "100"}}));
  CHECK_FALSE(on(rs, {{"source.port", "abc"}, {"destination.port", "22"}}));
  auto le = rule("    process.pid|lte: 1.5\n    log.syslog.severity.code|gt: 2");
  CHECK(on(le, {{"process.pid", "1.5"}, {"log.syslog.severity.code", "3"}}));
  CHECK_FALSE(on(le, {{"process.pid", "2"}, {"log.syslog.severity.code", "3"}}));
  // Only finite decimal numbers compare: not "inf", "nan", hex or trailing text.
  auto big = rule("    f|gt: 10");
  CHECK(on(big, {{"f", "1e3"}}));
  CHECK(on(big, {{"f", "-.5e2"}}) == false);
  for (const char* v : {"inf", "infinity", "-inf", "nan", "0x20", "20 ", "", "1e999"}) {
    CAPTURE(v);
    CHECK_FALSE(on(big, {{"f", v}}));
  }
}

TEST_CASE("numeric thresholds that differ in the 7th decimal are different atoms") {
  auto rs = load(
      "title: a\nid: r0\ndetection:\n  s: { f|lt: 0.0000004 }\n  condition: s\n---\n"
      "title: b\nid: r1\ndetection:\n  s: { f|lt: 0.0000001 }\n  condition: s\n");
  const auto got = hits(rs, event({{"f", "0.0000002"}}));
  CHECK(got == std::vector<std::string>{"r0"});
}

TEST_CASE("keywords: message contains, case-insensitive, OR") {
  auto rs = load(R"(
title: t
id: r
detection:
  keywords: [segfault, 'Out of memory']
  condition: keywords
)");
  CHECK(on(rs, {{"message", "kernel: app[12]: SEGFAULT at 0"}}));
  CHECK(on(rs, {{"message", "out of memory: kill process"}}));
  CHECK_FALSE(on(rs, {{"message", "all fine"}}));
  CHECK_FALSE(on(rs, {{"user.name", "segfault"}}));
}

TEST_CASE("keywords with '|all' must all appear") {
  auto rs = load(R"(
title: t
id: r
detection:
  keywords:
    '|all': [useradd, 'new user']
  condition: keywords
)");
  CHECK(on(rs, {{"message", "useradd[1]: new user: name=x"}}));
  CHECK_FALSE(on(rs, {{"message", "useradd[1]: failed"}}));
}

TEST_CASE("the same value used by many rules is shared and each rule fires") {
  auto rs = load(R"(
title: a
id: a
detection: { s: { user.name: root }, condition: s }
---
title: b
id: b
detection: { s: { user.name: ROOT, process.name: sudo }, condition: s }
)");
  CHECK(rs->atom_count() == 2);
  CHECK(hits(rs, event({{"user.name", "root"}, {"process.name", "sudo"}})) == std::vector<std::string>{"a", "b"});
  CHECK(hits(rs, event({{"user.name", "root"}})) == std::vector<std::string>{"a"});
}

TEST_CASE("only rules that can match without an indexed atom are evaluated on every event") {
  auto rs = load(R"(
title: plain
id: plain
detection: { s: { user.name: root, source.ip|cidr: 10.0.0.0/8 }, condition: s }
---
title: negated
id: negated
detection: { s: { user.name: root }, condition: not s }
---
title: cidr only
id: cidr-only
detection: { s: { source.ip|cidr: 10.0.0.0/8 }, condition: s }
---
title: or with cidr
id: or-cidr
detection: { a: { user.name: root }, b: { source.port|gt: 5 }, condition: a or b }
)");
  CHECK(rs->always_evaluated() == 3);  // negated, cidr-only, or-cidr; not `plain` (AND with an indexed atom)
  CHECK(hits(rs, event({{"source.ip", "10.1.1.1"}, {"source.port", "9"}})) ==
        std::vector<std::string>{"negated", "cidr-only", "or-cidr"});
  CHECK(hits(rs, event({{"user.name", "ROOT"}, {"source.ip", "10.1.1.1"}})) ==
        std::vector<std::string>{"plain", "cidr-only", "or-cidr"});
}
