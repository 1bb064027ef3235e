// IP addresses and CIDR networks (IPv4 and IPv6), for site attribution and the `cidr`
// rule modifier. Addresses are kept as 16 bytes, IPv4 mapped into ::ffff:0:0/96.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigie::core {

struct IpAddress {
  std::array<uint8_t, 16> bytes{};
  bool v4 = false;

  [[nodiscard]] static std::optional<IpAddress> parse(std::string_view text);
  [[nodiscard]] std::string to_string() const;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// A dotted-quad IPv4 address as inet_pton(AF_INET) reads it (four decimal parts of 0-255, no
// leading zero), in network order; nullopt when `text` is not one.
[[nodiscard]] std::optional<std::array<uint8_t, 4>> parse_quad(std::string_view text);

struct Cidr {
  IpAddress network;
  int prefix = 0;  // in bits of the address family given (0..32 for v4, 0..128 for v6)

  // "10.29.0.0/16", "2001:db8::/32", or a bare address (host route).
  [[nodiscard]] static std::optional<Cidr> parse(std::string_view text);
  [[nodiscard]] bool contains(const IpAddress& ip) const;
  [[nodiscard]] std::string to_string() const;
};

}  // namespace vigie::core
