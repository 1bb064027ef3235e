// State shared by one listener and its connections: where batches go, the counters of that
// input, and a rate limiter for its log lines. Lives on the Asio thread only; held by
// shared_ptr so connections still referenced by pending handlers never outlive it.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/net.hpp"
#include "ingest/raw.hpp"

namespace vigie::ingest::syslog {

// Tunables that are not configuration (tests shorten them). The per-listener bounds —
// connection caps, idle timeout, minimum rate, UDP receive buffer, allow list — are in
// config::SyslogInput, so that `check` validates exactly what `serve` honours.
struct ServerOptions {
  std::size_t udp_batch = 256;                    // datagrams drained per batch
  std::chrono::milliseconds retry_interval{10};   // TCP back-pressure: queue retry period
  std::size_t read_size = 64 * 1024;              // TCP read buffer per connection
  std::chrono::milliseconds stop_deadline{5000};  // stop(): time to hand over what is buffered
};

// At most `burst` lines per minute per input; the next allowed line says how many were skipped,
// so a flood of bad frames cannot flood the journal but is never invisible.
class LogLimiter {
 public:
  explicit LogLimiter(int burst = 20) : burst_(burst) {}
  // Returns false when the line must be skipped; otherwise `skipped` is the number just skipped.
  bool allow(uint64_t& skipped) {
    const auto now = std::chrono::steady_clock::now();
    if (now - window_start_ >= std::chrono::minutes(1)) {
      window_start_ = now;
      used_ = 0;
    }
    if (used_ >= burst_) {
      ++suppressed_;
      return false;
    }
    ++used_;
    skipped = suppressed_;
    suppressed_ = 0;
    return true;
  }

 private:
  int burst_;
  int used_ = 0;
  uint64_t suppressed_ = 0;
  std::chrono::steady_clock::time_point window_start_{};
};

struct InputContext {
  InputContext(std::string label_, config::SyslogInput input_, RawQueue& out_, core::Metrics& m,
               const core::Clock& clock_, std::size_t max_message_size_, const ServerOptions& opts_)
      : label(std::move(label_)),
        input(std::move(input_)),
        out(out_),
        clock(clock_),
        max_message_size(max_message_size_),
        opts(opts_),
        max_per_peer(std::min(input.max_connections_per_peer, input.max_connections)),
        received(m.counter("vigie_events_received_total", {{"input", label}})),
        dropped_queue_full(dropped(m, "queue_full")),
        dropped_shutdown(dropped(m, "shutdown")),
        dropped_not_allowed(dropped(m, "not_allowed")),
        dropped_kernel(dropped(m, "kernel")),
        truncated(m.counter("vigie_syslog_truncated_total", {{"input", label}})),
        bad_octet_count(m.counter("vigie_syslog_malformed_total", {{"input", label}, {"reason", "bad_octet_count"}})),
        incomplete_frame(m.counter("vigie_syslog_malformed_total", {{"input", label}, {"reason", "incomplete_frame"}})),
        bytes(m.counter("vigie_syslog_bytes_total", {{"input", label}})),
        connections(m.counter("vigie_tcp_connections_total", {{"input", label}})),
        refused_limit(refused(m, "limit")),
        refused_per_peer(refused(m, "per_peer")),
        refused_not_allowed(refused(m, "not_allowed")),
        idle_closed(m.counter("vigie_tcp_idle_closed_total", {{"input", label}})),
        slow_closed(m.counter("vigie_tcp_slow_closed_total", {{"input", label}})),
        metrics(m),
        active(m.gauge("vigie_tcp_connections_active", {{"input", label}})) {}

  template <class... Args>
  void warn(std::string_view peer, fmt::format_string<Args...> f, Args&&... args) {
    uint64_t skipped = 0;
    if (!log.allow(skipped)) return;
    const auto what = fmt::format(f, std::forward<Args>(args)...);
    if (skipped > 0)
      spdlog::warn("syslog {} peer {}: {} ({} similar lines skipped)", label, peer, what, skipped);
    else
      spdlog::warn("syslog {} peer {}: {}", label, peer, what);
  }

  // True when `allow` is empty or one of its networks contains the sender.
  [[nodiscard]] bool allowed(const core::IpAddress& ip) const {
    if (input.allow.empty()) return true;
    for (const auto& net : input.allow)
      if (net.contains(ip)) return true;
    return false;
  }

  std::atomic<uint64_t>& counter(const std::string& name, const std::string& reason) {
    return metrics.counter(name, {{"input", label}, {"reason", reason}});
  }

  const std::string label;          // the listen URL as configured: metrics label and RawBatch::input
  const config::SyslogInput input;  // the listener's bounds and allow list
  RawQueue& out;
  const core::Clock& clock;
  const std::size_t max_message_size;
  const ServerOptions opts;
  const std::size_t max_per_peer;  // max_connections_per_peer, never above max_connections
  std::atomic<uint64_t>& received;
  std::atomic<uint64_t>& dropped_queue_full;
  std::atomic<uint64_t>& dropped_shutdown;
  std::atomic<uint64_t>& dropped_not_allowed;
  std::atomic<uint64_t>& dropped_kernel;
  std::atomic<uint64_t>& truncated;
  std::atomic<uint64_t>& bad_octet_count;
  std::atomic<uint64_t>& incomplete_frame;
  std::atomic<uint64_t>& bytes;
  std::atomic<uint64_t>& connections;
  std::atomic<uint64_t>& refused_limit;
  std::atomic<uint64_t>& refused_per_peer;
  std::atomic<uint64_t>& refused_not_allowed;
  std::atomic<uint64_t>& idle_closed;
  std::atomic<uint64_t>& slow_closed;
  core::Metrics& metrics;
  std::atomic<int64_t>& active;
  LogLimiter log;
  // Open connections per source address (TCP). Its size is capped by construction: an entry
  // exists only while that address has an open connection, and at most max_connections are
  // open, so it never holds more than max_connections entries.
  std::unordered_map<std::string, std::size_t> peers;

 private:
  std::atomic<uint64_t>& dropped(core::Metrics& m, const char* reason) {
    return m.counter("vigie_events_dropped_total", {{"input", label}, {"reason", reason}});
  }
  std::atomic<uint64_t>& refused(core::Metrics& m, const char* reason) {
    return m.counter("vigie_tcp_connections_refused_total", {{"input", label}, {"reason", reason}});
  }
};

}  // namespace vigie::ingest::syslog
