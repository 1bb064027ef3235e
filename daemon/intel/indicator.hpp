// Indicator: one indicator of compromise as a feed supplied it (DESIGN.md §5, §7), the unit the
// feed formats produce (formats.hpp) and the IOC index holds (ioc_index.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigie::intel {

// `ip` covers single addresses and CIDR ranges ("192.0.2.0/24"); hashes are told by length.
enum class IocType : uint8_t { ip, domain, url, md5, sha1, sha256, email };

inline constexpr std::size_t kIocTypes = 7;

[[nodiscard]] std::string_view ioc_type_name(IocType t);               // "ip", "domain", ...
[[nodiscard]] std::optional<IocType> ioc_type(std::string_view name);  // inverse of ioc_type_name

struct Indicator {
  IocType type = IocType::ip;
  std::string value;        // as the feed gave it, re-fanged ("example[.]com" → "example.com")
  std::string feed;         // name of the feed that supplied it
  std::string advisory;     // reference it came with (CERT-FR reference, MISP event, STIX id), may be empty
  std::string description;  // the feed's words about it (MISP comment, STIX name, Zeek meta.desc), may be empty
  std::string tlp;          // CLEAR, GREEN, AMBER, AMBER+STRICT or RED; empty: the feed's default
  int confidence = -1;      // 0..100; -1: the feed's default
  int64_t first_seen = 0;   // Unix seconds, as the feed dates it; 0 when it does not
  int64_t expires = 0;      // Unix seconds after which it must stop matching (STIX valid_until); 0: never
};

}  // namespace vigie::intel
