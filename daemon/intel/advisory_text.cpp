// What the advisory formats share: CVE ids found in text, the wordings that report active
// exploitation, and HTML descriptions turned into plain text. Written here rather than taken
// from a library: an HTML parser for a few inline tags in an RSS description would be far more
// than the need, and the entities that occur are the XML ones plus a handful of Latin-1 names.
#include <algorithm>
#include <array>
#include <cstdint>

#include "intel/advisory_formats.hpp"

namespace vigie::intel::detail {
namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

void put_utf8(std::string& out, uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

struct Named {
  std::string_view name;
  uint32_t cp;
};
constexpr std::array<Named, 24> kEntities = {{
    {"amp", '&'},     {"lt", '<'},       {"gt", '>'},       {"quot", '"'},      {"apos", '\''},    {"nbsp", ' '},
    {"eacute", 0xE9}, {"egrave", 0xE8},  {"ecirc", 0xEA},   {"agrave", 0xE0},   {"acirc", 0xE2},   {"ccedil", 0xE7},
    {"ucirc", 0xFB},  {"ugrave", 0xF9},  {"icirc", 0xEE},   {"ocirc", 0xF4},    {"Eacute", 0xC9},  {"laquo", 0xAB},
    {"raquo", 0xBB},  {"rsquo", 0x2019}, {"lsquo", 0x2018}, {"hellip", 0x2026}, {"ndash", 0x2013}, {"mdash", 0x2014},
}};

// Decodes the entity at text[i] == '&' into out; returns the bytes consumed (0: not an entity).
std::size_t entity(std::string_view text, std::size_t i, std::string& out) {
  const auto semi = text.find(';', i);
  if (semi == std::string_view::npos || semi - i > 10 || semi == i + 1) return 0;
  const std::string_view name = text.substr(i + 1, semi - i - 1);
  if (name[0] == '#') {
    uint32_t cp = 0;
    const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
    const std::string_view digits = name.substr(hex ? 2 : 1);
    if (digits.empty()) return 0;
    for (char c : digits) {
      int v = digit(c)                      ? c - '0'
              : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
              : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                            : -1;
      if (v < 0) return 0;
      cp = std::min<uint32_t>(cp * (hex ? 16 : 10) + static_cast<uint32_t>(v), 0x110000);
    }
    put_utf8(out, cp);
    return semi - i + 1;
  }
  for (const auto& e : kEntities)
    if (e.name == name) {
      put_utf8(out, e.cp);
      return semi - i + 1;
    }
  return 0;
}

}  // namespace

void find_cves(std::string_view text, std::vector<std::string>& out) {
  const std::string low = lower(text);
  std::size_t pos = 0;
  while ((pos = low.find("cve-", pos)) != std::string::npos) {
    std::size_t i = pos + 4;
    std::size_t y = 0;
    while (i < low.size() && digit(low[i]) && y < 5) ++i, ++y;
    if (y == 4 && i < low.size() && (low[i] == '-' || low[i] == '_')) {
      std::size_t n = 0;
      std::size_t j = i + 1;
      while (j < low.size() && digit(low[j]) && n < 8) ++j, ++n;
      if (n >= 4 && (j == low.size() || !digit(low[j]))) {
        out.push_back("CVE-" + std::string(low.substr(pos + 4, 4)) + "-" + std::string(low.substr(i + 1, n)));
        pos = j;
        continue;
      }
    }
    pos += 4;
  }
}

void tidy_cves(std::vector<std::string>& cves) {
  std::sort(cves.begin(), cves.end());
  cves.erase(std::unique(cves.begin(), cves.end()), cves.end());
}

bool says_exploited(std::string_view text) {
  // The wordings CERT-FR and CERT Santé use ("Le CERT-FR a connaissance d'une exploitation
  // active", "est activement exploitée", "exploitation … constatée") and the vendors' English
  // ones; an occurrence within 40 bytes after a negation ("pas d'", "n'a pas connaissance",
  // "aucune", "n'est plus") does not count.
  static constexpr std::array<std::string_view, 9> kSays = {
      "exploitation active", "activement exploit",      "est exploitée",
      "sont exploitées",     "exploitée dans le cadre", "exploitées dans le cadre",
      "actively exploited",  "exploited in the wild",   "known to be exploited"};
  const std::string low = lower(text);
  const auto negated = [&](std::size_t at) {
    const std::string_view before = std::string_view(low).substr(at > 40 ? at - 40 : 0, at > 40 ? 40 : at);
    static constexpr std::string_view kNegations[] = {
        "pas d", "pas connaissance", "aucun", "sans ", "plus ", "no ", "not ", "never"};
    return std::any_of(std::begin(kNegations), std::end(kNegations),
                       [&](std::string_view n) { return before.find(n) != std::string_view::npos; });
  };
  for (const auto w : kSays)
    for (auto at = low.find(w); at != std::string::npos; at = low.find(w, at + 1))
      if (!negated(at)) return true;
  for (auto at = low.find("exploitation"); at != std::string::npos; at = low.find("exploitation", at + 1)) {
    const auto seen = low.find("constatée", at);
    if (seen != std::string::npos && seen - at < 80 && !negated(at)) return true;
  }
  return false;
}

std::string html_to_text(std::string_view html, std::size_t max) {
  std::string raw;
  raw.reserve(std::min(html.size(), max * 2));
  for (std::size_t i = 0; i < html.size() && raw.size() < max * 2;) {
    const char c = html[i];
    if (c == '<') {
      const auto end = html.find('>', i);
      if (end == std::string_view::npos) break;  // a cut tag: the rest is not text
      const std::string tag = lower(html.substr(i + 1, std::min<std::size_t>(end - i - 1, 8)));
      if (tag.rfind("br", 0) == 0 || tag.rfind("/p", 0) == 0 || tag.rfind("/li", 0) == 0 || tag.rfind("/div", 0) == 0 ||
          tag.rfind("li", 0) == 0)
        raw += '\n';
      else
        raw += ' ';
      i = end + 1;
    } else if (c == '&') {
      const auto n = entity(html, i, raw);
      if (n == 0) raw += c;
      i += n == 0 ? 1 : n;
    } else {
      raw += (c == '\t' || c == '\r') ? ' ' : c;
      ++i;
    }
  }
  // Blanks collapsed: one space between words, one newline between lines, nothing at the ends.
  std::string out;
  bool space = false, newline = false;
  for (char c : raw) {
    if (c == ' ') {
      space = true;
    } else if (c == '\n') {
      newline = true;
    } else {
      if (!out.empty() && newline)
        out += '\n';
      else if (!out.empty() && space)
        out += ' ';
      space = newline = false;
      out += c;
    }
  }
  if (out.size() > max) {
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  return out;
}

}  // namespace vigie::intel::detail
