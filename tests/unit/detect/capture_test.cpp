// Decoder captures: the leftmost match found from the required lead, and PCRE2's JIT answering
// for RE2 (detect/capture.hpp) — both must give exactly what RE2's own unanchored capturing
// match gives, on the shipped decoders and on texts made to trip them.
#include <filesystem>
#include <fstream>
#include <random>

#include "detect/capture.hpp"
#include "detect/pattern.hpp"
#include "helpers.hpp"

using namespace vigie;
using namespace vigie::detect;

namespace {

// RE2's unanchored capturing match against CaptureScratch::leftmost, with and without a twin.
// Returns how many texts the pattern matched.
int compare(const RE2& re, const std::vector<std::string>& texts, bool want_twin) {
  CaptureScratch scratch;
  const auto twin = PcreTwin::build(re);
  if (want_twin) CHECK(twin != nullptr);
  const std::string lead = required_lead(re);
  const int n = re.NumberOfCapturingGroups() + 1;
  int matched = 0;
  for (const auto& raw : texts) {
    std::string repaired;  // the matcher captures from valid UTF-8 only, as here
    const std::string t(matchable(raw, repaired));
    CAPTURE(re.pattern());
    CAPTURE(t);
    std::vector<re2::StringPiece> want(static_cast<std::size_t>(n));
    const bool w = re.Match(t, 0, t.size(), RE2::UNANCHORED, want.data(), n);
    matched += w ? 1 : 0;
    for (const PcreTwin* tw : {static_cast<const PcreTwin*>(nullptr), static_cast<const PcreTwin*>(twin.get())}) {
      std::vector<re2::StringPiece> got(static_cast<std::size_t>(n));
      REQUIRE(scratch.leftmost(re, tw, lead, t, got.data(), n) == w);
      if (w)
        for (std::size_t i = 0; i < got.size(); ++i) {
          CHECK(want[i].data() == got[i].data());
          CHECK(want[i].size() == got[i].size());
        }
      if (!starts_anchored(re.pattern())) continue;
      // The matcher asks a pattern anchored at the start for a match there only.
      std::vector<re2::StringPiece> at0(static_cast<std::size_t>(n));
      REQUIRE(scratch.match_at(re, tw, t, 0, at0.data(), n) == w);
      if (w)
        for (std::size_t i = 0; i < at0.size(); ++i) {
          CHECK(want[i].data() == at0[i].data());
          CHECK(want[i].size() == at0[i].size());
        }
    }
  }
  return matched;
}

std::vector<std::string> shipped_decoder_patterns() {
  std::vector<std::string> out;
  for (const auto& f :
       std::filesystem::directory_iterator(std::filesystem::path(VIGIE_SOURCE_DIR) / "rules/decoders")) {
    std::ifstream in(f.path());
    std::string line;
    while (std::getline(in, line)) {
      const auto at = line.find("- regex: '");
      if (at == std::string::npos) continue;
      std::string re = line.substr(at + 10, line.rfind('\'') - at - 10);
      for (std::size_t i = re.find("''"); i != std::string::npos; i = re.find("''", i + 1)) re.erase(i, 1);
      out.push_back(re);
    }
  }
  return out;
}

// The messages of the shipped rule test logs (after "prog[pid]: "), then each with a few bytes
// changed: spaces become tabs or vertical tabs, a quote or parenthesis is inserted, the end is cut.
std::vector<std::string> shipped_messages() {
  std::vector<std::string> out;
  for (const auto& f : std::filesystem::directory_iterator(std::filesystem::path(VIGIE_SOURCE_DIR) / "rules/tests")) {
    if (f.path().extension() != ".log") continue;
    std::ifstream in(f.path());
    std::string line;
    while (std::getline(in, line)) {
      const auto at = line.find("]: ");
      if (at != std::string::npos) out.push_back(line.substr(at + 3));
    }
  }
  std::mt19937 rng(7);
  const std::size_t base = out.size();
  const std::string odd[] = {"\t", "\v", "'", "(", ")", " from ", " port 1", "\xc3\xa9", ""};
  for (std::size_t i = 0; i < base; ++i)
    for (const auto& o : odd) {
      std::string m = out[i];
      if (m.empty()) continue;
      const std::size_t pos = std::uniform_int_distribution<std::size_t>(0, m.size() - 1)(rng);
      if (o.empty())
        m.resize(pos);
      else if (m[pos] == ' ')
        m.replace(pos, 1, o);
      else
        m.insert(pos, o);
      out.push_back(m);
    }
  return out;
}

}  // namespace

TEST_CASE("required_lead: the literal every match starts with, or none") {
  const auto lead = [](const char* re) { return required_lead(RE2(re)); };
  CHECK(lead("(?P<module>pam_[a-z0-9_]+)\\(") == "pam_");
  CHECK(lead("Failed password for (?P<user>\\S+)") == "Failed password for ");
  CHECK(lead("^Accepted (?P<m>\\S+)") == "Accepted ");
  CHECK(lead("(?i)failed").empty());  // F or f: no single literal
  CHECK(lead("\\s*user").empty());    // may start with a space or with u
  CHECK(lead("(?:abc|abd)x") == "ab");
  CHECK(lead("a*b").empty());  // "b" alone matches
  CHECK(lead("").empty());
  CHECK(lead("élan (\\d+)") == "élan ");
}

TEST_CASE("starts_anchored: every match starts at the start of the text") {
  CHECK(starts_anchored("^Failed (?P<m>\\S+)"));
  CHECK(starts_anchored("^(?:a|b)c"));
  CHECK(starts_anchored("^[|(]x"));  // `|` and `(` inside a class
  CHECK(starts_anchored("^\\|x"));   // an escaped `|`
  CHECK(starts_anchored("^[]|]x"));  // `]` first in a class is a member
  CHECK(starts_anchored("^[[:alpha:]|]x"));
  CHECK_FALSE(starts_anchored("^a|b"));  // the second branch matches anywhere
  CHECK_FALSE(starts_anchored("(?:^|: )Host"));
  CHECK_FALSE(starts_anchored("(?m)^a"));
  CHECK_FALSE(starts_anchored("^(?m:a)"));
  CHECK_FALSE(starts_anchored("a^"));
  CHECK_FALSE(starts_anchored(""));
  CHECK_FALSE(starts_anchored("^[abc"));  // unterminated: unsure
}

TEST_CASE("decoder_scan_entry: a cheap necessary condition of the pattern, never narrower") {
  const auto entry = [](const char* re) { return decoder_scan_entry(RE2(re)); };
  CHECK(entry("^Failed (?P<m>\\S+) for (?P<u>.*) from") == "^Failed\\ ");  // anchored lead
  CHECK(entry("(?P<module>pam_[a-z0-9_]+)\\(") == "pam_");                 // unanchored lead
  CHECK(entry("^- (?P<tty>\\S+)") == "^\\-\\ ");                           // short, but anchored: still cheap
  // No lead: the longest literal FilteredRE2 finds the pattern cannot match without,
  // case-insensitively; a short one ("): ") would let most lines through.
  CHECK(entry("^\\s*(?P<user>\\S+) : TTY=\\S+ ; PWD=(?P<pwd>.*?) ; USER=") == "(?i:\\ \\;\\ user\\=)");
  CHECK(entry("^(?:\\[\\s*\\d+\\.\\d+\\] )?audit: type=1100 audit\\((?P<t>\\d+\\.\\d+):(?P<s>\\d+)\\): ") ==
        "(?i:audit\\:\\ type\\=1100\\ audit\\()");
  // When no single literal is required, any of them.
  const std::string either = entry("(?:alpha (?P<a>\\d+)|beta (?P<b>\\d+))");
  CHECK(either.rfind("(?i:", 0) == 0);
  CHECK(either.find("alpha") != std::string::npos);
  CHECK(either.find("beta") != std::string::npos);
  CHECK(entry("\\d+") == "\\d+");       // nothing required: the pattern itself
  CHECK(entry("^abc|abcd") != "^abc");  // not anchored: the second branch matches anywhere
  // Whatever the pattern matches, its entry matches too (on the shipped rule test lines).
  const auto texts = shipped_messages();
  for (const auto& p : shipped_decoder_patterns()) {
    const RE2 re(p), wide(decoder_scan_entry(re));
    REQUIRE(wide.ok());
    for (const auto& t : texts)
      if (RE2::PartialMatch(t, re)) CHECK(RE2::PartialMatch(t, wide));
  }
}

TEST_CASE("leftmost captures equal RE2's unanchored match, whatever the text") {
  const std::vector<std::string> patterns = {
      "(?P<module>pam_[a-z0-9_]+)\\((?P<service>[^:()\\s]+):auth\\): user (?P<user>\\S+)",
      "ab(?P<x>c|cd)(?P<y>d?)e",
      "xx(?P<n>\\d+)$",
      "^pam_(?P<m>\\w+)",
      "\\bfor (?P<u>\\w+)",
  };
  const std::vector<std::string> texts = {
      "pam_unix(sshd:auth): user root",
      "x pam_ pam_x( pam_unix(sshd:auth): user bob and pam_sss(su:auth): user eve",
      "pam_pam_pam_pam_pam_pam_pam_pam_unix(a:auth): user late",  // past the tries: unanchored
      "abce abcde abcdde",
      "xx1 xx22 xx333",
      "xx1 xx22 xx333 ",
      "pam_first pam_second",
      " pam_not_at_start",
      "afor x for y",
      "",
  };
  for (const auto& p : patterns) {
    const RE2 re(p);
    REQUIRE(re.ok());
    CHECK_FALSE(required_lead(re).empty());
    CHECK(compare(re, texts, true) > 0);
  }
}

TEST_CASE("PCRE2 twins: what PCRE2 would read differently is translated or refused") {
  CHECK(PcreTwin::translate("a\\sb") == "a[\\t\\n\\f\\r ]b");  // no vertical tab, as in RE2
  CHECK(PcreTwin::translate("[^:()\\s]+") == "[^:()\\t\\n\\f\\r ]+");
  CHECK(PcreTwin::translate("(?P<u>\\S+)") == "(?P<u>[^\\t\\n\\f\\r ]+)");
  CHECK(PcreTwin::translate("[]\\s]") == "[]\\t\\n\\f\\r ]");
  CHECK(PcreTwin::translate("[[:alpha:]\\s]") == "[[:alpha:]\\t\\n\\f\\r ]");
  CHECK(PcreTwin::translate("a\\Cb").empty());
  CHECK(PcreTwin::translate("\\pL+").empty());
  CHECK(PcreTwin::translate("[\\S]").empty());
  CHECK(PcreTwin::translate("\\x{e9}").empty());
  CHECK(PcreTwin::translate("élan").empty());
  CHECK(PcreTwin::build(RE2("(?P<a>x)(y)")) != nullptr);
  CHECK(PcreTwin::build(RE2("a\\Cb")) == nullptr);
  RE2::Options latin1;
  latin1.set_encoding(RE2::Options::EncodingLatin1);
  CHECK(PcreTwin::build(RE2("abc", latin1)) == nullptr);
}

TEST_CASE("PCRE2 twins give RE2's captures for every shipped decoder pattern on real and altered lines") {
  const auto patterns = shipped_decoder_patterns();
  REQUIRE(patterns.size() >= 30);
  const auto texts = shipped_messages();
  REQUIRE(texts.size() > 1000);
  int twins = 0, matched = 0;
  for (const auto& p : patterns) {
    const RE2 re(p);
    REQUIRE(re.ok());
    const bool has_twin = PcreTwin::build(re) != nullptr;
    twins += has_twin ? 1 : 0;
    matched += compare(re, texts, has_twin);
  }
  CHECK(twins == static_cast<int>(patterns.size()));  // every shipped pattern gets the fast path
  CHECK(matched > 500);
}
