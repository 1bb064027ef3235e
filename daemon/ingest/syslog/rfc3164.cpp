// PRI and the BSD syslog header (RFC 3164 §4.1), with what real senders do beyond it:
// ISO 8601 timestamps (rsyslog's high-precision format), no hostname ("Apr  5 12:56:51 robin:
// Hello"), no timestamp at all, Cisco's "*Mar  1 ..." and "Mmm dd yyyy hh:mm:ss".
#include <algorithm>
#include <array>
#include <cstdint>

#include "core/net.hpp"
#include "ingest/syslog/header.hpp"

namespace vigie::ingest::syslog {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Byte classes, one table lookup per byte instead of a chain of comparisons (the header of every
// message goes through these).
enum : uint8_t { kHostChar = 1, kTagEnd = 2, kNotInTag = 4 };
constexpr std::array<uint8_t, 256> kClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] |= kHostChar;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] |= kHostChar;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] |= kHostChar;
  for (const char c : std::string_view(".-_:%")) t[static_cast<unsigned char>(c)] |= kHostChar;
  for (const char c : std::string_view(":[ ")) t[static_cast<unsigned char>(c)] |= kTagEnd;
  for (const char c : std::string_view("{}\"'=,;<>")) t[static_cast<unsigned char>(c)] |= kNotInTag;
  return t;
}();
bool has(char c, uint8_t cls) { return (kClass[static_cast<unsigned char>(c)] & cls) != 0; }

// Hostnames, IPv4 and IPv6 addresses; anything else after the timestamp is the message.
bool hostname_like(std::string_view t) {
  return !t.empty() && t.size() <= 255 && std::all_of(t.begin(), t.end(), [](char c) { return has(c, kHostChar); });
}

// Old Linux-PAM modules (0.7x to 0.99, e.g. Red Hat 7 to 9, Fedora Core) opened syslog with the
// ident "SERVICE(pam_MODULE)": "sshd(pam_unix)[1234]: authentication failure; ...". The program
// is the service, the module goes to its own field; only "pam_" modules are split, so tags that
// merely contain parentheses ("(sd-pam)", "kernel(x)") stay as they are.
void split_pam_module(SyslogHeader& h) {
  const std::string_view name = h.app_name;
  if (name.size() < 7 || name.back() != ')') return;
  const auto open = name.find('(');
  if (open == 0 || open == std::string_view::npos) return;
  const auto module = name.substr(open + 1, name.size() - open - 2);
  if (!module.starts_with("pam_") || module.size() == 4 || module.find_first_of("()") != std::string_view::npos) return;
  h.app_name = name.substr(0, open);
  h.app_module = module;
}

// TAG[PID]: or TAG: at the start of s (RFC 3164 §4.1.3 and common practice: tags with '/',
// '-' and '.' such as "postfix/smtpd"). On success fills app/proc and returns the message.
// (string_view::find_first_of with a set calls memchr on the set for every byte of the line:
// table lookups here, bounded by the longest tag.)
std::optional<std::string_view> tag(std::string_view s, SyslogHeader& h) {
  constexpr std::size_t kMaxTag = 64;
  std::size_t end = std::string_view::npos;
  for (std::size_t i = 0, stop = std::min(s.size(), kMaxTag + 1); i < stop; ++i) {
    if (has(s[i], kTagEnd)) {
      end = i;
      break;
    }
  }
  if (end == 0 || end == std::string_view::npos || s[end] == ' ') return std::nullopt;
  const auto name = s.substr(0, end);
  // A JSON body ('{"a": 1}') or a quoted word is not a program name.
  if (std::any_of(name.begin(), name.end(), [](char c) { return has(c, kNotInTag); })) return std::nullopt;
  std::string_view pid;
  std::size_t p = end;
  if (s[p] == '[') {
    const auto close = s.find(']', p);
    if (close == std::string_view::npos || close - p > 32) return std::nullopt;
    pid = s.substr(p + 1, close - p - 1);
    p = close + 1;
    if (p < s.size() && s[p] == ':')
      ++p;
    else if (p < s.size() && s[p] != ' ')
      return std::nullopt;  // "name[pid]" then SP is accepted too
  } else {
    ++p;  // the ':'
  }
  if (p < s.size() && s[p] != ' ') return std::nullopt;  // "http://x" is not a tag
  h.app_name = name;
  h.proc_id = pid;
  split_pam_module(h);
  return s.substr(std::min(p + 1, s.size()));
}

// VERSION SP then "-" SP or "YYYY-".
bool looks_rfc5424(std::string_view s) {
  std::size_t v = 0;
  while (v < s.size() && v < 2 && is_digit(s[v])) ++v;
  if (v == 0 || s[0] == '0' || v >= s.size() || s[v] != ' ') return false;
  const auto ts = s.substr(v + 1);
  if (ts.size() >= 2 && ts[0] == '-' && ts[1] == ' ') return true;
  return ts.size() >= 5 && is_digit(ts[0]) && is_digit(ts[1]) && is_digit(ts[2]) && is_digit(ts[3]) && ts[4] == '-';
}

}  // namespace

SyslogHeader parse_header(std::string_view line) {
  SyslogHeader h;
  std::string_view rest = line;
  if (!line.empty() && line.front() == '<') {
    std::size_t i = 1;
    int pri = 0;
    while (i < line.size() && i <= 3 && is_digit(line[i])) pri = pri * 10 + (line[i++] - '0');
    if (i > 1 && i < line.size() && line[i] == '>' && pri <= 191) {
      h.pri = pri;
      rest = line.substr(i + 1);
    } else {
      h.bad_pri = true;
    }
  }
  // "1 " after the PRI announces RFC 5424 (VERSION is 1 today; 1–2 digits reserved), but only
  // when a TIMESTAMP follows (NILVALUE or a date): "<13>2 errors found on disk" is an RFC 3164
  // message without header, not a broken RFC 5424 one.
  if (h.pri && looks_rfc5424(rest)) {
    parse_rfc5424(rest, h);
    return h;
  }
  parse_rfc3164(rest, h);
  return h;
}

void parse_rfc3164(std::string_view s, SyslogHeader& h) {
  h.format = Format::rfc3164;
  bool stamped = false;
  std::size_t used = 0;
  if (auto bsd = parse_bsd_stamp(s, used)) {
    h.local = bsd;
    stamped = true;
  } else if (s.size() >= 19 && is_digit(s[0]) && s[4] == '-') {
    const auto iso = s.substr(0, s.find(' '));
    if (auto t = core::parse_rfc3339(iso)) {
      h.time = t;
      stamped = true;
    } else if (auto l = parse_iso_local(iso)) {
      h.local = l;
      stamped = true;
    }
    used = iso.size();
  }
  if (stamped) {
    s.remove_prefix(std::min(used + 1, s.size()));
    // After a timestamp comes the HOSTNAME, unless the next word is already the tag.
    const auto sp = s.find(' ');
    if (sp != std::string_view::npos) {
      const auto word = s.substr(0, sp);
      // "host:" would be the tag, but an IPv6 address may end with a colon ("2001:db8::").
      if ((word.back() != ':' || core::IpAddress::parse(word)) && hostname_like(word)) {
        h.hostname = word;
        s.remove_prefix(sp + 1);
      }
    }
  }
  if (auto msg = tag(s, h)) s = *msg;
  h.msg = s;
}

}  // namespace vigie::ingest::syslog
