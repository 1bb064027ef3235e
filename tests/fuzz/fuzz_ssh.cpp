// Hostile SSH stream prefixes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/pcap/ssh.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace vigie::dissect;
  SshBanner b;
  (void)parse_ssh_banner(std::string_view(reinterpret_cast<const char*>(data), size), b);
  return 0;
}
