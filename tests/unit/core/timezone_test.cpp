#include "core/timezone.hpp"

#include <doctest/doctest.h>

using namespace vigie::core;
using namespace std::chrono;

namespace {

TimePoint utc_at(std::string_view rfc3339) { return *parse_rfc3339(rfc3339); }

local_time<Duration> local_at(int y, unsigned mo, unsigned d, int h, int mi, int s = 0) {
  return local_time<Duration>{
      (sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s}).time_since_epoch()};
}

}  // namespace

TEST_CASE("Europe/Paris offsets in winter, summer and around the changes") {
  auto paris = TimeZone::load("Europe/Paris");
  REQUIRE(paris);
  CHECK(paris->name() == "Europe/Paris");
  CHECK(paris->offset_at(utc_at("2024-01-15T12:00:00Z")) == hours{1});
  CHECK(paris->offset_at(utc_at("2024-07-15T12:00:00Z")) == hours{2});
  // 2024-03-31 01:00Z: CET → CEST; 2024-10-27 01:00Z: CEST → CET.
  CHECK(paris->offset_at(utc_at("2024-03-31T00:59:59Z")) == hours{1});
  CHECK(paris->offset_at(utc_at("2024-03-31T01:00:00Z")) == hours{2});
  CHECK(paris->offset_at(utc_at("2024-10-27T00:59:59Z")) == hours{2});
  CHECK(paris->offset_at(utc_at("2024-10-27T01:00:00Z")) == hours{1});
  // Before standard time zones existed: local mean time of Paris (+0:09:21).
  CHECK(paris->offset_at(utc_at("1880-01-01T00:00:00Z")) == seconds{561});
}

TEST_CASE("Europe/Paris far in the future follows the footer rule") {
  auto paris = TimeZone::load("Europe/Paris");
  REQUIRE(paris);
  // Last Sunday of March 2100 is the 28th, of October the 31st.
  CHECK(paris->offset_at(utc_at("2100-03-28T00:59:59Z")) == hours{1});
  CHECK(paris->offset_at(utc_at("2100-03-28T01:00:00Z")) == hours{2});
  CHECK(paris->offset_at(utc_at("2100-10-31T00:59:59Z")) == hours{2});
  CHECK(paris->offset_at(utc_at("2100-10-31T01:00:00Z")) == hours{1});
  CHECK(paris->offset_at(utc_at("2100-12-31T23:00:00Z")) == hours{1});
}

TEST_CASE("local to UTC, with the documented gap and overlap resolution") {
  auto paris = TimeZone::load("Europe/Paris");
  REQUIRE(paris);
  CHECK(format_rfc3339(paris->to_utc(local_at(2024, 1, 15, 13, 0))) == "2024-01-15T12:00:00.000000Z");
  CHECK(format_rfc3339(paris->to_utc(local_at(2024, 7, 15, 14, 0))) == "2024-07-15T12:00:00.000000Z");
  // Spring forward: 02:30 does not exist; read with +01:00, i.e. it lands on 03:30 CEST.
  CHECK(format_rfc3339(paris->to_utc(local_at(2024, 3, 31, 2, 30))) == "2024-03-31T01:30:00.000000Z");
  CHECK(format_rfc3339(paris->to_utc(local_at(2024, 3, 31, 1, 59, 59))) == "2024-03-31T00:59:59.000000Z");
  CHECK(format_rfc3339(paris->to_utc(local_at(2024, 3, 31, 3, 0))) == "2024-03-31T01:00:00.000000Z");
  // Fall back: 02:30 happens twice; the earlier (still CEST) instant is chosen.
  CHECK(format_rfc3339(paris->to_utc(local_at(2024, 10, 27, 2, 30))) == "2024-10-27T00:30:00.000000Z");
  CHECK(format_rfc3339(paris->to_utc(local_at(2024, 10, 27, 3, 0))) == "2024-10-27T02:00:00.000000Z");
  // Sub-second precision survives.
  CHECK(format_rfc3339(paris->to_utc(local_at(2024, 1, 15, 13, 0) + microseconds{250})) ==
        "2024-01-15T12:00:00.000250Z");
  // to_local is the inverse away from the ambiguous hour.
  const auto t = utc_at("2024-07-15T12:00:00Z");
  CHECK(paris->to_utc(paris->to_local(t)) == t);
}

TEST_CASE("UTC and southern hemisphere zones") {
  const auto utc = TimeZone::utc();
  CHECK(utc.offset_at(utc_at("2024-07-15T12:00:00Z")) == Duration{0});
  CHECK(format_rfc3339(utc.to_utc(local_at(2024, 3, 31, 2, 30))) == "2024-03-31T02:30:00.000000Z");
  auto etc = TimeZone::load("Etc/UTC");
  REQUIRE(etc);
  CHECK(etc->offset_at(utc_at("2024-07-15T12:00:00Z")) == Duration{0});

  // Sydney: DST from the first Sunday of October to the first Sunday of April (wraps the year).
  auto syd = TimeZone::from_posix("AEST-10AEDT,M10.1.0,M4.1.0/3", "test/Sydney");
  REQUIRE(syd);
  CHECK(syd->offset_at(utc_at("2030-01-15T00:00:00Z")) == hours{11});
  CHECK(syd->offset_at(utc_at("2030-07-15T00:00:00Z")) == hours{10});
  auto india = TimeZone::from_posix("<+0530>-5:30", "test/India");
  REQUIRE(india);
  CHECK(india->offset_at(utc_at("2030-07-15T00:00:00Z")) == minutes{330});
}

TEST_CASE("invalid names and data are errors, not crashes") {
  auto missing = TimeZone::load("Europe/Atlantis");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().where == "Europe/Atlantis");
  CHECK_FALSE(TimeZone::load("../../etc/passwd"));
  CHECK_FALSE(TimeZone::load("/etc/passwd"));
  CHECK_FALSE(TimeZone::load(""));
  CHECK_FALSE(TimeZone::from_tzif("TZif2 but far too short", "x"));
  CHECK_FALSE(TimeZone::from_posix("CET-1CEST,M13.5.0,M10.5.0", "x"));
  CHECK_FALSE(TimeZone::from_posix("1CET", "x"));
}

TEST_CASE("the cache loads once and remembers failures") {
  TimeZoneCache cache;
  auto a = cache.get("Europe/Paris");
  auto b = cache.get("Europe/Paris");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*a == *b);
  auto bad = cache.get("Nowhere/Nothing");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().what.find("unknown time zone") != std::string::npos);
}
