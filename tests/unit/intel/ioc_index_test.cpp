#include "intel/ioc_index.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace vigie::intel;

namespace {

Indicator ind(IocType t, std::string v, std::string feed = "certfr") {
  return Indicator{t, std::move(v), std::move(feed), ""};
}

}  // namespace

TEST_CASE("normalise: canonical addresses, domains lower-cased without trailing dot, hashes lower-cased") {
  CHECK(IocIndex::normalise(IocType::ip, "192.0.2.1") == "192.0.2.1");
  CHECK(IocIndex::normalise(IocType::ip, "2001:DB8:0:0:0:0:0:1") == "2001:db8::1");
  CHECK(IocIndex::normalise(IocType::ip, "2001:db8::1") == "2001:db8::1");
  CHECK_FALSE(IocIndex::normalise(IocType::ip, "not-an-ip").has_value());
  CHECK_FALSE(IocIndex::normalise(IocType::ip, "256.0.0.1").has_value());
  CHECK(IocIndex::normalise(IocType::domain, "Evil.Example.") == "evil.example");
  CHECK(IocIndex::normalise(IocType::md5, "D41D8CD98F00B204E9800998ECF8427E") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK_FALSE(IocIndex::normalise(IocType::md5, "xyz").has_value());
  CHECK_FALSE(IocIndex::normalise(IocType::sha256, "D41D8CD98F00B204E9800998ECF8427E").has_value());
}

TEST_CASE("lookups normalise both sides; domains match their parents, not their children") {
  IocIndex idx({ind(IocType::ip, "2001:DB8::0:1"), ind(IocType::domain, "Evil.Example."),
                ind(IocType::sha1, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"),
                ind(IocType::ip, "198.51.100.7", "first"), ind(IocType::ip, "198.51.100.7", "second")});
  CHECK(idx.size() == 4);  // the repeat keeps its first indicator
  CHECK(idx.rejected() == 0);
  const Indicator* ip6 = idx.find(IocType::ip, "2001:db8:0:0:0:0:0:1");
  REQUIRE(ip6 != nullptr);
  CHECK(ip6->value == "2001:DB8::0:1");
  REQUIRE(idx.find(IocType::ip, "198.51.100.7") != nullptr);
  CHECK(idx.find(IocType::ip, "198.51.100.7")->feed == "first");
  CHECK(idx.find(IocType::domain, "evil.example") != nullptr);
  CHECK(idx.find(IocType::domain, "A.B.EVIL.example.") != nullptr);
  CHECK(idx.find(IocType::domain, "example") == nullptr);
  CHECK(idx.find(IocType::domain, "notevil.example") == nullptr);
  CHECK(idx.find(IocType::sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709") != nullptr);
  CHECK(idx.find(IocType::ip, "evil.example") == nullptr);  // types do not mix
}

TEST_CASE("invalid indicators are rejected and counted; an empty index finds nothing") {
  IocIndex idx({ind(IocType::ip, "999.1.1.1"), ind(IocType::md5, "short"), ind(IocType::ip, "10.0.0.1")});
  CHECK(idx.size() == 1);
  CHECK(idx.rejected() == 2);
  IocIndex empty;
  CHECK(empty.size() == 0);
  CHECK(empty.find(IocType::ip, "10.0.0.1") == nullptr);
  CHECK(empty.find(IocType::domain, "a.example") == nullptr);
}
