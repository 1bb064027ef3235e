// Decoder value transforms (detect/transform.hpp): the encodings on their own, then through
// pattern captures (`group|hex`) and kv decoders (`transform:`, `quotes:`), then load errors.
#include "detect/transform.hpp"

#include "helpers.hpp"

using namespace vigie;
using namespace vigie::detect;
using namespace vigie::detect::test;

namespace {

std::string applied(Transform t, std::string_view v) {
  core::Arena arena;
  return std::string(apply_transform(t, v, arena));
}

std::optional<std::string> field(const core::Event& e, std::string_view name) {
  const auto v = e.get(name);
  return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
}

core::Event decoded(const std::shared_ptr<const RuleSet>& rs, core::Event e) {
  core::Metrics metrics;
  Matcher m(rs, metrics);
  m.decode(e);
  return e;
}

}  // namespace

TEST_CASE("hex: even runs of hex digits become their bytes, NUL a space; anything else is kept") {
  CHECK(applied(Transform::hex, "2F62696E2F7368") == "/bin/sh");
  CHECK(applied(Transform::hex, "2f62696e2f7368") == "/bin/sh");
  // A command line as the kernel records it: arguments separated by NUL bytes.
  CHECK(applied(Transform::hex, "6E63002D65002F62696E2F7368") == "nc -e /bin/sh");
  CHECK(applied(Transform::hex, "123") == "123");    // odd length
  CHECK(applied(Transform::hex, "root") == "root");  // not hex
  CHECK(applied(Transform::hex, "2F62696G") == "2F62696G");
  CHECK(applied(Transform::hex, "") == "");
  CHECK(applied(Transform::hex, "7") == "7");
  CHECK(applied(Transform::hex, "FF") == "\xff");  // bytes as they are; rules see them through matchable()
}

TEST_CASE("url: percent escapes and '+' decoded once; broken escapes kept") {
  CHECK(applied(Transform::url, "/a/..%2F..%2fetc/passwd") == "/a/../../etc/passwd");
  CHECK(applied(Transform::url, "id=1%27%20OR%201=1--") == "id=1' OR 1=1--");
  CHECK(applied(Transform::url, "q=union+select") == "q=union select");
  CHECK(applied(Transform::url, "%252e%252e%252f") == "%2e%2e%2f");  // one pass: double encoding stays visible
  CHECK(applied(Transform::url, "100%") == "100%");
  CHECK(applied(Transform::url, "%4") == "%4");
  CHECK(applied(Transform::url, "%zz%41") == "%zzA");
  CHECK(applied(Transform::url, "/index.html") == "/index.html");
  CHECK(transform_named("hex") == Transform::hex);
  CHECK_FALSE(transform_named("base64"));
}

TEST_CASE("pattern captures with |hex and |url; the raw capture stays available") {
  auto rs = load(R"(
decoder: t
patterns:
  - regex: '^cmd=(?P<cmd>\S+) url=(?P<url>\S+)$'
    fields: { process.command_line: "cmd|hex", cmd.raw: cmd, url.original: url, url.path: "url|url" }
---
title: shell
id: shell
level: low
detection: { s: { process.command_line|contains: 'nc -e' }, condition: s }
)");
  auto e = decoded(rs, event({{"message", "cmd=6E63002D65002F62696E2F7368 url=/x/%2e%2e/y"}}));
  CHECK(field(e, "process.command_line") == "nc -e /bin/sh");
  CHECK(field(e, "cmd.raw") == "6E63002D65002F62696E2F7368");
  CHECK(field(e, "url.original") == "/x/%2e%2e/y");
  CHECK(field(e, "url.path") == "/x/../y");
  CHECK(hits(rs, event({{"message", "cmd=6E63002D65002F62696E2F7368 url=/"}})) == std::vector<std::string>{"shell"});
  // The same command written as text is not hex and is kept as written.
  CHECK(field(decoded(rs, event({{"message", "cmd=ls url=/"}})), "process.command_line") == "ls");
}

TEST_CASE("kv transform: named keys and stems, never a quoted value; single quotes") {
  auto rs = load(R"(
decoder: audit
kv:
  prefix: audit.
  quotes: "\"'"
  transform: { 'a#': hex, cmd: hex }
  map: { a0: a0, acct: user.name }
---
decoder: audit-msg
field: audit.msg
kv:
  prefix: audit.
  map: { acct: user.name }
  transform: { cmd: hex }
)");
  auto e = decoded(rs, event({{"message",
                               "type=EXECVE msg=audit(1.2:3): argc=12 a0=\"ls\" a1=2D6C61 a2=2F746D70 a10=41 "
                               "a1_len=12 ab=2D6C61"}}));
  CHECK(field(e, "audit.a0") == "ls");   // quoted: as written
  CHECK(field(e, "a0") == "ls");         // mapped
  CHECK(field(e, "audit.a1") == "-la");  // stem a#: a1, a2, a10
  CHECK(field(e, "audit.a2") == "/tmp");
  CHECK(field(e, "audit.a10") == "A");
  CHECK(field(e, "audit.argc") == "12");    // not named: 0x12 would be a byte
  CHECK(field(e, "audit.a1_len") == "12");  // the stem takes digits only
  CHECK(field(e, "audit.ab") == "2D6C61");
  // A quoted value must not be taken for hex even when its text looks like it.
  auto q = decoded(rs, event({{"message", "type=EXECVE argc=1 a0=\"CAFE\""}}));
  CHECK(field(q, "audit.a0") == "CAFE");
  // msg='...' is one value; its own pairs are read by a second decoder over that field.
  auto u = decoded(rs, event({{"message",
                               "type=USER_CMD msg=audit(1.2:3): pid=5 uid=1000 msg='cwd=\"/root\" "
                               "cmd=636174202F6574632F736861646F77 exe=\"/usr/bin/sudo\" res=success'"}}));
  CHECK(field(u, "audit.msg") == "cwd=\"/root\" cmd=636174202F6574632F736861646F77 exe=\"/usr/bin/sudo\" res=success");
  CHECK(field(u, "audit.cmd") == "cat /etc/shadow");
  CHECK(field(u, "audit.exe") == "/usr/bin/sudo");
  CHECK(field(u, "audit.res") == "success");
  CHECK(field(u, "audit.pid") == "5");
}

TEST_CASE("kv scanner: single quotes only when asked; 0x1D separates like a blank") {
  auto rs = load(R"(
decoder: plain
kv: { prefix: p. }
)");
  auto e = decoded(rs, event({{"message", "msg='a b' res=ok'\x1dUID=\"root\""}}));
  CHECK(field(e, "p.msg") == "'a");  // ' is an ordinary byte by default
  CHECK(field(e, "p.res") == "ok'");
  CHECK(field(e, "p.UID") == "root");
}

TEST_CASE("transform load errors name the line") {
  CHECK(any_contains(errors_of("decoder: a\npatterns:\n  - regex: '(?P<x>.*)'\n    fields: { f: 'x|rot13' }\n"),
                     "bad.yml:4"));
  CHECK(any_contains(errors_of("decoder: a\npatterns:\n  - regex: '(?P<x>.*)'\n    fields: { f: 'x|rot13' }\n"),
                     "unknown transform 'rot13'"));
  CHECK(any_contains(errors_of("decoder: a\npatterns:\n  - regex: '(?P<x>.*)'\n    fields: { f: 'y|hex' }\n"),
                     "no capture group 'y'"));
  CHECK(any_contains(errors_of("decoder: a\nkv: { prefix: p., transform: { a: b64 } }\n"), "unknown transform 'b64'"));
  CHECK(any_contains(errors_of("decoder: a\nkv: { prefix: p., transform: { '#': hex } }\n"), "stem"));
  CHECK(any_contains(errors_of("decoder: a\nkv: { prefix: p., quotes: '`' }\n"), "quotes"));
  CHECK(any_contains(errors_of("decoder: a\nkv: { prefix: p., transform: [hex] }\n"), "mapping key: transform"));
}
