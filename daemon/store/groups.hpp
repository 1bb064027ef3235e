// Notification groups (route group_by, notify/README.md "Grouping") in SQLite: which alerts
// a group's mail lists and when its next mail is due. The state lives in the database, not
// in memory, so a restart loses no group's mail and the number of groups costs no RAM.
//
//   store thread:    Store::record ─► join_group (same transaction as the alert)
//                      new group: flush_at = now + group_wait
//                      change after a mail: flush_at = min(flush_at, max(now, last_sent + group_interval))
//   notifier thread: Groups::due ─► Groups::flush (one transaction: read, decide, apply)
//                      mail  → a deliveries row (the exact bytes), members marked notified
//                      wait  → flush_at moved; close → the group is deleted
//
// Tables notify_groups / notify_group_alerts (schema migration 3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/alert.hpp"
#include "core/error.hpp"
#include "core/time.hpp"
#include "store/sqlite.hpp"
#include "store/store.hpp"

namespace vigie::store {

// [[field, value], ...]: the group_key column (and alerts.key) form.
[[nodiscard]] std::string key_json(const core::KeyValues& kv);

// Inside the caller's transaction (Store::record): creates the group (receiver, key,
// recipients) if it does not exist, adds or refreshes the alert's membership, and brings the
// group's next look forward as the table above says.
[[nodiscard]] core::Result<void> join_group(Db& db, const std::string& alert_id, const std::string& receiver,
                                            const std::string& recipients_json, const GroupJoin& g,
                                            core::TimePoint now);

struct GroupMember {
  core::Alert alert;            // as stored; evidence only when the group has one alert
  uint64_t notified_count = 0;  // the count in the group's last mail; 0: in none yet
};

struct GroupState {
  int64_t id = 0;
  std::string receiver;
  core::KeyValues key;
  std::vector<std::string> recipients;
  core::Duration group_wait{}, group_interval{}, repeat_interval{};
  std::optional<core::TimePoint> last_sent;  // none: the first mail is still to come
  int64_t mails = 0;                         // mails queued so far
  core::TimePoint created{};
  std::size_t alert_count = 0;       // every member
  std::size_t changed_count = 0;     // members whose count is above their notified_count
  core::TimePoint last_update{};     // latest join or update of a member (reception time)
  std::vector<GroupMember> members;  // at most the flush's list_limit: changed first, then oldest first
};

// The notifier's answer for a due group.
struct GroupOutcome {
  enum class Kind { mail, wait, close };
  Kind kind = Kind::wait;
  std::string alert_id;  // mail: the deliveries row's alert (a member: the foreign key)
  std::string message_id;
  std::string message;     // mail: the exact bytes
  core::TimePoint next{};  // mail, wait: when to look at the group again
};

// On the notifier's connection (Store::db()); one thread.
class Groups {
 public:
  explicit Groups(Db& db) : db_(db) {}

  // Ids of groups whose flush_at <= now, earliest first.
  [[nodiscard]] core::Result<std::vector<int64_t>> due(core::TimePoint now, std::size_t limit);
  // In ONE transaction (BEGIN IMMEDIATE, so no join interleaves): loads the group with at
  // most `list_limit` members, calls `decide`, and applies its outcome. mail: inserts the
  // deliveries row (receiver and recipients of the group, due now), sets every member's
  // notified_count to its count, last_sent = now, mails + 1, flush_at = next. A group that
  // no longer exists is skipped. An error from `decide` rolls everything back.
  using Decide = std::function<core::Result<GroupOutcome>(const GroupState&)>;
  [[nodiscard]] core::Result<void> flush(int64_t id, core::TimePoint now, std::size_t list_limit, const Decide& decide);
  // A group whose flush failed is looked at again at `when`, so it does not hold up the others.
  [[nodiscard]] core::Result<void> postpone(int64_t id, core::TimePoint when);
  // Groups not closed yet (a cheap count: refreshed after every notifier pass).
  [[nodiscard]] core::Result<std::size_t> open_count();

 private:
  [[nodiscard]] core::Result<std::optional<GroupState>> load(int64_t id, std::size_t list_limit);
  Db& db_;
};

}  // namespace vigie::store
