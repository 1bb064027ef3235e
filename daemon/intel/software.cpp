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
bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool control(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }
bool ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// A product name as banners and headers write one: an RFC 9110 token (letters, digits and
// "!#$%&'*+-.^_`|~"), one letter at least: no blanks, quotes or angle brackets reach the mail.
bool product_token(std::string_view s) {
  static constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return !s.empty() && s.size() <= kMaxProduct && std::any_of(s.begin(), s.end(), is_alpha) &&
         std::all_of(s.begin(), s.end(), [](char c) { return is_alnum(c) || kSymbols.find(c) != kSymbols.npos; });
}

// A version as written: a digit first, then letters, digits and ". + - ~ _"; anything else is
// no version ("" rather than a guess).
std::string_view version_token(std::string_view s) {
  const bool ok = !s.empty() && is_digit(s.front()) && std::all_of(s.begin(), s.end(), [](char c) {
    return is_alnum(c) || c == '.' || c == '+' || c == '-' || c == '~' || c == '_';
  });
  return ok ? s : std::string_view();
}

// Distributions whose packages keep the upstream version while fixes are backported.
constexpr std::array<std::string_view, 15> kDistros = {"debian", "ubuntu", "raspbian", "red hat", "redhat",
                                                       "rhel",   "centos", "rocky",    "alma",    "oracle",
                                                       "fedora", "suse",   "amazon",   "freebsd", "netbsd"};

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

const Alias* known(std::string_view token) {
  const std::string t = lower(token);
  for (const auto& a : kNames)
    if (t == a.token) return &a;
  return nullptr;
}

// The product a token names: its canonical name when known, else the token as written.
Software named(std::string_view token, std::string_view version) {
  Software sw;
  sw.product = std::string(token);
  if (const Alias* a = known(token)) sw.product = std::string(a->product), sw.scheme = a->scheme;
  sw.version = std::string(version_token(version));
  return sw;
}

// "SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u3": "SSH-" protoversion "-" softwareversion, then
// comments after a blank (RFC 4253 §4.2).
std::optional<Software> from_ssh(std::string_view v) {
  if (!v.starts_with("SSH-") || !ascii(v)) return std::nullopt;
  const auto dash = v.find('-', 4);
  const std::string_view proto = v.substr(4, dash == std::string_view::npos ? 0 : dash - 4);
  if (proto.empty() || !std::all_of(proto.begin(), proto.end(), [](char c) { return is_digit(c) || c == '.'; }))
    return std::nullopt;
  const std::string_view rest = v.substr(dash + 1);
  const auto space = rest.find(' ');
  const std::string_view software = rest.substr(0, space);
  const std::string_view comments = space == std::string_view::npos ? std::string_view() : trim(rest.substr(space + 1));
  // The product is what comes before the first '_' (or '-', "Cisco-1.25") that a digit follows.
  std::size_t cut = std::string_view::npos;
  for (std::size_t i = 0; i + 1 < software.size(); ++i)
    if ((software[i] == '_' || software[i] == '-') && is_digit(software[i + 1])) {
      cut = i;
      break;
    }
  std::string_view token = software.substr(0, cut);
  const std::string_view version = cut == std::string_view::npos ? std::string_view() : software.substr(cut + 1);
  // "PuTTY_Release_0.81", "OpenSSH_for_Windows_8.1": a known first word is the product; an
  // unknown token is kept whole ("Sun_SSH").
  const std::string_view first = token.substr(0, token.find('_'));
  const bool windows = lower(token).ends_with("_for_windows");
  if (known(first) != nullptr) token = first;
  if (!product_token(token)) return std::nullopt;
  Software sw = named(token, version);
  // Microsoft's port is a build of its own, fixed by Windows Update: like a distribution's.
  if (windows) sw.distro = "Windows";
  if (const std::string_view word = comments.substr(0, comments.find(' ')); !word.empty() && names_distro(word))
    sw.distro = std::string(word);
  return sw;
}

// "Apache/2.4.41 (Ubuntu)", "nginx/1.18.0", "Microsoft-IIS/10.0", "Apache": the first product
// token (RFC 9110 §10.2.4); its comment, when it names a distribution, is the build's.
std::optional<Software> from_server(std::string_view v) {
  if (!ascii(v)) return std::nullopt;
  std::string_view product = v.substr(0, v.find_first_of(" ("));
  std::string_view version;
  if (const auto slash = product.find('/'); slash != std::string_view::npos) {
    version = product.substr(slash + 1);
    product = product.substr(0, slash);
  }
  if (!product_token(product)) return std::nullopt;
  Software sw = named(product, version);
  // Coyote is Tomcat's connector: "Apache-Coyote/1.1" is its protocol's version, not Tomcat's.
  if (lower(product) == "apache-coyote") sw.version.clear();
  if (const auto open = v.find('('); open != std::string_view::npos) {
    const auto close = v.find(')', open);
    const std::string_view comment = v.substr(open + 1, close == std::string_view::npos ? 0 : close - open - 1);
    if (names_distro(comment)) sw.distro = std::string(trim(comment));
  }
  return sw;
}

// Appliances' default certificates: their DN names the vendor or the product, not a service.
// A site's own certificates name services and are not software (nullopt). The DN may carry
// UTF-8 (L=Quimper-Cornouaille…): only the ASCII names below are looked for.
std::optional<Software> from_certificate(std::string_view v) {
  const std::string dn = lower(v);
  const auto has = [&](std::string_view s) { return dn.find(s) != std::string::npos; };
  // "O=Cisco" itself, not "O=Ciscovery": the attribute's value ends there.
  const auto org = [&](std::string_view name) {
    const std::string key = "o=" + std::string(name);
    for (auto at = dn.find(key); at != std::string::npos; at = dn.find(key, at + 1)) {
      const std::size_t end = at + key.size();
      const bool starts = at == 0 || dn[at - 1] == ',' || dn[at - 1] == ' ' || dn[at - 1] == '/';
      if (starts && (end == dn.size() || dn[end] == ',' || dn[end] == ' ' || dn[end] == '/')) return true;
    }
    return false;
  };
  const char* product = nullptr;
  if (has("fortigate") || org("fortinet"))
    product = "Fortinet FortiGate";
  else if (has("palo alto networks"))
    product = "Palo Alto PAN-OS";
  else if (org("sophos") || has("sophos ltd"))
    product = "Sophos Firewall";
  else if (has("stormshield") || has("netasq"))
    product = "Stormshield SNS";
  else if (has("sonicwall"))
    product = "SonicWall SonicOS";
  else if (has("asa temporary self signed certificate"))
    product = "Cisco ASA";
  else if (has("ios-self-signed-certificate") || has("cn=tp-self-signed-"))
    product = "Cisco IOS";
  else if (org("cisco") || org("cisco systems") || has("o=cisco systems, inc"))
    product = "Cisco";
  if (product == nullptr) return std::nullopt;
  Software sw;
  sw.product = product;
  return sw;
}

// "openssh-server 1:9.2p1-2+deb12u3": a package name, then Debian's epoch:upstream-revision
// (or an RPM's version-release, "7.4p1-22.el7_9"). The revision is the distribution's build.
std::optional<Software> from_package(std::string_view v) {
  if (!ascii(v)) return std::nullopt;
  const auto space = v.find(' ');
  const std::string_view name = v.substr(0, space);
  std::string_view version = space == std::string_view::npos ? std::string_view() : trim(v.substr(space + 1));
  if (name.empty() || !is_alnum(name.front()) ||
      !std::all_of(name.begin(), name.end(), [](char c) { return is_alnum(c) || c == '+' || c == '-' || c == '.'; }))
    return std::nullopt;
  if (const auto colon = version.find(':'); colon != std::string_view::npos) version.remove_prefix(colon + 1);
  std::string_view revision;
  if (const auto dash = version.rfind('-'); dash != std::string_view::npos) {
    revision = version.substr(dash + 1);
    version = version.substr(0, dash);
  }
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 17> kPackages = {{
      {"openssh-server", "openssh"},
      {"openssh-client", "openssh"},
      {"openssh-sftp-server", "openssh"},
      {"openssh-clients", "openssh"},
      {"openssh", "openssh"},
      {"apache2", "apache"},
      {"apache2-bin", "apache"},
      {"httpd", "apache"},
      {"nginx", "nginx"},
      {"nginx-core", "nginx"},
      {"nginx-full", "nginx"},
      {"nginx-light", "nginx"},
      {"openssl", "openssl"},
      {"libssl3", "openssl"},
      {"libssl3t64", "openssl"},
      {"dropbear", "dropbear"},
      {"dropbear-bin", "dropbear"},
  }};
  if (!version.empty() && version_token(version).empty()) return std::nullopt;  // "name version", or a name
  std::string_view token = name;
  for (const auto& [package, as] : kPackages)
    if (name == package) token = as;
  Software sw = named(token, version);
  if (!revision.empty() && !version_token(revision).empty()) {
    const std::string rev = lower(revision);
    const auto tagged = [&](std::string_view tag) {  // "el7", ".fc39": the tag then a digit
      for (auto at = rev.find(tag); at != std::string::npos; at = rev.find(tag, at + 1))
        if (at + tag.size() < rev.size() && is_digit(rev[at + tag.size()]) && (at == 0 || !is_alpha(rev[at - 1])))
          return true;
      return false;
    };
    const char* distro = rev.find("ubuntu") != std::string::npos ? "Ubuntu-"
                         : tagged("el")                          ? "RHEL-"
                         : tagged("fc")                          ? "Fedora-"
                         : tagged("amzn")                        ? "Amazon-"
                                                                 : "Debian-";  // dpkg.log is the source we decode
    sw.distro = distro + std::string(revision);
  }
  return sw;
}

// --- version order ------------------------------------------------------------------------

// A pre-release tag's rank: development snapshots, then alpha, beta, pre, release candidates;
// -1 when `word` is no pre-release word (OpenSSL's "1.0.2k" letters are releases after 1.0.2).
int prerelease_rank(std::string_view word) {
  static constexpr std::array<std::pair<std::string_view, int>, 7> kTags = {
      {{"dev", 0}, {"snapshot", 0}, {"alpha", 1}, {"beta", 2}, {"pre", 3}, {"rc", 4}, {"cr", 4}}};
  for (const auto& [tag, rank] : kTags)
    if (word == tag) return rank;
  return -1;
}

// A version's comparable parts: dotted components (a number, then the letters after it), the
// OpenSSH portable patch level, and a pre-release tag (rank and number) when one follows.
struct Parsed {
  std::vector<std::pair<uint64_t, std::string>> parts;
  uint64_t patch = 0;
  int pre_rank = -1;  // -1: a release
  uint64_t pre_number = 0;
};

// "rc1", "beta.2", "-RC3": a pre-release tag, its number; false when `s` is none.
bool read_prerelease(std::string_view s, Parsed& p) {
  while (!s.empty() && (s.front() == '-' || s.front() == '~' || s.front() == '.' || s.front() == '_'))
    s.remove_prefix(1);
  std::size_t n = 0;
  while (n < s.size() && is_alpha(s[n])) ++n;
  const int rank = prerelease_rank(lower(s.substr(0, n)));
  if (rank < 0) return false;
  std::string_view number = s.substr(n);
  while (!number.empty() && (number.front() == '.' || number.front() == '-')) number.remove_prefix(1);
  p.pre_rank = rank;
  std::from_chars(number.data(), number.data() + number.size(), p.pre_number);  // none: 0
  return true;
}

std::optional<Parsed> parse_version(std::string_view v, VersionScheme scheme) {
  if (v.empty() || !is_digit(v.front())) return std::nullopt;
  Parsed p;
  std::string_view core = v.substr(0, v.find_first_of("-~+ _"));
  // After the numbers, a pre-release tag counts ("7.4.3-rc1", "2.0~beta2"); any other tail is a
  // build or packaging mark and does not ("1.0.2k-fips", "2.4.58-1").
  if (core.size() < v.size()) read_prerelease(v.substr(core.size()), p);
  if (scheme == VersionScheme::openssh) {
    if (const auto at = core.find('p'); at != std::string_view::npos) {
      const std::string_view level = core.substr(at + 1);
      const auto [end, ec] = std::from_chars(level.data(), level.data() + level.size(), p.patch);
      if (level.empty() || ec != std::errc{} || end != level.data() + level.size()) return std::nullopt;
      core = core.substr(0, at);
    }
  }
  while (true) {
    const auto dot = core.find('.');
    const std::string_view part = core.substr(0, dot);
    uint64_t n = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
    if (ec != std::errc{}) return std::nullopt;
    const std::string_view suffix = part.substr(static_cast<std::size_t>(end - part.data()));
    if (suffix.empty() || std::all_of(suffix.begin(), suffix.end(), is_alpha)) {
      if (!suffix.empty() && prerelease_rank(lower(suffix)) >= 0) {  // "7.4.3beta"
        if (dot != std::string_view::npos) return std::nullopt;
        read_prerelease(suffix, p);
        p.parts.emplace_back(n, "");
      } else {
        p.parts.emplace_back(n, lower(suffix));
      }
    } else if (dot == std::string_view::npos && read_prerelease(suffix, p)) {  // "7.4.3rc1"
      p.parts.emplace_back(n, "");
    } else {
      return std::nullopt;
    }
    if (dot == std::string_view::npos) break;
    core = core.substr(dot + 1);
  }
  return p;
}

}  // namespace

std::optional<Software> identify_software(std::string_view field, std::string_view value) {
  value = trim(value);
  if (value.empty() || value.size() > kMaxValue || std::any_of(value.begin(), value.end(), control))
    return std::nullopt;
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

// Missing components are zeros ("2.4" is "2.4.0"); a component's letters come after its bare
// number ("1.0.2k" > "1.0.2", OpenSSL's letter releases) and compare as text; the OpenSSH patch
// level after the components ("9.8" = "9.8p0" < "9.8p1"); a pre-release before its release
// ("7.4.3-rc1" < "7.4.3"), dev < alpha < beta < pre < rc, then by number ("rc2" < "rc10").
std::optional<int> compare_versions(std::string_view a, std::string_view b, VersionScheme scheme) {
  const auto x = parse_version(a, scheme);
  const auto y = parse_version(b, scheme);
  if (!x || !y) return std::nullopt;
  const std::size_t n = std::max(x->parts.size(), y->parts.size());
  static const std::pair<uint64_t, std::string> kZero{0, ""};
  for (std::size_t i = 0; i < n; ++i) {
    const auto& p = i < x->parts.size() ? x->parts[i] : kZero;
    const auto& q = i < y->parts.size() ? y->parts[i] : kZero;
    if (p.first != q.first) return p.first < q.first ? -1 : 1;
    if (p.second != q.second) return p.second < q.second ? -1 : 1;
  }
  if (x->patch != y->patch) return x->patch < y->patch ? -1 : 1;
  // A release (-1) ranks above every pre-release: compare with -1 as the highest.
  const auto rank = [](const Parsed& p) { return p.pre_rank < 0 ? 100 : p.pre_rank; };
  if (rank(*x) != rank(*y)) return rank(*x) < rank(*y) ? -1 : 1;
  if (x->pre_number != y->pre_number) return x->pre_number < y->pre_number ? -1 : 1;
  return 0;
}

}  // namespace vigie::intel
