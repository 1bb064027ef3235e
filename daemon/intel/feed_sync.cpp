#include "intel/feed_sync.hpp"

#include <algorithm>
#include <set>

#include "intel/advisory_formats.hpp"

namespace vigie::intel {
namespace {

namespace fs = std::filesystem;

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

// "https://host:port" of a URL, lower-cased.
std::string origin(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return {};
  const auto end = url.find_first_of("/?#", scheme + 3);
  std::string o = url.substr(0, end);
  for (auto& c : o)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return o;
}

// A MISP feed URL names a directory: its files are below it.
std::string below(const std::string& url, const std::string& file) {
  return url + (url.empty() || url.back() == '/' ? "" : "/") + file;
}

}  // namespace

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
    const std::string doc_url = resolve(url, e->json_url);
    if (origin(doc_url) != origin(url)) {  // the index names documents of its own site only
      ++report.invalid;
      detail::add_error(report,
                        e->reference + ": json_url " + detail::quoted(doc_url) + " is on another site, refused");
      continue;
    }
    auto doc = fetch_to_file(doc_url, file, {}, fetch);
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

tl::expected<MispSync, std::string> sync_misp(const std::string& url, const fs::path& dir, const Validators& validators,
                                              const FetchOptions& fetch, std::vector<std::string>& failed) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return tl::unexpected(dir.string() + ": " + ec.message());
  const fs::path manifest_path = dir / "manifest.json";
  auto got = fetch_to_file(below(url, "manifest.json"), manifest_path, validators, fetch);
  if (!got) return tl::unexpected("manifest: " + got.error());
  MispSync out;
  out.validators = got->validators;
  auto body = detail::read_file(manifest_path);
  if (!body) return tl::unexpected(body.error());
  ParseReport report;
  auto events = parse_misp_manifest(*body, report);
  if (!events) return tl::unexpected("manifest: " + events.error());
  std::set<std::string> listed;
  for (const auto& e : *events) {
    listed.insert(e.uuid + ".json");
    const fs::path file = dir / (e.uuid + ".json");
    std::error_code e2;
    const auto mtime = fs::last_write_time(file, e2);
    if (!e2 && unix_of(mtime) >= e.timestamp) continue;
    auto ev = fetch_to_file(below(url, e.uuid + ".json"), file, {}, fetch);
    if (!ev) {
      failed.push_back(e.uuid + ": " + ev.error());
      continue;
    }
    fs::last_write_time(file, file_time(e.timestamp), e2);
    ++out.fetched;
  }
  // Events that left the manifest expire: their files go, so the reader no longer sees them.
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == "manifest.json" || entry.path().extension() != ".json" || listed.count(name)) continue;
    std::error_code e2;
    if (fs::remove(entry.path(), e2)) ++out.removed;
  }
  out.not_modified = got->not_modified && out.fetched == 0 && out.removed == 0 && failed.empty();
  return out;
}

}  // namespace vigie::intel
