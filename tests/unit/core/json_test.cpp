#include "core/alert.hpp"
#include "core/json.hpp"

#include <doctest/doctest.h>

using namespace vigie::core;

TEST_CASE("json_quote escapes control characters and replaces invalid UTF-8") {
  std::string out;
  json_quote(out, "a\"b\\c\n\x01\xff" "é");
  CHECK(out == "\"a\\\"b\\\\c\\n\\u0001\\ufffdé\"");
}

TEST_CASE("sanitize_utf8 rejects overlongs and surrogates") {
  std::string out;
  CHECK_FALSE(sanitize_utf8("\xC0\xAF", out));
  out.clear();
  CHECK_FALSE(sanitize_utf8("\xED\xA0\x80", out));
  out.clear();
  CHECK(sanitize_utf8("Hôpital 🏥", out));
  CHECK(out == "Hôpital 🏥");
}

TEST_CASE("alert JSON carries the DESIGN §8 fields") {
  Alert a;
  a.rule = {"ssh-bruteforce", "SSH brute force", Level::high, {"attack.t1110"}, "", "AMBER"};
  a.site = "ch-quimper";
  a.key = {{"source.ip", "183.62.140.253"}};
  a.count = 10;
  a.first_seen = TimePoint{std::chrono::seconds(1700000000)};
  a.last_seen = a.first_seen;
  a.id = make_alert_id(a.rule.id, a.key, a.first_seen);
  const auto j = to_json(a);
  CHECK(j.find("\"rule\":{\"id\":\"ssh-bruteforce\",\"title\":\"SSH brute force\",\"level\":\"high\"") != std::string::npos);
  CHECK(j.find("\"key\":{\"source.ip\":\"183.62.140.253\"}") != std::string::npos);
  CHECK(j.find("\"first_seen\":\"2023-11-14T22:13:20.000000Z\"") != std::string::npos);
  CHECK(a.id.size() == 16);
  CHECK(make_alert_id("ssh-bruteforce", a.key, a.first_seen) == a.id);
  CHECK(make_alert_id("ssh-bruteforce", {{"source.ip", "1.2.3.4"}}, a.first_seen) != a.id);
}
