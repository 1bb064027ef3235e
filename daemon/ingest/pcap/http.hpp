// HTTP/1.x message heads (RFC 9112) at the start of one direction of a TCP stream. Every
// string_view points into `stream`: nothing is copied, so the views live as long as it does.
//
// Accepted: request methods of RFC 9110 §9 and WebDAV (RFC 4918, 3253, 3648, 3744, 4791, 5323,
// 5842); versions "HTTP/d.d"; header lines ended by CR LF or a bare LF (RFC 9112 §2.2 lets a
// recipient accept it). Refused: another token in method position (not_this), a head over
// kHttpMaxHead bytes, a header line without a colon or with a space before it, an invalid or
// conflicting Content-Length (RFC 9112 §6.3: malformed). Obsolete line folding is tolerated and
// the continuation ignored (the views cannot join lines without copying).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/pcap/result.hpp"

namespace vigie::dissect {

struct HttpRequest {
  std::string_view method, uri, version, host, user_agent, referrer, content_type;
  uint64_t content_length = 0;
  std::size_t header_bytes = 0;  // request line + headers, up to and including the blank line
  bool chunked = false;          // Transfer-Encoding ends in chunked: the body length is unknown here
};

struct HttpResponse {
  std::string_view version, reason, server, content_type;
  int status = 0;
  uint64_t content_length = 0;
  std::size_t header_bytes = 0;
  bool chunked = false;
  bool has_content_length = false;
};

inline constexpr std::size_t kHttpMaxHead = 16 * 1024;

// need_more: a valid prefix (a method prefix, an unfinished head). Only the first occurrence of
// Host, User-Agent, Referer and Content-Type is kept.
[[nodiscard]] Result parse_http_request(std::string_view stream, HttpRequest& out);
[[nodiscard]] Result parse_http_response(std::string_view stream, HttpResponse& out);

// Where the next pipelined request starts: header_bytes + content_length, or 0 when unknown
// (chunked body). A request without Content-Length has no body (RFC 9112 §6.3).
[[nodiscard]] uint64_t next_request_offset(const HttpRequest& req);
// Same for responses; 0 when unknown (chunked, or no length: the body runs to the close).
// Responses to HEAD, 1xx, 204 and 304 have no body (RFC 9112 §6.3).
[[nodiscard]] uint64_t next_response_offset(const HttpResponse& resp, bool request_was_head);

}  // namespace vigie::dissect
