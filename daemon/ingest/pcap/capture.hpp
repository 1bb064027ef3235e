// Capture files into packets batches (README.md, "Capture"): libpcap reads pcap and pcapng
// (pcap_open_offline_with_tstamp_precision, nanoseconds); each frame is routed by its flow
// hash to one lane, so that every frame of a connection reaches the same worker, in order.
// One pending batch per lane; at the end, every lane gets a batch marked end_of_capture so
// its decoder ends the file's flows instead of waiting for their timeouts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/time.hpp"
#include "ingest/raw.hpp"

namespace vigie::ingest::pcap {

struct CaptureFileStats {
  uint64_t packets = 0;
  uint64_t bytes = 0;  // captured bytes
  int linktype = 0;
  bool stopped = false;              // the sink asked to stop: the rest was not read
  std::optional<core::Error> error;  // names the file; the frames read before it were pushed
};

// Splits frames into batches of at most `batch_packets` frames or `batch_bytes` bytes, one per
// lane (RawBatch::flow = lane + lanes: RawQueue puts it in lane flow % lanes, `lane`).
class LaneBatcher {
 public:
  using Push = std::function<void(RawBatch&&)>;
  LaneBatcher(std::string input, int linktype, std::size_t lanes, Push push, std::size_t batch_packets = 256,
              std::size_t batch_bytes = std::size_t{1} << 20);
  // Every batch's RawBatch::site from now on.
  void set_site(std::string site) { site_ = std::move(site); }
  // Every batch's RawBatch::lines_received: when a file was read (zero for live captures).
  void set_received(core::TimePoint t) { received_ = t; }
  void add(const uint8_t* data, uint32_t caplen, uint32_t wire_len, int64_t ts_ns);
  // Pushes what is pending; with end_of_capture, a (possibly empty) batch to every lane.
  void flush(bool end_of_capture);
  // Live capture: pushes every lane's batch, empty or not, stamped with the capture's clock.
  void tick(int64_t now_ns);

 private:
  void push(std::size_t lane, bool end_of_capture, int64_t now_ns = 0);

  std::string input_;
  std::string site_;
  core::TimePoint received_{};
  int linktype_;
  std::vector<RawBatch> pending_;
  Push push_;
  std::size_t batch_packets_, batch_bytes_;
};

// Reads `file` into batches of `input` (and `site`, RawBatch::site; `received`, lines_received) handed to `push`, which
// returns false to stop the reading. An error (not a capture, truncated, unknown link type)
// names the file; the frames read before it were pushed and stay pushed.
[[nodiscard]] CaptureFileStats read_capture_file(const std::filesystem::path& file, const std::string& input,
                                                 const std::string& site, core::TimePoint received, std::size_t lanes,
                                                 const std::function<bool(RawBatch&&)>& push);

}  // namespace vigie::ingest::pcap
