// identify_software and compare_versions (software.hpp); the advisory side is
// software_affected.cpp.
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <vector>

#include "intel/software.hpp"

namespace vigie::intel {
namespace {

constexpr std::size_t kMaxValue = 256;
constexpr std::size_t kMaxProduct = 64;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Printable ASCII only: a name with control bytes or other encodings is not a product name.
bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Distributions whose packages keep the upstream version while fixes are backported.
constexpr std::array<std::string_view, 12> kDistros = {"debian", "ubuntu", "raspbian", "red hat",
                                                       "redhat", "centos", "rocky",    "almalinux",
                                                       "fedora", "suse",   "freebsd",  "amazon"};

bool names_distro(std::string_view word) {
  const std::string w = lower(word);
  return std::any_of(kDistros.begin(), kDistros.end(),
                     [&](std::string_view d) { return w.find(d) != std::string::npos; });
}

struct Alias {
  std::string_view token;  // lower case, as products write themselves
  std::string_view product;
  VersionScheme scheme;
};
constexpr std::array<Alias, 14> kNames = {{
    {"openssh", "OpenSSH", VersionScheme::openssh},
    {"dropbear", "Dropbear SSH", VersionScheme::dotted},
    {"libssh", "libssh", VersionScheme::dotted},
    {"putty", "PuTTY", VersionScheme::dotted},
    {"cisco", "Cisco SSH", VersionScheme::dotted},
    {"apache", "Apache HTTP Server", VersionScheme::dotted},
    {"nginx", "nginx", VersionScheme::dotted},
    {"microsoft-iis", "Microsoft IIS", VersionScheme::dotted},
    {"lighttpd", "lighttpd", VersionScheme::dotted},
    {"openresty", "OpenResty", VersionScheme::dotted},
    {"apache-coyote", "Apache Tomcat", VersionScheme::dotted},
    {"openssl", "OpenSSL", VersionScheme::dotted},
    {"jetty", "Eclipse Jetty", VersionScheme::dotted},
    {"caddy", "Caddy", VersionScheme::dotted},
}};

Software named(std::string_view token, std::string_view version) {
  Software sw;
  const std::string t = lower(token);
  sw.product = std::string(token);
  for (const auto& a : kNames)
    if (t == a.token) {
      sw.product = std::string(a.product);
      sw.scheme = a.scheme;
    }
  sw.version = std::string(version);
  return sw;
}

// "SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u3": protoversion, softwareversion, comments.
std::optional<Software> from_ssh(std::string_view v) {
  if (v.substr(0, 4) != "SSH-") return std::nullopt;
  const auto dash = v.find('-', 4);
  if (dash == std::string_view::npos) return std::nullopt;
  std::string_view rest = v.substr(dash + 1);
  const auto space = rest.find(' ');
  std::string_view software = rest.substr(0, space);
  const std::string_view comments = space == std::string_view::npos ? std::string_view() : trim(rest.substr(space + 1));
  if (software.empty()) return std::nullopt;
  std::string distro;
  // Microsoft's port: "OpenSSH_for_Windows_8.1": a build of its own, like a distribution's.
  if (software.substr(0, 20) == "OpenSSH_for_Windows_") {
    Software sw = named("OpenSSH", software.substr(20));
    sw.distro = "Windows";
    return sw;
  }
  // The product is what comes before the first '_' (or '-') that a digit follows;
  // "PuTTY_Release_0.81": the words before the version are the product's.
  std::size_t cut = std::string_view::npos;
  for (std::size_t i = 0; i + 1 < software.size(); ++i)
    if ((software[i] == '_' || software[i] == '-') && is_digit(software[i + 1])) {
      cut = i;
      break;
    }
  std::string_view token = software.substr(0, cut);
  const std::string_view version = cut == std::string_view::npos ? std::string_view() : software.substr(cut + 1);
  if (const auto u = token.find('_'); u != std::string_view::npos) token = token.substr(0, u);
  Software sw = named(token, version);
  if (!comments.empty()) {
    const std::string_view first = comments.substr(0, comments.find(' '));
    if (names_distro(first)) distro = std::string(first);
  }
  sw.distro = std::move(distro);
  return sw;
}

// "Apache/2.4.41 (Ubuntu)", "nginx/1.18.0", "Microsoft-IIS/10.0", "Apache".
std::optional<Software> from_server(std::string_view v) {
  v = trim(v);
  const auto end = v.find_first_of(" (");
  std::string_view product = v.substr(0, end);
  std::string_view version;
  if (const auto slash = product.find('/'); slash != std::string_view::npos) {
    version = product.substr(slash + 1);
    product = product.substr(0, slash);
  }
  if (product.empty() || (!version.empty() && !is_digit(version.front()))) version = {};
  Software sw = named(product, version);
  // The first comment names the build's platform: a distribution's, or "(Unix)", "(Win64)".
  if (const auto open = v.find('('); open != std::string_view::npos) {
    const auto close = v.find(')', open);
    const std::string_view comment = v.substr(open + 1, close == std::string_view::npos ? 0 : close - open - 1);
    if (names_distro(comment)) sw.distro = std::string(trim(comment));
  }
  return sw;
}

// Default certificates of appliances: their DN names the vendor and product, not a service.
std::optional<Software> from_certificate(std::string_view v) {
  const std::string dn = lower(v);
  const auto has = [&](std::string_view s) { return dn.find(s) != std::string::npos; };
  const char* product = nullptr;
  if (has("fortigate") || has("o=fortinet"))
    product = "Fortinet FortiGate";
  else if (has("palo alto networks"))
    product = "Palo Alto PAN-OS";
  else if (has("o=sophos") || has("sophos ltd"))
    product = "Sophos Firewall";
  else if (has("stormshield") || has("netasq"))
    product = "Stormshield SNS";
  else if (has("o=cisco"))
    product = "Cisco";
  if (product == nullptr) return std::nullopt;
  Software sw;
  sw.product = product;
  return sw;
}

// "openssh-server 1:9.2p1-2+deb12u3": Debian's epoch:upstream-revision.
std::optional<Software> from_package(std::string_view v) {
  v = trim(v);
  const auto space = v.find(' ');
  const std::string_view name = v.substr(0, space);
  std::string_view version = space == std::string_view::npos ? std::string_view() : trim(v.substr(space + 1));
  if (const auto colon = version.find(':'); colon != std::string_view::npos) version.remove_prefix(colon + 1);
  std::string_view revision;
  if (const auto dash = version.rfind('-'); dash != std::string_view::npos) {
    revision = version.substr(dash + 1);
    version = version.substr(0, dash);
  }
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kPackages = {{
      {"openssh-server", "openssh"},
      {"openssh-client", "openssh"},
      {"openssh-sftp-server", "openssh"},
      {"apache2", "apache"},
      {"apache2-bin", "apache"},
      {"httpd", "apache"},
      {"nginx", "nginx"},
      {"nginx-core", "nginx"},
      {"openssl", "openssl"},
      {"libssl3", "openssl"},
  }};
  std::string_view token = name;
  for (const auto& [package, as] : kPackages)
    if (name == package) token = as;
  Software sw = named(token, version);
  if (!revision.empty())
    sw.distro = (lower(revision).find("ubuntu") != std::string::npos ? "Ubuntu-" : "Debian-") + std::string(revision);
  return sw;
}

// A version's comparable parts: dotted components (number, then the letters after it), the
// OpenSSH patch level, and whether a pre-release tag follows.
struct Parsed {
  std::vector<std::pair<uint64_t, std::string>> parts;
  uint64_t patch = 0;
  bool prerelease = false;
};

std::optional<Parsed> parse_version(std::string_view v, VersionScheme scheme) {
  if (v.empty() || !is_digit(v.front())) return std::nullopt;
  Parsed p;
  std::string_view core = v.substr(0, v.find_first_of("-~+ "));
  if (core.size() < v.size()) {
    const std::string tail = lower(v.substr(core.size()));
    for (std::string_view tag : {"alpha", "beta", "rc", "pre", "dev", "snapshot"})
      if (tail.find(tag) != std::string::npos) p.prerelease = true;
  }
  if (scheme == VersionScheme::openssh) {
    if (const auto at = core.find('p'); at != std::string_view::npos) {
      const std::string_view level = core.substr(at + 1);
      if (level.empty() || std::from_chars(level.data(), level.data() + level.size(), p.patch).ec != std::errc{})
        return std::nullopt;
      core = core.substr(0, at);
    }
  }
  while (!core.empty()) {
    const auto dot = core.find('.');
    const std::string_view part = core.substr(0, dot);
    uint64_t n = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
    if (ec != std::errc{}) return std::nullopt;
    const std::string_view suffix = part.substr(static_cast<std::size_t>(end - part.data()));
    if (!std::all_of(suffix.begin(), suffix.end(), is_alpha)) return std::nullopt;
    p.parts.emplace_back(n, lower(suffix));
    if (dot == std::string_view::npos) break;
    core = core.substr(dot + 1);
  }
  if (p.parts.empty()) return std::nullopt;
  return p;
}

}  // namespace

std::optional<Software> identify_software(std::string_view field, std::string_view value) {
  value = trim(value);
  if (value.empty() || value.size() > kMaxValue || !printable(value)) return std::nullopt;
  std::optional<Software> sw;
  if (field == "ssh.server.version" || field == "ssh.client.version")
    sw = from_ssh(value);
  else if (field == "http.response.server")
    sw = from_server(value);
  else if (field == "tls.server.subject" || field == "tls.server.issuer")
    sw = from_certificate(value);
  else if (field == "package")
    sw = from_package(value);
  if (!sw || sw->product.empty() || sw->product.size() > kMaxProduct) return std::nullopt;
  return sw;
}

std::optional<int> compare_versions(std::string_view a, std::string_view b, VersionScheme scheme) {
  const auto x = parse_version(a, scheme);
  const auto y = parse_version(b, scheme);
  if (!x || !y) return std::nullopt;
  // Missing components are zeros ("2.4" is "2.4.0"); "1.0.2k" comes after "1.0.2" (OpenSSL's
  // letter releases), a pre-release ("7.4.3-rc1") before its release.
  const std::size_t n = std::max(x->parts.size(), y->parts.size());
  for (std::size_t i = 0; i < n; ++i) {
    static const std::pair<uint64_t, std::string> kZero{0, ""};
    const auto& p = i < x->parts.size() ? x->parts[i] : kZero;
    const auto& q = i < y->parts.size() ? y->parts[i] : kZero;
    if (p.first != q.first) return p.first < q.first ? -1 : 1;
    if (p.second != q.second) return p.second < q.second ? -1 : 1;
  }
  if (x->patch != y->patch) return x->patch < y->patch ? -1 : 1;
  if (x->prerelease != y->prerelease) return x->prerelease ? -1 : 1;
  return 0;
}

}  // namespace vigie::intel
