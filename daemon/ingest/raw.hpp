// What inputs hand to the workers (DESIGN.md §3, queue Q1): framed but unparsed messages, in
// batches to amortise queue costs. A batch is owned by whoever holds it; nothing is shared.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/bounded_queue.hpp"
#include "core/time.hpp"

namespace vigie::ingest {

struct RawMessage {
  std::string data;  // one message after framing (no octet count, no terminator)
  std::string peer;  // sender IP as text; "" for files
  uint16_t peer_port = 0;
  core::TimePoint received{};
  bool truncated = false;  // cut at inputs.max_message_size (or incomplete at close)
};

// Every message of a batch comes from one input (a UDP listener's drain, a TCP connection, a
// file), so the input's name travels once per batch, not once per message.
struct RawBatch {
  std::string input;  // "udp://127.0.0.1:5514", "tcp://...", "file:/path": the metrics label
  std::vector<RawMessage> messages;

  [[nodiscard]] bool empty() const { return messages.empty(); }
  [[nodiscard]] std::size_t size() const { return messages.size(); }
};
using RawQueue = core::BoundedQueue<RawBatch>;

}  // namespace vigie::ingest
