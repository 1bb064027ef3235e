#include "store/schema.hpp"

#include <array>
#include <string>

namespace vigie::store {
namespace {

// Times are integers: microseconds since the Unix epoch, UTC (core::TimePoint).
// Append only: never edit a migration that has shipped, add a new one.
constexpr std::array<const char*, 7> kMigrations = {
    // 1: alerts, their evidence and the outbox.
    R"sql(
CREATE TABLE alerts (
  id            TEXT PRIMARY KEY,
  rule_id       TEXT NOT NULL,
  rule_title    TEXT NOT NULL,
  level         TEXT NOT NULL,
  tags          TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
  tlp           TEXT NOT NULL,
  description   TEXT NOT NULL DEFAULT '',
  site          TEXT NOT NULL,
  key           TEXT NOT NULL DEFAULT '[]',   -- JSON array of [field, value] pairs, group-by order
  count         INTEGER NOT NULL CHECK (count >= 1),
  first_seen    INTEGER NOT NULL,
  last_seen     INTEGER NOT NULL,
  summary       TEXT NOT NULL DEFAULT '',
  last_notified INTEGER,                      -- NULL: no mail queued for this alert yet
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX alerts_last_seen ON alerts(last_seen);
CREATE TABLE alert_evidence (
  alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  seq      INTEGER NOT NULL,                  -- position in the alert's evidence, oldest first
  line     TEXT NOT NULL,
  PRIMARY KEY (alert_id, seq)
) WITHOUT ROWID;
CREATE TABLE deliveries (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  alert_id     TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  receiver     TEXT NOT NULL CHECK (receiver <> ''),
  recipients   TEXT NOT NULL CHECK (recipients <> '[]'),  -- JSON array of addresses
  message_id   TEXT NOT NULL CHECK (message_id <> ''),
  message      BLOB NOT NULL CHECK (length(message) > 0), -- the exact bytes sent, CRLF
  status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  next_attempt INTEGER NOT NULL,
  last_error   TEXT,
  created_at   INTEGER NOT NULL,
  sent_at      INTEGER
);
CREATE INDEX deliveries_due ON deliveries(status, next_attempt);
CREATE INDEX deliveries_alert ON deliveries(alert_id);
)sql",
    // 2: operator-visible history of what the daemon did to alerts and deliveries.
    R"sql(
CREATE TABLE audit (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  at       INTEGER NOT NULL,
  subject  TEXT NOT NULL,                     -- alert id, or "delivery:<id>"
  action   TEXT NOT NULL,                     -- created, updated, queued, sent, retry, failed
  detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_subject ON audit(subject);
)sql",
    // 3: notification groups (route group_by): which alerts a group mail lists, and when the
    // group's next mail is due. See store/groups.hpp.
    R"sql(
CREATE TABLE notify_groups (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  receiver        TEXT NOT NULL CHECK (receiver <> ''),
  group_key       TEXT NOT NULL,              -- JSON array of [field, value] pairs, group_by order
  recipients      TEXT NOT NULL CHECK (recipients <> '[]'),  -- JSON array: part of the identity
  group_wait      INTEGER NOT NULL,           -- durations in microseconds, from the route
  group_interval  INTEGER NOT NULL,
  repeat_interval INTEGER NOT NULL,
  flush_at        INTEGER,                    -- when the notifier looks at the group next
  last_sent       INTEGER,                    -- when the last mail of the group was queued
  mails           INTEGER NOT NULL DEFAULT 0, -- mails queued so far (Message-ID sequence)
  created_at      INTEGER NOT NULL,
  UNIQUE (receiver, group_key, recipients)
);
CREATE INDEX notify_groups_flush ON notify_groups(flush_at);
CREATE TABLE notify_group_alerts (
  group_id       INTEGER NOT NULL REFERENCES notify_groups(id) ON DELETE CASCADE,
  alert_id       TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  notified_count INTEGER NOT NULL DEFAULT 0,  -- the alert's count in the group's last mail; 0: not in one yet
  updated_at     INTEGER NOT NULL,            -- last time the alert joined or was updated (reception)
  PRIMARY KEY (group_id, alert_id)
) WITHOUT ROWID;
CREATE INDEX notify_group_alerts_alert ON notify_group_alerts(alert_id);
)sql",
    // 4: indicator feeds: the indicator an alert was raised on, and each feed's last reads
    // (store/feed_state.hpp).
    R"sql(
ALTER TABLE alerts ADD COLUMN ioc TEXT;       -- JSON object (core::IocRef), NULL for other alerts
CREATE TABLE feed_state (
  name         TEXT PRIMARY KEY,
  format       TEXT NOT NULL,
  source       TEXT NOT NULL,                 -- file or directory read
  spool        INTEGER NOT NULL DEFAULT 0,    -- 1: dropped by `vigie feeds import`
  last_attempt INTEGER,
  last_success INTEGER,
  last_error   TEXT NOT NULL DEFAULT '',
  indicators   INTEGER NOT NULL DEFAULT 0,    -- in force, from the last good read
  records      INTEGER NOT NULL DEFAULT 0,    -- of the last good read
  unsupported  INTEGER NOT NULL DEFAULT 0,
  invalid      INTEGER NOT NULL DEFAULT 0,
  withdrawn    INTEGER NOT NULL DEFAULT 0,
  etag          TEXT NOT NULL DEFAULT '',    -- validators of the last fetch (url feeds)
  last_modified TEXT NOT NULL DEFAULT '',
  updated_at   INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // 5: advisory feeds: the advisory an alert relays, the advisories seen, their mail threads
    // and the CVEs bound to each thread (store/advisories.hpp).
    R"sql(
ALTER TABLE alerts ADD COLUMN advisory TEXT;  -- JSON object (core::AdvisoryRef), NULL for other alerts
CREATE TABLE advisories (
  feed       TEXT NOT NULL,
  reference  TEXT NOT NULL,
  title      TEXT NOT NULL,
  published  INTEGER,                         -- Unix seconds
  revised    INTEGER,
  closed     INTEGER,                         -- NULL while open
  exploited  INTEGER NOT NULL DEFAULT 0,
  cves       TEXT NOT NULL DEFAULT '',        -- space-separated, sorted
  thread     TEXT,                            -- advisory_threads.id; NULL: stored, never relayed
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (feed, reference)
) WITHOUT ROWID;
CREATE TABLE advisory_threads (
  id        TEXT PRIMARY KEY,                 -- alert id of the thread's first mail
  seq       INTEGER NOT NULL,                 -- of the thread's last mail (0: the first)
  opened_by TEXT NOT NULL,                    -- feed:reference
  opened_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE advisory_cves (
  cve    TEXT PRIMARY KEY,
  thread TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX advisory_cves_thread ON advisory_cves(thread);
)sql",
    // 6: retro-hunt (store/observables.hpp): what each site saw, per observable, and the
    // indicators already hunted for. `type` is intel::IocType, `key` the value encoded so that
    // every lookup is a range of the primary key (intel/observable_key.hpp): addresses as 16
    // bytes (IPv4 mapped), domains with their labels reversed, hashes as raw bytes, URLs and
    // e-mail addresses as their normalised text.
    R"sql(
CREATE TABLE observables (
  type       INTEGER NOT NULL,
  key        BLOB NOT NULL,
  site       TEXT NOT NULL,
  first_seen INTEGER NOT NULL,                -- event time of the first sighting kept
  last_seen  INTEGER NOT NULL,                -- and of the last; retention purges on it
  count      INTEGER NOT NULL CHECK (count >= 1),
  PRIMARY KEY (type, key, site)
) WITHOUT ROWID;
CREATE TABLE iocs_known (
  type          INTEGER NOT NULL,
  key           BLOB NOT NULL,                -- an address range: 16 bytes + its prefix of 128
  first_indexed INTEGER NOT NULL,
  feed          TEXT NOT NULL,
  PRIMARY KEY (type, key)
) WITHOUT ROWID;
)sql",
    // 7: the exposure inventory (store/software.hpp): per site, the software its hosts showed
    // (an SSH banner, a Server header, an appliance's certificate, a package in a log), with
    // what intel/software.cpp read of it. Purged by age and to a cap per site, least recently
    // seen first (index site_seen).
    R"sql(
CREATE TABLE software (
  site       TEXT NOT NULL,
  host       TEXT NOT NULL,
  source     TEXT NOT NULL,                 -- the event field: ssh.server.version, package, ...
  raw        TEXT NOT NULL,                 -- the string as seen (at most 256 bytes)
  product    TEXT NOT NULL DEFAULT '',
  version    TEXT NOT NULL DEFAULT '',
  distro     TEXT NOT NULL DEFAULT '',
  first_seen INTEGER NOT NULL,
  last_seen  INTEGER NOT NULL,
  count      INTEGER NOT NULL CHECK (count >= 1),
  PRIMARY KEY (site, host, source, raw)
) WITHOUT ROWID;
CREATE INDEX software_product ON software(product);
CREATE INDEX software_site_seen ON software(site, last_seen);
)sql",
};

}  // namespace

int schema_version() { return static_cast<int>(kMigrations.size()); }

core::Result<void> migrate(Db& db) {
  auto current = db.query_int("PRAGMA user_version");
  if (!current) return tl::unexpected(current.error());
  if (*current > schema_version())
    return core::fail(db.where(), "database schema version " + std::to_string(*current) +
                                      " is newer than this vigie supports (" + std::to_string(schema_version()) +
                                      "); refusing to open it — upgrade vigie or restore a matching backup");
  for (;;) {
    // The version is read again under the write lock: two processes opening the same fresh
    // database must not both apply migration 1.
    auto tx = Transaction::begin(db);
    if (!tx) return tl::unexpected(tx.error());
    auto v = db.query_int("PRAGMA user_version");
    if (!v) return tl::unexpected(v.error());
    if (*v >= schema_version()) return tx->commit();
    if (auto r = db.exec(kMigrations[static_cast<std::size_t>(*v)]); !r)
      return core::fail(db.where(), "migration " + std::to_string(*v + 1) + " failed: " + r.error().what);
    if (auto r = db.exec("PRAGMA user_version = " + std::to_string(*v + 1)); !r) return r;
    if (auto r = tx->commit(); !r) return r;
  }
}

}  // namespace vigie::store
