// parse_affected, same_product and match_exposure (software.hpp): advisories' version
// statements, in CERT-FR's French wordings and the English of CVE texts.
#include <algorithm>
#include <array>
#include <cctype>
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

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == ',' || s.front() == ':')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == ',' || s.back() == ':' || s.back() == '.')) s.remove_suffix(1);
  return s;
}

// The version that starts at `text` (after blanks): digits, dots, letters, '+', '-', '~';
// "6.1.0.4 GA" gives "6.1.0.4". "" when no digit starts it.
std::string version_at(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  if (text.empty() || !is_digit(text.front())) return {};
  std::size_t n = 0;
  while (n < text.size() && (std::isalnum(static_cast<unsigned char>(text[n])) != 0 || text[n] == '.' ||
                             text[n] == '+' || text[n] == '-' || text[n] == '~'))
    ++n;
  std::string v(text.substr(0, n));
  while (!v.empty() && (v.back() == '.' || v.back() == '-')) v.pop_back();
  return v;
}

// Letters and digits only, lower case: "Apache HTTP Server" → "apachehttpserver".
std::string squash(std::string_view s) {
  std::string out;
  for (const char c : s)
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) out.push_back(static_cast<char>(std::tolower(c)));
  return out;
}

// Names of one product, squashed; the first is the group's key.
constexpr std::array<std::array<std::string_view, 6>, 8> kAliases = {{
    {"openssh", "opensshserver", "opensshclient", "opensshsftpserver", "openbsdopenssh", ""},
    {"apachehttpserver", "apache", "apachehttpd", "httpd", "apache2", "apachesoftwarefoundationhttpserver"},
    {"microsoftiis", "iis", "internetinformationservices", "microsoftinternetinformationservices", "", ""},
    {"fortios", "fortigate", "fortinetfortigate", "fortinetfortios", "", ""},
    {"panos", "paloaltopanos", "paloaltonetworkspanos", "", "", ""},
    {"stormshieldsns", "stormshieldnetworksecurity", "sns", "", "", ""},
    {"openssl", "libssl3", "libssl", "", "", ""},
    {"sophosfirewall", "sophosxgfirewall", "sophosxg", "", "", ""},
}};

std::string product_key(std::string_view name) {
  std::string s = squash(name);
  for (const auto& group : kAliases)
    for (const auto alias : group)
      if (!alias.empty() && s == alias) return std::string(group[0]);
  return s;
}

// Where the version words start: what precedes is the product.
constexpr std::array<std::string_view, 9> kStarts = {" versions ", " version ", " toutes ", " sans ", " before ",
                                                     " prior to ", " through ", " up to ",  " from "};

}  // namespace

std::optional<AffectedRange> parse_affected(std::string_view description, std::string_view product_hint) {
  // Both padded with a blank, so that words match at the ends and offsets agree (lower() keeps
  // every byte's place).
  const std::string original = " " + std::string(description) + " ";
  const std::string text = lower(original);
  AffectedRange r;
  std::size_t start = std::string::npos;
  for (const auto word : kStarts) start = std::min(start, text.find(word));
  if (start == std::string::npos) return std::nullopt;
  r.product = std::string(trim(std::string_view(original).substr(0, start)));
  if (r.product.empty() && product_hint != "N/A") r.product = std::string(product_hint);
  const std::string_view rest = std::string_view(text).substr(start);
  const std::string_view cased = std::string_view(original).substr(start);
  const auto after = [&](std::string_view words) -> std::string {
    const auto at = rest.find(words);
    if (at == std::string_view::npos) return {};
    return version_at(cased.substr(at + words.size()));
  };
  const auto has = [&](std::string_view words) { return rest.find(words) != std::string_view::npos; };

  if (has(" toutes versions") || has(" toutes les versions") || has(" all versions")) r.all_versions = true;
  if (has(" sans le correctif") || has(" sans les correctifs") || has(" sans le dernier correctif") ||
      has(" sans les derniers correctifs") || has(" without the patch") || has(" without the fix"))
    r.needs_patch = true;

  if (auto v = after(" postérieures ou égales à "); !v.empty()) r.lower = v;
  if (auto v = after(" postérieures à "); !v.empty()) {
    r.lower = v;
    r.lower_inclusive = false;
  }
  if (auto v = after(" antérieures ou égales à "); !v.empty()) {
    r.upper = v;
    r.upper_inclusive = true;
  } else if (auto w = after(" antérieures à "); !w.empty()) {
    r.upper = w;
  } else if (auto e = after(" before "); !e.empty()) {
    r.upper = e;
  } else if (auto p = after(" prior to "); !p.empty()) {
    r.upper = p;
  } else if (auto t = after(" through "); !t.empty()) {
    r.upper = t;
    r.upper_inclusive = true;
  } else if (auto u = after(" up to "); !u.empty()) {
    r.upper = u;
    r.upper_inclusive = true;
  }
  // "versions 7.2.x …", "versions 8.5p1 à 9.7p1", "versions 4.1.2 sans le correctif".
  const std::string first = after(" versions ").empty() ? after(" version ") : after(" versions ");
  if (!first.empty() && r.lower.empty()) {
    if (first.size() > 2 && first.substr(first.size() - 2) == ".x") {
      r.branch = first.substr(0, first.size() - 2);
    } else {
      const std::size_t at = rest.find(lower(first));
      const std::string_view tail = at == std::string_view::npos ? std::string_view() : cased.substr(at + first.size());
      std::string to;
      if (tail.substr(0, 4) == " à " || tail.substr(0, 4) == " to ") to = version_at(tail.substr(4));  // "à": 2 bytes
      if (!to.empty() && r.upper.empty()) {
        r.lower = first;
        r.upper = to;
        r.upper_inclusive = true;
      } else if (r.upper.empty()) {
        r.lower = r.upper = first;  // one version
        r.upper_inclusive = true;
      }
    }
  }
  if (auto f = after(" from "); !f.empty() && r.lower.empty()) r.lower = f;
  if (r.upper.empty() && r.lower.empty() && r.branch.empty() && !r.all_versions && !r.needs_patch) return std::nullopt;
  if (r.product.empty()) return std::nullopt;
  return r;
}

bool same_product(std::string_view a, std::string_view b) {
  const std::string x = product_key(a), y = product_key(b);
  return !x.empty() && x == y;
}

ExposureVerdict match_exposure(const Software& sw, const AffectedRange& range) {
  if (!same_product(sw.product, range.product)) return {Exposure::not_affected, {}};
  if (range.all_versions && !range.needs_patch) return {Exposure::affected, {}};
  if (sw.version.empty()) return {Exposure::undetermined, "version non déterminée"};
  const auto cmp = [&](const std::string& bound) { return compare_versions(sw.version, bound, sw.scheme); };
  if (!range.branch.empty()) {
    // In the branch: the version's first components are the branch's ("7.2.8" in "7.2").
    const auto in = compare_versions(sw.version, range.branch, sw.scheme);
    if (!in) return {Exposure::undetermined, "version non déterminée"};
    const std::string next = [&] {
      std::string b = range.branch;
      const auto dot = b.rfind('.');
      const std::string last = dot == std::string::npos ? b : b.substr(dot + 1);
      std::size_t n = 0;
      for (const char c : last) n = n * 10 + static_cast<std::size_t>(c - '0');
      return (dot == std::string::npos ? std::string() : b.substr(0, dot + 1)) + std::to_string(n + 1);
    }();
    const auto below = compare_versions(sw.version, next, sw.scheme);
    if (*in < 0 || !below || *below >= 0) return {Exposure::not_affected, {}};
  }
  if (!range.lower.empty()) {
    const auto c = cmp(range.lower);
    if (!c) return {Exposure::undetermined, "version non déterminée"};
    if (*c < 0 || (*c == 0 && !range.lower_inclusive)) return {Exposure::not_affected, {}};
  }
  if (!range.upper.empty()) {
    const auto c = cmp(range.upper);
    if (!c) return {Exposure::undetermined, "version non déterminée"};
    if (*c > 0 || (*c == 0 && !range.upper_inclusive)) return {Exposure::not_affected, {}};
  }
  if (range.needs_patch) return {Exposure::undetermined, "correctif non visible dans la bannière"};
  if (!sw.distro.empty()) {
    const std::string name = sw.distro.substr(0, sw.distro.find('-'));
    return {Exposure::undetermined, "paquet " + name + " : correctifs rétroportés possibles"};
  }
  return {Exposure::affected, {}};
}

}  // namespace vigie::intel
