// The exposure inventory's readings (intel/software.hpp): banners, Server headers, appliance
// certificates and packages; CERT-FR's affected-system sentences (copied from the corpus's
// advisories, typos included, and CERT-FR's usual wordings) and the English of CVE texts;
// version order per scheme; and the verdicts, with "undetermined" wherever a banner cannot
// settle it.
#include "intel/software.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace vigie::intel;

namespace {

Software sw(const char* field, const std::string& value) {
  auto s = identify_software(field, value);
  REQUIRE_MESSAGE(s.has_value(), value);
  return *s;
}

AffectedRange range(const char* text, const char* hint = "") {
  auto r = parse_affected(text, hint);
  REQUIRE_MESSAGE(r.has_value(), text);
  return *r;
}

ExposureVerdict verdict(const char* field, const char* value, const char* affected) {
  return match_exposure(sw(field, value), range(affected));
}

Exposure exposure(const char* field, const char* value, const char* affected) {
  return verdict(field, value, affected).exposure;
}

std::optional<int> dotted(const char* a, const char* b) { return compare_versions(a, b, VersionScheme::dotted); }
std::optional<int> openssh(const char* a, const char* b) { return compare_versions(a, b, VersionScheme::openssh); }

}  // namespace

TEST_CASE("SSH identification strings: product, upstream version, the distribution's build") {
  auto s = sw("ssh.server.version", "SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u3");
  CHECK(s.product == "OpenSSH");
  CHECK(s.version == "8.4p1");
  CHECK(s.distro == "Debian-5+deb11u3");
  CHECK(s.scheme == VersionScheme::openssh);
  s = sw("ssh.server.version", "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10");
  CHECK(s.version == "8.9p1");
  CHECK(s.distro == "Ubuntu-3ubuntu0.10");
  s = sw("ssh.server.version", "SSH-2.0-OpenSSH_7.9 FreeBSD-20200214");
  CHECK(s.distro == "FreeBSD-20200214");
  s = sw("ssh.server.version", "SSH-2.0-OpenSSH_7.4");
  CHECK(s.version == "7.4");
  CHECK(s.distro.empty());
  s = sw("ssh.server.version", "SSH-2.0-OpenSSH_9.8");  // OpenBSD's own: no portable patch level
  CHECK(s.version == "9.8");
  s = sw("ssh.server.version", "SSH-2.0-OpenSSH_for_Windows_8.1");
  CHECK(s.product == "OpenSSH");
  CHECK(s.version == "8.1");
  CHECK(s.distro == "Windows");
  s = sw("ssh.server.version", "SSH-2.0-dropbear_2022.83");
  CHECK(s.product == "Dropbear SSH");
  CHECK(s.version == "2022.83");
  CHECK(s.scheme == VersionScheme::dotted);
  s = sw("ssh.client.version", "SSH-2.0-PuTTY_Release_0.81");
  CHECK(s.product == "PuTTY");
  CHECK(s.version == "0.81");
  s = sw("ssh.client.version", "SSH-2.0-libssh_0.9.6");
  CHECK(s.product == "libssh");
  CHECK(s.version == "0.9.6");
  s = sw("ssh.server.version", "SSH-1.99-Cisco-1.25");
  CHECK(s.product == "Cisco SSH");
  CHECK(s.version == "1.25");
  // Unknown products are kept as they name themselves, with or without a version.
  s = sw("ssh.client.version", "SSH-2.0-Go");
  CHECK(s.product == "Go");
  CHECK(s.version.empty());
  s = sw("ssh.server.version", "SSH-2.0-Sun_SSH_1.1.4");
  CHECK(s.product == "Sun_SSH");
  CHECK(s.version == "1.1.4");
  s = sw("ssh.server.version", "SSH-2.0-OpenSSH_8.9 some comment");  // a comment that is no distribution
  CHECK(s.distro.empty());
}

TEST_CASE("HTTP Server headers: the first product token and a distribution's comment") {
  auto s = sw("http.response.server", "Apache/2.4.41 (Ubuntu)");
  CHECK(s.product == "Apache HTTP Server");
  CHECK(s.version == "2.4.41");
  CHECK(s.distro == "Ubuntu");
  s = sw("http.response.server", "Apache/2.4.6 (CentOS) OpenSSL/1.0.2k-fips");
  CHECK(s.version == "2.4.6");
  CHECK(s.distro == "CentOS");
  s = sw("http.response.server", "Apache/2.4.62 (Unix) OpenSSL/3.0.13");  // a platform, no distribution
  CHECK(s.distro.empty());
  s = sw("http.response.server", "nginx/1.18.0");
  CHECK(s.product == "nginx");
  CHECK(s.version == "1.18.0");
  CHECK(s.distro.empty());
  CHECK(sw("http.response.server", "nginx/1.18.0 (Ubuntu)").distro == "Ubuntu");
  s = sw("http.response.server", "Microsoft-IIS/10.0");
  CHECK(s.product == "Microsoft IIS");
  CHECK(s.version == "10.0");
  s = sw("http.response.server", "Apache");
  CHECK(s.product == "Apache HTTP Server");
  CHECK(s.version.empty());
  s = sw("http.response.server", "lighttpd/1.4.59");
  CHECK(s.product == "lighttpd");
  CHECK(s.version == "1.4.59");
  CHECK(sw("http.response.server", "Caddy").product == "Caddy");
  CHECK(sw("http.response.server", "gws").product == "gws");
  // Coyote's "1.1" is its protocol's, not Tomcat's version: none rather than a wrong one.
  s = sw("http.response.server", "Apache-Coyote/1.1");
  CHECK(s.product == "Apache Tomcat");
  CHECK(s.version.empty());
  CHECK(sw("http.response.server", "nginx/openresty").version.empty());  // a version starts with a digit
}

TEST_CASE("appliance certificates: known defaults only, whichever the attribute order") {
  auto s = sw("tls.server.subject", "CN=FortiGate,O=Fortinet,OU=FortiGate,C=US");
  CHECK(s.product == "Fortinet FortiGate");
  CHECK(s.version.empty());
  CHECK(s.distro.empty());
  CHECK(
      sw("tls.server.subject", "C=US,ST=California,L=Sunnyvale,O=Fortinet,OU=FortiGate,CN=FGT60F0000000000").product ==
      "Fortinet FortiGate");
  CHECK(sw("tls.server.issuer", "C=US,O=Palo Alto Networks,CN=PAN-OS").product == "Palo Alto PAN-OS");
  CHECK(sw("tls.server.issuer", "CN=Sophos_CA_C1234,O=Sophos,C=GB").product == "Sophos Firewall");
  CHECK(sw("tls.server.subject", "C=FR,O=Stormshield,OU=SNS,CN=SN210A00000000").product == "Stormshield SNS");
  CHECK(sw("tls.server.subject", "CN=ASA Temporary Self Signed Certificate").product == "Cisco ASA");
  CHECK(sw("tls.server.subject", "CN=IOS-Self-Signed-Certificate-1234567").product == "Cisco IOS");
  CHECK(sw("tls.server.subject", "CN=router,O=Cisco").product == "Cisco");
  // UTF-8 in a DN is no reason to miss the appliance.
  CHECK(sw("tls.server.issuer", "C=FR,L=Quimper-Cornouaill\xc3\xa9,O=Stormshield,CN=SNS").product == "Stormshield SNS");
  // A service's certificate is not software; nor an organisation that only starts like a vendor.
  CHECK_FALSE(identify_software("tls.server.subject", "CN=www.ch-quimper.example"));
  CHECK_FALSE(identify_software("tls.server.subject", "CN=intranet,O=Ciscovery"));
  CHECK_FALSE(identify_software("tls.server.issuer", "C=US,O=Let's Encrypt,CN=R11"));
}

TEST_CASE("packages: Debian's epoch:upstream-revision, the revision the distribution's build") {
  auto s = sw("package", "openssh-server 1:9.2p1-2+deb12u3");
  CHECK(s.product == "OpenSSH");
  CHECK(s.version == "9.2p1");
  CHECK(s.distro == "Debian-2+deb12u3");
  CHECK(s.scheme == VersionScheme::openssh);
  CHECK(sw("package", "openssh-client 1:8.9p1-3ubuntu0.10").distro == "Ubuntu-3ubuntu0.10");
  CHECK(sw("package", "openssh-server 7.4p1-22.el7_9").distro == "RHEL-22.el7_9");
  s = sw("package", "apache2 2.4.62-1~deb12u2");
  CHECK(s.product == "Apache HTTP Server");
  CHECK(s.version == "2.4.62");
  CHECK(s.distro == "Debian-1~deb12u2");
  s = sw("package", "curl 7.88.1-10+deb12u8");
  CHECK(s.product == "curl");
  CHECK(s.version == "7.88.1");
  s = sw("package", "openssh-server 1:9.2p1");  // no revision: no build to speak of
  CHECK(s.version == "9.2p1");
  CHECK(s.distro.empty());
  CHECK(sw("package", "nginx").version.empty());
  CHECK_FALSE(identify_software("package", "open ssh"));  // no version there
  CHECK_FALSE(identify_software("package", "<b>x</b> 1.0"));
}

TEST_CASE("nothing readable: empty, control bytes, oversized, non-ASCII, an unknown field") {
  CHECK_FALSE(identify_software("ssh.server.version", ""));
  CHECK_FALSE(identify_software("ssh.server.version", "   "));
  CHECK_FALSE(identify_software("ssh.server.version", "SSH-2.0-Open\x01SSH_8.4"));
  CHECK_FALSE(identify_software("ssh.server.version", std::string("SSH-2.0-OpenSSH_8.4\0p1", 22)));
  CHECK_FALSE(identify_software("ssh.server.version", "SSH-2.0-OpenSSH_8.4p1\r\n"));
  CHECK_FALSE(identify_software("ssh.server.version", "HTTP/1.1 200 OK"));
  CHECK_FALSE(identify_software("ssh.server.version", "SSH-2.0-"));
  CHECK_FALSE(identify_software("ssh.server.version", "SSH-x.y-OpenSSH_8.4"));
  CHECK_FALSE(identify_software("ssh.server.version", "SSH-2.0-\xff\xfe_1.0"));
  CHECK_FALSE(identify_software("http.response.server", "ng\tinx/1.0"));
  CHECK_FALSE(identify_software("http.response.server", "caf\xc3\xa9/1.0"));
  CHECK_FALSE(identify_software("http.response.server", "<script>/1.0"));
  CHECK_FALSE(identify_software("http.response.server", "/1.0"));
  CHECK_FALSE(identify_software("http.response.server", "1.0"));  // no letter: no name
  CHECK_FALSE(identify_software("tls.server.subject", "CN=FortiGate\x1b[0m"));
  // Bounded: the value at 256 bytes, the product at 64.
  CHECK_FALSE(identify_software("http.response.server", std::string(300, 'a')));
  CHECK(identify_software("http.response.server", std::string(64, 'a')));
  CHECK_FALSE(identify_software("http.response.server", std::string(65, 'a')));
  CHECK_FALSE(identify_software("ssh.server.version", "SSH-2.0-" + std::string(100, 'x') + "_1.0"));
  CHECK_FALSE(identify_software("user.name", "root"));
  CHECK_FALSE(identify_software("", "Apache/2.4.41"));
}

TEST_CASE("version order: OpenSSH patch levels") {
  CHECK(openssh("9.8p1", "9.8p1") == 0);
  CHECK(openssh("9.8", "9.8p0") == 0);
  CHECK(*openssh("9.8", "9.8p1") < 0);
  CHECK(*openssh("9.8p1", "9.8") > 0);
  CHECK(*openssh("9.7p1", "9.8p1") < 0);
  CHECK(*openssh("9.8p1", "9.7p1") > 0);
  CHECK(*openssh("9.8p2", "9.8p1") > 0);
  CHECK(*openssh("10.0p1", "9.9p2") > 0);  // numbers, not text
  CHECK(*openssh("9.2p1", "9.10p1") < 0);
  CHECK_FALSE(openssh("9.8px", "9.8p1"));
  CHECK_FALSE(openssh("9.8p", "9.8p1"));
  CHECK_FALSE(dotted("9.8p1", "9.8"));  // a patch level is OpenSSH's scheme, not dotted
}

TEST_CASE("version order: dotted numbers, missing components, letters, pre-releases") {
  CHECK(dotted("2.4", "2.4.0") == 0);
  CHECK(dotted("2.4.0", "2.4") == 0);
  CHECK(dotted("2.4.41", "2.4.41") == 0);
  CHECK(*dotted("2.4.9", "2.4.10") < 0);
  CHECK(*dotted("2.4.10", "2.4.9") > 0);
  CHECK(*dotted("2.4.60", "2.4.58") > 0);
  CHECK(*dotted("2.4.1", "2.4") > 0);
  CHECK(*dotted("1.0.2k", "1.0.2") > 0);  // OpenSSL's letter releases come after
  CHECK(*dotted("1.0.2", "1.0.2k") < 0);
  CHECK(*dotted("1.0.2k", "1.0.2l") < 0);
  CHECK(*dotted("1.0.2k", "1.0.3") < 0);
  CHECK(*dotted("7.4.3-rc1", "7.4.3") < 0);  // pre-releases come before
  CHECK(*dotted("7.4.3", "7.4.3-beta") > 0);
  CHECK(*dotted("7.4.3beta", "7.4.3") < 0);
  CHECK(*dotted("7.4.3-rc1", "7.4.2") > 0);
  CHECK(*dotted("7.4.3-beta", "7.4.3-rc1") < 0);
  CHECK(*dotted("7.4.3-rc1", "7.4.3-rc2") < 0);
  CHECK(*dotted("7.4.3rc10", "7.4.3rc2") > 0);
  CHECK(dotted("7.4.3-rc1", "7.4.3-rc1") == 0);
  CHECK(dotted("2.4.58-1", "2.4.58") == 0);  // a packaging tail is not a version difference
  CHECK(dotted("1.0.2k-fips", "1.0.2k") == 0);
  CHECK(*dotted("2022.83", "2020.81") > 0);
  CHECK_FALSE(dotted("abc", "1.0"));
  CHECK_FALSE(dotted("1.0", ""));
  CHECK_FALSE(dotted("", ""));
  CHECK_FALSE(dotted("1..2", "1.2"));
  CHECK_FALSE(dotted("99999999999999999999999", "1"));
}

TEST_CASE("CERT-FR's affected-system sentences from the corpus") {
  auto r = range("EDR-G9004 Series versions antérieures à 3.14", "N/A");
  CHECK(r.product == "EDR-G9004 Series");
  CHECK(r.upper == "3.14");
  CHECK_FALSE(r.upper_inclusive);
  CHECK(r.lower.empty());
  CHECK(r.branch.empty());
  CHECK_FALSE(r.all_versions);
  CHECK_FALSE(r.needs_patch);
  r = range("EDR-G902 Series sversions antérieures à 3.14", "N/A");  // the corpus's typo
  CHECK(r.product == "EDR-G902 Series");
  CHECK(r.upper == "3.14");
  r = range("EDF-G1002-BP versions antérieures à 3.14", "N/A");
  CHECK(r.product == "EDF-G1002-BP");
  r = range("NAT-102 Series toutes versions", "N/A");
  CHECK(r.product == "NAT-102 Series");
  CHECK(r.all_versions);
  CHECK(r.upper.empty());
  r = range("OnCell G4302-LTE4 Series sans les derniers correctifs de sécurité", "N/A");
  CHECK(r.product == "OnCell G4302-LTE4 Series");
  CHECK(r.needs_patch);
  CHECK(r.upper.empty());
  CHECK(range("TN-4900 Series sans les derniers correctifs de sécurité", "N/A").needs_patch);
  r = range("Sterling External Authentication Server versions 6.1.0.x antérieures à 6.1.0.4 GA", "Sterling");
  CHECK(r.product == "Sterling External Authentication Server");
  CHECK(r.branch == "6.1.0");
  CHECK(r.upper == "6.1.0.4");
  r = range("Sterling Secure Proxy versions 6.1.x antérieures à 6.1.0.3 GA", "Sterling");
  CHECK(r.branch == "6.1");
  CHECK(r.upper == "6.1.0.3");
  r = range("Sterling Transformation Extender versions 10.1.2.1 sans le correctif APAR PH69842", "Sterling");
  CHECK(r.product == "Sterling Transformation Extender");
  CHECK(r.lower == "10.1.2.1");
  CHECK(r.upper == "10.1.2.1");
  CHECK(r.upper_inclusive);
  CHECK(r.needs_patch);
  r = range("AIX versions 7.3.3 sans le correctif de sécurité IJ57128", "AIX");
  CHECK(r.product == "AIX");
  CHECK(r.lower == "7.3.3");
  CHECK(r.upper == "7.3.3");
  CHECK(r.needs_patch);
  r = range("VIOS versions 4.1.0 sans le correctif de sécurité IJ57231", "VIOS");
  CHECK(r.lower == "4.1.0");
  CHECK(r.needs_patch);
  // The patch's name after "sans" holds versions of its own: they are not bounds.
  r = range(
      "Identity Services Engine (ISE) et ISE Passive Identity Connector (ISE-PIC) versions 3.3.x sans le correctif "
      "3.3 Patch 6ise-apply-CSCwo99449_3.3.0.430_patch4-SPA.tar.gz",
      "Identity Services Engine");
  CHECK(r.product == "Identity Services Engine (ISE) et ISE Passive Identity Connector (ISE-PIC)");
  CHECK(r.branch == "3.3");
  CHECK(r.lower.empty());
  CHECK(r.upper.empty());
  CHECK(r.needs_patch);
  // Releases, not ranges.
  CHECK_FALSE(parse_affected("openSUSE Leap 15.5", "openSUSE Leap"));
  CHECK_FALSE(parse_affected("SUSE Linux Enterprise Server 15 SP5", "SUSE Linux Enterprise Server"));
  CHECK_FALSE(parse_affected("SUSE Linux Enterprise Live Patching 15-SP5", "SUSE Linux Enterprise Live Patching"));
  CHECK_FALSE(parse_affected("Ubuntu 22.04 LTS", "Ubuntu"));
  CHECK_FALSE(parse_affected("Ubuntu 25.10", "Ubuntu"));
}

TEST_CASE("CERT-FR's usual wordings: bounds, spans, branches") {
  auto r = range("OpenSSH versions antérieures à 9.8p1");
  CHECK(r.product == "OpenSSH");
  CHECK(r.upper == "9.8p1");
  CHECK_FALSE(r.upper_inclusive);
  CHECK(r.lower.empty());
  r = range("Apache HTTP Server versions antérieures ou égales à 2.4.58");
  CHECK(r.product == "Apache HTTP Server");
  CHECK(r.upper == "2.4.58");
  CHECK(r.upper_inclusive);
  r = range("Apache HTTP Server versions 2.4.x antérieures à 2.4.60");
  CHECK(r.branch == "2.4");
  CHECK(r.upper == "2.4.60");
  r = range("FortiOS versions 7.4.x antérieures à 7.4.3");
  CHECK(r.product == "FortiOS");
  CHECK(r.branch == "7.4");
  CHECK(r.upper == "7.4.3");
  r = range("FortiOS versions 7.2.0 à 7.2.6");
  CHECK(r.lower == "7.2.0");
  CHECK(r.lower_inclusive);
  CHECK(r.upper == "7.2.6");
  CHECK(r.upper_inclusive);
  r = range("OpenSSH versions 8.5p1 à 9.7p1");
  CHECK(r.lower == "8.5p1");
  CHECK(r.upper == "9.7p1");
  CHECK(r.upper_inclusive);
  r = range("FortiOS versions 6.4.x");
  CHECK(r.branch == "6.4");
  CHECK(r.upper.empty());
  CHECK(r.lower.empty());
  r = range("OpenSSH versions postérieures ou égales à 8.5p1 et antérieures à 9.8p1");
  CHECK(r.lower == "8.5p1");
  CHECK(r.lower_inclusive);
  CHECK(r.upper == "9.8p1");
  CHECK_FALSE(r.upper_inclusive);
  r = range("FortiOS versions postérieures à 7.0.3");
  CHECK(r.lower == "7.0.3");
  CHECK_FALSE(r.lower_inclusive);
  r = range("FortiOS versions 7.2 antérieures à 7.2.6");  // a line, then its bound
  CHECK(r.branch == "7.2");
  CHECK(r.upper == "7.2.6");
  r = range("Foo versions 8.0 et antérieures");
  CHECK(r.upper == "8.0");
  CHECK(r.upper_inclusive);
  // "toutes les versions antérieures à": the bound says which, not every version.
  r = range("Foo toutes les versions antérieures à 3.2");
  CHECK_FALSE(r.all_versions);
  CHECK(r.upper == "3.2");
  // Cisco's patch levels: any 3.3 before its 7th patch (advisory_test's ISE document).
  r = range("ISE versions 3.3 antérieures à 3.3 Patch 7", "Identity Services Engine");
  CHECK(r.product == "ISE");
  CHECK(r.branch == "3.3");
  CHECK(r.needs_patch);
  CHECK(r.upper == "3.4");
  CHECK_FALSE(r.upper_inclusive);
  // Several lines: one span over them.
  r = range("FortiOS versions 7.0.x, 7.2.x et 7.4.x antérieures à 7.4.3");
  CHECK(r.branch.empty());
  CHECK(r.lower == "7.0");
  CHECK(r.upper == "7.4.3");
  // No-break spaces, French typography's, and a final full stop.
  r = range(
      "OpenSSH versions\xc2\xa0"
      "antérieures à\xc2\xa0"
      "9.8p1.");
  CHECK(r.upper == "9.8p1");
  CHECK(range("nginx versions 1.25.x antérieures à 1.25.4 (CVE-2024-1234)").upper == "1.25.4");
}

TEST_CASE("CVE texts' English, and the feed's product when the text has none") {
  auto r = range("OpenSSH before 9.8p1");
  CHECK(r.product == "OpenSSH");
  CHECK(r.upper == "9.8p1");
  CHECK_FALSE(r.upper_inclusive);
  r = range("prior to 2.4.60", "Apache HTTP Server");
  CHECK(r.product == "Apache HTTP Server");
  CHECK(r.upper == "2.4.60");
  CHECK_FALSE(r.upper_inclusive);
  r = range("through 2.4.58", "Apache HTTP Server");
  CHECK(r.upper == "2.4.58");
  CHECK(r.upper_inclusive);
  r = range("versions 8.5p1 to 9.7p1", "OpenSSH");
  CHECK(r.lower == "8.5p1");
  CHECK(r.upper == "9.7p1");
  CHECK(r.upper_inclusive);
  r = range("Apache HTTP Server 2.4.0 through 2.4.58");
  CHECK(r.product == "Apache HTTP Server");
  CHECK(r.lower == "2.4.0");
  CHECK(r.upper == "2.4.58");
  r = range("OpenSSH from 8.5p1 to 9.7p1");
  CHECK(r.lower == "8.5p1");
  CHECK(r.upper == "9.7p1");
  r = range("OpenSSH 9.7p1 and earlier");
  CHECK(r.product == "OpenSSH");
  CHECK(r.upper == "9.7p1");
  CHECK(r.upper_inclusive);
  r = range("OpenSSH versions 9.8p1 and later");
  CHECK(r.lower == "9.8p1");
  CHECK(r.upper.empty());
  CHECK(range("Apache HTTP Server up to and including 2.4.58").upper_inclusive);
  CHECK(range("NAT-102 all versions").all_versions);
  // The text's product wins over the feed's; "N/A" and "" are no product.
  CHECK(range("EDR-810 Series versions antérieures à 3.14", "EDR").product == "EDR-810 Series");
  CHECK(range("versions antérieures à 3.2", "Moxa EDR").product == "Moxa EDR");
  CHECK_FALSE(parse_affected("versions antérieures à 3.2", "N/A"));
  CHECK_FALSE(parse_affected("versions antérieures à 3.2"));
  CHECK_FALSE(parse_affected(""));
  CHECK_FALSE(parse_affected("", "OpenSSH"));
  CHECK_FALSE(parse_affected("Windows Server 2019 pour systèmes 64 bits"));
  CHECK_FALSE(parse_affected("Multiples vulnérabilités dans OpenSSH"));
}

TEST_CASE("verdicts: bounds at their exact value, either side") {
  const char* before = "OpenSSH versions antérieures à 9.8p1";
  CHECK(exposure("ssh.server.version", "SSH-2.0-OpenSSH_8.4p1", before) == Exposure::affected);
  CHECK(exposure("ssh.server.version", "SSH-2.0-OpenSSH_9.8", before) == Exposure::affected);  // 9.8p0
  CHECK(exposure("ssh.server.version", "SSH-2.0-OpenSSH_9.8p1", before) == Exposure::not_affected);
  CHECK(exposure("ssh.server.version", "SSH-2.0-OpenSSH_9.9p1", before) == Exposure::not_affected);
  const char* up_to = "Apache HTTP Server versions antérieures ou égales à 2.4.58";
  CHECK(exposure("http.response.server", "Apache/2.4.58", up_to) == Exposure::affected);
  CHECK(exposure("http.response.server", "Apache/2.4.59", up_to) == Exposure::not_affected);
  const char* below = "Apache HTTP Server versions antérieures à 2.4.60";
  CHECK(exposure("http.response.server", "Apache/2.4.59", below) == Exposure::affected);
  CHECK(exposure("http.response.server", "Apache/2.4.60", below) == Exposure::not_affected);
  const char* span = "OpenSSH versions 8.5p1 à 9.7p1";
  CHECK(exposure("ssh.server.version", "SSH-2.0-OpenSSH_8.5p1", span) == Exposure::affected);
  CHECK(exposure("ssh.server.version", "SSH-2.0-OpenSSH_9.7p1", span) == Exposure::affected);
  CHECK(exposure("ssh.server.version", "SSH-2.0-OpenSSH_8.4p1", span) == Exposure::not_affected);
  CHECK(exposure("ssh.server.version", "SSH-2.0-OpenSSH_9.8p1", span) == Exposure::not_affected);
  const char* after = "FortiOS versions postérieures à 7.0.3";
  CHECK(exposure("package", "fortios 7.0.3", after) == Exposure::not_affected);
  CHECK(exposure("package", "fortios 7.0.4", after) == Exposure::affected);
  const char* both = "OpenSSH versions postérieures ou égales à 8.5p1 et antérieures à 9.8p1";
  CHECK(exposure("ssh.server.version", "SSH-2.0-OpenSSH_8.5p1", both) == Exposure::affected);
  CHECK(exposure("ssh.server.version", "SSH-2.0-OpenSSH_8.4p1", both) == Exposure::not_affected);
  CHECK(exposure("ssh.server.version", "SSH-2.0-OpenSSH_9.8p1", both) == Exposure::not_affected);
}

TEST_CASE("verdicts: a branch restricts the range to itself") {
  const char* branch = "nginx versions 1.25.x antérieures à 1.25.4";
  CHECK(exposure("http.response.server", "nginx/1.25.3", branch) == Exposure::affected);
  CHECK(exposure("http.response.server", "nginx/1.25", branch) == Exposure::affected);  // 1.25.0
  CHECK(exposure("http.response.server", "nginx/1.25.4", branch) == Exposure::not_affected);
  CHECK(exposure("http.response.server", "nginx/1.24.0", branch) == Exposure::not_affected);  // below, other line
  CHECK(exposure("http.response.server", "nginx/1.26.1", branch) == Exposure::not_affected);
  CHECK(exposure("http.response.server", "nginx/1.26.0-rc1", branch) == Exposure::not_affected);
  const char* line = "FortiOS versions 6.4.x";
  CHECK(exposure("package", "fortios 6.4.15", line) == Exposure::affected);
  CHECK(exposure("package", "fortios 6.40.1", line) == Exposure::not_affected);  // numbers, not prefixes
  CHECK(exposure("package", "fortios 7.0.1", line) == Exposure::not_affected);
  CHECK(exposure("package", "openssl 1.0.2k", "OpenSSL versions 1.0.2.x") == Exposure::affected);
}

TEST_CASE("verdicts: undetermined when a banner cannot tell, with its reason") {
  // Debian's 9.2p1 is upstream-vulnerable to CVE-2024-6387 but carries the fix: never called
  // either way. Out of range, a distribution's build is simply not affected.
  const char* before = "OpenSSH versions antérieures à 9.8p1";
  auto v = verdict("ssh.server.version", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", before);
  CHECK(v.exposure == Exposure::undetermined);
  CHECK(v.reason == "paquet Debian : correctifs rétroportés possibles");
  v = verdict("package", "openssh-server 1:8.9p1-3ubuntu0.10", before);
  CHECK(v.exposure == Exposure::undetermined);
  CHECK(v.reason == "paquet Ubuntu : correctifs rétroportés possibles");
  CHECK(verdict("http.response.server", "Apache/2.4.41 (Ubuntu)", "Apache HTTP Server versions antérieures à 2.4.60")
            .reason == "paquet Ubuntu : correctifs rétroportés possibles");
  CHECK(exposure("ssh.server.version", "SSH-2.0-OpenSSH_9.9p1 Debian-1", before) == Exposure::not_affected);
  // No version seen.
  v = verdict("http.response.server", "Apache", "Apache HTTP Server versions antérieures à 2.4.60");
  CHECK(v.exposure == Exposure::undetermined);
  CHECK(v.reason == "version non déterminée");
  v = verdict("tls.server.subject", "O=Fortinet,CN=FortiGate", "FortiOS versions 7.2.x antérieures à 7.2.11");
  CHECK(v.exposure == Exposure::undetermined);
  CHECK(v.reason == "version non déterminée");
  // A version that does not parse in the product's scheme, on either side.
  CHECK(exposure("ssh.server.version", "SSH-2.0-OpenSSH_8.4px", before) == Exposure::undetermined);
  CHECK(exposure("http.response.server", "nginx/1.25.3", "nginx versions antérieures à 1.x.y") ==
        Exposure::undetermined);
  // A fix a banner cannot show.
  v = verdict("package", "openssh-server 1:9.2p1", "OpenSSH versions 9.2p1 sans le correctif X");
  CHECK(v.exposure == Exposure::undetermined);
  CHECK(v.reason == "correctif non visible dans la bannière");
  CHECK(exposure("package", "openssh-server 1:9.3p1", "OpenSSH versions 9.2p1 sans le correctif X") ==
        Exposure::not_affected);
  v = verdict("package", "ise 3.3.0.430", "ISE versions 3.3 antérieures à 3.3 Patch 7");
  CHECK(v.exposure == Exposure::undetermined);
  CHECK(v.reason == "correctif non visible dans la bannière");
  CHECK(exposure("package", "ise 3.4.0.608", "ISE versions 3.3 antérieures à 3.3 Patch 7") == Exposure::not_affected);
  v = verdict("http.response.server", "Foo/1.0", "Foo sans les derniers correctifs de sécurité");
  CHECK(v.reason == "correctif non visible dans la bannière");
  // Every version: affected, whatever the banner shows or the distribution did.
  CHECK(exposure("http.response.server", "Foo", "Foo toutes versions") == Exposure::affected);
  CHECK(exposure("package", "foo 1.0-1+deb12u1", "Foo toutes versions") == Exposure::affected);
}

TEST_CASE("product names: case, punctuation and aliases; a mismatch says nothing more") {
  CHECK(same_product("OpenSSH", "openssh"));
  CHECK(same_product("openssh-server", "OpenSSH"));
  CHECK(same_product("openssh-client", "OpenSSH"));
  CHECK(same_product("Apache", "Apache HTTP Server"));
  CHECK(same_product("Apache httpd", "Apache HTTP Server"));
  CHECK(same_product("Microsoft-IIS", "IIS"));
  CHECK(same_product("Microsoft IIS", "Microsoft-IIS"));
  CHECK(same_product("Fortinet FortiGate", "FortiOS"));
  CHECK(same_product("FortiGate", "Fortinet FortiOS"));
  CHECK(same_product("Palo Alto PAN-OS", "PAN-OS"));
  CHECK_FALSE(same_product("OpenSSH", "OpenSSL"));
  CHECK_FALSE(same_product("Apache Tomcat", "Apache HTTP Server"));
  CHECK_FALSE(same_product("nginx", "NGINX Plus"));
  CHECK_FALSE(same_product("", ""));
  // Through match_exposure: a certificate's FortiGate is FortiOS's; another product's range is
  // not_affected with no reason, even with no version to compare.
  CHECK(exposure("tls.server.subject", "CN=FortiGate,O=Fortinet", "Fortinet FortiOS toutes versions") ==
        Exposure::affected);
  auto v = verdict("tls.server.subject", "O=Fortinet,CN=FortiGate", "NAT-102 Series toutes versions");
  CHECK(v.exposure == Exposure::not_affected);
  CHECK(v.reason.empty());
  v = verdict("ssh.server.version", "SSH-2.0-dropbear_2022.83", "OpenSSH versions antérieures à 9.8p1");
  CHECK(v.exposure == Exposure::not_affected);
  CHECK(v.reason.empty());
  CHECK(exposure("package", "apache2 2.4.59-1", "Apache httpd versions antérieures à 2.4.60") ==
        Exposure::undetermined);  // a Debian build
  CHECK(exposure("http.response.server", "Microsoft-IIS/10.0", "IIS versions antérieures à 10.0") ==
        Exposure::not_affected);
}
