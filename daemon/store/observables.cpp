#include "store/observables.hpp"

#include <limits>
#include <optional>

namespace vigie::store {
namespace {

constexpr const char* kUpsert =
    "INSERT INTO observables (type, key, site, first_seen, last_seen, count) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (type, key, site) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen),"
    " last_seen = max(last_seen, excluded.last_seen), count = count + excluded.count";
constexpr const char* kPurge = "DELETE FROM observables WHERE last_seen < ?1";
// Two statements rather than one with a flag: the planner must see both bounds on `key` to
// scan only the range of the primary key.
constexpr const char* kFindClosed =
    "SELECT key, site, first_seen, last_seen, count FROM observables"
    " WHERE type = ?1 AND key >= ?2 AND key <= ?3 AND first_seen < ?4 ORDER BY key, site LIMIT ?5";
constexpr const char* kFindOpen =
    "SELECT key, site, first_seen, last_seen, count FROM observables"
    " WHERE type = ?1 AND key >= ?2 AND key < ?3 AND first_seen < ?4 ORDER BY key, site LIMIT ?5";
constexpr const char* kLoadKnown = "SELECT type, key, first_indexed, feed FROM iocs_known ORDER BY type, key";
constexpr const char* kIsKnown = "SELECT 1 FROM iocs_known WHERE type = ?1 AND key = ?2";
constexpr const char* kAddKnown =
    "INSERT INTO iocs_known (type, key, first_indexed, feed) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (type, key) DO NOTHING";

}  // namespace

core::Result<void> upsert_observables(Db& db, const std::vector<ObservableRow>& rows) {
  if (rows.empty()) return {};
  auto put = db.cached(kUpsert);
  if (!put) return tl::unexpected(put.error());
  auto scope = TransactionScope::begin(db);
  if (!scope) return tl::unexpected(scope.error());
  Stmt& s = **put;
  for (const auto& r : rows) {
    s.bind(1, int64_t{r.type}).bind_blob(2, r.key).bind(3, r.site);
    s.bind(4, us(r.first_seen)).bind(5, us(r.last_seen)).bind(6, r.count);
    if (auto done = s.run(); !done) return done;
  }
  return scope->commit();
}

core::Result<int64_t> purge_observables(Db& db, core::TimePoint older_than) {
  auto del = db.cached(kPurge);
  if (!del) return tl::unexpected(del.error());
  (*del)->bind(1, us(older_than));
  if (auto r = (*del)->run(); !r) return tl::unexpected(r.error());
  return db.changes();
}

core::Result<std::vector<ObservableRow>> find_observables(Db& db, int type, const KeyRange& range,
                                                          core::TimePoint seen_before, std::size_t limit) {
  std::vector<ObservableRow> out;
  if (limit == 0) return out;
  auto find = db.cached(range.include_hi ? kFindClosed : kFindOpen);
  if (!find) return tl::unexpected(find.error());
  Stmt& s = **find;
  s.bind(1, int64_t{type}).bind_blob(2, range.lo).bind_blob(3, range.hi).bind(4, us(seen_before));
  s.bind(5, sql_limit(limit));
  auto r = s.each([&] {
    ObservableRow row;
    row.type = type;
    row.key = s.text(0);
    row.site = s.text(1);
    row.first_seen = tp(s.int64(2));
    row.last_seen = tp(s.int64(3));
    row.count = s.int64(4);
    out.push_back(std::move(row));
  });
  if (!r) return tl::unexpected(r.error());
  return out;
}

core::Result<std::vector<KnownIoc>> load_known_iocs(Db& db) {
  auto load = db.cached(kLoadKnown);
  if (!load) return tl::unexpected(load.error());
  Stmt& s = **load;
  std::vector<KnownIoc> out;
  auto r = s.each([&] { out.push_back(KnownIoc{static_cast<int>(s.int64(0)), s.text(1), tp(s.int64(2)), s.text(3)}); });
  if (!r) return tl::unexpected(r.error());
  return out;
}

core::Result<bool> is_known_ioc(Db& db, int type, std::string_view key) {
  auto find = db.cached(kIsKnown);
  if (!find) return tl::unexpected(find.error());
  (*find)->bind(1, int64_t{type}).bind_blob(2, key);
  auto row = (*find)->step();
  (*find)->reset();
  if (!row) return tl::unexpected(row.error());
  return *row;
}

core::Result<std::size_t> add_known_iocs(Db& db, const std::vector<KnownIoc>& iocs) {
  if (iocs.empty()) return 0;
  auto add = db.cached(kAddKnown);
  if (!add) return tl::unexpected(add.error());
  auto scope = TransactionScope::begin(db);
  if (!scope) return tl::unexpected(scope.error());
  Stmt& s = **add;
  std::size_t added = 0;
  for (const auto& k : iocs) {
    s.bind(1, int64_t{k.type}).bind_blob(2, k.key).bind(3, us(k.first_indexed)).bind(4, k.feed);
    if (auto r = s.run(); !r) return tl::unexpected(r.error());
    added += static_cast<std::size_t>(db.changes());
  }
  if (auto r = scope->commit(); !r) return tl::unexpected(r.error());
  return added;
}

}  // namespace vigie::store
