// The store thread of `serve`: the single writer of alerts and outbox rows (DESIGN.md §3, §7).
//
// It takes what the correlator queued (up to WriterOptions::max_batch at a time), folds the
// updates of one alert, and commits them through the Dispatcher (route, render, record) in
// one transaction per batch (store::BatchWriter); only then does it wake the notifier, so an
// alert and its deliveries are committed before any delivery attempt. Alerts that cannot be
// stored are journaled and retried with backoff; the journal is replayed first at start.
//
// It marks its heartbeat slot idle while it waits for alerts, busy while it writes.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>

#include "core/alert.hpp"
#include "core/bounded_queue.hpp"
#include "core/error.hpp"
#include "core/heartbeat.hpp"
#include "core/metrics.hpp"
#include "notify/dispatcher.hpp"
#include "notify/notifier.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace vigie::app {

struct StoreThreadParts {
  const std::filesystem::path& db;  // the journal lives beside it
  core::BoundedQueue<core::Alert>& alerts;
  store::Store& store;
  notify::Dispatcher& dispatcher;
  notify::Notifier& notifier;
  core::Metrics& metrics;
  core::Heartbeat::Slot& heartbeat;
  store::WriterOptions options{};
  // Set after each write to the number of alerts taken from the queue so far, once every one
  // of them is in the database or the journal (never while some are held in memory only):
  // what the spool waits on before a file leaves it.
  std::atomic<uint64_t>* durable = nullptr;
};

// Runs until the alert queue is closed and drained. An error (the journal cannot be opened)
// is a thread failure for the Supervisor.
[[nodiscard]] core::Result<void> run_store_thread(StoreThreadParts parts);

}  // namespace vigie::app
