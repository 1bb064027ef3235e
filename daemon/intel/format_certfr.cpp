// CERT-FR JSON (feeds/README.md "certfr"): the index of `/avis/json/` and `/alerte/json/`, and
// the per-document JSON of `/<avis|alerte>/<REF>/json/`.
#include <algorithm>

#include "intel/advisory_formats.hpp"
#include "intel/json_util.hpp"

namespace vigie::intel {
namespace {

namespace fs = std::filesystem;
using detail::str_or;

constexpr std::size_t kMaxItems = 10'000;       // per list of one document (CVEs, systems, ...)
constexpr std::size_t kMaxText = 64 * 1024;     // per text field
constexpr std::size_t kMaxDocuments = 200'000;  // per directory

std::string text_of(simdjson::dom::object o, std::string_view key) {
  std::string s(detail::trim(str_or(o, key)));
  if (s.size() > kMaxText) s.resize(kMaxText);
  return s;
}

// Each object of the array at `key` (absent or not an array: none), at most kMaxItems.
template <class Fn>
void each_object(simdjson::dom::object o, std::string_view key, Fn&& fn) {
  simdjson::dom::array arr;
  if (o.at_key(key).get_array().get(arr)) return;
  std::size_t n = 0;
  for (auto item : arr) {
    simdjson::dom::object obj;
    if (item.get_object().get(obj)) continue;
    if (++n > kMaxItems) break;
    fn(obj);
  }
}

}  // namespace

tl::expected<std::vector<CertfrIndexEntry>, std::string> parse_certfr_index(std::string_view body,
                                                                            ParseReport& report) {
  simdjson::dom::parser parser;
  auto root = detail::parse_json(parser, body);
  if (!root) return tl::unexpected(root.error());
  simdjson::dom::array arr;
  if (root->get_array().get(arr)) return tl::unexpected(std::string("not a CERT-FR index (a JSON array)"));
  std::vector<CertfrIndexEntry> out;
  std::size_t i = 0;
  for (auto item : arr) {
    ++i;
    ++report.records;
    simdjson::dom::object o;
    if (item.get_object().get(o)) {
      ++report.invalid;
      detail::add_error(report, "index entry " + std::to_string(i) + ": not an object");
      continue;
    }
    CertfrIndexEntry e;
    e.reference = std::string(detail::trim(str_or(o, "reference")));
    e.json_url = std::string(detail::trim(str_or(o, "json_url")));
    const auto date = detail::parse_time(str_or(o, "last_revision_date"));
    if (e.reference.empty() || e.json_url.empty() || !date) {
      ++report.invalid;
      detail::add_error(report, "index entry " + std::to_string(i) + " (" + detail::quoted(e.reference) +
                                    "): no reference, json_url or readable last_revision_date");
      continue;
    }
    e.last_revision_date = *date;
    out.push_back(std::move(e));
  }
  return out;
}

tl::expected<Advisory, std::string> parse_certfr_document(std::string_view body, std::string_view feed,
                                                          ParseReport& report) {
  simdjson::dom::parser parser;
  auto root = detail::parse_json(parser, body);
  if (!root) return tl::unexpected(root.error());
  simdjson::dom::object o;
  if (root->get_object().get(o)) return tl::unexpected(std::string("not a CERT-FR document (a JSON object)"));
  ++report.records;
  Advisory a;
  a.feed = std::string(feed);
  a.reference = text_of(o, "reference");
  if (a.reference.empty()) return tl::unexpected(std::string("not a CERT-FR document: no reference"));
  a.alert = a.reference.find("-ALE-") != std::string::npos;
  a.link = "https://www.cert.ssi.gouv.fr/" + std::string(a.alert ? "alerte/" : "avis/") + a.reference + "/";
  a.title = text_of(o, "title");
  a.summary = detail::html_to_text(text_of(o, "summary"), kMaxText);
  a.solution = text_of(o, "content");
  each_object(o, "affected_systems", [&](simdjson::dom::object s) {
    AffectedSystem sys;
    sys.description = text_of(s, "description");
    simdjson::dom::object product;
    if (!s.at_key("product").get_object().get(product)) {
      sys.product = text_of(product, "name");
      simdjson::dom::object vendor;
      if (!product.at_key("vendor").get_object().get(vendor)) sys.vendor = text_of(vendor, "name");
    }
    if (!sys.description.empty() || !sys.product.empty()) a.affected.push_back(std::move(sys));
  });
  each_object(o, "cves", [&](simdjson::dom::object c) { detail::find_cves(str_or(c, "name"), a.cves); });
  each_object(o, "risks", [&](simdjson::dom::object r) {
    if (auto d = text_of(r, "description"); !d.empty()) a.risks.push_back(std::move(d));
  });
  each_object(o, "vendor_advisories", [&](simdjson::dom::object v) {
    AdvisoryLink l;
    l.title = text_of(v, "title");
    l.url = text_of(v, "url");
    l.published = detail::parse_time(str_or(v, "published_at")).value_or(0);
    if (!l.url.empty() || !l.title.empty()) a.vendor_advisories.push_back(std::move(l));
  });
  std::string revision_text;
  each_object(o, "revisions", [&](simdjson::dom::object r) {
    AdvisoryRevision rev;
    rev.description = text_of(r, "description");
    const auto date = detail::parse_time(str_or(r, "revision_date"));
    if (!date) {
      detail::add_error(report, a.reference + ": revision without a readable revision_date, skipped");
      return;
    }
    rev.date = *date;
    revision_text += rev.description + "\n";
    a.revisions.push_back(std::move(rev));
  });
  std::stable_sort(a.revisions.begin(), a.revisions.end(),
                   [](const AdvisoryRevision& x, const AdvisoryRevision& y) { return x.date < y.date; });
  if (!a.revisions.empty()) {
    a.published = a.revisions.front().date;
    a.revised = a.revisions.back().date;
  }
  a.update = a.revisions.size() > 1;
  a.closed = detail::parse_time(str_or(o, "closed_at")).value_or(0);
  if (a.cves.empty()) detail::find_cves(a.title + "\n" + a.summary, a.cves);
  detail::tidy_cves(a.cves);
  a.exploited = detail::says_exploited(a.title + "\n" + a.summary + "\n" + a.solution + "\n" + revision_text);
  return a;
}

tl::expected<std::vector<Advisory>, std::string> read_certfr_dir(const fs::path& dir, std::string_view feed,
                                                                 ParseReport& report) {
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const fs::path& p = entry.path();
    std::error_code e2;
    if (p.extension() != ".json" || p.filename() == "index.json" || !entry.is_regular_file(e2)) continue;
    if (files.size() >= kMaxDocuments) {
      detail::add_error(report, dir.string() + ": more than 200,000 documents, the rest skipped");
      break;
    }
    files.push_back(p);
  }
  if (ec) return tl::unexpected(dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return read_certfr_files(files, feed, report);
}

std::vector<Advisory> read_certfr_files(const std::vector<fs::path>& files, std::string_view feed,
                                        ParseReport& report) {
  std::vector<Advisory> out;
  out.reserve(files.size());
  for (const auto& f : files) {
    auto body = detail::read_file(f);
    auto doc = body ? parse_certfr_document(*body, feed, report) : tl::unexpected(body.error());
    if (doc) {
      out.push_back(std::move(*doc));
    } else {
      ++report.records;
      ++report.invalid;
      detail::add_error(report, f.filename().string() + ": " + doc.error());
    }
  }
  return out;
}

}  // namespace vigie::intel
