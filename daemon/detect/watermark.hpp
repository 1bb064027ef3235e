// The event-time watermark that drives eviction in the Correlator (DESIGN.md §3–4: correlation
// on event time, with bounded lateness), shared by the serve/replay pipeline and `Engine`.
//
// A plain "latest event time − lateness" lets one wrong clock wipe every window: a single line
// stamped 2099 (a sender's clock, or a forged stamp) would move the watermark past every open
// window and suppression, so a brute force in progress would start counting from zero. Two
// guards, both cheap:
//   - an event counts for no later than its reception time (`min(time, ingested)`): a clock
//     ahead of the receiver cannot move correlation into the future. This alone protects
//     `serve`, where reception time is the real clock;
//   - the watermark follows the kQuorum-th latest of those times, not the latest: a few
//     outliers in a replayed file (where reception time is the replay's start) cannot move it,
//     while a real jump (the next file, the next day) moves it after kQuorum events.
// The cost is eviction kQuorum events later than strictly needed: memory, never results.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <optional>

#include "core/event.hpp"
#include "core/time.hpp"

namespace vigie::detect {

// The kQuorum latest times seen, mergeable: workers fill one per batch, the correlator merges.
class LatestTimes {
 public:
  static constexpr std::size_t kQuorum = 8;

  LatestTimes() { t_.fill(core::TimePoint::min()); }

  void add(core::TimePoint t) {
    if (t <= t_[0]) return;
    // t_ is ascending: drop the smallest, insert t in order.
    std::size_t i = 0;
    while (i + 1 < kQuorum && t_[i + 1] < t) {
      t_[i] = t_[i + 1];
      ++i;
    }
    t_[i] = t;
  }
  void add(const core::Event& e) { add(std::min(e.time, e.ingested)); }
  void merge(const LatestTimes& other) {
    for (const auto t : other.t_)
      if (t != core::TimePoint::min()) add(t);
  }
  // The kQuorum-th latest time, or TimePoint::min() until kQuorum times were added.
  [[nodiscard]] core::TimePoint quorum() const { return t_[0]; }

 private:
  std::array<core::TimePoint, kQuorum> t_;  // ascending
};

class Watermark {
 public:
  explicit Watermark(core::Duration lateness) : lateness_(lateness) {}

  void add(const core::Event& e) { latest_.add(e); }
  void merge(const LatestTimes& times) { latest_.merge(times); }

  // The new watermark when it moved by at least a second of event time since the last one
  // returned (eviction once per second, not per event or batch); nullopt otherwise.
  [[nodiscard]] std::optional<core::TimePoint> due() {
    const auto q = latest_.quorum();
    if (q == core::TimePoint::min()) return std::nullopt;
    if (last_ != core::TimePoint::min() && q - last_ < std::chrono::seconds(1)) return std::nullopt;
    last_ = q;
    return q - lateness_;
  }

 private:
  core::Duration lateness_;
  LatestTimes latest_;
  core::TimePoint last_ = core::TimePoint::min();
};

}  // namespace vigie::detect
