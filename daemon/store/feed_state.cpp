#include "store/feed_state.hpp"

namespace vigie::store {
namespace {

std::optional<int64_t> us_or_null(core::TimePoint t) {
  return t == core::TimePoint{} ? std::nullopt : std::optional<int64_t>(us(t));
}

}  // namespace

core::Result<void> save_feed_states(Db& db, const std::vector<FeedState>& states, core::TimePoint now) {
  auto tx = Transaction::begin(db);
  if (!tx) return tl::unexpected(tx.error());
  if (auto r = db.exec("CREATE TEMP TABLE IF NOT EXISTS feeds_kept (name TEXT PRIMARY KEY)"); !r) return r;
  if (auto r = db.exec("DELETE FROM feeds_kept"); !r) return r;
  auto put = db.prepare(
      "INSERT OR REPLACE INTO feed_state (name, format, source, spool, last_attempt, last_success, last_error,"
      " indicators, records, unsupported, invalid, withdrawn, etag, last_modified, updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
  if (!put) return tl::unexpected(put.error());
  auto keep = db.prepare("INSERT OR IGNORE INTO feeds_kept (name) VALUES (?1)");
  if (!keep) return tl::unexpected(keep.error());
  for (const auto& f : states) {
    put->bind(1, f.name).bind(2, f.format).bind(3, f.source).bind(4, int64_t{f.spool ? 1 : 0});
    put->bind(5, us_or_null(f.last_attempt)).bind(6, us_or_null(f.last_success)).bind(7, f.last_error);
    put->bind(8, f.indicators).bind(9, f.records).bind(10, f.unsupported).bind(11, f.invalid);
    put->bind(12, f.withdrawn).bind(13, f.etag).bind(14, f.last_modified).bind(15, us(now));
    if (auto r = put->run(); !r) return r;
    keep->bind(1, f.name);
    if (auto r = keep->run(); !r) return r;
  }
  if (auto r = db.exec("DELETE FROM feed_state WHERE name NOT IN (SELECT name FROM feeds_kept)"); !r) return r;
  return tx->commit();
}

core::Result<std::vector<FeedState>> load_feed_states(Db& db) {
  auto s = db.prepare(
      "SELECT name, format, source, spool, last_attempt, last_success, last_error, indicators, records,"
      " unsupported, invalid, withdrawn, etag, last_modified FROM feed_state ORDER BY name");
  if (!s) return tl::unexpected(s.error());
  std::vector<FeedState> out;
  auto r = s->each([&] {
    FeedState f;
    f.name = s->text(0);
    f.format = s->text(1);
    f.source = s->text(2);
    f.spool = s->int64(3) != 0;
    if (!s->is_null(4)) f.last_attempt = tp(s->int64(4));
    if (!s->is_null(5)) f.last_success = tp(s->int64(5));
    f.last_error = s->text(6);
    f.indicators = s->int64(7);
    f.records = s->int64(8);
    f.unsupported = s->int64(9);
    f.invalid = s->int64(10);
    f.withdrawn = s->int64(11);
    f.etag = s->text(12);
    f.last_modified = s->text(13);
    out.push_back(std::move(f));
  });
  if (!r) return tl::unexpected(r.error());
  return out;
}

}  // namespace vigie::store
