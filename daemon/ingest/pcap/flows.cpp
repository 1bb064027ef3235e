#include "ingest/pcap/flows.hpp"

#include <algorithm>
#include <cstring>

namespace vigie::ingest::pcap {

std::string_view app_name(App a) {
  switch (a) {
    case App::dns:
      return "dns";
    case App::tls:
      return "tls";
    case App::http:
      return "http";
    case App::ssh:
      return "ssh";
    case App::syslog:
      return "syslog";
    case App::unknown:
    case App::none:
      break;
  }
  return "";
}

std::size_t FlowTable::KeyHash::operator()(const Key& k) const { return hash_endpoints(k.a, k.b, k.pa, k.pb, k.proto); }

FlowTable::Key FlowTable::key_of(const Packet& p) {
  const int c = std::memcmp(p.src.data(), p.dst.data(), 16);
  const bool forward = c < 0 || (c == 0 && p.sport <= p.dport);
  Key k{};
  k.a = forward ? p.src : p.dst;
  k.b = forward ? p.dst : p.src;
  k.pa = forward ? p.sport : p.dport;
  k.pb = forward ? p.dport : p.sport;
  k.proto = p.proto;
  return k;
}

int64_t FlowTable::timeout(Class c) const {
  switch (c) {
    case kOpenTcp:
      return limits_.tcp_timeout_ns;
    case kClosed:
      return limits_.closed_linger_ns;
    default:
      return limits_.udp_timeout_ns;
  }
}

Flow& FlowTable::track(const Packet& p, int64_t ts_ns, int& dir) {
  expire(ts_ns);
  const Key key = key_of(p);
  auto found = index_.find(key);
  if (found == index_.end()) {
    if (index_.size() >= limits_.max_flows) {
      // The least recently active of all: the oldest of the lists' heads.
      List* oldest = nullptr;
      for (auto& l : lists_)
        if (!l.empty() && (oldest == nullptr || l.front().flow.last_ns < oldest->front().flow.last_ns)) oldest = &l;
      if (oldest != nullptr) {
        ++counters_.evicted;
        end(oldest->begin(), "evicted");
      }
    }
    const Class cls = p.proto == kTcp ? kOpenTcp : kOther;
    List& l = lists_[cls];
    l.push_back(Entry{Flow{}, key, cls});
    Flow& f = l.back().flow;
    // A SYN-ACK seen first: its receiver opened the connection.
    const bool reply_first = p.proto == kTcp && (p.tcp_flags & (kSyn | kAck)) == (kSyn | kAck);
    f.orig = reply_first ? p.dst : p.src;
    f.resp = reply_first ? p.src : p.dst;
    f.orig_port = reply_first ? p.dport : p.sport;
    f.resp_port = reply_first ? p.sport : p.dport;
    f.proto = p.proto;
    f.v4 = p.v4;
    f.first_ns = ts_ns;
    found = index_.emplace(key, std::prev(l.end())).first;
    ++counters_.created;
  } else {
    // Most recently active goes last in its list.
    List& l = lists_[found->second->cls];
    l.splice(l.end(), l, found->second);
  }
  Flow& f = found->second->flow;
  dir = (f.orig == p.src && f.orig_port == p.sport) ? 0 : 1;
  f.last_ns = std::max(f.last_ns, ts_ns);
  f.bytes[dir] += p.ip_bytes;
  f.packets[dir] += 1;
  f.flags[dir] |= p.tcp_flags;
  return f;
}

bool FlowTable::add_segment(Flow& f, int dir, const Packet& p) {
  Stream& s = f.streams[dir];
  if (s.done) return false;
  uint32_t seq = p.seq;
  if ((p.tcp_flags & kSyn) != 0) ++seq;  // the SYN takes one sequence number
  if (!s.started) {
    if (p.payload.empty() && (p.tcp_flags & kSyn) == 0) return true;  // a pure ACK says nothing of the start
    s.started = true;
    s.next_seq = seq;
  }
  std::span<const uint8_t> data = p.payload;
  const auto offset = static_cast<int32_t>(seq - s.next_seq);
  if (offset > 0) {
    // A segment missing (lost by the capture, or out of order): the stream has a hole that
    // the dissectors cannot read across.
    ++counters_.stream_gaps;
    finish_stream(f, dir);
    return false;
  }
  const auto behind = static_cast<std::size_t>(-static_cast<int64_t>(offset));
  if (behind >= data.size()) return true;  // a retransmission of bytes already seen
  data = data.subspan(behind);
  if (p.payload_cut) {
    ++counters_.stream_gaps;  // the snaplen cut the segment: what follows is a hole
    finish_stream(f, dir);
    return false;
  }
  s.next_seq += static_cast<uint32_t>(data.size());
  const std::size_t skipped = static_cast<std::size_t>(std::min<uint64_t>(s.skip, data.size()));
  s.skip -= skipped;
  s.consumed += skipped;
  data = data.subspan(skipped);
  if (data.empty()) return true;
  if (s.buffer.size() + data.size() > limits_.stream_bytes) {
    ++counters_.stream_overflow;
    finish_stream(f, dir);
    return false;
  }
  if (buffered_ + data.size() > limits_.max_buffered) {
    ++counters_.buffer_budget;
    finish_stream(f, dir);
    return false;
  }
  s.buffer.append(reinterpret_cast<const char*>(data.data()), data.size());
  buffered_ += data.size();
  return true;
}

void FlowTable::consume(Flow& f, int dir, std::size_t n) {
  Stream& s = f.streams[dir];
  n = std::min(n, s.buffer.size());
  s.buffer.erase(0, n);
  s.consumed += n;
  buffered_ -= n;
}

void FlowTable::release(Stream& s) {
  buffered_ -= s.buffer.size();
  std::string().swap(s.buffer);
}

void FlowTable::finish_stream(Flow& f, int dir) {
  Stream& s = f.streams[dir];
  s.done = true;
  release(s);
}

void FlowTable::mark_closed(Flow& f) {
  if (f.closed) return;
  f.closed = true;
  Packet p;
  p.src = f.orig, p.dst = f.resp, p.sport = f.orig_port, p.dport = f.resp_port, p.proto = f.proto;
  const auto found = index_.find(key_of(p));
  if (found == index_.end()) return;
  List& from = lists_[found->second->cls];
  found->second->cls = kClosed;
  lists_[kClosed].splice(lists_[kClosed].end(), from, found->second);
}

void FlowTable::expire(int64_t now_ns) {
  for (int c = 0; c < kClasses; ++c) {
    List& l = lists_[c];
    const int64_t t = timeout(static_cast<Class>(c));
    while (!l.empty() && l.front().flow.last_ns + t <= now_ns) end(l.begin(), c == kClosed ? "closed" : "timeout");
  }
}

void FlowTable::flush() {
  for (auto& l : lists_)
    while (!l.empty()) end(l.begin(), "end");
}

void FlowTable::end(List::iterator it, const char* why) {
  Entry& e = *it;
  ended_(e.flow, why);
  for (Stream& s : e.flow.streams) release(s);
  index_.erase(e.key);
  lists_[e.cls].erase(it);
}

}  // namespace vigie::ingest::pcap
