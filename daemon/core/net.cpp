#include "core/net.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace vigie::core {

namespace {

// Dotted-quad IPv4 as inet_pton(AF_INET) reads it (four decimal parts of 0-255, no leading zero),
// without its copy and strlen: decoders check every source address they extract (~5 % of a
// worker's time went to inet_pton on an auth log). nullopt when `text` is not one.
std::optional<std::array<uint8_t, 4>> parse_quad(std::string_view text) {
  std::array<uint8_t, 4> out{};
  std::size_t part = 0;
  std::size_t i = 0;
  while (true) {
    unsigned value = 0;
    std::size_t digits = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
      if (digits == 3 || (digits == 1 && value == 0)) return std::nullopt;
      value = value * 10 + static_cast<unsigned>(text[i] - '0');
    }
    if (digits == 0 || value > 255) return std::nullopt;
    out[part++] = static_cast<uint8_t>(value);
    if (i == text.size()) return part == 4 ? std::optional(out) : std::nullopt;
    if (text[i] != '.' || part == 4) return std::nullopt;
    ++i;
  }
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  if (text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  if (text.size() <= 15 && text.find(':') == std::string_view::npos) {
    const auto quad = parse_quad(text);
    if (!quad) return std::nullopt;
    IpAddress ip;
    ip.v4 = true;
    ip.bytes[10] = 0xff;
    ip.bytes[11] = 0xff;
    std::memcpy(&ip.bytes[12], quad->data(), 4);
    return ip;
  }
  char buf[64];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress ip;
  in_addr a4{};
  if (inet_pton(AF_INET, buf, &a4) == 1) {
    ip.v4 = true;
    ip.bytes[10] = 0xff;
    ip.bytes[11] = 0xff;
    std::memcpy(&ip.bytes[12], &a4, 4);
    return ip;
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, buf, &a6) == 1) {
    std::memcpy(ip.bytes.data(), &a6, 16);
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    ip.v4 = std::memcmp(ip.bytes.data(), kMapped, 12) == 0;
    return ip;
  }
  return std::nullopt;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN];
  if (v4) return inet_ntop(AF_INET, &bytes[12], buf, sizeof buf);
  return inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  const auto slash = text.find('/');
  auto ip = IpAddress::parse(text.substr(0, slash));
  if (!ip) return std::nullopt;
  const int max = ip->v4 ? 32 : 128;
  int prefix = max;
  if (slash != std::string_view::npos) {
    auto p = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (ec != std::errc{} || end != p.data() + p.size() || prefix < 0 || prefix > max) return std::nullopt;
  }
  return Cidr{*ip, prefix};
}

bool Cidr::contains(const IpAddress& ip) const {
  if (ip.v4 != network.v4) return false;
  const int offset = network.v4 ? 96 : 0;
  int bits = prefix + offset;
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((ip.bytes[i] & mask) != (network.bytes[i] & mask)) return false;
  }
  return true;
}

std::string Cidr::to_string() const { return network.to_string() + "/" + std::to_string(prefix); }

}  // namespace vigie::core
