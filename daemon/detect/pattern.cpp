#include "detect/pattern.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include <re2/filtered_re2.h>

#include "core/net.hpp"

namespace vigie::detect {
namespace {

bool is_wild(char c) { return c == '*' || c == '?'; }

std::string quote(std::string_view lit) { return RE2::QuoteMeta(re2::StringPiece(lit.data(), lit.size())); }

// Python's `\w` as pySigma's windash regex sees it: ASCII letters, digits, `_`, and any
// non-ASCII character (most are letters; the rare symbol after a dash is the cost).
bool is_word(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// `-`, `/`, U+2013 en dash, U+2014 em dash, U+2015 horizontal bar (pySigma's windash set).
constexpr std::string_view kWindashClass = "[\\-/\\x{2013}-\\x{2015}]";

// Builds the regex from a sequence of literal runs and wildcard tokens.
std::string assemble(std::string_view value, bool interpret, Anchor anchor, bool cased, bool windash = false) {
  std::string body;
  std::string lit;
  auto flush = [&] {
    if (!lit.empty()) body += quote(lit);
    lit.clear();
  };
  bool leading_star = anchor == Anchor::contains || anchor == Anchor::endswith;
  bool trailing_star = anchor == Anchor::contains || anchor == Anchor::startswith;
  // Strip leading/trailing `*` tokens: an unanchored side is cheaper than `\C*` in a set.
  std::size_t begin = 0, end = value.size();
  if (interpret) {
    while (begin < end && value[begin] == '*') {
      leading_star = true;
      ++begin;
    }
    while (end > begin && value[end - 1] == '*') {
      // An escaped trailing star (`\*`, but not `\\*`) is literal.
      std::size_t backslashes = 0;
      for (std::size_t k = end - 1; k > begin && value[k - 1] == '\\'; --k) ++backslashes;
      if (backslashes % 2 == 1) break;
      trailing_star = true;
      --end;
    }
  }
  bool after_word = false;  // windash: the previous character is a word character
  for (std::size_t i = begin; i < end; ++i) {
    const char c = value[i];
    if (interpret && c == '\\' && i + 1 < end && (is_wild(value[i + 1]) || value[i + 1] == '\\')) {
      lit += value[++i];
      after_word = false;
    } else if (interpret && c == '*') {
      flush();
      body += "\\C*";
      after_word = false;
    } else if (interpret && c == '?') {
      flush();
      body += "(?s:.)";
      after_word = false;
    } else if (windash && (c == '-' || c == '/') && !after_word && i + 1 < end && is_word(value[i + 1])) {
      flush();
      body += kWindashClass;
      after_word = false;
    } else {
      lit += c;
      after_word = is_word(c);
    }
  }
  flush();
  std::string out = cased ? "(?s)" : "(?is)";
  if (!leading_star) out += '^';
  out += body;
  if (!trailing_star) out += '$';
  return out;
}

}  // namespace

bool has_wildcard(std::string_view value) {
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size() && (is_wild(value[i + 1]) || value[i + 1] == '\\')) {
      ++i;
    } else if (is_wild(value[i])) {
      return true;
    }
  }
  return false;
}

std::string unescape_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size() && (is_wild(value[i + 1]) || value[i + 1] == '\\')) ++i;
    out += value[i];
  }
  return out;
}

std::string wildcard_to_regex(std::string_view value, Anchor anchor, bool cased, bool windash) {
  return assemble(value, true, anchor, cased, windash);
}

bool has_windash_position(std::string_view value) {
  return assemble(value, true, Anchor::exact, true, true) != assemble(value, true, Anchor::exact, true, false);
}

std::string literal_to_regex(std::string_view value, Anchor anchor, bool cased) {
  return assemble(value, false, anchor, cased);
}

std::optional<double> parse_decimal(std::string_view s) {
  if (s.empty()) return std::nullopt;
  const char c = s.front() == '-' && s.size() > 1 ? s[1] : s.front();
  if (!((c >= '0' && c <= '9') || c == '.')) return std::nullopt;  // from_chars takes "inf", "nan"
  double x = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(x)) return std::nullopt;
  return x;
}

void ascii_fold(std::string_view in, std::string& out) {
  out.resize(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    out[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
}

std::string base64_encode(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t n =
        (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) | static_cast<uint8_t>(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (const std::size_t rest = in.size() - i; rest > 0) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    if (rest == 2) n |= static_cast<uint8_t>(in[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::vector<std::string> base64_offsets(std::string_view in) {
  static constexpr std::size_t kStart[] = {0, 2, 3};
  static constexpr std::size_t kEndCut[] = {0, 3, 2};  // by (length + shift) % 3
  std::vector<std::string> out;
  for (std::size_t shift = 0; shift < 3; ++shift) {
    const std::string enc = base64_encode(std::string(shift, ' ') + std::string(in));
    const std::size_t cut = kEndCut[(in.size() + shift) % 3];
    const std::size_t stop = enc.size() >= cut ? enc.size() - cut : 0;
    out.push_back(stop > kStart[shift] ? enc.substr(kStart[shift], stop - kStart[shift]) : std::string());
  }
  return out;
}

namespace {

std::size_t sequence_length(std::string_view s, std::size_t i);

// Code point of the valid sequence of `n` bytes at s[i].
uint32_t code_point(std::string_view s, std::size_t i, std::size_t n) {
  const auto b = [&](std::size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i + k])); };
  switch (n) {
    case 1:
      return b(0);
    case 2:
      return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3:
      return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default:
      return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
}

}  // namespace

std::string utf16_encode(std::string_view utf8, Utf16 kind) {
  if (kind == Utf16::none) return std::string(utf8);
  std::string out;
  const bool big = kind == Utf16::be;
  auto unit = [&](uint32_t u) {
    const char hi = static_cast<char>((u >> 8) & 0xFF), lo = static_cast<char>(u & 0xFF);
    out += big ? hi : lo;
    out += big ? lo : hi;
  };
  if (kind == Utf16::bom_le) unit(0xFEFF);
  for (std::size_t i = 0; i < utf8.size();) {
    const std::size_t n = sequence_length(utf8, i);
    const uint32_t cp = n == 0 ? 0xFFFD : code_point(utf8, i, n);
    i += n == 0 ? 1 : n;
    if (cp < 0x10000) {
      unit(cp);
    } else {
      unit(0xD800 + ((cp - 0x10000) >> 10));
      unit(0xDC00 + ((cp - 0x10000) & 0x3FF));
    }
  }
  return out;
}

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if none (RFC 3629 table 3-7).
std::size_t sequence_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  const std::size_t left = s.size() - i;
  const auto cont = [&](std::size_t k, unsigned char lo = 0x80, unsigned char hi = 0xbf) {
    return k < s.size() && b(k) >= lo && b(k) <= hi;
  };
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return left >= 2 && cont(i + 1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;  // overlong, surrogates
    return left >= 3 && cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;  // overlong, > U+10FFFF
    return left >= 4 && cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

// Index of the first byte of `s` at or after `i` that is not ASCII (8 bytes at a time).
std::size_t skip_ascii(std::string_view s, std::size_t i) {
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w = 0;
    std::memcpy(&w, s.data() + i, 8);
    if (w & 0x8080808080808080ULL) break;
  }
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  return i;
}

}  // namespace

bool valid_utf8(std::string_view text) {
  for (std::size_t i = skip_ascii(text, 0); i < text.size(); i = skip_ascii(text, i)) {
    const std::size_t n = sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string_view matchable(std::string_view text, std::string& scratch) {
  if (valid_utf8(text)) return text;
  static constexpr std::string_view kReplacement = "\xef\xbf\xbd";  // U+FFFD
  scratch.clear();
  scratch.reserve(text.size() + 16);
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = sequence_length(text, i);
    if (n == 0) {
      scratch += kReplacement;
      ++i;
    } else {
      scratch.append(text.substr(i, n));
      i += n;
    }
  }
  return scratch;
}

AddressKind classify_address(std::string_view v) {
  if (core::IpAddress::parse(v)) return AddressKind::ip;
  if (!v.empty() && v.back() == '.') v.remove_suffix(1);
  if (v.empty() || v.size() > 253) return AddressKind::invalid;
  bool letter_before_last = false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = v.find('.', start);
    const std::string_view label = v.substr(start, dot == std::string_view::npos ? v.npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return AddressKind::invalid;
    bool digits_only = true;
    for (const char c : label) {
      const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
      if (!alpha && !(c >= '0' && c <= '9')) return AddressKind::invalid;
      digits_only = digits_only && !alpha;
    }
    if (dot == std::string_view::npos) {
      // The last label: never all digits; before it, one label at least must not be (a
      // one-label name is a host name if it is not a number).
      if (digits_only) return AddressKind::invalid;
      return start == 0 || letter_before_last ? AddressKind::host : AddressKind::invalid;
    }
    letter_before_last = letter_before_last || !digits_only;
    start = dot + 1;
  }
}

std::string_view scan_set(const RE2::Set& set, const std::vector<const RE2*>& singles, std::string_view text,
                          std::vector<int>& out, bool any_first) {
  out.clear();
  thread_local std::string scratch;  // only written for invalid UTF-8
  text = matchable(text, scratch);
  const re2::StringPiece piece(text.data(), text.size());
  RE2::Set::ErrorInfo info{};
  // Asking which patterns matched makes RE2 allocate a set as large as the pattern count and
  // scan to the end of the text; asking whether any did allocates nothing and stops at the
  // first match. Most values match nothing, so the question is asked in that order.
  if (any_first && !set.Match(piece, nullptr, &info)) {
    if (info.kind == RE2::Set::kNoError) return {};
  } else if (set.Match(piece, &out, &info)) {
    std::sort(out.begin(), out.end());
    return {};
  }
  if (info.kind == RE2::Set::kNoError) return {};
  out.clear();
  for (std::size_t i = 0; i < singles.size(); ++i)
    if (RE2::PartialMatch(piece, *singles[i])) out.push_back(static_cast<int>(i));
  switch (info.kind) {
    case RE2::Set::kOutOfMemory:
      return "out_of_memory";
    case RE2::Set::kInconsistent:
      return "inconsistent";
    case RE2::Set::kNotCompiled:
      return "not_compiled";
    default:
      return "unknown";
  }
}

std::string required_lead(const RE2& re) {
  if (!re.ok()) return {};
  std::string min, max;
  if (!re.PossibleMatchRange(&min, &max, 32)) return {};
  std::size_t n = 0;
  while (n < min.size() && n < max.size() && min[n] == max[n]) ++n;
  // Every string between min and max starts with their common prefix; keep whole UTF-8
  // sequences only, so the literal never ends inside a character.
  while (n > 0 && (static_cast<unsigned char>(min[n - 1]) & 0xC0) == 0x80) --n;
  if (n > 0 && static_cast<unsigned char>(min[n - 1]) >= 0xC0) --n;
  return min.substr(0, n);
}

bool starts_anchored(std::string_view pattern) {
  if (pattern.empty() || pattern[0] != '^') return false;
  int depth = 0;
  for (std::size_t i = 1; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      ++i;  // the escaped character, whatever it is
    } else if (c == '[') {
      // A class: `]` right after `[` or `[^` is a member; `[:alpha:]` holds no `]` before its end.
      std::size_t j = i + 1;
      if (j < pattern.size() && pattern[j] == '^') ++j;
      if (j < pattern.size() && pattern[j] == ']') ++j;
      for (; j < pattern.size() && pattern[j] != ']'; ++j) {
        if (pattern[j] == '\\')
          ++j;
        else if (pattern[j] == '[' && j + 1 < pattern.size() && pattern[j + 1] == ':') {
          const auto end = pattern.find(":]", j + 2);
          if (end == std::string_view::npos) return false;
          j = end + 1;
        }
      }
      if (j >= pattern.size()) return false;
      i = j;
    } else if (c == '(') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '?') {
        // Flags (`(?i)`, `(?m:`; not a name, `(?P<m>`): `m` would make `^` match after every newline.
        std::size_t j = i + 2;
        while (j < pattern.size() && std::string_view("imsU-").find(pattern[j]) != std::string_view::npos) ++j;
        if (j < pattern.size() && (pattern[j] == ')' || pattern[j] == ':') &&
            pattern.substr(i + 2, j - i - 2).find('m') != std::string_view::npos)
          return false;
      }
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == '|' && depth == 0) {
      return false;  // `^a|b`: the second branch matches anywhere
    }
  }
  return true;
}

std::string decoder_scan_entry(const RE2& re) {
  const std::string& pattern = re.pattern();
  const bool anchored = starts_anchored(pattern);
  if (const std::string lead = required_lead(re); !lead.empty() && (anchored || lead.size() >= 3))
    return (anchored ? "^" : "") + RE2::QuoteMeta(lead);
  re2::FilteredRE2 filter(3);
  int id = 0;
  if (filter.Add(pattern, re.options(), &id) != RE2::NoError) return pattern;
  std::vector<std::string> atoms;
  filter.Compile(&atoms);
  if (atoms.empty()) return pattern;  // nothing required: the pattern itself
  // An atom without which the pattern cannot match is enough alone, and the longest is the
  // rarest: `(?:^|: )Host (\S+) is attacking` needs "host " and " is ", and " is " alone would
  // let half the log through. Only when no single atom is required, any of them.
  std::vector<int> all(atoms.size());
  for (std::size_t i = 0; i < atoms.size(); ++i) all[i] = static_cast<int>(i);
  const std::string* required = nullptr;
  for (std::size_t i = 0; i < atoms.size(); ++i) {
    std::vector<int> others;
    for (std::size_t j = 0; j < atoms.size(); ++j)
      if (j != i) others.push_back(static_cast<int>(j));
    std::vector<int> potentials;
    filter.AllPotentials(others, &potentials);
    if (potentials.empty() && (required == nullptr || atoms[i].size() > required->size())) required = &atoms[i];
  }
  if (required != nullptr) return "(?i:" + RE2::QuoteMeta(*required) + ")";
  std::string out = "(?i:";
  for (std::size_t i = 0; i < atoms.size(); ++i) {
    if (i > 0) out += '|';
    out += RE2::QuoteMeta(atoms[i]);
  }
  out += ')';
  return out;
}

}  // namespace vigie::detect
