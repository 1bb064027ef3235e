// Hostile captures through the whole packets decoder (ingest/pcap/packet_decoder.hpp): frame
// decoding, the flow table, TCP reassembly, every dissector, syslog carried in frames, and the
// flow events at the end. Input: one byte choosing the link type, then frames, each as a
// 2-byte length (little-endian), a 1-byte time step in seconds (so timeouts and lingering
// closed flows run) and that many bytes; the top bit of the length marks a frame cut by the
// snaplen (its wire length larger than what was captured).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "core/metrics.hpp"
#include "ingest/decoder.hpp"
#include "ingest/pcap/packet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace vigie;
  static const int kLinks[] = {ingest::pcap::kLinkEthernet, ingest::pcap::kLinkRaw,  ingest::pcap::kLinkSll,
                               ingest::pcap::kLinkSll2,     ingest::pcap::kLinkNull, ingest::pcap::kLinkIpv6};
  static const auto cfg = std::make_shared<const config::Config>();
  if (size < 1) return 0;
  core::Metrics metrics;
  ingest::Decoders decoders(cfg, metrics);
  ingest::BatchDecoder* d = decoders.for_kind(ingest::BatchKind::packets);
  ingest::EventBatch batch;
  batch.raw.kind = ingest::BatchKind::packets;
  batch.raw.input = "fuzz";
  batch.raw.linktype = kLinks[data[0] % std::size(kLinks)];
  int64_t ts = 1'700'000'000'000'000'000;
  std::size_t at = 1;
  while (at + 3 <= size) {
    const uint16_t word = static_cast<uint16_t>(data[at] | data[at + 1] << 8);
    const std::size_t n = std::min<std::size_t>(word & 0x7fff, size - at - 3);
    ts += int64_t{data[at + 2]} * 1'000'000'000;
    const auto offset = static_cast<uint32_t>(batch.raw.block.size());
    batch.raw.block.insert(batch.raw.block.end(), data + at + 3, data + at + 3 + n);
    const auto caplen = static_cast<uint32_t>(n);
    batch.raw.packets.push_back({offset, caplen, (word & 0x8000) != 0 ? caplen + 100 : caplen, ts});
    at += 3 + n;
  }
  d->decode(batch);
  batch.clear();
  batch.raw.packets.clear();
  batch.raw.block.clear();
  batch.raw.end_of_capture = true;
  d->decode(batch);
  return 0;
}
