// The value syntaxes shared by the loader and `vigie check`.
#include <doctest/doctest.h>

#include "config/syntax.hpp"

namespace vigie::config {

TEST_CASE("parse_listen") {
  auto a = parse_listen("udp://0.0.0.0:514");
  REQUIRE(a.has_value());
  CHECK(a->proto == SyslogInput::Proto::udp);
  CHECK(a->address == "0.0.0.0");
  CHECK(a->port == 514);
  a = parse_listen("tls://[::1]:6514");
  REQUIRE(a.has_value());
  CHECK(a->proto == SyslogInput::Proto::tls);
  CHECK(a->address == "::1");
  CHECK(a->port == 6514);
  a = parse_listen("tls://[fe80::1]");
  REQUIRE(a.has_value());
  CHECK(a->port == 6514);
  a = parse_listen("tcp://127.0.0.1:0");
  REQUIRE(a.has_value());
  CHECK(a->port == 0);
  for (const char* bad :
       {"udp:/0.0.0.0:514", "quic://0.0.0.0:514", "udp://:514", "udp://0.0.0.0:", "udp://0.0.0.0:x", "udp://0.0.0.0:-1",
        "udp://[::1", "udp://[::1]514", "udp://[::1]:", "udp://1:2:3", "udp://999.0.0.1:514", "udp://0.0.0.0:70000"}) {
    CAPTURE(bad);
    auto r = parse_listen(bad);
    CHECK_FALSE(r.has_value());
    if (!r) CHECK(r.error().where.empty());
  }
}

TEST_CASE("parse_size") {
  CHECK(parse_size("480") == 480u);
  CHECK(parse_size("512B") == 512u);
  CHECK(parse_size("64KiB") == 64u * 1024);
  CHECK(parse_size("1MiB") == 1024u * 1024);
  CHECK(parse_size("4GiB") == std::size_t{4} << 30);
  for (const char* bad :
       {"", "KiB", "-1", "1.5MiB", "64kib", "64 KiB", "64KB", "1GB", "99999999999999999999MiB", "99999999999GiB"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_size(bad).has_value());
  }
}

TEST_CASE("e-mail addresses, mailboxes, host names, site ids") {
  for (const char* ok : {"rssi@ch-quimper.example", "root@localhost", "first.last+tag@a-b.c.example"}) {
    CAPTURE(ok);
    CHECK(is_email_address(ok));
  }
  for (const char* bad : {"", "@x.example", "a@", "a@@x", "a b@x.example", "a@x..example", "a@-x.example",
                          "<a@x.example>", "a,b@x.example", ".a@x.example", "a@x_y.example"}) {
    CAPTURE(bad);
    CHECK_FALSE(is_email_address(bad));
  }
  CHECK(mailbox_address("Vigie <vigie@example.org>") == "vigie@example.org");
  CHECK(mailbox_address("vigie@example.org") == "vigie@example.org");
  CHECK_FALSE(mailbox_address("Vigie <vigie@example.org").has_value());
  CHECK_FALSE(mailbox_address("Vigie").has_value());
  CHECK(is_host_name("vigie.bips.example"));
  CHECK(is_host_name("localhost"));
  CHECK_FALSE(is_host_name("a..b"));
  CHECK_FALSE(is_host_name("a-.b"));
  CHECK_FALSE(is_host_name("a b"));
  CHECK(is_site_id("ch-quimper-29"));
  CHECK_FALSE(is_site_id(""));
  CHECK_FALSE(is_site_id("CH"));
  CHECK_FALSE(is_site_id("ch_quimper"));
}

}  // namespace vigie::config
