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

// One (site, host, source, raw): a string one host showed in one place, and how often.
struct SoftwareRow {
  std::string site;     // observer.site, "" when no site
  std::string host;     // the address (or host name) that showed it: "10.29.1.5"
  std::string source;   // where it was seen: "ssh.server.version", "ssh.client.version", "http.response.server",
                        // "tls.server.subject", "tls.server.issuer", "package"
  std::string raw;      // the string as seen (at most 256 bytes; the caller cuts longer ones)
  std::string product;  // the reading of `raw`: "OpenSSH"; may be ""
  std::string version;  // "8.4p1"; "" when not stated
  std::string distro;   // "Debian-5+deb11u3"; "" when none
  int64_t first_seen = 0, last_seen = 0;  // microseconds since the epoch
  int64_t count = 0;                      // sightings (events) aggregated, >= 1
};

// Merges each row in: a new (site, host, source, raw) is inserted; an existing one keeps the
// earliest first_seen and the latest last_seen, adds the counts, and takes the new row's product,
// version and distro (a later reading of the same string may be better). All rows in one
// transaction — its own, or the connection's open one, as upsert_observables(). A row with
// count < 1 fails the whole call.
[[nodiscard]] core::Result<void> upsert_software(Db& db, const std::vector<SoftwareRow>& rows);

struct SoftwareFilter {
  std::string site;     // "" = every site
  std::string product;  // "" = every product; else a part of it, any (ASCII) case, no wildcards
  std::size_t limit = 100'000;
};
// Ordered by site, product, version, host, source.
[[nodiscard]] core::Result<std::vector<SoftwareRow>> list_software(Db& db, const SoftwareFilter& filter = {});
// The distinct non-empty products, sorted (bytewise).
[[nodiscard]] core::Result<std::vector<std::string>> software_products(Db& db);
// Rows of exactly this product (any site), ordered by site, version, host; at most `limit`.
[[nodiscard]] core::Result<std::vector<SoftwareRow>> software_of_product(Db& db, std::string_view product,
                                                                         std::size_t limit = 10'000);
// Deletes the rows last seen before `last_before` (µs), then, per site, the least recently seen
// rows beyond `max_per_site`. Returns the rows deleted.
[[nodiscard]] core::Result<std::size_t> purge_software(Db& db, int64_t last_before, std::size_t max_per_site);

}  // namespace vigie::store
