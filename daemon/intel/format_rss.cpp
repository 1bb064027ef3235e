// RSS 2.0, RSS 1.0 (RDF) and Atom feeds of advisories (feeds/README.md "rss / atom"), read with
// pugixml (Debian libpugixml-dev). CERT Santé's layout is not fixed: every element is optional
// and namespaced variants (dc:date, content:encoded) are read too. RFC 822 dates are parsed by
// libcurl's curl_getdate (already linked for fetching), ISO 8601 ones as the other formats do.
#include <curl/curl.h>
#include <pugixml.hpp>

#include <cstring>

#include "intel/advisory_formats.hpp"

namespace vigie::intel {
namespace {

constexpr std::size_t kMaxItems = 10'000;
constexpr std::size_t kMaxText = 16 * 1024;

// The element's name without its namespace prefix ("dc:date" → "date").
std::string_view local_name(const pugi::xml_node& n) {
  std::string_view name = n.name();
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child(const pugi::xml_node& n, std::string_view name) {
  for (auto c : n.children())
    if (c.type() == pugi::node_element && local_name(c) == name) return c;
  return {};
}

// Text of an element, CDATA included.
std::string text(const pugi::xml_node& n) {
  std::string out;
  for (auto c : n.children())
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
  return std::string(detail::trim(out));
}

int64_t date_of(const std::string& s) {
  if (s.empty()) return 0;
  if (auto iso = detail::parse_time(s)) return *iso;
  const time_t t = curl_getdate(s.c_str(), nullptr);
  return t == -1 ? 0 : static_cast<int64_t>(t);
}

// "[MàJ] ", "[MAJ] ", "[Mise à jour] ", "Mise à jour : " at the start of a title.
bool strip_update_marker(std::string& title) {
  static constexpr std::string_view kMarkers[] = {"[MàJ]",         "[MAJ]",         "[Maj]",    "[MÀJ]",
                                                  "[Mise à jour]", "Mise à jour :", "[UPDATE]", "[Update]"};
  for (const auto m : kMarkers)
    if (title.rfind(m, 0) == 0) {
      title = std::string(detail::trim(std::string_view(title).substr(m.size())));
      return true;
    }
  return false;
}

Advisory item_of(const pugi::xml_node& item, bool atom, std::string_view feed) {
  Advisory a;
  a.feed = std::string(feed);
  a.alert = true;
  a.title = detail::html_to_text(text(child(item, "title")), 1024);
  a.update = strip_update_marker(a.title);
  if (atom) {
    for (auto l : item.children())
      if (local_name(l) == "link" && (std::strcmp(l.attribute("rel").as_string("alternate"), "alternate") == 0)) {
        a.link = l.attribute("href").as_string();
        break;
      }
  } else {
    a.link = text(child(item, "link"));
  }
  std::string html;
  for (const char* name : {"description", "encoded", "summary", "content"})
    if (auto n = child(item, name); n && html.empty()) html = text(n);
  a.summary = detail::html_to_text(html, kMaxText);
  a.reference = text(child(item, atom ? "id" : "guid"));
  if (a.reference.empty()) a.reference = a.link;
  if (a.reference.size() > 512) a.reference.resize(512);
  a.published = date_of(text(child(item, atom ? "published" : "pubDate")));
  if (a.published == 0) a.published = date_of(text(child(item, "date")));  // dc:date, RSS 1.0
  const int64_t updated = date_of(text(child(item, "updated")));
  if (a.published == 0) a.published = updated;
  a.revised = std::max(a.published, updated);
  if (!a.update && (a.summary.rfind("Mise à jour :", 0) == 0 || a.summary.rfind("Mise à jour:", 0) == 0))
    a.update = true;
  detail::find_cves(a.title + "\n" + a.link + "\n" + a.summary, a.cves);
  detail::tidy_cves(a.cves);
  a.exploited = detail::says_exploited(a.title + "\n" + a.summary);
  return a;
}

}  // namespace

tl::expected<std::vector<Advisory>, std::string> parse_advisory_feed(std::string_view body, std::string_view feed,
                                                                     ParseReport& report) {
  if (detail::trim(body).empty()) return tl::unexpected(std::string("empty body, not XML"));
  pugi::xml_document doc;
  const auto r = doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata_single);
  if (!r) return tl::unexpected("not XML: " + std::string(r.description()) + " at byte " + std::to_string(r.offset));
  const pugi::xml_node root = doc.document_element();
  const std::string_view kind = local_name(root);
  std::vector<pugi::xml_node> items;
  bool atom = false;
  const auto collect = [&](const pugi::xml_node& parent, std::string_view name) {
    for (auto c : parent.children())
      if (c.type() == pugi::node_element && local_name(c) == name) items.push_back(c);
  };
  if (kind == "rss") {
    collect(child(root, "channel"), "item");
  } else if (kind == "RDF") {
    collect(root, "item");
  } else if (kind == "feed") {
    atom = true;
    collect(root, "entry");
  } else {
    return tl::unexpected("not an RSS or Atom feed (root element <" + std::string(root.name()) + ">)");
  }
  std::vector<Advisory> out;
  for (const auto& item : items) {
    if (out.size() >= kMaxItems) {
      detail::add_error(report, "more than 10,000 items, the rest skipped");
      break;
    }
    ++report.records;
    Advisory a = item_of(item, atom, feed);
    if (a.reference.empty()) {
      ++report.invalid;
      detail::add_error(
          report, "item " + std::to_string(report.records) + " (" + detail::quoted(a.title) + "): no guid, id or link");
      continue;
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace vigie::intel
