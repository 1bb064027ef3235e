// Advisory formats: readers that turn what CERT-FR and CERT Santé publish into Advisories
// (feeds/README.md, "Formats": certfr, rss, atom). The data plane rule holds as for the
// indicator formats (formats.hpp): untrusted bodies never throw and never crash; a body that
// cannot be read at all is an unexpected with the reason, a bad record is counted in the
// ParseReport and skipped. Every function is reentrant. Times are Unix seconds, UTC.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "intel/advisory.hpp"
#include "intel/formats.hpp"

namespace vigie::intel {

// One entry of a CERT-FR index (`GET /avis/json/`, `/alerte/json/`).
struct CertfrIndexEntry {
  std::string reference;           // CERTFR-2026-AVI-0194
  std::string json_url;            // the document, absolute or relative to the index
  int64_t last_revision_date = 0;  // Unix seconds
};

// The index: an array of {reference, json_url, last_revision_date}, in any order. An entry
// without a reference or a readable date is counted invalid and skipped.
[[nodiscard]] tl::expected<std::vector<CertfrIndexEntry>, std::string> parse_certfr_index(std::string_view body,
                                                                                          ParseReport& report);

// One CERT-FR document (`/avis/<REF>/json/`): reference, title, summary, content (the solution),
// affected_systems, cves, risks, vendor_advisories, revisions (dates without a zone are UTC),
// closed_at. A document without a reference is unexpected.
[[nodiscard]] tl::expected<Advisory, std::string> parse_certfr_document(std::string_view body, std::string_view feed,
                                                                        ParseReport& report);

// Every <REF>.json document of a directory (a local mirror, or the cache of a CERT-FR feed
// fetched by URL), by name; `index.json` is not a document. A file that cannot be read or
// parsed is counted invalid with its name, never fatal.
[[nodiscard]] tl::expected<std::vector<Advisory>, std::string> read_certfr_dir(const std::filesystem::path& dir,
                                                                               std::string_view feed,
                                                                               ParseReport& report);

// The documents `files`, in that order, read as read_certfr_dir does.
[[nodiscard]] std::vector<Advisory> read_certfr_files(const std::vector<std::filesystem::path>& files,
                                                      std::string_view feed, ParseReport& report);

// An RSS 2.0, RSS 1.0 or Atom feed of advisories (CERT Santé's alerts): one Advisory per item,
// every field optional (an item with no guid, id or link is invalid). Body not XML, or XML that is
// no feed: unexpected.
[[nodiscard]] tl::expected<std::vector<Advisory>, std::string> parse_advisory_feed(std::string_view body,
                                                                                   std::string_view feed,
                                                                                   ParseReport& report);

namespace detail {

// The CVE ids in `text` (any case, "cve-2026-53435" in a link too), upper case, appended to `out`.
void find_cves(std::string_view text, std::vector<std::string>& out);
// Sorts and removes duplicates.
void tidy_cves(std::vector<std::string>& cves);
// Whether French or English wording in `text` reports active exploitation.
[[nodiscard]] bool says_exploited(std::string_view text);
// HTML (as an RSS description carries it) to plain text: tags removed (<br>, </p> and </li> end
// a line), entities decoded, blanks collapsed; at most `max` bytes.
[[nodiscard]] std::string html_to_text(std::string_view html, std::size_t max = 16 * 1024);

}  // namespace detail

}  // namespace vigie::intel
