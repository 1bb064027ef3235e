// The flow table of one worker (README.md, "Flows"): one entry per connection (5-tuple, both
// directions), its counters, its TCP state and the first bytes of each direction for the
// dissectors. Owned by the worker's PacketDecoder, which alone sees the flows routed to it
// (RawBatch::flow): no lock. Time is capture time (nanoseconds since the epoch), never the
// wall clock, so a replayed capture times out as it did live.
//
// Bounded: at most Limits::max_flows entries (the least recently active is ended early and
// counted), and at most Limits::max_buffered bytes held for the dissectors across all flows
// (past it, a direction is no longer dissected, and that is counted).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>

#include "ingest/pcap/packet.hpp"

namespace vigie::ingest::pcap {

// What a direction's bytes are, once its first payload (or the ports) told.
enum class App : uint8_t { unknown, none, dns, tls, http, ssh, syslog };
[[nodiscard]] std::string_view app_name(App a);

// One direction of a TCP connection, in sequence order: the bytes not yet consumed by its
// dissector, at most Limits::stream_bytes of them.
struct Stream {
  std::string buffer;
  uint64_t skip = 0;      // bytes still to pass over unbuffered (an HTTP body)
  uint64_t consumed = 0;  // bytes handed over before buffer's first
  uint32_t next_seq = 0;
  bool started = false;
  bool done = false;  // its dissector wants no more: bytes are counted, not kept
};

struct Flow {
  // The originator is the side that sent the first packet seen (the SYN's sender when a
  // SYN-ACK comes first).
  std::array<uint8_t, 16> orig{}, resp{};
  uint16_t orig_port = 0, resp_port = 0;
  uint8_t proto = 0;
  bool v4 = false;
  int64_t first_ns = 0, last_ns = 0;
  std::array<uint64_t, 2> bytes{}, packets{}, payload{};  // [0]: originator → responder
  std::array<uint8_t, 2> flags{};                         // TCP flags seen, or'ed, per direction
  bool closed = false;                                    // TCP: RST, or FIN both ways
  App app = App::unknown;
  std::array<Stream, 2> streams;
  bool http_head = false;  // the last HTTP request was a HEAD: its response has no body

  // The first packet seen was the responder's (a DNS answer whose query the capture missed):
  // the two sides trade places, as Zeek's flip does.
  void flip() {
    std::swap(orig, resp);
    std::swap(orig_port, resp_port);
    std::swap(bytes[0], bytes[1]);
    std::swap(packets[0], packets[1]);
    std::swap(payload[0], payload[1]);
    std::swap(flags[0], flags[1]);
    std::swap(streams[0], streams[1]);
  }
};

struct FlowLimits {
  std::size_t max_flows = 100'000;
  int64_t tcp_timeout_ns = 300'000'000'000;     // idle open TCP connection: 5 min
  int64_t udp_timeout_ns = 60'000'000'000;      // UDP, ICMP, others: 1 min
  int64_t closed_linger_ns = 5'000'000'000;     // a closed TCP connection's last ACKs
  std::size_t stream_bytes = 16 * 1024;         // kept per direction for the dissectors
  std::size_t max_buffered = 64 * 1024 * 1024;  // across all flows of the table
};

struct FlowCounters {
  uint64_t created = 0;
  uint64_t evicted = 0;          // ended early at max_flows
  uint64_t stream_gaps = 0;      // a direction stopped being dissected: a segment missing
  uint64_t stream_overflow = 0;  // ... or its dissector wanted more than stream_bytes
  uint64_t buffer_budget = 0;    // ... or the table's max_buffered was reached
};

class FlowTable {
 public:
  using Ended = std::function<void(Flow&, const char* why)>;  // why: "closed", "timeout", "evicted", "end"

  FlowTable(FlowLimits limits, Ended ended) : limits_(limits), ended_(std::move(ended)) {}
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // The flow of `p` at capture time `ts_ns`, created if new, counted, with `dir` the packet's
  // direction (0: from the originator). Ends the flows whose timeouts passed first.
  Flow& track(const Packet& p, int64_t ts_ns, int& dir);
  // Appends a TCP segment's payload to its direction's stream (in order; retransmitted bytes
  // trimmed; a gap stops the direction's dissection). False when the direction is done.
  bool add_segment(Flow& f, int dir, const Packet& p);
  // The dissector of `dir` consumed `n` bytes of its buffer, or wants no more of it.
  void consume(Flow& f, int dir, std::size_t n);
  void finish_stream(Flow& f, int dir);
  // A closed TCP connection lingers closed_linger_ns (its last ACKs), then ends.
  void mark_closed(Flow& f);
  // Ends every flow idle past its timeout at `now_ns`.
  void expire(int64_t now_ns);
  // Ends every flow (end of a capture file, shutdown).
  void flush();

  [[nodiscard]] std::size_t size() const { return index_.size(); }
  [[nodiscard]] std::size_t buffered() const { return buffered_; }
  [[nodiscard]] const FlowCounters& counters() const { return counters_; }
  [[nodiscard]] const FlowLimits& limits() const { return limits_; }

 private:
  struct Key {
    std::array<uint8_t, 16> a, b;  // a <= b
    uint16_t pa, pb;
    uint8_t proto;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const;
  };
  enum Class : uint8_t { kOpenTcp, kOther, kClosed, kClasses };  // timeout classes
  struct Entry {
    Flow flow;
    Key key;
    Class cls;
  };
  using List = std::list<Entry>;

  static Key key_of(const Packet& p);
  [[nodiscard]] int64_t timeout(Class c) const;
  void end(List::iterator it, const char* why);
  void release(Stream& s);

  FlowLimits limits_;
  Ended ended_;
  // One list per timeout class, least recently active first: expiry looks at the heads only.
  std::array<List, kClasses> lists_;
  std::unordered_map<Key, List::iterator, KeyHash> index_;
  std::size_t buffered_ = 0;
  FlowCounters counters_;
};

}  // namespace vigie::ingest::pcap
