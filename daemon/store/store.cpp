#include "store/store.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "store/groups.hpp"
#include "store/schema.hpp"
#include "store/sqlite.hpp"

namespace vigie::store {
namespace {

std::string json_strings(const std::vector<std::string>& v) {
  core::JsonWriter w;
  w.begin_array();
  for (const auto& s : v) w.value(s);
  w.end_array();
  return w.take();
}

std::string json_pairs(const core::KeyValues& kv) {
  core::JsonWriter w;
  w.begin_array();
  for (const auto& [k, v] : kv) w.begin_array().value(k).value(v).end_array();
  w.end_array();
  return w.take();
}

// A waiting mail is rewritten only while it is due more than this from now: the notifier reads
// due rows on its own connection and clock, so a row due sooner may already be on its way.
constexpr core::Duration kRewriteMargin = std::chrono::seconds(2);

constexpr const char* kAlertColumns =
    "id, rule_id, rule_title, level, tags, tlp, description, site, key, count, first_seen, last_seen, summary";

}  // namespace

// Every statement is prepared once per connection and reused (reset after each use).
struct Store::Impl {
  Db db;
  Stmt find_alert, insert_alert, update_alert, insert_evidence, insert_delivery, replace_waiting, waiting, set_notified,
      get_notified, audit, due, mark_sent, mark_retry, mark_failed, pending, list, since, evidence, strings, pairs;
  std::optional<Transaction> batch;  // open between begin_batch() and commit/rollback_batch()

  explicit Impl(Db d) : db(std::move(d)) {}

  core::Result<void> prepare_all() {
    const std::pair<Stmt*, std::string> all[] = {
        {&find_alert, std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE id = ?1"},
        {&insert_alert,
         "INSERT INTO alerts (id, rule_id, rule_title, level, tags, tlp, description, site, key, count, first_seen,"
         " last_seen, summary, created_at, updated_at, ioc, advisory) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
         " ?10, ?11, ?12, ?13, ?14, ?14, ?15, ?16) ON CONFLICT(id) DO UPDATE SET count = max(count, excluded.count),"
         " ioc = coalesce(ioc, excluded.ioc), advisory = coalesce(advisory, excluded.advisory),"
         " first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen),"
         " summary = excluded.summary,"
         " updated_at = excluded.updated_at"},
        {&insert_evidence, "INSERT OR IGNORE INTO alert_evidence (alert_id, seq, line) VALUES (?1, ?2, ?3)"},
        {&insert_delivery,
         "INSERT INTO deliveries (alert_id, receiver, recipients, message_id, message, next_attempt, created_at)"
         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
        {&replace_waiting,
         "UPDATE deliveries SET recipients = ?3, message = ?4 WHERE alert_id = ?1 AND receiver = ?2"
         " AND status = 'pending' AND attempts = 0 AND next_attempt > ?5"},
        {&waiting,
         "SELECT receiver FROM deliveries WHERE alert_id = ?1 AND status = 'pending' AND attempts = 0"
         " AND next_attempt > ?2 ORDER BY id"},
        {&set_notified, "UPDATE alerts SET last_notified = ?2 WHERE id = ?1"},
        {&get_notified, "SELECT last_notified FROM alerts WHERE id = ?1"},
        {&audit, "INSERT INTO audit (at, subject, action, detail) VALUES (?1, ?2, ?3, ?4)"},
        {&due,
         "SELECT id, alert_id, receiver, recipients, message_id, message, attempts, next_attempt, created_at"
         " FROM deliveries WHERE status = 'pending' AND next_attempt <= ?1 ORDER BY next_attempt, id LIMIT ?2"},
        {&mark_sent,
         "UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = ?2, last_error = NULL"
         " WHERE id = ?1 AND status = 'pending'"},
        {&mark_retry,
         "UPDATE deliveries SET attempts = attempts + 1, last_error = ?2, next_attempt = ?3"
         " WHERE id = ?1 AND status = 'pending'"},
        {&mark_failed,
         "UPDATE deliveries SET status = 'failed', attempts = attempts + 1, last_error = ?2"
         " WHERE id = ?1 AND status = 'pending'"},
        {&pending, "SELECT count(*) FROM deliveries WHERE status = 'pending'"},
        {&list, std::string("SELECT ") + kAlertColumns + " FROM alerts ORDER BY last_seen DESC, id LIMIT ?1"},
        {&since, std::string("SELECT ") + kAlertColumns +
                     ", updated_at FROM alerts WHERE updated_at >= ?1 ORDER BY updated_at, id"},
        {&evidence, "SELECT line FROM alert_evidence WHERE alert_id = ?1 ORDER BY seq"},
        {&strings, "SELECT value FROM json_each(?1) ORDER BY key"},
        {&pairs, "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?1) ORDER BY key"},
    };
    for (const auto& [stmt, sql] : all) {
      auto s = db.prepare(sql);
      if (!s) return tl::unexpected(s.error());
      *stmt = std::move(*s);
    }
    return {};
  }

  // One outbox row; `created` is when the mail was first queued (the give-up clock).
  core::Result<void> add_delivery(const std::string& alert_id, const std::string& receiver,
                                  const std::vector<std::string>& recipients, const std::string& message_id,
                                  const std::string& message, core::TimePoint next_attempt, core::TimePoint created) {
    insert_delivery.bind(1, alert_id)
        .bind(2, receiver)
        .bind(3, json_strings(recipients))
        .bind(4, message_id)
        .bind_blob(5, message)
        .bind(6, us(next_attempt))
        .bind(7, us(created));
    return insert_delivery.run();
  }

  core::Result<void> add_audit(core::TimePoint at, const std::string& subject, const char* action,
                               const std::string& detail) {
    audit.bind(1, us(at)).bind(2, subject).bind(3, std::string_view(action)).bind(4, detail);
    return audit.run();
  }

  core::Result<std::vector<std::string>> decode_strings(const std::string& json) {
    std::vector<std::string> out;
    strings.bind(1, json);
    if (auto r = strings.each([&] { out.push_back(strings.text(0)); }); !r) return tl::unexpected(r.error());
    return out;
  }

  core::Result<core::KeyValues> decode_pairs(const std::string& json) {
    core::KeyValues out;
    pairs.bind(1, json);
    for (;;) {
      auto row = pairs.step();
      if (!row) {
        pairs.reset();
        return tl::unexpected(row.error());
      }
      if (!*row) break;
      out.emplace_back(pairs.text(0), pairs.text(1));
    }
    pairs.reset();
    return out;
  }

  // Steps `s` to its end, reading each row's alert (kAlertColumns first) into `fn`; resets `s`.
  template <class Fn>
  core::Result<void> each_alert(Stmt& s, Fn&& fn) {
    return s.each([&]() -> core::Result<void> {
      auto a = read_alert(s);
      if (!a) return tl::unexpected(a.error());
      fn(std::move(*a));
      return {};
    });
  }

  // Reads the alert at the current row of `s` (columns in kAlertColumns order).
  core::Result<core::Alert> read_alert(const Stmt& s) {
    core::Alert a;
    a.id = s.text(0);
    a.rule.id = s.text(1);
    a.rule.title = s.text(2);
    a.rule.level = core::parse_level(s.text(3)).value_or(core::Level::medium);
    auto tags = decode_strings(s.text(4));
    if (!tags) return tl::unexpected(tags.error());
    a.rule.tags = std::move(*tags);
    a.rule.tlp = s.text(5);
    a.rule.description = s.text(6);
    a.site = s.text(7);
    auto key = decode_pairs(s.text(8));
    if (!key) return tl::unexpected(key.error());
    a.key = std::move(*key);
    a.count = static_cast<uint64_t>(s.int64(9));
    a.first_seen = tp(s.int64(10));
    a.last_seen = tp(s.int64(11));
    a.summary = s.text(12);
    evidence.bind(1, a.id);
    for (;;) {
      auto row = evidence.step();
      if (!row) {
        evidence.reset();
        return tl::unexpected(row.error());
      }
      if (!*row) break;
      a.evidence.push_back(evidence.text(0));
    }
    evidence.reset();
    return a;
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

core::Result<std::unique_ptr<Store>> Store::open(const std::filesystem::path& file) {
  auto db = Db::open(file);
  if (!db) return tl::unexpected(db.error());
  // busy_timeout first: the journal-mode switch itself may have to wait for the other
  // connection. synchronous=FULL so that a committed outbox row also survives a power loss
  // (DESIGN.md §7); alerts are rare, the extra fsync per commit is not felt.
  for (const char* pragma : {"PRAGMA busy_timeout = 5000", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL",
                             "PRAGMA foreign_keys = ON"}) {
    if (auto r = db->exec(pragma); !r) return tl::unexpected(r.error());
  }
  if (auto mode = db->prepare("PRAGMA journal_mode"); mode) {
    if (auto row = mode->step(); row && *row && mode->text(0) != "wal")
      return core::fail(db->where(), "cannot enable WAL journal mode (got " + mode->text(0) + ")");
  }
  if (auto r = migrate(*db); !r) return tl::unexpected(r.error());
  auto impl = std::make_unique<Impl>(std::move(*db));
  if (auto r = impl->prepare_all(); !r) return tl::unexpected(r.error());
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

core::Result<void> Store::record(const core::Alert& a, const std::vector<NewDelivery>& deliveries) {
  return record(a, deliveries, core::SystemClock().now());
}

core::Result<void> Store::record(const core::Alert& a, const std::vector<NewDelivery>& deliveries,
                                 core::TimePoint now) {
  auto& m = *impl_;
  std::optional<Transaction> tx;  // none inside a batch: the batch's transaction holds the writes
  if (!m.batch) {
    auto t = Transaction::begin(m.db);
    if (!t) return tl::unexpected(t.error());
    tx.emplace(std::move(*t));
  }
  m.insert_alert.bind(1, a.id)
      .bind(2, a.rule.id)
      .bind(3, a.rule.title)
      .bind(4, core::level_name(a.rule.level))
      .bind(5, json_strings(a.rule.tags))
      .bind(6, a.rule.tlp)
      .bind(7, a.rule.description)
      .bind(8, a.site)
      .bind(9, json_pairs(a.key))
      .bind(10, static_cast<int64_t>(a.count))
      .bind(11, us(a.first_seen))
      .bind(12, us(a.last_seen))
      .bind(13, a.summary)
      .bind(14, us(now));
  if (a.ioc)
    m.insert_alert.bind(15, core::to_json(*a.ioc));
  else
    m.insert_alert.bind_null(15);
  if (a.advisory)
    m.insert_alert.bind(16, core::to_json(*a.advisory));
  else
    m.insert_alert.bind_null(16);
  if (auto r = m.insert_alert.run(); !r) return r;
  if (auto r = m.add_audit(now, a.id, a.update ? "updated" : "created", "count=" + std::to_string(a.count)); !r)
    return r;
  // Evidence is kept oldest first and capped upstream; a repeat carries the lines already
  // stored plus any new ones, so positions already present are skipped.
  for (std::size_t i = 0; i < a.evidence.size(); ++i) {
    m.insert_evidence.bind(1, a.id).bind(2, static_cast<int64_t>(i)).bind(3, a.evidence[i]);
    if (auto r = m.insert_evidence.run(); !r) return r;
  }
  std::optional<core::TimePoint> earliest;
  for (const auto& d : deliveries) {
    if (d.group) {
      if (auto r = join_group(m.db, a.id, d.receiver, json_strings(d.recipients), *d.group, now); !r) return r;
      continue;
    }
    if (d.replaces_waiting) {
      m.replace_waiting.bind(1, a.id).bind(2, d.receiver).bind(3, json_strings(d.recipients)).bind_blob(4, d.message);
      m.replace_waiting.bind(5, us(now + kRewriteMargin));
      if (auto r = m.replace_waiting.run(); !r) return r;
      if (m.db.changes() == 0) continue;  // it became due meanwhile: it goes as it was
      if (auto r = m.add_audit(now, a.id, "rewritten", d.receiver + " " + d.message_id); !r) return r;
      continue;
    }
    if (auto r = m.add_delivery(a.id, d.receiver, d.recipients, d.message_id, d.message, d.not_before, now); !r)
      return r;
    if (auto r = m.add_audit(now, a.id, "queued", d.receiver + " " + d.message_id); !r) return r;
    earliest = earliest ? std::min(*earliest, d.not_before) : d.not_before;
  }
  if (earliest) {
    m.set_notified.bind(1, a.id).bind(2, us(*earliest));
    if (auto r = m.set_notified.run(); !r) return r;
  }
  if (tx) return tx->commit();
  return {};
}

core::Result<void> Store::begin_batch() {
  auto& m = *impl_;
  if (m.batch) return core::fail(m.db.where(), "a batch is already open");
  auto t = Transaction::begin(m.db);
  if (!t) return tl::unexpected(t.error());
  m.batch.emplace(std::move(*t));
  return {};
}

core::Result<void> Store::commit_batch() {
  auto& m = *impl_;
  if (!m.batch) return core::fail(m.db.where(), "no batch open");
  auto r = m.batch->commit();
  m.batch.reset();  // after a failed COMMIT this rolls back
  return r;
}

void Store::rollback_batch() { impl_->batch.reset(); }

bool Store::in_batch() const { return impl_->batch.has_value(); }

core::Result<std::optional<core::TimePoint>> Store::last_notified(const std::string& alert_id) {
  auto& s = impl_->get_notified;
  s.bind(1, alert_id);
  auto row = s.step();
  std::optional<core::TimePoint> out;
  if (row && *row && !s.is_null(0)) out = tp(s.int64(0));
  s.reset();
  if (!row) return tl::unexpected(row.error());
  return out;
}

core::Result<void> Store::requeue(const OutboxItem& item, const std::vector<std::string>& recipients,
                                  core::TimePoint next_attempt, core::TimePoint now) {
  auto& m = *impl_;
  auto tx = Transaction::begin(m.db);
  if (!tx) return tl::unexpected(tx.error());
  if (auto r = m.add_delivery(item.alert_id, item.receiver, recipients, item.message_id, item.message, next_attempt,
                              item.created);
      !r)
    return r;
  if (auto r = m.add_audit(now, item.alert_id, "requeued",
                           item.receiver + " " + std::to_string(recipients.size()) + " recipient(s) refused for now");
      !r)
    return r;
  return tx->commit();
}

core::Result<std::vector<std::string>> Store::waiting_receivers(const std::string& alert_id, core::TimePoint now) {
  auto& s = impl_->waiting;
  s.bind(1, alert_id).bind(2, us(now + kRewriteMargin));
  std::vector<std::string> out;
  if (auto r = s.each([&] { out.push_back(s.text(0)); }); !r) return tl::unexpected(r.error());
  return out;
}

core::Result<std::vector<OutboxItem>> Store::due(core::TimePoint now, std::size_t limit) {
  auto& m = *impl_;
  std::vector<OutboxItem> out;
  std::vector<std::string> recipients_json;
  m.due.bind(1, us(now)).bind(2, static_cast<int64_t>(limit));
  for (;;) {
    auto row = m.due.step();
    if (!row) {
      m.due.reset();
      return tl::unexpected(row.error());
    }
    if (!*row) break;
    OutboxItem it;
    it.id = m.due.int64(0);
    it.alert_id = m.due.text(1);
    it.receiver = m.due.text(2);
    recipients_json.push_back(m.due.text(3));
    it.message_id = m.due.text(4);
    it.message = m.due.text(5);
    it.attempts = static_cast<int>(m.due.int64(6));
    it.next_attempt = tp(m.due.int64(7));
    it.created = tp(m.due.int64(8));
    out.push_back(std::move(it));
  }
  m.due.reset();
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto r = m.decode_strings(recipients_json[i]);
    if (!r) return tl::unexpected(r.error());
    out[i].recipients = std::move(*r);
  }
  return out;
}

core::Result<void> Store::mark_sent(int64_t id, core::TimePoint when) {
  auto& m = *impl_;
  m.mark_sent.bind(1, id).bind(2, us(when));
  if (auto r = m.mark_sent.run(); !r) return r;
  return m.add_audit(when, "delivery:" + std::to_string(id), "sent", "");
}

core::Result<void> Store::mark_retry(int64_t id, const std::string& error, core::TimePoint next_attempt) {
  auto& m = *impl_;
  m.mark_retry.bind(1, id).bind(2, error).bind(3, us(next_attempt));
  if (auto r = m.mark_retry.run(); !r) return r;
  // The audit row is stamped with the wall clock: mark_retry is only given the next attempt.
  return m.add_audit(core::SystemClock().now(), "delivery:" + std::to_string(id), "retry", error);
}

core::Result<void> Store::mark_failed(int64_t id, const std::string& error, core::TimePoint when) {
  auto& m = *impl_;
  m.mark_failed.bind(1, id).bind(2, error);
  if (auto r = m.mark_failed.run(); !r) return r;
  return m.add_audit(when, "delivery:" + std::to_string(id), "failed", error);
}

core::Result<std::optional<core::Alert>> Store::find_alert(const std::string& id) {
  auto& m = *impl_;
  m.find_alert.bind(1, id);
  auto row = m.find_alert.step();
  if (!row || !*row) {
    m.find_alert.reset();
    if (!row) return tl::unexpected(row.error());
    return std::optional<core::Alert>{};
  }
  auto a = m.read_alert(m.find_alert);
  m.find_alert.reset();
  if (!a) return tl::unexpected(a.error());
  return std::optional<core::Alert>(std::move(*a));
}

core::Result<std::vector<core::Alert>> Store::list_alerts(std::size_t limit) {
  auto& m = *impl_;
  std::vector<core::Alert> out;
  m.list.bind(1, static_cast<int64_t>(limit));
  if (auto r = m.each_alert(m.list, [&](core::Alert&& a) { out.push_back(std::move(a)); }); !r)
    return tl::unexpected(r.error());
  return out;
}

core::Result<std::vector<Store::Recent>> Store::updated_since(core::TimePoint since) {
  auto& m = *impl_;
  std::vector<Recent> out;
  m.since.bind(1, us(since));
  const int updated_col = 13;  // after kAlertColumns
  if (auto r = m.each_alert(m.since,
                            [&](core::Alert&& a) {
                              out.push_back({std::move(a), tp(m.since.int64(updated_col))});
                            });
      !r)
    return tl::unexpected(r.error());
  return out;
}

core::Result<std::size_t> Store::pending_count() {
  auto& s = impl_->pending;
  auto row = s.step();
  const auto n = row && *row ? static_cast<std::size_t>(s.int64(0)) : 0;
  s.reset();
  if (!row) return tl::unexpected(row.error());
  return n;
}

Db& Store::db() { return impl_->db; }

}  // namespace vigie::store
