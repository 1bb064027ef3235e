#include "intel/feeds.hpp"

#include "intel/feed_sync.hpp"
#include "intel/fetch.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

namespace vigie::intel {
namespace {

namespace fs = std::filesystem;

constexpr core::Duration kSpoolEvery = std::chrono::minutes(1);

int64_t unix_seconds(core::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// Modification time and size of a file, or of a directory's entries (a MISP feed): a change of
// either means the feed must be read again.
std::pair<fs::file_time_type, std::uintmax_t> fingerprint(const fs::path& p) {
  std::error_code ec;
  if (!fs::is_directory(p, ec)) {
    const auto t = fs::last_write_time(p, ec);
    const auto n = ec ? 0 : fs::file_size(p, ec);
    return {ec ? fs::file_time_type{} : t, ec ? 0 : n};
  }
  fs::file_time_type newest = fs::last_write_time(p, ec);
  std::uintmax_t total = 0;
  for (const auto& entry : fs::directory_iterator(p, ec)) {
    std::error_code e2;
    newest = std::max(newest, entry.last_write_time(e2));
    if (entry.is_regular_file(e2)) total += entry.file_size(e2) + 1;
  }
  return {newest, total};
}

}  // namespace

// A fetch that failed is tried again sooner than `every`: after 1, 2, 4 … minutes, never later
// than `every`.
core::Duration FeedSet::interval(const State& st) {
  if (st.status.spool) return kSpoolEvery;
  if (st.more) return std::chrono::seconds(1);
  if (st.failures == 0) return st.every;
  const core::Duration backoff = std::chrono::minutes(1) * (int64_t{1} << std::min<uint32_t>(st.failures - 1, 10));
  return std::min(st.every, backoff);
}

std::optional<std::pair<std::string, std::string>> spool_entry(const fs::path& p) {
  const std::string file = p.filename().string();
  const auto dot = file.rfind('.');
  if (dot == std::string::npos || dot == 0 || file.front() == '.') return std::nullopt;
  std::string name = file.substr(0, dot);
  std::string format = file.substr(dot + 1);
  const auto formats = feed_formats();
  if (std::find(formats.begin(), formats.end(), format) == formats.end()) return std::nullopt;
  return std::pair{std::move(name), std::move(format)};
}

// The previous good indicators stay in force; a new error is logged once.
void FeedSet::fail(State& st, const std::string& why) {
  if (st.status.last_error != why && config::is_advisory_format(st.status.format))
    spdlog::error("feed {}: {} (tried again later)", st.status.name, why);
  else if (st.status.last_error != why)
    spdlog::error("feed {}: {} ({} indicator(s) of the last good read stay in force)", st.status.name, why,
                  st.indicators.size());
  st.status.last_error = why;
}

FormatOptions format_options(const config::Feed& f) {
  FormatOptions opts;
  opts.feed = f.name;
  opts.tlp = f.tlp;
  opts.confidence = f.confidence;
  if (!f.type.empty()) opts.type = ioc_type(f.type);
  return opts;
}

FormatOptions spool_options(const std::string& name) {
  FormatOptions opts;
  opts.feed = name;
  opts.tlp = "AMBER";
  opts.confidence = 50;
  return opts;
}

bool FeedSet::read(State& st, const FormatOptions& opts, core::TimePoint now, bool force, bool fetch) {
  // Looking counts as an attempt: the schedule moves on even when the file did not change. A
  // URL feed not fetched now stays due.
  if (st.url.empty() || fetch) st.status.last_attempt = now;
  std::string fetch_error;
  if (!st.url.empty() && !fetch) {
    std::error_code ec;
    if (!fs::exists(st.status.path, ec)) return false;
  } else if (!st.url.empty()) {
    // A MISP feed is its manifest and event files (feed_sync.hpp); any other format one body.
    std::vector<std::string> missed;
    auto got = st.status.format == "misp"
                   ? sync_misp(st.url, st.status.path, st.validators, st.fetch, missed).map([](const MispSync& m) {
                       FetchResult r;
                       r.not_modified = m.not_modified;
                       r.validators = m.validators;
                       return r;
                     })
                   : fetch_to_file(st.url, st.status.path, st.validators, st.fetch);
    for (const auto& m : missed) spdlog::warn("feed {}: event {} (its last copy, if any, is read)", st.status.name, m);
    if (got) {
      st.validators = got->validators;
      st.failures = 0;
      if (got->not_modified && !force && !st.indicators.empty()) {
        st.status.last_error.clear();
        return false;
      }
    } else {
      ++st.failures;
      std::error_code ec;
      // After a restart nothing is in force yet: the body of the last good fetch is.
      if (!st.indicators.empty() || !fs::exists(st.status.path, ec)) {
        fail(st, got.error());
        return false;
      }
      fetch_error = got.error();
    }
  }
  const auto [mtime, size] = fingerprint(st.status.path);
  const bool unchanged = st.status.last_success != core::TimePoint{} && mtime == st.mtime && size == st.size;
  if (unchanged && !force) return false;
  ParseReport report;
  auto got = read_feed_path(st.status.path, st.status.format, opts, report);
  if (!got) {
    fail(st, got.error());
    return false;
  }
  st.mtime = mtime;
  st.size = size;
  st.status.last_error = fetch_error;
  st.status.last_success = now;
  st.status.report = report;
  st.status.indicators = got->size();
  spdlog::info("feed {}: {} indicator(s) from {} record(s) of {} ({} unsupported, {} invalid, {} withdrawn)",
               st.status.name, got->size(), report.records, st.status.path.string(), report.unsupported, report.invalid,
               report.withdrawn);
  for (const auto& e : report.errors) spdlog::warn("feed {}: {}", st.status.name, e);
  st.indicators = std::move(*got);
  return true;
}

bool FeedSet::refresh(const config::Config& cfg, core::TimePoint now, bool force, const std::string& only, bool fetch) {
  bool changed = false;
  std::map<std::string, State> next;
  const auto take = [&](const std::string& name) {
    auto it = feeds_.find(name);
    if (it == feeds_.end()) return State{};
    State st = std::move(it->second);
    feeds_.erase(it);
    return st;
  };
  for (const auto& f : cfg.feeds) {
    if (!f.enabled) continue;
    State st = take(f.name);
    const fs::path path = f.url.empty() ? f.path : cfg.feed_cache() / (f.name + "." + f.format);  // certfr: a directory
    const bool moved = st.status.path != path || st.status.format != f.format || st.url != f.url;
    st.status.name = f.name;
    st.status.format = f.format;
    st.status.path = path;
    st.url = f.url;
    st.fetch.timeout = std::chrono::duration_cast<std::chrono::seconds>(f.timeout);
    st.fetch.max_bytes = f.max_bytes;
    st.fetch.proxy = f.proxy;
    st.fetch.ca_file = f.ca_file.string();
    st.every = f.every;
    const FormatOptions opts = format_options(f);
    const bool due =
        force || moved || st.status.last_attempt == core::TimePoint{} || now - st.status.last_attempt >= interval(st);
    if ((only.empty() || only == f.name) && due) {
      if (config::is_advisory_format(f.format))
        read_advisories(st, cfg, now, force || moved, fetch);
      else
        changed = read(st, opts, now, force || moved, fetch) || changed;
    }
    next.emplace(f.name, std::move(st));
  }
  std::error_code ec;
  const fs::path spool = cfg.feed_spool();
  if (fs::is_directory(spool, ec)) {
    for (const auto& entry : fs::directory_iterator(spool, ec)) {
      const auto parsed = spool_entry(entry.path());
      const bool configured = std::any_of(cfg.feeds.begin(), cfg.feeds.end(),
                                          [&](const config::Feed& f) { return parsed && f.name == parsed->first; });
      if (!parsed || configured) continue;  // configured names win, enabled or not
      State st = take(parsed->first);
      st.status.name = parsed->first;
      st.status.format = parsed->second;
      st.status.path = entry.path();
      st.status.spool = true;
      st.every = kSpoolEvery;
      const FormatOptions opts = spool_options(parsed->first);
      if (only.empty() || only == parsed->first) changed = read(st, opts, now, force, fetch) || changed;
      next.emplace(parsed->first, std::move(st));
    }
  }
  // Feeds left out of the configuration or removed from the spool stop matching.
  for (const auto& [name, st] : feeds_)
    if (!st.indicators.empty()) {
      spdlog::info("feed {}: removed, its {} indicator(s) no longer match", name, st.indicators.size());
      changed = true;
    }
  feeds_ = std::move(next);
  return changed;
}

std::shared_ptr<const IocIndex> FeedSet::build_index(const config::Config& cfg, core::TimePoint now) const {
  std::size_t n = 0;
  for (const auto& [name, st] : feeds_) n += st.indicators.size();
  std::vector<Indicator> all;
  all.reserve(n);
  for (const auto& [name, st] : feeds_) all.insert(all.end(), st.indicators.begin(), st.indicators.end());
  IndexOptions opts;
  opts.allow_ranges = cfg.detection.ioc.allow_ranges;
  opts.allowlist = cfg.detection.ioc.allowlist;
  opts.max_indicators = cfg.detection.ioc.max_indicators;
  opts.now = unix_seconds(now);
  auto index = std::make_shared<const IocIndex>(std::move(all), opts);
  const IndexStats& s = index->stats();
  spdlog::info(
      "IOC index: {} indicator(s) from {} feed(s); refused: {} invalid, {} too broad, {} private, {} public suffix, "
      "{} allowlisted, {} expired, {} duplicate, {} over the cap",
      s.indexed, feeds_.size(), s.invalid, s.too_broad, s.private_range, s.public_suffix, s.allowlisted, s.expired,
      s.duplicates, s.over_cap);
  return index;
}

Validators FeedSet::validators(const std::string& feed) const {
  const auto it = feeds_.find(feed);
  return it == feeds_.end() ? Validators{} : it->second.validators;
}

std::vector<FeedStatus> FeedSet::status() const {
  std::vector<FeedStatus> out;
  for (const auto& [name, st] : feeds_) out.push_back(st.status);
  return out;
}

core::TimePoint FeedSet::next_expiry(core::TimePoint now) const {
  const int64_t after = unix_seconds(now);
  int64_t next = INT64_MAX;
  for (const auto& [name, st] : feeds_)
    for (const auto& ind : st.indicators)
      if (ind.expires > after) next = std::min(next, ind.expires);
  if (next == INT64_MAX) return core::TimePoint::max();
  return core::TimePoint{std::chrono::duration_cast<core::Duration>(std::chrono::seconds(next))};
}

core::TimePoint FeedSet::next_due() const {
  core::TimePoint next = core::TimePoint::max();
  for (const auto& [name, st] : feeds_) {
    next = std::min(next, st.status.last_attempt + interval(st));
  }
  return next;
}

}  // namespace vigie::intel
