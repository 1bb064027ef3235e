// StampResolver: resolve_stamp with the reception's local year kept between calls; it must give
// resolve_stamp's answer for every stamp, reception time and zone, in any order of calls.
#include "ingest/syslog/stamp.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace vigie;
using namespace vigie::ingest::syslog;

TEST_CASE("StampResolver gives resolve_stamp's results across New Year, DST and zone changes") {
  auto paris = core::TimeZone::load("Europe/Paris");
  REQUIRE(paris.has_value());
  const core::TimeZone utc = core::TimeZone::utc();
  const std::vector<const core::TimeZone*> zones = {&utc, &*paris};
  const std::vector<std::string> receptions = {"2026-12-31T23:30:00Z", "2027-01-01T00:30:00Z", "2026-03-29T01:30:00Z",
                                               "2026-10-25T00:30:00Z", "2026-07-14T12:00:00Z", "2024-02-29T12:00:00Z"};
  const std::vector<std::string> stamps = {"Dec 31 23:59:59",     "Jan  1 00:00:01", "Mar 29 02:30:00",
                                           "Oct 25 02:30:00",     "Feb 29 12:00:00", "Feb 30 12:00:00",
                                           "Jul 14 12:00:00.250", "Nov 30 10:00:00", "Dec  1 2025 10:00:00"};
  StampResolver resolver;
  int compared = 0;
  // Same reception for many stamps (the cached case), then a change of zone or reception.
  for (const auto* tz : zones) {
    for (const auto& rec : receptions) {
      const auto received = *core::parse_rfc3339(rec);
      for (const auto& text : stamps) {
        std::size_t used = 0;
        const auto st = parse_bsd_stamp(text, used);
        REQUIRE(st.has_value());
        CAPTURE(tz->name());
        CAPTURE(rec);
        CAPTURE(text);
        const auto want = resolve_stamp(*st, *tz, received);
        CHECK(resolver.resolve(*st, *tz, received) == want);
        ++compared;
      }
    }
  }
  CHECK(compared == 2 * 6 * 9);
  // Interleaved: the cache must follow every change of zone and reception.
  std::size_t used = 0;
  const auto dec31 = *parse_bsd_stamp("Dec 31 23:59:59", used);
  const auto jan1 = *core::parse_rfc3339("2027-01-01T00:30:00Z");
  const auto jul = *core::parse_rfc3339("2026-07-14T12:00:00Z");
  for (int i = 0; i < 4; ++i) {
    const auto* tz = zones[static_cast<std::size_t>(i) % 2];
    const auto rec = i < 2 ? jan1 : jul;
    CHECK(resolver.resolve(dec31, *tz, rec) == resolve_stamp(dec31, *tz, rec));
  }
  // The answers themselves: received just after New Year, "Dec 31" is last year's.
  CHECK(core::format_rfc3339(*resolver.resolve(dec31, utc, jan1)) == "2026-12-31T23:59:59.000000Z");
  CHECK(core::format_rfc3339(*resolver.resolve(dec31, utc, jul)) == "2025-12-31T23:59:59.000000Z");
  // 31 days ahead of reception falls inside one day: the time of day decides the year there, so
  // the pick for that date must not be reused for a later time of the same date.
  const auto nov30 = *core::parse_rfc3339("2026-11-30T12:00:00Z");
  const auto before = *parse_bsd_stamp("Dec 31 11:59:59", used);
  const auto after = *parse_bsd_stamp("Dec 31 12:00:01", used);
  StampResolver fresh;
  CHECK(core::format_rfc3339(*fresh.resolve(before, utc, nov30)) == "2026-12-31T11:59:59.000000Z");
  CHECK(core::format_rfc3339(*fresh.resolve(after, utc, nov30)) == "2025-12-31T12:00:01.000000Z");
  CHECK(core::format_rfc3339(*fresh.resolve(before, utc, nov30)) == "2026-12-31T11:59:59.000000Z");
  CHECK(fresh.resolve(after, utc, nov30) == resolve_stamp(after, utc, nov30));
  // A date away from the boundaries is reused; it must still follow the time of day it is given.
  const auto morning = *parse_bsd_stamp("Jul 14 08:00:00", used);
  const auto evening = *parse_bsd_stamp("Jul 14 20:30:00.5", used);
  CHECK(fresh.resolve(morning, *paris, jul) == resolve_stamp(morning, *paris, jul));
  CHECK(fresh.resolve(evening, *paris, jul) == resolve_stamp(evening, *paris, jul));
  CHECK(core::format_rfc3339(*fresh.resolve(evening, *paris, jul)) == "2026-07-14T18:30:00.500000Z");
  // DST days in Paris (2026-03-29 forward, 2026-10-25 back) and an ordinary day, each stamp of
  // the day in turn with the same resolver: gaps, overlaps and plain hours as resolve_stamp has.
  StampResolver dst;
  const auto rec = *core::parse_rfc3339("2026-11-01T12:00:00Z");
  for (const std::string date : {"Mar 29", "Oct 25", "Jun  3"}) {
    for (const std::string tod : {"00:00:00", "01:59:59", "02:00:00", "02:30:00", "03:00:00", "03:30:00", "12:00:00",
                                  "23:59:59.999999", "00:10:00"}) {
      const auto st = *parse_bsd_stamp(date + " " + tod, used);
      CAPTURE(date);
      CAPTURE(tod);
      CHECK(dst.resolve(st, *paris, rec) == resolve_stamp(st, *paris, rec));
    }
  }
  CHECK(core::format_rfc3339(*dst.resolve(*parse_bsd_stamp("Jun  3 12:00:00", used), *paris, rec)) ==
        "2026-06-03T10:00:00.000000Z");
}
