// HTTP/1.x heads. The head is located first (bounded scan for the blank line), then read line
// by line; nothing is copied.
#include "ingest/pcap/http.hpp"

#include <algorithm>

namespace vigie::dissect {
namespace {

// RFC 9110 §9 methods, then WebDAV and its extensions (RFC 4918, 3253, 3648, 3744, 4791, 5323,
// 5842) as registered by IANA.
constexpr std::string_view kMethods[] = {"GET",
                                         "HEAD",
                                         "POST",
                                         "PUT",
                                         "DELETE",
                                         "CONNECT",
                                         "OPTIONS",
                                         "TRACE",
                                         "PATCH",
                                         "PROPFIND",
                                         "PROPPATCH",
                                         "MKCOL",
                                         "COPY",
                                         "MOVE",
                                         "LOCK",
                                         "UNLOCK",
                                         "SEARCH",
                                         "REPORT",
                                         "MKACTIVITY",
                                         "CHECKOUT",
                                         "CHECKIN",
                                         "UNCHECKOUT",
                                         "MERGE",
                                         "MKCALENDAR",
                                         "ORDERPATCH",
                                         "ACL",
                                         "BIND",
                                         "UNBIND",
                                         "REBIND",
                                         "UPDATE",
                                         "LABEL",
                                         "MKWORKSPACE",
                                         "MKREDIRECTREF",
                                         "UPDATEREDIRECTREF",
                                         "VERSION-CONTROL",
                                         "BASELINE-CONTROL"};

constexpr std::string_view kHttp = "HTTP/";

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool is_tchar(char c) {  // RFC 9110 §5.6.2
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool valid_version(std::string_view v) {
  return v.size() == 8 && v.substr(0, 5) == kHttp && is_digit(v[5]) && v[6] == '.' && is_digit(v[7]);
}

// Offset just past the blank line ending the head, 0 if not found in `stream`.
std::size_t head_end(std::string_view stream) {
  std::size_t pos = 0;
  while (pos < stream.size()) {
    const std::size_t lf = stream.find('\n', pos);
    if (lf == std::string_view::npos) return 0;
    const std::string_view line = stream.substr(pos, lf - pos);
    if (pos != 0 && (line.empty() || line == "\r")) return lf + 1;
    pos = lf + 1;
  }
  return 0;
}

// Splits off the next line of `head` (without its CR LF / LF).
std::string_view next_line(std::string_view& head) {
  const std::size_t lf = head.find('\n');
  std::string_view line = head.substr(0, lf);
  head.remove_prefix(lf == std::string_view::npos ? head.size() : lf + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

struct Fields {
  std::string_view host, user_agent, referrer, content_type, server;
  uint64_t content_length = 0;
  bool has_length = false, chunked = false;
};

void keep_first(std::string_view& slot, std::string_view value) {
  if (slot.data() == nullptr) slot = value;
}

Result parse_length(std::string_view v, Fields& f) {
  if (v.empty() || v.size() > 19) return Result::malformed;  // 19 digits cannot overflow uint64
  uint64_t n = 0;
  for (char c : v) {
    if (!is_digit(c)) return Result::malformed;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (f.has_length && f.content_length != n) return Result::malformed;
  f.content_length = n;
  f.has_length = true;
  return Result::ok;
}

// Header lines after the start line; `head` excludes the blank line.
Result parse_fields(std::string_view head, Fields& f) {
  while (!head.empty()) {
    const std::string_view line = next_line(head);
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') continue;  // obs-fold continuation
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return Result::malformed;
    const std::string_view name = line.substr(0, colon);
    for (char c : name)
      if (!is_tchar(c)) return Result::malformed;
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "host"))
      keep_first(f.host, value);
    else if (iequals(name, "user-agent"))
      keep_first(f.user_agent, value);
    else if (iequals(name, "referer"))
      keep_first(f.referrer, value);
    else if (iequals(name, "content-type"))
      keep_first(f.content_type, value);
    else if (iequals(name, "server"))
      keep_first(f.server, value);
    else if (iequals(name, "content-length")) {
      if (parse_length(value, f) != Result::ok) return Result::malformed;
    } else if (iequals(name, "transfer-encoding")) {
      // The final coding decides the framing (RFC 9112 §6.1); it overrides Content-Length.
      const std::size_t comma = value.rfind(',');
      f.chunked = iequals(trim(comma == std::string_view::npos ? value : value.substr(comma + 1)), "chunked");
    }
  }
  return Result::ok;
}

// Finds the head, or tells why there is none yet.
Result locate_head(std::string_view stream, std::size_t& end) {
  end = head_end(stream.substr(0, kHttpMaxHead));
  if (end != 0) return Result::ok;
  return stream.size() >= kHttpMaxHead ? Result::malformed : Result::need_more;
}

}  // namespace

Result parse_http_request(std::string_view stream, HttpRequest& out) {
  out = HttpRequest{};
  const std::size_t sp = stream.find(' ');
  const std::string_view token = stream.substr(0, sp);
  bool known = false, prefix = false;
  for (std::string_view m : kMethods) {
    known = known || m == token;
    prefix = prefix || (token.size() < m.size() && m.substr(0, token.size()) == token);
  }
  if (sp == std::string_view::npos) return known || prefix ? Result::need_more : Result::not_this;
  if (!known) return Result::not_this;

  // The request line is checked as soon as it is complete, so garbage is refused early.
  const std::size_t lf = stream.find('\n');
  if (lf == std::string_view::npos) return stream.size() >= kHttpMaxHead ? Result::malformed : Result::need_more;
  std::string_view first = stream.substr(0, lf + 1);
  const std::string_view line = next_line(first);
  const std::size_t sp2 = line.find(' ', sp + 1);
  if (sp2 == std::string_view::npos) return Result::malformed;
  const std::string_view uri = line.substr(sp + 1, sp2 - sp - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (uri.empty() || !valid_version(version)) return Result::malformed;
  for (char c : uri)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return Result::malformed;

  std::size_t end = 0;
  if (const Result r = locate_head(stream, end); r != Result::ok) return r;
  Fields f;
  if (parse_fields(stream.substr(lf + 1, end - lf - 1), f) != Result::ok) return Result::malformed;
  out.method = token;
  out.uri = uri;
  out.version = version;
  out.host = f.host;
  out.user_agent = f.user_agent;
  out.referrer = f.referrer;
  out.content_type = f.content_type;
  out.content_length = f.chunked ? 0 : f.content_length;
  out.chunked = f.chunked;
  out.header_bytes = end;
  return Result::ok;
}

Result parse_http_response(std::string_view stream, HttpResponse& out) {
  out = HttpResponse{};
  const std::size_t n = std::min(stream.size(), kHttp.size());
  if (stream.substr(0, n) != kHttp.substr(0, n)) return Result::not_this;
  const std::size_t lf = stream.find('\n');
  if (lf == std::string_view::npos) return stream.size() >= kHttpMaxHead ? Result::malformed : Result::need_more;
  std::string_view first = stream.substr(0, lf + 1);
  const std::string_view line = next_line(first);
  // status-line = HTTP-version SP 3DIGIT SP [ reason-phrase ]; a missing last SP is tolerated.
  if (line.size() < 12 || !valid_version(line.substr(0, 8)) || line[8] != ' ') return Result::malformed;
  if (!is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11])) return Result::malformed;
  if (line.size() > 12 && line[12] != ' ') return Result::malformed;

  std::size_t end = 0;
  if (const Result r = locate_head(stream, end); r != Result::ok) return r;
  Fields f;
  if (parse_fields(stream.substr(lf + 1, end - lf - 1), f) != Result::ok) return Result::malformed;
  out.version = line.substr(0, 8);
  out.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  out.reason = line.size() > 13 ? line.substr(13) : std::string_view{};
  out.server = f.server;
  out.content_type = f.content_type;
  out.chunked = f.chunked;
  out.has_content_length = f.has_length && !f.chunked;
  out.content_length = out.has_content_length ? f.content_length : 0;
  out.header_bytes = end;
  return Result::ok;
}

uint64_t next_request_offset(const HttpRequest& req) {
  if (req.chunked) return 0;
  return req.header_bytes + req.content_length;
}

uint64_t next_response_offset(const HttpResponse& resp, bool request_was_head) {
  if (request_was_head || (resp.status >= 100 && resp.status < 200) || resp.status == 204 || resp.status == 304)
    return resp.header_bytes;
  if (resp.chunked || !resp.has_content_length) return 0;
  return resp.header_bytes + resp.content_length;
}

}  // namespace vigie::dissect
