// FeedSet's advisory feeds (certfr, rss, atom): read, or fetched then read, into advisories for
// the relay (intel/relay.hpp). They hold no indicators: the IOC index never changes because of
// them. A CERT-FR feed by URL is synchronised by sync_certfr (feed_sync.hpp).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "intel/advisory_formats.hpp"
#include "intel/feed_sync.hpp"
#include "intel/feeds.hpp"

namespace vigie::intel {
namespace {

namespace fs = std::filesystem;

int64_t unix_seconds(core::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

tl::expected<std::vector<Advisory>, std::string> read_advisory_path(const fs::path& path, std::string_view format,
                                                                    const std::string& feed, ParseReport& report) {
  std::error_code ec;
  if (format == "certfr" && fs::is_directory(path, ec)) return read_certfr_dir(path, feed, report);
  auto body = detail::read_file(path);
  if (!body) return tl::unexpected(body.error());
  if (format == "certfr")
    return parse_certfr_document(*body, feed, report).map([](Advisory a) {
      return std::vector<Advisory>{std::move(a)};
    });
  return parse_advisory_feed(*body, feed, report);
}

void FeedSet::read_advisories(State& st, const config::Config& cfg, core::TimePoint now, bool force, bool fetch) {
  if (!st.url.empty() && !fetch) return;  // what was fetched before was relayed then
  st.status.last_attempt = now;
  const std::string& name = st.status.name;
  const std::string& format = st.status.format;
  ParseReport report;
  std::vector<Advisory> got;
  std::string fetch_error;
  if (!st.url.empty() && format == "certfr") {
    const int64_t oldest =
        unix_seconds(now) - std::chrono::duration_cast<std::chrono::seconds>(cfg.advisories.max_age).count();
    auto sync = sync_certfr(st.url, st.status.path, st.validators, st.fetch, st.more, oldest,
                            cfg.advisories.max_documents, report);
    if (!sync) {
      ++st.failures;
      fail(st, sync.error());
      return;
    }
    st.validators = sync->validators;
    st.failures = 0;
    st.more = sync->more;
    if (sync->not_modified) {
      st.status.last_error.clear();
      return;
    }
    got = read_certfr_files(sync->fetched, name, report);
    if (sync->old > 0)
      spdlog::info("feed {}: {} document(s) of the index last revised before the first-sync age, not fetched", name,
                   sync->old);
    if (sync->more) spdlog::info("feed {}: more documents to fetch, on the next pass", name);
  } else {
    if (!st.url.empty()) {
      auto r = fetch_to_file(st.url, st.status.path, st.validators, st.fetch);
      if (!r) {
        ++st.failures;
        fail(st, r.error());
        return;
      }
      st.validators = r->validators;
      st.failures = 0;
      if (r->not_modified && !force) {
        st.status.last_error.clear();
        return;
      }
    }
    std::error_code ec;
    const auto mtime = fs::last_write_time(st.status.path, ec);
    if (!force && !ec && st.status.last_success != core::TimePoint{} && mtime == st.mtime) return;
    st.mtime = ec ? fs::file_time_type{} : mtime;
    auto read = read_advisory_path(st.status.path, format, name, report);
    if (!read) {
      fail(st, read.error());
      return;
    }
    got = std::move(*read);
  }
  st.status.last_error = fetch_error;
  st.status.last_success = now;
  st.status.report = report;
  spdlog::info("feed {}: {} advisory(ies) read ({} invalid)", name, got.size(), report.invalid);
  for (const auto& e : report.errors) spdlog::warn("feed {}: {}", name, e);
  advisories_.emplace_back(name, std::move(got));
}

std::vector<std::pair<std::string, std::vector<Advisory>>> FeedSet::take_advisories() {
  return std::exchange(advisories_, {});
}

}  // namespace vigie::intel
