// Sigma's modifiers beyond plain string matching: base64offset, the UTF-16 encodings, windash,
// neq, fieldref, expand, re sub-modifiers and unsupported regexes, cased/exists/all. Every
// verdict is asked of the indexed Matcher and of RuleSet::evaluate_naive, which must agree.
#include <cctype>
#include <filesystem>
#include <fstream>

#include "helpers.hpp"

#include "detect/pattern.hpp"

using namespace vigie;
using namespace vigie::detect;
using namespace vigie::detect::test;

namespace {

using Fields = std::initializer_list<std::pair<std::string, std::string>>;

std::shared_ptr<const RuleSet> rule(const std::string& selection) {
  return load("title: t\nid: r\ndetection:\n  selection:\n" + selection + "\n  condition: selection\n");
}

// The verdict of rule "r" on the event, checked to be the same through both paths.
bool on(const std::shared_ptr<const RuleSet>& rs, Fields f) {
  const bool indexed = fires(rs, "r", event(f));
  const auto idx = rs->find_rule("r");
  REQUIRE(idx.has_value());
  const bool naive = rs->evaluate_naive(*idx, event(f));
  CHECK(indexed == naive);
  return indexed;
}

std::string b64(std::string_view s) { return base64_encode(s); }

}  // namespace

TEST_CASE("base64offset: the three shifted forms, as pySigma computes them") {
  CHECK(base64_offsets("foobar") == std::vector<std::string>{"Zm9vYmFy", "Zvb2Jhc", "mb29iYX"});
  CHECK(base64_offsets("ping") == std::vector<std::string>{"cGluZ", "Bpbm", "waW5n"});
  CHECK(base64_offsets(utf16_encode("ping", Utf16::le)) ==
        std::vector<std::string>{"cABpAG4AZw", "AAaQBuAGcA", "wAGkAbgBnA"});
}

TEST_CASE("base64offset|contains finds the value at any offset of a base64 text, case-sensitively") {
  auto rs = rule("    message|base64offset|contains: 'http://evil'");
  for (const std::string prefix : {"", "a", "ab", "abc", "powershell -c iex "}) {
    CAPTURE(prefix);
    CHECK(on(rs, {{"message", "cmd " + b64(prefix + "http://evil/x.ps1") + " end"}}));
  }
  CHECK_FALSE(on(rs, {{"message", b64("https://good/x.ps1")}}));
  std::string lowered = b64("ab http://evil");
  for (auto& ch : lowered) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  CHECK_FALSE(on(rs, {{"message", lowered}}));  // base64 differs by case: implied cased
  auto exact = rule("    x.blob|base64offset: foobar");
  CHECK(on(exact, {{"x.blob", "Zvb2Jhc"}}));
  CHECK_FALSE(on(exact, {{"x.blob", "xZvb2Jhc"}}));
  auto escaped = rule("    x.blob|base64: 'a\\*b'");  // the escape is removed before encoding
  CHECK(on(escaped, {{"x.blob", b64("a*b")}}));
  auto starts = rule("    x.blob|base64offset|startswith: foobar");
  CHECK(on(starts, {{"x.blob", "mb29iYXIK"}}));
  CHECK_FALSE(on(starts, {{"x.blob", "KZm9vYmFy"}}));
}

TEST_CASE("utf16le/wide, utf16be, utf16 before base64 and base64offset") {
  // PowerShell -EncodedCommand is base64 of UTF-16LE.
  const std::string encoded = b64(utf16_encode("IEX (New-Object Net.WebClient).DownloadString('x')", Utf16::le));
  for (const char* mod : {"wide", "utf16le"}) {
    CAPTURE(mod);
    auto rs = rule(std::string("    process.command_line|") + mod + "|base64offset|contains: 'DownloadString'");
    CHECK(on(rs, {{"process.command_line", "powershell -enc " + encoded}}));
    CHECK_FALSE(on(rs, {{"process.command_line", "powershell -enc " + b64("DownloadString")}}));
  }
  auto be = rule("    x.blob|utf16be|base64: cmd");
  CHECK(on(be, {{"x.blob", "AGMAbQBk"}}));
  CHECK_FALSE(on(be, {{"x.blob", b64("cmd")}}));
  auto bom = rule("    x.blob|utf16|base64: cmd");
  CHECK(on(bom, {{"x.blob", "//5jAG0AZAA="}}));
  CHECK(utf16_encode("\xc3\xa9\xf0\x9f\x98\x80", Utf16::le) == std::string("\xe9\x00\x3d\xd8\x00\xde", 6));
}

TEST_CASE("windash: a dash starting a word also as /, en dash, em dash, horizontal bar") {
  auto rs = rule("    process.command_line|contains|windash: ' -exec bypass -nop'");
  for (const std::string a : {"-", "/", "\u2013", "\u2014", "\u2015"})
    for (const std::string b : {"-", "/", "\u2015"}) {
      CAPTURE(a + b);
      CHECK(on(rs, {{"process.command_line", "powershell.exe " + a + "ExeC bypass " + b + "nop x"}}));
    }
  CHECK_FALSE(on(rs, {{"process.command_line", "powershell.exe exec bypass -nop"}}));
  CHECK_FALSE(on(rs, {{"process.command_line", "powershell.exe \\exec bypass -nop"}}));
  // A dash inside a word is not a switch: "a-b" stays as it is.
  auto inner = rule("    x.cmd|windash: 'net-user /add'");
  CHECK(on(inner, {{"x.cmd", "NET-USER -add"}}));
  CHECK(on(inner, {{"x.cmd", "net-user \u2014add"}}));
  CHECK_FALSE(on(inner, {{"x.cmd", "net/user /add"}}));
  CHECK_FALSE(on(inner, {{"x.cmd", "x net-user /add"}}));  // exact: no contains
  auto cased = rule("    x.cmd|windash|cased|startswith: '-Enc'");
  CHECK(on(cased, {{"x.cmd", "/Enc abc"}}));
  CHECK_FALSE(on(cased, {{"x.cmd", "/enc abc"}}));
  // A value where windash changes nothing stays an exact (hashed) atom.
  auto plain = rule("    x.cmd|windash: 'a-b'");
  CHECK(on(plain, {{"x.cmd", "A-B"}}));
  CHECK_FALSE(on(plain, {{"x.cmd", "a/b"}}));
}

TEST_CASE("neq: the field is present and equals none of the values") {
  auto rs = rule("    user.name|neq: root");
  CHECK(on(rs, {{"user.name", "admin"}}));
  CHECK_FALSE(on(rs, {{"user.name", "ROOT"}}));
  CHECK_FALSE(on(rs, {{"process.name", "sshd"}}));  // missing is not "different"
  auto list = rule("    user.name|neq: [root, admin]");
  CHECK(on(list, {{"user.name", "bob"}}));
  CHECK_FALSE(on(list, {{"user.name", "Admin"}}));
  auto cased = rule("    user.name|neq|cased: root");
  CHECK(on(cased, {{"user.name", "ROOT"}}));
  CHECK_FALSE(on(cased, {{"user.name", "root"}}));
  auto contains = rule("    message|neq|contains: sudo\n    process.name: sshd");
  CHECK(on(contains, {{"message", "login"}, {"process.name", "sshd"}}));
  CHECK_FALSE(on(contains, {{"message", "x SUDO y"}, {"process.name", "sshd"}}));
}

TEST_CASE("fieldref: the value equals another field's value of the same event") {
  auto rs = rule("    TargetUserName|fieldref: SubjectUserName");
  CHECK(on(rs, {{"TargetUserName", "alice"}, {"SubjectUserName", "ALICE"}}));
  CHECK_FALSE(on(rs, {{"TargetUserName", "alice"}, {"SubjectUserName", "bob"}}));
  CHECK_FALSE(on(rs, {{"TargetUserName", "alice"}}));
  CHECK_FALSE(on(rs, {{"SubjectUserName", "alice"}}));
  CHECK(rs->always_evaluated() == 1);  // not indexed: evaluated on candidates and alone
  auto cased = rule("    TargetUserName|fieldref|cased: SubjectUserName\n    EventID: 4648");
  CHECK(on(cased, {{"TargetUserName", "alice"}, {"SubjectUserName", "alice"}, {"EventID", "4648"}}));
  CHECK_FALSE(on(cased, {{"TargetUserName", "alice"}, {"SubjectUserName", "Alice"}, {"EventID", "4648"}}));
  CHECK_FALSE(on(cased, {{"TargetUserName", "alice"}, {"SubjectUserName", "alice"}, {"EventID", "4624"}}));
  auto fixed = rule("    user.name|fieldref: host.hostname");  // fixed-id fields
  CHECK(on(fixed, {{"user.name", "srv1"}, {"host.hostname", "srv1"}}));
  auto not_ref = rule("    Image|neq|fieldref: ParentImage");
  CHECK(on(not_ref, {{"Image", "a.exe"}, {"ParentImage", "b.exe"}}));
  CHECK_FALSE(on(not_ref, {{"Image", "a.exe"}, {"ParentImage", "A.EXE"}}));
}

TEST_CASE("expand: %placeholders% from placeholders.yml beside the rule") {
  auto rs = rule("    host.hostname|expand: '%dcs%'");
  CHECK(on(rs, {{"host.hostname", "DC01"}}));
  CHECK(on(rs, {{"host.hostname", "dc02.hospital.lan"}}));
  CHECK_FALSE(on(rs, {{"host.hostname", "dc03"}}));
  // Placeholder values keep their wildcards; several placeholders give every combination.
  auto tools = rule("    x.cmd|expand|cased: '%admin% %tools%'");
  CHECK(on(tools, {{"x.cmd", "root C:\\tmp\\psexec.exe"}}));
  CHECK(on(tools, {{"x.cmd", "root procdump.exe"}}));
  CHECK_FALSE(on(tools, {{"x.cmd", "Root procdump.exe"}}));
  auto contains = rule("    message|expand|contains|all: ['%admin%', 'su']");
  CHECK(on(contains, {{"message", "su: ROOT session"}}));
  CHECK_FALSE(on(contains, {{"message", "su: bob session"}}));
  auto literal = rule("    message|expand|contains: '100%'");  // a lone % is literal
  CHECK(on(literal, {{"message", "disk 100% full"}}));
}

TEST_CASE("expand: unknown placeholder and bad placeholder files are errors with file:line") {
  auto e = errors_of("title: t\nid: r\ndetection:\n  s:\n    x|expand: 'a %nope% b'\n  condition: s\n");
  INFO(e.size());
  CHECK(any_contains(e, "bad.yml:5: unknown placeholder '%nope%'"));
  const auto dir = std::filesystem::temp_directory_path() / "vigie-expand-test";
  std::filesystem::create_directories(dir);
  { std::ofstream(dir / "placeholders.yml") << "placeholders:\n  a: []\n"; }
  auto r = load_rules_from_string("title: t\nid: r\ndetection:\n  s:\n    x|expand: '%a%'\n  condition: s\n", "p.yml",
                                  config::Detection{}, {}, dir);
  REQUIRE_FALSE(r.has_value());
  std::vector<std::string> msgs;
  for (const auto& err : r.error()) msgs.push_back(err.to_string());
  CHECK(any_contains(msgs, "placeholders.yml:2: placeholder 'a' must be a string or a non-empty list"));
  CHECK(any_contains(msgs, "p.yml:5: unknown placeholder '%a%'"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("expand: a rule directory loads, its placeholders.yml is not taken for a rule file") {
  auto r = load_rules({VIGIE_TEST_DATA "/detect/expand"}, config::Detection{}, {});
  REQUIRE(r.has_value());
  const auto& rs = *r;
  REQUIRE(rs->rule_count() == 1);
  CHECK(fires(rs, "expand-admins", event({{"user.name", "Bob"}})));
  CHECK_FALSE(fires(rs, "expand-admins", event({{"user.name", "carol"}})));
}

TEST_CASE("re with i, m, s; a regex RE2 cannot express is a load error with its reason") {
  auto im = rule("    message|re|i|m: '^failed .* root$'");
  CHECK(on(im, {{"message", "first line\nFAILED login for ROOT\nlast"}}));
  CHECK_FALSE(on(im, {{"message", "not failed login for root now"}}));
  auto plain = rule("    message|re: '^failed .* root$'");
  CHECK_FALSE(on(plain, {{"message", "first line\nfailed login for root\nlast"}}));
  auto s = rule("    message|re|s: 'a.b'");
  CHECK(on(s, {{"message", "a\nb"}}));
  CHECK_FALSE(on(rule("    message|re: 'a.b'"), {{"message", "a\nb"}}));
  auto e = errors_of("title: t\nid: r\ndetection:\n  s:\n    x|re: '(a)\\1'\n  condition: s\n");
  CHECK(any_contains(e, "bad.yml:5: bad regex '(a)\\1': invalid escape sequence"));
  e = errors_of("title: t\nid: r\ndetection:\n  s:\n    x|re: 'foo(?=bar)'\n  condition: s\n");
  CHECK(any_contains(e, "bad.yml:5: bad regex 'foo(?=bar)': invalid perl operator"));
}

TEST_CASE("cased with every string modifier; exists true/false; all with lists") {
  for (const char* mods : {"", "|contains", "|startswith", "|endswith", "|contains|windash", "|expand"}) {
    CAPTURE(mods);
    auto rs = rule(std::string("    x.v") + mods + "|cased: 'Ab-c'");
    CHECK(on(rs, {{"x.v", "Ab-c"}}));
    CHECK_FALSE(on(rs, {{"x.v", "ab-c"}}));
  }
  auto yes = rule("    x.v|exists: true");
  CHECK(on(yes, {{"x.v", "a"}}));
  CHECK_FALSE(on(yes, {{"y", "1"}}));
  auto no = rule("    x.v|exists: false\n    y: '1'");
  CHECK(on(no, {{"y", "1"}}));
  CHECK_FALSE(on(no, {{"y", "1"}, {"x.v", "a"}}));
  auto all = rule("    x.v|contains|windash|all: ['-a', '-b']");
  CHECK(on(all, {{"x.v", "cmd /b /a"}}));
  CHECK_FALSE(on(all, {{"x.v", "cmd /a"}}));
}

TEST_CASE("modifier combinations Vigie refuses, each with its reason at its line") {
  const auto err = [](const std::string& item) {
    return errors_of("title: t\nid: r\ndetection:\n  s:\n    " + item + "\n  condition: s\n");
  };
  CHECK(any_contains(err("x|wide: cmd"), "bad.yml:5: utf16le, utf16be, utf16 and wide must come before base64"));
  CHECK(any_contains(err("x|base64|utf16le: cmd"), "must come before base64"));
  CHECK(any_contains(err("x|wide|utf16be|base64: cmd"), "only one of utf16le"));
  CHECK(any_contains(err("x|base64|base64offset: cmd"), "mutually exclusive"));
  // Valid Sigma this version cannot run: the rule is skipped with the reason, not an error.
  const auto skip = [](const std::string& item) {
    return skips_of("title: t\nid: r\ndetection:\n  s:\n    " + item + "\n  condition: s\n");
  };
  CHECK(any_contains(skip("x|windash|base64offset|contains: '-a'"),
                     "'windash' with base64 or base64offset is not supported"));
  CHECK(any_contains(skip("x|fieldref|contains: y"), "'fieldref' with contains, startswith or endswith"));
  CHECK(any_contains(err("x|base64offset|contains: a"), "too short for base64offset"));
  CHECK(any_contains(err("x|base64offset|contains: 'a*b'"), "bad.yml:5: a wildcard in 'a*b' cannot be base64-encoded"));
  CHECK(any_contains(err("x|base64: 'a?b'"), "cannot be base64-encoded"));
  CHECK(any_contains(err("x|neq|exists: true"), "neq cannot be combined"));
  CHECK(any_contains(err("x|expand|re: '%a%'"), "cannot be combined"));
  CHECK(any_contains(err("x|fieldref: null"), "null is not a valid value"));
}

TEST_CASE("windash and base64offset patterns through the Vectorscan prefilter give the same verdicts") {
  config::Detection det;
  det.prefilter = true;  // without Vectorscan in the build, RE2::Set alone: the same verdicts
  const std::string yaml =
      "title: t\nid: r\ndetection:\n  s:\n    x.cmd|contains|windash: ' -enc'\n"
      "  b:\n    message|wide|base64offset|contains: 'iex'\n  condition: s or b\n";
  auto rs = load(yaml, {}, det);
  CHECK(fires(rs, "r", event({{"x.cmd", "powershell \u2014enc"}})));
  CHECK(fires(rs, "r", event({{"x.cmd", "powershell /ENC"}})));
  CHECK_FALSE(fires(rs, "r", event({{"x.cmd", "powershell enc"}})));
  CHECK(fires(rs, "r", event({{"message", "p -e " + b64(utf16_encode("ab iex x", Utf16::le))}})));
  CHECK_FALSE(fires(rs, "r", event({{"message", "p -e " + b64("ab iex x")}})));
}
