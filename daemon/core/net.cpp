#include "core/net.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace vigie::core {

// Without inet_pton's copy and strlen: decoders check every source address they extract (~5 % of
// a worker's time went to inet_pton on an auth log).
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

namespace {

// Hex digit values by byte, 0xff for the other bytes: one load a byte instead of three ranges
// tested (the branches mispredict on addresses, whose groups have 1 to 4 digits).
constexpr std::array<uint8_t, 256> kHexValue = [] {
  std::array<uint8_t, 256> t{};
  t.fill(0xff);
  for (int c = 0; c < 10; ++c) t['0' + c] = static_cast<uint8_t>(c);
  for (int c = 0; c < 6; ++c) t['a' + c] = t['A' + c] = static_cast<uint8_t>(10 + c);
  return t;
}();

// IPv6 text as inet_pton(AF_INET6) reads it (RFC 4291 §2.2: eight groups of 1-4 hex digits, one
// "::" for one or more zero groups, a dotted quad in place of the last two), without its copy
// and strlen: 34 ns for a full-length address against glibc's 172 (tests/bench/README.md, "IOC
// index"). tests/unit/core/net_test.cpp holds it to inet_pton, byte for byte.
std::optional<std::array<uint8_t, 16>> parse_six(std::string_view text) {
  std::array<uint8_t, 16> out{};
  const std::size_t n = text.size();
  std::size_t i = 0, k = 0;  // next byte of text, of out
  constexpr std::size_t kNone = 17;
  std::size_t gap = kNone;  // where "::" stands in out
  if (n >= 1 && text[0] == ':') {
    if (n < 2 || text[1] != ':') return std::nullopt;
    gap = 0, i = 2;
  }
  while (i < n) {
    const std::size_t start = i;
    unsigned value = 0;
    for (unsigned d = 0; i < n && i - start < 5 && (d = kHexValue[static_cast<unsigned char>(text[i])]) != 0xff; ++i)
      value = value << 4 | d;
    if (i < n && text[i] == '.') {  // the last 32 bits as a dotted quad
      const auto quad = k <= 12 ? parse_quad(text.substr(start)) : std::nullopt;
      if (!quad) return std::nullopt;
      std::memcpy(&out[k], quad->data(), 4);
      k += 4;
      break;
    }
    if (i == start || i - start > 4 || k == 16) return std::nullopt;
    out[k++] = static_cast<uint8_t>(value >> 8);
    out[k++] = static_cast<uint8_t>(value);
    if (i == n) break;
    if (text[i] != ':' || ++i == n) return std::nullopt;
    if (text[i] == ':') {
      if (gap != kNone) return std::nullopt;
      gap = k;
      ++i;
    }
  }
  if (gap == kNone) return k == 16 ? std::optional(out) : std::nullopt;
  if (k == 16) return std::nullopt;  // "::" must stand for at least one group
  std::memmove(&out[16 - (k - gap)], &out[gap], k - gap);
  std::memset(&out[gap], 0, 16 - k);
  return out;
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > 47) return std::nullopt;
  if (text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  IpAddress ip;
  if (text.find(':') == std::string_view::npos) {
    const auto quad = parse_quad(text);
    if (!quad) return std::nullopt;
    ip.v4 = true;
    ip.bytes[10] = 0xff;
    ip.bytes[11] = 0xff;
    std::memcpy(&ip.bytes[12], quad->data(), 4);
    return ip;
  }
  const auto six = parse_six(text);
  if (!six) return std::nullopt;
  ip.bytes = *six;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  ip.v4 = std::memcmp(ip.bytes.data(), kMapped, 12) == 0;
  return ip;
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
