// The feeds of `serve` (DESIGN.md §3: "feeds thread ──► IocIndex"): one thread owns the FeedSet,
// reads each feed on its schedule, when `vigie feeds refresh`/`import` asks (SIGUSR1) and at
// each reload (SIGHUP), builds a new IocIndex off the hot path when indicators changed or one
// expired, and hands it to the pipeline, which swaps it into the workers' snapshot without
// touching correlation state. Each pass is recorded in the feed_state table for `vigie feeds
// list`. `replay` and `vigie feeds refresh` without a daemon use the same class for one pass.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "intel/feeds.hpp"
#include "intel/observables.hpp"
#include "store/sqlite.hpp"

namespace vigie::app {

class FeedsService {
 public:
  using Publish = std::function<void(std::shared_ptr<const intel::IocIndex>)>;
  using Queue = std::function<void(core::Alert&&)>;
  // `db`: where feed states (and the advisories seen) are recorded (nullptr: nowhere). Not owned.
  // `queue`: where the advisory relay's alerts go (serve: the store thread's queue); without
  // one, advisories are read but neither relayed nor recorded, so the daemon relays them later.
  FeedsService(std::shared_ptr<const config::Config> cfg, core::Metrics& metrics, const core::Clock& clock,
               Publish publish, store::Db* db, Queue queue = {});

  // One pass now, on the caller's thread: reads the feeds (all of them when `force`, else those
  // that are due; only `only` when named), publishes a new index if anything changed or
  // `always_publish`, records the states. Before run() starts, or from run() itself.
  // `fetch` false: URL feeds give the body of their last fetch only (FeedSet::refresh).
  void pass(bool force, const std::string& only = {}, bool always_publish = false, bool fetch = true);

  // The thread body of `serve`. Advisories are relayed from here only (the store thread that
  // takes their alerts runs by then): those read by a pass() before wait for it.
  void run(const std::stop_token& st);
  // From any thread: a forced pass of `only` (all feeds when empty) as soon as possible.
  void request(std::string only = {});

  [[nodiscard]] std::vector<intel::FeedStatus> status() const { return set_.status(); }

 private:
  void record(core::TimePoint now);
  // Relays the advisories read so far (run() only; see the constructor).
  void relay(core::TimePoint now);
  // Retro-hunt (run() only): the indicators of `index` never hunted for are looked up in the
  // observables the sites saw; each hit is an alert "seen before publication".
  void hunt(const intel::IocIndex& index, core::TimePoint now);

  std::shared_ptr<const config::Config> cfg_;
  core::Metrics& metrics_;
  const core::Clock& clock_;
  Publish publish_;
  store::Db* db_;
  Queue queue_;
  bool relaying_ = false;  // run() has started
  std::vector<std::pair<std::string, std::vector<intel::Advisory>>> unrelayed_;
  std::shared_ptr<const intel::IocIndex> index_;  // the last published
  bool hunted_ = false;                           // index_ hunted for
  std::optional<intel::KnownIocs> known_;         // loaded at the first hunt
  intel::FeedSet set_;
  core::TimePoint next_expiry_ = core::TimePoint::max();
  std::mutex mu_;
  std::condition_variable_any wake_;
  std::vector<std::string> requests_;  // "" = every feed
};

// `<db>.feeds-refresh`: the feed name `vigie feeds refresh NAME` asks the daemon for (SIGUSR1
// tells it to look); absent or empty: every feed.
[[nodiscard]] std::filesystem::path feeds_request_path(const std::filesystem::path& db);

}  // namespace vigie::app
