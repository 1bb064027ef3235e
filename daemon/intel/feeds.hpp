// FeedSet: the indicator feeds of the configuration (DESIGN.md §6 `feeds:`) and the files
// `vigie feeds import` dropped in the spool (<storage dir>/feeds), read on their schedule —
// from their file, or fetched by URL into <storage dir>/feeds-cache first — and turned into one
// IocIndex. A feed that cannot be read keeps the indicators of its
// last good read in force; its error is kept in its status (shown by `vigie feeds list`) and
// logged. Owned by one thread (the feeds thread of `serve`, or `replay` at start).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "intel/advisory.hpp"
#include "intel/fetch.hpp"
#include "intel/formats.hpp"
#include "intel/ioc_index.hpp"

namespace vigie::intel {

struct FeedStatus {
  std::string name;
  std::string format;
  std::filesystem::path path;
  bool spool = false;              // dropped by `vigie feeds import`, not in the configuration
  core::TimePoint last_attempt{};  // wall clock; zero: never read
  core::TimePoint last_success{};
  std::string last_error;      // of the last attempt, "" when it succeeded
  std::size_t indicators = 0;  // from the last good read, in force
  ParseReport report;          // of the last good read
};

// Spool file names are <feed name>.<format> (a directory <name>.misp for MISP).
[[nodiscard]] std::optional<std::pair<std::string, std::string>> spool_entry(const std::filesystem::path& p);

// How a feed's records are read: a configured feed's defaults, or a spool file's (TLP AMBER,
// confidence 50, types as each record says).
[[nodiscard]] FormatOptions format_options(const config::Feed& f);
[[nodiscard]] FormatOptions spool_options(const std::string& name);

// An advisory feed's file: certfr (one document, or a directory of them), rss or atom.
[[nodiscard]] tl::expected<std::vector<Advisory>, std::string> read_advisory_path(const std::filesystem::path& path,
                                                                                  std::string_view format,
                                                                                  const std::string& feed,
                                                                                  ParseReport& report);

class FeedSet {
 public:
  // Reads the feeds that are due at `now` (all of them when `force`, or only `only` when named):
  // a file is parsed again only when its modification time or size changed. Spool files are
  // looked at on every call. Returns true when the indicators in force changed.
  // `fetch` false: feeds with a URL are not fetched, only the body cached by their last fetch is
  // read (serve's start, which must not wait on a slow server), and they stay due.
  bool refresh(const config::Config& cfg, core::TimePoint now, bool force = false, const std::string& only = {},
               bool fetch = true);

  // An index of every feed's indicators in force, with the guards of `detection.ioc`;
  // `now` leaves expired indicators out.
  [[nodiscard]] std::shared_ptr<const IocIndex> build_index(const config::Config& cfg, core::TimePoint now) const;

  // The advisories the advisory feeds (certfr, rss, atom) gave since the last call, per feed, for
  // the relay: an RSS/Atom feed's items each time its body changed, a CERT-FR feed's documents
  // fetched (by URL) or all of them (a directory, when it changed).
  [[nodiscard]] std::vector<std::pair<std::string, std::vector<Advisory>>> take_advisories();

  [[nodiscard]] std::vector<FeedStatus> status() const;
  // The validators the last fetch of a feed got (a restart reads them back from feed_state),
  // sent with its next request; and those in force now.
  void set_validators(const std::string& feed, Validators v) { feeds_[feed].validators = std::move(v); }
  [[nodiscard]] Validators validators(const std::string& feed) const;
  // The earliest expiry after `now` among the indicators in force (the index must be built
  // again then, so that they stop matching); TimePoint::max() when none expires.
  [[nodiscard]] core::TimePoint next_expiry(core::TimePoint now) const;
  // When the next feed is due (spool files are looked at every minute; new ones appear on the
  // next refresh).
  [[nodiscard]] core::TimePoint next_due() const;

 private:
  struct State {
    FeedStatus status;
    std::vector<Indicator> indicators;  // last good read
    std::filesystem::file_time_type mtime{};
    std::uintmax_t size = 0;
    core::Duration every{};
    std::string url;  // fetched into status.path (the cache) before it is read
    FetchOptions fetch;
    Validators validators;  // of the last fetch (ETag, Last-Modified)
    uint32_t failures = 0;  // fetches failed in a row (retry backoff)
    bool more = false;      // CERT-FR: documents left for the next pass (advisories.max_documents)
  };
  // Fetches (URL feeds) and reads one feed into `st` if its file changed; true when its
  // indicators changed.
  bool read(State& st, const FormatOptions& opts, core::TimePoint now, bool force, bool fetch);
  // read() for the advisory formats (feeds_advisories.cpp).
  void read_advisories(State& st, const config::Config& cfg, core::TimePoint now, bool force, bool fetch);
  void fail(State& st, const std::string& why);
  [[nodiscard]] static core::Duration interval(const State& st);

  std::map<std::string, State> feeds_;                                     // by name
  std::vector<std::pair<std::string, std::vector<Advisory>>> advisories_;  // read, not taken yet
};

}  // namespace vigie::intel
