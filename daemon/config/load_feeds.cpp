// `feeds:`, `advisories:` and `detection.ioc` (DESIGN.md §6): indicator and advisory feeds read
// from local files or fetched by URL, what of the advisories is relayed, and the guards of the
// IOC index.
#include <algorithm>
#include <array>
#include <set>

#include "config/load.hpp"
#include "config/syntax.hpp"
#include "core/alert.hpp"

namespace vigie::config::detail {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 8> kFormats = {"csv",  "zeek-intel", "list", "stix",
                                                      "misp", "certfr",     "rss",  "atom"};
constexpr std::array<std::string_view, 7> kTypes = {"ip", "domain", "url", "md5", "sha1", "sha256", "email"};

template <std::size_t N>
std::string joined(const std::array<std::string_view, N>& names) {
  std::string out;
  for (const auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

}  // namespace

void load_feeds(const Value& v, LoadContext& ctx, Config& cfg) {
  auto items = v.sequence();
  if (!items) return;
  std::set<std::string> names;
  for (const auto& item : *items) {
    auto m = item.map({"name", "format", "path", "url", "proxy", "ca_file", "timeout", "max_size", "type", "tlp",
                       "confidence", "every", "enabled", "relay"});
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
        if (std::find(kFormats.begin(), kFormats.end(), *s) == kFormats.end())
          f->error("unknown format '" + *s + "' (one of " + joined(kFormats) + ")");
        feed.format = *s;
      }
    } else {
      item.error("missing required key 'format'");
    }
    if (auto r = m->get("relay")) {
      if (!is_advisory_format(feed.format))
        r->error("applies to the advisory formats only (certfr, rss, atom)");
      else if (auto b = r->boolean())
        feed.relay = *b;
    }
    const auto path = m->get("path");
    const auto url = m->get("url");
    if (path && url) {
      url->error("a feed has a path or a url, not both");
    } else if (path) {
      if (auto p = read_path(*path, ctx)) feed.path = *p;
    } else if (url) {
      if (auto u = url->string()) {
        if (u->rfind("https://", 0) != 0 && u->rfind("http://", 0) != 0)
          url->error("'" + *u + "' is not an http:// or https:// URL");
        feed.url = *u;
      }
    } else {
      item.error("missing required key 'path' (or 'url')");
    }
    for (const char* key : {"proxy", "ca_file", "timeout", "max_size"}) {
      const auto opt = m->get(key);
      if (!opt) continue;
      if (!url) {
        opt->error("applies to feeds fetched by url only");
        continue;
      }
      const std::string k = key;
      if (k == "proxy") {
        if (auto s = opt->string()) feed.proxy = *s;
      } else if (k == "ca_file") {
        if (auto p = read_path(*opt, ctx)) feed.ca_file = *p;
      } else if (k == "timeout") {
        if (auto d = opt->duration(false)) feed.timeout = std::max<core::Duration>(*d, std::chrono::seconds(1));
      } else if (auto text = opt->string()) {
        const auto n = parse_size(*text);
        if (!n || *n == 0)
          opt->error("invalid size '" + *text + "' (bytes, or with a suffix: 64MiB)");
        else
          feed.max_bytes = *n;
      }
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
    // CERT advisories are public publications: CLEAR unless the feed says otherwise.
    if (is_advisory_format(feed.format)) feed.tlp = "CLEAR";
    if (auto t = m->get("tlp")) {
      if (auto s = t->string()) {
        if (auto tlp = core::parse_tlp(*s))
          feed.tlp = *tlp;
        else
          t->error("'" + *s + "' is not a TLP (CLEAR, GREEN, AMBER, AMBER+STRICT, RED)");
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

void load_advisories(const Value& v, Config& cfg) {
  auto m = v.map({"max_age", "min_level", "keywords", "products", "max_documents"});
  if (!m) return;
  Advisories& a = cfg.advisories;
  if (auto d = m->get("max_age"))
    if (auto t = d->duration(true)) a.max_age = *t;
  if (auto l = m->get("min_level")) {
    if (auto s = l->string()) {
      if (auto level = core::parse_level(*s))
        a.min_level = *level;
      else
        l->error("unknown level '" + *s + "' (informational, low, medium, high, critical)");
    }
  }
  if (auto k = m->get("keywords"))
    if (auto list = k->strings()) a.keywords = *list;
  if (auto p = m->get("products"))
    if (auto list = p->strings()) a.products = *list;
  if (auto n = m->get("max_documents"))
    if (auto k = n->integer(1, 100'000)) a.max_documents = static_cast<std::size_t>(*k);
}

void load_ioc(const Value& v, Config& cfg) {
  auto m = v.map({"allowlist", "allow_ranges", "max_indicators", "retro_hunt"});
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
    // The index's slots hold 25-bit positions (intel/README.md).
    if (auto k = n->integer(1, 30'000'000)) cfg.detection.ioc.max_indicators = static_cast<std::size_t>(*k);
  if (auto r = m->get("retro_hunt")) {
    auto rm = r->map({"enabled", "retention", "flush_every", "max_entries"});
    if (!rm) return;
    RetroHunt& rh = cfg.detection.ioc.retro_hunt;
    if (auto e = rm->get("enabled"))
      if (auto b = e->boolean()) rh.enabled = *b;
    if (auto d = rm->get("retention"))
      if (auto t = d->duration(false)) rh.retention = *t;
    if (auto d = rm->get("flush_every"))
      if (auto t = d->duration(false)) rh.flush_every = *t;
    if (auto n = rm->get("max_entries"))
      if (auto k = n->integer(1'000, 10'000'000)) rh.max_entries = static_cast<std::size_t>(*k);
  }
}

}  // namespace vigie::config::detail
