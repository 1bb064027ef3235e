#include "core/net.hpp"

#include <doctest/doctest.h>

using namespace vigie::core;

TEST_CASE("CIDR containment for IPv4 and IPv6") {
  auto net = Cidr::parse("10.29.0.0/16");
  REQUIRE(net);
  CHECK(net->contains(*IpAddress::parse("10.29.4.1")));
  CHECK_FALSE(net->contains(*IpAddress::parse("10.30.0.1")));
  CHECK_FALSE(net->contains(*IpAddress::parse("::1")));
  auto v6 = Cidr::parse("2001:db8::/32");
  REQUIRE(v6);
  CHECK(v6->contains(*IpAddress::parse("2001:db8:1::5")));
  CHECK_FALSE(v6->contains(*IpAddress::parse("2001:db9::5")));
  CHECK(Cidr::parse("0.0.0.0/0")->contains(*IpAddress::parse("8.8.8.8")));
  CHECK(Cidr::parse("10.1.2.3")->prefix == 32);
}

TEST_CASE("malformed addresses and prefixes are refused") {
  CHECK_FALSE(IpAddress::parse("300.1.1.1"));
  CHECK_FALSE(IpAddress::parse(""));
  CHECK_FALSE(Cidr::parse("10.0.0.0/33"));
  CHECK_FALSE(Cidr::parse("10.0.0.0/x"));
  CHECK(IpAddress::parse("::ffff:10.0.0.1")->v4);
  CHECK(IpAddress::parse("10.0.0.1")->to_string() == "10.0.0.1");
}
