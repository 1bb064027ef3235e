#include "core/timezone.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace vigie::core {
namespace {

using std::chrono::days;
using std::chrono::seconds;

constexpr int64_t kDay = 86400;

// ---- POSIX TZ strings (TZif footer), POSIX.1-2017 §8.3 plus the TZif v3 extensions ----------

class PosixReader {
 public:
  explicit PosixReader(std::string_view s) : s_(s) {}

  bool name() {
    if (at('<')) {
      const auto close = s_.find('>', i_);
      if (close == std::string_view::npos || close == i_ + 1) return false;
      i_ = close + 1;
      return true;
    }
    const std::size_t start = i_;
    while (i_ < s_.size() && ((s_[i_] >= 'A' && s_[i_] <= 'Z') || (s_[i_] >= 'a' && s_[i_] <= 'z'))) ++i_;
    return i_ > start;
  }
  // [+-]hh[:mm[:ss]] in seconds; hours up to 167 (TZif v3 allows extended rule times).
  bool hms(int64_t& out) {
    int sign = 1;
    if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) sign = s_[i_++] == '-' ? -1 : 1;
    int64_t parts[3] = {0, 0, 0};
    for (int p = 0; p < 3; ++p) {
      if (p > 0 && !(i_ < s_.size() && s_[i_] == ':')) break;
      if (p > 0) ++i_;
      int64_t v = 0;
      if (!number(v) || v > (p == 0 ? 167 : 59)) return false;
      parts[p] = v;
    }
    out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
    return true;
  }
  bool number(int64_t& v) {
    const std::size_t start = i_;
    v = 0;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9' && i_ - start < 6) v = v * 10 + (s_[i_++] - '0');
    return i_ > start;
  }
  bool rule_date(TimeZone::RuleDate& d) {
    int64_t a = 0, b = 0, c = 0;
    if (at('J')) {
      if (!number(a) || a < 1 || a > 365) return false;
      d.kind = TimeZone::RuleDate::Kind::julian1;
      d.day = static_cast<int>(a);
    } else if (at('M')) {
      if (!number(a) || !at('.') || !number(b) || !at('.') || !number(c)) return false;
      if (a < 1 || a > 12 || b < 1 || b > 5 || c > 6) return false;
      d.kind = TimeZone::RuleDate::Kind::month_week_day;
      d.month = static_cast<int>(a);
      d.week = static_cast<int>(b);
      d.day = static_cast<int>(c);
    } else {
      if (!number(a) || a > 365) return false;
      d.kind = TimeZone::RuleDate::Kind::julian0;
      d.day = static_cast<int>(a);
    }
    d.time = 7200;
    if (at('/')) return hms(d.time);
    return true;
  }
  bool at(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  [[nodiscard]] bool done() const { return i_ == s_.size(); }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

bool parse_posix(std::string_view s, TimeZone::PosixRule& r) {
  PosixReader in(s);
  int64_t off = 0;
  if (!in.name() || !in.hms(off)) return false;
  r.std_offset = -off;
  if (in.done()) return true;
  if (!in.name()) return false;
  r.has_dst = true;
  r.dst_offset = r.std_offset + 3600;
  if (!in.done() && !in.at(',')) {
    if (!in.hms(off)) return false;
    r.dst_offset = -off;
    if (!in.done() && !in.at(',')) return false;
  }
  if (in.done()) {
    // No rule given: POSIX leaves it implementation-defined; use the US rule like glibc.
    r.start = {TimeZone::RuleDate::Kind::month_week_day, 0, 3, 2, 7200};
    r.end = {TimeZone::RuleDate::Kind::month_week_day, 0, 11, 1, 7200};
    return true;
  }
  return in.rule_date(r.start) && in.at(',') && in.rule_date(r.end) && in.done();
}

// Days since the epoch of a rule date in year y.
int64_t rule_day(const TimeZone::RuleDate& d, int y) {
  using namespace std::chrono;
  const year yr{y};
  const int64_t jan1 = sys_days{yr / January / 1}.time_since_epoch().count();
  switch (d.kind) {
    case TimeZone::RuleDate::Kind::julian1:
      return jan1 + d.day - 1 + (yr.is_leap() && d.day >= 60 ? 1 : 0);
    case TimeZone::RuleDate::Kind::julian0:
      return jan1 + d.day;
    case TimeZone::RuleDate::Kind::month_week_day:
      break;
  }
  const month m{static_cast<unsigned>(d.month)};
  const weekday wd{static_cast<unsigned>(d.day)};
  if (d.week == 5) return sys_days{yr / m / wd[last]}.time_since_epoch().count();
  return sys_days{yr / m / wd[static_cast<unsigned>(d.week)]}.time_since_epoch().count();
}

// ---- TZif ---------------------------------------------------------------------------------

uint32_t be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
int64_t be64(const unsigned char* p) { return static_cast<int64_t>((uint64_t{be32(p)} << 32) | uint64_t{be32(p + 4)}); }

struct Header {
  char version = 0;
  uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
  [[nodiscard]] std::size_t data_size(std::size_t time_size) const {
    return timecnt * time_size + timecnt + std::size_t{typecnt} * 6 + charcnt + leapcnt * (time_size + 4) + isstdcnt +
           isutcnt;
  }
};

bool read_header(std::string_view b, std::size_t pos, Header& h) {
  if (b.size() < pos + 44 || b.substr(pos, 4) != "TZif") return false;
  const auto* p = reinterpret_cast<const unsigned char*>(b.data() + pos);
  h.version = static_cast<char>(p[4]);
  h.isutcnt = be32(p + 20);
  h.isstdcnt = be32(p + 24);
  h.leapcnt = be32(p + 28);
  h.timecnt = be32(p + 32);
  h.typecnt = be32(p + 36);
  h.charcnt = be32(p + 40);
  // RFC 8536 §3.1 bounds; also keeps the size arithmetic far from overflow.
  return h.typecnt >= 1 && h.typecnt <= 256 && h.timecnt <= 1u << 20 && h.leapcnt <= 1u << 16 &&
         h.charcnt <= 1u << 16 && h.isstdcnt <= h.typecnt && h.isutcnt <= h.typecnt;
}

bool valid_name(std::string_view n) {
  if (n.empty() || n.size() > 128 || n.front() == '/' || n.find("..") != std::string_view::npos) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '+' ||
           c == '-' || c == '/';
  });
}

}  // namespace

Result<TimeZone> TimeZone::from_posix(std::string_view tz, std::string name) {
  TimeZone z;
  z.name_ = std::move(name);
  if (!parse_posix(tz, z.footer_)) return fail(z.name_, "invalid POSIX TZ string \"" + std::string(tz) + "\"");
  z.has_footer_ = true;
  z.types_.push_back(Type{z.footer_.std_offset, false});
  return z;
}

Result<TimeZone> TimeZone::from_tzif(std::string_view b, std::string name) {
  TimeZone z;
  z.name_ = std::move(name);
  Header h;
  if (!read_header(b, 0, h)) return fail(z.name_, "not a TZif file (bad header)");
  std::size_t pos = 44;
  std::size_t tsize = 4;
  if (h.version >= '2') {
    pos += h.data_size(4);
    if (!read_header(b, pos, h)) return fail(z.name_, "truncated TZif file (no version 2 header)");
    pos += 44;
    tsize = 8;
  }
  if (b.size() < pos + h.data_size(tsize)) return fail(z.name_, "truncated TZif file");
  const auto* p = reinterpret_cast<const unsigned char*>(b.data() + pos);
  for (uint32_t i = 0; i < h.timecnt; ++i)
    z.transitions_.push_back(tsize == 8 ? be64(p + std::size_t{i} * 8)
                                        : static_cast<int32_t>(be32(p + std::size_t{i} * 4)));
  p += h.timecnt * tsize;
  for (uint32_t i = 0; i < h.timecnt; ++i) {
    if (p[i] >= h.typecnt) return fail(z.name_, "TZif transition refers to an unknown type");
    z.type_of_.push_back(p[i]);
  }
  p += h.timecnt;
  for (uint32_t i = 0; i < h.typecnt; ++i, p += 6) z.types_.push_back(Type{static_cast<int32_t>(be32(p)), p[4] != 0});
  if (!std::is_sorted(z.transitions_.begin(), z.transitions_.end()))
    return fail(z.name_, "TZif transitions are not in ascending order");
  pos += h.data_size(tsize);
  if (h.version >= '2' && pos < b.size() && b[pos] == '\n') {
    const auto end = b.find('\n', pos + 1);
    if (end == std::string_view::npos) return fail(z.name_, "TZif footer is not terminated");
    const auto tz = b.substr(pos + 1, end - pos - 1);
    if (!tz.empty()) {
      if (!parse_posix(tz, z.footer_)) return fail(z.name_, "invalid TZif footer \"" + std::string(tz) + "\"");
      z.has_footer_ = true;
    }
  }
  return z;
}

Result<TimeZone> TimeZone::load(std::string_view iana_name, const std::filesystem::path& root) {
  if (!valid_name(iana_name)) return fail(std::string(iana_name), "not a valid IANA time zone name");
  const auto path = root / std::filesystem::path(iana_name);
  std::ifstream f(path, std::ios::binary);
  if (!f) return fail(std::string(iana_name), "unknown time zone (no " + path.string() + ")");
  std::ostringstream buf;
  buf << f.rdbuf();
  return from_tzif(buf.str(), std::string(iana_name));
}

TimeZone TimeZone::utc() {
  TimeZone z;
  z.name_ = "UTC";
  z.types_.push_back(Type{0, false});
  return z;
}

int64_t TimeZone::footer_offset(int64_t t) const {
  const auto& r = footer_;
  if (!r.has_dst) return r.std_offset;
  using namespace std::chrono;
  const auto local_day = floor<days>(sys_seconds{seconds{t + r.std_offset}});
  const int y = static_cast<int>(year_month_day{local_day}.year());
  const int64_t start = rule_day(r.start, y) * kDay + r.start.time - r.std_offset;
  const int64_t end = rule_day(r.end, y) * kDay + r.end.time - r.dst_offset;
  const bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
  return dst ? r.dst_offset : r.std_offset;
}

int64_t TimeZone::offset_seconds(int64_t t) const {
  if (transitions_.empty()) return has_footer_ ? footer_offset(t) : types_.front().utoff;
  if (t < transitions_.front()) return types_.front().utoff;
  const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  if (it == transitions_.end() && has_footer_) return footer_offset(t);
  return types_[type_of_[static_cast<std::size_t>(it - transitions_.begin() - 1)]].utoff;
}

Duration TimeZone::offset_at(TimePoint utc) const {
  const auto s = std::chrono::floor<seconds>(utc).time_since_epoch().count();
  return std::chrono::duration_cast<Duration>(seconds{offset_seconds(s)});
}

TimePoint TimeZone::to_utc(std::chrono::local_time<Duration> t) const {
  const int64_t local = std::chrono::floor<seconds>(t).time_since_epoch().count();
  const Duration frac = t.time_since_epoch() - std::chrono::floor<seconds>(t).time_since_epoch();
  // The offsets in force a day either side bound every offset this wall time can have
  // (transitions are never closer than that in the tz database).
  const int64_t before = offset_seconds(local - kDay);
  const int64_t after = offset_seconds(local + kDay);
  const bool before_ok = offset_seconds(local - before) == before;
  const bool after_ok = offset_seconds(local - after) == after;
  int64_t off = before;  // gap: read with the offset before the change (moves forward)
  if (before_ok && after_ok)
    off = std::max(before, after);  // overlap: earlier instant
  else if (after_ok)
    off = after;
  return TimePoint{std::chrono::duration_cast<Duration>(seconds{local - off})} + frac;
}

Result<const TimeZone*> TimeZoneCache::get(std::string_view iana_name) {
  auto it = zones_.find(iana_name);
  if (it == zones_.end()) {
    auto loaded =
        TimeZone::load(iana_name, root_).map([](TimeZone z) { return std::make_unique<TimeZone>(std::move(z)); });
    it = zones_.emplace(std::string(iana_name), std::move(loaded)).first;
  }
  if (!it->second) return tl::unexpected(it->second.error());
  return it->second->get();
}

}  // namespace vigie::core
