// The exposure inventory's readings (intel/software.hpp): banners, Server headers, appliance
// certificates and packages; CERT-FR's affected-system sentences (copied from the corpus's
// advisories and CERT-FR's usual wordings); version order per scheme; and the verdicts, with
// "undetermined" wherever a banner cannot settle it.
#include "intel/software.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace vigie::intel;

namespace {

Software sw(const char* field, const char* value) {
  auto s = identify_software(field, value);
  REQUIRE_MESSAGE(s.has_value(), value);
  return *s;
}

AffectedRange range(const char* text, const char* hint = "") {
  auto r = parse_affected(text, hint);
  REQUIRE_MESSAGE(r.has_value(), text);
  return *r;
}

Exposure verdict(const char* field, const char* value, const char* affected) {
  return match_exposure(sw(field, value), range(affected)).exposure;
}

}  // namespace

TEST_CASE("SSH identification strings: product, upstream version, the distribution's build") {
  auto s = sw("ssh.server.version", "SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u3");
  CHECK(s.product == "OpenSSH");
  CHECK(s.version == "8.4p1");
  CHECK(s.distro == "Debian-5+deb11u3");
  CHECK(s.scheme == VersionScheme::openssh);
  s = sw("ssh.server.version", "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5");
  CHECK(s.distro == "Ubuntu-3ubuntu13.5");
  s = sw("ssh.server.version", "SSH-2.0-OpenSSH_7.4");
  CHECK(s.version == "7.4");
  CHECK(s.distro.empty());
  s = sw("ssh.server.version", "SSH-2.0-OpenSSH_for_Windows_8.1");
  CHECK(s.product == "OpenSSH");
  CHECK(s.version == "8.1");
  CHECK(s.distro == "Windows");
  s = sw("ssh.server.version", "SSH-2.0-dropbear_2022.83");
  CHECK(s.product == "Dropbear SSH");
  CHECK(s.version == "2022.83");
  s = sw("ssh.client.version", "SSH-2.0-PuTTY_Release_0.81");
  CHECK(s.product == "PuTTY");
  CHECK(s.version == "0.81");
  s = sw("ssh.client.version", "SSH-2.0-libssh_0.9.6");
  CHECK(s.product == "libssh");
  CHECK(s.version == "0.9.6");
  s = sw("ssh.server.version", "SSH-1.99-Cisco-1.25");
  CHECK(s.product == "Cisco SSH");
  CHECK(s.version == "1.25");
  s = sw("ssh.client.version", "SSH-2.0-Go");  // unknown, no version: kept as it names itself
  CHECK(s.product == "Go");
  CHECK(s.version.empty());
  s = sw("ssh.server.version", "SSH-2.0-OpenSSH_8.9 some comment");  // a comment that is no distribution
  CHECK(s.distro.empty());
}

TEST_CASE("HTTP Server headers, appliance certificates, Debian packages") {
  auto s = sw("http.response.server", "Apache/2.4.41 (Ubuntu)");
  CHECK(s.product == "Apache HTTP Server");
  CHECK(s.version == "2.4.41");
  CHECK(s.distro == "Ubuntu");
  s = sw("http.response.server", "Apache/2.4.62 (Unix) OpenSSL/3.0.13");
  CHECK(s.distro.empty());
  s = sw("http.response.server", "nginx/1.18.0");
  CHECK(s.product == "nginx");
  CHECK(s.version == "1.18.0");
  s = sw("http.response.server", "Microsoft-IIS/10.0");
  CHECK(s.product == "Microsoft IIS");
  CHECK(s.version == "10.0");
  s = sw("http.response.server", "Apache");
  CHECK(s.version.empty());

  s = sw("tls.server.subject", "C=US,ST=California,L=Sunnyvale,O=Fortinet,OU=FortiGate,CN=FGT60F0000000000");
  CHECK(s.product == "Fortinet FortiGate");
  CHECK(s.version.empty());
  CHECK(sw("tls.server.issuer", "C=US,O=Palo Alto Networks,CN=PAN-OS").product == "Palo Alto PAN-OS");
  CHECK_FALSE(identify_software("tls.server.subject", "CN=www.ch-quimper.example"));

  s = sw("package", "openssh-server 1:9.2p1-2+deb12u3");
  CHECK(s.product == "OpenSSH");
  CHECK(s.version == "9.2p1");
  CHECK(s.distro == "Debian-2+deb12u3");
  CHECK(s.scheme == VersionScheme::openssh);
  s = sw("package", "apache2 2.4.62-1~deb12u2");
  CHECK(s.product == "Apache HTTP Server");
  CHECK(s.version == "2.4.62");
  s = sw("package", "curl 7.88.1-10+deb12u8");
  CHECK(s.product == "curl");
  CHECK(s.version == "7.88.1");
}

TEST_CASE("nothing readable: empty, control bytes, oversized, an unknown field") {
  CHECK_FALSE(identify_software("ssh.server.version", ""));
  CHECK_FALSE(identify_software("ssh.server.version", "SSH-2.0-Open\x01SSH_8.4"));
  CHECK_FALSE(identify_software("ssh.server.version", "HTTP/1.1 200 OK"));
  CHECK_FALSE(identify_software("http.response.server", "ng\tinx/1.0"));
  CHECK_FALSE(identify_software("http.response.server", std::string(300, 'a')));
  CHECK_FALSE(identify_software("ssh.server.version", "SSH-2.0-" + std::string(100, 'x') + "_1.0"));
  CHECK_FALSE(identify_software("user.name", "root"));
  CHECK_FALSE(identify_software("http.response.server", "caf\xc3\xa9/1.0"));
}

TEST_CASE("version order: OpenSSH patch levels, dotted numbers, letters and pre-releases") {
  const auto ssh = [](const char* a, const char* b) { return compare_versions(a, b, VersionScheme::openssh); };
  const auto dot = [](const char* a, const char* b) { return compare_versions(a, b, VersionScheme::dotted); };
  CHECK(ssh("9.8p1", "9.8p1") == 0);
  CHECK(ssh("9.8", "9.8p0") == 0);
  CHECK(*ssh("9.8", "9.8p1") < 0);
  CHECK(*ssh("9.7p1", "9.8p1") < 0);
  CHECK(*ssh("9.8p2", "9.8p1") > 0);
  CHECK(*ssh("10.0p1", "9.9p2") > 0);
  CHECK(dot("2.4", "2.4.0") == 0);
  CHECK(*dot("2.4.9", "2.4.10") < 0);
  CHECK(*dot("2.4.60", "2.4.58") > 0);
  CHECK(*dot("1.0.2k", "1.0.2") > 0);
  CHECK(*dot("1.0.2k", "1.0.2l") < 0);
  CHECK(*dot("7.4.3-rc1", "7.4.3") < 0);
  CHECK(*dot("7.4.3", "7.4.3-beta") > 0);
  CHECK_FALSE(dot("abc", "1.0"));
  CHECK_FALSE(dot("1.0", ""));
  CHECK_FALSE(ssh("9.8px", "9.8p1"));
}

TEST_CASE("CERT-FR's affected-system sentences") {
  auto r = range("OpenSSH versions antérieures à 9.8p1");
  CHECK(r.product == "OpenSSH");
  CHECK(r.upper == "9.8p1");
  CHECK_FALSE(r.upper_inclusive);
  CHECK(r.lower.empty());
  r = range("Apache HTTP Server versions antérieures ou égales à 2.4.58");
  CHECK(r.product == "Apache HTTP Server");
  CHECK(r.upper == "2.4.58");
  CHECK(r.upper_inclusive);
  r = range("FortiOS versions 7.2.x antérieures à 7.2.11");
  CHECK(r.branch == "7.2");
  CHECK(r.upper == "7.2.11");
  r = range("Sterling External Authentication Server versions 6.1.0.x antérieures à 6.1.0.4 GA");
  CHECK(r.product == "Sterling External Authentication Server");
  CHECK(r.branch == "6.1.0");
  CHECK(r.upper == "6.1.0.4");
  r = range("OpenSSH versions 8.5p1 à 9.7p1");
  CHECK(r.lower == "8.5p1");
  CHECK(r.upper == "9.7p1");
  CHECK(r.upper_inclusive);
  r = range("OpenSSH versions postérieures ou égales à 8.5p1 et antérieures à 9.8p1");
  CHECK(r.lower == "8.5p1");
  CHECK(r.lower_inclusive);
  CHECK(r.upper == "9.8p1");
  r = range("FortiOS versions 6.4.x");
  CHECK(r.branch == "6.4");
  CHECK(r.upper.empty());
  r = range("AIX versions 7.3.3 sans le correctif de sécurité IJ57128");
  CHECK(r.lower == "7.3.3");
  CHECK(r.upper == "7.3.3");
  CHECK(r.needs_patch);
  r = range("NAT-102 Series toutes versions");
  CHECK(r.product == "NAT-102 Series");
  CHECK(r.all_versions);
  r = range("OnCell G4302-LTE4 Series sans les derniers correctifs de sécurité");
  CHECK(r.needs_patch);
  r = range("EDR-G9004 Series versions antérieures à 3.14", "N/A");
  CHECK(r.product == "EDR-G9004 Series");
  r = range("Identity Services Engine (ISE) versions 3.3.x sans le correctif 3.3 Patch 6");
  CHECK(r.branch == "3.3");
  CHECK(r.needs_patch);
  r = range("OpenSSH before 9.8p1");
  CHECK(r.upper == "9.8p1");
  r = range("Apache HTTP Server through 2.4.58");
  CHECK(r.upper_inclusive);
  r = range("versions antérieures à 3.2", "Moxa EDR");  // no product in the text: the feed's
  CHECK(r.product == "Moxa EDR");
  // A product release, not a range; and nothing at all.
  CHECK_FALSE(parse_affected("openSUSE Leap 15.5"));
  CHECK_FALSE(parse_affected("SUSE Linux Enterprise Server 15 SP5"));
  CHECK_FALSE(parse_affected("versions antérieures à 3.2", "N/A"));
  CHECK_FALSE(parse_affected(""));
}

TEST_CASE("verdicts: affected, not affected, and undetermined with its reason") {
  const char* before = "OpenSSH versions antérieures à 9.8p1";
  CHECK(verdict("ssh.server.version", "SSH-2.0-OpenSSH_8.4p1", before) == Exposure::affected);
  CHECK(verdict("ssh.server.version", "SSH-2.0-OpenSSH_9.8p1", before) == Exposure::not_affected);
  CHECK(verdict("ssh.server.version", "SSH-2.0-OpenSSH_9.9p1", before) == Exposure::not_affected);
  CHECK(verdict("ssh.server.version", "SSH-2.0-dropbear_2022.83", before) == Exposure::not_affected);
  // Debian's 9.2p1 is upstream-vulnerable but may carry the fix: never called either way.
  auto v = match_exposure(sw("ssh.server.version", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3"), range(before));
  CHECK(v.exposure == Exposure::undetermined);
  CHECK(v.reason == "paquet Debian : correctifs rétroportés possibles");
  CHECK(verdict("ssh.server.version", "SSH-2.0-OpenSSH_9.9p1 Debian-1", before) == Exposure::not_affected);
  v = match_exposure(sw("http.response.server", "Apache"), range("Apache HTTP Server versions antérieures à 2.4.60"));
  CHECK(v.exposure == Exposure::undetermined);
  CHECK(v.reason == "version non déterminée");
  // Bounds at their exact value.
  CHECK(verdict("http.response.server", "Apache/2.4.58",
                "Apache HTTP Server versions antérieures ou égales à 2.4.58") == Exposure::affected);
  CHECK(verdict("http.response.server", "Apache/2.4.60", "Apache HTTP Server versions antérieures à 2.4.60") ==
        Exposure::not_affected);
  CHECK(verdict("ssh.server.version", "SSH-2.0-OpenSSH_8.5p1", "OpenSSH versions 8.5p1 à 9.7p1") == Exposure::affected);
  CHECK(verdict("ssh.server.version", "SSH-2.0-OpenSSH_8.4p1", "OpenSSH versions 8.5p1 à 9.7p1") ==
        Exposure::not_affected);
  // A branch restricts the range to itself.
  const char* branch = "nginx versions 1.25.x antérieures à 1.25.4";
  CHECK(verdict("http.response.server", "nginx/1.25.3", branch) == Exposure::affected);
  CHECK(verdict("http.response.server", "nginx/1.24.0", branch) == Exposure::not_affected);
  CHECK(verdict("http.response.server", "nginx/1.26.1", branch) == Exposure::not_affected);
  // A fix a banner cannot show.
  v = match_exposure(sw("package", "openssh-server 1:9.2p1"), range("OpenSSH versions 9.2p1 sans le correctif X"));
  CHECK(v.exposure == Exposure::undetermined);
  CHECK(v.reason == "correctif non visible dans la bannière");
  // An appliance seen by its certificate: its product, no version.
  v = match_exposure(sw("tls.server.subject", "O=Fortinet,CN=FortiGate"),
                     range("FortiOS versions 7.2.x antérieures à 7.2.11"));
  CHECK(v.exposure == Exposure::undetermined);
  CHECK(verdict("tls.server.subject", "O=Fortinet,CN=FortiGate", "NAT-102 Series toutes versions") ==
        Exposure::not_affected);
}

TEST_CASE("product names: case, punctuation and aliases") {
  CHECK(same_product("OpenSSH", "openssh"));
  CHECK(same_product("openssh-server", "OpenSSH"));
  CHECK(same_product("Apache", "Apache HTTP Server"));
  CHECK(same_product("Microsoft IIS", "IIS"));
  CHECK(same_product("Fortinet FortiGate", "FortiOS"));
  CHECK_FALSE(same_product("OpenSSH", "OpenSSL"));
  CHECK_FALSE(same_product("Apache Tomcat", "Apache HTTP Server"));
  CHECK_FALSE(same_product("", ""));
}
