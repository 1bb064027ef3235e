#include "ingest/pcap/packet.hpp"

#include <algorithm>
#include <cstring>

namespace vigie::ingest::pcap {
namespace {

constexpr uint16_t kEtherIpv4 = 0x0800, kEtherIpv6 = 0x86dd;
constexpr uint16_t kEtherVlan = 0x8100, kEtherQinQ = 0x88a8, kEtherQinQOld = 0x9100;
constexpr int kMaxVlanTags = 4;
constexpr int kMaxIpv6Extensions = 8;

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 |
         p[3];
}

// A decode in progress: the frame's bytes, and the error that stopped it.
struct Reader {
  std::span<const uint8_t> data;
  bool whole;  // the frame was captured whole (caplen == wire length)
  Weird weird = Weird::count_;

  Decoded fail(Weird w) {
    weird = w;
    return Decoded::weird;
  }
};

Decoded transport(Reader& r, std::size_t off, std::size_t end, Packet& out) {
  // [off, end): the IP payload as far as it was captured.
  const uint8_t* p = r.data.data() + off;
  const std::size_t n = end - off;
  std::size_t header = 0;
  switch (out.proto) {
    case kTcp: {
      if (n < 20) return r.fail(Weird::truncated_tcp);
      header = static_cast<std::size_t>(p[12] >> 4) * 4;
      if (header < 20 || header > n) return r.fail(Weird::truncated_tcp);
      out.sport = be16(p), out.dport = be16(p + 2);
      out.seq = be32(p + 4), out.ack = be32(p + 8);
      out.tcp_flags = p[13];
      break;
    }
    case kUdp: {
      if (n < 8) return r.fail(Weird::truncated_udp);
      const uint16_t length = be16(p + 4);
      if (length < 8) return r.fail(Weird::truncated_udp);
      out.sport = be16(p), out.dport = be16(p + 2);
      header = 8;
      // The UDP length bounds the payload (Ethernet pads short frames).
      if (length <= n) {
        out.payload = r.data.subspan(off + 8, length - 8u);
        return Decoded::ok;
      }
      if (r.whole) return r.fail(Weird::truncated_udp);
      out.payload_cut = true;
      break;
    }
    case kIcmp:
    case kIcmp6:
      if (n < 4) return r.fail(Weird::truncated_icmp);
      out.sport = p[0], out.dport = p[1];
      header = 4;
      break;
    default:
      break;  // another protocol: endpoints only
  }
  out.payload = r.data.subspan(off + header, n - header);
  return Decoded::ok;
}

Decoded ipv4(Reader& r, std::size_t off, Packet& out) {
  const std::size_t avail = r.data.size() - off;
  if (avail < 20) return r.fail(Weird::truncated_ip);
  const uint8_t* p = r.data.data() + off;
  const std::size_t ihl = std::size_t{p[0] & 0x0fu} * 4;
  const std::size_t total = be16(p + 2);
  if ((p[0] >> 4) != 4 || ihl < 20 || total < ihl) return r.fail(Weird::bad_ip_header);
  if (ihl > avail) return r.fail(Weird::truncated_ip);
  if (total > avail && r.whole) return r.fail(Weird::truncated_ip);
  out.v4 = true;
  out.src[10] = out.src[11] = out.dst[10] = out.dst[11] = 0xff;
  std::memcpy(&out.src[12], p + 12, 4);
  std::memcpy(&out.dst[12], p + 16, 4);
  out.proto = p[9];
  out.ip_bytes = static_cast<uint32_t>(total);
  const uint16_t frag = be16(p + 6);
  if ((frag & 0x3fff) != 0) return r.fail(Weird::ip_fragment);  // MF set or an offset
  const std::size_t end = off + std::min(total, avail);
  if (total > avail) out.payload_cut = true;
  return transport(r, off + ihl, end, out);
}

Decoded ipv6(Reader& r, std::size_t off, Packet& out) {
  const std::size_t avail = r.data.size() - off;
  if (avail < 40) return r.fail(Weird::truncated_ip);
  const uint8_t* p = r.data.data() + off;
  if ((p[0] >> 4) != 6) return r.fail(Weird::bad_ip_header);
  const std::size_t total = 40 + std::size_t{be16(p + 4)};  // jumbograms (length 0) are not seen on captures
  if (total > avail && r.whole) return r.fail(Weird::truncated_ip);
  std::memcpy(out.src.data(), p + 8, 16);
  std::memcpy(out.dst.data(), p + 24, 16);
  out.ip_bytes = static_cast<uint32_t>(total);
  const std::size_t end = off + std::min(total, avail);
  if (total > avail) out.payload_cut = true;
  uint8_t next = p[6];
  std::size_t at = off + 40;
  for (int ext = 0;; ++ext) {
    std::size_t length = 0;
    switch (next) {
      case 0:   // hop-by-hop options
      case 43:  // routing
      case 60:  // destination options
        if (at + 2 > end) return r.fail(Weird::ip6_ext_chain);
        length = (std::size_t{r.data[at + 1]} + 1) * 8;
        break;
      case 51:  // authentication header
        if (at + 2 > end) return r.fail(Weird::ip6_ext_chain);
        length = (std::size_t{r.data[at + 1]} + 2) * 4;
        break;
      case 44:  // fragment: offset or M flag set on every fragment but an atomic one
        if (at + 8 > end) return r.fail(Weird::ip6_ext_chain);
        if ((be16(r.data.data() + at + 2) & 0xfff9) != 0) {
          out.proto = r.data[at];
          return r.fail(Weird::ip_fragment);
        }
        length = 8;
        break;
      default:
        out.proto = next;
        return transport(r, at, end, out);
    }
    if (ext == kMaxIpv6Extensions || at + length > end) return r.fail(Weird::ip6_ext_chain);
    next = r.data[at];
    at += length;
  }
}

Decoded by_ethertype(Reader& r, uint16_t type, std::size_t off, Packet& out) {
  if (type == kEtherIpv4) return ipv4(r, off, out);
  if (type == kEtherIpv6) return ipv6(r, off, out);
  return Decoded::not_ip;
}

// By the IP version nibble (raw IP link types, loopback's address families vary by OS).
Decoded by_version(Reader& r, std::size_t off, Packet& out) {
  if (off >= r.data.size()) return r.fail(Weird::truncated_ip);
  switch (r.data[off] >> 4) {
    case 4:
      return ipv4(r, off, out);
    case 6:
      return ipv6(r, off, out);
    default:
      return r.fail(Weird::bad_ip_header);
  }
}

}  // namespace

bool link_supported(int linktype) {
  switch (linktype) {
    case kLinkNull:
    case kLinkEthernet:
    case kLinkRaw:
    case 14:
    case 101:
    case kLinkLoop:
    case kLinkSll:
    case kLinkIpv4:
    case kLinkIpv6:
    case kLinkSll2:
      return true;
    default:
      return false;
  }
}

std::string_view weird_name(Weird w) {
  switch (w) {
    case Weird::truncated_link:
      return "truncated_link";
    case Weird::unknown_link:
      return "unknown_link";
    case Weird::truncated_ip:
      return "truncated_ip";
    case Weird::bad_ip_header:
      return "bad_ip_header";
    case Weird::ip_fragment:
      return "ip_fragment";
    case Weird::ip6_ext_chain:
      return "ip6_ext_chain";
    case Weird::truncated_tcp:
      return "truncated_tcp";
    case Weird::truncated_udp:
      return "truncated_udp";
    case Weird::truncated_icmp:
      return "truncated_icmp";
    case Weird::count_:
      break;
  }
  return "unknown";
}

Decoded decode_packet(int linktype, std::span<const uint8_t> data, uint32_t wire_len, Packet& out, Weird& weird) {
  out = Packet{};
  Reader r{data, wire_len <= data.size()};
  Decoded d = Decoded::weird;
  switch (linktype) {
    case kLinkEthernet: {
      if (data.size() < 14) {
        d = r.fail(Weird::truncated_link);
        break;
      }
      std::size_t off = 12;
      uint16_t type = be16(data.data() + off);
      for (int tags = 0; type == kEtherVlan || type == kEtherQinQ || type == kEtherQinQOld; ++tags) {
        off += 4;
        if (tags == kMaxVlanTags || off + 2 > data.size()) {
          type = 0;
          d = r.fail(Weird::truncated_link);
          break;
        }
        type = be16(data.data() + off);
      }
      if (type != 0) d = by_ethertype(r, type, off + 2, out);
      break;
    }
    case kLinkSll:
      d = data.size() < 16 ? r.fail(Weird::truncated_link) : by_ethertype(r, be16(data.data() + 14), 16, out);
      break;
    case kLinkSll2:
      d = data.size() < 20 ? r.fail(Weird::truncated_link) : by_ethertype(r, be16(data.data()), 20, out);
      break;
    case kLinkNull:
    case kLinkLoop:
      d = data.size() < 4 ? r.fail(Weird::truncated_link) : by_version(r, 4, out);
      break;
    case kLinkRaw:
    case 14:
    case 101:
    case kLinkIpv4:
    case kLinkIpv6:
      d = by_version(r, 0, out);
      break;
    default:
      d = r.fail(Weird::unknown_link);
      break;
  }
  weird = r.weird;
  return d;
}

uint64_t hash_endpoints(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, uint16_t pa, uint16_t pb,
                        uint8_t proto) {
  uint64_t w[4];
  std::memcpy(w, a.data(), 16);
  std::memcpy(w + 2, b.data(), 16);
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t{proto} << 32 | uint64_t{pa} << 16 | pb);
  for (const uint64_t x : w) {
    __extension__ using u128 = unsigned __int128;
    const u128 m = static_cast<u128>(h ^ x) * 0xbf58476d1ce4e5b9ULL;
    h = static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
  }
  return h;
}

uint64_t flow_hash(const Packet& p) {
  // Endpoints in a fixed order so that both directions hash alike.
  const int c = std::memcmp(p.src.data(), p.dst.data(), 16);
  const bool forward = c < 0 || (c == 0 && p.sport <= p.dport);
  const uint64_t h = forward ? hash_endpoints(p.src, p.dst, p.sport, p.dport, p.proto)
                             : hash_endpoints(p.dst, p.src, p.dport, p.sport, p.proto);
  return h == 0 ? 1 : h;
}

}  // namespace vigie::ingest::pcap
