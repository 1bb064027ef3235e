// DNS message parsing (RFC 1035 §4.1). Positions are absolute offsets into the message because
// compression pointers are; every access is checked against the span's size.
#include "ingest/pcap/dns.hpp"

#include <arpa/inet.h>

#include <array>

namespace vigie::dissect {
namespace {

// Reads the name starting at `start`. `next` receives the offset just past the name as it sits
// in line (after its terminating zero or its first pointer). Each pointer must point strictly
// before the lowest offset read so far: valid compression only ever refers to earlier text, and
// the rule alone makes loops impossible; the hop cap bounds the work on top of it.
Result read_name(std::span<const uint8_t> msg, std::size_t start, std::string& out, std::size_t& next) {
  out.clear();
  std::size_t pos = start, lowest = start, hops = 0, wire = 1;
  bool jumped = false;
  for (;;) {
    if (pos >= msg.size()) return Result::need_more;
    const uint8_t len = msg[pos];
    if ((len & 0xc0) == 0xc0) {
      if (pos + 1 >= msg.size()) return Result::need_more;
      const std::size_t target = static_cast<std::size_t>(len & 0x3f) << 8 | msg[pos + 1];
      if (!jumped) next = pos + 2;
      jumped = true;
      if (target >= lowest || ++hops > kDnsMaxPointerHops) return Result::malformed;
      lowest = pos = target;
      continue;
    }
    if ((len & 0xc0) != 0) return Result::malformed;  // 0x40/0x80: extended label types (RFC 6891 §5)
    if (len == 0) {
      if (!jumped) next = pos + 1;
      return Result::ok;
    }
    wire += len + 1u;
    if (wire > kDnsMaxNameWire) return Result::malformed;
    if (pos + 1 + len > msg.size()) return Result::need_more;
    if (!out.empty()) out.push_back('.');
    for (std::size_t i = 0; i < len; ++i) detail::append_escaped(out, msg[pos + 1 + i]);
    pos += 1 + len;
  }
}

uint32_t be32(std::span<const uint8_t> b, std::size_t at) {
  return static_cast<uint32_t>(b[at]) << 24 | static_cast<uint32_t>(b[at + 1]) << 16 |
         static_cast<uint32_t>(b[at + 2]) << 8 | b[at + 3];
}

// RDATA of the types we render. `msg` ends at the end of this RDATA: a name that runs past it
// is malformed, not a truncation, since the record's length said where it stops.
Result read_rdata(std::span<const uint8_t> msg, std::size_t at, uint16_t type, std::string& data) {
  const std::size_t len = msg.size() - at;
  std::string scratch;
  std::size_t next = 0;
  auto name_at = [&](std::size_t p, std::string& out) {
    const Result r = read_name(msg, p, out, next);
    return r == Result::ok ? r : Result::malformed;
  };
  switch (type) {
    case 1:     // A
    case 28: {  // AAAA
      if (len != (type == 1 ? 4u : 16u)) return Result::malformed;
      std::array<uint8_t, 16> raw{};
      for (std::size_t i = 0; i < len; ++i) raw[i] = msg[at + i];
      std::array<char, INET6_ADDRSTRLEN> text{};
      if (inet_ntop(type == 1 ? AF_INET : AF_INET6, raw.data(), text.data(), text.size()) == nullptr)
        return Result::malformed;
      data = text.data();
      return Result::ok;
    }
    case 2:   // NS
    case 5:   // CNAME
    case 12:  // PTR
      return name_at(at, data);
    case 15:  // MX: preference, exchange
      if (len < 3) return Result::malformed;
      return name_at(at + 2, data);
    case 16: {  // TXT: the first character-string
      if (len == 0) return Result::ok;
      const std::size_t n = msg[at];
      if (1 + n > len) return Result::malformed;
      for (std::size_t i = 0; i < n; ++i) detail::append_escaped(data, msg[at + 1 + i]);
      return Result::ok;
    }
    case 6: {  // SOA: mname rname serial refresh retry expire minimum
      if (name_at(at, data) != Result::ok) return Result::malformed;
      if (name_at(next, scratch) != Result::ok) return Result::malformed;
      if (next + 20 != msg.size()) return Result::malformed;
      data += ' ';
      data += scratch;
      for (std::size_t i = 0; i < 5; ++i) {
        data += ' ';
        data += std::to_string(be32(msg, next + 4 * i));
      }
      return Result::ok;
    }
    default:
      return Result::ok;
  }
}

// One resource record at `pos`; stored in `keep` when non-null. Advances `pos`.
Result read_rr(std::span<const uint8_t> msg, std::size_t& pos, DnsAnswer* keep) {
  DnsAnswer scratch;
  DnsAnswer& rr = keep != nullptr ? *keep : scratch;
  std::size_t next = 0;
  if (const Result r = read_name(msg, pos, rr.name, next); r != Result::ok) return r;
  if (next + 10 > msg.size()) return Result::need_more;
  rr.type = static_cast<uint16_t>(msg[next] << 8 | msg[next + 1]);
  rr.klass = static_cast<uint16_t>(msg[next + 2] << 8 | msg[next + 3]);
  rr.ttl = be32(msg, next + 4);
  const std::size_t rdlen = static_cast<std::size_t>(msg[next + 8] << 8 | msg[next + 9]);
  const std::size_t rdata = next + 10;
  if (rdata + rdlen > msg.size()) return Result::need_more;
  pos = rdata + rdlen;
  if (keep == nullptr) return Result::ok;  // skipped records are bounded and framed, not rendered
  return read_rdata(msg.first(rdata + rdlen), rdata, rr.type, rr.data);
}

Result read_section(std::span<const uint8_t> msg, std::size_t& pos, uint16_t count, std::vector<DnsAnswer>& kept,
                    std::size_t cap, uint16_t& skipped) {
  for (uint16_t i = 0; i < count; ++i) {
    DnsAnswer* keep = nullptr;
    if (kept.size() < cap) keep = &kept.emplace_back();
    if (const Result r = read_rr(msg, pos, keep); r != Result::ok) return r;
    if (keep == nullptr) ++skipped;
  }
  return Result::ok;
}

}  // namespace

Result parse_dns(std::span<const uint8_t> msg, DnsMessage& out) {
  out.questions.clear();
  out.answers.clear();
  out.authorities.clear();
  out.questions_skipped = out.answers_skipped = out.authorities_skipped = 0;
  detail::Reader r(msg);
  uint16_t flags = 0, qd = 0, an = 0, ns = 0, ar = 0;
  if (!r.u16(out.id) || !r.u16(flags) || !r.u16(qd) || !r.u16(an) || !r.u16(ns) || !r.u16(ar)) return Result::need_more;
  out.response = (flags & 0x8000) != 0;
  out.opcode = static_cast<uint8_t>(flags >> 11 & 0xf);
  out.aa = (flags & 0x0400) != 0;
  out.tc = (flags & 0x0200) != 0;
  out.rd = (flags & 0x0100) != 0;
  out.ra = (flags & 0x0080) != 0;
  out.rcode = static_cast<uint8_t>(flags & 0xf);
  out.authority_count = ns;
  out.additional_count = ar;
  // Assigned opcodes: QUERY, IQUERY (obsolete), STATUS, NOTIFY, UPDATE, DSO (RFC 8490).
  if (out.opcode == 3 || out.opcode > 6) return Result::not_this;

  std::size_t pos = r.pos();
  for (uint16_t i = 0; i < qd; ++i) {
    DnsQuestion scratch;
    DnsQuestion& q = out.questions.size() < kDnsMaxQuestions ? out.questions.emplace_back() : scratch;
    std::size_t next = 0;
    if (const Result res = read_name(msg, pos, q.name, next); res != Result::ok) return res;
    if (next + 4 > msg.size()) return Result::need_more;
    q.type = static_cast<uint16_t>(msg[next] << 8 | msg[next + 1]);
    q.klass = static_cast<uint16_t>(msg[next + 2] << 8 | msg[next + 3]);
    pos = next + 4;
    if (&q == &scratch) ++out.questions_skipped;
  }
  if (const Result res = read_section(msg, pos, an, out.answers, kDnsMaxAnswers, out.answers_skipped);
      res != Result::ok)
    return res;
  return read_section(msg, pos, ns, out.authorities, kDnsMaxAuthorities, out.authorities_skipped);
}

std::size_t tcp_frame_length(std::span<const uint8_t> stream) {
  if (stream.size() < 2) return 0;
  const std::size_t n = static_cast<std::size_t>(stream[0] << 8 | stream[1]);
  return stream.size() - 2 >= n ? n : 0;
}

std::string_view dns_rcode_name(uint8_t rcode) {
  static constexpr std::array<std::string_view, 11> kNames = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                                              "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                                              "NXRRSET", "NOTAUTH", "NOTZONE"};
  return rcode < kNames.size() ? kNames[rcode] : std::string_view{};
}

std::string_view dns_type_name(uint16_t type) {
  switch (type) {
    case 1:
      return "A";
    case 2:
      return "NS";
    case 5:
      return "CNAME";
    case 6:
      return "SOA";
    case 12:
      return "PTR";
    case 13:
      return "HINFO";
    case 15:
      return "MX";
    case 16:
      return "TXT";
    case 28:
      return "AAAA";
    case 33:
      return "SRV";
    case 35:
      return "NAPTR";
    case 41:
      return "OPT";
    case 43:
      return "DS";
    case 46:
      return "RRSIG";
    case 47:
      return "NSEC";
    case 48:
      return "DNSKEY";
    case 64:
      return "SVCB";
    case 65:
      return "HTTPS";
    case 252:
      return "AXFR";
    case 255:
      return "ANY";
    case 257:
      return "CAA";
    default:
      return {};
  }
}

}  // namespace vigie::dissect
