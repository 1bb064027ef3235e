// FeedSet's advisory feeds (certfr, rss, atom): read, or fetched then read, into advisories for
// the relay (intel/relay.hpp). They hold no indicators: the IOC index never changes because of
// them. A CERT-FR feed by URL is its index (`/avis/json/`, `/alerte/json/`), fetched with a
// conditional request, then each document revised since the copy in the cache: the cache is
// <storage dir>/feeds-cache/<name>.certfr/, one <REF>.json per document whose modification
// time is its last_revision_date, so a restart knows what it has without a table.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "intel/advisory_formats.hpp"
#include "intel/feeds.hpp"

namespace vigie::intel {
namespace {

namespace fs = std::filesystem;

int64_t unix_seconds(core::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

fs::file_time_type file_time(int64_t unix_seconds) {
  return std::chrono::file_clock::from_sys(std::chrono::sys_seconds(std::chrono::seconds(unix_seconds)));
}

int64_t unix_of(fs::file_time_type t) {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::file_clock::to_sys(t).time_since_epoch())
      .count();
}

// CERT-FR references are [A-Z0-9-]: anything else never becomes a file name.
bool safe_reference(std::string_view ref) {
  return !ref.empty() && ref.size() <= 64 && std::all_of(ref.begin(), ref.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// A document URL of the index, resolved against the index's own URL.
std::string resolve(const std::string& base, const std::string& ref) {
  if (ref.rfind("https://", 0) == 0 || ref.rfind("http://", 0) == 0) return ref;
  const auto scheme = base.find("://");
  if (scheme == std::string::npos) return ref;
  if (ref.rfind('/', 0) == 0) {
    const auto path = base.find('/', scheme + 3);
    return base.substr(0, path) + ref;
  }
  const auto slash = base.rfind('/');
  return (slash > scheme + 2 ? base.substr(0, slash + 1) : base + "/") + ref;
}

struct CertfrSync {
  std::vector<fs::path> fetched;  // documents fetched now, oldest revision first
  std::size_t old = 0;            // never fetched: last revised before the first-sync age
  bool more = false;              // documents left for the next pass
  bool not_modified = false;      // the index did not change (and nothing was left)
  Validators validators;
};

tl::expected<CertfrSync, std::string> sync_certfr(const std::string& url, const fs::path& dir,
                                                  const Validators& validators, const FetchOptions& fetch,
                                                  bool more_left, int64_t oldest, std::size_t max_documents,
                                                  ParseReport& report) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return tl::unexpected(dir.string() + ": " + ec.message());
  const fs::path index_path = dir / "index.json";
  auto got = fetch_to_file(url, index_path, more_left ? Validators{} : validators, fetch);
  if (!got) return tl::unexpected("index: " + got.error());
  CertfrSync out;
  out.validators = got->validators;
  if (got->not_modified && !more_left && fs::exists(index_path, ec)) {
    out.not_modified = true;
    return out;
  }
  auto body = detail::read_file(index_path);
  if (!body) return tl::unexpected(body.error());
  auto index = parse_certfr_index(*body, report);
  if (!index) return tl::unexpected("index: " + index.error());
  std::vector<const CertfrIndexEntry*> wanted;
  for (const auto& e : *index) {
    if (!safe_reference(e.reference)) {
      ++report.invalid;
      detail::add_error(report, "index: reference " + detail::quoted(e.reference) + " refused");
      continue;
    }
    const fs::path file = dir / (e.reference + ".json");
    std::error_code e2;
    const auto mtime = fs::last_write_time(file, e2);
    if (!e2 ? unix_of(mtime) < e.last_revision_date : e.last_revision_date >= oldest)
      wanted.push_back(&e);
    else if (e2)
      ++out.old;
  }
  std::sort(wanted.begin(), wanted.end(), [](const CertfrIndexEntry* a, const CertfrIndexEntry* b) {
    return a->last_revision_date < b->last_revision_date;
  });
  out.more = wanted.size() > max_documents;
  if (out.more) wanted.resize(max_documents);
  for (const CertfrIndexEntry* e : wanted) {
    const fs::path file = dir / (e->reference + ".json");
    auto doc = fetch_to_file(resolve(url, e->json_url), file, {}, fetch);
    if (!doc) {
      ++report.invalid;
      detail::add_error(report, e->reference + ": " + doc.error());
      continue;
    }
    std::error_code e2;
    fs::last_write_time(file, file_time(e->last_revision_date), e2);
    out.fetched.push_back(file);
  }
  return out;
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
