// Heartbeat: which threads make progress, for the systemd watchdog (issue 5 item 5).
//
// A registry of named slots, one per thread. A thread calls beat() as it works and idle()
// just before it blocks waiting for input (a thread waiting on an empty queue is healthy, not
// stuck); its next beat() ends the idle state. serve's main loop asks stuck(): the slots
// neither idle nor beaten within the bound, and sends WATCHDOG=1 only when there are none.
//
// Registering a pipeline thread (worker, correlator), before the thread starts:
//
//   core::Heartbeat::Slot& hb = heartbeat.add("worker-1");   // stable reference
//   for (;;) {
//     hb.idle();                      // about to block on Q1
//     auto batch = q1.pop();
//     if (!batch) break;
//     hb.beat();                      // got work
//     ... process; long loops call hb.beat() now and then ...
//   }
//   hb.idle();                        // finished: never reported stuck
//
// A blocking push into a full queue is NOT idle: downstream is slow, and if it is stuck its
// own slot says so; the pusher's slot going stale too is what a stuck pipeline looks like.
//
// Thread contract: add() and stuck() lock (rare); beat()/idle() are relaxed atomic stores.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace vigie::core {

class Heartbeat {
 public:
  // Monotonic nanoseconds; injectable so tests need no real time.
  using NowFn = std::function<int64_t()>;

  class Slot {
   public:
    void beat() {
      last_.store(now_(), std::memory_order_relaxed);
      idle_.store(false, std::memory_order_relaxed);
    }
    void idle() {
      last_.store(now_(), std::memory_order_relaxed);
      idle_.store(true, std::memory_order_relaxed);
    }
    [[nodiscard]] const std::string& name() const { return name_; }

    // Made by Heartbeat::add only (public for the container's emplace).
    Slot(std::string name, const NowFn& now) : name_(std::move(name)), now_(now), last_(now()) {}
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    friend class Heartbeat;
    std::string name_;
    const NowFn& now_;
    std::atomic<int64_t> last_;
    std::atomic<bool> idle_{false};
  };

  explicit Heartbeat(NowFn now = steady_ns) : now_(std::move(now)) {}
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;

  // A new slot, busy (stamped now) until it beats or goes idle. The reference stays valid
  // for the registry's lifetime.
  Slot& add(std::string name);
  // Names of slots that are not idle and have not beaten for more than `bound`.
  [[nodiscard]] std::vector<std::string> stuck(std::chrono::nanoseconds bound) const;

  static int64_t steady_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

 private:
  NowFn now_;
  mutable std::mutex mu_;   // guards the structure of slots_ (not the slots' atomics)
  std::deque<Slot> slots_;  // deque: references stay valid as slots are added
};

inline Heartbeat::Slot& Heartbeat::add(std::string name) {
  std::lock_guard lock(mu_);
  return slots_.emplace_back(std::move(name), now_);
}

inline std::vector<std::string> Heartbeat::stuck(std::chrono::nanoseconds bound) const {
  const int64_t now = now_();
  std::vector<std::string> out;
  std::lock_guard lock(mu_);
  for (const auto& s : slots_) {
    if (s.idle_.load(std::memory_order_relaxed)) continue;
    if (now - s.last_.load(std::memory_order_relaxed) > bound.count()) out.push_back(s.name_);
  }
  return out;
}

}  // namespace vigie::core
