// The decoder of packets batches (ingest/decoder.hpp; README.md, "Into the pipeline"): frames →
// flows → dissectors → events. One per worker; batches are routed by flow, so this worker's
// FlowTable sees every frame of its connections, in capture order, and needs no lock.
//
// Events (ECS names, event.module "pcap"):
//   pcap.dns   one per DNS message (query or answer), UDP or TCP
//   pcap.tls   one per ClientHello (SNI, version, ALPN, JA3, JA4) and per ServerHello
//   pcap.http  one per HTTP/1.x request (method, url.domain, url.original, user agent) and response
//   pcap.ssh   one per SSH identification string (ssh.client.version / ssh.server.version)
//   pcap.flow  one per finished flow (network event: bytes and packets each way, duration, state)
//   syslog     messages carried to UDP/TCP port 514, through the syslog parser as if received
#pragma once

#include <array>
#include <memory>
#include <unordered_map>

#include "config/config.hpp"
#include "core/metrics.hpp"
#include "ingest/decoder.hpp"
#include "ingest/pcap/dns.hpp"
#include "ingest/pcap/flows.hpp"
#include "ingest/pcap/http.hpp"
#include "ingest/pcap/tls.hpp"
#include "ingest/syslog/framer.hpp"
#include "ingest/syslog/parser.hpp"

namespace vigie::ingest::pcap {

class PacketDecoder final : public BatchDecoder {
 public:
  PacketDecoder(std::shared_ptr<const config::Config> cfg, core::Metrics& metrics, FlowLimits limits = {});
  void decode(EventBatch& batch) override;

  // Flow tables are per input (RawBatch::input: an interface, a file, a site's spool): a file's
  // end ends its own flows, never a live capture's, and its capture times never expire another
  // input's flows. At most this many at once; past it the least recently used one ends its
  // flows and goes (counted, vigie_pcap_tables_evicted_total). A table goes with its input's
  // end_of_capture.
  static constexpr std::size_t kMaxTables = 8;
  [[nodiscard]] std::size_t tables() const { return tables_.size(); }

 private:
  struct Counts {
    std::array<uint64_t, kWeirds> weird{};
    uint64_t not_ip = 0;
    uint64_t dissect_errors[8] = {};  // by App
  };

  void on_frame(const PacketRecord& r, std::span<const uint8_t> bytes, int linktype);
  void on_udp(Flow& f, int dir, const Packet& p, int64_t ts);
  void on_tcp(Flow& f, int dir, const Packet& p, int64_t ts);
  void choose_app(Flow& f, const Packet& p);
  void dissect_stream(Flow& f, int dir, int64_t ts);
  void dissect_http(Flow& f, int dir, int64_t ts);
  void on_flow_end(Flow& f, const char* why);
  // The table of `input`, made current (table_).
  void select(const std::string& input);
  void publish(const std::string& input);

  // Events (packet_events.cpp): each starts from the endpoints of the message it reports.
  core::Event& begin(int64_t ts, const Flow& f, int dir, std::string_view dataset);
  void dns_event(const dissect::DnsMessage& m, const Flow& f, int dir, int64_t ts);
  void tls_event(const dissect::TlsHello& h, const Flow& f, int dir, int64_t ts);
  void ssh_event(std::string_view banner, std::string_view software, const Flow& f, int dir, int64_t ts);
  void flow_event(const Flow& f, const char* why);
  // `copy`: data does not live in the batch (a TCP frame): the event gets its own copy.
  void syslog_event(std::string_view data, const Flow& f, int dir, int64_t ts, bool copy);
  void http_request_event(const dissect::HttpRequest& r, const Flow& f, int dir, int64_t ts);
  void http_response_event(const dissect::HttpResponse& r, const Flow& f, int dir, int64_t ts);

  std::shared_ptr<const config::Config> cfg_;
  core::Metrics& metrics_;
  syslog::SyslogParser parser_;
  struct Table {
    std::string input;
    std::unique_ptr<FlowTable> table;
    FlowCounters published;  // its counters at the last publish
    uint64_t used = 0;       // decode() serial of its last batch
  };
  FlowLimits limits_;
  std::vector<Table> tables_;
  Table* current_ = nullptr;
  FlowTable* table_ = nullptr;  // current_'s: the table of the batch being decoded
  uint64_t serial_ = 0;
  uint64_t tables_evicted_ = 0, tables_evicted_published_ = 0;
  const config::Site* input_site_ = nullptr;  // RawBatch::site of the batch being decoded
  core::TimePoint received_{};                // its lines_received: a file's reading time, else zero
  EventBatch* batch_ = nullptr;               // the batch being decoded: flow ends write their events into it
  std::unordered_map<const Flow*, syslog::TcpFramer> framers_;  // syslog over TCP, per flow
  std::vector<syslog::Frame> frames_;
  dissect::DnsMessage dns_;
  dissect::TlsHello tls_;
  Counts counts_, published_;
};

}  // namespace vigie::ingest::pcap
