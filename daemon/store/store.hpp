// The alert store and outbox (DESIGN.md §7) on SQLite in WAL mode.
//
// Thread contract: a Store object (one SQLite connection and its cached statements) is used
// by one thread only. The daemon opens two on the same file: the store thread records alerts
// and their outbox rows, the notifier thread reads due deliveries and marks them. WAL lets the
// reader run while the writer commits; busy_timeout makes a writer wait for the other's short
// transaction instead of failing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/alert.hpp"
#include "core/error.hpp"
#include "core/time.hpp"

namespace vigie::store {

class Db;

// A route with group_by: the group an alert joins (see NewDelivery::group).
struct GroupJoin {
  std::string key;  // JSON array of [field, value] pairs in group_by order (json_pairs form)
  core::Duration group_wait{};
  core::Duration group_interval{};
  core::Duration repeat_interval{};
};

// One mail to queue with an alert: the rendered bytes are stored, so a retry after a crash
// sends exactly the same message (same Message-ID).
struct NewDelivery {
  std::string receiver;
  std::vector<std::string> recipients;
  std::string message_id;
  std::string message;  // the full RFC 5322 bytes, CRLF line ends
  core::TimePoint not_before{};
  // Replaces the message of this receiver's delivery that is still waiting out its group_wait
  // (pending, never attempted, not due yet) instead of queuing a new one; not_before unused.
  bool replaces_waiting = false;
  // Set: no mail now — the alert joins this notification group (receiver + recipients + key),
  // whose mail the notifier renders when the group is due (store/groups.hpp); message_id,
  // message and not_before are unused, and last_notified is left alone.
  std::optional<GroupJoin> group{};
};

struct OutboxItem {
  int64_t id = 0;
  std::string alert_id;
  std::string receiver;
  std::vector<std::string> recipients;
  std::string message_id;
  std::string message;
  int attempts = 0;
  core::TimePoint next_attempt{};
  core::TimePoint created{};  // when it was queued: the notifier gives up after a while
};

class Store {
 public:
  // Creates parent directories, sets WAL, busy_timeout and foreign keys, runs migrations.
  // A database written by a newer vigie (higher schema version) is refused.
  [[nodiscard]] static core::Result<std::unique_ptr<Store>> open(const std::filesystem::path& db);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // In ONE transaction: insert the alert (or, if it is already stored, update its count,
  // last_seen and summary), append evidence lines not stored yet, insert the outbox rows,
  // and remember last_notified when deliveries is non-empty.
  // last_notified becomes the earliest not_before of the deliveries (when the mail goes out).
  // `now` stamps created_at/updated_at and the audit rows.
  [[nodiscard]] core::Result<void> record(const core::Alert& a, const std::vector<NewDelivery>& deliveries,
                                          core::TimePoint now);
  [[nodiscard]] core::Result<void> record(const core::Alert& a, const std::vector<NewDelivery>& deliveries);

  // Batched writes (the store thread): between begin_batch() and commit_batch(), record()
  // writes into that one open transaction instead of committing each alert on its own, so a
  // storm costs one synchronous=FULL commit per batch. rollback_batch() undoes the whole batch
  // (also what to do after any record() error inside it: SQLite may already have rolled back).
  // Reads on this connection inside the batch see its uncommitted writes.
  [[nodiscard]] core::Result<void> begin_batch();
  [[nodiscard]] core::Result<void> commit_batch();
  void rollback_batch();
  [[nodiscard]] bool in_batch() const;
  [[nodiscard]] core::Result<std::optional<core::TimePoint>> last_notified(const std::string& alert_id);
  // Receivers of the alert's deliveries still waiting out their group_wait at `now` (pending,
  // never attempted, due more than 2 s after now): the notifier cannot be sending them.
  [[nodiscard]] core::Result<std::vector<std::string>> waiting_receivers(const std::string& alert_id,
                                                                         core::TimePoint now);

  // Pending deliveries whose next_attempt <= now, oldest first.
  [[nodiscard]] core::Result<std::vector<OutboxItem>> due(core::TimePoint now, std::size_t limit);
  [[nodiscard]] core::Result<void> mark_sent(int64_t id, core::TimePoint when);
  // Still pending; attempts + 1; retried at next_attempt.
  [[nodiscard]] core::Result<void> mark_retry(int64_t id, const std::string& error, core::TimePoint next_attempt);
  // The same message again, for `recipients` only (refused for now by the server while the
  // others got it): a new pending delivery, same Message-ID and bytes, same created time.
  [[nodiscard]] core::Result<void> requeue(const OutboxItem& item, const std::vector<std::string>& recipients,
                                           core::TimePoint next_attempt, core::TimePoint now);
  // Given up: status failed, kept for inspection.
  [[nodiscard]] core::Result<void> mark_failed(int64_t id, const std::string& error, core::TimePoint when);

  [[nodiscard]] core::Result<std::optional<core::Alert>> find_alert(const std::string& id);
  // Most recent first (by last_seen).
  [[nodiscard]] core::Result<std::vector<core::Alert>> list_alerts(std::size_t limit);
  // Alerts stored or updated at or after `since` (reception time), with when that last was:
  // what a restarted daemon takes back as open alerts, so repeats keep updating them.
  struct Recent {
    core::Alert alert;
    core::TimePoint updated;
  };
  [[nodiscard]] core::Result<std::vector<Recent>> updated_since(core::TimePoint since);
  [[nodiscard]] core::Result<std::size_t> pending_count();
  // This connection, for the notification-group queries (store/groups.hpp); same thread only.
  [[nodiscard]] Db& db();

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigie::store
