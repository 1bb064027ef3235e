// Which decoder handles which batch kind: the only place that lists them.
#include "ingest/decoder.hpp"
#include "ingest/pcap/packet_decoder.hpp"
#include "ingest/syslog/parser.hpp"

namespace vigie::ingest {
namespace {

// Syslog lines (network listeners and log files): one event per message.
class SyslogLines final : public BatchDecoder {
 public:
  SyslogLines(std::shared_ptr<const config::Config> cfg, core::Metrics& metrics) : parser_(std::move(cfg), metrics) {}

  void decode(EventBatch& batch) override {
    const RawBatch& raw = batch.raw;
    parser_.set_input_site(raw.site);
    for (const auto& m : raw.messages) parser_.parse_into(m, raw.input, batch.add());
    for (const auto& l : raw.lines) parser_.parse_into(l.text, {}, raw.lines_received, raw.input, batch.add());
  }

 private:
  syslog::SyslogParser parser_;
};

}  // namespace

Decoders::Decoders(std::shared_ptr<const config::Config> cfg, core::Metrics& metrics) {
  by_kind_[static_cast<std::size_t>(BatchKind::syslog_lines)] = std::make_unique<SyslogLines>(cfg, metrics);
  by_kind_[static_cast<std::size_t>(BatchKind::packets)] =
      std::make_unique<pcap::PacketDecoder>(std::move(cfg), metrics);
}

}  // namespace vigie::ingest
