// Retro-hunt keys (observable_key.hpp): the IOC index's normalisation (ioc_normalise.hpp),
// then the byte order that makes every lookup a range of the primary key.
#include "intel/observable_key.hpp"

#include <array>
#include <cstring>

#include "core/net.hpp"
#include "intel/ioc_normalise.hpp"

namespace vigie::intel {
namespace {

using detail::Net;

constexpr int kMinV4Prefix = 8;  // IocIndex's guard (ioc_index.cpp)
constexpr int kMinV6Prefix = 16;

std::string_view bytes_of(const Net& n) { return {reinterpret_cast<const char*>(n.b.data()), n.b.size()}; }

// "a.b.evil.example" → "example.evil.b.a" (and back: the reversal is its own inverse).
void reverse_labels(std::string_view name, std::string& out) {
  out.clear();
  out.reserve(name.size());
  std::size_t end = name.size();
  while (true) {
    const auto dot = name.rfind('.', end == 0 ? 0 : end - 1);
    if (dot == std::string_view::npos || end == 0) {
      out.append(name.substr(0, end));
      return;
    }
    out.append(name.substr(dot + 1, end - dot - 1)).append(1, '.');
    end = dot;
  }
}

// The last address of `n`: its host bits set.
Net last_of(const Net& n) {
  Net hi = n;
  for (std::size_t i = 0; i < hi.b.size(); ++i)
    hi.b[i] = static_cast<uint8_t>(hi.b[i] | static_cast<uint8_t>(~detail::mask_byte(n.bits, static_cast<int>(i))));
  return hi;
}

bool covers_all_v4(const Net& n) {
  if (n.bits > 96) return false;
  Net probe;
  std::memcpy(probe.b.data(), detail::kMappedPrefix.data(), detail::kMappedPrefix.size());
  detail::mask_to(probe.b.data(), n.bits);
  return probe.b == n.b;
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes.size());
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4], out += kDigits[b & 15];
  }
  return out;
}

}  // namespace

bool observable_key(IocType type, std::string_view value, std::string& out) {
  // Normalised into stack buffers, then copied: no allocation but `out`'s (the worker's path).
  std::size_t n = 0;
  switch (type) {
    case IocType::ip: {
      const auto net = detail::parse_net(value);
      if (!net || net->bits != 128) return false;
      out.assign(bytes_of(*net));
      return true;
    }
    case IocType::domain: {
      char buf[detail::kMaxDomain + 1];
      n = detail::domain_into(value, buf);
      if (n == 0) return false;
      reverse_labels(std::string_view(buf, n), out);
      return true;
    }
    case IocType::url: {
      char buf[detail::kUrlBuffer];
      n = detail::url_into(value, buf);
      out.assign(buf, n);
      return n > 0;
    }
    case IocType::email: {
      char buf[detail::kMaxEmail + 1];
      n = detail::email_into(value, buf);
      out.assign(buf, n);
      return n > 0;
    }
    case IocType::md5:
    case IocType::sha1:
    case IocType::sha256: {
      uint8_t buf[32];
      n = detail::digest_bytes(type);
      if (!detail::hex_into(value, n, buf)) return false;
      out.assign(reinterpret_cast<const char*>(buf), n);
      return true;
    }
  }
  return false;
}

std::optional<std::string> observable_key(IocType type, std::string_view value) {
  std::string out;
  if (!observable_key(type, value, out)) return std::nullopt;
  return out;
}

std::string observable_text(IocType type, std::string_view key) {
  switch (type) {
    case IocType::ip: {
      if (key.size() != 16) return "?";
      core::IpAddress ip;
      std::memcpy(ip.bytes.data(), key.data(), 16);
      ip.v4 = detail::mapped(ip.bytes.data());
      return ip.to_string();
    }
    case IocType::domain: {
      std::string out;
      reverse_labels(key, out);
      return out;
    }
    case IocType::url:
    case IocType::email:
      return std::string(key);
    case IocType::md5:
    case IocType::sha1:
    case IocType::sha256:
      return key.size() == detail::digest_bytes(type) ? hex(key) : "?";
  }
  return "?";
}

std::optional<std::vector<store::KeyRange>> indicator_ranges(IocType type, std::string_view value) {
  if (type == IocType::ip) {
    const auto net = detail::parse_net(value);
    if (!net) return std::nullopt;
    return std::vector<store::KeyRange>{{std::string(bytes_of(*net)), std::string(bytes_of(last_of(*net))), true}};
  }
  auto key = observable_key(type, value);
  if (!key) return std::nullopt;
  std::vector<store::KeyRange> out{{*key, *key, true}};
  // Subdomains: keys starting with "<key>.", i.e. from "<key>." up to, not including, "<key>/"
  // ('/' follows '.' in ASCII). "example.notevil" sorts after "example.evil/": never in it.
  if (type == IocType::domain) out.push_back({*key + '.', *key + '/', false});
  return out;
}

bool range_too_broad(IocType type, std::string_view value) {
  if (type != IocType::ip) return false;
  const auto net = detail::parse_net(value);
  if (!net) return false;
  if (detail::is_v4(*net)) return net->bits - 96 < kMinV4Prefix;
  return net->bits < kMinV6Prefix || covers_all_v4(*net);
}

std::optional<std::string> indicator_key(IocType type, std::string_view value) {
  if (type != IocType::ip) return observable_key(type, value);
  const auto net = detail::parse_net(value);
  if (!net) return std::nullopt;
  std::string out(bytes_of(*net));
  out.push_back(static_cast<char>(net->bits));
  return out;
}

}  // namespace vigie::intel
