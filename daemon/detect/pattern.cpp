#include "detect/pattern.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace vigie::detect {
namespace {

bool is_wild(char c) { return c == '*' || c == '?'; }

std::string quote(std::string_view lit) { return RE2::QuoteMeta(re2::StringPiece(lit.data(), lit.size())); }

// Builds the regex from a sequence of literal runs and wildcard tokens.
std::string assemble(std::string_view value, bool interpret, Anchor anchor, bool cased) {
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
  for (std::size_t i = begin; i < end; ++i) {
    const char c = value[i];
    if (interpret && c == '\\' && i + 1 < end && (is_wild(value[i + 1]) || value[i + 1] == '\\')) {
      lit += value[++i];
    } else if (interpret && c == '*') {
      flush();
      body += "\\C*";
    } else if (interpret && c == '?') {
      flush();
      body += "(?s:.)";
    } else {
      lit += c;
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

std::string wildcard_to_regex(std::string_view value, Anchor anchor, bool cased) {
  return assemble(value, true, anchor, cased);
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

std::string_view scan_set(const RE2::Set& set, const std::vector<const RE2*>& singles, std::string_view text,
                          std::vector<int>& out) {
  out.clear();
  const re2::StringPiece piece(text.data(), text.size());
  RE2::Set::ErrorInfo info{};
  if (set.Match(piece, &out, &info)) {
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

}  // namespace vigie::detect
