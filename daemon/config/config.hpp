// The immutable configuration (DESIGN.md §6). Loaded once per start or reload by load_config;
// shared as std::shared_ptr<const Config>. Every field has a default so that a near-empty file
// gives the embedded defaults (SQLite + maildir under the storage directory).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/alert.hpp"
#include "core/error.hpp"
#include "core/net.hpp"
#include "core/time.hpp"

namespace vigie::config {

struct Site {
  std::string id;
  std::string name;
  std::vector<core::Cidr> networks;
  std::string timezone = "UTC";  // IANA name, used for RFC 3164 timestamps
  std::vector<std::string> contacts;
  // Always empty for now: the loader refuses the key ("not available yet") until tls:// inputs
  // exist to check a client certificate against it. Kept so the struct's shape is stable.
  std::string tls_subject_cn;
};

// One `inputs.syslog[]` listener. The bounds below are per listener; `serve` honours each of
// them (ingest/syslog), and `check` accepts nothing else.
struct SyslogInput {
  enum class Proto { udp, tcp, tls };  // tls: parsed by `listen` syntax, refused by the loader
  Proto proto = Proto::udp;
  std::string address = "0.0.0.0";  // host part of listen
  uint16_t port = 514;              // 0 = ephemeral (tests)
  std::string listen;               // as written, e.g. "udp://0.0.0.0:514"
  std::vector<core::Cidr> allow;    // senders allowed; empty = everyone

  // TCP only.
  std::size_t max_connections = 1024;                         // open connections of this listener
  std::size_t max_connections_per_peer = 32;                  // open connections of one source address
  core::Duration idle_timeout = std::chrono::minutes(10);     // no complete message for this long
  std::size_t min_rate = 64;                                  // bytes/s while a frame is incomplete; 0 = no check
  core::Duration min_rate_window = std::chrono::seconds(30);  // the period min_rate is judged over

  // UDP only.
  std::size_t receive_buffer = 4 * 1024 * 1024;  // SO_RCVBUF asked for, in bytes
};

// One `inputs.pcap[]` live capture (ingest/pcap/README.md, "Capture"). Each runs on its own
// thread; its frames go to the workers routed by flow; when the workers fall behind, frames are
// dropped and counted (reason queue_full), as the kernel's and the interface's drops are.
struct PcapInput {
  std::string interface;               // "eth1"; "any" (Linux cooked capture) works too
  std::string filter;                  // BPF (pcap-filter(7)); "" = every frame; checked at load
  int snaplen = 65535;                 // bytes kept per frame
  bool promiscuous = true;             // a mirrored port sends frames addressed to others
  std::size_t buffer_size = 32 << 20;  // kernel capture buffer, bytes
  bool immediate = false;              // deliver each frame at once instead of per buffer
};

// `inputs.spool` (ingest/spool/README.md): a directory where sites drop log files and
// captures, each in the sub-directory named after its site id. A file is read once it has not
// changed for `settle`, then moved to `done_dir` (after: move) or deleted (after: delete) once
// what it held is correlated and its alerts are stored; a file that cannot be read goes to
// `failed_dir`. A crash before that leaves the file where it was: it is read again.
struct Spool {
  std::filesystem::path dir;  // "" = no spool
  enum class After : uint8_t { move, remove } after = After::move;
  std::filesystem::path done_dir;                    // default <dir>/.done
  std::filesystem::path failed_dir;                  // default <dir>/.failed
  core::Duration every = std::chrono::seconds(10);   // between scans
  core::Duration settle = std::chrono::seconds(5);   // unchanged for this long before it is read
  std::size_t max_file_size = std::size_t{4} << 30;  // larger files are refused (failed_dir)
};

struct Inputs {
  std::vector<SyslogInput> syslog;
  std::vector<PcapInput> pcap;
  Spool spool;
  std::size_t max_message_size = 64 * 1024;         // bytes; longer messages are truncated and counted
  std::size_t queue_batches = 1024;                 // capacity of the raw-batch queue (Q1), in batches
  std::size_t queue_bytes = std::size_t{64} << 20;  // and in bytes of the messages it holds
  std::string default_timezone = "UTC";             // for senders that belong to no site
};

struct Rules {
  std::vector<std::filesystem::path> paths;  // files or directories (*.yml, *.yaml, recursive)
};

// One indicator feed (DESIGN.md §6 `feeds:`; formats in feeds/README.md): a local file (a
// directory for misp) or a URL, read every `every`.
struct Feed {
  std::string name;               // [a-z0-9-], unique; cited in alerts
  std::string format;             // csv, zeek-intel, list, stix, misp; advisories: certfr, rss, atom
  std::filesystem::path path;     // file, or directory for misp; or:
  std::string url;                // http(s):// (not misp), fetched into feed_cache() first
  std::string proxy;              // url: "" = the environment's (https_proxy, no_proxy)
  std::filesystem::path ca_file;  // url: CA bundle to verify the server with ("" = the system's)
  core::Duration timeout = std::chrono::seconds(60);  // url: whole transfer
  std::size_t max_bytes = std::size_t{256} << 20;     // url: larger responses are refused
  std::string type;                                   // format list: the type of every value ("" = guessed per value)
  std::string tlp = "AMBER";                          // for indicators that carry none; advisories: CLEAR
  int confidence = 50;                                // 0..100, for indicators that carry none
  core::Duration every = std::chrono::minutes(5);
  bool enabled = true;
  bool relay = false;  // advisory formats: new advisories and updates that matter are mailed (Advisories)
};

// certfr, rss, atom: feeds of advisories (relayed), not of indicators.
[[nodiscard]] inline bool is_advisory_format(std::string_view format) {
  return format == "certfr" || format == "rss" || format == "atom";
}

// Advisory feeds (`advisories:`): which advisories of the feeds with `relay: true` are mailed.
struct Advisories {
  // A first sync relays only advisories revised within max_age; older ones are stored silently
  // (and CERT-FR documents older than that are not even fetched).
  core::Duration max_age = std::chrono::hours(24 * 7);
  core::Level min_level = core::Level::informational;  // by the relay's severity (feeds/README.md)
  std::vector<std::string> keywords;  // any of them in the title, summary or affected systems; empty = all
  std::vector<std::string> products;  // any of them in an affected vendor/product (or the title); empty = all
  std::size_t max_documents = 200;    // CERT-FR documents fetched per pass (the rest on the next pass)
};

// Indicator matching (detection.ioc): what the index may hold and what never matches.
// Retro-hunt (detection.ioc.retro_hunt): the observables of every event kept per site, so that
// an indicator published later is looked up in what was seen before (intel/observables.hpp).
struct RetroHunt {
  bool enabled = true;
  core::Duration retention = std::chrono::hours(24 * 30);  // sightings last seen before are purged
  core::Duration flush_every = std::chrono::seconds(30);   // a worker's aggregate handed to the writer
  std::size_t max_entries = 100'000;                       // distinct (value, site) per worker between flushes
};

struct Ioc {
  std::vector<std::string> allowlist;    // values that never match: IPs, CIDRs, domains (and subdomains), URLs, hashes
  std::vector<core::Cidr> allow_ranges;  // private/loopback ranges that may be indicators
  std::size_t max_indicators = 2'000'000;
  RetroHunt retro_hunt;
};

struct Storage {
  std::filesystem::path path = "/var/lib/vigie/vigie.db";
};

enum class StartTls { required, opportunistic, never };

struct Smtp {
  std::string url;  // smtp://host:port or smtps://host:port
  StartTls starttls = StartTls::required;
  std::string username;
  std::filesystem::path password_file;
  std::string from = "Vigie <vigie@localhost>";
  std::filesystem::path ca_file;  // optional extra trust anchor
  core::Duration timeout = std::chrono::seconds(30);
};

struct Receiver {
  std::string name;
  std::vector<std::string> to;    // email addresses
  bool to_site_contacts = false;  // add the contacts of the alert's site
};

struct Route {
  // match: field → accepted values. Known fields: level, rule.id, observer.site, tags.
  // Empty match = every alert.
  std::map<std::string, std::vector<std::string>> match;
  std::vector<std::string> receivers;
  // Empty: one mail thread per alert (first mail after group_wait, an update mail only after
  // repeat_interval). Otherwise alerts with the same values of these fields (rule.id,
  // rule.title, level, tlp, observer.site, or a field of the alert's key — "key.NAME" or an
  // ECS name such as source.ip) share one mail per receiver: the first after group_wait,
  // later ones at most every group_interval when the group changed, an unchanged group with
  // open alerts again after repeat_interval (notify/README.md "Grouping").
  std::vector<std::string> group_by;
  core::Duration group_wait = std::chrono::seconds(0);
  core::Duration group_interval = std::chrono::minutes(5);
  core::Duration repeat_interval = std::chrono::hours(4);
  bool continue_matching = false;  // `continue: true`: later routes are also tried
};

struct Notify {
  std::optional<Smtp> smtp;             // absent → maildir
  std::filesystem::path maildir;        // default: <storage dir>/maildir
  std::string language = "fr";          // fr | en
  std::filesystem::path templates_dir;  // empty → built-in templates
  std::string hostname;                 // right side of Message-ID; default: gethostname()
  std::vector<Receiver> receivers;
  std::vector<Route> routes;
  core::Duration retry_initial = std::chrono::seconds(5);
  core::Duration retry_max = std::chrono::minutes(10);
};

struct Detection {
  core::Duration suppress_for = std::chrono::hours(1);  // default dedup window per (rule, key)
  core::Duration lateness = std::chrono::seconds(30);   // bounded lateness on event time
  // Correlation state caps (keys = group-by values of one rule: its window and open alerts).
  // Past a cap the least recently touched key is evicted and counted. The defaults hold a spray
  // of 2M one-hit keys within ~130 MiB for the whole `vigie replay` (tests/bench/README.md).
  std::size_t max_keys_per_rule = 100'000;
  std::size_t max_keys = 250'000;
  std::size_t max_evidence_bytes = 16 * 1024;  // per alert; longer lines are cut with a marker
  // `prefilter: vectorscan | none` (default none): a Vectorscan prefilter in front of the
  // RE2::Sets where this build has Vectorscan (detect/prefilter.hpp). Opt-in: measured, it costs
  // about a second to load 1,000 rules and did not make the benchmark faster end to end
  // (tests/bench/README.md). A build without Vectorscan uses RE2::Set alone, same results.
  bool prefilter = false;
  Ioc ioc;
};

struct Config {
  std::filesystem::path source;  // file it was loaded from ("" for defaults)
  Storage storage;
  std::vector<Site> sites;
  Inputs inputs;
  Rules rules;
  Detection detection;
  Notify notify;
  std::vector<Feed> feeds;
  Advisories advisories;
  int workers = 0;  // matcher threads; 0 = hardware concurrency

  // Worker threads the pipeline runs: `workers`, or the hardware's concurrency, 1..64.
  [[nodiscard]] std::size_t worker_threads() const;

  [[nodiscard]] const Site* site(std::string_view id) const;
  // The site whose networks contain ip (most specific prefix wins), or nullptr.
  [[nodiscard]] const Site* site_for(const core::IpAddress& ip) const;
  [[nodiscard]] std::filesystem::path maildir() const;  // resolved maildir path
  // Where `vigie feeds import` drops files, read as feeds too: <storage dir>/feeds.
  [[nodiscard]] std::filesystem::path feed_spool() const;
  // Where feeds fetched by URL are kept between reads: <storage dir>/feeds-cache.
  [[nodiscard]] std::filesystem::path feed_cache() const;

  // Builds the table behind site_for: one hash lookup per distinct prefix length instead of a
  // scan of every network of every site (~280 sites, called once per message). load_config
  // calls it. Code that builds or edits `sites` by hand calls it afterwards; until then, or if
  // the number of sites changed since, site_for scans (same answer, slower).
  void index_sites();

 private:
  struct NetKey {
    std::array<uint8_t, 18> bytes{};  // masked address, prefix length, family
    friend bool operator==(const NetKey&, const NetKey&) = default;
  };
  struct NetKeyHash {
    std::size_t operator()(const NetKey& k) const noexcept;
  };
  [[nodiscard]] static NetKey net_key(const core::IpAddress& ip, int prefix);
  [[nodiscard]] const Site* scan_site_for(const core::IpAddress& ip) const;

  std::vector<int> index_prefixes_;                            // distinct prefix lengths, longest first
  std::unordered_map<NetKey, std::size_t, NetKeyHash> index_;  // network → position in `sites`
  std::size_t indexed_sites_ = static_cast<std::size_t>(-1);   // sites.size() when indexed
};

// Loads and validates; on failure returns every error found (file:line: reason), not just
// the first. Relative paths in the file are resolved against the file's directory.
[[nodiscard]] tl::expected<std::shared_ptr<const Config>, std::vector<core::Error>> load_config(
    const std::filesystem::path& file);

}  // namespace vigie::config
