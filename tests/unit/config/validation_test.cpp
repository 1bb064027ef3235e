// One test per validation rule of storage, sites, inputs, rules, detection and workers: each
// YAML text has exactly one mistake, reported on the expected line with the expected reason.
#include "helpers.hpp"

namespace vigie::config::test {

TEST_CASE("schema: unknown keys, duplicate keys and wrong types") {
  expect_one_error("storage: { path: /x }\nsites: []\nnotfy: {}\n", 3,
                   "unknown key 'notfy' at top level (did you mean 'notify'?)");
  expect_one_error("storage: { path: /x, size: 3 }\n", 1, "unknown key 'size' in storage");
  expect_one_error("workers: 1\nworkers: 2\n", 2, "duplicate key 'workers' at top level");
  expect_one_error("sites: { id: a }\n", 1, "sites: expected a list, found a mapping");
  expect_one_error("storage: [a]\n", 1, "storage: expected a mapping, found a list");
  expect_one_error("storage:\n  path: { a: 1 }\n", 2, "storage.path: expected a string, found a mapping");
  expect_one_error("sites:\n  - id: a\n    networks: 10.0.0.0/8\n", 3, "sites[0].networks: expected a list");
}

TEST_CASE("unsupported sections of DESIGN §6 are errors, not silently ignored") {
  expect_one_error("http: { listen: \"127.0.0.1:9109\" }\n", 1, "http is not supported by this version");
}

TEST_CASE("inputs.spool: the directory, what becomes of read files, the scan's pace") {
  auto c = load_ok("inputs:\n  spool: { dir: /var/spool/vigie }\n");
  REQUIRE(c);
  const Spool& d = c->inputs.spool;
  CHECK(d.dir == "/var/spool/vigie");
  CHECK(d.after == Spool::After::move);
  CHECK(d.done_dir == "/var/spool/vigie/.done");
  CHECK(d.failed_dir == "/var/spool/vigie/.failed");
  CHECK(d.every == std::chrono::seconds(10));
  CHECK(d.settle == std::chrono::seconds(5));
  auto e = load_ok(
      "inputs:\n  spool: { dir: /s, after: delete, failed_dir: /f, every: 1m, settle: 0s, max_file_size: 1GiB }\n");
  REQUIRE(e);
  CHECK(e->inputs.spool.after == Spool::After::remove);
  CHECK(e->inputs.spool.failed_dir == "/f");
  CHECK(e->inputs.spool.every == std::chrono::minutes(1));
  CHECK(e->inputs.spool.settle == std::chrono::seconds(0));
  CHECK(e->inputs.spool.max_file_size == (std::size_t{1} << 30));
  expect_one_error("inputs:\n  spool: { after: move }\n", 2, "dir: the directory sites drop their files in");
  expect_one_error("inputs:\n  spool: { dir: /s, after: keep }\n", 2, "must be move or delete, found 'keep'");
  expect_one_error("inputs:\n  spool: { dir: /s, after: delete, done_dir: /d }\n", 2, "not used with after: delete");
  expect_one_error("inputs:\n  spool: { dir: /s, done_dir: /s }\n", 2, "must differ from dir");
  expect_one_error("inputs:\n  spool: { dir: /s, done_dir: /s/ }\n", 2, "must differ from dir");
  expect_one_error("inputs:\n  spool: { dir: /s/, failed_dir: /s/. }\n", 2, "must differ from dir");
  expect_one_error("inputs:\n  spool: { dir: /s, every: 0s }\n", 2, "every");
  expect_one_error("inputs:\n  spool: { dir: /s, max_file_size: lots }\n", 2, "must be a size");
  expect_one_error("inputs:\n  spool: { dir: /s, colour: blue }\n", 2, "unknown key 'colour'");
}

TEST_CASE("inputs.pcap: live captures, the BPF filter compiled at load") {
  auto c = load_ok(
      "inputs:\n  pcap:\n    - { interface: eth1, filter: \"not port 22\", snaplen: 1514, promiscuous: false, "
      "buffer_size: 64MiB, immediate: true }\n    - { interface: any }\n");
  REQUIRE(c);
  REQUIRE(c->inputs.pcap.size() == 2);
  CHECK(c->inputs.pcap[0].interface == "eth1");
  CHECK(c->inputs.pcap[0].filter == "not port 22");
  CHECK(c->inputs.pcap[0].snaplen == 1514);
  CHECK_FALSE(c->inputs.pcap[0].promiscuous);
  CHECK(c->inputs.pcap[0].buffer_size == (std::size_t{64} << 20));
  CHECK(c->inputs.pcap[0].immediate);
  CHECK(c->inputs.pcap[1].promiscuous);
  CHECK(c->inputs.pcap[1].snaplen == 65535);
  expect_one_error("inputs:\n  pcap:\n    - { interface: eth1, filter: \"port 22 and\" }\n", 3, "filter: ");
  expect_one_error("inputs:\n  pcap:\n    - { filter: tcp }\n", 3, "interface");
  expect_one_error("inputs:\n  pcap:\n    - { interface: eth1 }\n    - { interface: eth1 }\n", 4, "captured twice");
  expect_one_error("inputs:\n  pcap:\n    - { interface: eth1, snaplen: 10 }\n", 3, "snaplen");
}

TEST_CASE("feeds: local files in the formats Vigie reads; what comes later says so") {
  auto c = load_ok(
      "feeds:\n  - { name: local, format: csv, path: /etc/vigie/local.csv, tlp: green, confidence: 80, every: 10m }\n"
      "  - { name: bad-ips, format: list, type: ip, path: /x.txt, enabled: false }\n");
  REQUIRE(c);
  REQUIRE(c->feeds.size() == 2);
  CHECK(c->feeds[0].name == "local");
  CHECK(c->feeds[0].format == "csv");
  CHECK(c->feeds[0].tlp == "GREEN");
  CHECK(c->feeds[0].confidence == 80);
  CHECK(c->feeds[0].every == std::chrono::minutes(10));
  CHECK(c->feeds[1].type == "ip");
  CHECK_FALSE(c->feeds[1].enabled);
  CHECK(c->feeds[1].tlp == "AMBER");
  expect_one_error("feeds:\n  - { name: a, format: csv }\n", 2, "feeds[0]: missing required key 'path' (or 'url')");
  expect_one_error("feeds:\n  - { format: csv, path: /x }\n", 2, "feeds[0]: missing required key 'name'");
  expect_one_error("feeds:\n  - { name: A_b, format: csv, path: /x }\n", 2, "'A_b' is not a valid feed name");
  expect_one_error("feeds:\n  - { name: a, format: csv, path: /x }\n  - { name: a, format: csv, path: /y }\n", 3,
                   "feeds[1].name: duplicate feed name 'a'");
  expect_one_error("feeds:\n  - { name: a, format: xml, path: /x }\n", 2, "feeds[0].format: unknown format 'xml'");
  auto adv = load_ok(
      "feeds:\n  - { name: certfr-avis, format: certfr, url: \"https://x.example/avis/json/\", relay: true }\n"
      "  - { name: cert-sante, format: rss, path: /x.xml }\n"
      "advisories: { max_age: 3d, min_level: high, keywords: [FortiOS], products: [Citrix], max_documents: 50 }\n");
  REQUIRE(adv);
  CHECK(adv->feeds[0].relay);
  CHECK_FALSE(adv->feeds[1].relay);
  CHECK(adv->feeds[0].tlp == "CLEAR");
  CHECK(adv->advisories.max_age == std::chrono::hours(72));
  CHECK(adv->advisories.min_level == vigie::core::Level::high);
  CHECK(adv->advisories.keywords == std::vector<std::string>{"FortiOS"});
  CHECK(adv->advisories.products == std::vector<std::string>{"Citrix"});
  CHECK(adv->advisories.max_documents == 50);
  expect_one_error("advisories: { min_level: severe }\n", 1, "advisories.min_level: unknown level 'severe'");
  auto u = load_ok(
      "feeds:\n  - { name: a, format: csv, url: \"https://x.example/f.csv\", proxy: \"http://proxy:3128\", "
      "timeout: 20s, max_size: 8MiB }\n");
  REQUIRE(u);
  CHECK(u->feeds[0].url == "https://x.example/f.csv");
  CHECK(u->feeds[0].proxy == "http://proxy:3128");
  CHECK(u->feeds[0].timeout == std::chrono::seconds(20));
  CHECK(u->feeds[0].max_bytes == 8u << 20);
  expect_one_error("feeds:\n  - { name: a, format: csv, url: \"ftp://x.example/f.csv\" }\n", 2,
                   "feeds[0].url: 'ftp://x.example/f.csv' is not an http:// or https:// URL");
  CHECK(load_ok("feeds:\n  - { name: a, format: misp, url: \"https://x.example/misp/\" }\n"));
  expect_one_error("feeds:\n  - { name: a, format: csv, path: /x, url: \"https://x.example/f\" }\n", 2,
                   "feeds[0].url: a feed has a path or a url, not both");
  expect_one_error("feeds:\n  - { name: a, format: csv, path: /x, proxy: \"http://p:3128\" }\n", 2,
                   "feeds[0].proxy: applies to feeds fetched by url only");
  expect_one_error("feeds:\n  - { name: a, format: csv, path: /x, relay: true }\n", 2,
                   "feeds[0].relay: applies to the advisory formats only");
  expect_one_error("feeds:\n  - { name: a, format: csv, path: /x, type: ip }\n", 2,
                   "feeds[0].type: applies to format 'list' only");
  expect_one_error("feeds:\n  - { name: a, format: list, path: /x, type: ipv4 }\n", 2,
                   "feeds[0].type: unknown indicator type 'ipv4'");
  expect_one_error("feeds:\n  - { name: a, format: csv, path: /x, tlp: pink }\n", 2,
                   "feeds[0].tlp: 'pink' is not a TLP");
  expect_one_error("feeds:\n  - { name: a, format: csv, path: /x, confidence: 101 }\n", 2, "feeds[0].confidence");
}

TEST_CASE("the shipped feed definitions (feeds/examples.yml) load, every one disabled") {
  auto r = load_config(VIGIE_SOURCE_DIR "/feeds/examples.yml");
  REQUIRE(r);
  const auto& feeds = (*r)->feeds;
  CHECK(feeds.size() == 9);
  for (const auto& f : feeds) {
    CAPTURE(f.name);
    CHECK_FALSE(f.enabled);
  }
}

TEST_CASE("detection.ioc.retro_hunt") {
  auto c = load_ok("detection:\n  ioc: { retro_hunt: { retention: 7d, flush_every: 1s, max_entries: 5000 } }\n");
  REQUIRE(c);
  CHECK(c->detection.ioc.retro_hunt.enabled);
  CHECK(c->detection.ioc.retro_hunt.retention == std::chrono::hours(24 * 7));
  CHECK(c->detection.ioc.retro_hunt.flush_every == std::chrono::seconds(1));
  CHECK(c->detection.ioc.retro_hunt.max_entries == 5000);
  auto off = load_ok("detection:\n  ioc: { retro_hunt: { enabled: false } }\n");
  REQUIRE(off);
  CHECK_FALSE(off->detection.ioc.retro_hunt.enabled);
  expect_one_error("detection:\n  ioc: { retro_hunt: { retention: 0s } }\n", 2, "retro_hunt.retention");
}

TEST_CASE("detection.ioc: allowlist, ranges that may be indicators, cap") {
  auto c = load_ok(
      "detection:\n  ioc: { allowlist: [203.0.113.7, example.org], allow_ranges: [10.0.0.0/8], "
      "max_indicators: 1000 }\n");
  REQUIRE(c);
  CHECK(c->detection.ioc.allowlist == std::vector<std::string>{"203.0.113.7", "example.org"});
  REQUIRE(c->detection.ioc.allow_ranges.size() == 1);
  CHECK(c->detection.ioc.allow_ranges[0].prefix == 8);
  CHECK(c->detection.ioc.max_indicators == 1000);
  expect_one_error("detection:\n  ioc: { allow_ranges: [10.0.0.0/33] }\n", 2, "'10.0.0.0/33' is not an address range");
  expect_one_error("detection:\n  ioc: { max_indicators: 40000000 }\n", 2, "max_indicators");
}

TEST_CASE("storage.path") {
  expect_one_error("storage: { path: \"\" }\n", 1, "storage.path: empty path");
  expect_one_error("storage: { path: /tmp }\n", 1, "storage.path: names a directory");
}

TEST_CASE("sites: ids") {
  expect_one_error("sites:\n  - { name: x }\n", 2, "sites[0]: missing required key 'id'");
  expect_one_error("sites:\n  - { id: Bad.Id }\n", 2, "'Bad.Id' is not a valid site id");
  expect_one_error("sites:\n  - { id: a }\n  - { id: b }\n  - { id: a }\n", 4,
                   "sites[2].id: duplicate site id 'a' (first defined on line 2)");
  auto c = load_ok("sites:\n  - { id: ch-quimper-2 }\n");
  REQUIRE(c);
  CHECK(c->sites[0].timezone == "UTC");
}

TEST_CASE("sites: networks") {
  expect_one_error("sites:\n  - id: a\n    networks:\n      - 10.0.0.0/8\n      - 10.1.0.0/33\n", 5,
                   "sites[0].networks[1]: '10.1.0.0/33' is not an IP network");
  expect_one_error("sites:\n  - { id: a, networks: [host.example] }\n", 2, "is not an IP network");
  expect_one_error("sites:\n  - { id: a, networks: [10.29.1.0/16] }\n", 2,
                   "'10.29.1.0/16' has host bits set; the network is 10.29.0.0/16");
  expect_one_error("sites:\n  - { id: a, networks: [\"2001:db8::1/32\"] }\n", 2, "the network is 2001:db8::/32");
  expect_one_error("sites:\n  - { id: a, networks: [10.0.0.0/8] }\n  - { id: b, networks: [10.0.0.0/8] }\n", 3,
                   "network 10.0.0.0/8 is already listed for site 'a'");
  // Nested networks of different sites are fine: the most specific wins (site_test.cpp).
  CHECK(load_ok("sites:\n  - { id: a, networks: [10.0.0.0/8] }\n  - { id: b, networks: [10.1.0.0/16, 10.2.0.1] }\n"));
}

TEST_CASE("sites: timezone, contacts; tls_subject_cn is not available yet") {
  expect_one_error("sites:\n  - { id: a, timezone: Mars/Olympus }\n", 2, "unknown time zone 'Mars/Olympus'");
  expect_one_error("sites:\n  - { id: a, timezone: ../../etc/passwd }\n", 2, "unknown time zone");
  expect_one_error("sites:\n  - { id: a, timezone: Europe }\n", 2, "unknown time zone 'Europe'");
  expect_one_error("sites:\n  - { id: a, contacts: [ok@x.example, \"two words@x.example\"] }\n", 2,
                   "sites[0].contacts[1]: 'two words@x.example' is not an e-mail address");
  // `serve` has no tls:// input to check the name against: `check` must not accept it.
  expect_one_error("sites:\n  - { id: a, tls_subject_cn: syslog.a.example }\n", 2,
                   "sites[0].tls_subject_cn: not available yet");
  auto c = load_ok("sites:\n  - { id: a, timezone: UTC }\n  - { id: b, timezone: Asia/Kolkata }\n");
  REQUIRE(c);
  CHECK(c->sites[1].timezone == "Asia/Kolkata");
}

TEST_CASE("inputs.syslog: listen") {
  expect_one_error("inputs:\n  syslog:\n    - { allow: [10.0.0.0/8] }\n", 3,
                   "inputs.syslog[0]: missing required key 'listen'");
  expect_one_error("inputs:\n  syslog:\n    - { listen: \"0.0.0.0:514\" }\n", 3, "must look like udp://HOST:PORT");
  expect_one_error("inputs:\n  syslog:\n    - { listen: \"udp://::1:514\" }\n", 3,
                   "IPv6 addresses in listen need brackets");
  expect_one_error("inputs:\n  syslog:\n    - { listen: \"udp://localhost:514\" }\n", 3, "is not an IP address");
  expect_one_error("inputs:\n  syslog:\n    - { listen: \"tcp://0.0.0.0:65536\" }\n", 3, "invalid port '65536'");
  expect_one_error(
      "inputs:\n  syslog:\n    - { listen: \"tcp://0.0.0.0:514\" }\n    - { listen: \"tcp://0.0.0.0:514\" }\n", 4,
      "uses the same address and port as inputs.syslog[0]");
  // Same port, different transports: no clash. Port 0 never clashes.
  auto c = load_ok(R"(
inputs:
  syslog:
    - { listen: "udp://127.0.0.1:5514" }
    - { listen: "tcp://127.0.0.1:5514" }
    - { listen: "udp://[::]:0" }
    - { listen: "udp://[::]:0" }
    - { listen: "tcp://127.0.0.1" }
)");
  REQUIRE(c);
  CHECK(c->inputs.syslog[2].address == "::");
  CHECK(c->inputs.syslog[4].port == 514);
}

TEST_CASE("inputs.syslog: tls:// and its options are not available yet") {
  // `serve` cannot honour them, so `check` refuses them instead of passing a config that
  // then fails to start (a restart loop under ExecStartPre=vigie check).
  expect_one_error("inputs:\n  syslog:\n    - { listen: \"tls://0.0.0.0:6514\" }\n", 3,
                   "inputs.syslog[0].listen: tls:// inputs are not available yet");
  expect_one_error("inputs:\n  syslog:\n    - { listen: \"tcp://0.0.0.0:514\", cert: c.pem }\n", 3,
                   "inputs.syslog[0].cert: TLS options are not available yet");
  expect_one_error("inputs:\n  syslog:\n    - { listen: \"tcp://0.0.0.0:514\", require_client_cert: true }\n", 3,
                   "inputs.syslog[0].require_client_cert: TLS options are not available yet");
}

TEST_CASE("inputs.syslog: allow") {
  expect_one_error("inputs:\n  syslog:\n    - { listen: \"udp://0.0.0.0:514\", allow: [10.0.0.0/33] }\n", 3,
                   "inputs.syslog[0].allow[0]: '10.0.0.0/33' is not an IP network");
  expect_one_error("inputs:\n  syslog:\n    - { listen: \"tcp://0.0.0.0:514\", allow: [10.1.2.3/8] }\n", 3,
                   "'10.1.2.3/8' has host bits set; the network is 10.0.0.0/8");
  expect_one_error("inputs:\n  syslog:\n    - { listen: \"tcp://0.0.0.0:514\", allow: [] }\n", 3,
                   "inputs.syslog[0].allow: an empty list would refuse every sender");
  auto c = load_ok("inputs:\n  syslog:\n    - { listen: \"udp://0.0.0.0:514\", allow: [10.0.0.0/8, 192.0.2.7] }\n");
  REQUIRE(c);
  REQUIRE(c->inputs.syslog[0].allow.size() == 2);
  CHECK(c->inputs.syslog[0].allow[1].to_string() == "192.0.2.7/32");
}

TEST_CASE("inputs.syslog: TCP bounds and the UDP receive buffer") {
  const std::string tcp = "inputs:\n  syslog:\n    - { listen: \"tcp://0.0.0.0:514\", ";
  const std::string udp = "inputs:\n  syslog:\n    - { listen: \"udp://0.0.0.0:514\", ";
  expect_one_error(tcp + "max_connections: 0 }\n", 3, "inputs.syslog[0].max_connections: must be between 1 and");
  expect_one_error(tcp + "max_connections_per_peer: -1 }\n", 3, "max_connections_per_peer: must be between 1 and");
  expect_one_error(tcp + "idle_timeout: 0s }\n", 3, "inputs.syslog[0].idle_timeout");
  expect_one_error(tcp + "min_rate: fast }\n", 3, "inputs.syslog[0].min_rate: expected an integer");
  expect_one_error(tcp + "min_rate_window: soon }\n", 3, "inputs.syslog[0].min_rate_window: invalid duration");
  expect_one_error(tcp + "receive_buffer: 4MiB }\n", 3,
                   "inputs.syslog[0].receive_buffer: applies only to udp:// listeners, not tcp://");
  expect_one_error(udp + "max_connections: 10 }\n", 3,
                   "inputs.syslog[0].max_connections: applies only to tcp:// listeners, not udp://");
  expect_one_error(udp + "idle_timeout: 1m }\n", 3, "idle_timeout: applies only to tcp:// listeners");
  expect_one_error(udp + "receive_buffer: 1KiB }\n", 3, "receive_buffer: must be between 4KiB and 1GiB");
  expect_one_error(udp + "receive_buffer: lots }\n", 3, "receive_buffer: invalid size 'lots'");
  auto c = load_ok(tcp + "max_connections: 10, max_connections_per_peer: 2, idle_timeout: 30s, min_rate: 0 }\n");
  REQUIRE(c);
  CHECK(c->inputs.syslog[0].max_connections == 10);
  CHECK(c->inputs.syslog[0].max_connections_per_peer == 2);
  CHECK(c->inputs.syslog[0].idle_timeout == std::chrono::seconds(30));
  CHECK(c->inputs.syslog[0].min_rate == 0);
}

TEST_CASE("inputs: sizes, queue, default time zone") {
  expect_one_error("inputs: { max_message_size: 479 }\n", 1, "must be between 480");
  expect_one_error("inputs: { max_message_size: 17MiB }\n", 1, "must be between 480");
  expect_one_error("inputs: { max_message_size: 64KB }\n", 1, "invalid size '64KB'");
  expect_one_error("inputs: { queue_batches: 0 }\n", 1, "inputs.queue_batches: must be between 1 and");
  expect_one_error("inputs: { default_timezone: Europe/Pariss }\n", 1, "unknown time zone 'Europe/Pariss'");
  auto c = load_ok("inputs: { max_message_size: 480, default_timezone: Europe/Paris }\nsites: [{ id: a }]\n");
  REQUIRE(c);
  CHECK(c->inputs.max_message_size == 480);
  CHECK(c->sites[0].timezone == "Europe/Paris");
  c = load_ok("inputs: { max_message_size: 16MiB }\n");
  REQUIRE(c);
  CHECK(c->inputs.max_message_size == 16u * 1024 * 1024);
}

TEST_CASE("rules, detection, workers") {
  expect_one_error("rules: { paths: [/nonexistent/vigie-rules] }\n", 1,
                   "no such file or directory: /nonexistent/vigie-rules");
  expect_one_error("rules: { paths: /etc }\n", 1, "rules.paths: expected a list");
  expect_one_error("detection:\n  lateness: 5 minutes\n", 2, "detection.lateness: invalid duration '5 minutes'");
  expect_one_error("workers: -1\n", 1, "workers: must be between 0 and 256");
  auto c = load_ok("detection: { suppress_for: 0s, lateness: 250ms }\nworkers: 0\n");
  REQUIRE(c);
  CHECK(c->detection.suppress_for.count() == 0);
  CHECK(c->detection.lateness == std::chrono::milliseconds(250));
}

TEST_CASE("detection: correlation caps and evidence bytes") {
  auto c = load_ok("");
  REQUIRE(c);
  CHECK(c->detection.max_keys_per_rule == 100'000);
  CHECK(c->detection.max_keys == 250'000);
  CHECK(c->detection.max_evidence_bytes == 16u * 1024);
  c = load_ok("detection: { max_keys_per_rule: 5000, max_keys: 20000, max_evidence_bytes: 4KiB }\n");
  REQUIRE(c);
  CHECK(c->detection.max_keys_per_rule == 5000);
  CHECK(c->detection.max_keys == 20000);
  CHECK(c->detection.max_evidence_bytes == 4096);
  CHECK(load_ok("detection: { max_evidence_bytes: 300 }\n")->detection.max_evidence_bytes == 300);
  expect_one_error("detection:\n  max_keys: 0\n", 2, "detection.max_keys: must be between 1 and 100000000");
  expect_one_error("detection:\n  max_keys_per_rule: lots\n", 2, "detection.max_keys_per_rule: expected an integer");
  expect_one_error("detection:\n  max_evidence_bytes: 16KB\n", 2, "detection.max_evidence_bytes: invalid size '16KB'");
  expect_one_error("detection:\n  max_evidence_bytes: 100\n", 2, "detection.max_evidence_bytes: must be between 256");
  expect_one_error("detection:\n  max_evidence_bytes: 2MiB\n", 2, "detection.max_evidence_bytes: must be between 256");
}

}  // namespace vigie::config::test
