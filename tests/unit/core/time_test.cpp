#include "core/time.hpp"

#include <doctest/doctest.h>

#include <cstdio>

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

TEST_CASE("RFC 3339 format: hand-written digits agree with snprintf over 1970-2200") {
  uint64_t x = 88172645463325252ULL;  // xorshift64: reproducible spread of instants
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const TimePoint t{Duration{static_cast<int64_t>(x % 7'258'118'400'000'000ULL)}};  // < 2200-01-01
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss hms{t - day};
    char want[40];
    std::snprintf(want, sizeof want, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%06ldZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                  static_cast<long>(hms.seconds().count()), static_cast<long>(hms.subseconds().count()));
    REQUIRE(format_rfc3339(t) == want);
  }
  CHECK(format_rfc3339(TimePoint{}) == "1970-01-01T00:00:00.000000Z");
  CHECK(format_rfc3339(TimePoint{} - Duration{1}) == "1969-12-31T23:59:59.999999Z");
}

TEST_CASE("durations") {
  CHECK(parse_duration("5m") == duration_cast<Duration>(minutes{5}));
  CHECK(parse_duration("250ms") == duration_cast<Duration>(milliseconds{250}));
  CHECK(parse_duration("1d") == duration_cast<Duration>(hours{24}));
  CHECK_FALSE(parse_duration("5x"));
  CHECK(parse_duration("3650d") == duration_cast<Duration>(hours{24 * 3650}));
  CHECK_FALSE(parse_duration("3700d"));                 // over ten years
  CHECK_FALSE(parse_duration("9223372036854775807h"));  // would overflow
  CHECK_FALSE(parse_duration(""));
}
