#include "ingest/syslog/parser.hpp"

#include <doctest/doctest.h>

using namespace vigie;
using namespace vigie::ingest;
using namespace vigie::ingest::syslog;
using core::Field;

namespace {

std::shared_ptr<const config::Config> test_config(std::string default_tz = "UTC") {
  auto cfg = std::make_shared<config::Config>();
  config::Site paris;
  paris.id = "ch-quimper";
  paris.networks.push_back(*core::Cidr::parse("10.29.0.0/16"));
  paris.timezone = "Europe/Paris";
  config::Site reunion;
  reunion.id = "chu-reunion";
  reunion.networks.push_back(*core::Cidr::parse("10.97.0.0/16"));
  reunion.timezone = "Indian/Reunion";
  cfg->sites = {paris, reunion};
  cfg->inputs.default_timezone = std::move(default_tz);
  return cfg;
}

// A message and the input it came from (RawBatch::input).
struct Raw {
  RawMessage m;
  std::string input;
};

Raw raw(std::string data, std::string peer, std::string_view received, std::string input = "udp://t:514") {
  Raw r;
  r.m.data = std::move(data);
  r.m.peer = std::move(peer);
  r.input = std::move(input);
  r.m.received = *core::parse_rfc3339(received);
  return r;
}

core::Event parse(SyslogParser& p, const Raw& r) { return p.parse(r.m, r.input); }

std::string ts(const core::Event& e) { return std::string(e.value(Field::timestamp)); }

}  // namespace

TEST_CASE("the fields every syslog event carries") {
  core::Metrics metrics;
  SyslogParser p(test_config(), metrics);
  const auto e = parse(
      p, raw("<38>Feb  5 17:32:18 srv sshd[4242]: Failed password for root\n", "10.29.1.2", "2024-02-05T16:32:20Z"));
  CHECK(e.raw() == "<38>Feb  5 17:32:18 srv sshd[4242]: Failed password for root\n");
  CHECK(e.value(Field::site) == "ch-quimper");
  CHECK(e.value(Field::source_address) == "10.29.1.2");
  CHECK(e.value(Field::hostname) == "srv");
  CHECK(e.value(Field::process_name) == "sshd");
  CHECK(e.value(Field::process_pid) == "4242");
  CHECK(e.value(Field::facility) == "4");
  CHECK(e.value(Field::severity) == "6");
  CHECK(e.get("log.syslog.priority") == "38");
  CHECK(e.value(Field::message) == "Failed password for root");
  // Paris is UTC+1 in February.
  CHECK(ts(e) == "2024-02-05T16:32:18.000000Z");
  CHECK(e.time == *core::parse_rfc3339("2024-02-05T16:32:18Z"));
  CHECK(e.value(Field::ingested) == "2024-02-05T16:32:20.000000Z");
  CHECK(e.ingested == *core::parse_rfc3339("2024-02-05T16:32:20Z"));
}

TEST_CASE("a legacy Linux-PAM tag gives the program and the PAM fields") {
  core::Metrics metrics;
  SyslogParser p(test_config(), metrics);
  const auto e = parse(p, raw("<86>Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown\n",
                              "10.29.1.2", "2024-06-14T13:16:02Z"));
  CHECK(e.value(Field::process_name) == "sshd");
  CHECK(e.value(Field::process_pid) == "19939");
  CHECK(e.get("pam.module") == "pam_unix");
  CHECK(e.get("pam.service") == "sshd");
  CHECK(e.value(Field::message) == "check pass; user unknown");
  const auto modern =
      parse(p, raw("<86>Jun 14 15:16:01 combo sshd[19939]: pam_unix(sshd:auth): check pass; user unknown\n",
                   "10.29.1.2", "2024-06-14T13:16:02Z"));
  CHECK_FALSE(modern.get("pam.module"));
  CHECK_FALSE(modern.get("pam.service"));
}

TEST_CASE("per-site time zone, default zone for senders outside every site") {
  core::Metrics metrics;
  SyslogParser p(test_config("America/New_York"), metrics);
  const std::string line = "<13>Jul 14 12:00:00 h app: x";
  CHECK(ts(parse(p, raw(line, "10.29.0.1", "2024-07-14T10:00:05Z"))) == "2024-07-14T10:00:00.000000Z");  // CEST
  CHECK(ts(parse(p, raw(line, "10.97.0.1", "2024-07-14T08:00:05Z"))) == "2024-07-14T08:00:00.000000Z");  // +04
  CHECK(ts(parse(p, raw(line, "192.0.2.7", "2024-07-14T16:00:05Z"))) == "2024-07-14T16:00:00.000000Z");  // EDT
  const auto outside = parse(p, raw(line, "192.0.2.7", "2024-07-14T16:00:05Z"));
  CHECK_FALSE(outside.get(Field::site));
  // A zone-less ISO timestamp also uses the site's zone; one with an offset does not.
  CHECK(ts(parse(p, raw("<13>2024-07-14T12:00:00 h app: x", "10.29.0.1", "2024-07-14T10:00:05Z"))) ==
        "2024-07-14T10:00:00.000000Z");
  CHECK(ts(parse(p, raw("<13>2024-07-14T12:00:00Z h app: x", "10.29.0.1", "2024-07-14T12:00:05Z"))) ==
        "2024-07-14T12:00:00.000000Z");
}

TEST_CASE("an unknown configured zone falls back to UTC") {
  core::Metrics metrics;
  SyslogParser p(test_config("Mars/Olympus_Mons"), metrics);
  CHECK(ts(parse(p, raw("<13>Jul 14 12:00:00 h app: x", "192.0.2.1", "2024-07-14T12:00:05Z"))) ==
        "2024-07-14T12:00:00.000000Z");
}

TEST_CASE("the missing year is inferred, correctly around New Year") {
  core::Metrics metrics;
  SyslogParser p(test_config(), metrics);
  // Sent just before midnight in Paris, received just after: previous year.
  CHECK(ts(parse(p, raw("<13>Dec 31 23:59:59 h app: x", "10.29.0.1", "2024-12-31T23:00:01Z"))) ==
        "2024-12-31T22:59:59.000000Z");
  // Received 1 January in Paris (31 Dec 23:00:01Z): the stamp is 31 Dec of the year before.
  CHECK(ts(parse(p, raw("<13>Dec 31 23:59:59 h app: x", "10.29.0.1", "2025-01-01T00:30:00Z"))) ==
        "2024-12-31T22:59:59.000000Z");
  // A sender a little ahead across New Year: next year.
  CHECK(ts(parse(p, raw("<13>Jan  1 00:00:05 h app: x", "192.0.2.1", "2024-12-31T23:59:50Z"))) ==
        "2025-01-01T00:00:05.000000Z");
  // More than a month in the future means last year.
  CHECK(ts(parse(p, raw("<13>Aug 20 10:00:00 h app: x", "192.0.2.1", "2024-06-15T00:00:00Z"))) ==
        "2023-08-20T10:00:00.000000Z");
  // Within a month ahead (clock skew) stays this year.
  CHECK(ts(parse(p, raw("<13>Jul  1 10:00:00 h app: x", "192.0.2.1", "2024-06-15T00:00:00Z"))) ==
        "2024-07-01T10:00:00.000000Z");
  // A day that does not exist: reception time, counted.
  const auto bad = parse(p, raw("<13>Feb 30 10:00:00 h app: x", "192.0.2.1", "2024-06-15T00:00:00Z"));
  CHECK(ts(bad) == "2024-06-15T00:00:00.000000Z");
  CHECK(metrics.value("vigie_syslog_malformed_total", {{"input", "udp://t:514"}, {"reason", "bad_timestamp"}}) == 1);
}

TEST_CASE("missing PRI: user.notice per RFC 3164 §4.3.3, no priority field") {
  core::Metrics metrics;
  SyslogParser p(test_config(), metrics);
  const auto e = parse(p, raw("just text", "10.29.0.1", "2024-06-15T00:00:00Z"));
  CHECK(e.value(Field::facility) == "1");
  CHECK(e.value(Field::severity) == "5");
  CHECK_FALSE(e.get("log.syslog.priority"));
  CHECK(e.value(Field::message) == "just text");
  CHECK(e.time == e.ingested);
}

TEST_CASE("RFC 5424 structured data becomes <sd-id>.<param> fields") {
  core::Metrics metrics;
  SyslogParser p(test_config(), metrics);
  const auto e = parse(
      p, raw("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 12 ID47 [exampleSDID@32473 iut=\"3\" "
             "iut=\"4\" eventSource=\"Application\"][observer site=\"spoofed\"] An application event",
             "10.29.0.1", "2003-10-11T22:14:16Z"));
  CHECK(e.get("exampleSDID@32473.iut") == "3");
  CHECK(e.get("exampleSDID@32473.eventSource") == "Application");
  CHECK(e.get("log.syslog.msgid") == "ID47");
  CHECK(e.value(Field::process_pid) == "12");
  CHECK(e.value(Field::facility) == "20");
  CHECK(e.value(Field::severity) == "5");
  CHECK(e.value(Field::message) == "An application event");
  CHECK(ts(e) == "2003-10-11T22:14:15.003000Z");
  // A sender cannot choose its site.
  CHECK(e.value(Field::site) == "ch-quimper");
}

TEST_CASE("JSON bodies become fields") {
  core::Metrics metrics;
  SyslogParser p(test_config(), metrics);
  SUBCASE("after a syslog header, nested objects flattened, arrays raw") {
    const auto e = parse(
        p,
        raw(R"(<14>Jul 14 12:00:00 fw app: {"source":{"ip":"10.29.3.4","port":4444},"event.action":"deny","tags":[1, "a"],"ok":true,"none":null,"message":"blocked","observer":{"site":"x"}})",
            "10.29.0.1", "2024-07-14T10:00:05Z"));
    CHECK(e.value(Field::source_ip) == "10.29.3.4");
    CHECK(e.value(Field::source_port) == "4444");
    CHECK(e.value(Field::event_action) == "deny");
    CHECK(e.get("tags") == R"([1, "a"])");
    CHECK(e.get("ok") == "true");
    CHECK_FALSE(e.get("none"));
    CHECK(e.value(Field::message) == "blocked");
    CHECK(e.value(Field::site) == "ch-quimper");
  }
  SUBCASE("bare JSON, dotted and nested names are the same field, @timestamp is the event time") {
    const auto e = parse(p, raw(R"({"@timestamp":"2024-07-14T09:00:00Z","user":{"name":"alice"},"n":1.50})", "",
                                "2024-07-14T10:00:05Z", "file:/tmp/x.log"));
    CHECK(e.value(Field::user_name) == "alice");
    CHECK(e.get("n") == "1.50");
    CHECK(ts(e) == "2024-07-14T09:00:00.000000Z");
    // Without a "message" key the JSON text stays the message, so keyword rules still see it.
    CHECK(e.value(Field::message).starts_with("{\"@timestamp\""));
    CHECK_FALSE(e.get(Field::source_address));
  }
  SUBCASE("JSON written with spaces, numbers no machine type holds") {
    const auto spaced = parse(p, raw(R"({"a": 1, "message": "json spaced"})", "10.29.0.1", "2024-07-14T10:00:05Z"));
    CHECK(spaced.get("a") == "1");
    CHECK(spaced.value(Field::message) == "json spaced");
    CHECK_FALSE(spaced.get(Field::process_name));
    const auto big = parse(
        p,
        raw(R"(<13>Apr  5 12:56:51 host app: {"n": 123456789012345678901234567890, "x": 1e400, "y": -0.5E-3, "message": "bigint"})",
            "10.29.0.1", "2024-07-14T10:00:05Z"));
    CHECK(big.get("n") == "123456789012345678901234567890");
    CHECK(big.get("x") == "1e400");
    CHECK(big.get("y") == "-0.5E-3");
    CHECK(big.value(Field::message) == "bigint");
    // Not numbers by the JSON grammar: the body is not JSON.
    for (const char* bad : {R"({"n": 01})", R"({"n": 1.})", R"({"n": -})", R"({"n": 1e})"}) {
      CAPTURE(bad);
      CHECK_FALSE(parse(p, raw(bad, "10.29.0.1", "2024-07-14T10:00:05Z")).get("n"));
    }
  }
  SUBCASE("not JSON after all: plain message") {
    const auto e = parse(p, raw(R"(<14>app: {"a": 1} and more)", "10.29.0.1", "2024-07-14T10:00:05Z"));
    CHECK(e.value(Field::message) == R"({"a": 1} and more)");
    CHECK_FALSE(e.get("a"));
    const auto broken = parse(p, raw(R"(<14>app: {"a": )"
                                     "}",
                                     "10.29.0.1", "2024-07-14T10:00:05Z"));
    CHECK_FALSE(broken.get("a"));
  }
}

TEST_CASE("bytes that are not UTF-8 are kept and counted") {
  core::Metrics metrics;
  SyslogParser p(test_config(), metrics);
  const std::string bad = "<13>Jul 14 12:00:00 h app: caf\xE9 \xFF\xFE end";
  const auto e = parse(p, raw(bad, "10.29.0.1", "2024-07-14T10:00:05Z"));
  CHECK(e.raw() == bad);
  CHECK(e.value(Field::message) == "caf\xE9 \xFF\xFE end");
  CHECK(metrics.value("vigie_syslog_invalid_utf8_total") == 1);
  (void)parse(p, raw("<13>Jul 14 12:00:00 h app: caf\xC3\xA9", "10.29.0.1", "2024-07-14T10:00:05Z"));
  CHECK(metrics.value("vigie_syslog_invalid_utf8_total") == 1);
  // A lone invalid byte inside a JSON body does not break anything either.
  const auto j = parse(p, raw("{\"m\":\"\xFF\"}", "10.29.0.1", "2024-07-14T10:00:05Z"));
  CHECK(j.value(Field::message).size() > 0);
  CHECK(metrics.value("vigie_syslog_invalid_utf8_total") == 2);
}

TEST_CASE("files: the site comes from a hostname that is an address in a site network") {
  core::Metrics metrics;
  SyslogParser p(test_config(), metrics);
  const auto e = parse(p, raw("<13>Jul 14 12:00:00 10.97.8.9 app: x", "", "2024-07-14T10:00:05Z", "file:/x.log"));
  CHECK(e.value(Field::site) == "chu-reunion");
  CHECK(ts(e) == "2024-07-14T08:00:00.000000Z");
  const auto named = parse(p, raw("<13>Jul 14 12:00:00 srv app: x", "", "2024-07-14T10:00:05Z", "file:/x.log"));
  CHECK_FALSE(named.get(Field::site));
}

TEST_CASE("invalid PRI and broken RFC 5424 headers are counted per input") {
  core::Metrics metrics;
  SyslogParser p(test_config(), metrics);
  (void)parse(p, raw("<300>x", "10.29.0.1", "2024-07-14T10:00:05Z", "tcp://a:1"));
  (void)parse(p, raw("<13>1 2024-07-14T10:00:05Z broken", "10.29.0.1", "2024-07-14T10:00:05Z", "tcp://a:1"));
  CHECK(metrics.value("vigie_syslog_malformed_total", {{"input", "tcp://a:1"}, {"reason", "bad_pri"}}) == 1);
  CHECK(metrics.value("vigie_syslog_malformed_total", {{"input", "tcp://a:1"}, {"reason", "rfc5424_header"}}) == 1);
}

TEST_CASE("rsyslog's folded repeats: the inner message, standing for N occurrences") {
  core::Metrics metrics;
  SyslogParser p(test_config(), metrics);
  const std::string folded =
      "<38>Mar 10 10:00:04 srv-dpi sshd[2211]: message repeated 5 times: [ Failed password for root from "
      "203.0.113.9 port 4242 ssh2]";
  auto e = parse(p, raw(folded, "10.29.1.2", "2024-03-10T09:00:05Z"));
  CHECK(e.value(Field::message) == "Failed password for root from 203.0.113.9 port 4242 ssh2");
  CHECK(e.repeat == 5);
  CHECK(e.raw() == folded);  // evidence keeps the line as sent
  CHECK(e.value(Field::process_name) == "sshd");
  // Not rsyslog's exact wording: left as it is, one occurrence.
  for (const char* other : {"last message repeated 3 times", "message repeated 5 times: [ no closing bracket",
                            "message repeated times: [ x]", "message repeated 0 times: [ x]",
                            "message repeated 5 times: []", "message repeated 5 times [ x]"}) {
    CAPTURE(other);
    e = parse(
        p, raw(std::string("<38>Mar 10 10:00:04 srv-dpi sshd[2211]: ") + other, "10.29.1.2", "2024-03-10T09:00:05Z"));
    CHECK(e.value(Field::message) == other);
    CHECK(e.repeat == 1);
  }
}

TEST_CASE("rsyslog's escaped tab, line feed and carriage return are given back; other escapes stay") {
  core::Metrics metrics;
  SyslogParser p(test_config(), metrics);
  const std::string line =
      "<86>Mar 10 10:00:04 srv-dpi sudo[2211]:    alice : TTY=pts/0 ;#011PWD=/home/alice ; USER=root ; COMMAND=/bin/ls";
  auto e = parse(p, raw(line, "10.29.1.2", "2024-03-10T09:00:05Z"));
  CHECK(e.value(Field::message) == "   alice : TTY=pts/0 ;\tPWD=/home/alice ; USER=root ; COMMAND=/bin/ls");
  CHECK(e.raw() == line);  // evidence keeps the line as sent
  e = parse(p, raw("<86>Mar 10 10:00:04 srv-dpi app: a#012b#015c #033[31m #01 #0111 ##011", "10.29.1.2",
                   "2024-03-10T09:00:05Z"));
  CHECK(e.value(Field::message) == "a\nb\rc #033[31m #01 \t1 #\t");
  e = parse(p, raw("<86>Mar 10 10:00:04 srv-dpi app: issue #42 closed", "10.29.1.2", "2024-03-10T09:00:05Z"));
  CHECK(e.value(Field::message) == "issue #42 closed");
  // Inside a folded repeat too.
  e = parse(p, raw("<38>Mar 10 10:00:04 srv-dpi sshd[1]: message repeated 2 times: [ a#011b]", "10.29.1.2",
                   "2024-03-10T09:00:05Z"));
  CHECK(e.value(Field::message) == "a\tb");
  CHECK(e.repeat == 2);
}
