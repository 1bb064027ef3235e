// DNS messages (RFC 1035, AAAA from RFC 3596; the RFC 6891 OPT pseudo-record sits in the
// additional section, which is not read). Over UDP the input is the datagram payload; over TCP
// the caller strips the 2-byte length prefix (tcp_frame_length) and passes one message.
//
// Caps, so a hostile message costs a bounded amount: at most kMaxQuestions questions,
// kMaxAnswers answers and kMaxAuthorities authority records are kept (the rest are still
// checked and counted in *_skipped); names at most 255 bytes on the wire; compression pointers
// must point strictly backwards and at most kMaxPointerHops are followed (a loop is malformed).
// Names are kept as sent (case included), without the trailing dot, bytes outside 0x21-0x7e
// written \DDD as Zeek does; the root name is "".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/pcap/result.hpp"

namespace vigie::dissect {

struct DnsQuestion {
  std::string name;
  uint16_t type = 0, klass = 0;
};

struct DnsAnswer {
  std::string name;
  uint16_t type = 0, klass = 0;
  uint32_t ttl = 0;
  // A/AAAA as text (inet_ntop), CNAME/NS/PTR names, MX exchange, TXT first string, SOA as
  // "mname rname serial refresh retry expire minimum"; empty for other types.
  std::string data;
};

struct DnsMessage {
  uint16_t id = 0;
  bool response = false;
  uint8_t opcode = 0, rcode = 0;
  bool aa = false, tc = false, rd = false, ra = false;
  std::vector<DnsQuestion> questions;
  std::vector<DnsAnswer> answers;
  std::vector<DnsAnswer> authorities;  // e.g. the SOA of an NXDOMAIN
  uint16_t authority_count = 0, additional_count = 0;
  uint16_t questions_skipped = 0, answers_skipped = 0, authorities_skipped = 0;
};

inline constexpr std::size_t kDnsMaxQuestions = 32;
inline constexpr std::size_t kDnsMaxAnswers = 64;
inline constexpr std::size_t kDnsMaxAuthorities = 16;
inline constexpr std::size_t kDnsMaxPointerHops = 32;
inline constexpr std::size_t kDnsMaxNameWire = 255;

// `out` is cleared first; reuse one DnsMessage to keep its capacity. need_more: the message
// stops inside the header or a record the counts announce (a truncated datagram reads so too).
// not_this: an opcode no one assigned (3, 7-15). malformed: a bad label type, a forward or
// looping pointer, a name over 255 bytes, an RDATA that does not fit its type.
[[nodiscard]] Result parse_dns(std::span<const uint8_t> msg, DnsMessage& out);

// Over TCP (RFC 1035 §4.2.2): the length announced by the 2-byte prefix when the whole framed
// message is in `stream`, 0 otherwise (fewer bytes, or a zero length). The message is then
// stream.subspan(2, n) and the next frame starts at 2 + n.
[[nodiscard]] std::size_t tcp_frame_length(std::span<const uint8_t> stream);

[[nodiscard]] std::string_view dns_rcode_name(uint8_t rcode);  // "NOERROR", "NXDOMAIN", ... or ""
[[nodiscard]] std::string_view dns_type_name(uint16_t type);   // "A", "AAAA", ... or ""

}  // namespace vigie::dissect
