#include "ingest/pcap/packet_decoder.hpp"

#include <algorithm>

#include "ingest/pcap/http.hpp"
#include "ingest/pcap/ssh.hpp"

namespace vigie::ingest::pcap {
namespace {

constexpr uint16_t kDnsPorts[] = {53, 5353, 5355};
constexpr uint16_t kSyslogPort = 514;

bool dns_port(uint16_t p) { return std::find(std::begin(kDnsPorts), std::end(kDnsPorts), p) != std::end(kDnsPorts); }

std::string_view as_text(std::span<const uint8_t> b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

// What the first payload bytes of a TCP direction say; unknown when too few to tell.
App sniff(std::string_view b) {
  if (b.size() < 4) return App::unknown;
  if (b.substr(0, 4) == "SSH-") return App::ssh;
  // A TLS handshake record: content type 22, version 3.x.
  if (static_cast<uint8_t>(b[0]) == 22 && b[1] == 3 && static_cast<uint8_t>(b[2]) <= 4) return App::tls;
  if (b.substr(0, 5) == "HTTP/") return App::http;
  dissect::HttpRequest req;
  if (dissect::parse_http_request(b, req) != dissect::Result::not_this) return App::http;
  return App::none;
}

}  // namespace

PacketDecoder::PacketDecoder(std::shared_ptr<const config::Config> cfg, core::Metrics& metrics, FlowLimits limits)
    : cfg_(cfg), metrics_(metrics), parser_(std::move(cfg), metrics), limits_(limits) {
  tables_.reserve(kMaxTables + 1);  // Table* stays valid while it is current
}

void PacketDecoder::select(const std::string& input) {
  ++serial_;
  auto it = std::find_if(tables_.begin(), tables_.end(), [&](const Table& t) { return t.input == input; });
  if (it == tables_.end()) {
    if (tables_.size() >= kMaxTables) {
      // The least recently used input ends its flows (into this batch) and goes.
      auto lru = std::min_element(tables_.begin(), tables_.end(),
                                  [](const Table& a, const Table& b) { return a.used < b.used; });
      current_ = &*lru;
      table_ = lru->table.get();
      table_->flush();
      publish(lru->input);
      tables_.erase(lru);
      ++tables_evicted_;
    }
    Table t;
    t.input = input;
    t.table = std::make_unique<FlowTable>(limits_, [this](Flow& f, const char* why) { on_flow_end(f, why); });
    tables_.push_back(std::move(t));
    it = tables_.end() - 1;
  }
  it->used = serial_;
  current_ = &*it;
  table_ = it->table.get();
}

void PacketDecoder::decode(EventBatch& batch) {
  batch_ = &batch;
  const RawBatch& raw = batch.raw;
  input_site_ = nullptr;  // an evicted table's flows end with the sites of their addresses
  parser_.set_input_site({});
  select(raw.input);
  input_site_ = raw.site.empty() ? nullptr : cfg_->site(raw.site);
  received_ = raw.lines_received;
  parser_.set_input_site(raw.site);
  for (const PacketRecord& r : raw.packets) {
    if (r.offset + std::size_t{r.caplen} > raw.block.size()) continue;  // never built so by LaneBatcher
    on_frame(r, {reinterpret_cast<const uint8_t*>(raw.block.data()) + r.offset, r.caplen}, raw.linktype);
  }
  if (raw.capture_now_ns != 0) table_->expire(raw.capture_now_ns);
  if (raw.end_of_capture) table_->flush();
  publish(raw.input);
  if (raw.end_of_capture) tables_.erase(tables_.begin() + (current_ - tables_.data()));
  current_ = nullptr;
  table_ = nullptr;
  batch_ = nullptr;
}

void PacketDecoder::on_frame(const PacketRecord& r, std::span<const uint8_t> bytes, int linktype) {
  Packet p;
  Weird weird{};
  switch (decode_packet(linktype, bytes, r.wire_len, p, weird)) {
    case Decoded::not_ip:
      ++counts_.not_ip;
      return;
    case Decoded::weird:
      ++counts_.weird[static_cast<std::size_t>(weird)];
      return;
    case Decoded::ok:
      break;
  }
  int dir = 0;
  Flow& f = table_->track(p, r.ts_ns, dir);
  if (p.proto == kUdp) on_udp(f, dir, p, r.ts_ns);
  if (p.proto == kTcp) on_tcp(f, dir, p, r.ts_ns);
}

void PacketDecoder::on_udp(Flow& f, int dir, const Packet& p, int64_t ts) {
  f.payload[dir] += p.payload.size();
  if (f.app == App::unknown) {
    if (dns_port(p.sport) || dns_port(p.dport))
      f.app = App::dns;
    else if (f.resp_port == kSyslogPort)
      f.app = App::syslog;
    else
      f.app = App::none;
  }
  if (p.payload.empty()) return;
  if (f.app == App::dns) {
    if (dissect::parse_dns(p.payload, dns_) == dissect::Result::ok) {
      if (dns_.response && dir == 0 && f.packets[0] + f.packets[1] == 1) {
        f.flip();  // an answer seen first: its receiver asked
        dir = 1;
      }
      dns_event(dns_, f, dir, ts);
    } else
      ++counts_.dissect_errors[static_cast<std::size_t>(App::dns)];
  } else if (f.app == App::syslog && dir == 0) {
    std::string_view text = as_text(p.payload);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.remove_suffix(1);
    if (!text.empty()) syslog_event(text, f, dir, ts, false);
  }
}

void PacketDecoder::on_tcp(Flow& f, int dir, const Packet& p, int64_t ts) {
  f.payload[dir] += p.payload.size();
  if ((p.tcp_flags & kRst) != 0 || ((f.flags[0] & kFin) != 0 && (f.flags[1] & kFin) != 0)) {
    // What the segment carries is still read, then the connection lingers closed.
    if (!p.payload.empty() && table_->add_segment(f, dir, p)) dissect_stream(f, dir, ts);
    table_->mark_closed(f);
    return;
  }
  if (f.app == App::none || p.payload.empty() || !table_->add_segment(f, dir, p)) return;
  if (f.app == App::unknown) choose_app(f, p);
  dissect_stream(f, dir, ts);
}

void PacketDecoder::choose_app(Flow& f, const Packet& p) {
  if (f.resp_port == 53) {
    f.app = App::dns;
  } else if (f.resp_port == kSyslogPort || f.resp_port == 601) {
    f.app = App::syslog;
  } else {
    f.app = sniff(as_text(p.payload));
    if (f.app == App::unknown) f.app = App::none;  // a first segment under 4 bytes: not worth waiting
  }
  if (f.app == App::none)
    for (int d = 0; d < 2; ++d) table_->finish_stream(f, d);
}

void PacketDecoder::dissect_stream(Flow& f, int dir, int64_t ts) {
  Stream& s = f.streams[dir];
  const auto error = [&] {
    ++counts_.dissect_errors[static_cast<std::size_t>(f.app)];
    table_->finish_stream(f, dir);
  };
  switch (f.app) {
    case App::dns:
      // RFC 1035 §4.2.2: each message after a two-byte length.
      while (s.buffer.size() >= 2) {
        const std::size_t length = static_cast<uint8_t>(s.buffer[0]) << 8 | static_cast<uint8_t>(s.buffer[1]);
        if (s.buffer.size() < 2 + length) return;
        const std::span<const uint8_t> msg(reinterpret_cast<const uint8_t*>(s.buffer.data()) + 2, length);
        if (dissect::parse_dns(msg, dns_) != dissect::Result::ok) return error();
        dns_event(dns_, f, dir, ts);
        table_->consume(f, dir, 2 + length);
      }
      return;
    case App::tls:
      switch (dissect::parse_tls_hello({reinterpret_cast<const uint8_t*>(s.buffer.data()), s.buffer.size()}, tls_)) {
        case dissect::Result::ok:
          tls_event(tls_, f, dir, ts);
          table_->finish_stream(f, dir);
          return;
        case dissect::Result::need_more:
          return;
        default:
          return error();
      }
    case App::ssh: {
      dissect::SshBanner banner;
      switch (dissect::parse_ssh_banner(s.buffer, banner)) {
        case dissect::Result::ok:
          ssh_event(banner.line, banner.software, f, dir, ts);
          table_->finish_stream(f, dir);
          return;
        case dissect::Result::need_more:
          return;
        default:
          return error();
      }
    }
    case App::http:
      return dissect_http(f, dir, ts);
    case App::syslog: {
      if (dir != 0) return table_->finish_stream(f, dir);
      auto [it, inserted] = framers_.try_emplace(&f, cfg_->inputs.max_message_size);
      frames_.clear();
      it->second.feed(s.buffer, frames_);
      table_->consume(f, dir, s.buffer.size());
      for (const auto& fr : frames_) syslog_event(fr.data, f, dir, ts, true);
      return;
    }
    case App::unknown:
    case App::none:
      return;
  }
}

void PacketDecoder::on_flow_end(Flow& f, const char* why) {
  if (const auto it = framers_.find(&f); it != framers_.end()) {
    frames_.clear();
    it->second.finish(frames_);
    for (const auto& fr : frames_) syslog_event(fr.data, f, 0, f.last_ns, true);
    framers_.erase(it);
  }
  flow_event(f, why);
}

void PacketDecoder::publish(const std::string& input) {
  // Counters are kept per worker and published per batch: no metric lookup per frame.
  for (std::size_t w = 0; w < kWeirds; ++w) {
    const uint64_t d = counts_.weird[w] - published_.weird[w];
    if (d != 0)
      metrics_.counter("vigie_pcap_weird_total", {{"input", input}, {"weird", std::string(weird_name(Weird(w)))}})
          .fetch_add(d, std::memory_order_relaxed);
  }
  if (const uint64_t d = counts_.not_ip - published_.not_ip; d != 0)
    metrics_.counter("vigie_pcap_not_ip_total", {{"input", input}}).fetch_add(d, std::memory_order_relaxed);
  for (std::size_t a = 0; a < std::size(counts_.dissect_errors); ++a) {
    const uint64_t d = counts_.dissect_errors[a] - published_.dissect_errors[a];
    if (d != 0)
      metrics_.counter("vigie_pcap_dissect_errors_total", {{"protocol", std::string(app_name(App(a)))}})
          .fetch_add(d, std::memory_order_relaxed);
  }
  if (const uint64_t d = tables_evicted_ - tables_evicted_published_; d != 0)
    metrics_.counter("vigie_pcap_tables_evicted_total").fetch_add(d, std::memory_order_relaxed);
  tables_evicted_published_ = tables_evicted_;
  const FlowCounters& now = table_->counters();
  const std::pair<const char*, uint64_t FlowCounters::*> flows[] = {
      {"vigie_pcap_flows_total", &FlowCounters::created},
      {"vigie_pcap_flows_evicted_total", &FlowCounters::evicted},
      {"vigie_pcap_stream_gaps_total", &FlowCounters::stream_gaps},
      {"vigie_pcap_stream_overflow_total", &FlowCounters::stream_overflow},
      {"vigie_pcap_stream_budget_total", &FlowCounters::buffer_budget}};
  for (const auto& [name, member] : flows)
    if (const uint64_t d = now.*member - current_->published.*member; d != 0)
      metrics_.counter(name).fetch_add(d, std::memory_order_relaxed);
  current_->published = now;
  published_ = counts_;
}

}  // namespace vigie::ingest::pcap
