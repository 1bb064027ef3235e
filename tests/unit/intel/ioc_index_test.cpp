#include "intel/ioc_index.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

using namespace vigie;
using namespace vigie::intel;

namespace {

Indicator ind(IocType t, std::string v, std::string feed = "certfr") {
  Indicator i;
  i.type = t, i.value = std::move(v), i.feed = std::move(feed);
  return i;
}

std::size_t total(const IndexStats& s) {
  return s.indexed + s.invalid + s.expired + s.too_broad + s.private_range + s.public_suffix + s.allowlisted +
         s.duplicates + s.over_cap;
}

// The feed name of what find() returns, "-" for nothing.
std::string feed_of(const Indicator* i) { return i == nullptr ? "-" : i->feed; }

}  // namespace

TEST_CASE("normalise: canonical addresses, host bits cleared, IPv4-mapped IPv6 is the IPv4") {
  CHECK(IocIndex::normalise(IocType::ip, "192.0.2.1") == "192.0.2.1");
  CHECK(IocIndex::normalise(IocType::ip, "2001:DB8:0:0:0:0:0:1") == "2001:db8::1");
  CHECK(IocIndex::normalise(IocType::ip, "[2001:db8::1]") == "2001:db8::1");
  CHECK(IocIndex::normalise(IocType::ip, "::ffff:198.51.100.7") == "198.51.100.7");
  CHECK(IocIndex::normalise(IocType::ip, "10.1.2.3/8") == "10.0.0.0/8");
  CHECK(IocIndex::normalise(IocType::ip, "198.51.100.77/24") == "198.51.100.0/24");
  CHECK(IocIndex::normalise(IocType::ip, "198.51.100.7/32") == "198.51.100.7");
  CHECK(IocIndex::normalise(IocType::ip, "2001:db8:aaaa::1/32") == "2001:db8::/32");
  CHECK(IocIndex::normalise(IocType::ip, "::ffff:198.51.100.7/120") == "198.51.100.0/24");  // /120 of 128 = /24
  CHECK(IocIndex::normalise(IocType::ip, "0.0.0.0/0") == "0.0.0.0/0");  // valid, refused later (too broad)
  for (const char* bad : {"", "not-an-ip", "256.0.0.1", "1.2.3", "01.2.3.4", "1.2.3.4/33", "1.2.3.4/", "1.2.3.4/-1",
                          "1.2.3.4/+8", "2001:db8::/129", "1.2.3.4/8/8", "fe80::1%eth0"})
    CHECK_MESSAGE(!IocIndex::normalise(IocType::ip, bad).has_value(), bad);
}

TEST_CASE("normalise: domains, hashes, e-mails") {
  CHECK(IocIndex::normalise(IocType::domain, "Evil.Example.") == "evil.example");
  CHECK(IocIndex::normalise(IocType::domain, "xn--bcher-kva.example") == "xn--bcher-kva.example");  // IDN as is
  CHECK(IocIndex::normalise(IocType::domain, "_dmarc.evil-1.example") == "_dmarc.evil-1.example");
  for (const char* bad : {"", ".", "a..b", ".evil.example", "evil example", "évil.example", "1.2.3.4",
                          "evil.example:80", "evil.example/x"})
    CHECK_MESSAGE(!IocIndex::normalise(IocType::domain, bad).has_value(), bad);
  CHECK_FALSE(IocIndex::normalise(IocType::domain, std::string(64, 'a') + ".example").has_value());  // label > 63
  CHECK(IocIndex::normalise(IocType::domain, std::string(63, 'a') + ".example").has_value());
  CHECK_FALSE(IocIndex::normalise(IocType::domain, std::string(250, 'a').insert(100, ".") + ".ex").has_value());

  CHECK(IocIndex::normalise(IocType::md5, "D41D8CD98F00B204E9800998ECF8427E") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(IocIndex::normalise(IocType::sha1, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709") ==
        "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  CHECK(IocIndex::normalise(IocType::sha256, std::string(64, 'F')) == std::string(64, 'f'));
  CHECK_FALSE(IocIndex::normalise(IocType::md5, "xyz").has_value());
  CHECK_FALSE(IocIndex::normalise(IocType::md5, std::string(31, 'a') + "g").has_value());
  CHECK_FALSE(IocIndex::normalise(IocType::sha256, "D41D8CD98F00B204E9800998ECF8427E").has_value());
  CHECK_FALSE(IocIndex::normalise(IocType::sha1, "D41D8CD98F00B204E9800998ECF8427E").has_value());

  CHECK(IocIndex::normalise(IocType::email, "Phish.Er@Evil.Example.") == "phish.er@evil.example");
  for (const char* bad :
       {"", "@evil.example", "a@", "a@b@evil.example", "no-at.example", "a b@evil.example", "a@evil..example"})
    CHECK_MESSAGE(!IocIndex::normalise(IocType::email, bad).has_value(), bad);
  CHECK_FALSE(IocIndex::normalise(IocType::email, std::string(65, 'a') + "@evil.example").has_value());
}

TEST_CASE("normalise: URLs — scheme and host lower-cased, default port, fragment and empty path") {
  CHECK(IocIndex::normalise(IocType::url, "HTTP://Evil.Example/Path?Q=1#frag") == "http://evil.example/Path?Q=1");
  CHECK(IocIndex::normalise(IocType::url, "http://evil.example:80/a") == "http://evil.example/a");
  CHECK(IocIndex::normalise(IocType::url, "https://evil.example:443") == "https://evil.example/");
  CHECK(IocIndex::normalise(IocType::url, "http://evil.example:443/") == "http://evil.example:443/");
  CHECK(IocIndex::normalise(IocType::url, "https://evil.example:8443/x") == "https://evil.example:8443/x");
  CHECK(IocIndex::normalise(IocType::url, "http://evil.example:/x") == "http://evil.example/x");
  CHECK(IocIndex::normalise(IocType::url, "http://evil.example?x=1") == "http://evil.example/?x=1");
  CHECK(IocIndex::normalise(IocType::url, "http://evil.example.#top") == "http://evil.example/");
  CHECK(IocIndex::normalise(IocType::url, "http://User:PW@Evil.Example/") == "http://User:PW@evil.example/");
  CHECK(IocIndex::normalise(IocType::url, "http://198.51.100.7:8080/x") == "http://198.51.100.7:8080/x");
  CHECK(IocIndex::normalise(IocType::url, "http://[2001:DB8::1]:80/") == "http://[2001:db8::1]/");
  CHECK(IocIndex::normalise(IocType::url, "ftp://Evil.Example/%41") == "ftp://evil.example/%41");
  for (const char* bad : {"", "evil.example/x", "://evil.example/", "1http://evil.example/", "http:///x",
                          "http://evil example/", "http://evil.example:99999/", "http://evil.example:8o/",
                          "http://[2001:db8::1/", "http://[nothex]/", "http://evil..example/", "file:///etc/passwd"})
    CHECK_MESSAGE(!IocIndex::normalise(IocType::url, bad).has_value(), bad);
  CHECK_FALSE(IocIndex::normalise(IocType::url, "http://evil.example/" + std::string(4096, 'a')).has_value());
}

TEST_CASE("type names round-trip, e-mail included") {
  for (IocType t :
       {IocType::ip, IocType::domain, IocType::url, IocType::md5, IocType::sha1, IocType::sha256, IocType::email})
    CHECK(ioc_type(ioc_type_name(t)) == t);
  CHECK(ioc_type_name(IocType::email) == "email");
  CHECK_FALSE(ioc_type("hash").has_value());
}

TEST_CASE("lookups normalise both sides; domains match their parents, not their children") {
  IocIndex idx({ind(IocType::ip, "2001:DB8::0:1"), ind(IocType::domain, "Evil.Example."),
                ind(IocType::sha1, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"),
                ind(IocType::ip, "198.51.100.7", "first"), ind(IocType::ip, "198.51.100.7/32", "second")});
  CHECK(idx.size() == 4);  // the repeat (the same host route) keeps its first indicator
  CHECK(idx.stats().duplicates == 1);
  CHECK(idx.stats().indexed == 4);
  CHECK_FALSE(idx.empty());
  const Indicator* ip6 = idx.find(IocType::ip, "2001:db8:0:0:0:0:0:1");
  REQUIRE(ip6 != nullptr);
  CHECK(ip6->value == "2001:DB8::0:1");  // as the feed gave it
  CHECK(feed_of(idx.find(IocType::ip, "198.51.100.7")) == "first");
  CHECK(idx.find(IocType::domain, "evil.example") != nullptr);
  CHECK(idx.find(IocType::domain, "A.B.EVIL.example.") != nullptr);
  CHECK(idx.find(IocType::domain, "example") == nullptr);
  CHECK(idx.find(IocType::domain, "notevil.example") == nullptr);
  CHECK(idx.find(IocType::domain, "evil.example.other") == nullptr);
  CHECK(idx.find(IocType::sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709") != nullptr);
  CHECK(idx.find(IocType::sha1, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709") != nullptr);
  CHECK(idx.find(IocType::ip, "evil.example") == nullptr);  // types do not mix
  CHECK(idx.find(IocType::md5, "da39a3ee5e6b4b0d3255bfef95601890afd80709") == nullptr);
  CHECK(idx.find(IocType::domain, "") == nullptr);
  CHECK(idx.find(static_cast<IocType>(42), "evil.example") == nullptr);
}

TEST_CASE("the closest listed parent wins") {
  IocIndex idx({ind(IocType::domain, "evil.example", "parent"), ind(IocType::domain, "b.evil.example", "child")});
  CHECK(feed_of(idx.find(IocType::domain, "a.b.evil.example")) == "child");
  CHECK(feed_of(idx.find(IocType::domain, "b.evil.example")) == "child");
  CHECK(feed_of(idx.find(IocType::domain, "c.evil.example")) == "parent");
  CHECK(feed_of(idx.find(IocType::domain, "x.y.z.c.evil.example")) == "parent");
}

TEST_CASE("invalid indicators are counted; an empty index finds nothing") {
  std::vector<Indicator> in = {
      ind(IocType::ip, "999.1.1.1"),   ind(IocType::md5, "short"),     ind(IocType::ip, ""),
      ind(IocType::domain, ""),        ind(IocType::url, "not a url"), ind(IocType::email, "nobody"),
      ind(IocType::ip, "198.51.100.1")};
  in.push_back(ind(static_cast<IocType>(9), "x"));
  IocIndex idx(in);
  CHECK(idx.size() == 1);
  CHECK(idx.stats().invalid == 7);
  CHECK(total(idx.stats()) == in.size());
  IocIndex empty;
  CHECK(empty.empty());
  CHECK(empty.size() == 0);
  CHECK(empty.find(IocType::ip, "10.0.0.1") == nullptr);
  CHECK(empty.find(IocType::domain, "a.example") == nullptr);
  CHECK(empty.find_ip(*core::IpAddress::parse("10.0.0.1")) == nullptr);
  CHECK(empty.memory_bytes() > 0);
  CHECK(IocIndex(std::vector<Indicator>{}).find(IocType::md5, std::string(32, 'a')) == nullptr);
}

TEST_CASE("CIDR ranges: the exact address first, else the longest listed range") {
  IocIndex idx({ind(IocType::ip, "198.51.0.0/16", "/16"), ind(IocType::ip, "198.51.100.0/24", "/24"),
                ind(IocType::ip, "198.51.100.128/25", "/25"), ind(IocType::ip, "198.51.100.200", "host"),
                ind(IocType::ip, "2001:db8::/32", "v6/32"), ind(IocType::ip, "2001:db8:1::/48", "v6/48")});
  CHECK(idx.size() == 6);
  CHECK(feed_of(idx.find(IocType::ip, "198.51.100.200")) == "host");
  CHECK(feed_of(idx.find(IocType::ip, "198.51.100.201")) == "/25");
  CHECK(feed_of(idx.find(IocType::ip, "198.51.100.127")) == "/24");
  CHECK(feed_of(idx.find(IocType::ip, "198.51.7.1")) == "/16");
  CHECK(feed_of(idx.find(IocType::ip, "198.52.0.1")) == "-");
  CHECK(feed_of(idx.find(IocType::ip, "2001:db8:1::5")) == "v6/48");
  CHECK(feed_of(idx.find(IocType::ip, "2001:db8:2::5")) == "v6/32");
  CHECK(feed_of(idx.find(IocType::ip, "2001:db9::1")) == "-");
  // IPv4 ranges do not match IPv6 addresses whose low bytes look alike, nor the reverse.
  CHECK(feed_of(idx.find(IocType::ip, "::c633:64c8")) == "-");  // ::198.51.100.200, IPv4-compatible, not mapped
  // A range as the value: the longest listed range containing it.
  CHECK(feed_of(idx.find(IocType::ip, "198.51.100.192/26")) == "/25");
  CHECK(feed_of(idx.find(IocType::ip, "198.51.0.0/17")) == "/16");
  CHECK(feed_of(idx.find(IocType::ip, "198.0.0.0/8")) == "-");
  CHECK(feed_of(idx.find_ip(*core::IpAddress::parse("198.51.100.130"))) == "/25");
}

TEST_CASE("IPv4-mapped IPv6 addresses are the IPv4 address, on both sides") {
  IocIndex idx({ind(IocType::ip, "::ffff:198.51.100.7", "mapped"), ind(IocType::ip, "203.0.113.0/24", "v4"),
                ind(IocType::ip, "::ffff:192.0.2.0/120", "mapped-range")});
  CHECK(idx.size() == 3);
  CHECK(feed_of(idx.find(IocType::ip, "198.51.100.7")) == "mapped");
  CHECK(feed_of(idx.find(IocType::ip, "::FFFF:203.0.113.9")) == "v4");
  CHECK(feed_of(idx.find(IocType::ip, "::ffff:c633:6407")) == "mapped");  // 198.51.100.7 in hex
  CHECK(feed_of(idx.find(IocType::ip, "192.0.2.99")) == "mapped-range");
  core::IpAddress mapped_by_hand;  // the bytes alone, v4 flag left false
  mapped_by_hand.bytes = core::IpAddress::parse("203.0.113.1")->bytes;
  CHECK(feed_of(idx.find_ip(mapped_by_hand)) == "v4");
}

TEST_CASE("guard: ranges too broad (IPv4 shorter than /8, IPv6 shorter than /16 or spanning IPv4)") {
  IocIndex idx({ind(IocType::ip, "0.0.0.0/0"), ind(IocType::ip, "::/0"), ind(IocType::ip, "4.0.0.0/7"),
                ind(IocType::ip, "2000::/15"), ind(IocType::ip, "::ffff:0:0/96"), ind(IocType::ip, "::ffff:0:0/95"),
                ind(IocType::ip, "fc00::/7"),  // private too, but too broad is judged first
                ind(IocType::ip, "4.0.0.0/8", "ok"), ind(IocType::ip, "2001::/16", "ok6")});
  CHECK(idx.stats().too_broad == 7);
  CHECK(idx.stats().private_range == 0);
  CHECK(idx.size() == 2);
  CHECK(feed_of(idx.find(IocType::ip, "4.5.6.7")) == "ok");
  CHECK(feed_of(idx.find(IocType::ip, "2001:db8::1")) == "ok6");
  CHECK(feed_of(idx.find(IocType::ip, "5.0.0.1")) == "-");
}

TEST_CASE("guard: private, loopback, link-local, multicast, CGNAT... unless allowed") {
  const std::vector<std::string> refused = {
      "10.1.2.3",   "172.16.5.4",  "172.31.255.255",  "192.168.1.1", "127.0.0.1",       "169.254.1.1", "0.1.2.3",
      "224.0.0.1",  "239.255.1.1", "255.255.255.255", "100.64.0.1",  "100.127.255.254", "::1",         "::",
      "fd00::1",    "fc01::1",     "fe80::1",         "ff02::1",     "::ffff:10.0.0.1", "172.0.0.0/8", "192.0.0.0/8",
      "10.0.0.0/8", "fe80::/64",   "fd00::/48"};
  std::vector<Indicator> in;
  for (const auto& v : refused) in.push_back(ind(IocType::ip, v));
  for (const char* v : {"100.128.0.1", "172.32.0.1", "172.15.255.255", "198.51.100.1", "2001:db8::1", "100.63.255.255"})
    in.push_back(ind(IocType::ip, v, "public"));
  IocIndex idx(in);
  CHECK(idx.stats().private_range == refused.size());
  CHECK(idx.size() == 6);
  for (const auto& v : refused) CHECK_MESSAGE(idx.find(IocType::ip, v) == nullptr, v);

  IndexOptions allow;
  allow.allow_ranges = {*core::Cidr::parse("10.0.0.0/8"), *core::Cidr::parse("172.16.0.0/12"),
                        *core::Cidr::parse("fd00::/8")};
  IocIndex lan({ind(IocType::ip, "10.1.2.3", "lan"), ind(IocType::ip, "10.0.0.0/8", "lan8"),
                ind(IocType::ip, "172.20.0.0/16", "lan16"), ind(IocType::ip, "fd12::1", "ula"),
                ind(IocType::ip, "172.0.0.0/8"), ind(IocType::ip, "192.168.1.1"), ind(IocType::ip, "fc00::1")},
               allow);
  CHECK(lan.size() == 4);
  CHECK(lan.stats().private_range == 3);  // 172.0.0.0/8 is wider than the allowed /12
  CHECK(feed_of(lan.find(IocType::ip, "10.1.2.3")) == "lan");
  CHECK(feed_of(lan.find(IocType::ip, "10.9.9.9")) == "lan8");
  CHECK(feed_of(lan.find(IocType::ip, "172.20.1.1")) == "lan16");
}

TEST_CASE("guard: public suffixes and single labels are not domain indicators") {
  IocIndex idx({ind(IocType::domain, "com"), ind(IocType::domain, "CO.UK."), ind(IocType::domain, "github.io"),
                ind(IocType::domain, "localhost"), ind(IocType::domain, "corp"), ind(IocType::domain, "gouv.fr"),
                ind(IocType::domain, "evil.github.io", "gh"), ind(IocType::domain, "evil.co.uk", "uk"),
                ind(IocType::domain, "evil.corp", "corp")});
  CHECK(idx.stats().public_suffix == 6);
  CHECK(idx.size() == 3);
  CHECK(idx.find(IocType::domain, "www.example.com") == nullptr);
  CHECK(idx.find(IocType::domain, "pages.github.io") == nullptr);
  CHECK(feed_of(idx.find(IocType::domain, "x.evil.github.io")) == "gh");
  CHECK(feed_of(idx.find(IocType::domain, "evil.co.uk")) == "uk");
  CHECK(feed_of(idx.find(IocType::domain, "dc1.evil.corp")) == "corp");
}

TEST_CASE("guard: the allowlist — ranges, domains and their subdomains, URLs, e-mails, hashes") {
  IndexOptions opt;
  opt.allowlist = {"198.51.100.0/24",      "2001:db8:a::/48",    "ch-quimper.example", "HTTP://Portal.Example:80/login",
                   "rssi@hopital.example", std::string(32, 'A'), "not valid!",         "http://"};
  std::vector<Indicator> in = {
      ind(IocType::ip, "198.51.100.7"),                // inside an allowlisted range
      ind(IocType::ip, "198.51.100.128/25"),           // a range inside it
      ind(IocType::ip, "198.51.0.0/16"),               // a range containing it: would match allowlisted addresses
      ind(IocType::ip, "2001:db8:a:1::1"),             // v6 inside
      ind(IocType::domain, "ch-quimper.example"),      // the name
      ind(IocType::domain, "vpn.CH-Quimper.example"),  // a subdomain
      ind(IocType::url, "https://www.ch-quimper.example/x"),  // a URL on it
      ind(IocType::email, "a@mail.ch-quimper.example"),       // an e-mail at it
      ind(IocType::url, "http://portal.example/login#x"),     // the allowlisted URL, normalised
      ind(IocType::email, "RSSI@Hopital.Example"),            // the allowlisted e-mail
      ind(IocType::md5, std::string(32, 'a')),                // the allowlisted hash
      ind(IocType::url, "http://198.51.100.9/x"),             // URL on an allowlisted address
      // kept:
      ind(IocType::ip, "198.51.101.1", "kept"), ind(IocType::ip, "2001:db8:b::1", "kept"),
      ind(IocType::domain, "quimper.evil.example", "kept"), ind(IocType::domain, "notch-quimper.example", "kept"),
      ind(IocType::url, "http://portal.example/other", "kept"), ind(IocType::email, "x@hopital.example", "kept"),
      ind(IocType::md5, std::string(32, 'b'), "kept")};
  IocIndex idx(in, opt);
  CHECK(idx.stats().allowlisted == 12);
  CHECK(idx.stats().allowlist_invalid == 2);
  CHECK(idx.size() == 7);
  for (const Indicator& i : idx.indicators()) CHECK_MESSAGE(i.feed == "kept", i.value);
  CHECK(idx.find(IocType::ip, "198.51.100.7") == nullptr);
  CHECK(idx.find(IocType::domain, "vpn.ch-quimper.example") == nullptr);

  // A listed parent of an allowlisted domain would match it through the parent walk: dropped.
  IndexOptions sub;
  sub.allowlist = {"ch-quimper.sante.example"};
  IocIndex parent({ind(IocType::domain, "sante.example"), ind(IocType::domain, "other.sante.example", "kept")}, sub);
  CHECK(parent.stats().allowlisted == 1);
  CHECK(parent.find(IocType::domain, "ch-quimper.sante.example") == nullptr);
  CHECK(feed_of(parent.find(IocType::domain, "a.other.sante.example")) == "kept");
}

TEST_CASE("guard: expired indicators are left out (expires != 0 && expires <= now)") {
  IndexOptions opt;
  opt.now = 1'000;
  std::vector<Indicator> in = {
      ind(IocType::domain, "a.evil.example", "past"), ind(IocType::domain, "b.evil.example", "now"),
      ind(IocType::domain, "c.evil.example", "future"), ind(IocType::domain, "d.evil.example", "never")};
  in[0].expires = 999, in[1].expires = 1'000, in[2].expires = 1'001, in[3].expires = 0;
  IocIndex idx(in, opt);
  CHECK(idx.stats().expired == 2);
  CHECK(idx.size() == 2);
  CHECK(idx.find(IocType::domain, "a.evil.example") == nullptr);
  CHECK(idx.find(IocType::domain, "b.evil.example") == nullptr);
  CHECK(feed_of(idx.find(IocType::domain, "c.evil.example")) == "future");
  CHECK(feed_of(idx.find(IocType::domain, "d.evil.example")) == "never");
  CHECK(IocIndex(in).size() == 4);  // now = 0: nothing with a positive expiry is past
}

TEST_CASE("guard: the cap on indexed indicators; duplicates past it still count as duplicates") {
  IndexOptions opt;
  opt.max_indicators = 3;
  IocIndex idx({ind(IocType::md5, std::string(32, '1'), "1"), ind(IocType::md5, std::string(32, '2'), "2"),
                ind(IocType::md5, std::string(32, '3'), "3"), ind(IocType::md5, std::string(32, '4'), "4"),
                ind(IocType::md5, std::string(32, '1'), "dup"), ind(IocType::ip, "198.51.100.1", "5"),
                ind(IocType::ip, "1.1.1.1/4")},
               opt);
  CHECK(idx.size() == 3);
  CHECK(idx.stats().over_cap == 2);
  CHECK(idx.stats().duplicates == 1);
  CHECK(idx.stats().too_broad == 1);  // the other guards come first
  CHECK(total(idx.stats()) == 7);
  CHECK(feed_of(idx.find(IocType::md5, std::string(32, '1'))) == "1");
  CHECK(idx.find(IocType::md5, std::string(32, '4')) == nullptr);
  IndexOptions none;
  none.max_indicators = 0;
  CHECK(IocIndex({ind(IocType::md5, std::string(32, '1'))}, none).stats().over_cap == 1);
}

TEST_CASE("URLs and e-mails match on their normalised form") {
  IocIndex idx({ind(IocType::url, "http://Evil.Example/dl.php?id=1", "url"),
                ind(IocType::url, "https://evil.example", "root"), ind(IocType::email, "Phish@Evil.Example", "mail")});
  CHECK(feed_of(idx.find(IocType::url, "HTTP://evil.example:80/dl.php?id=1#x")) == "url");
  CHECK(feed_of(idx.find(IocType::url, "http://evil.example/dl.php?id=2")) == "-");
  CHECK(feed_of(idx.find(IocType::url, "http://evil.example/DL.php?id=1")) == "-");  // the path keeps its case
  CHECK(feed_of(idx.find(IocType::url, "https://EVIL.example:443/")) == "root");
  CHECK(feed_of(idx.find(IocType::url, "http://evil.example/")) == "-");
  CHECK(feed_of(idx.find(IocType::email, "phish@evil.example.")) == "mail");
  CHECK(feed_of(idx.find(IocType::email, "phish@sub.evil.example")) == "-");  // e-mails match exactly
  CHECK(feed_of(idx.find(IocType::domain, "evil.example")) == "-");
}

TEST_CASE("stats add up; indicators() keeps the feeds' order; memory grows with the index") {
  std::vector<Indicator> in;
  for (int i = 0; i < 200; ++i)
    in.push_back(ind(IocType::domain, "d" + std::to_string(i) + ".evil.example", std::to_string(i)));
  in.push_back(ind(IocType::domain, "d0.evil.example"));
  IocIndex idx(in);
  CHECK(idx.size() == 200);
  CHECK(total(idx.stats()) == in.size());
  CHECK(idx.indicators().front().feed == "0");
  CHECK(idx.indicators().back().feed == "199");
  CHECK(idx.memory_bytes() > IocIndex({in[0]}).memory_bytes() + 200 * sizeof(Indicator));
  for (const Indicator& i : idx.indicators()) CHECK(idx.find(i.type, i.value) == &i);
}

// find() agrees with a scan of what is indexed, with the rules written out plainly.
TEST_CASE("find() agrees with a brute-force scan over random inputs") {
  std::mt19937 rng(20240607);
  auto pick = [&](auto const& v) { return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)]; };
  auto num = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto v4 = [&](int hi) { return "198.51." + std::to_string(num(100, hi)) + "." + std::to_string(num(0, 255)); };
  auto v6 = [&] { return "2001:db8::" + std::to_string(num(0, 1)) + ":" + std::to_string(num(0, 15)); };
  const std::vector<std::string> labels = {"a", "b", "evil", "x1", "mail"}, tlds = {"example", "test"};
  auto domain = [&] {
    std::string d = pick(tlds);
    for (int n = num(1, 3); n > 0; --n) d = pick(labels) + "." + d;
    return d;
  };
  auto md5 = [&] { return std::string(31, 'a') + "0123456789abcdef"[num(0, 15)]; };
  auto url = [&] { return "http://" + pick(labels) + ".example/" + std::to_string(num(0, 9)); };
  auto mixcase = [&](std::string s) {
    for (char& c : s)
      if (c >= 'a' && c <= 'z' && num(0, 1) == 1) c = static_cast<char>(c - 'a' + 'A');
    return s;
  };

  std::vector<Indicator> in;
  for (int i = 0; i < 400; ++i) {
    const std::string feed = std::to_string(i);
    switch (num(0, 4)) {
      case 0:
        in.push_back(
            ind(IocType::ip, v4(101) + "/" + std::to_string(pick(std::vector<int>{20, 24, 28, 30, 32})), feed));
        break;
      case 1:
        in.push_back(
            ind(IocType::ip, v6() + "/" + std::to_string(pick(std::vector<int>{32, 64, 112, 124, 128})), feed));
        break;
      case 2:
        in.push_back(ind(IocType::domain, mixcase(domain()), feed));
        break;
      case 3:
        in.push_back(ind(IocType::md5, mixcase(md5()), feed));
        break;
      default:
        in.push_back(ind(IocType::url, url(), feed));
        break;
    }
  }
  const IocIndex idx(in);
  CHECK(idx.stats().duplicates > 0);
  CHECK(idx.size() + idx.stats().duplicates == in.size());

  auto scan = [&](IocType type, const std::string& q) -> const Indicator* {
    const Indicator* best = nullptr;
    int best_len = -1;
    for (const Indicator& i : idx.indicators()) {
      if (i.type != type) continue;
      const std::string listed = *IocIndex::normalise(type, i.value);
      if (type == IocType::ip) {
        const auto range = core::Cidr::parse(listed);
        const auto addr = core::IpAddress::parse(q);
        if (range && addr && range->contains(*addr) && range->prefix > best_len) best = &i, best_len = range->prefix;
      } else if (type == IocType::domain) {
        const std::string name = *IocIndex::normalise(type, q);
        const bool parent = name.size() > listed.size() && name.ends_with("." + listed);
        if ((name == listed || parent) && static_cast<int>(listed.size()) > best_len)
          best = &i, best_len = static_cast<int>(listed.size());
      } else if (IocIndex::normalise(type, q) == listed) {
        best = &i;
      }
    }
    return best;
  };
  std::size_t hits = 0;
  for (int n = 0; n < 4000; ++n) {
    IocType type;
    std::string q;
    switch (num(0, 4)) {
      case 0:
        type = IocType::ip, q = (num(0, 3) == 0 ? "::ffff:" : "") + v4(120);
        break;
      case 1:
        type = IocType::ip, q = v6();
        break;
      case 2:
        type = IocType::domain, q = mixcase(pick(labels) + "." + domain()) + (num(0, 3) == 0 ? "." : "");
        break;
      case 3:
        type = IocType::md5, q = mixcase(md5());
        break;
      default:
        type = IocType::url, q = mixcase(url());
        break;
    }
    const Indicator* expect = scan(type, q);
    hits += expect != nullptr;
    REQUIRE_MESSAGE(idx.find(type, q) == expect, ioc_type_name(type), " ", q, " expected ", feed_of(expect));
  }
  CHECK(hits > 1000);  // the space is small: plenty of hits...
  CHECK(hits < 3600);  // ...and of misses
}
