// Fetching a feed over HTTP(S) with libcurl (Debian libcurl4-openssl-dev): certificate
// verification on (the system's CA store, or `ca_file`), a proxy (the feed's `proxy:`, else
// libcurl's https_proxy/http_proxy/no_proxy environment, as the systemd unit sets it), conditional
// requests (If-None-Match / If-Modified-Since: a 304 keeps what was fetched before), at most 5
// redirects, a whole-transfer timeout, and a size cap enforced while receiving. The body goes to
// a file beside its final place and replaces it only when complete.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>

#include <tl/expected.hpp>

namespace vigie::intel {

struct FetchOptions {
  std::chrono::seconds timeout{60};
  std::size_t max_bytes = std::size_t{256} << 20;
  std::string proxy;    // "" = libcurl's environment
  std::string ca_file;  // "" = the system store
};

struct Validators {
  std::string etag;
  std::string last_modified;
};

struct FetchResult {
  bool not_modified = false;  // 304: `out` was left as it was
  long status = 0;
  std::string effective_url;
  Validators validators;  // of this response (the previous ones on a 304)
};

// GETs `url` into `out` (written as out + ".part", then renamed). Errors name the reason
// (HTTP status, timeout, certificate, size, redirects) and leave `out` untouched.
[[nodiscard]] tl::expected<FetchResult, std::string> fetch_to_file(const std::string& url,
                                                                   const std::filesystem::path& out,
                                                                   const Validators& previous,
                                                                   const FetchOptions& options);

}  // namespace vigie::intel
