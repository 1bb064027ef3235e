// FlowTable: directions, timeouts on capture time, the max_flows cap, TCP stream order.
#include "ingest/pcap/flows.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace vigie::ingest::pcap;

namespace {

constexpr int64_t kSec = 1'000'000'000;

Packet tcp(uint8_t a, uint16_t pa, uint8_t b, uint16_t pb, uint8_t flags, uint32_t seq = 0,
           const std::string* data = nullptr) {
  Packet p;
  p.v4 = true;
  p.src[10] = p.src[11] = p.dst[10] = p.dst[11] = 0xff;
  p.src[15] = a, p.dst[15] = b;
  p.sport = pa, p.dport = pb;
  p.proto = kTcp;
  p.tcp_flags = flags;
  p.seq = seq;
  p.ip_bytes = 40;
  if (data != nullptr) {
    p.payload = {reinterpret_cast<const uint8_t*>(data->data()), data->size()};
    p.ip_bytes += static_cast<uint32_t>(data->size());
  }
  return p;
}

struct Ended {
  std::vector<std::string> why;
  std::vector<uint64_t> packets;
};

}  // namespace

TEST_CASE("both directions are one flow; the SYN's sender is the originator") {
  Ended ended;
  FlowTable t({}, [&](Flow& f, const char* why) {
    ended.why.emplace_back(why);
    ended.packets.push_back(f.packets[0] + f.packets[1]);
  });
  int dir = -1;
  // The SYN-ACK is seen first: its receiver (host 1) opened the connection.
  Flow& f = t.track(tcp(2, 22, 1, 40000, kSyn | kAck), 1 * kSec, dir);
  CHECK(dir == 1);
  CHECK(f.orig[15] == 1);
  CHECK(f.resp_port == 22);
  t.track(tcp(1, 40000, 2, 22, kAck), 2 * kSec, dir);
  CHECK(dir == 0);
  CHECK(t.size() == 1);
  CHECK(f.packets[0] == 1);
  CHECK(f.packets[1] == 1);
  CHECK(f.bytes[0] == 40);
  t.mark_closed(f);
  // Closed connections linger 5 s of capture time, then end.
  t.expire(6 * kSec);
  CHECK(ended.why.empty());
  t.expire(7 * kSec);
  REQUIRE(ended.why.size() == 1);
  CHECK(ended.why[0] == "closed");
  CHECK(ended.packets[0] == 2);
  CHECK(t.size() == 0);
}

TEST_CASE("idle flows time out on capture time; the cap evicts the least recently active") {
  Ended ended;
  FlowLimits limits;
  limits.max_flows = 3;
  FlowTable t(limits, [&](Flow& f, const char* why) {
    ended.why.emplace_back(why);
    ended.packets.push_back(f.orig_port);
  });
  int dir = 0;
  for (uint16_t port = 1; port <= 3; ++port) t.track(tcp(1, port, 2, 80, kSyn), port * kSec, dir);
  t.track(tcp(1, 1, 2, 80, kAck), 4 * kSec, dir);  // flow 1 active again: flow 2 is now the oldest
  t.track(tcp(1, 4, 2, 80, kSyn), 5 * kSec, dir);
  REQUIRE(ended.why.size() == 1);
  CHECK(ended.why[0] == "evicted");
  CHECK(ended.packets[0] == 2);
  CHECK(t.counters().evicted == 1);
  CHECK(t.size() == 3);
  // 5 minutes without a packet, on the capture's clock.
  t.expire(5 * kSec + limits.tcp_timeout_ns);
  CHECK(t.size() == 0);
  CHECK(ended.why.back() == "timeout");
  CHECK(t.counters().created == 4);
}

TEST_CASE("a TCP direction is read in order: retransmissions trimmed, a gap ends its dissection") {
  FlowTable t({}, [](Flow&, const char*) {});
  int dir = 0;
  const std::string hello = "hello ", world = "world", again = "lo world!", later = "late";
  Flow& f = t.track(tcp(1, 1000, 2, 80, kSyn, 99), 0, dir);
  CHECK(t.add_segment(f, dir, tcp(1, 1000, 2, 80, kSyn, 99)));
  CHECK(t.add_segment(f, dir, tcp(1, 1000, 2, 80, kAck, 100, &hello)));
  CHECK(t.add_segment(f, dir, tcp(1, 1000, 2, 80, kAck, 106, &world)));
  // Overlaps "lo world" already seen: only "!" is new.
  CHECK(t.add_segment(f, dir, tcp(1, 1000, 2, 80, kAck, 103, &again)));
  CHECK(f.streams[0].buffer == "hello world!");
  CHECK(t.buffered() == 12);
  t.consume(f, 0, 6);
  CHECK(f.streams[0].buffer == "world!");
  CHECK(t.buffered() == 6);
  // Bytes 112..199 never came: a hole.
  CHECK_FALSE(t.add_segment(f, dir, tcp(1, 1000, 2, 80, kAck, 200, &later)));
  CHECK(f.streams[0].done);
  CHECK(t.counters().stream_gaps == 1);
  CHECK(t.buffered() == 0);
}

TEST_CASE("stream buffers are bounded per direction and across the table") {
  FlowLimits limits;
  limits.stream_bytes = 8;
  limits.max_buffered = 12;
  FlowTable t(limits, [](Flow&, const char*) {});
  int dir = 0;
  const std::string six = "abcdef", more = "ghi";
  Flow& a = t.track(tcp(1, 1, 2, 80, kAck, 0), 0, dir);
  CHECK(t.add_segment(a, 0, tcp(1, 1, 2, 80, kAck, 0, &six)));
  CHECK_FALSE(t.add_segment(a, 0, tcp(1, 1, 2, 80, kAck, 6, &more)));  // 9 > 8 bytes for one direction
  CHECK(t.counters().stream_overflow == 1);
  Flow& b = t.track(tcp(1, 2, 2, 80, kAck, 0), 0, dir);
  Flow& c = t.track(tcp(1, 3, 2, 80, kAck, 0), 0, dir);
  CHECK(t.add_segment(b, 0, tcp(1, 2, 2, 80, kAck, 0, &six)));
  CHECK(t.add_segment(c, 0, tcp(1, 3, 2, 80, kAck, 0, &six)));
  Flow& d = t.track(tcp(1, 4, 2, 80, kAck, 0), 0, dir);
  CHECK_FALSE(t.add_segment(d, 0, tcp(1, 4, 2, 80, kAck, 0, &six)));  // the table holds 12 already
  CHECK(t.counters().buffer_budget == 1);
  t.flush();
  CHECK(t.buffered() == 0);
}
