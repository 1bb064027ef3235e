#include <doctest/doctest.h>

#include <string>

#include "ingest/pcap/ssh.hpp"

using namespace vigie::dissect;

TEST_CASE("ssh: banner with comments (RFC 4253 §4.2 example shape)") {
  SshBanner b;
  REQUIRE(parse_ssh_banner("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n\0\0\0\x14", b) == Result::ok);
  CHECK(b.line == "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3");
  CHECK(b.proto == "2.0");
  CHECK(b.software == "OpenSSH_9.2p1");
  CHECK(b.comments == "Debian-2+deb12u3");
  CHECK(b.end == 40);
}

TEST_CASE("ssh: bare LF, lines before the banner, 1.99") {
  SshBanner b;
  REQUIRE(parse_ssh_banner("hello there\r\nsecond line\nSSH-1.99-Cisco-1.25\n", b) == Result::ok);
  CHECK(b.proto == "1.99");
  CHECK(b.software == "Cisco-1.25");
  CHECK(b.comments.empty());
  CHECK(b.lines_skipped == 2);
}

TEST_CASE("ssh: every prefix is need_more") {
  const std::string full = "pre\r\nSSH-2.0-OpenSSH_7.4\r\n";
  SshBanner b;
  for (std::size_t n = 0; n < full.size(); ++n) {
    INFO("prefix " << n);
    CHECK(parse_ssh_banner(std::string_view(full).substr(0, n), b) == Result::need_more);
  }
  CHECK(parse_ssh_banner(full, b) == Result::ok);
  CHECK(b.software == "OpenSSH_7.4");
}

TEST_CASE("ssh: refusals") {
  SshBanner b;
  CHECK(parse_ssh_banner(std::string_view("\x16\x03\x01\x02\x00", 5), b) == Result::not_this);
  CHECK(parse_ssh_banner("SSH-2.0\r\n", b) == Result::malformed);
  CHECK(parse_ssh_banner("SSH--x\r\n", b) == Result::malformed);
  CHECK(parse_ssh_banner("SSH-2.0-\r\n", b) == Result::malformed);
  CHECK(parse_ssh_banner(std::string_view("SSH-2.0-a\x01\r\n", 12), b) == Result::malformed);
  CHECK(parse_ssh_banner("SSH-2.0-" + std::string(300, 'a'), b) == Result::malformed);
  std::string many;
  for (int i = 0; i < 20; ++i) many += "line\r\n";
  CHECK(parse_ssh_banner(many + "SSH-2.0-x\r\n", b) == Result::not_this);
  CHECK(parse_ssh_banner(std::string(9000, 'a'), b) == Result::not_this);
}
