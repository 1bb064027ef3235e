// bench_retro: the retro-hunt figure — "retro-hunt of one new indicator against 30 days × 280
// sites of observables: milliseconds". Fills a SQLite file (store::Store::open: WAL,
// synchronous=FULL, on disk) with what 280 sites would have left in 30 days, then times, on one
// thread:
//   fill:   upsert_observables() of the 30-day rows, in batches of 100,000 (the aggregator's cap);
//   day:    one more day's flush — mostly updates of rows already there, plus that day's new
//           values — what the store thread writes per day;
//   purge:  purge_observables() of the oldest day;
//   hunt:   retro_hunt() of H new indicators (IPs seen and unseen, /24 ranges around seen
//           addresses, registered domains whose subdomains were seen), per indicator;
//   ref:    the same key ranges through a bare prepared SELECT (rows stepped, nothing decoded
//           or sorted), and one primary-key row read: SQLite's own floor, same run, same file;
//   aggregate: ObservableAggregator::add() of generated events (three observables each).
// Each site and day: 2,000 distinct IPs and 1,000 domains — 1,900 IPs and 950 domains from the
// site's recurring set (half shared by all sites: cloud, CDN, updates; half its own), and 100
// IPs and 50 domains seen that day only. Addresses fall in 8,000 public /24 blocks, names
// under 20,000 registered domains. Seeded: same arguments, same file. Prints key=value lines.
//
// usage: bench_retro DIR [--sites N] [--days N] [--hunts N] [--seed S]
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "core/event.hpp"
#include "intel/observable_key.hpp"
#include "intel/observables.hpp"
#include "store/observables.hpp"
#include "store/store.hpp"

using namespace vigie;
using intel::IocType;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kShared = 1000, kOwn = 1000, kTail = 100;  // IPs; domains are half of each
constexpr int kBlocks = 8000, kRegistered = 20000;
constexpr std::size_t kBatch = 100'000;

uint64_t mix(uint64_t a, uint64_t b = 0, uint64_t c = 0, uint64_t d = 0) {  // splitmix64 of a tuple
  uint64_t z = a * 0x9e3779b97f4a7c15ULL ^ b * 0xbf58476d1ce4e5b9ULL ^ c * 0x94d049bb133111ebULL ^ d;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t g_seed = 1;

std::string block_base(uint64_t block) {  // a public /24, as "a.b.c."
  const uint64_t h = mix(g_seed, 7, block);
  unsigned a = 1 + static_cast<unsigned>(h % 222);
  if (a == 10 || a == 100 || a == 127 || a == 169 || a == 172 || a == 192) ++a;
  return std::to_string(a) + "." + std::to_string((h >> 8) & 255) + "." + std::to_string((h >> 16) & 255) + ".";
}
std::string ip_of(uint64_t h) { return block_base(h % kBlocks) + std::to_string((h >> 32) & 255); }

std::string label(uint64_t h) {
  static constexpr const char* kSyl[] = {"ka", "ro", "mi",  "sec", "net", "up", "dl", "cdn", "log", "in",
                                         "zu", "ve", "tra", "pay", "acc", "on", "x",  "q",   "bo",  "ne"};
  std::string s;
  for (int n = 2 + static_cast<int>(h % 3); n > 0; --n, h /= 20) s += kSyl[h % 20];
  return s;
}
std::string registered(uint64_t k) {
  static constexpr const char* kTld[] = {"com", "net", "org", "fr", "io", "eu", "info", "xyz"};
  return label(mix(g_seed, 11, k)) + std::to_string(k % 97) + "." + kTld[k % 8];
}
std::string domain_of(uint64_t h) {
  std::string name = label(h >> 8) + "." + registered(h % kRegistered);
  return (h >> 60) % 4 == 0 ? label(h >> 24) + "." + name : name;
}

// Value i of a site's recurring set (the first half shared by all sites), and of a day's tail.
uint64_t recurring(int site, int i, bool ip) {
  const int half = (ip ? kShared : kShared / 2);
  return i < half ? mix(g_seed, ip ? 1 : 2, static_cast<uint64_t>(i)) : mix(g_seed, ip ? 3 : 4, site, i);
}
uint64_t tail(int site, int day, int i, bool ip) { return mix(g_seed, ip ? 5 : 6, site, day * 100'000 + i); }

core::TimePoint start() { return core::TimePoint{std::chrono::days(20'400)}; }  // 2025-11-08
core::TimePoint at(int day, uint64_t h) {
  return start() + std::chrono::days(day) + std::chrono::seconds(static_cast<int64_t>(h % 86'400));
}

struct Writer {
  store::Db& db;
  std::vector<store::ObservableRow> batch;
  std::size_t rows = 0, commits = 0;
  void add(IocType t, const std::string& value, int site, core::TimePoint first, core::TimePoint last, int64_t n) {
    batch.push_back(
        {static_cast<int>(t), intel::observable_key(t, value).value(), "site-" + std::to_string(site), first, last, n});
    if (batch.size() >= kBatch) flush();
  }
  void flush() {
    if (batch.empty()) return;
    if (auto r = store::upsert_observables(db, batch); !r) {
      std::fprintf(stderr, "bench_retro: %s\n", r.error().to_string().c_str());
      std::exit(1);
    }
    rows += batch.size(), ++commits;
    batch.clear();
  }
};

// The rows a site's `days` days aggregate to: recurring values seen from the first days to the
// last, each day's tail on its day.
void fill_site(Writer& w, int site, int days) {
  for (const bool ip : {true, false}) {
    const IocType t = ip ? IocType::ip : IocType::domain;
    const int recur = (ip ? kShared + kOwn : (kShared + kOwn) / 2), tails = ip ? kTail : kTail / 2;
    for (int i = 0; i < recur; ++i) {
      const uint64_t h = recurring(site, i, ip), r = mix(h, site);
      w.add(t, ip ? ip_of(h) : domain_of(h), site, at(static_cast<int>(r % 3), r),
            at(days - 1 - static_cast<int>((r >> 8) % 3), r >> 16), days * (1 + static_cast<int64_t>((r >> 24) % 40)));
    }
    for (int d = 0; d < days; ++d)
      for (int i = 0; i < tails; ++i) {
        const uint64_t h = tail(site, d, i, ip);
        const auto when = at(d, h >> 3);
        w.add(t, ip ? ip_of(h) : domain_of(h), site, when, when, 1 + static_cast<int64_t>(h % 20));
      }
  }
}

// One more day (`day`) at a site: 95 % of the recurring values again, and a new tail.
void day_site(Writer& w, int site, int day) {
  for (const bool ip : {true, false}) {
    const IocType t = ip ? IocType::ip : IocType::domain;
    const int recur = (ip ? kShared + kOwn : (kShared + kOwn) / 2), tails = ip ? kTail : kTail / 2;
    for (int i = 0; i < recur; ++i) {
      const uint64_t h = recurring(site, i, ip);
      if (mix(h, site, day) % 20 == 0) continue;
      w.add(t, ip ? ip_of(h) : domain_of(h), site, at(day, h), at(day, h >> 20), 1 + static_cast<int64_t>(h % 40));
    }
    for (int i = 0; i < tails; ++i) {
      const uint64_t h = tail(site, day, i, ip);
      w.add(t, ip ? ip_of(h) : domain_of(h), site, at(day, h), at(day, h), 1);
    }
  }
}

double secs(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }
double ms_at(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

// SQLite's floor for the same key ranges: a bare statement, rows stepped and counted.
struct Reference {
  sqlite3_stmt* closed = nullptr;
  sqlite3_stmt* open = nullptr;
  sqlite3_stmt* point = nullptr;
  explicit Reference(sqlite3* db) {
    const char* base = "SELECT key, site, first_seen, last_seen, count FROM observables WHERE type = ?1 AND key >= ?2";
    sqlite3_prepare_v2(db, (std::string(base) + " AND key <= ?3 AND first_seen < ?4").c_str(), -1, &closed, nullptr);
    sqlite3_prepare_v2(db, (std::string(base) + " AND key < ?3 AND first_seen < ?4").c_str(), -1, &open, nullptr);
    sqlite3_prepare_v2(db, "SELECT count FROM observables WHERE type = ?1 AND key = ?2 AND site = ?3", -1, &point,
                       nullptr);
  }
  ~Reference() { sqlite3_finalize(closed), sqlite3_finalize(open), sqlite3_finalize(point); }
  std::size_t range(int type, const store::KeyRange& r, int64_t before) {
    sqlite3_stmt* s = r.include_hi ? closed : open;
    sqlite3_bind_int(s, 1, type);
    sqlite3_bind_blob(s, 2, r.lo.data(), static_cast<int>(r.lo.size()), SQLITE_STATIC);
    sqlite3_bind_blob(s, 3, r.hi.data(), static_cast<int>(r.hi.size()), SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, before);
    std::size_t n = 0;
    while (sqlite3_step(s) == SQLITE_ROW) ++n;
    sqlite3_reset(s);
    return n;
  }
  bool row(int type, const std::string& key, const std::string& site) {
    sqlite3_bind_int(point, 1, type);
    sqlite3_bind_blob(point, 2, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    sqlite3_bind_text(point, 3, site.data(), static_cast<int>(site.size()), SQLITE_STATIC);
    const bool found = sqlite3_step(point) == SQLITE_ROW;
    sqlite3_reset(point);
    return found;
  }
};

struct Hunt {
  intel::Indicator ind;
  const char* kind;
};

std::vector<Hunt> hunts(int n, int sites, int days) {
  std::vector<Hunt> out;
  for (int i = 0; i < n; ++i) {
    const uint64_t r = mix(g_seed, 99, i);
    const int site = static_cast<int>(r % sites), k = static_cast<int>((r >> 16) % 4);
    const bool own = (r >> 24) % 2 == 0;
    const uint64_t h = own ? recurring(site, static_cast<int>((r >> 32) % (kShared + kOwn)), true)
                           : tail(site, static_cast<int>((r >> 40) % days), static_cast<int>((r >> 48) % kTail), true);
    intel::Indicator ind;
    ind.feed = "bench";
    if (k == 0) {
      ind.type = IocType::ip, ind.value = ip_of(h), out.push_back({ind, "ip_seen"});
    } else if (k == 1) {
      ind.type = IocType::ip, ind.value = "203.0.113." + std::to_string(r % 256), out.push_back({ind, "ip_unseen"});
    } else if (k == 2) {
      ind.type = IocType::ip, ind.value = block_base(h % kBlocks) + "0/24", out.push_back({ind, "cidr24"});
    } else {
      ind.type = IocType::domain, ind.value = registered(r % kRegistered), out.push_back({ind, "domain"});
    }
  }
  return out;
}

int arg(int argc, char** argv, const char* name, int def) {
  for (int i = 2; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return std::atoi(argv[i + 1]);
  return def;
}

int run(int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') {
    std::fprintf(stderr, "usage: bench_retro DIR [--sites N] [--days N] [--hunts N] [--seed S]\n");
    return 2;
  }
  const int sites = arg(argc, argv, "--sites", 280), days = arg(argc, argv, "--days", 30);
  const int n_hunts = arg(argc, argv, "--hunts", 1000);
  g_seed = static_cast<uint64_t>(arg(argc, argv, "--seed", 1));
  if (sites <= 0 || days <= 1 || n_hunts <= 0) return 2;
  const fs::path dir = argv[1];
  fs::remove_all(dir);
  auto st = store::Store::open(dir / "vigie.db");
  if (!st) return std::fprintf(stderr, "bench_retro: %s\n", st.error().to_string().c_str()), 1;
  store::Db& db = (*st)->db();
  std::printf("sites=%d\ndays=%d\n", sites, days);

  Writer w{db, {}};
  auto t0 = Clock::now();
  for (int s = 0; s < sites; ++s) fill_site(w, s, days);
  w.flush();
  auto t1 = Clock::now();
  const int64_t rows = db.query_int("SELECT count(*) FROM observables").value();
  std::printf("fill_upserted=%zu\nfill_commits=%zu\nfill_seconds=%.2f\nfill_rows_per_s=%.0f\nrows=%lld\n", w.rows,
              w.commits, secs(t0, t1), static_cast<double>(w.rows) / secs(t0, t1), static_cast<long long>(rows));

  w.rows = w.commits = 0;
  t0 = Clock::now();
  for (int s = 0; s < sites; ++s) day_site(w, s, days);
  w.flush();
  t1 = Clock::now();
  std::printf("day_upserted=%zu\nday_commits=%zu\nday_seconds=%.2f\nday_rows_per_s=%.0f\n", w.rows, w.commits,
              secs(t0, t1), static_cast<double>(w.rows) / secs(t0, t1));

  t0 = Clock::now();
  const int64_t purged = store::purge_observables(db, start() + std::chrono::days(1)).value();
  t1 = Clock::now();
  std::printf("purge_rows=%lld\npurge_seconds=%.2f\n", static_cast<long long>(purged), secs(t0, t1));

  (void)db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const int64_t now_rows = db.query_int("SELECT count(*) FROM observables").value();
  const auto bytes = fs::file_size(dir / "vigie.db");
  std::printf("rows_after=%lld\ndb_bytes=%llu\nbytes_per_row=%.1f\n", static_cast<long long>(now_rows),
              static_cast<unsigned long long>(bytes), static_cast<double>(bytes) / static_cast<double>(now_rows));

  const auto published = start() + std::chrono::days(days + 1);
  Reference ref(db.handle());
  std::vector<double> all, ref_all, point;
  std::size_t hits = 0, ref_rows = 0, truncated = 0;
  std::vector<std::pair<const char*, std::vector<double>>> by_kind;
  for (const auto& h : hunts(n_hunts, sites, days)) {
    const auto a = Clock::now();
    auto r = intel::retro_hunt(db, h.ind, published);
    const auto b = Clock::now();
    if (!r) return std::fprintf(stderr, "bench_retro: %s\n", r.error().to_string().c_str()), 1;
    hits += r->hits.size(), truncated += r->truncated;
    all.push_back(1e3 * secs(a, b));
    auto it = std::find_if(by_kind.begin(), by_kind.end(), [&](const auto& k) { return k.first == h.kind; });
    if (it == by_kind.end()) it = by_kind.insert(by_kind.end(), {h.kind, {}});
    it->second.push_back(all.back());
    const auto c = Clock::now();
    const auto ranges = intel::indicator_ranges(h.ind.type, h.ind.value).value();
    for (const auto& range : ranges) ref_rows += ref.range(static_cast<int>(h.ind.type), range, store::us(published));
    const auto d = Clock::now();
    ref_all.push_back(1e3 * secs(c, d));
    const std::string key =
        intel::observable_key(IocType::ip, ip_of(recurring(0, static_cast<int>(hits % 2000), true))).value();
    const auto e = Clock::now();
    (void)ref.row(static_cast<int>(IocType::ip), key, "site-0");
    point.push_back(1e3 * secs(e, Clock::now()));
  }
  if (truncated == 0 && ref_rows != hits) {  // the hunt must return exactly the rows of its ranges
    std::fprintf(stderr, "bench_retro: %zu hits, but %zu rows in the ranges\n", hits, ref_rows);
    return 1;
  }
  std::printf("hunts=%d\nhunt_hits=%zu\nhunt_truncated=%zu\nref_rows=%zu\n", n_hunts, hits, truncated, ref_rows);
  std::printf("hunt_ms_median=%.3f\nhunt_ms_p99=%.3f\nhunt_ms_max=%.3f\n", ms_at(all, 0.5), ms_at(all, 0.99),
              ms_at(all, 1.0));
  for (const auto& [kind, v] : by_kind)
    std::printf("hunt_%s=%zu %.3f %.3f\n", kind, v.size(), ms_at(v, 0.5), ms_at(v, 0.99));
  std::printf("ref_ms_median=%.3f\nref_ms_p99=%.3f\npoint_ms_median=%.4f\npoint_ms_p99=%.4f\n", ms_at(ref_all, 0.5),
              ms_at(ref_all, 0.99), ms_at(point, 0.5), ms_at(point, 0.99));

  // The workers' side: events with a source, a destination and a DNS name, one aggregator.
  std::vector<std::string> values;
  const int n_events = 300'000, n_values = 3 * 4096;
  values.reserve(n_values);
  for (int i = 0; i < n_values; ++i)
    values.push_back(i % 3 == 2 ? domain_of(recurring(i % sites, i % 1500, false))
                                : ip_of(recurring(i % sites, i % 2000, true)));
  intel::ObservableAggregator agg;
  core::Event ev;
  const auto src = core::FieldRef::of("source.ip"), dst = core::FieldRef::of("destination.ip"),
             dns = core::FieldRef::of("dns.question.name");
  std::size_t taken = 0;
  t0 = Clock::now();
  for (int i = 0; i < n_events; ++i) {
    const std::size_t j = static_cast<std::size_t>(3 * (mix(i) % 4096));
    ev.set(src, std::string_view(values[j]));
    ev.set(dst, std::string_view(values[j + 1]));
    ev.set(dns, std::string_view(values[j + 2]));
    ev.time = at(0, static_cast<uint64_t>(i));
    if (agg.add(ev, "site-0")) taken += agg.take().size();
  }
  taken += agg.take().size();
  t1 = Clock::now();
  std::printf("aggregate_events=%d\naggregate_rows=%zu\naggregate_events_per_s=%.0f\n", n_events, taken,
              n_events / secs(t0, t1));
  st->reset();
  fs::remove_all(dir);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {  // a generator or file-system failure: no figure
    std::fprintf(stderr, "bench_retro: %s\n", e.what());
    return 1;
  }
}
