#include "core/time.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace vigie::core {
namespace {

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

}  // namespace

// Writes `v` as exactly `n` decimal digits ending just before `end`.
void put_digits(char* end, std::size_t n, uint64_t v) {
  for (std::size_t i = 0; i < n; ++i) {
    *--end = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

std::size_t format_rfc3339(TimePoint t, char* buf) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  const int year = static_cast<int>(ymd.year());
  if (year >= 0 && year <= 9999) {
    // Digits by hand, not snprintf: this ran twice per event on the parse path (≈ 8 % of replay
    // time) before stamps were kept as numbers until read.
    constexpr std::string_view kShape = "0000-00-00T00:00:00.000000Z";
    std::memcpy(buf, kShape.data(), kShape.size());
    put_digits(buf + 4, 4, static_cast<uint64_t>(year));
    put_digits(buf + 7, 2, static_cast<unsigned>(ymd.month()));
    put_digits(buf + 10, 2, static_cast<unsigned>(ymd.day()));
    put_digits(buf + 13, 2, static_cast<uint64_t>(hms.hours().count()));
    put_digits(buf + 16, 2, static_cast<uint64_t>(hms.minutes().count()));
    put_digits(buf + 19, 2, static_cast<uint64_t>(hms.seconds().count()));
    put_digits(buf + 26, 6, static_cast<uint64_t>(hms.subseconds().count()));
    return kShape.size();
  }
  char tmp[64];
  const int n = std::snprintf(tmp, sizeof tmp, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%06ldZ", static_cast<int>(ymd.year()),
                              static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                              static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                              static_cast<long>(hms.seconds().count()), static_cast<long>(hms.subseconds().count()));
  const std::size_t len = std::min<std::size_t>(n > 0 ? static_cast<std::size_t>(n) : 0, 40);
  std::memcpy(buf, tmp, len);
  return len;
}

std::string format_rfc3339(TimePoint t) {
  char buf[40];
  return std::string(buf, format_rfc3339(t, buf));
}

std::optional<TimePoint> parse_rfc3339(std::string_view s) {
  using namespace std::chrono;
  int y, mo, d, h, mi, se;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) || s[13] != ':' ||
      !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se))
    return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 60) return std::nullopt;
  std::size_t i = 19;
  int64_t micros = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int64_t scale = 100000;
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      micros += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return std::nullopt;
  }
  int64_t offset_s = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    const bool colon = i + 3 < s.size() && s[i + 3] == ':';
    if (!digits(s, i + 1, 2, oh) || !digits(s, i + (colon ? 4 : 3), 2, om)) return std::nullopt;
    offset_s = (int64_t{oh} * 3600 + int64_t{om} * 60) * (s[i] == '-' ? -1 : 1);
    i += colon ? 6 : 5;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  const auto t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{se > 59 ? 59 : se} - seconds{offset_s};
  return time_point_cast<Duration>(t) + Duration{micros};
}

std::optional<Duration> parse_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc{} || n < 0) return std::nullopt;
  const std::string_view unit(end, static_cast<std::size_t>(s.data() + s.size() - end));
  using namespace std::chrono;
  int64_t us_per = 0;  // microseconds per unit
  if (unit == "ms")
    us_per = 1'000;
  else if (unit == "s" || unit.empty())
    us_per = 1'000'000;
  else if (unit == "m")
    us_per = 60'000'000;
  else if (unit == "h")
    us_per = 3'600'000'000;
  else if (unit == "d")
    us_per = 86'400'000'000;
  else
    return std::nullopt;
  // Nothing here means more than ten years (timespans, suppressions, retries); a bound also
  // keeps every sum of a time and a duration far from overflow.
  constexpr int64_t kMax = int64_t{10} * 366 * 86'400'000'000;
  if (n > kMax / us_per) return std::nullopt;
  return Duration{n * us_per};
}

}  // namespace vigie::core
