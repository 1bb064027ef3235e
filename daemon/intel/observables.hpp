// Retro-hunt (DESIGN.md §7; daemon/intel/README.md, "Retro-hunt"): the observables events
// carried, aggregated per site on the workers and written in batches of distinct values; and,
// when a new indicator arrives, what the sites saw of it before it was published.
//
// Threads: an ObservableAggregator belongs to ONE thread (each pipeline worker owns one) and
// hands plain owning rows (store::ObservableRow) to the observables writer (app/observables_thread.hpp),
// which upserts them; the feeds thread runs retro_hunt() and KnownIocs on its own connection.
// Keys: observable_key.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/error.hpp"
#include "core/event.hpp"
#include "core/time.hpp"
#include "intel/indicator.hpp"
#include "store/observables.hpp"
#include "store/sqlite.hpp"

namespace vigie::intel {

struct AggregatorStats {
  uint64_t observed = 0;  // observables aggregated (once per event and value)
  uint64_t invalid = 0;   // values not valid for their field's type ("-", "unknown", a port...)
  uint64_t full = 0;      // batches handed over early: the map reached its cap
  uint64_t dropped = 0;   // new values not kept: cap reached while a full batch was not taken yet
};

// Per (type, key, site): first and last event time, and how many events carried the value —
// an event counts once per value (source.ip equal to client.ip is one sighting) and for
// Event::repeat occurrences. At most `max_entries` distinct entries: when the next event
// might not fit, the entries become a full batch waiting for take() and aggregation starts
// over (counted in `full`). If that batch is still waiting when the cap is reached again,
// values already held keep being updated and new ones are dropped (counted): memory stays
// within two batches.
class ObservableAggregator {
 public:
  static constexpr std::size_t kDefaultMaxEntries = 100'000;
  explicit ObservableAggregator(std::size_t max_entries = kDefaultMaxEntries);

  // Every observable field of `e` (observe.hpp's list), at `site`, seen at e.time (or
  // e.ingested when the event has no time). Returns true when a full batch waits: take() it.
  bool add(const core::Event& e, std::string_view site);
  // The full batch if any, then what is aggregated so far; empties the aggregator.
  [[nodiscard]] std::vector<store::ObservableRow> take();

  [[nodiscard]] bool full_batch_waiting() const { return !ready_.empty(); }
  [[nodiscard]] std::size_t size() const { return entries_.size(); }  // distinct entries held (not waiting)
  [[nodiscard]] const AggregatorStats& stats() const { return stats_; }

 private:
  struct Entry {
    int64_t first = 0, last = 0;  // microseconds
    int64_t count = 0;
    uint64_t event = 0;  // serial of the last event counted: once per event
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  void hand_over();

  std::size_t max_entries_;
  // type (1 byte), key length (2 bytes), key, site: the map key of an entry.
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;
  std::vector<store::ObservableRow> ready_;  // the full batch waiting for take()
  std::string composite_, key_;              // scratch, reused
  uint64_t event_ = 0;
  AggregatorStats stats_;
};

// One site's sightings of a value the indicator matches.
struct RetroHit {
  std::string site;
  std::string observed;  // the value seen, as text (observable_text)
  core::TimePoint first_seen{};
  core::TimePoint last_seen{};
  int64_t count = 0;
  // published - first_seen: how long before publication the site first saw it.
  core::Duration before_publication{};
};

enum class RetroSkip : uint8_t {
  none,       // hunted
  invalid,    // the indicator's value is not valid for its type
  too_broad,  // an address range broader than the IOC index accepts (range_too_broad)
};

struct RetroHunt {
  std::vector<RetroHit> hits;  // earliest first_seen first, then site, then value
  bool truncated = false;      // more than RetroOptions::limit sightings matched
  RetroSkip skipped = RetroSkip::none;
};

struct RetroOptions {
  std::size_t limit = 10'000;  // sightings returned at most (a /8 over 280 sites can be millions)
};

// The sightings first seen before `published` of every value `ind` matches: its address or
// every address of its range, a domain and its subdomains (never "notevil.example" for
// "evil.example"), a URL, e-mail or hash exactly. Storage errors are errors; an indicator not
// worth a hunt is a RetroHunt with `skipped` set.
[[nodiscard]] core::Result<RetroHunt> retro_hunt(store::Db& db, const Indicator& ind, core::TimePoint published,
                                                 const RetroOptions& options = {});

// The indicators hunted for already (table iocs_known), held in memory by the thread that
// runs retro-hunts, so that an indicator is hunted for once — not again after a restart or
// each time its feed is read. At most `max_entries` in memory; past it (counted) the table
// is asked instead, so the answer stays exact.
class KnownIocs {
 public:
  // About 100 bytes of memory each; past the cap an indicator not held costs one lookup.
  static constexpr std::size_t kDefaultMaxEntries = 1'000'000;
  explicit KnownIocs(std::size_t max_entries = kDefaultMaxEntries) : max_entries_(max_entries) {}

  // Replaces what is held by the table's content.
  [[nodiscard]] core::Result<void> load(store::Db& db);
  // Of `indicators`, the valid ones not hunted for yet (the first of duplicates), in order.
  [[nodiscard]] core::Result<std::vector<const Indicator*>> fresh(store::Db& db,
                                                                  const std::vector<Indicator>& indicators) const;
  // Records them as hunted for at `now`, in the table (one transaction) and in memory.
  [[nodiscard]] core::Result<void> remember(store::Db& db, const std::vector<const Indicator*>& hunted,
                                            core::TimePoint now);

  [[nodiscard]] std::size_t size() const { return keys_.size(); }
  [[nodiscard]] uint64_t over_cap() const { return over_cap_; }  // known, not held in memory

 private:
  std::size_t max_entries_;
  std::unordered_set<std::string> keys_;  // type (1 byte) + indicator_key
  uint64_t over_cap_ = 0;
};

}  // namespace vigie::intel
