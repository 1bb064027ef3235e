// Syslog timestamps that carry no zone (RFC 3164 "Mmm dd hh:mm:ss", ISO 8601 without offset)
// and their placement on the UTC timeline: the sender's zone comes from its site, the missing
// year from the reception time (DESIGN.md §4).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "core/time.hpp"
#include "core/timezone.hpp"

namespace vigie::ingest::syslog {

// A wall-clock time as the sender wrote it.
struct LocalStamp {
  std::optional<int> year;  // absent in RFC 3164 timestamps
  unsigned month = 1;       // 1..12
  unsigned day = 1;         // 1..31
  core::Duration time_of_day{};
};

// "Mmm dd hh:mm:ss" (day space- or zero-padded, or a single digit), optional ".fraction",
// or Cisco's "Mmm dd yyyy hh:mm:ss"; a leading '*' or '.' (Cisco: clock not synchronised) is
// skipped. On success returns the stamp and sets `used` to the bytes consumed.
[[nodiscard]] std::optional<LocalStamp> parse_bsd_stamp(std::string_view s, std::size_t& used);
// "YYYY-MM-DDThh:mm:ss[.fraction]" with no zone designator (the whole of `s`).
[[nodiscard]] std::optional<LocalStamp> parse_iso_local(std::string_view s);

// Places a stamp in `tz`. A missing year is the year of `received` in that zone, except that a
// date more than 31 days ahead of reception belongs to the previous year ("Dec 31 23:59:59"
// received on Jan 1) and one more than 334 days behind belongs to the next year (a sender
// slightly ahead across New Year). nullopt if the date does not exist (Feb 30, Feb 29 of a
// non-leap year).
[[nodiscard]] std::optional<core::TimePoint> resolve_stamp(const LocalStamp& s, const core::TimeZone& tz,
                                                           core::TimePoint received);

// resolve_stamp, keeping what depends only on the zone and the reception time (the reception's
// local time and year, the day picked for the last date) from one call to the next: the messages of a batch usually
// share their reception time (a file's, all of them), so that part is computed once, not per message. The results are
// resolve_stamp's. One per thread (a parser's).
class StampResolver {
 public:
  [[nodiscard]] std::optional<core::TimePoint> resolve(const LocalStamp& s, const core::TimeZone& tz,
                                                       core::TimePoint received);

 private:
  const core::TimeZone* tz_ = nullptr;
  core::TimePoint received_{};
  core::Duration now_{};  // received, in tz_, since the epoch
  int year_ = 0;          // its year
  // The day picked for the last month/day, when the time of day cannot change it.
  bool day_valid_ = false;
  unsigned month_ = 0, mday_ = 0;
  std::optional<std::chrono::sys_days> day_;
  bool offset_valid_ = false;  // the zone has one offset over all of day_
  core::Duration offset_{};    // local − UTC over day_
};

}  // namespace vigie::ingest::syslog
