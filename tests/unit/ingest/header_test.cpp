#include "ingest/syslog/header.hpp"

#include <doctest/doctest.h>

using namespace vigie::ingest::syslog;
using vigie::core::format_rfc3339;

TEST_CASE("RFC 5424 §6.5 examples") {
  SUBCASE("example 1: no structured data, BOM before the message") {
    const auto h = parse_header(
        "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xEF\xBB\xBF'su root' failed for lonvick "
        "on /dev/pts/8");
    CHECK(h.format == Format::rfc5424);
    CHECK_FALSE(h.malformed);
    CHECK(h.pri == 34);
    REQUIRE(h.time);
    CHECK(format_rfc3339(*h.time) == "2003-10-11T22:14:15.003000Z");
    CHECK(h.hostname == "mymachine.example.com");
    CHECK(h.app_name == "su");
    CHECK(h.proc_id.empty());
    CHECK(h.msg_id == "ID47");
    CHECK(h.sd.empty());
    CHECK(h.msg == "'su root' failed for lonvick on /dev/pts/8");
  }
  SUBCASE("example 2: offset timestamp, no MSGID") {
    const auto h = parse_header(
        "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.");
    REQUIRE(h.time);
    CHECK(format_rfc3339(*h.time) == "2003-08-24T12:14:15.000003Z");
    CHECK(h.hostname == "192.0.2.1");
    CHECK(h.proc_id == "8710");
    CHECK(h.msg_id.empty());
    CHECK(h.msg == "%% It's time to make the do-nuts.");
  }
  SUBCASE("example 3: structured data then message") {
    const auto h = parse_header(
        "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
        "eventSource=\"Application\" eventID=\"1011\"] \xEF\xBB\xBF"
        "An application event log entry...");
    CHECK_FALSE(h.malformed);
    REQUIRE(h.sd.size() == 3);
    CHECK(h.sd[0].sd_id == "exampleSDID@32473");
    CHECK(h.sd[0].name == "iut");
    CHECK(h.sd[0].value == "3");
    CHECK(h.sd[2].name == "eventID");
    CHECK(h.sd[2].value == "1011");
    CHECK(h.msg == "An application event log entry...");
  }
  SUBCASE("example 4: two SD elements, no message") {
    const auto h = parse_header(
        "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
        "eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]");
    CHECK_FALSE(h.malformed);
    REQUIRE(h.sd.size() == 4);
    CHECK(h.sd[3].sd_id == "examplePriority@32473");
    CHECK(h.sd[3].value == "high");
    CHECK(h.msg.empty());
  }
}

TEST_CASE("RFC 5424 escapes, NILVALUEs and broken headers") {
  const auto h = parse_header(R"(<13>1 - - - - - [a@1 p="x\"y\]z\\w"] m)");
  CHECK_FALSE(h.malformed);
  CHECK_FALSE(h.time);
  CHECK(h.hostname.empty());
  REQUIRE(h.sd.size() == 1);
  CHECK(h.sd[0].value == R"(x"y]z\w)");
  CHECK(h.msg == "m");

  const auto broken = parse_header("<13>1 2003-10-11T22:14:15Z host app");
  CHECK(broken.malformed);
  CHECK(broken.format == Format::rfc5424);
  CHECK(broken.hostname == "host");
  CHECK(broken.msg == "app");  // what could not be read stays in the message

  const auto bad_sd = parse_header("<13>1 2003-10-11T22:14:15Z host app 1 ID [unclosed p=\"v\" message");
  CHECK(bad_sd.malformed);
  CHECK(bad_sd.msg == "[unclosed p=\"v\" message");
}

TEST_CASE("RFC 5424 re-encoded by a relay reads like the RFC 3164 original") {
  // rsyslog's RSYSLOG_SyslogProtocol23Format writes %msg%, which keeps the space after "sshd:".
  const auto relayed = parse_header(
      "<38>1 2026-12-01T06:44:21+00:00 srv sshd - - -  Failed password for root from 1.2.3.4 port 22 ssh2");
  const auto direct = parse_header("<38>Dec  1 06:44:21 srv sshd: Failed password for root from 1.2.3.4 port 22 ssh2");
  CHECK_FALSE(relayed.malformed);
  CHECK(relayed.msg == direct.msg);
  CHECK(relayed.msg == "Failed password for root from 1.2.3.4 port 22 ssh2");
  // Only that one separator space goes: an indented message keeps the rest of its spaces.
  CHECK(parse_header("<86>1 2026-12-01T06:44:21Z srv sudo - - -       bob : TTY=pts/1").msg ==
        parse_header("<86>Dec  1 06:44:21 srv sudo:      bob : TTY=pts/1").msg);
}

TEST_CASE("RFC 3164 variants") {
  SUBCASE("classic with hostname and tag[pid]") {
    const auto h = parse_header("<38>Feb  5 17:32:18 10.0.0.99 sshd[4242]: Failed password for root");
    CHECK(h.format == Format::rfc3164);
    CHECK(h.pri == 38);
    REQUIRE(h.local);
    CHECK_FALSE(h.local->year);
    CHECK(h.local->month == 2);
    CHECK(h.local->day == 5);
    CHECK(h.local->time_of_day == std::chrono::hours{17} + std::chrono::minutes{32} + std::chrono::seconds{18});
    CHECK(h.hostname == "10.0.0.99");
    CHECK(h.app_name == "sshd");
    CHECK(h.proc_id == "4242");
    CHECK(h.msg == "Failed password for root");
  }
  SUBCASE("no hostname: the word after the timestamp is the tag") {
    const auto h = parse_header("<133>Apr  5 12:56:51 robin: Hello, syslog!");
    CHECK(h.hostname.empty());
    CHECK(h.app_name == "robin");
    CHECK(h.msg == "Hello, syslog!");
  }
  SUBCASE("zero-padded day, slash in tag, fractional seconds") {
    const auto h = parse_header("<22>Mar 07 01:02:03.250 mail postfix/smtpd[77]: connect from x");
    REQUIRE(h.local);
    CHECK(h.local->day == 7);
    CHECK(h.local->time_of_day.count() % 1000000 == 250000);
    CHECK(h.hostname == "mail");
    CHECK(h.app_name == "postfix/smtpd");
    CHECK(h.msg == "connect from x");
  }
  SUBCASE("Cisco: year in the timestamp, unsynchronised marker") {
    const auto h = parse_header("<189>*Mar  1 2024 18:48:50 router %SYS-5-CONFIG_I: Configured");
    REQUIRE(h.local);
    CHECK(h.local->year == 2024);
    CHECK(h.hostname == "router");
  }
  SUBCASE("rsyslog high-precision ISO timestamp") {
    const auto h = parse_header("<86>2024-05-06T07:08:09.123456+02:00 web01 sudo: pam_unix(sudo:auth): failure");
    REQUIRE(h.time);
    CHECK(format_rfc3339(*h.time) == "2024-05-06T05:08:09.123456Z");
    CHECK(h.hostname == "web01");
    CHECK(h.app_name == "sudo");
    CHECK(h.msg == "pam_unix(sudo:auth): failure");
  }
  SUBCASE("ISO timestamp without zone stays local for the site's zone") {
    const auto h = parse_header("<86>2024-05-06T07:08:09 web01 cron[1]: x");
    CHECK_FALSE(h.time);
    REQUIRE(h.local);
    CHECK(h.local->year == 2024);
  }
  SUBCASE("missing PRI") {
    const auto h = parse_header("This is not really a syslog message #173538 1552584410.781186");
    CHECK_FALSE(h.pri);
    CHECK_FALSE(h.bad_pri);
    CHECK_FALSE(h.local);
    CHECK(h.app_name.empty());
    CHECK(h.msg == "This is not really a syslog message #173538 1552584410.781186");
  }
  SUBCASE("missing PRI, header present") {
    const auto h = parse_header("Oct 11 22:14:15 mymachine su: 'su root' failed");
    CHECK_FALSE(h.pri);
    CHECK(h.hostname == "mymachine");
    CHECK(h.app_name == "su");
  }
  SUBCASE("invalid PRI is kept in the message") {
    const auto h = parse_header("<999>hello");
    CHECK(h.bad_pri);
    CHECK_FALSE(h.pri);
    CHECK(h.msg == "<999>hello");
  }
  SUBCASE("a URL is not a tag") {
    const auto h = parse_header("<13>http://example.org/ is down");
    CHECK(h.app_name.empty());
    CHECK(h.msg == "http://example.org/ is down");
  }
  SUBCASE("a JSON body written with \": \" is not a tag") {
    const auto bare = parse_header(R"({"a": 1, "message": "json spaced"})");
    CHECK(bare.app_name.empty());
    CHECK(bare.msg == R"({"a": 1, "message": "json spaced"})");
    const auto after = parse_header(R"(<13>Apr  5 12:56:51 host {"a": 2, "message": "x"})");
    CHECK(after.hostname == "host");
    CHECK(after.app_name.empty());
    CHECK(after.msg == R"({"a": 2, "message": "x"})");
  }
  SUBCASE("Cisco IOS and ASA stamps end with a colon") {
    const auto ios = parse_header("<189>*Mar  1 00:49:03.075: %SYS-5-CONFIG_I: Configured from console by console");
    REQUIRE(ios.local);
    CHECK(ios.local->month == 3);
    CHECK(ios.local->day == 1);
    CHECK(ios.local->time_of_day.count() % 1000000 == 75000);
    CHECK(ios.hostname.empty());
    CHECK(ios.app_name == "%SYS-5-CONFIG_I");
    CHECK(ios.msg == "Configured from console by console");
    const auto asa = parse_header("<166>Mar 01 2026 10:00:00: %ASA-6-302013: Built outbound TCP");
    REQUIRE(asa.local);
    CHECK(asa.local->year == 2026);
    CHECK(asa.app_name == "%ASA-6-302013");
    CHECK(asa.msg == "Built outbound TCP");
  }
  SUBCASE("legacy Linux-PAM tag: the service is the program, the module apart") {
    const auto h = parse_header(
        "<86>Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 "
        "tty=NODEVssh ruser= rhost=218.188.2.4");
    CHECK(h.hostname == "combo");
    CHECK(h.app_name == "sshd");
    CHECK(h.app_module == "pam_unix");
    CHECK(h.proc_id == "19939");
    CHECK(h.msg.starts_with("authentication failure; logname="));
    const auto su =
        parse_header("<86>Jun 15 04:06:18 combo su(pam_unix)[21416]: session opened for user cyrus by (uid=0)");
    CHECK(su.app_name == "su");
    CHECK(su.app_module == "pam_unix");
    CHECK(su.msg == "session opened for user cyrus by (uid=0)");
  }
  SUBCASE("parentheses in a tag that is not a PAM module stay in the program name") {
    const auto sd = parse_header("<86>Mar 10 10:15:01 srv (sd-pam)[811]: pam_unix(systemd-user:session): x");
    CHECK(sd.app_name == "(sd-pam)");
    CHECK(sd.app_module.empty());
    const auto other = parse_header("<13>Mar 10 10:15:01 srv worker(main)[12]: started");
    CHECK(other.app_name == "worker(main)");
    CHECK(other.app_module.empty());
    const auto bare = parse_header("<13>Mar 10 10:15:01 srv x(pam_)[12]: started");
    CHECK(bare.app_name == "x(pam_)");
  }
  SUBCASE("an IPv6 host name may end with a colon") {
    const auto h = parse_header("<13>Apr  5 12:56:51 2001:db8:: app[1]: msg");
    CHECK(h.hostname == "2001:db8::");
    CHECK(h.app_name == "app");
    CHECK(h.msg == "msg");
  }
}

TEST_CASE("a digit and a space after the PRI is RFC 5424 only when a timestamp follows") {
  for (const char* text : {"2 errors found on disk", "1 hello world", "5 retries left, giving up now"}) {
    CAPTURE(text);
    const std::string line = std::string("<13>") + text;  // the header views into it
    const auto h = parse_header(line);
    CHECK(h.format == Format::rfc3164);
    CHECK_FALSE(h.malformed);
    CHECK(h.msg == std::string_view(text));
  }
  const auto nil = parse_header("<13>1 - host app - - - hi");
  CHECK(nil.format == Format::rfc5424);
  CHECK(nil.msg == "hi");
  const auto dated = parse_header("<13>1 2026-12-01T10:00:00Z host app - - - hi");
  CHECK(dated.format == Format::rfc5424);
  REQUIRE(dated.time);
  // A 5424 header that is broken after a real timestamp still counts as malformed.
  CHECK(parse_header("<13>1 2026-12-01T10:00:00Z host").malformed);
}
