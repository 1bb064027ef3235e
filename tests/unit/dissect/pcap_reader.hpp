// Test helper: reads classic pcap files (not pcapng) by hand, enough for the corpus captures:
// Ethernet (with VLAN tags), BSD loopback and raw IP link types; IPv4 and IPv6 (no extension
// headers); UDP and TCP. TCP payloads of one direction are concatenated in sequence order,
// retransmitted bytes dropped — no reassembly of reordered segments, which the corpus lacks.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace vigie::dissect::test {

struct Packet {
  bool tcp = false;
  std::string src, dst;  // "addr:port", addresses in hex: only compared, never shown
  uint32_t seq = 0;
  std::vector<uint8_t> payload;
};

struct Capture {
  std::vector<Packet> udp;                                  // UDP packets with a payload
  std::map<std::string, std::vector<uint8_t>> tcp_streams;  // "src>dst" -> bytes in order
  bool ok = false;
};

namespace detail {

inline uint32_t rd32(const std::vector<uint8_t>& b, std::size_t at, bool swap) {
  const uint32_t le = b[at] | b[at + 1] << 8 | b[at + 2] << 16 | static_cast<uint32_t>(b[at + 3]) << 24;
  const uint32_t be = b[at + 3] | b[at + 2] << 8 | b[at + 1] << 16 | static_cast<uint32_t>(b[at]) << 24;
  return swap ? be : le;
}

inline unsigned be16(const uint8_t* p) { return static_cast<unsigned>(p[0] << 8 | p[1]); }

inline std::string hex(const uint8_t* p, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    s += kHex[p[i] >> 4];
    s += kHex[p[i] & 0xf];
  }
  return s;
}

// One IP packet; false when it is not IPv4/IPv6 carrying UDP/TCP.
inline bool decode_ip(const uint8_t* p, std::size_t n, Packet& out) {
  if (n < 1) return false;
  std::size_t hdr = 0, total = n;
  unsigned proto = 0;
  std::string sa, da;
  if (p[0] >> 4 == 4) {
    if (n < 20) return false;
    hdr = (p[0] & 0xfu) * 4;
    total = std::min<std::size_t>(n, be16(p + 2));
    proto = p[9];
    sa = hex(p + 12, 4);
    da = hex(p + 16, 4);
  } else if (p[0] >> 4 == 6) {
    if (n < 40) return false;
    hdr = 40;
    total = std::min<std::size_t>(n, 40 + be16(p + 4));
    proto = p[6];
    sa = hex(p + 8, 16);
    da = hex(p + 24, 16);
  } else {
    return false;
  }
  if (hdr > total) return false;
  const uint8_t* l4 = p + hdr;
  const std::size_t l4n = total - hdr;
  std::size_t off = 0;
  if (proto == 17 && l4n >= 8) {
    off = 8;
  } else if (proto == 6 && l4n >= 20) {
    off = (l4[12] >> 4) * 4u;
    out.tcp = true;
    out.seq = static_cast<uint32_t>(be16(l4 + 4)) << 16 | be16(l4 + 6);
    if (off > l4n) return false;
  } else {
    return false;
  }
  out.src = sa + ":" + std::to_string(be16(l4));
  out.dst = da + ":" + std::to_string(be16(l4 + 2));
  out.payload.assign(l4 + off, l4 + l4n);
  return true;
}

}  // namespace detail

inline Capture read_pcap(const std::string& path) {
  Capture cap;
  std::ifstream in(path, std::ios::binary);
  const std::vector<uint8_t> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (b.size() < 24) return cap;
  const uint32_t magic = detail::rd32(b, 0, false);
  bool swap = false;
  if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
    swap = false;
  else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
    swap = true;
  else
    return cap;
  const uint32_t link = detail::rd32(b, 20, swap);
  std::map<std::string, uint32_t> next_seq;
  std::size_t at = 24;
  while (at + 16 <= b.size()) {
    const std::size_t incl = detail::rd32(b, at + 8, swap);
    at += 16;
    if (incl > b.size() - at) break;
    const uint8_t* p = b.data() + at;
    std::size_t n = incl;
    at += incl;
    if (link == 1) {  // Ethernet
      if (n < 14) continue;
      unsigned type = detail::be16(p + 12);
      p += 14;
      n -= 14;
      while ((type == 0x8100 || type == 0x88a8) && n >= 4) {
        type = detail::be16(p + 2);
        p += 4;
        n -= 4;
      }
      if (type != 0x0800 && type != 0x86dd) continue;
    } else if (link == 0) {  // BSD loopback: 4-byte address family
      if (n < 4) continue;
      p += 4;
      n -= 4;
    } else if (link != 101 && link != 228 && link != 229 && link != 12) {
      continue;
    }
    Packet pk;
    if (!detail::decode_ip(p, n, pk) || pk.payload.empty()) continue;
    if (!pk.tcp) {
      cap.udp.push_back(std::move(pk));
      continue;
    }
    const std::string key = pk.src + ">" + pk.dst;
    auto [it, fresh] = next_seq.try_emplace(key, pk.seq);
    const int32_t ahead = static_cast<int32_t>(pk.seq - it->second);
    if (!fresh && ahead < 0) continue;  // retransmission
    auto& stream = cap.tcp_streams[key];
    stream.insert(stream.end(), pk.payload.begin(), pk.payload.end());
    it->second = pk.seq + static_cast<uint32_t>(pk.payload.size());
  }
  cap.ok = true;
  return cap;
}

}  // namespace vigie::dissect::test
