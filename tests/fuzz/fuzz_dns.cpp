// Hostile DNS messages, as a UDP payload and as a TCP stream of framed messages.
#include <cstddef>
#include <cstdint>
#include <span>

#include "ingest/pcap/dns.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace vigie::dissect;
  const std::span<const uint8_t> in(data, size);
  DnsMessage m;
  if (parse_dns(in, m) == Result::ok) {
    for (const auto& a : m.answers) (void)dns_type_name(a.type);
    (void)dns_rcode_name(m.rcode);
  }
  if (const std::size_t n = tcp_frame_length(in); n != 0) (void)parse_dns(in.subspan(2, n), m);
  return 0;
}
