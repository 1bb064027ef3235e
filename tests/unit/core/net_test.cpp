#include "core/net.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>

#include <array>
#include <cstring>
#include <optional>
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

namespace {

// inet_pton(AF_INET6)'s verdict and bytes on `text`, the reference IpAddress::parse follows.
std::optional<std::array<uint8_t, 16>> glibc_six(const std::string& text) {
  in6_addr a{};
  if (inet_pton(AF_INET6, text.c_str(), &a) != 1) return std::nullopt;
  std::array<uint8_t, 16> out{};
  std::memcpy(out.data(), &a, 16);
  return out;
}

void check_like_glibc(const std::string& text) {
  INFO(text);
  const auto want = glibc_six(text);
  const auto got = IpAddress::parse(text);
  if (text.find(':') == std::string::npos) return;  // dotted quads: the test above
  REQUIRE(got.has_value() == want.has_value());
  if (got) CHECK(got->bytes == *want);
}

}  // namespace

TEST_CASE("IPv6 text is read exactly as inet_pton reads it") {
  const char* cases[] = {"::",
                         "::1",
                         "1::",
                         ":::",
                         ":",
                         "1:",
                         ":1",
                         "1:2:3:4:5:6:7:8",
                         "1:2:3:4:5:6:7:8:9",
                         "1:2:3:4:5:6:7",
                         "1:2:3:4:5:6:7::",
                         "::2:3:4:5:6:7:8",
                         "1:2:3:4:5:6:7:8::",
                         "::1:2:3:4:5:6:7:8",
                         "1::2::3",
                         "1:::2",
                         "2001:db8::ff00:42:8329",
                         "2001:DB8::FF00:42:8329",
                         "2001:0db8:0000:0000:0000:ff00:0042:8329",
                         "2001:00db8::1",
                         "12345::",
                         "g::1",
                         "::ffff:1.2.3.4",
                         "::ffff:1.2.3.04",
                         "::ffff:1.2.3",
                         "::ffff:1.2.3.4.5",
                         "::1.2.3.4",
                         "1:2:3:4:5:6:1.2.3.4",
                         "1:2:3:4:5:6:7:1.2.3.4",
                         "1:2:3:4:5::1.2.3.4",
                         "1.2.3.4::",
                         "::1.2.3.4:1",
                         "fe80::1%eth0",
                         "::ffff:256.1.1.1",
                         "1:2:3:4:5:6:7:8 ",
                         " ::1",
                         "::a:b:c:d:e:f:0",
                         "a:b:c:d:e:f:0::",
                         "0:0:0:0:0:0:0:0"};
  for (const char* c : cases) check_like_glibc(c);
  CHECK(IpAddress::parse("[2001:db8::1]")->to_string() == "2001:db8::1");
  CHECK(IpAddress::parse("::ffff:10.1.2.3")->v4);
  CHECK_FALSE(IpAddress::parse("2001:db8::1")->v4);
}

TEST_CASE("IPv6 parser agrees with inet_pton on random and printed addresses") {
  // Random strings over the bytes IPv6 text is made of, and glibc's own printing of random
  // addresses with runs of zero groups (so "::" lands everywhere), each compared byte for byte.
  uint64_t state = 0x9e3779b97f4a7c15ULL;
  auto next = [&state] {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    return state;
  };
  const std::string alphabet = "0123456789abcdefABCDEF::::...";
  for (int t = 0; t < 200000; ++t) {
    std::string s(next() % 24, ' ');
    for (char& c : s) c = alphabet[next() % alphabet.size()];
    check_like_glibc(s);
  }
  char buf[INET6_ADDRSTRLEN];
  for (int t = 0; t < 50000; ++t) {
    in6_addr a{};
    for (int g = 0; g < 8; ++g) {
      const uint64_t r = next();
      const auto v = static_cast<uint16_t>(r % 3 == 0 ? 0 : r >> 16);
      a.s6_addr[2 * g] = static_cast<uint8_t>(v >> 8);
      a.s6_addr[2 * g + 1] = static_cast<uint8_t>(v);
    }
    check_like_glibc(inet_ntop(AF_INET6, &a, buf, sizeof buf));
  }
}
