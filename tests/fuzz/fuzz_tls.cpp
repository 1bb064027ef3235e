// Hostile TLS stream prefixes (one direction).
#include <cstddef>
#include <cstdint>
#include <span>

#include "ingest/pcap/tls.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace vigie::dissect;
  TlsHello h;
  if (parse_tls_hello(std::span<const uint8_t>(data, size), h) == Result::ok) {
    (void)tls_version_name(h.version);
    (void)tls_cipher_name(h.cipher);
    (void)tls_group_name(h.curve);
  }
  return 0;
}
