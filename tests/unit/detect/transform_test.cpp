// Decoder value transforms (detect/transform.hpp): the encodings on their own, then through
// pattern captures (`group|hex`) and kv decoders (`transform:`, `quotes:`), then load errors.
#include "detect/transform.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

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

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("shipped auditd decoders: every shape, hex only where auditd encodes") {
  const auto rs = load(slurp(std::filesystem::path(VIGIE_SOURCE_DIR) / "rules/decoders/auditd.yml"));
  // A bare audit.log line: Sigma's names, ECS fields, the inner msg='…' read, hex acct decoded.
  auto u = decoded(rs, event({{"message",
                               "type=USER_LOGIN msg=audit(1773137701.300:88): pid=4102 uid=0 auid=4294967295 "
                               "ses=4294967295 msg='op=login acct=28696E76616C6964207573657229 "
                               "exe=\"/usr/sbin/sshd\" hostname=? addr=::ffff:198.51.100.40 terminal=sshd "
                               "res=failed'"}}));
  CHECK(field(u, "type") == "USER_LOGIN");
  CHECK(field(u, "auditd.serial") == "88");
  CHECK(field(u, "user.name") == "(invalid user)");
  CHECK(field(u, "source.ip") == "198.51.100.40");
  CHECK(field(u, "event.outcome") == "failure");
  CHECK(field(u, "process.executable") == "/usr/sbin/sshd");
  // The kernel's numeric form names the type; journald's form has it first.
  auto k = decoded(rs, event({{"process.name", "kernel"},
                              {"message", "audit: type=1309 audit(1773137706.000:940): argc=2 a0=\"ls\" a1=2D6C61"}}));
  CHECK(field(k, "type") == "EXECVE");
  CHECK(field(k, "a1") == "-la");
  auto j = decoded(rs, event({{"process.name", "audit"},
                              {"message",
                               "ADD_USER pid=7002 uid=0 auid=1001 ses=7 msg='op=add-user acct=\"backup2\" "
                               "exe=\"/usr/sbin/useradd\" hostname=? addr=? terminal=pts/1 res=success'"}}));
  CHECK(field(j, "type") == "ADD_USER");
  CHECK(field(j, "user.name") == "backup2");
  CHECK_FALSE(j.get(core::Field::source_ip));  // addr=? is no address
  // SYSCALL's a0…a3 are raw numbers in hex: not decoded (SigmaHQ compares a0 to 4, 5, 6).
  auto s = decoded(rs, event({{"message",
                               "type=SYSCALL msg=audit(1.2:3): arch=c000003e syscall=103 success=yes a0=5 "
                               "a1=7ffd2a1c a2=0 a3=0 comm=\"dmesg\" exe=2F7573722F62696E2F646D657367 "
                               "key=(null)"}}));
  CHECK(field(s, "a1") == "7ffd2a1c");
  CHECK(field(s, "exe") == "/usr/bin/dmesg");
  CHECK(field(s, "key") == "(null)");
  // Another program's key=value line is not an audit record.
  auto other = decoded(rs, event({{"message", "type=traffic msg=hello pid=1"}}));
  CHECK_FALSE(other.get("type"));
  CHECK_FALSE(other.get("auditd.pid"));
}

TEST_CASE("SigmaHQ auditd rules, as published, fire on the shipped decoders' fields") {
  const auto sigma = std::filesystem::path(VIGIE_CORPUS) / "sigma/rules/linux/auditd";
  std::string yaml = slurp(std::filesystem::path(VIGIE_SOURCE_DIR) / "rules/decoders/auditd.yml");
  for (const char* f :
       {"syscall/lnx_auditd_clean_disable_dmesg_logs_via_syslog.yml", "lnx_auditd_disable_aslr_protection.yml"})
    yaml += "\n---\n" + slurp(sigma / f);
  const auto rs = load(yaml);
  // syslog(SYSLOG_ACTION_CLEAR): SYSCALL=syslog (enriched name), a0 raw.
  CHECK(hits(rs, event({{"message",
                         "type=SYSCALL msg=audit(1773137750.000:982): arch=c000003e syscall=103 "
                         "success=yes exit=0 a0=5 a1=0 a2=0 a3=0 items=0 ppid=4100 pid=4190 auid=1002 "
                         "uid=0 comm=\"dmesg\" exe=\"/usr/bin/dmesg\" key=(null)\x1d"
                         "ARCH=x86_64 SYSCALL=syslog AUID=\"bob\" UID=\"root\""}})) ==
        std::vector<std::string>{"eca5e022-d368-4043-98e5-9736fb01f72f"});
  // sysctl -w kernel.randomize_va_space=0, the argument hex-encoded by auditd.
  CHECK(hits(rs, event({{"message",
                         "type=EXECVE msg=audit(1773137750.000:983): argc=3 a0=\"sysctl\" a1=\"-w\" "
                         "a2=6B65726E656C2E72616E646F6D697A655F76615F73706163653D30"}})) ==
        std::vector<std::string>{"e497a24e-9345-4a62-9803-b06d7d7cb132"});
  CHECK(hits(rs, event({{"message",
                         "type=EXECVE msg=audit(1773137750.000:984): argc=3 a0=\"sysctl\" a1=\"-w\" "
                         "a2=6B65726E656C2E72616E646F6D697A655F76615F73706163653D32"}}))
            .empty());  // =2: ASLR on
}
