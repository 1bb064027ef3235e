// Logsource as a filter (detect/logsource.hpp): a rule sees only the events of its logsource,
// through rules/logsources.yml (built in) or a logsources.yml beside the rules.
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "helpers.hpp"

using namespace vigie;
using namespace vigie::detect;
using namespace vigie::detect::test;

namespace {

// A rule "r" with `logsource` (a YAML flow mapping) and keyword `word`.
std::shared_ptr<const RuleSet> with_logsource(const std::string& logsource, const std::string& word = "REPLACE") {
  return load("title: t\nid: r\nlogsource: " + logsource + "\ndetection:\n  keywords: ['" + word +
              "']\n  condition: keywords\n");
}

core::Event line(const std::string& program, const std::string& message) {
  return event({{"process.name", program}, {"message", message}, {"log.syslog.facility.code", "9"}});
}

core::Event windows(const std::string& channel, const std::string& event_id, const std::string& message) {
  return event({{"Channel", channel}, {"EventID", event_id}, {"message", message}});
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() / ("vigie-logsource-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(path / name) << text; }
};

}  // namespace

TEST_CASE("service: cron does not fire on a postgres line (SigmaHQ's Modifying Crontab)") {
  auto rs = with_logsource("{ product: linux, service: cron }");
  CHECK(fires(rs, "r", line("CRON", "(root) REPLACE (root)")));
  CHECK(fires(rs, "r", line("crontab", "(alice) REPLACE (alice)")));
  CHECK_FALSE(fires(rs, "r", line("postgres", "LOG:  statement: REPLACE INTO t VALUES (1)")));
  // The same rule without a logsource sees every event: the filter is what makes the difference.
  auto any = load("title: t\nid: r\ndetection:\n  keywords: ['REPLACE']\n  condition: keywords\n");
  CHECK(fires(any, "r", line("postgres", "LOG:  statement: REPLACE INTO t VALUES (1)")));
}

TEST_CASE("a mapped service fires on its program, and only there") {
  auto rs = with_logsource("{ product: linux, service: sshd }", "Failed password");
  CHECK(fires(rs, "r", line("sshd", "Failed password for root from 192.0.2.1 port 22 ssh2")));
  CHECK(fires(rs, "r", line("sshd-session", "Failed password for root from 192.0.2.1 port 22 ssh2")));
  CHECK_FALSE(fires(rs, "r", line("dovecot", "Failed password for root")));
  // Names are case-insensitive, in the rule as in the mapping.
  CHECK(fires(with_logsource("{ product: Linux, service: SSHD }", "Failed password"), "r",
              line("sshd", "Failed password for root")));
}

TEST_CASE("product: windows does not fire on a syslog line; product: linux does not fire on a Windows event") {
  auto win = with_logsource("{ product: windows }", "mimikatz");
  CHECK(fires(win, "r", windows("Security", "4688", "mimikatz.exe")));
  CHECK(fires(win, "r", event({{"event.module", "windows"}, {"message", "mimikatz"}})));
  CHECK_FALSE(fires(win, "r", line("sshd", "mimikatz")));
  auto lin = with_logsource("{ product: linux }", "mimikatz");
  CHECK(fires(lin, "r", line("bash", "mimikatz")));
  CHECK_FALSE(fires(lin, "r", windows("Security", "4688", "mimikatz.exe")));
  // Sysmon for Linux names its fields as Sysmon does, in a channel of its own: a Linux event.
  CHECK(fires(lin, "r", windows("Linux-Sysmon/Operational", "1", "mimikatz")));
  CHECK_FALSE(fires(win, "r", windows("Linux-Sysmon/Operational", "1", "mimikatz")));
}

TEST_CASE("category: process_creation is Sysmon 1 or Security 4688; product and category are ANDed") {
  auto rs = with_logsource("{ product: windows, category: process_creation }", "whoami");
  CHECK(fires(rs, "r", windows("Microsoft-Windows-Sysmon/Operational", "1", "whoami /all")));
  CHECK(fires(rs, "r", windows("Security", "4688", "whoami /all")));
  CHECK_FALSE(fires(rs, "r", windows("System", "1", "whoami /all")));
  CHECK_FALSE(fires(rs, "r", windows("Microsoft-Windows-Sysmon/Operational", "3", "whoami /all")));
  auto lin = with_logsource("{ product: linux, category: process_creation }", "whoami");
  CHECK(fires(lin, "r", windows("Linux-Sysmon/Operational", "1", "whoami")));
  CHECK_FALSE(fires(lin, "r", windows("Microsoft-Windows-Sysmon/Operational", "1", "whoami")));
  // A Windows service is a channel.
  auto sec = with_logsource("{ product: windows, service: security }", "whoami");
  CHECK(fires(sec, "r", windows("Security", "4688", "whoami")));
  CHECK_FALSE(fires(sec, "r", windows("System", "7045", "whoami")));
}

TEST_CASE("a logsource that maps to nothing skips the rule, with the reason") {
  auto s = skips_of(
      "title: t\nid: r\nlogsource:\n  product: linux\n  service: nope\ndetection:\n  k: [x]\n"
      "  condition: k\n");
  REQUIRE(s.size() == 1);
  CHECK(s[0] == "bad.yml:5: logsource service 'nope' maps to nothing in the built-in rules/logsources.yml");
  // A rule without logsource, or with only unmapped metadata keys (definition), is not filtered.
  CHECK(skips_of("title: t\nid: r\nlogsource: { definition: 'auditd rules' }\ndetection:\n  k: [x]\n"
                 "  condition: k\n")
            .empty());
}

TEST_CASE("a logsources.yml beside the rules replaces the built-in mapping") {
  TempDir dir;
  dir.write("logsources.yml", "service:\n  pgsql: { process.name: postgres }\n");
  dir.write("r.yml",
            "title: t\nid: r\nlogsource: { service: pgsql }\ndetection:\n  k: ['REPLACE']\n  condition: k\n---\n"
            "title: t2\nid: r2\nlogsource: { service: cron }\ndetection:\n  k: ['REPLACE']\n  condition: k\n");
  auto rs = load_rules({dir.path}, config::Detection{});
  REQUIRE(rs);
  CHECK((*rs)->logsource_file() == (dir.path / "logsources.yml").string());
  CHECK(fires(*rs, "r", line("postgres", "REPLACE INTO t")));
  CHECK_FALSE(fires(*rs, "r", line("CRON", "REPLACE")));
  // cron is not in this mapping: r2 is skipped, naming the mapping file.
  REQUIRE((*rs)->skipped().size() == 1);
  CHECK((*rs)->skipped()[0].what ==
        "logsource service 'cron' maps to nothing in " + (dir.path / "logsources.yml").string());
}

TEST_CASE("a broken mapping is an error at its line, even for an entry no rule uses; two mappings are an error") {
  TempDir dir;
  dir.write("logsources.yml", "service:\n  a: { process.name: a }\n  b: { process.name|sounds_like: b }\n");
  dir.write("r.yml", "title: t\nid: r\ndetection:\n  k: ['x']\n  condition: k\n");
  auto rs = load_rules({dir.path}, config::Detection{});
  REQUIRE_FALSE(rs);
  REQUIRE(rs.error().size() == 1);
  CHECK(rs.error()[0].where == (dir.path / "logsources.yml").string() + ":3");
  CHECK(rs.error()[0].what.find("unknown modifier 'sounds_like'") != std::string::npos);

  dir.write("logsources.yml", "colour: {}\n");
  rs = load_rules({dir.path}, config::Detection{});
  REQUIRE_FALSE(rs);
  CHECK(rs.error()[0].what.find("unknown key 'colour'") != std::string::npos);

  dir.write("logsources.yml", "service:\n  a: { process.name: a }\n");
  std::filesystem::create_directories(dir.path / "sub");
  dir.write("sub/logsources.yml", "service:\n  b: { process.name: b }\n");
  rs = load_rules({dir.path}, config::Detection{});
  REQUIRE_FALSE(rs);
  CHECK(rs.error()[0].what.find("at most one") != std::string::npos);
}

TEST_CASE("the built-in mapping compiles, and its predicates stay out of the sets unless a rule uses them") {
  auto plain = load("title: t\nid: r\ndetection:\n  k: ['x']\n  condition: k\n");
  CHECK(plain->atom_count() == 1);
  CHECK(plain->logsource_file() == "the built-in rules/logsources.yml");
}
