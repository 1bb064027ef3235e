// Notifier: the notifier thread's loop over the outbox. Owns its own Store connection and
// the sink. A delivery is marked sent only after the sink accepted it; on failure it stays
// pending and is retried with full-jitter exponential backoff (the delay for attempt n is
// uniform in [retry_initial, min(retry_max, retry_initial·2^n)]); after kGiveUpAfter of
// failures it is marked failed and counted.
//
//   pending ──send ok──► sent
//      │ ▲
//      │ └── send failed, younger than kGiveUpAfter: next_attempt = now + backoff
//      └──── send failed, older than kGiveUpAfter ──► failed
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <stop_token>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/heartbeat.hpp"
#include "core/metrics.hpp"
#include "notify/group.hpp"
#include "notify/sink.hpp"
#include "store/store.hpp"

namespace vigie::notify {

// Like an MTA's bounce delay: a mail that could not be delivered for three days is no longer
// an alert anyone can act on.
inline constexpr core::Duration kGiveUpAfter = std::chrono::hours(72);

class Notifier {
 public:
  Notifier(std::shared_ptr<const config::Config> cfg, std::unique_ptr<store::Store> own_store,
           std::unique_ptr<Sink> sink, core::Metrics& m, const core::Clock& clock);

  // One pass: queues the mails of notification groups due now (GroupFlusher), then sends
  // everything due now; returns the number of deliveries sent. A stop request
  // ends the pass before the next delivery, and interrupts one waiting on the network: that
  // delivery stays pending as it was (no attempt counted) and resumes at the next start.
  std::size_t deliver_due(const std::stop_token& stop = {});
  // Until stop is requested: deliver_due, then wait up to 1 s or until wake(). With a
  // heartbeat slot, the wait is marked idle and each pass busy (core/heartbeat.hpp).
  void run(const std::stop_token& st, core::Heartbeat::Slot* heartbeat = nullptr);
  // Any thread: makes run() start its next pass now.
  void wake();

  // The delay before retrying after `attempts` failed attempts (≥ 1); exposed for tests.
  [[nodiscard]] core::Duration backoff(int attempts);

 private:
  std::shared_ptr<const config::Config> cfg_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Sink> sink_;
  core::Metrics& metrics_;
  GroupFlusher groups_;  // renders due group mails into the outbox on store_, before sending
  const core::Clock& clock_;
  std::mt19937_64 rng_;
  core::Heartbeat::Slot* heartbeat_ = nullptr;  // set by run(); beaten before each delivery

  std::mutex mu_;  // guards woken_
  std::condition_variable_any cv_;
  bool woken_ = false;
};

}  // namespace vigie::notify
