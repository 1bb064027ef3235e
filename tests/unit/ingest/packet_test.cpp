// decode_packet() on frames built byte by byte here (layouts from IEEE 802.3/802.1Q, RFC 791,
// RFC 8200, RFC 9293, RFC 768, the Linux SLL/SLL2 headers of pcap-linktype(7)), every prefix
// of each, and flow_hash()'s symmetry.
#include "ingest/pcap/packet.hpp"

#include <doctest/doctest.h>

#include "core/metrics.hpp"
#include "ingest/pcap/packet_decoder.hpp"

#include <cstdint>
#include <string>
#include <vector>

using namespace vigie::ingest::pcap;

namespace {

using Bytes = std::vector<uint8_t>;

void put16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void put32(Bytes& b, uint32_t v) {
  put16(b, static_cast<uint16_t>(v >> 16));
  put16(b, static_cast<uint16_t>(v));
}

Bytes ether(uint16_t type, std::vector<uint16_t> vlans = {}) {
  Bytes b(12, 0x02);  // destination, source MAC
  for (const uint16_t tag : vlans) {
    put16(b, 0x8100);
    put16(b, tag);
  }
  put16(b, type);
  return b;
}

Bytes tcp_segment(uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags, const std::string& data) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put32(b, seq);
  put32(b, 0);  // ack
  b.push_back(5 << 4);
  b.push_back(flags);
  put16(b, 65535);
  put32(b, 0);  // checksum, urgent
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

Bytes udp_datagram(uint16_t sport, uint16_t dport, const std::string& data) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put16(b, static_cast<uint16_t>(8 + data.size()));
  put16(b, 0);
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

Bytes ipv4(uint8_t proto, const Bytes& payload, uint16_t frag = 0, uint32_t src = 0x0a000001,
           uint32_t dst = 0xc0000207) {
  Bytes b;
  b.push_back(0x45);
  b.push_back(0);
  put16(b, static_cast<uint16_t>(20 + payload.size()));
  put16(b, 1);
  put16(b, frag);
  b.push_back(64);
  b.push_back(proto);
  put16(b, 0);
  put32(b, src);
  put32(b, dst);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

Bytes ipv6(uint8_t next, const Bytes& payload) {
  Bytes b;
  put32(b, 0x60000000);
  put16(b, static_cast<uint16_t>(payload.size()));
  b.push_back(next);
  b.push_back(64);
  Bytes src(16, 0), dst(16, 0);
  src[0] = 0x20, src[1] = 0x01, src[2] = 0x0d, src[3] = 0xb8, src[15] = 1;
  dst[0] = 0x20, dst[1] = 0x01, dst[2] = 0x0d, dst[3] = 0xb8, dst[15] = 2;
  b.insert(b.end(), src.begin(), src.end());
  b.insert(b.end(), dst.begin(), dst.end());
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

Bytes cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Decoded decode(int link, const Bytes& f, Packet& p, Weird& w, uint32_t wire = 0) {
  return decode_packet(link, f, wire == 0 ? static_cast<uint32_t>(f.size()) : wire, p, w);
}

}  // namespace

TEST_CASE("Ethernet, 802.1Q and QinQ, IPv4, TCP") {
  const Bytes seg = tcp_segment(40000, 443, 1000, kSyn, "");
  for (const auto& vlans : {std::vector<uint16_t>{}, {10}, {10, 20}}) {
    const Bytes f = cat(ether(0x0800, vlans), ipv4(kTcp, seg));
    Packet p;
    Weird w{};
    REQUIRE(decode(kLinkEthernet, f, p, w) == Decoded::ok);
    CHECK(p.v4);
    CHECK(p.proto == kTcp);
    CHECK(p.sport == 40000);
    CHECK(p.dport == 443);
    CHECK(p.seq == 1000);
    CHECK(p.tcp_flags == kSyn);
    CHECK(p.ip_bytes == 40);
    CHECK(p.src[15] == 1);
    CHECK(p.dst[12] == 192);
    CHECK(p.payload.empty());
  }
}

TEST_CASE("UDP payload bounded by its length, not by Ethernet padding") {
  Bytes f = cat(ether(0x0800), ipv4(kUdp, udp_datagram(5353, 53, "abc")));
  f.resize(60, 0);  // padded to the Ethernet minimum
  Packet p;
  Weird w{};
  REQUIRE(decode(kLinkEthernet, f, p, w) == Decoded::ok);
  CHECK(std::string(p.payload.begin(), p.payload.end()) == "abc");
}

TEST_CASE("IPv6 with extension headers; fragments counted, not decoded") {
  // Hop-by-hop (8 bytes) then destination options (8 bytes) then UDP.
  Bytes ext = {60, 0, 1, 4, 0, 0, 0, 0};
  const Bytes dest = {kUdp, 0, 1, 4, 0, 0, 0, 0};
  ext = cat(cat(ext, dest), udp_datagram(1234, 53, "q"));
  Packet p;
  Weird w{};
  REQUIRE(decode(kLinkEthernet, cat(ether(0x86dd), ipv6(0, ext)), p, w) == Decoded::ok);
  CHECK_FALSE(p.v4);
  CHECK(p.proto == kUdp);
  CHECK(p.dport == 53);
  CHECK(p.payload.size() == 1);

  const Bytes frag = cat(Bytes{kUdp, 0, 0x00, 0x01, 0, 0, 0, 7}, udp_datagram(1, 2, "x"));  // M flag set
  CHECK(decode(kLinkEthernet, cat(ether(0x86dd), ipv6(44, frag)), p, w) == Decoded::weird);
  CHECK(w == Weird::ip_fragment);
  CHECK(decode(kLinkEthernet, cat(ether(0x0800), ipv4(kUdp, udp_datagram(1, 2, "x"), 0x2000)), p, w) == Decoded::weird);
  CHECK(w == Weird::ip_fragment);
  // A chain of more than eight extension headers.
  Bytes chain;
  for (int i = 0; i < 10; ++i) chain = cat(chain, Bytes{60, 0, 1, 4, 0, 0, 0, 0});
  CHECK(decode(kLinkRaw, ipv6(60, chain), p, w) == Decoded::weird);
  CHECK(w == Weird::ip6_ext_chain);
}

TEST_CASE("Linux cooked SLL and SLL2, raw IP, loopback") {
  const Bytes ip = ipv4(kUdp, udp_datagram(514, 514, "<13>hi"));
  Bytes sll(14, 0);
  put16(sll, 0x0800);
  Bytes sll2;
  put16(sll2, 0x0800);
  sll2.resize(20, 0);
  const Bytes loop = {0, 0, 0, 2};
  Packet p;
  Weird w{};
  CHECK(decode(kLinkSll, cat(sll, ip), p, w) == Decoded::ok);
  CHECK(decode(kLinkSll2, cat(sll2, ip), p, w) == Decoded::ok);
  CHECK(decode(kLinkRaw, ip, p, w) == Decoded::ok);
  CHECK(decode(kLinkNull, cat(loop, ip), p, w) == Decoded::ok);
  CHECK(p.dport == 514);
  CHECK(decode(kLinkEthernet, ether(0x0806), p, w) == Decoded::not_ip);  // ARP
  CHECK(decode(147, ip, p, w) == Decoded::weird);
  CHECK(w == Weird::unknown_link);
}

TEST_CASE("every prefix of a frame is a weird or a cut payload, never a read past it") {
  const Bytes frames[] = {
      cat(ether(0x0800, {10, 20}), ipv4(kTcp, tcp_segment(1, 2, 3, kAck | kPsh, "GET / HTTP/1.1\r\n"))),
      cat(ether(0x86dd), ipv6(kUdp, udp_datagram(1, 53, "dnsdnsdns"))),
      cat(ether(0x0800), ipv4(kIcmp, Bytes{8, 0, 0, 0, 0, 1, 0, 1})),
  };
  for (const Bytes& whole : frames) {
    for (std::size_t n = 0; n < whole.size(); ++n) {
      const Bytes cut(whole.begin(), whole.begin() + static_cast<long>(n));
      Packet p;
      Weird w{};
      // Captured whole but short: a weird. Cut by the snaplen (wire length larger): a weird
      // before the transport header is complete, else a packet whose payload is cut.
      CHECK(decode(kLinkEthernet, cut, p, w) != Decoded::ok);
      const Decoded d = decode(kLinkEthernet, cut, p, w, static_cast<uint32_t>(whole.size()));
      if (d == Decoded::ok) {
        CHECK(p.payload.data() + p.payload.size() <= cut.data() + cut.size());
        CHECK(p.payload_cut);
      }
    }
  }
}

TEST_CASE("flow_hash is the same both ways and differs between flows") {
  const Bytes a = ipv4(kTcp, tcp_segment(40000, 22, 1, kSyn, ""), 0, 0x0a000001, 0x0a000002);
  const Bytes b = ipv4(kTcp, tcp_segment(22, 40000, 1, kSyn | kAck, ""), 0, 0x0a000002, 0x0a000001);
  const Bytes c = ipv4(kTcp, tcp_segment(40001, 22, 1, kSyn, ""), 0, 0x0a000001, 0x0a000002);
  Packet pa, pb, pc;
  Weird w{};
  REQUIRE(decode(kLinkRaw, a, pa, w) == Decoded::ok);
  REQUIRE(decode(kLinkRaw, b, pb, w) == Decoded::ok);
  REQUIRE(decode(kLinkRaw, c, pc, w) == Decoded::ok);
  CHECK(flow_hash(pa) == flow_hash(pb));
  CHECK(flow_hash(pa) != flow_hash(pc));
  CHECK(flow_hash(pa) != 0);
}

namespace {

// A packets batch of `input` holding one frame (Ethernet), at capture time `ts_ns`.
vigie::ingest::RawBatch one_frame(const std::string& input, const Bytes& frame, int64_t ts_ns, bool end = false) {
  vigie::ingest::RawBatch b;
  b.kind = vigie::ingest::BatchKind::packets;
  b.input = input;
  b.linktype = 1;  // DLT_EN10MB
  b.block.assign(frame.begin(), frame.end());
  b.packets.push_back({0, static_cast<uint32_t>(frame.size()), static_cast<uint32_t>(frame.size()), ts_ns});
  b.end_of_capture = end;
  return b;
}

std::vector<std::string> flow_sites(vigie::ingest::EventBatch& batch) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < batch.size(); ++i)
    if (batch[i].get(std::string_view("event.dataset")) == std::string_view("pcap.flow"))
      out.emplace_back(batch[i].value(vigie::core::Field::site));
  return out;
}

}  // namespace

TEST_CASE("packets decoder: a flow table per input; the batch's site before the addresses") {
  auto cfg = std::make_shared<vigie::config::Config>();
  vigie::config::Site brest;
  brest.id = "ch-brest";
  cfg->sites.push_back(brest);
  vigie::core::Metrics metrics;
  PacketDecoder d(cfg, metrics);
  vigie::ingest::EventBatch batch;
  const Bytes syn = cat(ether(0x0800), ipv4(6, tcp_segment(40000, 22, 1, 0x02, "")));
  const Bytes other = cat(ether(0x0800), ipv4(6, tcp_segment(40001, 443, 1, 0x02, "")));
  constexpr int64_t t0 = 1'700'000'000'000'000'000;

  batch.raw = one_frame("eth1", syn, t0);  // a live capture's open connection
  d.decode(batch);
  CHECK(flow_sites(batch).empty());
  batch.clear();
  // A spooled file of ch-brest, hours later in capture time, ends: its flow only, with its site.
  auto spooled = one_frame("spool:ch-brest", other, t0 + 3'600'000'000'000LL * 5, true);
  spooled.site = "ch-brest";
  const vigie::core::TimePoint read_at{std::chrono::seconds(1'800'000'000)};
  spooled.lines_received = read_at;
  batch.raw = std::move(spooled);
  d.decode(batch);
  CHECK(flow_sites(batch) == std::vector<std::string>{"ch-brest"});
  // A file's events were received when it was read; their time is the capture's.
  REQUIRE(batch.size() == 1);
  CHECK(batch[0].ingested == read_at);
  CHECK(batch[0].time < read_at);
  CHECK(d.tables() == 1);  // the file's table went with its end
  batch.clear();
  // The live capture's flow is still open: it ends with its own input, with no site.
  batch.raw = one_frame("eth1", syn, t0 + 1, true);
  d.decode(batch);
  CHECK(flow_sites(batch) == std::vector<std::string>{""});
  CHECK(d.tables() == 0);
  batch.clear();

  // Past kMaxTables inputs, the least recently used one ends its flows and goes (counted).
  for (std::size_t i = 0; i <= PacketDecoder::kMaxTables; ++i) {
    batch.raw = one_frame("file:" + std::to_string(i), syn, t0);
    d.decode(batch);
    batch.clear();
  }
  CHECK(d.tables() == PacketDecoder::kMaxTables);
  CHECK(metrics.total("vigie_pcap_tables_evicted_total") == 1);
}
