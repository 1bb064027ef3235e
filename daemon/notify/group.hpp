// Notification groups (route group_by, Alertmanager semantics; README "Grouping").
//
//   store thread (Dispatcher):  alert ─► group_values ─► NewDelivery{group} ─► Store::record
//   notifier thread (Notifier): GroupFlusher::flush_due ─► decide ─► render ─► deliveries row
//
// A group is (receiver, recipients, group_by values). Its first mail leaves group_wait after
// its first alert; a change (a new alert, a count that grew) is mailed at most every
// group_interval; a group without change is mailed again after repeat_interval while one of
// its alerts is still open (updated within detection.suppress_for), and closed otherwise.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/alert.hpp"
#include "core/metrics.hpp"
#include "core/timezone.hpp"
#include "notify/templates.hpp"
#include "store/groups.hpp"

namespace vigie::notify {

// The alert's value for each group_by field, in order ("" when the alert has no such field):
// rule.id, rule.title, level, tlp, observer.site, key.NAME or NAME for a field of its key.
[[nodiscard]] core::KeyValues group_values(const std::vector<std::string>& group_by, const core::Alert& a);

// What to do with a due group at `now`; `open_for`: how long after its last update an alert
// still counts as open (reminders). Pure: unit-tested with any clock.
struct GroupDecision {
  store::GroupOutcome::Kind kind = store::GroupOutcome::Kind::wait;
  bool reminder = false;  // kind == mail: nothing changed, repeat_interval has passed
  core::TimePoint next{};
};
[[nodiscard]] GroupDecision decide_group(const store::GroupState& g, core::TimePoint now, core::Duration open_for);

// <group-HEX@host> for the first mail, <group-HEX.N@host> for the N-th follow-up (N ≥ 1).
[[nodiscard]] std::string group_message_id(const store::GroupState& g, int64_t n, const std::string& hostname);

// Owned by the notifier thread: renders and queues the mails of due groups.
class GroupFlusher {
 public:
  GroupFlusher(std::shared_ptr<const config::Config> cfg, Templates templates, core::Metrics& m);
  // One pass over the groups due at `now` on `db` (the notifier's connection); returns the
  // mails queued. A group that fails is logged, counted and tried again a minute later.
  std::size_t flush_due(store::Db& db, core::TimePoint now);

 private:
  [[nodiscard]] core::Result<store::GroupOutcome> outcome(const store::GroupState& g, core::TimePoint now);

  std::shared_ptr<const config::Config> cfg_;
  Templates templates_;
  core::Metrics& metrics_;
  std::string hostname_;
  std::string from_;
  core::TimeZoneCache zones_;
};

}  // namespace vigie::notify
