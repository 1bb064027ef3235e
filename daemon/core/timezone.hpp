// Time zones from the system's compiled tz database (TZif files, RFC 8536, versions 1–3),
// because GCC 12's libstdc++ has no C++20 tzdb. Used to place RFC 3164 timestamps (local wall
// clock, no zone, no year) on the UTC timeline with each site's configured zone.
//
// Times past the last transition of the file follow its POSIX TZ footer
// ("CET-1CEST,M3.5.0,M10.5.0/3"), so future years work with "slim" zone files too.
//
// Ambiguous local times (DESIGN.md is silent; the choice follows java.time and
// std::chrono::choose::earliest, and is the same for every caller):
//   - overlap (clocks go back, the wall time happens twice): the EARLIER instant, i.e. the
//     offset in force before the change (Paris 2024-10-27 02:30 → 00:30Z, still CEST);
//   - gap (clocks go forward, the wall time never happens): the time is read with the offset in
//     force before the gap, which moves it forward by the gap length
//     (Paris 2024-03-31 02:30 → 01:30Z, which is 03:30 CEST).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"

namespace vigie::core {

inline constexpr std::string_view kZoneinfoRoot = "/usr/share/zoneinfo";

class TimeZone {
 public:
  // Reads <root>/<iana_name>. Names are checked first (letters, digits, "_+-/", no "..", not
  // absolute) so a configured name can never escape the zoneinfo directory.
  [[nodiscard]] static Result<TimeZone> load(std::string_view iana_name,
                                             const std::filesystem::path& root = kZoneinfoRoot);
  // Parses TZif bytes; `where` names the source in errors.
  [[nodiscard]] static Result<TimeZone> from_tzif(std::string_view bytes, std::string name);
  // Parses a bare POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3", "UTC0", "<+0330>-3:30").
  [[nodiscard]] static Result<TimeZone> from_posix(std::string_view tz, std::string name);
  [[nodiscard]] static TimeZone utc();

  [[nodiscard]] const std::string& name() const { return name_; }
  // Offset of local time from UTC at an instant (local = utc + offset).
  [[nodiscard]] Duration offset_at(TimePoint utc) const;
  // Local wall-clock time → UTC; gaps and overlaps resolved as documented above.
  [[nodiscard]] TimePoint to_utc(std::chrono::local_time<Duration> t) const;
  [[nodiscard]] std::chrono::local_time<Duration> to_local(TimePoint utc) const {
    return std::chrono::local_time<Duration>{(utc + offset_at(utc)).time_since_epoch()};
  }

  // A POSIX TZ rule date: Jn (julian, no Feb 29), n (zero-based, with Feb 29) or Mm.w.d.
  struct RuleDate {
    enum class Kind : uint8_t { julian1, julian0, month_week_day };
    Kind kind = Kind::month_week_day;
    int day = 0;  // Jn: 1..365; n: 0..365; M: weekday 0 (Sunday)..6
    int month = 0, week = 0;
    int64_t time = 7200;  // seconds after local midnight, may be negative or > 24h (TZif v3)
  };
  struct PosixRule {
    int64_t std_offset = 0;  // seconds east of UTC (the sign is the opposite of the TZ string)
    bool has_dst = false;
    int64_t dst_offset = 0;
    RuleDate start, end;
  };

 private:
  struct Type {
    int64_t utoff = 0;  // seconds east of UTC
    bool isdst = false;
  };
  [[nodiscard]] int64_t offset_seconds(int64_t utc) const;
  [[nodiscard]] int64_t footer_offset(int64_t utc) const;

  std::string name_;
  std::vector<int64_t> transitions_;  // UTC seconds, ascending
  std::vector<uint8_t> type_of_;      // type index for each transition
  std::vector<Type> types_;
  bool has_footer_ = false;
  PosixRule footer_;
};

// Loaded zones by name, for one owner (e.g. one SyslogParser, one worker thread): not
// thread-safe. Failures are cached too, so a bad configured name costs one file read, not one
// per message. Returned pointers stay valid for the cache's lifetime.
class TimeZoneCache {
 public:
  explicit TimeZoneCache(std::filesystem::path root = std::filesystem::path(kZoneinfoRoot)) : root_(std::move(root)) {}
  [[nodiscard]] Result<const TimeZone*> get(std::string_view iana_name);

 private:
  std::filesystem::path root_;
  std::map<std::string, Result<std::unique_ptr<TimeZone>>, std::less<>> zones_;
};

}  // namespace vigie::core
