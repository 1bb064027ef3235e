#include <doctest/doctest.h>

#include <string>

#include "ingest/pcap/http.hpp"

using namespace vigie::dissect;

namespace {
// Shaped like RFC 9112 §2.1's example request, with a body and a second pipelined request.
constexpr std::string_view kPipelined =
    "POST /submit?x=1 HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "user-agent:  curl/7.88.1 \r\n"
    "Referer: http://a/\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 5\r\n"
    "\r\n"
    "hello"
    "GET / HTTP/1.0\n"
    "Host: second\n"
    "\n";
}  // namespace

TEST_CASE("http: request fields and pipelining") {
  HttpRequest r;
  REQUIRE(parse_http_request(kPipelined, r) == Result::ok);
  CHECK(r.method == "POST");
  CHECK(r.uri == "/submit?x=1");
  CHECK(r.version == "HTTP/1.1");
  CHECK(r.host == "www.example.com");
  CHECK(r.user_agent == "curl/7.88.1");
  CHECK(r.referrer == "http://a/");
  CHECK(r.content_type == "text/plain");
  CHECK(r.content_length == 5);
  const uint64_t next = next_request_offset(r);
  REQUIRE(next == r.header_bytes + 5);
  REQUIRE(parse_http_request(kPipelined.substr(next), r) == Result::ok);  // bare LF endings
  CHECK(r.method == "GET");
  CHECK(r.host == "second");
  CHECK(r.header_bytes == kPipelined.size() - next);
}

TEST_CASE("http: every prefix of a request head is need_more") {
  const std::string_view head = kPipelined.substr(0, kPipelined.find("\r\n\r\n") + 4);
  HttpRequest r;
  for (std::size_t n = 0; n < head.size(); ++n) {
    INFO("prefix " << n);
    CHECK(parse_http_request(head.substr(0, n), r) == Result::need_more);
  }
  CHECK(parse_http_request(head, r) == Result::ok);
}

TEST_CASE("http: WebDAV, unknown methods, bad heads") {
  HttpRequest r;
  CHECK(parse_http_request("PROPFIND /d HTTP/1.1\r\nHost: h\r\n\r\n", r) == Result::ok);
  CHECK(parse_http_request("BREW /pot HTTP/1.1\r\n\r\n", r) == Result::not_this);
  CHECK(parse_http_request("SSH-2.0-x\r\n", r) == Result::not_this);
  CHECK(parse_http_request("GET /\r\n\r\n", r) == Result::malformed);  // HTTP/0.9
  CHECK(parse_http_request("GET / HTTP/1.1\r\nNoColon\r\n\r\n", r) == Result::malformed);
  CHECK(parse_http_request("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", r) == Result::malformed);
  CHECK(parse_http_request("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", r) == Result::malformed);
  CHECK(parse_http_request("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", r) == Result::malformed);
  CHECK(parse_http_request("GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", r) == Result::malformed);
  const std::string big = "GET / HTTP/1.1\r\nX: " + std::string(kHttpMaxHead, 'a') + "\r\n\r\n";
  CHECK(parse_http_request(big, r) == Result::malformed);
}

TEST_CASE("http: chunked requests have no known next offset; folding tolerated") {
  HttpRequest r;
  REQUIRE(parse_http_request("PUT /x HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\nContent-Length: 3\r\n"
                             "X-Long: a\r\n b\r\n\r\n",
                             r) == Result::ok);
  CHECK(r.chunked);
  CHECK(next_request_offset(r) == 0);
}

TEST_CASE("http: responses") {
  HttpResponse r;
  REQUIRE(parse_http_response("HTTP/1.1 404 Not Found\r\nServer: nginx\r\nContent-Length: 12\r\n\r\n", r) ==
          Result::ok);
  CHECK(r.status == 404);
  CHECK(r.reason == "Not Found");
  CHECK(r.server == "nginx");
  CHECK(next_response_offset(r, false) == r.header_bytes + 12);
  CHECK(next_response_offset(r, true) == r.header_bytes);
  REQUIRE(parse_http_response("HTTP/1.0 204\n\n", r) == Result::ok);
  CHECK(r.reason.empty());
  CHECK(parse_http_response("HTTP/1.1 20x OK\r\n\r\n", r) == Result::malformed);
  CHECK(parse_http_response("HTT", r) == Result::need_more);
  CHECK(parse_http_response("GET / HTTP/1.1\r\n", r) == Result::not_this);
  const std::string_view full = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n";
  for (std::size_t n = 0; n < full.size(); ++n) CHECK(parse_http_response(full.substr(0, n), r) == Result::need_more);
}
