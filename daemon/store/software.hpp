// The exposure inventory's storage (table software, schema migration 7; daemon/intel/README.md,
// "Exposure"): per site and host, each software string seen — an SSH banner, a Server header,
// an appliance's certificate, a package named in a log — with its reading (product, version,
// distribution), first and last seen, and how many events showed it.
//
// Plain rows: the store does not read software strings (intel/software.hpp does; intel depends
// on store, not the reverse). Thread: the Db's; statements prepared once per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/sqlite.hpp"

namespace vigie::store {

struct SoftwareRow {
  std::string site;     // observer.site
  std::string host;     // the address (or host name) that showed it
  std::string source;   // "ssh.server.version", "http.response.server", "tls.server.subject", "package", ...
  std::string raw;      // the string as seen
  std::string product;  // its reading; may be ""
  std::string version;  // "" when not stated
  std::string distro;   // "" when none
  int64_t first_seen = 0, last_seen = 0;  // microseconds since the epoch
  int64_t count = 0;
};

// In one transaction (or the connection's open one). Same (site, host, source, raw): first_seen
// the earliest, last_seen the latest, counts added, the reading the newest.
[[nodiscard]] core::Result<void> upsert_software(Db& db, const std::vector<SoftwareRow>& rows);

struct SoftwareFilter {
  std::string site;     // "" = every site
  std::string product;  // "" = every product; else a case-insensitive part of it
  std::size_t limit = 100'000;
};
// By site, product, version, host, source.
[[nodiscard]] core::Result<std::vector<SoftwareRow>> list_software(Db& db, const SoftwareFilter& filter = {});
// The distinct non-empty products, sorted.
[[nodiscard]] core::Result<std::vector<std::string>> software_products(Db& db);
// The rows of exactly `product`, by site, version, host; at most `limit`.
[[nodiscard]] core::Result<std::vector<SoftwareRow>> software_of_product(Db& db, std::string_view product,
                                                                         std::size_t limit = 10'000);
// Rows last seen before `last_before` (µs), then per site the least recently seen beyond
// `max_per_site`. Returns the rows deleted.
[[nodiscard]] core::Result<std::size_t> purge_software(Db& db, int64_t last_before, std::size_t max_per_site);

}  // namespace vigie::store
