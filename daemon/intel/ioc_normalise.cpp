// The canonical form of each indicator type (README "Normalisation"), shared by the index's
// keys, its lookups and IocIndex::normalise; and the IocType names.
#include "intel/ioc_normalise.hpp"

#include <charconv>

#include "core/net.hpp"
#include "intel/ioc_index.hpp"

namespace vigie::intel::detail {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool printable(char c) { return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f; }

constexpr std::array<int8_t, 256> kHex = [] {
  std::array<int8_t, 256> t{};
  t.fill(-1);
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<int8_t>(i);
  for (int i = 0; i < 6; ++i) t['a' + i] = t['A' + i] = static_cast<int8_t>(10 + i);
  return t;
}();

// An ip key as text: the bare address for /32 and /128, else "network/prefix".
std::string net_text(const Net& n) {
  core::IpAddress ip;
  ip.bytes = n.b;
  ip.v4 = is_v4(n);
  std::string s = ip.to_string();
  if (n.bits < 128) s.append(1, '/').append(std::to_string(ip.v4 ? n.bits - 96 : n.bits));
  return s;
}

}  // namespace

std::optional<Net> parse_net(std::string_view text) {
  // A prefix is at most 3 digits: look for the '/' in the last 4 bytes only (the hot path).
  std::size_t slash = std::string_view::npos;
  for (std::size_t i = text.size() > 4 ? text.size() - 4 : 0; i < text.size(); ++i)
    if (text[i] == '/') slash = i;
  const std::string_view addr = text.substr(0, slash);
  const auto ip = core::IpAddress::parse(addr);
  if (!ip) return std::nullopt;
  Net n;
  n.b = ip->bytes;
  if (slash != std::string_view::npos) {
    const std::string_view p = text.substr(slash + 1);
    int prefix = 0;
    if (p.empty() || p.size() > 3 || !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    std::from_chars(p.data(), p.data() + p.size(), prefix);
    const bool v4_text = ip->v4 && addr.find(':') == std::string_view::npos;
    if (prefix > (v4_text ? 32 : 128)) return std::nullopt;
    n.bits = v4_text ? 96 + prefix : prefix;
  }
  mask_to(n.b.data(), n.bits);
  return n;
}

// local@domain: one '@', a local part of 1..64 printable ASCII bytes, a valid domain.
std::size_t email_into(std::string_view in, char* out, std::size_t* at) {
  const auto a = in.find('@');
  if (in.size() > kMaxEmail || a == std::string_view::npos || a == 0 || a > 64 ||
      in.find('@', a + 1) != std::string_view::npos)
    return 0;
  for (std::size_t i = 0; i < a; ++i) {
    if (!printable(in[i])) return 0;
    out[i] = lower(in[i]);
  }
  out[a] = '@';
  const std::size_t d = domain_into(in.substr(a + 1), out + a + 1);
  if (d == 0) return 0;
  if (at != nullptr) *at = a;
  return a + 1 + d;
}

// scheme://[userinfo@]host[:port][/path][?query][#fragment]: scheme and host lower-cased (the
// host a domain, an IPv4 or a bracketed IPv6 address; its trailing dot dropped), the default
// port of http and https and an empty port removed, the fragment removed, an empty path "/";
// userinfo, path and query unchanged. No byte below 0x21 nor above 0x7e (encoded URLs only).
std::size_t url_into(std::string_view in, char* out, std::string_view* host_out) {
  if (in.size() > kMaxUrl || !std::all_of(in.begin(), in.end(), printable)) return 0;
  const auto sep = in.find("://");
  if (sep == std::string_view::npos || sep == 0) return 0;
  for (std::size_t i = 0; i < sep; ++i) {
    const char c = lower(in[i]);
    const bool alpha = c >= 'a' && c <= 'z';
    if (!(alpha || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')))) return 0;
    out[i] = c;
  }
  const std::string_view scheme(out, sep);
  std::memcpy(out + sep, "://", 3);
  std::size_t n = sep + 3;
  std::string_view rest = in.substr(sep + 3);
  rest = rest.substr(0, rest.find('#'));
  const auto auth_end = std::min(rest.find_first_of("/?"), rest.size());
  std::string_view authority = rest.substr(0, auth_end);
  const std::string_view path = rest.substr(auth_end);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::memcpy(out + n, authority.data(), at + 1);
    n += at + 1;
    authority.remove_prefix(at + 1);
  }
  std::string_view host = authority, port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return 0;
    host = authority.substr(0, close + 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return 0;
    has_port = !after.empty(), port = after.substr(has_port ? 1 : 0);
  } else if (const auto colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon), port = authority.substr(colon + 1), has_port = true;
  }
  const std::size_t host_at = n;
  if (host.empty()) return 0;
  if (host.front() == '[' || core::IpAddress::parse(host)) {
    if (!core::IpAddress::parse(host)) return 0;
    std::transform(host.begin(), host.end(), out + n, lower);
    n += host.size();
  } else {
    const std::size_t len = domain_into(host, out + n);
    if (len == 0) return 0;
    n += len;
  }
  if (host_out != nullptr) *host_out = std::string_view(out + host_at, n - host_at);
  if (has_port && !port.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || port.size() > 5 || value > 65535) return 0;
    if (!((scheme == "http" && value == 80) || (scheme == "https" && value == 443))) {
      out[n++] = ':';
      n = static_cast<std::size_t>(std::to_chars(out + n, out + n + 5, value).ptr - out);
    }
  }
  if (path.empty() || path.front() == '?') out[n++] = '/';
  std::memcpy(out + n, path.data(), path.size());
  return n + path.size();
}

// Exactly 2 × `bytes` hex digits, either case, decoded.
bool hex_into(std::string_view in, std::size_t bytes, uint8_t* out) {
  if (bytes == 0 || in.size() != 2 * bytes) return false;
  for (std::size_t i = 0; i < bytes; ++i) {
    const int hi = kHex[static_cast<unsigned char>(in[2 * i])], lo = kHex[static_cast<unsigned char>(in[2 * i + 1])];
    if ((hi | lo) < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

// The normalised key of (type, value) as the index stores it; false if not valid.
bool make_key(IocType type, std::string_view value, Key& key, std::string_view* host, std::size_t* at) {
  key.kind = kind_of(type);
  key.bytes.resize(type == IocType::url ? kUrlBuffer : kMaxEmail + 1);  // room for any of them
  std::size_t n = 0;
  switch (type) {
    case IocType::ip: {
      const auto net = parse_net(value);
      if (!net) return false;
      if (is_v4(*net)) {
        key.kind = static_cast<uint8_t>(kV4Kind + net->bits - 96);
        key.bytes.assign(reinterpret_cast<const char*>(net->b.data()) + 12, 4);
      } else {
        key.kind = static_cast<uint8_t>(kV6Kind + net->bits);
        key.bytes.assign(reinterpret_cast<const char*>(net->b.data()), 16);
      }
      return true;
    }
    case IocType::domain:
      n = domain_into(value, key.bytes.data());
      break;
    case IocType::url:
      n = url_into(value, key.bytes.data(), host);
      break;
    case IocType::email:
      n = email_into(value, key.bytes.data(), at);
      break;
    case IocType::md5:
    case IocType::sha1:
    case IocType::sha256:
      n = digest_bytes(type);
      if (!hex_into(value, n, reinterpret_cast<uint8_t*>(key.bytes.data()))) n = 0;
      break;
  }
  key.bytes.resize(n);
  return n > 0;
}

// The range an ip key stands for.
Net key_net(uint8_t kind, const char* bytes) {
  Net n;
  if (kind >= kV4Kind) {
    std::memcpy(n.b.data(), kMappedPrefix.data(), 12);
    std::memcpy(n.b.data() + 12, bytes, 4);
    n.bits = 96 + kind - kV4Kind;
  } else {
    std::memcpy(n.b.data(), bytes, 16);
    n.bits = kind - kV6Kind;
  }
  return n;
}
Net key_net(const Key& key) { return key_net(key.kind, key.bytes.data()); }

}  // namespace vigie::intel::detail

namespace vigie::intel {
namespace {

constexpr std::array<std::string_view, kIocTypes> kTypeNames = {"ip",   "domain", "url",  "md5",
                                                                "sha1", "sha256", "email"};

}  // namespace

std::string_view ioc_type_name(IocType t) {
  const auto i = static_cast<std::size_t>(t);
  return i < kTypeNames.size() ? kTypeNames[i] : "?";
}

std::optional<IocType> ioc_type(std::string_view name) {
  for (std::size_t i = 0; i < kTypeNames.size(); ++i)
    if (kTypeNames[i] == name) return static_cast<IocType>(i);
  return std::nullopt;
}

std::optional<std::string> IocIndex::normalise(IocType type, std::string_view value) {
  detail::Key key;
  if (static_cast<std::size_t>(type) >= kIocTypes || !detail::make_key(type, value, key)) return std::nullopt;
  if (type == IocType::ip) return detail::net_text(detail::key_net(key));
  if (detail::digest_bytes(type) == 0) return std::move(key.bytes);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (const char c : key.bytes) {
    const auto b = static_cast<unsigned char>(c);
    hex += kDigits[b >> 4], hex += kDigits[b & 15];
  }
  return hex;
}

}  // namespace vigie::intel
