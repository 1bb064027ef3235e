// Software and the versions advisories name (README.md, "Exposure"): what an SSH banner, an HTTP
// Server header, an appliance's certificate or a package line says is installed; what an
// advisory's "affected systems" sentence says is vulnerable; and whether the one concerns the
// other. Pure functions, no state, no I/O.
//
// When in doubt the answer is Exposure::undetermined with its reason — a distribution's build
// whose fixes are backported, a fix named by its patch, no version — never a guess.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigie::intel {

// How a product numbers its versions: OpenSSH's "9.8p1" (a portable patch level after the
// release), or dotted numbers with optional letter suffixes ("2.4.41", "1.0.2k", "7.4.3-rc1").
enum class VersionScheme : uint8_t { dotted, openssh };

struct Software {
  std::string product;  // canonical display name: "OpenSSH", "Apache HTTP Server", "Fortinet FortiGate"
  std::string version;  // upstream version as written: "8.4p1"; "" when the string names none
  std::string distro;   // a packaging build: "Debian-5+deb11u3", "Ubuntu"; "" when none
  VersionScheme scheme = VersionScheme::dotted;
};

// `field` says what `value` is: "ssh.server.version" / "ssh.client.version" (an SSH identification
// string, RFC 4253 §4.2), "http.response.server" (RFC 9110 §10.2.4 product tokens: the first),
// "tls.server.subject" / "tls.server.issuer" (a certificate's DN: only known appliances' default
// certificates, no version), or "package" ("name version", Debian's epoch:upstream-revision).
// A product no table knows is kept as it names itself ("Caddy", "gws"): an RFC 9110 token of at
// most 64 bytes. nullopt when nothing can be read: empty, over 256 bytes, control bytes, bytes
// beyond ASCII (but in a DN), an unknown field, any other certificate.
[[nodiscard]] std::optional<Software> identify_software(std::string_view field, std::string_view value);

// One affected-system statement of an advisory: "OpenSSH versions antérieures à 9.8p1",
// "FortiOS versions 7.2.x antérieures à 7.2.11", "AIX versions 7.3.3 sans le correctif IJ57128",
// "OpenSSH before 9.8p1".
struct AffectedRange {
  std::string product;  // as written before the version words; the feed's product name if none
  std::string lower;    // "" = no lower bound
  bool lower_inclusive = true;
  std::string upper;  // "" = no upper bound
  bool upper_inclusive = false;
  std::string branch;         // "7.2" of "7.2.x": only versions of that branch are concerned
  bool all_versions = false;  // "toutes versions"
  bool needs_patch = false;   // "sans le correctif …", "… 3.3 Patch 7": a banner cannot show a patch
};

// nullopt when the text states no version range at all ("openSUSE Leap 15.5" names a release),
// or names no product and `product_hint` none: the feed's structured product name (CERT-FR
// product.name; "N/A" is none), used only when the text has no product before its versions.
// Several branches ("7.0.x, 7.2.x et 7.4.x") or versions listed become one span from the first
// to the last: a host to check rather than a host missed.
[[nodiscard]] std::optional<AffectedRange> parse_affected(std::string_view description,
                                                          std::string_view product_hint = {});

enum class Exposure : uint8_t { not_affected, affected, undetermined };
struct ExposureVerdict {
  Exposure exposure = Exposure::not_affected;
  std::string reason;  // why undetermined, in French (the mail's default language): "version non déterminée"
};

// Whether the two names are one product (case and punctuation aside, known aliases: "Apache"
// is "Apache HTTP Server", "FortiGate" is "FortiOS", "openssh-server" is "OpenSSH"…).
[[nodiscard]] bool same_product(std::string_view a, std::string_view b);
// Does `range` concern `sw`? A product that is not the range's: not_affected. Then, in order:
// a range without bounds is affected ("toutes versions") or undetermined (a patch); no version,
// or one that does not parse, undetermined; outside the branch or the bounds, not_affected; a
// patch, then a distribution's build (its fixes backported), undetermined; else affected.
[[nodiscard]] ExposureVerdict match_exposure(const Software& sw, const AffectedRange& range);
// Version order in `scheme`: negative, 0, positive; nullopt when a side does not parse (the
// rules are at its definition: "2.4" = "2.4.0", "1.0.2k" > "1.0.2", "7.4.3-rc1" < "7.4.3",
// OpenSSH "9.8" = "9.8p0" < "9.8p1").
[[nodiscard]] std::optional<int> compare_versions(std::string_view a, std::string_view b, VersionScheme scheme);

}  // namespace vigie::intel
