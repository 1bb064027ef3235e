// parse_affected, same_product and match_exposure (software.hpp): advisories' version
// statements, in CERT-FR's French wordings and the English of CVE texts.
//
// A statement is read as words: the product is what precedes the first word that starts the
// version part; the rest is read left to right, each bound wording filling a side:
//
//   "antérieures [ou égales] à V", "before V", "prior to V", "through V"      upper bound
//   "postérieures [ou égales] à V", "from V", "after V"                       lower bound
//   "V1 à V2", "V1 to V2", "V1 through V2"                                    both, inclusive
//   "V et antérieures", "V and earlier" / "V and later"                       one side, inclusive
//   "2.4.x"                                                                   a branch
//   "toutes versions", "all versions"                                         every version
//   "sans …", "without …"                                                     a patch: ends the reading
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <vector>

#include "intel/software.hpp"

namespace vigie::intel {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool one_of(std::string_view w, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), w) != set.end();
}

struct Word {
  std::string_view text;  // as written, surrounding punctuation removed
  std::string low;
  std::size_t at = 0;  // where the word starts in the description
};

// Blanks, commas and semicolons separate words; no-break spaces too (U+00A0, U+202F: French
// typography puts them before "à" and inside numbers).
std::vector<Word> words_of(std::string_view s) {
  std::vector<Word> out;
  std::size_t i = 0;
  const auto blank = [&](std::size_t k) -> std::size_t {
    const char c = s[k];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ';') return 1;
    if (s.substr(k, 2) == "\xc2\xa0") return 2;
    if (s.substr(k, 3) == "\xe2\x80\xaf") return 3;
    return 0;
  };
  while (i < s.size()) {
    if (const std::size_t b = blank(i); b > 0) {
      i += b;
      continue;
    }
    std::size_t end = i;
    while (end < s.size() && blank(end) == 0) ++end;
    std::string_view w = s.substr(i, end - i);
    while (!w.empty() && (w.front() == '(' || w.front() == '"')) w.remove_prefix(1);
    while (!w.empty() && (w.back() == '.' || w.back() == ':' || w.back() == ')' || w.back() == '"')) w.remove_suffix(1);
    if (!w.empty()) out.push_back({w, lower(w), i});
    i = end;
  }
  return out;
}

// A version as advisories write one: a digit first, then letters, digits, ". + - ~ _".
bool is_version(std::string_view w) {
  if (w.empty() || !is_digit(w.front())) return false;
  return std::all_of(w.begin(), w.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '+' || c == '-' || c == '~' || c == '_';
  });
}

// "2.4.x" → "2.4"; "" when `w` is no branch.
std::string_view branch_of(std::string_view w) {
  if (w.size() < 3 || !is_version(w) || (w.substr(w.size() - 2) != ".x" && w.substr(w.size() - 2) != ".X")) return {};
  return w.substr(0, w.size() - 2);
}

// The first release after the line `v` names: "3.3" → "3.4" (the digits of its last component
// plus one); "" when its last component has no digits. "antérieures à 3.3 Patch 7" is any 3.3
// before its 7th patch: below 3.4, and a patch a banner cannot show.
std::string successor(std::string_view v) {
  const std::string_view numeric = v.substr(0, v.find_first_not_of("0123456789."));
  const auto dot = numeric.rfind('.');
  const std::string_view last = dot == std::string_view::npos ? numeric : numeric.substr(dot + 1);
  uint64_t n = 0;
  if (last.empty() || std::from_chars(last.data(), last.data() + last.size(), n).ec != std::errc{}) return {};
  return std::string(numeric.substr(0, dot == std::string_view::npos ? 0 : dot + 1)) + std::to_string(n + 1);
}

// "version", "versions", and CERT-FR's occasional typo "sversions" (one stray letter).
bool is_versions_word(std::string_view w) {
  return (w.ends_with("versions") && w.size() <= 9) || (w.ends_with("version") && w.size() <= 8);
}

enum class Side : uint8_t { none, upper, lower };
struct BoundWord {
  Side side = Side::none;
  bool inclusive = false;
};

BoundWord bound_word(std::string_view w) {
  if (one_of(w, {"antérieures", "antérieure", "anterieures", "inférieures", "inférieure", "inferieures", "before",
                 "prior", "earlier", "older", "below", "lower", "<"}))
    return {Side::upper, false};
  if (one_of(w, {"through", "thru", "up", "until", "<="})) return {Side::upper, true};
  if (one_of(w, {"postérieures", "postérieure", "posterieures", "supérieures", "supérieure", "superieures",
                 "ultérieures", "after", "later", "newer", "above", "higher", ">"}))
    return {Side::lower, false};
  if (one_of(w, {"from", "since", ">="})) return {Side::lower, true};
  return {};
}

// Words between a bound word and its version: "ou égales à", "to", "than", "and including".
bool filler(std::string_view w, bool& inclusive) {
  if (one_of(w, {"égales", "égale", "egales", "egale", "including", "equal"})) {
    inclusive = true;
    return true;
  }
  return one_of(w, {"ou", "or", "à", "a", "au", "to", "than", "and"});
}

// Between two versions, a span: "8.5p1 à 9.7p1", "2.4.0 through 2.4.58".
bool connective(std::string_view w) { return one_of(w, {"à", "to", "through", "thru", "-", "jusqu'à", "jusqu’à"}); }

bool patch_word(std::string_view w) { return one_of(w, {"patch", "update", "hotfix", "correctif"}); }
bool and_word(std::string_view w) { return one_of(w, {"et", "and", "ou", "or"}); }

// Where the version part starts; `back` is set when the word before (a version: "2.4.0 through
// 2.4.58", "9.7p1 and earlier") belongs to it.
std::size_t start_of(const std::vector<Word>& w) {
  const auto version_after = [&](std::size_t i) {
    bool incl = false;
    for (std::size_t k = i + 1; k < w.size() && k <= i + 4; ++k) {
      if (is_version(w[k].text)) return true;
      if (!filler(w[k].low, incl)) return false;
    }
    return false;
  };
  for (std::size_t i = 0; i < w.size(); ++i) {
    const std::string& l = w[i].low;
    if (is_versions_word(l) || l == "sans" || l == "without") return i;
    if ((l == "toutes" || l == "all") && i + 1 < w.size() && (w[i + 1].low == "versions" || w[i + 1].low == "les"))
      return i;
    const bool bound = bound_word(l).side != Side::none;
    const bool span =
        connective(l) && i > 0 && is_version(w[i - 1].text) && i + 1 < w.size() && is_version(w[i + 1].text);
    if (span || (bound && version_after(i))) return i > 0 && is_version(w[i - 1].text) ? i - 1 : i;
    // "9.7p1 and earlier", "8.0 et antérieures": a version, "and", a bound word with none after.
    if (bound && i >= 2 && and_word(w[i - 1].low) && is_version(w[i - 2].text)) return i - 2;
    if (l.starts_with("antérieure") || l.starts_with("postérieure")) return i;  // "sversions antérieures"
  }
  return w.size();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == ',' || s.front() == ':')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == ',' || s.back() == ':' || s.back() == '-')) s.remove_suffix(1);
  return s;
}

// Letters and digits only, lower case: "Apache HTTP Server" → "apachehttpserver".
std::string squash(std::string_view s) {
  std::string out;
  for (const char c : s)
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) out.push_back(static_cast<char>(std::tolower(c)));
  return out;
}

// Names of one product, squashed; the first is the group's key.
constexpr std::array<std::array<std::string_view, 6>, 14> kAliases = {{
    {"openssh", "opensshserver", "opensshclient", "opensshsftpserver", "openbsdopenssh", "opensshportable"},
    {"apachehttpserver", "apache", "apachehttpd", "httpd", "apache2", "apachesoftwarefoundationhttpserver"},
    {"microsoftiis", "iis", "internetinformationservices", "microsoftinternetinformationservices", "", ""},
    {"fortios", "fortigate", "fortinetfortigate", "fortinetfortios", "", ""},
    {"panos", "paloaltopanos", "paloaltonetworkspanos", "", "", ""},
    {"stormshieldsns", "stormshieldnetworksecurity", "", "", "", ""},
    {"openssl", "libssl3", "libssl", "", "", ""},
    {"sophosfirewall", "sophosxgfirewall", "sophosxg", "", "", ""},
    {"nginx", "nginxopensource", "f5nginx", "f5nginxopensource", "", ""},
    {"apachetomcat", "tomcat", "", "", "", ""},
    {"dropbearssh", "dropbear", "dropbearsshserver", "", "", ""},
    {"ciscoasa", "asa", "adaptivesecurityappliance", "ciscoadaptivesecurityappliance", "", ""},
    {"ciscoios", "ios", "", "", "", ""},
    {"sonicos", "sonicwall", "sonicwallsonicos", "", "", ""},
}};

std::string product_key(std::string_view name) {
  std::string s = squash(name);
  for (const auto& group : kAliases)
    for (const auto alias : group)
      if (!alias.empty() && s == alias) return std::string(group[0]);
  return s;
}

// Whether `version` is of the line `branch` ("2.4.41" of "2.4", "9.8p1" of "9", "1.0.2k" of
// "1.0.2"): its first components' digits are the branch's, a missing one 0 ("2" is of "2.0").
// By components rather than against the next release, so that "2.5.0-rc1" is not of "2.4".
std::optional<bool> in_branch(std::string_view version, std::string_view branch) {
  const auto number = [](std::string_view& s, bool whole) -> std::optional<uint64_t> {
    const std::string_view part = s.substr(0, s.find('.'));
    s = part.size() < s.size() ? s.substr(part.size() + 1) : std::string_view();
    uint64_t n = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
    if (ec != std::errc{} || (whole && end != part.data() + part.size())) return std::nullopt;
    return n;
  };
  if (branch.empty() || version.empty() || !is_digit(version.front())) return std::nullopt;
  bool same = true;
  while (!branch.empty()) {
    const auto b = number(branch, true);
    if (!b) return std::nullopt;
    std::optional<uint64_t> v = uint64_t{0};
    if (!version.empty()) v = number(version, false);
    if (!v) return std::nullopt;
    same = same && *v == *b;
  }
  return same;
}

}  // namespace

std::optional<AffectedRange> parse_affected(std::string_view description, std::string_view product_hint) {
  const std::vector<Word> w = words_of(description);
  const std::size_t start = start_of(w);
  if (start == w.size()) return std::nullopt;
  AffectedRange r;
  r.product = std::string(trim(description.substr(0, w[start].at)));
  if (r.product.empty() && product_hint != "N/A") r.product = std::string(trim(product_hint));
  if (r.product.empty()) return std::nullopt;  // a range of nothing concerns nothing

  std::vector<std::string_view> lone, branches;  // versions standing alone, "2.4.x" lines
  std::string upper_written;                     // the upper bound as written, before "Patch N" moved it
  // Sets one side from the version at w[j]; a patch level after it ("3.3 Patch 7") widens an
  // upper bound to the line and marks the patch.
  const auto set_bound = [&](Side side, bool inclusive, std::size_t j) {
    const bool patch = j + 1 < w.size() && patch_word(w[j + 1].low);
    if (side == Side::upper) {
      upper_written = std::string(w[j].text);
      r.upper = upper_written, r.upper_inclusive = inclusive;
      if (patch && !successor(upper_written).empty()) r.upper = successor(upper_written), r.upper_inclusive = false;
    } else {
      r.lower = std::string(w[j].text), r.lower_inclusive = inclusive || patch;
    }
    r.needs_patch = r.needs_patch || patch;
  };
  for (std::size_t i = start; i < w.size(); ++i) {
    const std::string& l = w[i].low;
    if (l == "sans" || l == "without") {  // what follows names the fix, not versions
      r.needs_patch = true;
      break;
    }
    if ((l == "toutes" || l == "all") && i + 1 < w.size() && (w[i + 1].low == "versions" || w[i + 1].low == "les")) {
      r.all_versions = true;
      continue;
    }
    const bool next_version = i + 1 < w.size() && is_version(w[i + 1].text);
    if (connective(l) && next_version && (!lone.empty() || (!r.lower.empty() && r.upper.empty()))) {
      if (!lone.empty()) r.lower = std::string(lone.back()), r.lower_inclusive = true, lone.pop_back();
      set_bound(Side::upper, true, ++i);
      continue;
    }
    if (const BoundWord b = bound_word(l); b.side != Side::none) {
      bool inclusive = b.inclusive;
      std::size_t j = i + 1;
      while (j < w.size() && !is_version(w[j].text) && filler(w[j].low, inclusive)) ++j;
      if (j < w.size() && is_version(w[j].text) && branch_of(w[j].text).empty()) {
        set_bound(b.side, inclusive, j);
        i = j;
      } else if (!lone.empty()) {  // "9.7p1 and earlier": the version before, included
        (b.side == Side::upper ? r.upper : r.lower) = std::string(lone.back());
        if (b.side == Side::upper) upper_written = r.upper, r.upper_inclusive = true;
        lone.pop_back();
      }
      continue;
    }
    if (const auto br = branch_of(w[i].text); !br.empty())
      branches.push_back(br);
    else if (is_version(w[i].text))
      lone.push_back(w[i].text);
  }

  // Several lines ("7.0.x, 7.2.x et 7.4.x"): one range cannot list them; it spans them instead,
  // from the first to the last, erring towards a host to check rather than a host missed.
  if (branches.size() == 1) {
    r.branch = std::string(branches[0]);
  } else if (branches.size() > 1) {
    const auto by_version = [](std::string_view a, std::string_view b) {
      return compare_versions(a, b, VersionScheme::dotted).value_or(0) < 0;
    };
    const auto [lo, hi] = std::minmax_element(branches.begin(), branches.end(), by_version);
    if (r.lower.empty()) r.lower = std::string(*lo), r.lower_inclusive = true;
    if (r.upper.empty() && !successor(*hi).empty()) r.upper = successor(*hi), r.upper_inclusive = false;
  }
  // Versions standing alone: one is that version, or the line a bound lies in ("versions 3.3
  // antérieures à 3.3 Patch 7", "versions 7.2 antérieures à 7.2.6"); a list spans, as above.
  if (!lone.empty()) {
    const bool bounded = !r.lower.empty() || !r.upper.empty();
    const std::string_view v = lone.front();
    const auto of_line = [&](std::string_view bound) {
      return bound == v || (bound.starts_with(v) && bound.size() > v.size() && bound[v.size()] == '.');
    };
    if (!bounded) {
      r.lower = std::string(v), r.upper = std::string(lone.back());
      r.lower_inclusive = r.upper_inclusive = true;
    } else if (r.branch.empty() && (of_line(upper_written) || of_line(r.lower))) {
      r.branch = std::string(v);
    } else if (r.lower.empty()) {
      r.lower = std::string(v), r.lower_inclusive = true;
    }
  }
  const bool bounded = !r.lower.empty() || !r.upper.empty() || !r.branch.empty();
  if (bounded) r.all_versions = false;  // "toutes les versions antérieures à 3.2": the bound says which
  if (!bounded && !r.all_versions && !r.needs_patch) return std::nullopt;
  return r;
}

bool same_product(std::string_view a, std::string_view b) {
  const std::string x = product_key(a), y = product_key(b);
  return !x.empty() && x == y;
}

ExposureVerdict match_exposure(const Software& sw, const AffectedRange& range) {
  if (!same_product(sw.product, range.product)) return {Exposure::not_affected, {}};
  static constexpr std::string_view kNoVersion = "version non déterminée";
  static constexpr std::string_view kPatch = "correctif non visible dans la bannière";
  // A statement without bounds concerns every version: whichever this is, and whatever its
  // distribution did.
  if (range.lower.empty() && range.upper.empty() && range.branch.empty()) {
    if (range.needs_patch) return {Exposure::undetermined, std::string(kPatch)};
    if (range.all_versions) return {Exposure::affected, {}};
  }
  if (sw.version.empty()) return {Exposure::undetermined, std::string(kNoVersion)};
  if (!range.branch.empty()) {
    const auto in = in_branch(sw.version, range.branch);
    if (!in) return {Exposure::undetermined, std::string(kNoVersion)};
    if (!*in) return {Exposure::not_affected, {}};
  }
  if (!range.lower.empty()) {
    const auto c = compare_versions(sw.version, range.lower, sw.scheme);
    if (!c) return {Exposure::undetermined, std::string(kNoVersion)};
    if (*c < 0 || (*c == 0 && !range.lower_inclusive)) return {Exposure::not_affected, {}};
  }
  if (!range.upper.empty()) {
    const auto c = compare_versions(sw.version, range.upper, sw.scheme);
    if (!c) return {Exposure::undetermined, std::string(kNoVersion)};
    if (*c > 0 || (*c == 0 && !range.upper_inclusive)) return {Exposure::not_affected, {}};
  }
  if (range.needs_patch) return {Exposure::undetermined, std::string(kPatch)};
  // Debian, Ubuntu, Red Hat… backport fixes and keep the upstream version: in range upstream,
  // perhaps fixed in the package.
  if (!sw.distro.empty()) {
    const std::string name = sw.distro.substr(0, sw.distro.find('-'));
    return {Exposure::undetermined, "paquet " + name + " : correctifs rétroportés possibles"};
  }
  return {Exposure::affected, {}};
}

}  // namespace vigie::intel
