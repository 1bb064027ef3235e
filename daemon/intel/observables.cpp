// Retro-hunt (observables.hpp): the workers' aggregation, the hunt for one new indicator, and
// the indicators hunted for already.
#include "intel/observables.hpp"

#include <algorithm>
#include <tuple>

#include "intel/observable_key.hpp"
#include "intel/observe.hpp"

namespace vigie::intel {
namespace {

// The map key of an aggregated entry: type, key length (little-endian 16 bits: URL keys are
// at most 4 KiB), key bytes, then the site, so that any key and site bytes are unambiguous.
void compose(std::string& out, IocType type, std::string_view key, std::string_view site) {
  out.clear();
  out.push_back(static_cast<char>(type));
  out.push_back(static_cast<char>(key.size() & 0xff));
  out.push_back(static_cast<char>(key.size() >> 8));
  out.append(key).append(site);
}

store::ObservableRow decompose(std::string_view composite, int64_t first, int64_t last, int64_t count) {
  const auto len = static_cast<std::size_t>(static_cast<uint8_t>(composite[1])) |
                   static_cast<std::size_t>(static_cast<uint8_t>(composite[2])) << 8;
  store::ObservableRow row;
  row.type = static_cast<uint8_t>(composite[0]);
  row.key = std::string(composite.substr(3, len));
  row.site = std::string(composite.substr(3 + len));
  row.first_seen = store::tp(first);
  row.last_seen = store::tp(last);
  row.count = count;
  return row;
}

}  // namespace

// --- ObservableAggregator --------------------------------------------------------------------

ObservableAggregator::ObservableAggregator(std::size_t max_entries) : max_entries_(max_entries) {
  entries_.reserve(std::min<std::size_t>(max_entries_, 4096));
}

void ObservableAggregator::hand_over() {
  if (!ready_.empty() || entries_.empty()) return;
  ready_.reserve(entries_.size());
  for (const auto& [k, e] : entries_) ready_.push_back(decompose(k, e.first, e.last, e.count));
  entries_.clear();
  ++stats_.full;
}

bool ObservableAggregator::add(const core::Event& e, std::string_view site) {
  // Hand over before the event rather than in the middle of it, so that all of one event's
  // values land in one batch (counted once each).
  if (entries_.size() + max_observables_per_event() > max_entries_) hand_over();
  ++event_;
  const int64_t at = store::us(e.time != core::TimePoint{} ? e.time : e.ingested);
  const int64_t occurrences = e.repeat == 0 ? 1 : e.repeat;
  for_each_observable(e, [&](std::string_view, IocType type, std::string_view value) {
    if (!observable_key(type, value, key_)) {
      ++stats_.invalid;
      return false;
    }
    compose(composite_, type, key_, site);
    auto it = entries_.find(std::string_view(composite_));
    if (it == entries_.end()) {
      if (entries_.size() >= max_entries_) {
        ++stats_.dropped;
        return false;
      }
      it = entries_.emplace(composite_, Entry{at, at, 0, 0}).first;
    }
    Entry& entry = it->second;
    if (entry.event == event_) return false;  // the same value in another field of this event
    entry.event = event_;
    entry.first = std::min(entry.first, at);
    entry.last = std::max(entry.last, at);
    entry.count += occurrences;
    ++stats_.observed;
    return false;
  });
  return !ready_.empty();
}

std::vector<store::ObservableRow> ObservableAggregator::take() {
  std::vector<store::ObservableRow> out = std::move(ready_);
  ready_.clear();
  out.reserve(out.size() + entries_.size());
  for (const auto& [k, e] : entries_) out.push_back(decompose(k, e.first, e.last, e.count));
  entries_.clear();
  return out;
}

// --- retro_hunt --------------------------------------------------------------------------------

core::Result<RetroHunt> retro_hunt(store::Db& db, const Indicator& ind, core::TimePoint published,
                                   const RetroOptions& options) {
  RetroHunt out;
  if (range_too_broad(ind.type, ind.value)) {
    out.skipped = RetroSkip::too_broad;
    return out;
  }
  const auto ranges = indicator_ranges(ind.type, ind.value);
  if (!ranges) {
    out.skipped = RetroSkip::invalid;
    return out;
  }
  const int type = static_cast<int>(ind.type);
  for (const auto& range : *ranges) {
    const std::size_t room = options.limit - out.hits.size();
    auto rows = store::find_observables(db, type, range, published, room + 1);  // one more: truncated?
    if (!rows) return tl::unexpected(rows.error());
    if (rows->size() > room) {
      out.truncated = true;
      rows->resize(room);
    }
    for (auto& r : *rows)
      out.hits.push_back(RetroHit{std::move(r.site), observable_text(ind.type, r.key), r.first_seen, r.last_seen,
                                  r.count, published - r.first_seen});
    if (out.truncated) break;
  }
  std::sort(out.hits.begin(), out.hits.end(), [](const RetroHit& a, const RetroHit& b) {
    return std::tie(a.first_seen, a.site, a.observed) < std::tie(b.first_seen, b.site, b.observed);
  });
  return out;
}

// --- KnownIocs ---------------------------------------------------------------------------------

namespace {

std::string known_key(int type, std::string_view key) {
  std::string out(1, static_cast<char>(type));
  out.append(key);
  return out;
}

}  // namespace

core::Result<void> KnownIocs::load(store::Db& db) {
  auto rows = store::load_known_iocs(db);
  if (!rows) return tl::unexpected(rows.error());
  keys_.clear();
  over_cap_ = 0;
  for (const auto& k : *rows) {
    if (keys_.size() >= max_entries_) {
      ++over_cap_;
      continue;
    }
    keys_.insert(known_key(k.type, k.key));
  }
  return {};
}

core::Result<std::vector<const Indicator*>> KnownIocs::fresh(store::Db& db,
                                                             const std::vector<Indicator>& indicators) const {
  std::vector<const Indicator*> out;
  std::unordered_set<std::string> seen;  // duplicates within `indicators`: bounded by it
  for (const auto& ind : indicators) {
    const auto key = indicator_key(ind.type, ind.value);
    if (!key) continue;
    std::string full = known_key(static_cast<int>(ind.type), *key);
    if (keys_.contains(full) || !seen.insert(std::move(full)).second) continue;
    if (over_cap_ > 0) {  // not all known ones are in memory: the table has the last word
      auto known = store::is_known_ioc(db, static_cast<int>(ind.type), *key);
      if (!known) return tl::unexpected(known.error());
      if (*known) continue;
    }
    out.push_back(&ind);
  }
  return out;
}

core::Result<void> KnownIocs::remember(store::Db& db, const std::vector<const Indicator*>& hunted,
                                       core::TimePoint now) {
  std::vector<store::KnownIoc> rows;
  rows.reserve(hunted.size());
  for (const Indicator* ind : hunted)
    if (auto key = indicator_key(ind->type, ind->value))
      rows.push_back(store::KnownIoc{static_cast<int>(ind->type), std::move(*key), now, ind->feed});
  if (auto r = store::add_known_iocs(db, rows); !r) return tl::unexpected(r.error());
  for (const auto& k : rows) {
    std::string full = known_key(k.type, k.key);
    if (keys_.contains(full)) continue;
    if (keys_.size() >= max_entries_) {
      ++over_cap_;
      continue;
    }
    keys_.insert(std::move(full));
  }
  return {};
}

}  // namespace vigie::intel
