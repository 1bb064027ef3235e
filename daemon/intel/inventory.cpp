#include "intel/inventory.hpp"

#include "core/net.hpp"
#include "intel/software.hpp"
#include "store/sqlite.hpp"

namespace vigie::intel {
namespace {

std::string_view field(const core::Event& e, std::string_view name) { return e.get(name).value_or(std::string_view{}); }

}  // namespace

void InventoryAggregator::add(const core::Event& e, std::string_view site) {
  if (site.empty()) return;  // an inventory is per site
  // One lookup decides for almost every event: only these datasets carry software.
  const std::string_view dataset = field(e, "event.dataset");
  const int64_t at = store::us(e.time != core::TimePoint{} ? e.time : e.ingested);
  const auto sender = [&] { return e.value(core::Field::source_ip); };  // the banner's or header's sender
  if (dataset == "pcap.ssh") {
    for (const std::string_view source : {"ssh.server.version", "ssh.client.version"})
      if (const auto v = field(e, source); !v.empty()) sight(site, sender(), source, v, at, true);
  } else if (dataset == "pcap.http") {
    if (const auto v = field(e, "http.response.server"); !v.empty())
      sight(site, sender(), "http.response.server", v, at, true);
  } else if (dataset == "pcap.tls") {
    for (const std::string_view source : {"tls.server.subject", "tls.server.issuer"})
      if (const auto v = field(e, source); !v.empty()) sight(site, sender(), source, v, at, true);
  } else if (const auto name = field(e, "package.name"); !name.empty()) {
    // A package named in a log (dpkg, rpm): its host is the sender's host name.
    const auto version = field(e, "package.version");
    std::string raw(name);
    if (!version.empty()) raw.append(" ").append(version);
    sight(site, e.value(core::Field::hostname), "package", raw, at, false);
  }
}

void InventoryAggregator::sight(std::string_view site, std::string_view host, std::string_view source,
                                std::string_view raw, int64_t at, bool server) {
  if (server) {
    // A server of the site, not one its clients reached: its address in the site's networks.
    const config::Site* s = cfg_.site(site);
    if (s != nullptr && !s->networks.empty()) {
      const auto ip = core::IpAddress::parse(host);
      if (!ip || cfg_.site_for(*ip) != s) {
        ++stats_.foreign;
        return;
      }
    }
  }
  if (raw.size() > kMaxRaw) raw = raw.substr(0, kMaxRaw);
  auto it = entries_.find(std::forward_as_tuple(site, host, source, raw));
  if (it == entries_.end()) {
    if (entries_.size() >= max_entries_) {
      ++stats_.dropped;
      return;
    }
    it = entries_.emplace(Key{site, host, source, raw}, Entry{at, at, 0}).first;
  }
  Entry& en = it->second;
  en.first = std::min(en.first, at);
  en.last = std::max(en.last, at);
  ++en.count;
  ++stats_.observed;
}

std::vector<store::SoftwareRow> InventoryAggregator::take() {
  std::vector<store::SoftwareRow> out;
  out.reserve(entries_.size());
  for (const auto& [key, en] : entries_) {
    const auto& [site, host, source, raw] = key;
    const auto sw = identify_software(source, raw);
    // Any server's certificate is not software; an appliance's default one is.
    if (!sw && source.rfind("tls.", 0) == 0) continue;
    store::SoftwareRow row;
    row.site = site;
    row.host = host;
    row.source = source;
    row.raw = raw;
    if (sw) {
      row.product = sw->product;
      row.version = sw->version;
      row.distro = sw->distro;
    }
    row.first_seen = en.first;
    row.last_seen = en.last;
    row.count = en.count;
    out.push_back(std::move(row));
  }
  entries_.clear();
  return out;
}

}  // namespace vigie::intel
