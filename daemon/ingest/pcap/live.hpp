// A live capture (inputs.pcap[]; README.md, "Capture"): libpcap on one interface, on a thread
// of its own. Frames go to the workers in packets batches routed by flow (LaneBatcher), at
// most kBatchWait after they were captured. The queue is never waited for: when it is full the
// batch is dropped and counted, like the kernel's and the interface's own drops, which
// pcap_stats gives and which are counted too (vigie_events_dropped_total{input, reason}).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "core/error.hpp"
#include "core/metrics.hpp"
#include "ingest/raw.hpp"

struct pcap;

namespace vigie::ingest::pcap {

class LiveCapture {
 public:
  static constexpr std::chrono::milliseconds kBatchWait{200};

  LiveCapture(config::PcapInput in, RawQueue& queue, core::Metrics& metrics);
  ~LiveCapture();
  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;

  // Opens and activates the interface, installs the filter. An error names the interface and
  // libpcap's reason (no such device, permission: CAP_NET_RAW...).
  [[nodiscard]] core::Result<void> open();
  // The capture loop, until stop(): then what is pending is handed over with end_of_capture,
  // so the workers end this capture's flows.
  void run();
  void stop();  // any thread
  [[nodiscard]] const std::string& input() const { return input_; }

 private:
  void count_stats();

  config::PcapInput in_;
  RawQueue& queue_;
  core::Metrics& metrics_;
  std::string input_;  // "pcap:eth1", the metrics label
  ::pcap* handle_ = nullptr;
  int linktype_ = 0;
  std::atomic<bool> stop_{false};
  uint64_t kernel_dropped_ = 0, interface_dropped_ = 0;  // pcap_stats at the last count
};

}  // namespace vigie::ingest::pcap
