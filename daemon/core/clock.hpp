// Injectable clock (Envoy-style hermetic tests): production code takes a Clock&, never calls
// system_clock directly.
#pragma once

#include <atomic>

#include "core/time.hpp"

namespace vigie::core {

class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] TimePoint now() const override {
    return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  }
};

// A clock tests (and `vigie rules test`) set by hand. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint{}) : now_(start.time_since_epoch().count()) {}
  [[nodiscard]] TimePoint now() const override { return TimePoint{Duration{now_.load()}}; }
  void set(TimePoint t) { now_.store(t.time_since_epoch().count()); }
  void advance(Duration d) { now_.fetch_add(d.count()); }

 private:
  std::atomic<Duration::rep> now_;
};

}  // namespace vigie::core
