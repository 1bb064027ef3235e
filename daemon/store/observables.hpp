// Retro-hunt storage (tables observables and iocs_known, schema migration 6; DESIGN.md §7):
// per site, every observable value events carried — first and last seen, how many events —
// so that an indicator published later can be looked up in what was already seen; and the
// indicators already hunted for, so that a restart does not hunt (and alert) again.
//
// Plain rows: the store knows neither indicator types nor how values become keys (an int and
// bytes here; intel/observable_key.hpp encodes them: intel depends on store, not the reverse).
// Keys compare as bytes (memcmp, bound as BLOBs), so every lookup is one range of the primary
// key (type, key, site). Thread: the Db's, like every store function; statements are prepared
// once per connection (Db::cached) and reused.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "store/sqlite.hpp"

namespace vigie::store {

// How long an observable is kept after it was last seen, unless configured otherwise.
inline constexpr core::Duration kObservableRetention = std::chrono::days(30);

// One (type, key, site): what a site saw of one value. Also what the aggregator hands over.
struct ObservableRow {
  int type = 0;     // intel::IocType
  std::string key;  // the encoded value (bytes)
  std::string site;
  core::TimePoint first_seen{};  // event times
  core::TimePoint last_seen{};
  int64_t count = 0;  // events that carried it, >= 1
};

// Keys k with lo <= k <= hi (include_hi) or lo <= k < hi, compared as bytes. An exact value is
// {v, v, true}; an address range {first, last, true}; a domain's subdomains {"r.", "r/", false}.
struct KeyRange {
  std::string lo;
  std::string hi;
  bool include_hi = true;
};

// An indicator hunted for once already (its identity: type and key), and when and from where.
struct KnownIoc {
  int type = 0;
  std::string key;
  core::TimePoint first_indexed{};
  std::string feed;
};

// Merges each row into the table: a new (type, key, site) is inserted; an existing one keeps
// the earlier first_seen, the later last_seen, and adds the counts. All rows in one
// transaction — its own, or the connection's open one (Store::begin_batch) if there is one,
// in which case the caller commits. A row with count < 1 fails the whole call.
[[nodiscard]] core::Result<void> upsert_observables(Db& db, const std::vector<ObservableRow>& rows);

// Deletes the rows last seen before `older_than` (now - retention); returns how many. Scans
// the table (there is no index on last_seen: it would cost every upsert a second write).
[[nodiscard]] core::Result<int64_t> purge_observables(Db& db, core::TimePoint older_than);

// Rows of `type` whose key is in `range` and first seen before `seen_before`, in key then site
// order, at most `limit` of them.
[[nodiscard]] core::Result<std::vector<ObservableRow>> find_observables(Db& db, int type, const KeyRange& range,
                                                                        core::TimePoint seen_before, std::size_t limit);

// Every indicator hunted for already.
[[nodiscard]] core::Result<std::vector<KnownIoc>> load_known_iocs(Db& db);
// Whether (type, key) is in iocs_known: one primary-key lookup.
[[nodiscard]] core::Result<bool> is_known_ioc(Db& db, int type, std::string_view key);
// Adds those not known yet (a known one keeps its first_indexed and feed), in one transaction
// as upsert_observables(); returns how many were new.
[[nodiscard]] core::Result<std::size_t> add_known_iocs(Db& db, const std::vector<KnownIoc>& iocs);

}  // namespace vigie::store
