#include <pcap/pcap.h>

#include <cstring>
#include <memory>

#include "ingest/pcap/capture.hpp"
#include "ingest/pcap/packet.hpp"

namespace vigie::ingest::pcap {

LaneBatcher::LaneBatcher(std::string input, int linktype, std::size_t lanes, Push push, std::size_t batch_packets,
                         std::size_t batch_bytes)
    : input_(std::move(input)),
      linktype_(linktype),
      pending_(std::max<std::size_t>(lanes, 1)),
      push_(std::move(push)),
      batch_packets_(batch_packets),
      batch_bytes_(batch_bytes) {}

void LaneBatcher::add(const uint8_t* data, uint32_t caplen, uint32_t wire_len, int64_t ts_ns) {
  // The frame's flow picks the lane; a frame that does not decode goes to lane 0, whose
  // decoder counts it as a weird.
  Packet p;
  Weird weird{};
  std::size_t lane = 0;
  if (decode_packet(linktype_, {data, caplen}, wire_len, p, weird) == Decoded::ok)
    lane = flow_hash(p) % pending_.size();
  RawBatch& b = pending_[lane];
  b.packets.push_back(PacketRecord{static_cast<uint32_t>(b.block.size()), caplen, wire_len, ts_ns});
  b.block.insert(b.block.end(), reinterpret_cast<const char*>(data), reinterpret_cast<const char*>(data) + caplen);
  if (b.packets.size() >= batch_packets_ || b.block.size() >= batch_bytes_) push(lane, false);
}

void LaneBatcher::push(std::size_t lane, bool end_of_capture, int64_t now_ns) {
  RawBatch& b = pending_[lane];
  b.kind = BatchKind::packets;
  b.input = input_;
  b.site = site_;
  b.lines_received = received_;
  b.linktype = linktype_;
  b.flow = lane + pending_.size();
  b.end_of_capture = end_of_capture;
  b.capture_now_ns = now_ns;
  push_(std::move(b));
  b = RawBatch{};
}

void LaneBatcher::flush(bool end_of_capture) {
  for (std::size_t lane = 0; lane < pending_.size(); ++lane)
    if (end_of_capture || !pending_[lane].packets.empty()) push(lane, end_of_capture);
}

void LaneBatcher::tick(int64_t now_ns) {
  for (std::size_t lane = 0; lane < pending_.size(); ++lane) push(lane, false, now_ns);
}

CaptureFileStats read_capture_file(const std::filesystem::path& file, const std::string& input, const std::string& site,
                                   core::TimePoint received, std::size_t lanes,
                                   const std::function<bool(RawBatch&&)>& push) {
  CaptureFileStats stats;
  char err[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<pcap_t, decltype(&pcap_close)> handle(
      pcap_open_offline_with_tstamp_precision(file.c_str(), PCAP_TSTAMP_PRECISION_NANO, err), &pcap_close);
  if (!handle) {
    stats.error = core::Error{file.string(), std::string("not a readable capture: ") + err};
    return stats;
  }
  stats.linktype = pcap_datalink(handle.get());
  if (!link_supported(stats.linktype)) {
    const char* name = pcap_datalink_val_to_name(stats.linktype);
    stats.error = core::Error{file.string(), "link type " + std::to_string(stats.linktype) + " (" +
                                                 (name != nullptr ? name : "unknown") + ") is not decoded"};
    return stats;
  }
  LaneBatcher batcher(input, stats.linktype, lanes, [&](RawBatch&& b) {
    if (!stats.stopped) stats.stopped = !push(std::move(b));
  });
  batcher.set_site(site);
  batcher.set_received(received);
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int rc = 0;
  while (!stats.stopped && (rc = pcap_next_ex(handle.get(), &header, &data)) == 1) {
    const int64_t ts = int64_t{header->ts.tv_sec} * 1'000'000'000 + header->ts.tv_usec;  // nanoseconds (precision)
    batcher.add(data, header->caplen, header->len, ts);
    ++stats.packets;
    stats.bytes += header->caplen;
  }
  if (stats.stopped) return stats;
  // Whatever was read stays read: the flows of a truncated file end like those of a whole one.
  batcher.flush(true);
  if (rc == PCAP_ERROR)
    stats.error = core::Error{file.string(),
                              "after " + std::to_string(stats.packets) + " frame(s): " + pcap_geterr(handle.get())};
  return stats;
}

}  // namespace vigie::ingest::pcap
