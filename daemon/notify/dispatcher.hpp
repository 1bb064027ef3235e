// Dispatcher: turns each alert from the correlator into stored state and queued mails.
// Runs on the store thread (it uses that thread's Store); one alert at a time.
//
//   alert ──► route() ──► targets ──► notify now? ──► render per target ──► Store::record
//                                     (new: yes, not before now + group_wait;
//                                      update: only if repeat_interval has passed
//                                      since last_notified;
//                                      route with group_by: no mail here, the alert
//                                      joins its group — notify/group.hpp)
//
// The alert, its evidence and its outbox rows are committed in one transaction before the
// notifier can see any of them (DESIGN.md §7).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/metrics.hpp"
#include "core/timezone.hpp"
#include "notify/route.hpp"
#include "notify/templates.hpp"
#include "store/store.hpp"

namespace vigie::notify {

// notify.hostname, else gethostname(), else "localhost".
[[nodiscard]] std::string mail_hostname(const config::Config& cfg);
// notify.smtp.from, else "Vigie <vigie@HOST>".
[[nodiscard]] std::string mail_from(const config::Config& cfg);

// The configured templates, else (logged) the built-in French ones.
[[nodiscard]] Templates mail_templates(const config::Config& cfg);

class Dispatcher {
 public:
  // Templates are loaded here; if the configured ones cannot be loaded (vigie check reports
  // that before start), the built-in French templates are used and the error is logged.
  Dispatcher(std::shared_ptr<const config::Config> cfg, store::Store& store, core::Metrics& m,
             const core::Clock& clock);

  [[nodiscard]] core::Result<void> on_alert(const core::Alert& a);
  // Inside a Store batch (store/writer.hpp) the counters of on_alert wait for the outcome:
  // counted when the batch commits, forgotten when it is rolled back (then retried).
  void batch_committed();
  void batch_rolled_back();

 private:
  // An advisory relay (rule vigie-advisory): one mail per target, now, in the advisory's thread;
  // never grouped, never held back by repeat_interval; skipped when the alert is stored already.
  [[nodiscard]] std::vector<Target> targets(const core::Alert& a);  // routes, counting receivers skipped
  [[nodiscard]] core::Result<void> on_advisory(const core::Alert& a, core::TimePoint now);
  // Records the alert and its deliveries, and counts them once stored.
  [[nodiscard]] core::Result<void> record(const core::Alert& a, const std::vector<store::NewDelivery>& deliveries,
                                          core::TimePoint now);
  std::shared_ptr<const config::Config> cfg_;
  store::Store& store_;
  core::Metrics& metrics_;
  const core::Clock& clock_;
  Templates templates_;
  std::string hostname_;
  std::string from_;
  core::TimeZoneCache zones_;  // owned by the store thread, like the Dispatcher
  // on_alert's counters inside a batch, counted by batch_committed()
  std::vector<std::function<void()>> staged_counts_;
};

}  // namespace vigie::notify
