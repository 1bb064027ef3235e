#include "store/groups.hpp"

#include <limits>

#include "core/json.hpp"

namespace vigie::store {
namespace {

core::Result<core::KeyValues> decode_pairs(Db& db, const std::string& json) {
  auto s =
      db.prepare("SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?1) ORDER BY key");
  if (!s) return tl::unexpected(s.error());
  core::KeyValues out;
  s->bind(1, json);
  if (auto r = s->each([&] { out.emplace_back(s->text(0), s->text(1)); }); !r) return tl::unexpected(r.error());
  return out;
}

core::Result<std::vector<std::string>> decode_strings(Db& db, const std::string& json) {
  auto s = db.prepare("SELECT value FROM json_each(?1) ORDER BY key");
  if (!s) return tl::unexpected(s.error());
  std::vector<std::string> out;
  s->bind(1, json);
  if (auto r = s->each([&] { out.push_back(s->text(0)); }); !r) return tl::unexpected(r.error());
  return out;
}

core::Result<void> audit(Db& db, core::TimePoint at, const std::string& subject, const char* action,
                         const std::string& detail) {
  auto s = db.prepare("INSERT INTO audit (at, subject, action, detail) VALUES (?1, ?2, ?3, ?4)");
  if (!s) return tl::unexpected(s.error());
  s->bind(1, us(at)).bind(2, subject).bind(3, std::string_view(action)).bind(4, detail);
  return s->run();
}

}  // namespace

std::string key_json(const core::KeyValues& kv) {
  core::JsonWriter w;
  w.begin_array();
  for (const auto& [k, v] : kv) w.begin_array().value(k).value(v).end_array();
  w.end_array();
  return w.take();
}

core::Result<void> join_group(Db& db, const std::string& alert_id, const std::string& receiver,
                              const std::string& recipients_json, const GroupJoin& g, core::TimePoint now) {
  // A new group waits group_wait for more alerts. A change to a group already mailed is due
  // group_interval after that mail (at once if that is past), unless something brings it
  // sooner; the route's timing is refreshed so a configuration change applies to old groups.
  // Update first, insert when there is no such group: an upsert would use up an AUTOINCREMENT
  // id at every join.
  auto s = db.prepare(
      "UPDATE notify_groups SET group_wait = ?4, group_interval = ?5, repeat_interval = ?6,"
      " flush_at = CASE WHEN last_sent IS NULL THEN coalesce(flush_at, ?7 + ?4)"
      " ELSE min(coalesce(flush_at, ?8), max(?7, last_sent + ?5)) END"
      " WHERE receiver = ?1 AND group_key = ?2 AND recipients = ?3 RETURNING id");
  if (!s) return tl::unexpected(s.error());
  s->bind(1, receiver)
      .bind(2, g.key)
      .bind(3, recipients_json)
      .bind(4, us(g.group_wait))
      .bind(5, us(g.group_interval))
      .bind(6, us(g.repeat_interval))
      .bind(7, us(now))
      .bind(8, std::numeric_limits<int64_t>::max());
  auto row = s->step();
  if (!row) return tl::unexpected(row.error());
  int64_t group_id = 0;
  if (*row) {
    group_id = s->int64(0);
    s->reset();
  } else {
    s->reset();
    auto ins = db.prepare(
        "INSERT INTO notify_groups (receiver, group_key, recipients, group_wait, group_interval, repeat_interval,"
        " flush_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7 + ?4, ?7)");
    if (!ins) return tl::unexpected(ins.error());
    ins->bind(1, receiver)
        .bind(2, g.key)
        .bind(3, recipients_json)
        .bind(4, us(g.group_wait))
        .bind(5, us(g.group_interval))
        .bind(6, us(g.repeat_interval))
        .bind(7, us(now));
    if (auto r = ins->run(); !r) return r;
    group_id = db.last_insert_rowid();
  }
  auto m = db.prepare(
      "INSERT INTO notify_group_alerts (group_id, alert_id, updated_at) VALUES (?1, ?2, ?3)"
      " ON CONFLICT (group_id, alert_id) DO UPDATE SET updated_at = excluded.updated_at");
  if (!m) return tl::unexpected(m.error());
  m->bind(1, group_id).bind(2, alert_id).bind(3, us(now));
  if (auto r = m->run(); !r) return r;
  return audit(db, now, alert_id, "grouped", receiver + " group:" + std::to_string(group_id));
}

core::Result<std::vector<int64_t>> Groups::due(core::TimePoint now, std::size_t limit) {
  auto s = db_.prepare("SELECT id FROM notify_groups WHERE flush_at <= ?1 ORDER BY flush_at, id LIMIT ?2");
  if (!s) return tl::unexpected(s.error());
  s->bind(1, us(now)).bind(2, static_cast<int64_t>(limit));
  std::vector<int64_t> out;
  if (auto r = s->each([&] { out.push_back(s->int64(0)); }); !r) return tl::unexpected(r.error());
  return out;
}

core::Result<std::optional<GroupState>> Groups::load(int64_t id, std::size_t list_limit) {
  auto g = db_.prepare(
      "SELECT receiver, group_key, recipients, group_wait, group_interval, repeat_interval, last_sent, mails,"
      " created_at FROM notify_groups WHERE id = ?1");
  if (!g) return tl::unexpected(g.error());
  g->bind(1, id);
  auto row = g->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<GroupState>{};
  GroupState st;
  st.id = id;
  st.receiver = g->text(0);
  const std::string key = g->text(1), recipients = g->text(2);
  st.group_wait = core::Duration{g->int64(3)};
  st.group_interval = core::Duration{g->int64(4)};
  st.repeat_interval = core::Duration{g->int64(5)};
  if (!g->is_null(6)) st.last_sent = tp(g->int64(6));
  st.mails = g->int64(7);
  st.created = tp(g->int64(8));
  g->reset();
  auto k = decode_pairs(db_, key);
  if (!k) return tl::unexpected(k.error());
  st.key = std::move(*k);
  auto r = decode_strings(db_, recipients);
  if (!r) return tl::unexpected(r.error());
  st.recipients = std::move(*r);

  auto agg = db_.prepare(
      "SELECT count(*), coalesce(sum(a.count > m.notified_count), 0), coalesce(max(m.updated_at), 0)"
      " FROM notify_group_alerts m JOIN alerts a ON a.id = m.alert_id WHERE m.group_id = ?1");
  if (!agg) return tl::unexpected(agg.error());
  agg->bind(1, id);
  if (auto a = agg->step(); !a) return tl::unexpected(a.error());
  st.alert_count = static_cast<std::size_t>(agg->int64(0));
  st.changed_count = static_cast<std::size_t>(agg->int64(1));
  st.last_update = tp(agg->int64(2));
  agg->reset();

  auto ms = db_.prepare(
      "SELECT a.id, a.rule_id, a.rule_title, a.level, a.tags, a.tlp, a.site, a.key, a.count, a.first_seen,"
      " a.last_seen, a.summary, m.notified_count, a.description FROM notify_group_alerts m JOIN alerts a"
      " ON a.id = m.alert_id WHERE m.group_id = ?1"
      " ORDER BY (a.count > m.notified_count) DESC, a.first_seen, a.id LIMIT ?2");
  if (!ms) return tl::unexpected(ms.error());
  ms->bind(1, id).bind(2, static_cast<int64_t>(list_limit));
  struct Raw {
    GroupMember m;
    std::string tags, key;
  };
  std::vector<Raw> raw;
  if (auto e = ms->each([&] {
        Raw x;
        core::Alert& a = x.m.alert;
        a.id = ms->text(0);
        a.rule.id = ms->text(1);
        a.rule.title = ms->text(2);
        a.rule.level = core::parse_level(ms->text(3)).value_or(core::Level::medium);
        x.tags = ms->text(4);
        a.rule.tlp = ms->text(5);
        a.site = ms->text(6);
        x.key = ms->text(7);
        a.count = static_cast<uint64_t>(ms->int64(8));
        a.first_seen = tp(ms->int64(9));
        a.last_seen = tp(ms->int64(10));
        a.summary = ms->text(11);
        x.m.notified_count = static_cast<uint64_t>(ms->int64(12));
        a.rule.description = ms->text(13);
        raw.push_back(std::move(x));
      });
      !e)
    return tl::unexpected(e.error());
  for (auto& x : raw) {
    auto tags = decode_strings(db_, x.tags);
    if (!tags) return tl::unexpected(tags.error());
    x.m.alert.rule.tags = std::move(*tags);
    auto kv = decode_pairs(db_, x.key);
    if (!kv) return tl::unexpected(kv.error());
    x.m.alert.key = std::move(*kv);
    st.members.push_back(std::move(x.m));
  }
  if (st.alert_count == 1 && st.members.size() == 1) {
    // A group of one alert is mailed like a single alert, evidence included.
    auto ev = db_.prepare("SELECT line FROM alert_evidence WHERE alert_id = ?1 ORDER BY seq");
    if (!ev) return tl::unexpected(ev.error());
    auto& a = st.members.front().alert;
    ev->bind(1, a.id);
    if (auto e = ev->each([&] { a.evidence.push_back(ev->text(0)); }); !e) return tl::unexpected(e.error());
  }
  return std::optional<GroupState>(std::move(st));
}

core::Result<void> Groups::flush(int64_t id, core::TimePoint now, std::size_t list_limit, const Decide& decide) {
  auto tx = Transaction::begin(db_);
  if (!tx) return tl::unexpected(tx.error());
  auto st = load(id, list_limit);
  if (!st) return tl::unexpected(st.error());
  if (!*st) return tx->commit();
  auto out = decide(**st);
  if (!out) return tl::unexpected(out.error());
  const std::string subject = "group:" + std::to_string(id);
  if (out->kind == GroupOutcome::Kind::close) {
    auto d = db_.prepare("DELETE FROM notify_groups WHERE id = ?1");
    if (!d) return tl::unexpected(d.error());
    d->bind(1, id);
    if (auto r = d->run(); !r) return r;
    if (auto r = audit(db_, now, subject, "closed", (*st)->receiver); !r) return r;
    return tx->commit();
  }
  if (out->kind == GroupOutcome::Kind::mail) {
    auto ins = db_.prepare(
        "INSERT INTO deliveries (alert_id, receiver, recipients, message_id, message, next_attempt, created_at)"
        " SELECT ?1, receiver, recipients, ?2, ?3, ?4, ?4 FROM notify_groups WHERE id = ?5");
    if (!ins) return tl::unexpected(ins.error());
    ins->bind(1, out->alert_id).bind(2, out->message_id).bind_blob(3, out->message).bind(4, us(now)).bind(5, id);
    if (auto r = ins->run(); !r) return r;
    auto mark = db_.prepare(
        "UPDATE notify_group_alerts SET notified_count = (SELECT count FROM alerts WHERE alerts.id = alert_id)"
        " WHERE group_id = ?1");
    if (!mark) return tl::unexpected(mark.error());
    mark->bind(1, id);
    if (auto r = mark->run(); !r) return r;
    auto sent = db_.prepare("UPDATE notify_groups SET last_sent = ?2, mails = mails + 1, flush_at = ?3 WHERE id = ?1");
    if (!sent) return tl::unexpected(sent.error());
    sent->bind(1, id).bind(2, us(now)).bind(3, us(out->next));
    if (auto r = sent->run(); !r) return r;
    if (auto r =
            audit(db_, now, subject, "queued",
                  (*st)->receiver + " " + out->message_id + " " + std::to_string((*st)->alert_count) + " alert(s)");
        !r)
      return r;
    return tx->commit();
  }
  auto wait = db_.prepare("UPDATE notify_groups SET flush_at = ?2 WHERE id = ?1");
  if (!wait) return tl::unexpected(wait.error());
  wait->bind(1, id).bind(2, us(out->next));
  if (auto r = wait->run(); !r) return r;
  return tx->commit();
}

core::Result<void> Groups::postpone(int64_t id, core::TimePoint when) {
  auto s = db_.prepare("UPDATE notify_groups SET flush_at = ?2 WHERE id = ?1");
  if (!s) return tl::unexpected(s.error());
  s->bind(1, id).bind(2, us(when));
  return s->run();
}

core::Result<std::size_t> Groups::open_count() {
  auto n = db_.query_int("SELECT count(*) FROM notify_groups");
  if (!n) return tl::unexpected(n.error());
  return static_cast<std::size_t>(*n);
}

}  // namespace vigie::store
