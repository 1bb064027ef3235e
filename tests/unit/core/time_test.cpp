#include "core/time.hpp"

#include <doctest/doctest.h>

using namespace vigie::core;
using namespace std::chrono;

TEST_CASE("RFC 3339 parse and format") {
  auto t = parse_rfc3339("2003-10-11T22:14:15.003Z");
  REQUIRE(t);
  CHECK(format_rfc3339(*t) == "2003-10-11T22:14:15.003000Z");
  auto off = parse_rfc3339("2003-08-24T05:14:15.000003-07:00");
  REQUIRE(off);
  CHECK(format_rfc3339(*off) == "2003-08-24T12:14:15.000003Z");
  CHECK_FALSE(parse_rfc3339("2003-13-11T22:14:15Z"));
  CHECK_FALSE(parse_rfc3339("2003-10-11T22:14:15"));
  CHECK_FALSE(parse_rfc3339("garbage"));
}

TEST_CASE("durations") {
  CHECK(parse_duration("5m") == duration_cast<Duration>(minutes{5}));
  CHECK(parse_duration("250ms") == duration_cast<Duration>(milliseconds{250}));
  CHECK(parse_duration("1d") == duration_cast<Duration>(hours{24}));
  CHECK_FALSE(parse_duration("5x"));
  CHECK_FALSE(parse_duration(""));
}
