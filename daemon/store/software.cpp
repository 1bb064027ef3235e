#include "store/software.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

namespace vigie::store {
namespace {

constexpr const char* kUpsert =
    "INSERT INTO software (site, host, source, raw, product, version, distro, first_seen, last_seen, count)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    " ON CONFLICT (site, host, source, raw) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen),"
    " last_seen = max(last_seen, excluded.last_seen), count = count + excluded.count,"
    " product = excluded.product, version = excluded.version, distro = excluded.distro";
constexpr const char* kColumns =
    "SELECT site, host, source, raw, product, version, distro, first_seen, last_seen, count FROM software";
// instr(lower(...)) rather than LIKE: a product text with % or _ is not a pattern.
constexpr const char* kList =
    " WHERE (?1 = '' OR site = ?1) AND (?2 = '' OR instr(lower(product), lower(?2)) > 0)"
    " ORDER BY site, product, version, host, source LIMIT ?3";
constexpr const char* kOfProduct = " WHERE product = ?1 ORDER BY site, version, host LIMIT ?2";
constexpr const char* kProducts = "SELECT DISTINCT product FROM software WHERE product != '' ORDER BY product";
constexpr const char* kPurgeOld = "DELETE FROM software WHERE last_seen < ?1";
constexpr const char* kPurgeCap =
    "DELETE FROM software WHERE (site, host, source, raw) IN (SELECT site, host, source, raw FROM"
    " (SELECT site, host, source, raw,"
    " row_number() OVER (PARTITION BY site ORDER BY last_seen DESC, host, source, raw) AS n"
    " FROM software) WHERE n > ?1)";

SoftwareRow read_row(const Stmt& s) {
  SoftwareRow r;
  r.site = s.text(0);
  r.host = s.text(1);
  r.source = s.text(2);
  r.raw = s.text(3);
  r.product = s.text(4);
  r.version = s.text(5);
  r.distro = s.text(6);
  r.first_seen = s.int64(7);
  r.last_seen = s.int64(8);
  r.count = s.int64(9);
  return r;
}

core::Result<std::vector<SoftwareRow>> rows_of(Stmt& s) {
  std::vector<SoftwareRow> out;
  auto r = s.each([&] { out.push_back(read_row(s)); });
  if (!r) return tl::unexpected(r.error());
  return out;
}

}  // namespace

core::Result<void> upsert_software(Db& db, const std::vector<SoftwareRow>& rows) {
  if (rows.empty()) return {};
  auto put = db.cached(kUpsert);
  if (!put) return tl::unexpected(put.error());
  auto scope = TransactionScope::begin(db);
  if (!scope) return tl::unexpected(scope.error());
  Stmt& s = **put;
  for (const auto& r : rows) {
    s.bind(1, r.site).bind(2, r.host).bind(3, r.source).bind(4, r.raw);
    s.bind(5, r.product).bind(6, r.version).bind(7, r.distro);
    s.bind(8, r.first_seen).bind(9, r.last_seen).bind(10, r.count);
    if (auto done = s.run(); !done) return done;
  }
  return scope->commit();
}

core::Result<std::vector<SoftwareRow>> list_software(Db& db, const SoftwareFilter& filter) {
  auto q = db.cached(std::string(kColumns) + kList);
  if (!q) return tl::unexpected(q.error());
  (*q)->bind(1, filter.site).bind(2, filter.product).bind(3, sql_limit(filter.limit));
  return rows_of(**q);
}

core::Result<std::vector<std::string>> software_products(Db& db) {
  auto q = db.cached(kProducts);
  if (!q) return tl::unexpected(q.error());
  std::vector<std::string> out;
  Stmt& s = **q;
  auto r = s.each([&] { out.push_back(s.text(0)); });
  if (!r) return tl::unexpected(r.error());
  return out;
}

core::Result<std::vector<SoftwareRow>> software_of_product(Db& db, std::string_view product, std::size_t limit) {
  auto q = db.cached(std::string(kColumns) + kOfProduct);
  if (!q) return tl::unexpected(q.error());
  (*q)->bind(1, product).bind(2, sql_limit(limit));
  return rows_of(**q);
}

core::Result<std::size_t> purge_software(Db& db, int64_t last_before, std::size_t max_per_site) {
  // Not sql_limit(): the cap is compared with row numbers, where -1 would delete every row.
  const auto cap = static_cast<int64_t>(
      std::min<std::size_t>(max_per_site, static_cast<std::size_t>(std::numeric_limits<int64_t>::max())));
  std::size_t gone = 0;
  for (const auto& [sql, value] : {std::pair{kPurgeOld, last_before}, std::pair{kPurgeCap, cap}}) {
    auto del = db.cached(sql);
    if (!del) return tl::unexpected(del.error());
    (*del)->bind(1, value);
    if (auto r = (*del)->run(); !r) return tl::unexpected(r.error());
    gone += static_cast<std::size_t>(db.changes());
  }
  return gone;
}

}  // namespace vigie::store
