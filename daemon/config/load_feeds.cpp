// `feeds:` and `detection.ioc` (DESIGN.md §6): indicator feeds read from local files, and the
// guards of the IOC index. Fetching by URL and the advisory formats come later: their keys are
// errors that say so, so that `check` never accepts what `serve` would not do.
#include <algorithm>
#include <array>
#include <set>

#include "config/load.hpp"

namespace vigie::config::detail {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 5> kFormats = {"csv", "zeek-intel", "list", "stix", "misp"};
constexpr std::array<std::string_view, 7> kTypes = {"ip", "domain", "url", "md5", "sha1", "sha256", "email"};
constexpr std::array<std::string_view, 5> kTlps = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};

bool is_feed_name(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

template <std::size_t N>
std::string joined(const std::array<std::string_view, N>& names) {
  std::string out;
  for (const auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

}  // namespace

std::optional<std::string> normalise_tlp(std::string_view text) {
  std::string t(text);
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (t.rfind("TLP:", 0) == 0) t.erase(0, 4);
  if (t == "WHITE") t = "CLEAR";
  if (std::find(kTlps.begin(), kTlps.end(), t) == kTlps.end()) return std::nullopt;
  return t;
}

void load_feeds(const Value& v, LoadContext& ctx, Config& cfg) {
  auto items = v.sequence();
  if (!items) return;
  std::set<std::string> names;
  for (const auto& item : *items) {
    auto m = item.map({"name", "format", "path", "url", "type", "tlp", "confidence", "every", "enabled", "relay"});
    if (!m) continue;
    Feed feed;
    if (auto n = m->get("name")) {
      if (auto s = n->string()) {
        if (!is_feed_name(*s))
          n->error("'" + *s + "' is not a valid feed name (lower-case letters, digits and '-')");
        else if (!names.insert(*s).second)
          n->error("duplicate feed name '" + *s + "'");
        feed.name = *s;
      }
    } else {
      item.error("missing required key 'name'");
    }
    if (auto f = m->get("format")) {
      if (auto s = f->string()) {
        if (*s == "certfr" || *s == "rss" || *s == "atom")
          f->error("format '" + *s + "' is not available yet (advisory feeds are relayed in a later version)");
        else if (std::find(kFormats.begin(), kFormats.end(), *s) == kFormats.end())
          f->error("unknown format '" + *s + "' (one of " + joined(kFormats) + ")");
        feed.format = *s;
      }
    } else {
      item.error("missing required key 'format'");
    }
    if (auto u = m->get("url"))
      u->error("not available yet (feeds are read from local files, `path`, until fetching comes)");
    if (auto r = m->get("relay")) r->error("not available yet (advisories are relayed in a later version)");
    if (auto p = m->get("path")) {
      if (auto path = read_path(*p, ctx)) feed.path = *path;
    } else if (!m->has("url")) {
      item.error("missing required key 'path'");
    }
    if (auto t = m->get("type")) {
      if (auto s = t->string()) {
        if (feed.format != "list")
          t->error("applies to format 'list' only (the other formats name each value's type)");
        else if (std::find(kTypes.begin(), kTypes.end(), *s) == kTypes.end())
          t->error("unknown indicator type '" + *s + "' (one of " + joined(kTypes) + ")");
        feed.type = *s;
      }
    }
    if (auto t = m->get("tlp")) {
      if (auto s = t->string()) {
        if (auto tlp = normalise_tlp(*s))
          feed.tlp = *tlp;
        else
          t->error("'" + *s + "' is not a TLP (" + joined(kTlps) + ")");
      }
    }
    if (auto c = m->get("confidence"))
      if (auto n = c->integer(0, 100)) feed.confidence = static_cast<int>(*n);
    if (auto e = m->get("every"))
      if (auto d = e->duration(false)) feed.every = *d;
    if (auto e = m->get("enabled"))
      if (auto b = e->boolean()) feed.enabled = *b;
    cfg.feeds.push_back(std::move(feed));
  }
}

void load_ioc(const Value& v, Config& cfg) {
  auto m = v.map({"allowlist", "allow_ranges", "max_indicators"});
  if (!m) return;
  if (auto a = m->get("allowlist"))
    if (auto list = a->strings()) cfg.detection.ioc.allowlist = *list;
  if (auto a = m->get("allow_ranges")) {
    for (const auto& item : a->sequence().value_or(std::vector<Value>{})) {
      auto s = item.string();
      if (!s) continue;
      if (auto c = core::Cidr::parse(*s))
        cfg.detection.ioc.allow_ranges.push_back(*c);
      else
        item.error("'" + *s + "' is not an address range (CIDR)");
    }
  }
  if (auto n = m->get("max_indicators"))
    if (auto k = n->integer(1, 100'000'000)) cfg.detection.ioc.max_indicators = static_cast<std::size_t>(*k);
}

}  // namespace vigie::config::detail
