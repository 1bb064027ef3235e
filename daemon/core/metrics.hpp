// Counters and gauges, Prometheus-style. Registration (rare) takes a lock; the returned
// reference is stable for the registry's lifetime and is bumped with relaxed atomics, so the
// hot path never locks. One registry is created by the app and passed down (no global).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace vigie::core {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  // e.g. counter("vigie_events_dropped_total", {{"input","udp://0.0.0.0:514"},{"reason","queue_full"}})
  std::atomic<uint64_t>& counter(const std::string& name, const Labels& labels = {});
  std::atomic<int64_t>& gauge(const std::string& name, const Labels& labels = {});

  // Current value, 0 if never registered (tests and `vigie status`).
  [[nodiscard]] uint64_t value(const std::string& name, const Labels& labels = {}) const;
  // Sum over all label sets of a counter.
  [[nodiscard]] uint64_t total(const std::string& name) const;
  // Prometheus text exposition format 0.0.4.
  [[nodiscard]] std::string render() const;

 private:
  static std::string key(const std::string& name, const Labels& labels);

  mutable std::mutex mu_;  // guards the two maps' structure, not the atomic values
  std::map<std::string, std::unique_ptr<std::atomic<uint64_t>>> counters_;
  std::map<std::string, std::unique_ptr<std::atomic<int64_t>>> gauges_;
};

}  // namespace vigie::core
