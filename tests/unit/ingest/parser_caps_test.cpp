// Parsing stays linear whatever the content: caps on JSON keys and SD params, counted.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "ingest/syslog/header.hpp"
#include "ingest/syslog/json_fields.hpp"
#include "ingest/syslog/parser.hpp"

using namespace vigie;
using namespace vigie::ingest;
using namespace vigie::ingest::syslog;
using core::Field;

namespace {

RawMessage msg(std::string data) {
  return RawMessage{std::move(data), "127.0.0.1", 40000, *core::parse_rfc3339("2026-12-01T10:00:00Z"), false};
}

std::size_t count_prefixed(const core::Event& e, std::string_view prefix) {
  std::size_t n = 0;
  e.for_each([&](std::string_view k, std::string_view) { n += k.starts_with(prefix) ? 1 : 0; });
  return n;
}

}  // namespace

TEST_CASE("a JSON body of 10,000 keys keeps kMaxFields fields and counts the truncation") {
  core::Metrics metrics;
  SyslogParser parser(std::make_shared<config::Config>(), metrics);
  std::string body = "{";
  for (int i = 0; i < 10000; ++i) body += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":\"v\"";
  body += "}";
  const auto e = parser.parse(msg("<14>1 2026-12-01T10:00:00Z host app - - - " + body), "udp://t");
  CHECK(count_prefixed(e, "k") == JsonFlattener::kMaxFields);
  CHECK(e.get("k0") == "v");
  CHECK(e.get(Field::message) == body);
  CHECK(metrics.value("vigie_syslog_fields_truncated_total") == 1);

  const auto small = parser.parse(msg(R"(<14>1 2026-12-01T10:00:00Z host app - - - {"a":"b"})"), "udp://t");
  CHECK(small.get("a") == "b");
  CHECK(metrics.value("vigie_syslog_fields_truncated_total") == 1);  // not counted again
}

TEST_CASE("RFC 5424 with 1,000 SD params keeps kMaxSdParams and counts the truncation") {
  core::Metrics metrics;
  SyslogParser parser(std::make_shared<config::Config>(), metrics);
  std::string sd = "[ex@1";
  for (int i = 0; i < 1000; ++i) sd += " p" + std::to_string(i) + "=\"v" + std::to_string(i) + "\"";
  sd += "]";
  const auto e = parser.parse(msg("<14>1 2026-12-01T10:00:00Z host app - - " + sd + " the message"), "udp://t");
  CHECK(count_prefixed(e, "ex@1.") == kMaxSdParams);
  CHECK(e.get("ex@1.p0") == "v0");
  CHECK(e.get(Field::message) == "the message");
  CHECK(metrics.value("vigie_syslog_fields_truncated_total") == 1);
}

TEST_CASE("a repeated SD param keeps its first value; the message stays intact") {
  core::Metrics metrics;
  SyslogParser parser(std::make_shared<config::Config>(), metrics);
  const auto e = parser.parse(
      msg(R"(<14>1 2026-12-01T10:00:00Z host app - - [ex@1 user="first" user="second" x="1"] Failed password)"),
      "udp://t");
  CHECK(e.get("ex@1.user") == "first");
  CHECK(e.get("ex@1.x") == "1");
  CHECK(e.get(Field::message) == "Failed password");
  CHECK(metrics.value("vigie_syslog_fields_truncated_total") == 0);
}
