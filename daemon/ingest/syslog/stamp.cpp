#include "ingest/syslog/stamp.hpp"

#include <array>
#include <cstdint>

namespace vigie::ingest::syslog {
namespace {

using namespace std::chrono;
using core::Duration;

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

// Case-insensitive month abbreviation, compared as one 24-bit number (not 12 string compares).
int month_of(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                               "jul", "aug", "sep", "oct", "nov", "dec"};
  constexpr auto pack = [](char a, char b, char c) {
    return (uint32_t{static_cast<unsigned char>(a)} << 16) | (uint32_t{static_cast<unsigned char>(b)} << 8) |
           uint32_t{static_cast<unsigned char>(c)};
  };
  static constexpr std::array<uint32_t, 12> kPacked = [&] {
    std::array<uint32_t, 12> t{};
    for (std::size_t i = 0; i < 12; ++i) t[i] = pack(kMonths[i][0], kMonths[i][1], kMonths[i][2]);
    return t;
  }();
  if (s.size() < 3) return 0;
  const uint32_t m =
      pack(static_cast<char>(s[0] | 0x20), static_cast<char>(s[1] | 0x20), static_cast<char>(s[2] | 0x20));
  for (std::size_t i = 0; i < kPacked.size(); ++i)
    if (m == kPacked[i]) return static_cast<int>(i) + 1;
  return 0;
}

// "hh:mm:ss[.f+]" at pos; advances pos.
bool clock_time(std::string_view s, std::size_t& pos, Duration& out) {
  int h, mi, se;
  if (!digits(s, pos, 2, h) || pos + 2 >= s.size() || s[pos + 2] != ':' || !digits(s, pos + 3, 2, mi) ||
      pos + 5 >= s.size() || s[pos + 5] != ':' || !digits(s, pos + 6, 2, se))
    return false;
  if (h > 23 || mi > 59 || se > 60) return false;
  pos += 8;
  out = duration_cast<Duration>(hours{h} + minutes{mi} + seconds{se > 59 ? 59 : se});
  if (pos < s.size() && s[pos] == '.' && pos + 1 < s.size() && s[pos + 1] >= '0' && s[pos + 1] <= '9') {
    ++pos;
    int64_t scale = 100000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      out += Duration{(s[pos] - '0') * scale};
      scale /= 10;
      ++pos;
    }
  }
  return true;
}

std::optional<sys_days> date_of(int y, unsigned mo, unsigned d) {
  const year_month_day ymd{year{y}, month{mo}, day{d}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd};
}

}  // namespace

std::optional<LocalStamp> parse_bsd_stamp(std::string_view s, std::size_t& used) {
  std::size_t p = 0;
  if (!s.empty() && (s[0] == '*' || s[0] == '.')) p = 1;
  LocalStamp st;
  const int mo = month_of(s.substr(p));
  if (mo == 0 || p + 3 >= s.size() || s[p + 3] != ' ') return std::nullopt;
  st.month = static_cast<unsigned>(mo);
  p += 4;
  if (p < s.size() && s[p] == ' ') ++p;  // "Apr  5"
  int d = 0;
  if (digits(s, p, 2, d))
    p += 2;
  else if (digits(s, p, 1, d))
    p += 1;
  else
    return std::nullopt;
  if (d < 1 || d > 31 || p >= s.size() || s[p] != ' ') return std::nullopt;
  st.day = static_cast<unsigned>(d);
  ++p;
  int y = 0;
  if (digits(s, p, 4, y) && p + 4 < s.size() && s[p + 4] == ' ') {
    st.year = y;
    p += 5;
  }
  if (!clock_time(s, p, st.time_of_day)) return std::nullopt;
  // Cisco IOS and ASA end their stamp with a colon: "*Mar  1 00:49:03.075: %SYS-5-…".
  if (p < s.size() && s[p] == ':' && (p + 1 == s.size() || s[p + 1] == ' ')) ++p;
  if (p < s.size() && s[p] != ' ') return std::nullopt;
  used = p;
  return st;
}

std::optional<LocalStamp> parse_iso_local(std::string_view s) {
  int y, mo, d;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' '))
    return std::nullopt;
  LocalStamp st;
  st.year = y;
  st.month = static_cast<unsigned>(mo);
  st.day = static_cast<unsigned>(d);
  std::size_t p = 11;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || !clock_time(s, p, st.time_of_day) || p != s.size()) return std::nullopt;
  return st;
}

namespace {

// The day a year-less stamp falls on, once the reception is known in the zone: `now` (local,
// since the epoch) and its year. nullopt if the date does not exist in any candidate year.
std::optional<sys_days> pick_day(unsigned month, unsigned mday, Duration time_of_day, Duration now, int y) {
  for (const int candidate : {y, y - 1, y + 1}) {
    const auto day = date_of(candidate, month, mday);
    if (!day) continue;
    const auto t = (*day + time_of_day).time_since_epoch();
    if (t > now + days{31} && candidate != y - 1) continue;
    if (t < now - days{334} && candidate != y + 1) continue;
    return day;
  }
  return std::nullopt;
}

std::optional<core::TimePoint> at(std::optional<sys_days> day, const LocalStamp& s, const core::TimeZone& tz) {
  if (!day) return std::nullopt;
  return tz.to_utc(local_time<Duration>{(*day + s.time_of_day).time_since_epoch()});
}

std::optional<core::TimePoint> with_year(const LocalStamp& s, const core::TimeZone& tz) {
  const auto day = date_of(*s.year, s.month, s.day);
  if (!day) return std::nullopt;
  return tz.to_utc(local_time<Duration>{(*day + s.time_of_day).time_since_epoch()});
}

int year_of(Duration local) { return static_cast<int>(year_month_day{sys_days{floor<days>(local)}}.year()); }

}  // namespace

std::optional<core::TimePoint> resolve_stamp(const LocalStamp& s, const core::TimeZone& tz, core::TimePoint received) {
  if (s.year) return with_year(s, tz);
  const auto now = tz.to_local(received).time_since_epoch();
  return at(pick_day(s.month, s.day, s.time_of_day, now, year_of(now)), s, tz);
}

std::optional<core::TimePoint> StampResolver::resolve(const LocalStamp& s, const core::TimeZone& tz,
                                                      core::TimePoint received) {
  if (s.year) return with_year(s, tz);
  if (tz_ != &tz || received_ != received) {
    tz_ = &tz;
    received_ = received;
    now_ = tz.to_local(received).time_since_epoch();
    year_ = year_of(now_);
    day_valid_ = false;
  }
  if (day_valid_ && s.month == month_ && s.day == mday_) {
    if (!day_) return std::nullopt;
    if (offset_valid_) return core::TimePoint{(*day_ + s.time_of_day).time_since_epoch()} - offset_;
    return at(day_, s, tz);
  }
  const auto day = pick_day(s.month, s.day, s.time_of_day, now_, year_);
  // The pick is kept for the next stamps of that date only when no time of that day could change
  // it (the year boundaries, 31 days ahead and 334 behind, are not crossed within the day).
  const auto first = pick_day(s.month, s.day, Duration::zero(), now_, year_);
  const auto last = pick_day(s.month, s.day, days{1} - Duration{1}, now_, year_);
  if (first == last && first == day) {
    day_valid_ = true;
    month_ = s.month;
    mday_ = s.day;
    day_ = day;
    offset_valid_ = false;
    if (day) {
      // One offset for the whole day when its first and last instants have the same one: zones
      // change offset at most once a day (core/timezone.hpp), so no change falls in between, and
      // to_utc (4 offset lookups) becomes a subtraction for the day's next stamps.
      const auto local = [&](Duration tod) { return local_time<Duration>{(*day + tod).time_since_epoch()}; };
      const Duration at_start = (*day).time_since_epoch() - tz.to_utc(local(Duration::zero())).time_since_epoch();
      const Duration end_tod = days{1} - Duration{1};
      const Duration at_end = (*day + end_tod).time_since_epoch() - tz.to_utc(local(end_tod)).time_since_epoch();
      if (at_start == at_end) {
        offset_ = at_start;
        offset_valid_ = true;
      }
    }
  }
  return at(day, s, tz);
}

}  // namespace vigie::ingest::syslog
