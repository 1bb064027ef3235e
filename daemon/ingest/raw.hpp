// What inputs hand to the workers (DESIGN.md §3, queue Q1): framed but undecoded records, in
// batches to amortise queue costs. A batch carries its kind, so that one decoder per kind
// (ingest/decoder.hpp) turns it into events behind one interface: a new input adds a kind and
// a decoder, never a second pipeline. A batch is owned by whoever holds it; nothing is shared.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.hpp"

namespace vigie::ingest {

enum class BatchKind : uint8_t {
  syslog_lines,  // one syslog message per record (network listeners, log files)
  packets,       // captured frames of one link type (pcap files, live capture), routed by flow
  count_         // number of kinds; not a kind
};
inline constexpr std::size_t kBatchKinds = static_cast<std::size_t>(BatchKind::count_);

struct RawMessage {
  std::string data;  // one message after framing (no octet count, no terminator)
  std::string peer;  // sender IP as text; "" for files
  uint16_t peer_port = 0;
  core::TimePoint received{};
  bool truncated = false;  // cut at inputs.max_message_size (or incomplete at close)
};

// A record of an input that reads many at once (log files: ingest/line_reader.hpp): a view into
// memory the batch owns, no string of its own — 24 bytes to write and free instead of a
// RawMessage and its heap copy. No peer; received once per batch (RawBatch::lines_received).
struct PackedLine {
  std::string_view text;
  bool truncated = false;  // cut at inputs.max_message_size
};

// A captured frame of a packets batch: its bytes are block[offset, offset + caplen).
struct PacketRecord {
  uint32_t offset = 0;
  uint32_t caplen = 0;    // bytes captured
  uint32_t wire_len = 0;  // length on the wire (larger when the snaplen cut the frame)
  int64_t ts_ns = 0;      // capture time, nanoseconds since the epoch
};

// Every record of a batch comes from one input (a UDP listener's drain, a TCP connection, a
// file), so the input's name travels once per batch, not once per message.
struct RawBatch {
  BatchKind kind = BatchKind::syslog_lines;
  std::string input;  // "udp://127.0.0.1:5514", "tcp://...", "file:/path": the metrics label
  // The site every record belongs to, when the input knows it (a spool sub-directory: site id);
  // "" lets the decoder find it from the addresses (sites[].networks).
  std::string site;
  // Routing key: 0 lets any worker take the batch; batches with the same non-zero key always go
  // to the same worker, in order (decoders that keep per-flow state: a flow hash).
  uint64_t flow = 0;
  uint64_t seq = 0;  // set by RawQueue: global arrival order, which the correlator restores
  // The records: network inputs fill `messages`, file readers `lines` (a batch normally holds
  // one or the other; decoders take messages first, then lines).
  std::vector<RawMessage> messages;
  std::vector<PackedLine> lines;
  core::TimePoint lines_received{};  // reception time of every line, and of a capture file's frames
  // What `lines` view: read blocks shared with the neighbouring batches of the same file (freed
  // with the last of them), and the batch's own copies (lines that spanned two reads). Both keep
  // their addresses when the batch moves.
  std::vector<std::shared_ptr<const char[]>> shared;
  std::vector<char> block;
  // Packets (kind packets): frames of link type `linktype` (a libpcap DLT_*) whose bytes are in
  // `block`. end_of_capture: the input ended (a file's end, a capture stopped); the lane's
  // decoder ends its flows at once instead of waiting for their timeouts.
  std::vector<PacketRecord> packets;
  int linktype = 0;
  bool end_of_capture = false;
  // Live capture: the capture's clock (ns since the epoch) when the batch left, also sent in
  // empty batches once a second, so that an idle capture's flows still time out. 0: files.
  int64_t capture_now_ns = 0;

  [[nodiscard]] bool empty() const { return messages.empty() && lines.empty() && packets.empty(); }
  [[nodiscard]] std::size_t size() const { return messages.size() + lines.size() + packets.size(); }
  // What the batch holds in memory, roughly: the queue's byte budget is charged this.
  [[nodiscard]] std::size_t bytes() const {
    // A line is charged its own bytes, not the shared read block around it.
    std::size_t n = sizeof(RawBatch) + input.size() + site.size();
    for (const auto& m : messages) n += sizeof(RawMessage) + m.data.size() + m.peer.size();
    for (const auto& l : lines) n += sizeof(PackedLine) + l.text.size();
    if (!packets.empty()) n += packets.size() * sizeof(PacketRecord) + block.size();
    return n;
  }
};

// Q1: bounded in batches and in bytes, with one lane per worker. Producers choose per call
// between push() — blocks while full (file readers), until the queue has drained to half — and try_push() — fails at
// once so the caller pauses reading (TCP, on the Asio thread) or drops and counts (UDP). Each batch is numbered as it
// is queued (RawBatch::seq, arrival order) and given to the lane of its flow, or to the least loaded lane when it has
// none. A lane is consumed by one worker, in order. close() wakes everyone; pops return nullopt once closed and
// drained.
class RawQueue {
 public:
  explicit RawQueue(std::size_t capacity_batches = 1024, std::size_t capacity_bytes = std::size_t{256} << 20,
                    std::size_t lanes = 1);
  RawQueue(const RawQueue&) = delete;
  RawQueue& operator=(const RawQueue&) = delete;

  // Blocks while full. Returns false (batch not queued) if the queue is closed.
  bool push(RawBatch batch);
  // Never blocks. Returns false if full or closed; the batch is left untouched in that case.
  bool try_push(RawBatch& batch);

  // The next batch of `lane` (a worker's), blocking until there is one or the queue is closed
  // and the lane drained.
  [[nodiscard]] std::optional<RawBatch> pop_lane(std::size_t lane);
  // The same, waiting at most `timeout`: nullopt also when it passed with nothing queued.
  [[nodiscard]] std::optional<RawBatch> pop_lane_for(std::size_t lane, std::chrono::microseconds timeout);
  // Lane 0, for single consumers (tests).
  [[nodiscard]] std::optional<RawBatch> pop() { return pop_lane(0); }
  template <class Rep, class Period>
  [[nodiscard]] std::optional<RawBatch> pop_for(std::chrono::duration<Rep, Period> timeout) {
    return pop_lane_for(0, std::chrono::duration_cast<std::chrono::microseconds>(timeout));
  }

  void close();
  [[nodiscard]] bool closed() const;
  [[nodiscard]] std::size_t size() const;   // batches queued, all lanes
  [[nodiscard]] std::size_t bytes() const;  // bytes queued, all lanes
  [[nodiscard]] std::size_t capacity() const { return capacity_; }
  [[nodiscard]] std::size_t capacity_bytes() const { return capacity_bytes_; }
  [[nodiscard]] std::size_t lanes() const { return lanes_.size(); }
  // Numbers given so far: every batch queued before this call has a seq below it.
  [[nodiscard]] uint64_t issued() const;

 private:
  struct Lane {
    std::deque<std::pair<RawBatch, std::size_t>> items;  // with the bytes it was charged
    std::condition_variable not_empty;
  };
  // Room for a batch of `bytes`: a batch larger than the whole budget still passes alone.
  [[nodiscard]] bool room_locked(std::size_t bytes) const {
    return size_ < capacity_ && (bytes_ + bytes <= capacity_bytes_ || size_ == 0);
  }
  void enqueue_locked(RawBatch& batch, std::size_t bytes);
  std::optional<RawBatch> take_locked(Lane& lane);

  const std::size_t capacity_;
  const std::size_t capacity_bytes_;
  mutable std::mutex mu_;  // guards everything below
  std::condition_variable not_full_;
  std::vector<Lane> lanes_;
  std::size_t size_ = 0;
  std::size_t bytes_ = 0;
  uint64_t next_seq_ = 0;
  std::size_t blocked_pushers_ = 0;  // producers waiting in push()
  bool closed_ = false;
};

}  // namespace vigie::ingest
