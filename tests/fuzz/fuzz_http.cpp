// Hostile HTTP stream prefixes: requests walked as a pipeline, and a response.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/pcap/http.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace vigie::dissect;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  HttpRequest req;
  while (parse_http_request(rest, req) == Result::ok) {
    const uint64_t next = next_request_offset(req);
    if (next == 0 || next > rest.size()) break;
    rest.remove_prefix(next);
  }
  HttpResponse resp;
  if (parse_http_response(std::string_view(reinterpret_cast<const char*>(data), size), resp) == Result::ok)
    (void)next_response_offset(resp, false);
  return 0;
}
