#include "intel/exposure.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <tuple>

#include "store/software.hpp"

namespace vigie::intel {
namespace {

// Inventory rows read per product at most (every site's); past it the report says it is
// incomplete rather than "no site".
constexpr std::size_t kMaxRows = 200'000;

// The version statements of `a`: its affected systems, else the sentences of its title and
// summary (an RSS item says "OpenSSH versions antérieures à 9.8p1" in prose).
std::vector<AffectedRange> ranges_of(const Advisory& a) {
  std::vector<AffectedRange> out;
  for (const auto& s : a.affected) {
    const std::string text = s.description.empty() ? s.product : s.description;
    if (auto r = parse_affected(text, s.product)) out.push_back(std::move(*r));
  }
  if (!out.empty() || !a.affected.empty()) return out;
  std::string prose = a.title + ". " + a.summary;
  std::size_t from = 0;
  while (from < prose.size() && out.size() < 32) {
    std::size_t end = prose.find_first_of(".;\n", from);
    // "2.4.60" is not the end of a sentence: a dot between digits is part of a version.
    while (end != std::string::npos && prose[end] == '.' && end > 0 && end + 1 < prose.size() &&
           std::isdigit(static_cast<unsigned char>(prose[end - 1])) != 0 &&
           std::isdigit(static_cast<unsigned char>(prose[end + 1])) != 0)
      end = prose.find_first_of(".;\n", end + 1);
    const std::string sentence = prose.substr(from, end == std::string::npos ? std::string::npos : end - from);
    if (auto r = parse_affected(sentence); r && (!r->upper.empty() || !r->lower.empty() || r->all_versions))
      out.push_back(std::move(*r));
    if (end == std::string::npos) break;
    from = end + 1;
  }
  return out;
}

}  // namespace

core::Result<ExposureReport> find_exposed(store::Db& db, const Advisory& a, std::size_t limit) {
  ExposureReport report;
  const auto ranges = ranges_of(a);
  report.ranges = !ranges.empty();
  if (ranges.empty()) return report;
  auto products = store::software_products(db);
  if (!products) return tl::unexpected(products.error());
  // (exposure, site, software, host) → the most recent sighting and why.
  std::map<std::tuple<int, std::string, std::string, std::string>, ExposedHost> found;
  for (const auto& product : *products) {
    // The product is concerned when a range would look at it: an unversioned probe of it is
    // then undetermined, never not_affected.
    const Software probe{product, "", "", VersionScheme::dotted};
    std::vector<const AffectedRange*> concerned;
    for (const auto& r : ranges)
      if (match_exposure(probe, r).exposure != Exposure::not_affected) concerned.push_back(&r);
    if (concerned.empty()) continue;
    auto rows = store::software_of_product(db, product, kMaxRows + 1);
    if (!rows) return tl::unexpected(rows.error());
    if (rows->size() > kMaxRows) {
      rows->pop_back();
      report.incomplete = true;
    }
    // A host upgraded since shows its old banner too: only what it showed last counts, per
    // place it was seen (an SSH server, its package).
    std::map<std::tuple<std::string, std::string, std::string>, const store::SoftwareRow*> latest;
    for (const auto& row : *rows) {
      auto [it, fresh] = latest.try_emplace(std::make_tuple(row.site, row.host, row.source), &row);
      if (!fresh && row.last_seen > it->second->last_seen) it->second = &row;
    }
    for (const auto& [where, latest_row] : latest) {
      const store::SoftwareRow& row = *latest_row;
      const auto sw = identify_software(row.source, row.raw);
      if (!sw) continue;
      // The worst verdict of the ranges that concern it: affected beats undetermined.
      std::optional<ExposureVerdict> worst;
      for (const AffectedRange* r : concerned) {
        auto v = match_exposure(*sw, *r);
        if (v.exposure == Exposure::affected) {
          worst = std::move(v);
          break;
        }
        if (v.exposure == Exposure::undetermined && !worst) worst = std::move(v);
      }
      if (!worst) continue;
      std::string software = sw->product;
      if (!sw->version.empty()) software.append(" ").append(sw->version);
      if (!sw->distro.empty()) software.append(" ").append(sw->distro);
      const auto key = std::make_tuple(worst->exposure == Exposure::affected ? 0 : 1, row.site, software, row.host);
      auto [it, fresh] = found.try_emplace(key);
      ExposedHost& h = it->second;
      if (fresh) h = ExposedHost{row.site, software, row.host, row.last_seen, worst->exposure, worst->reason};
      h.last_seen = std::max(h.last_seen, row.last_seen);
    }
  }
  for (auto& [key, h] : found) {
    if (report.hosts.size() < limit)
      report.hosts.push_back(std::move(h));
    else
      ++report.more;
  }
  return report;
}

std::vector<std::string> exposure_lines(const ExposureReport& r) {
  std::vector<std::string> out;
  for (const auto& h : r.hosts)
    out.push_back(h.site + "\t" + h.software + "\t" + h.host + "\t" + std::to_string(h.last_seen / 1'000'000) + "\t" +
                  (h.exposure == Exposure::affected ? std::string()
                   : h.reason.empty()               ? "?"
                                                    : h.reason));
  if (r.more > 0)
    out.push_back("+\t" + std::to_string(r.more));
  else if (r.incomplete)
    out.push_back("+\t?");
  return out;
}

}  // namespace vigie::intel
