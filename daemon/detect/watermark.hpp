// The clock that drives eviction in the Correlator (DESIGN.md §3–4: correlation on event time,
// with bounded lateness), shared by the serve/replay pipeline and `Engine`.
//
// What a window counts is decided by event time, per key: each window compares its own
// events' stamps, so a site whose clock is off (a wrong zone, a dead NTP) is still correlated
// correctly against itself. The clock here only decides when a window or an open alert that
// nothing has touched for a while can be forgotten, and which clock that is depends on the run:
//   - reception_time (serve): the receiver's own clock, the one every site shares. A site
//     whose stamps run an hour slow keeps its windows as long as it keeps sending; a sender
//     whose clock is ahead, or a forged 2099 stamp, cannot make anything expire early — each
//     window sample and open alert is forgotten by when it was received, never by a stamp.
//   - event_time (replay, rules test): a file has no reception times, so the clock is the
//     stream's own time: the kQuorum-th latest event time (an event counts for no later than
//     its reception, the replay's start) — a few outliers in a file cannot move it, while a real
//     jump (the next file, the next day) moves it after kQuorum events.
// Either way eviction may happen kQuorum events later than strictly needed: memory, never results.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <optional>

#include "core/event.hpp"
#include "core/time.hpp"

namespace vigie::detect {

enum class EvictionClock { reception_time, event_time };

// What an event contributes to that clock.
[[nodiscard]] inline core::TimePoint clock_time(const core::Event& e, EvictionClock c) {
  return c == EvictionClock::reception_time ? e.ingested : std::min(e.time, e.ingested);
}

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
  Watermark(core::Duration lateness, EvictionClock clock) : lateness_(lateness), clock_(clock) {}

  void add(const core::Event& e) { latest_.add(clock_time(e, clock_)); }
  void merge(const LatestTimes& times) { latest_.merge(times); }

  // The clock minus lateness when it moved by at least a second since the last value returned
  // (eviction once per second, not per event or batch); nullopt otherwise.
  [[nodiscard]] std::optional<core::TimePoint> due() {
    const auto q = latest_.quorum();
    if (q == core::TimePoint::min()) return std::nullopt;
    if (last_ != core::TimePoint::min() && q - last_ < std::chrono::seconds(1)) return std::nullopt;
    last_ = q;
    return q - lateness_;
  }

 private:
  core::Duration lateness_;
  EvictionClock clock_;
  LatestTimes latest_;
  core::TimePoint last_ = core::TimePoint::min();
};

}  // namespace vigie::detect
