#include "app/spool_service.hpp"

#include <chrono>
#include <filesystem>
#include <thread>

#include <spdlog/spdlog.h>

namespace vigie::app {

SpoolService::SpoolService(std::shared_ptr<const config::Config> cfg, Pipeline& pipeline, const AlertProgress& alerts,
                           core::Metrics& metrics)
    : cfg_(cfg),
      pipeline_(pipeline),
      alerts_(alerts),
      spool_(cfg, pipeline.input().lanes(),
             {[this](ingest::RawBatch&& b) { return !stop_.load() && pipeline_.input().push(std::move(b)); },
              [this] { return wait_settled(); }},
             metrics) {}

core::Result<void> SpoolService::open() {
  const auto& dir = cfg_->inputs.spool.dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return core::fail(dir.string(), "inputs.spool: cannot create the directory: " + ec.message());
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return core::fail(dir.string(), "inputs.spool: cannot list the directory: " + ec.message());
  return {};
}

bool SpoolService::wait_settled() {
  // Everything queued so far, the spool's last batch included, through the correlator...
  const uint64_t upto = pipeline_.input().issued();
  while (pipeline_.correlated() < upto) {
    if (stop_.load()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // ... and every alert it raised written by the store thread.
  const uint64_t queued = alerts_.queued.load(std::memory_order_acquire);
  while (alerts_.durable.load(std::memory_order_acquire) < queued) {
    if (stop_.load()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

void SpoolService::run() {
  const auto every = cfg_->inputs.spool.every;
  while (!stop_.load()) {
    spool_.pass(stop_);
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, every, [&] { return stop_.load(); });
  }
}

void SpoolService::stop() {
  {
    std::lock_guard lock(mu_);
    stop_.store(true);
  }
  wake_.notify_all();
}

void SpoolService::finish(bool stored) {
  if (spool_.unsettled() == 0) return;
  if (!stored) {
    spdlog::warn(
        "spool: {} file(s) read before the stop stay in the spool (alerts not all stored): read again at "
        "the next start",
        spool_.unsettled());
    return;
  }
  spool_.settle_read();
}

}  // namespace vigie::app
