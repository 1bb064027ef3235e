// Keys of the retro-hunt tables (store/observables.hpp; daemon/intel/README.md, "Retro-hunt"):
// how an observable value is stored, and the key ranges an indicator matches, so that every
// retro-hunt lookup is a range scan of the primary key and exact. Values are first normalised
// by the IOC index's own rules (ioc_normalise.hpp), so an indicator finds in the store what it
// would have matched in the index on the day:
//
//   type        key                                             an indicator matches
//   ip          16 bytes, IPv4 mapped (::ffff:a.b.c.d)          its address, or first..last of its range
//   domain      labels reversed: a.b.evil.example →             itself, and keys starting with "example.evil."
//               "example.evil.b.a"                              (never "example.notevil")
//   url, email  the normalised text                             itself
//   md5, sha1,  the 16, 20, 32 raw bytes                        itself
//   sha256
//
// Pure functions, safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "intel/indicator.hpp"
#include "store/observables.hpp"

namespace vigie::intel {

// The key an observed value is stored under, into `out` (replaced); false when the value is
// not one of its type (a range is not an observed value: false). Reuses out's buffer.
[[nodiscard]] bool observable_key(IocType type, std::string_view value, std::string& out);
[[nodiscard]] std::optional<std::string> observable_key(IocType type, std::string_view value);

// A stored key back as text: an address as core::IpAddress prints it (IPv4 dotted), a domain
// in its usual order, URLs and e-mails as stored, hashes as lower-case hex. Bytes that are
// not a key of `type` give "?".
[[nodiscard]] std::string observable_text(IocType type, std::string_view key);

// The key ranges an indicator matches (1, or 2 for a domain: itself and its subdomains), or
// nullopt when its value is not valid. An address range's bounds are its first and last
// addresses; /0 gives the whole family's space (callers guard against ranges that broad:
// range_too_broad()).
[[nodiscard]] std::optional<std::vector<store::KeyRange>> indicator_ranges(IocType type, std::string_view value);

// An address range too broad to hunt for, by the IOC index's own guard: IPv4 shorter than /8,
// IPv6 shorter than /16 or containing all of ::ffff:0:0/96. False for what is not a range.
[[nodiscard]] bool range_too_broad(IocType type, std::string_view value);

// The identity of an indicator in iocs_known: its observable key, except for addresses,
// whose key is the 16-byte network followed by one byte, its prefix length of 128 (so that
// 192.0.2.0/24 and 192.0.2.0 are two indicators). nullopt when the value is not valid.
[[nodiscard]] std::optional<std::string> indicator_key(IocType type, std::string_view value);

}  // namespace vigie::intel
