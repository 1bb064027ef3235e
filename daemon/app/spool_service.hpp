// The spool's thread in `serve` (ingest/spool/spool.hpp): scans inputs.spool.dir every
// `every`, hands the files to the pipeline, and lets a file leave the spool only once the
// pipeline has correlated every batch queued up to its end (Pipeline::correlated against
// RawQueue::issued) and the store thread has written every alert queued by then to the
// database or its journal (the two alert counters below).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "app/pipeline.hpp"
#include "core/error.hpp"
#include "ingest/spool/spool.hpp"

namespace vigie::app {

struct AlertProgress {
  std::atomic<uint64_t> queued{0};   // alerts handed to the store queue (before the push)
  std::atomic<uint64_t> durable{0};  // StoreThreadParts::durable
};

class SpoolService {
 public:
  SpoolService(std::shared_ptr<const config::Config> cfg, Pipeline& pipeline, const AlertProgress& alerts,
               core::Metrics& metrics);
  // Before the start: the directory exists (created when missing) and can be listed.
  [[nodiscard]] core::Result<void> open();
  // The thread's body: a pass every inputs.spool.every until stop().
  void run();
  // Ends run() soon: the file being read stops being handed over.
  void stop();
  // After the pipeline and the store thread have ended: files read whole before the stop are
  // moved or deleted when `stored` (every alert reached the database or the journal).
  void finish(bool stored);

 private:
  bool wait_settled();

  std::shared_ptr<const config::Config> cfg_;
  Pipeline& pipeline_;
  const AlertProgress& alerts_;
  ingest::spool::Spool spool_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable wake_;
};

}  // namespace vigie::app
