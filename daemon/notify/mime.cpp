#include "notify/mime.hpp"

#include <array>
#include <chrono>
#include <cstdio>

#include "core/json.hpp"

namespace vigie::notify {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool is_ascii_printable(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) | uint8_t(in[i + 2]);
    for (int s : {18, 12, 6, 0}) out += kAlphabet[(n >> s) & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t n = uint32_t(uint8_t(in[i])) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t n = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

// Length of the UTF-8 sequence starting with lead byte c (input is already valid UTF-8).
std::size_t utf8_len(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c >> 5) == 0x6) return 2;
  if ((c >> 4) == 0xe) return 3;
  return 4;
}

// Encoded words of at most 45 raw bytes (60 base64 chars + 12 of "=?UTF-8?B?" "?=" = 72).
std::string encoded_words(std::string_view text) {
  constexpr std::size_t kChunk = 45;
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = i;
    while (end < text.size()) {
      const std::size_t n = utf8_len(static_cast<unsigned char>(text[end]));
      if (end + n - i > kChunk) break;
      end += n;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(text.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

}  // namespace

std::string clean_line(std::string_view s) {
  std::string valid;
  core::sanitize_utf8(s, valid);
  std::string out;
  out.reserve(valid.size());
  for (unsigned char c : valid) {
    if (c == '\t')
      out += ' ';
    else if (c < 0x20 || c == 0x7f)
      out += kReplacement;
    else
      out += static_cast<char>(c);
  }
  return out;
}

std::string encode_unstructured(std::string_view value, std::size_t name_len) {
  std::string clean = clean_line(value);  // not const: returned by move
  if (is_ascii_printable(clean) && clean.size() + name_len <= 78) return clean;
  return encoded_words(clean);
}

std::string bare_address(std::string_view mailbox) {
  const auto lt = mailbox.rfind('<');
  const auto gt = mailbox.rfind('>');
  std::string_view addr = mailbox;
  if (lt != std::string_view::npos && gt != std::string_view::npos && gt > lt)
    addr = mailbox.substr(lt + 1, gt - lt - 1);
  while (!addr.empty() && addr.front() == ' ') addr.remove_prefix(1);
  while (!addr.empty() && addr.back() == ' ') addr.remove_suffix(1);
  for (unsigned char c : addr)
    if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == ',') return {};
  if (addr.find('@') == std::string_view::npos) return {};
  return std::string(addr);
}

std::string format_address(std::string_view mailbox) {
  std::string clean = clean_line(mailbox);  // not const: returned by move
  const auto lt = clean.rfind('<');
  if (is_ascii_printable(clean) || lt == std::string::npos) return clean;
  std::string_view name = std::string_view(clean).substr(0, lt);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
  return encoded_words(name) + " " + clean.substr(lt);
}

std::string quoted_printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    const bool last = nl == std::string_view::npos;
    std::string_view line = text.substr(pos, last ? std::string_view::npos : nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (last && line.empty()) break;  // text ended with a newline
    std::size_t col = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const auto c = static_cast<unsigned char>(line[i]);
      const bool at_end = i + 1 == line.size();
      std::array<char, 3> tok{};
      std::size_t n = 1;
      if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_end)) {
        tok[0] = static_cast<char>(c);
      } else {
        tok = {'=', kHex[c >> 4], kHex[c & 15]};
        n = 3;
      }
      // 75 + the soft break "=" keeps every line within 76 characters.
      if (col + n > 75) {
        out += "=\r\n";
        col = 0;
      }
      out.append(tok.data(), n);
      col += n;
    }
    out += "\r\n";
    if (last) break;
    pos = nl + 1;
  }
  return out;
}

std::string rfc5322_date(core::TimePoint t) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{days};
  const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::seconds>(t - days)};
  const std::chrono::weekday wd{days};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d +0000", kDays[wd.c_encoding()],
                static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string msgid_atom(std::string_view s) {
  std::string out;
  for (char c : s)
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')
      out += c;
  return out;
}

}  // namespace vigie::notify
