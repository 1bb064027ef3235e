// key=value scanner (detect/kv.hpp): one forward pass, no allocation, no regex.
#include "detect/kv.hpp"

#include <string>

namespace vigie::detect {
namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\x1d'; }

bool key_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

bool valid_key(std::string_view k) {
  if (k.empty() || k.size() > kKvMaxKey) return false;
  for (char c : k)
    if (!key_byte(c)) return false;
  return true;
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

KvScanOutcome scan_kv(std::string_view t, const KvSyntax& syntax, std::vector<KvPair>& out) {
  out.clear();
  KvScanOutcome outcome;
  const char sep = syntax.separator;
  const bool spaces = sep == ' ';
  // The end of a key or of an unquoted value.
  const auto end_of = [&](char c) { return spaces ? blank(c) : c == sep; };
  const std::size_t n = t.size();
  std::size_t i = 0;
  while (i < n) {
    while (i < n && (blank(t[i]) || t[i] == sep)) ++i;
    if (i >= n) break;
    const std::size_t ks = i;
    while (i < n && t[i] != '=' && !end_of(t[i])) ++i;
    std::string_view key = t.substr(ks, i - ks);
    if (!spaces) key = trim_right(key);
    if (i >= n || t[i] != '=') continue;  // a word without '=': not a pair
    ++i;
    if (!spaces)
      while (i < n && blank(t[i])) ++i;  // `key = value`: blanks after '=' are trimmed too
    KvPair pair;
    pair.key = key;
    if (i < n && (t[i] == '"' || (syntax.single_quotes && t[i] == '\''))) {
      const char q = t[i];
      pair.quoted = true;
      const std::size_t vs = ++i;
      while (i < n && t[i] != q) {
        if (t[i] == '\\' && i + 1 < n) {
          pair.escaped = true;
          ++i;
        }
        ++i;
      }
      pair.value = t.substr(vs, i - vs);
      if (i >= n) {
        outcome.malformed = true;  // unterminated: the rest of the text is the value
      } else {
        ++i;  // the closing quote; anything glued to it up to the separator is dropped
        while (i < n && !end_of(t[i])) ++i;
      }
    } else {
      const std::size_t vs = i;
      while (i < n && !end_of(t[i])) ++i;
      pair.value = t.substr(vs, i - vs);
      if (!spaces) pair.value = trim_right(pair.value);
    }
    if (!valid_key(key)) {
      outcome.malformed = true;
      continue;
    }
    if (out.size() == kKvMaxPairs) {
      outcome.truncated = true;
      break;
    }
    out.push_back(pair);
  }
  return outcome;
}

std::string_view kv_unescape(std::string_view v, bool escaped, core::Arena& arena) {
  if (!escaped) return v;
  std::string s;
  s.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size() && (v[i + 1] == '"' || v[i + 1] == '\'' || v[i + 1] == '\\')) ++i;
    s.push_back(v[i]);
  }
  return arena.copy(s);
}

Transform KvDecoder::transform_for(std::string_view key) const {
  if (const auto t = transforms.find(key); t != transforms.end()) return t->second;
  for (const auto& [stem, t] : stem_transforms) {
    if (key.size() <= stem.size() || !key.starts_with(stem)) continue;
    bool digits = true;
    for (char c : key.substr(stem.size()))
      if (c < '0' || c > '9') digits = false;
    if (digits) return t;
  }
  return Transform::none;
}

}  // namespace vigie::detect
