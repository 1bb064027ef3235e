#include "store/advisories.hpp"

#include <algorithm>

namespace vigie::store {
namespace {

std::string join_cves(const std::vector<std::string>& cves) {
  std::string out;
  for (const auto& c : cves) out += (out.empty() ? "" : " ") + c;
  return out;
}

std::vector<std::string> split_cves(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

std::optional<int64_t> or_null(int64_t v) { return v == 0 ? std::nullopt : std::optional<int64_t>(v); }

}  // namespace

core::Result<std::optional<AdvisoryRow>> AdvisoryStore::find(const std::string& feed, const std::string& reference) {
  // Once per advisory read: prepared once per connection, reset after each use.
  auto cached = db_.cached(
      "SELECT title, published, revised, closed, exploited, cves, thread FROM advisories"
      " WHERE feed = ?1 AND reference = ?2");
  if (!cached) return tl::unexpected(cached.error());
  Stmt& s = **cached;
  s.bind(1, feed).bind(2, reference);
  auto row = s.step();
  if (!row || !*row) {
    s.reset();
    if (!row) return tl::unexpected(row.error());
    return std::optional<AdvisoryRow>{};
  }
  AdvisoryRow r;
  r.feed = feed;
  r.reference = reference;
  r.title = s.text(0);
  r.published = s.is_null(1) ? 0 : s.int64(1);
  r.revised = s.is_null(2) ? 0 : s.int64(2);
  r.closed = s.is_null(3) ? 0 : s.int64(3);
  r.exploited = s.int64(4) != 0;
  r.cves = split_cves(s.text(5));
  r.thread = s.is_null(6) ? "" : s.text(6);
  s.reset();
  return std::optional<AdvisoryRow>(std::move(r));
}

core::Result<std::optional<AdvisoryThread>> AdvisoryStore::thread(const std::string& id) {
  auto s = db_.prepare("SELECT seq, opened_by FROM advisory_threads WHERE id = ?1");
  if (!s) return tl::unexpected(s.error());
  s->bind(1, id);
  auto row = s->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<AdvisoryThread>{};
  return std::optional<AdvisoryThread>(AdvisoryThread{id, static_cast<uint32_t>(s->int64(0)), s->text(1)});
}

core::Result<std::optional<AdvisoryThread>> AdvisoryStore::thread_of_cves(const std::vector<std::string>& cves) {
  auto s = db_.prepare("SELECT t.id FROM advisory_cves c JOIN advisory_threads t ON t.id = c.thread WHERE c.cve = ?1");
  if (!s) return tl::unexpected(s.error());
  std::optional<std::pair<int64_t, std::string>> oldest;
  auto opened = db_.prepare("SELECT opened_at FROM advisory_threads WHERE id = ?1");
  if (!opened) return tl::unexpected(opened.error());
  for (const auto& cve : cves) {
    s->bind(1, cve);
    auto row = s->step();
    if (!row) return tl::unexpected(row.error());
    std::string id = *row ? s->text(0) : "";
    s->reset();
    if (id.empty()) continue;
    opened->bind(1, id);
    auto r2 = opened->step();
    if (!r2) return tl::unexpected(r2.error());
    const int64_t at = *r2 ? opened->int64(0) : 0;
    opened->reset();
    if (!oldest || at < oldest->first || (at == oldest->first && id < oldest->second)) oldest.emplace(at, id);
  }
  if (!oldest) return std::optional<AdvisoryThread>{};
  return thread(oldest->second);
}

core::Result<std::vector<std::string>> AdvisoryStore::thread_cves(const std::string& id) {
  auto s = db_.prepare("SELECT cve FROM advisory_cves WHERE thread = ?1 ORDER BY cve");
  if (!s) return tl::unexpected(s.error());
  s->bind(1, id);
  std::vector<std::string> out;
  if (auto r = s->each([&] { out.push_back(s->text(0)); }); !r) return tl::unexpected(r.error());
  return out;
}

core::Result<void> AdvisoryStore::save(const std::vector<Write>& writes, core::TimePoint now) {
  if (writes.empty()) return {};
  auto tx = Transaction::begin(db_);
  if (!tx) return tl::unexpected(tx.error());
  auto put = db_.prepare(
      "INSERT OR REPLACE INTO advisories (feed, reference, title, published, revised, closed, exploited, cves,"
      " thread, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  if (!put) return tl::unexpected(put.error());
  auto thread = db_.prepare(
      "INSERT INTO advisory_threads (id, seq, opened_by, opened_at) VALUES (?1, ?2, ?3, ?4)"
      " ON CONFLICT(id) DO UPDATE SET seq = max(seq, excluded.seq)");
  if (!thread) return tl::unexpected(thread.error());
  auto bind = db_.prepare("INSERT OR IGNORE INTO advisory_cves (cve, thread) VALUES (?1, ?2)");
  if (!bind) return tl::unexpected(bind.error());
  for (const auto& w : writes) {
    const AdvisoryRow& r = w.row;
    put->bind(1, r.feed).bind(2, r.reference).bind(3, r.title).bind(4, or_null(r.published));
    put->bind(5, or_null(r.revised)).bind(6, or_null(r.closed)).bind(7, int64_t{r.exploited ? 1 : 0});
    put->bind(8, join_cves(r.cves));
    if (r.thread.empty())
      put->bind_null(9);
    else
      put->bind(9, r.thread);
    put->bind(10, us(now));
    if (auto x = put->run(); !x) return x;
    if (w.thread) {
      thread->bind(1, w.thread->id).bind(2, int64_t{w.thread->seq}).bind(3, w.thread->opened_by).bind(4, us(now));
      if (auto x = thread->run(); !x) return x;
    }
    if (r.thread.empty()) continue;
    for (const auto& cve : r.cves) {
      bind->bind(1, cve).bind(2, r.thread);
      if (auto x = bind->run(); !x) return x;
    }
  }
  return tx->commit();
}

core::Result<int64_t> AdvisoryStore::count(const std::string& feed) {
  auto s = db_.prepare("SELECT count(*) FROM advisories WHERE feed = ?1");
  if (!s) return tl::unexpected(s.error());
  s->bind(1, feed);
  auto row = s->step();
  if (!row) return tl::unexpected(row.error());
  return *row ? s->int64(0) : 0;
}

}  // namespace vigie::store
