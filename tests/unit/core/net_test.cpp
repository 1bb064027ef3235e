#include "core/net.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>

#include <string>

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

TEST_CASE("IPv4 text is read exactly as inet_pton reads it") {
  // The dotted-quad fast path must agree with inet_pton(AF_INET) on every shape, valid or not.
  const char* cases[] = {"0.0.0.0",   "255.255.255.255", "1.2.3.4",   "10.0.0.01",       "01.2.3.4",
                         "1.2.3",     "1.2.3.4.",        ".1.2.3.4",  "1..2.3",          "256.1.1.1",
                         "1.2.3.256", "1.2.3.4 ",        " 1.2.3.4",  "1.2.3.4a",        "1234.1.1.1",
                         "0.0.0.00",  "1.2.3.-4",        "1.2.3.4.5", "999.999.999.999", "1",
                         "1.2.3.0",   "100.200.250.199", "0x1.2.3.4", "1.2.3.4/8"};
  for (const char* c : cases) {
    in_addr a{};
    const bool want = inet_pton(AF_INET, c, &a) == 1;
    const auto got = IpAddress::parse(c);
    INFO(c);
    CHECK(got.has_value() == want);
    if (got && want) {
      CHECK(got->v4);
      CHECK(got->to_string() == std::string(c));
    }
  }
}
