// One captured frame decoded down to its transport header (README.md, "Packet decoding"): link
// layer (Ethernet with 802.1Q/QinQ tags, Linux cooked SLL/SLL2, BSD loopback, raw IP), IPv4,
// IPv6 with its extension headers, TCP, UDP, ICMP. Reads only the captured bytes it is given;
// what does not decode is a *weird* (Zeek's word): named, counted by the caller, never fatal.
// Pure functions, no state: the capture thread uses flow_hash() to route a frame, the worker's
// PacketDecoder decode_packet() to read it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace vigie::ingest::pcap {

// libpcap's DLT_* values that decode_packet() reads (pcap_datalink(); pcap files' LINKTYPE_*
// are mapped to these by libpcap, except the two raw-IP ones, read as given).
inline constexpr int kLinkNull = 0;      // DLT_NULL: 4-byte address family, host order
inline constexpr int kLinkEthernet = 1;  // DLT_EN10MB
inline constexpr int kLinkRaw = 12;      // DLT_RAW (Linux); 14 on some BSDs; LINKTYPE_RAW 101
inline constexpr int kLinkLoop = 108;    // DLT_LOOP: 4-byte address family, network order
inline constexpr int kLinkSll = 113;     // DLT_LINUX_SLL
inline constexpr int kLinkIpv4 = 228;    // LINKTYPE_IPV4
inline constexpr int kLinkIpv6 = 229;    // LINKTYPE_IPV6
inline constexpr int kLinkSll2 = 276;    // DLT_LINUX_SLL2
[[nodiscard]] bool link_supported(int linktype);

enum class Weird : uint8_t {
  truncated_link,  // shorter than its link header
  unknown_link,    // a link type decode_packet() does not read
  truncated_ip,    // IP header cut, or total length past the frame when the frame is whole
  bad_ip_header,   // version, IHL or total length impossible
  ip_fragment,     // an IPv4 or IPv6 fragment: counted, not reassembled
  ip6_ext_chain,   // more than 8 extension headers, or one cut
  truncated_tcp,   // TCP header cut or data offset impossible
  truncated_udp,   // UDP header cut or length impossible
  truncated_icmp,  // ICMP header cut
  count_           // number of weirds; not one
};
inline constexpr std::size_t kWeirds = static_cast<std::size_t>(Weird::count_);
[[nodiscard]] std::string_view weird_name(Weird w);

inline constexpr uint8_t kTcp = 6, kUdp = 17, kIcmp = 1, kIcmp6 = 58;
inline constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;

struct Packet {
  std::array<uint8_t, 16> src{}, dst{};  // IPv4 mapped into ::ffff:0:0/96, as core::IpAddress
  bool v4 = false;
  uint8_t proto = 0;              // IP protocol of the transport header (after IPv6 extensions)
  uint16_t sport = 0, dport = 0;  // ICMP: type and code, as Zeek keys ICMP "connections"
  uint8_t tcp_flags = 0;
  uint32_t seq = 0, ack = 0;
  uint32_t ip_bytes = 0;             // IP packet length on the wire (header included)
  std::span<const uint8_t> payload;  // transport payload, as much of it as was captured
  bool payload_cut = false;          // the capture (snaplen) cut the payload
};

enum class Decoded : uint8_t {
  ok,
  not_ip,  // ARP, LLDP, STP...: no IP inside; counted apart, not a weird
  weird,   // `weird` says why
};

// `data` is the captured bytes of one frame, `wire_len` its length on the wire (pcap's len):
// a frame cut by the snaplen is not malformed, its payload is just shorter (payload_cut).
[[nodiscard]] Decoded decode_packet(int linktype, std::span<const uint8_t> data, uint32_t wire_len, Packet& out,
                                    Weird& weird);

// A 64-bit mix of a connection's key: protocol, endpoints and ports in the order given.
[[nodiscard]] uint64_t hash_endpoints(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, uint16_t pa,
                                      uint16_t pb, uint8_t proto);

// The same for both directions of a connection (endpoints ordered before hashing), 0 for a
// frame that does not decode. The capture routes frames by it: one flow, one worker.
[[nodiscard]] uint64_t flow_hash(const Packet& p);

}  // namespace vigie::ingest::pcap
