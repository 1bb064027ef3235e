#include <doctest/doctest.h>

#include "bytes.hpp"
#include "ingest/pcap/dns.hpp"

using namespace vigie::dissect;
using vigie::dissect::test::Bytes;

namespace {

Bytes& name(Bytes& b, std::initializer_list<std::string_view> labels) {
  for (std::string_view l : labels) b.u8(static_cast<unsigned>(l.size())).str(l);
  return b.u8(0);
}

// Built by hand after RFC 1035 §4.1: a response to "www.Example.com A" with a CNAME to
// "web.example.com" (compressed against the question) and that name's A record, then an
// authority SOA. Offsets: header 0-11, question name at 12.
Bytes sample_response() {
  Bytes b;
  b.u16(0xbeef).u16(0x8580).u16(1).u16(2).u16(1).u16(0);
  name(b, {"www", "Example", "com"}).u16(1).u16(1);
  b.u16(0xc00c).u16(5).u16(1).u32(300);  // CNAME at the question's name
  auto rd = b.open(2);
  const std::size_t web = b.v.size();
  b.u8(3).str("web").u16(0xc010);  // "web" + pointer to "Example.com" (offset 16)
  b.close(rd);
  b.u16(static_cast<unsigned>(0xc000 | web)).u16(1).u16(1).u32(60).u16(4).u8(93).u8(184).u8(216).u8(34);
  b.u16(0xc010).u16(6).u16(1).u32(899);  // SOA of Example.com
  rd = b.open(2);
  name(b, {"ns"}).u8(0);  // mname "ns", rname the root
  b.u32(1).u32(7200).u32(900).u32(1209600).u32(86400);
  b.close(rd);
  return b;
}

}  // namespace

TEST_CASE("dns: a response with compression, CNAME, A and SOA") {
  const Bytes b = sample_response();
  DnsMessage m;
  REQUIRE(parse_dns(b.span(), m) == Result::ok);
  CHECK(m.id == 0xbeef);
  CHECK(m.response);
  CHECK(m.aa);
  CHECK(m.rd);
  CHECK(m.ra);
  CHECK(m.rcode == 0);
  REQUIRE(m.questions.size() == 1);
  CHECK(m.questions[0].name == "www.Example.com");  // case kept as sent
  CHECK(m.questions[0].type == 1);
  REQUIRE(m.answers.size() == 2);
  CHECK(m.answers[0].type == 5);
  CHECK(m.answers[0].ttl == 300);
  CHECK(m.answers[0].data == "web.Example.com");
  CHECK(m.answers[1].name == "web.Example.com");
  CHECK(m.answers[1].data == "93.184.216.34");
  CHECK(m.authority_count == 1);
  REQUIRE(m.authorities.size() == 1);
  CHECK(m.authorities[0].data == "ns  1 7200 900 1209600 86400");
}

TEST_CASE("dns: every prefix of a valid message is need_more, never ok") {
  const Bytes b = sample_response();
  DnsMessage m;
  for (std::size_t n = 0; n < b.v.size(); ++n) {
    const Result r = parse_dns(b.span().first(n), m);
    INFO("prefix " << n);
    CHECK((r == Result::need_more || r == Result::malformed));
  }
}

TEST_CASE("dns: AAAA, MX and TXT data; escaping of odd bytes") {
  Bytes b;
  b.u16(1).u16(0x8180).u16(1).u16(3).u16(0).u16(0);
  name(b, {"a b", "x"}).u16(28).u16(1);
  b.u16(0xc00c).u16(28).u16(1).u32(1).u16(16);
  for (int i = 0; i < 15; ++i) b.u8(i == 0 ? 0x20 : 0);
  b.u8(1);
  b.u16(0xc00c).u16(15).u16(1).u32(1);
  auto rd = b.open(2);
  b.u16(10).u16(0xc00c);
  b.close(rd);
  b.u16(0xc00c).u16(16).u16(1).u32(1);
  rd = b.open(2);
  b.u8(5).str("hello").u8(3).str("two");
  b.close(rd);
  DnsMessage m;
  REQUIRE(parse_dns(b.span(), m) == Result::ok);
  CHECK(m.questions[0].name == "a\\032b.x");
  CHECK(m.answers[0].data == "2000::1");
  CHECK(m.answers[1].data == "a\\032b.x");
  CHECK(m.answers[2].data == "hello");
}

TEST_CASE("dns: pointer loops, forward pointers and bad label types are malformed") {
  DnsMessage m;
  Bytes self;  // question name pointing at itself
  self.u16(1).u16(0).u16(1).u16(0).u16(0).u16(0).u16(0xc00c).u16(1).u16(1);
  CHECK(parse_dns(self.span(), m) == Result::malformed);
  Bytes fwd;  // pointer to a later offset
  fwd.u16(1).u16(0).u16(1).u16(0).u16(0).u16(0).u16(0xc010).u16(1).u16(1).u8(0);
  CHECK(parse_dns(fwd.span(), m) == Result::malformed);
  Bytes loop;  // label then pointer back to the label: strictly backwards, yet a loop
  loop.u16(1).u16(0x8000).u16(1).u16(1).u16(0).u16(0);
  name(loop, {"a"}).u16(1).u16(1);
  loop.u8(1).str("b").u16(0xc000 | 19).u16(1).u16(1).u32(0).u16(0);
  CHECK(parse_dns(loop.span(), m) == Result::malformed);
  Bytes ext;  // 0x40 label type
  ext.u16(1).u16(0).u16(1).u16(0).u16(0).u16(0).u8(0x41).u8(0).u16(1).u16(1);
  CHECK(parse_dns(ext.span(), m) == Result::malformed);
}

TEST_CASE("dns: names over 255 bytes are malformed") {
  Bytes b;
  b.u16(1).u16(0).u16(1).u16(0).u16(0).u16(0);
  for (int i = 0; i < 5; ++i) b.u8(63).str(std::string(63, 'a'));
  b.u8(0).u16(1).u16(1);
  DnsMessage m;
  CHECK(parse_dns(b.span(), m) == Result::malformed);
}

TEST_CASE("dns: answers past the cap are checked and counted, not kept") {
  Bytes b;
  b.u16(7).u16(0x8180).u16(1).u16(70).u16(0).u16(0);
  name(b, {"x"}).u16(1).u16(1);
  for (int i = 0; i < 70; ++i) b.u16(0xc00c).u16(1).u16(1).u32(5).u16(4).u32(0x0a000000u + i);
  DnsMessage m;
  REQUIRE(parse_dns(b.span(), m) == Result::ok);
  CHECK(m.answers.size() == kDnsMaxAnswers);
  CHECK(m.answers_skipped == 6);
  CHECK(m.answers.back().data == "10.0.0.63");
  b.v.resize(b.v.size() - 1);  // the last, skipped, record cut short
  CHECK(parse_dns(b.span(), m) == Result::need_more);
}

TEST_CASE("dns: A with a wrong length, unassigned opcode") {
  Bytes b;
  b.u16(1).u16(0x8180).u16(0).u16(1).u16(0).u16(0).u8(0).u16(1).u16(1).u32(0).u16(3).u8(1).u8(2).u8(3);
  DnsMessage m;
  CHECK(parse_dns(b.span(), m) == Result::malformed);
  Bytes op;
  op.u16(1).u16(3 << 11).u16(0).u16(0).u16(0).u16(0);
  CHECK(parse_dns(op.span(), m) == Result::not_this);
}

TEST_CASE("dns: TCP framing and names of codes") {
  const uint8_t framed[] = {0, 3, 1, 2, 3, 9};
  CHECK(tcp_frame_length(framed) == 3);
  CHECK(tcp_frame_length(std::span<const uint8_t>(framed).first(4)) == 0);
  CHECK(tcp_frame_length(std::span<const uint8_t>(framed).first(1)) == 0);
  CHECK(dns_rcode_name(0) == "NOERROR");
  CHECK(dns_rcode_name(3) == "NXDOMAIN");
  CHECK(dns_rcode_name(200).empty());
  CHECK(dns_type_name(28) == "AAAA");
  CHECK(dns_type_name(9999).empty());
}
