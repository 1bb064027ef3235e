#include "config/config.hpp"

#include <algorithm>
#include <thread>

namespace vigie::config {

std::size_t Config::worker_threads() const {
  const unsigned hw = std::thread::hardware_concurrency();
  const int n = workers > 0 ? workers : static_cast<int>(hw > 0 ? hw : 1);
  return static_cast<std::size_t>(std::clamp(n, 1, 64));
}

const Site* Config::site(std::string_view id) const {
  for (const auto& s : sites)
    if (s.id == id) return &s;
  return nullptr;
}

Config::NetKey Config::net_key(const core::IpAddress& ip, int prefix) {
  NetKey k;
  int bits = prefix + (ip.v4 ? 96 : 0);  // v4 addresses sit in ::ffff:0:0/96
  for (std::size_t i = 0; i < 16; ++i, bits -= 8) {
    if (bits >= 8)
      k.bytes[i] = ip.bytes[i];
    else if (bits > 0)
      k.bytes[i] = static_cast<uint8_t>(ip.bytes[i] & (0xff << (8 - bits)));
  }
  k.bytes[16] = static_cast<uint8_t>(prefix);
  k.bytes[17] = ip.v4 ? 4 : 6;
  return k;
}

std::size_t Config::NetKeyHash::operator()(const NetKey& k) const noexcept {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (uint8_t b : k.bytes) {
    h ^= b;
    h *= 1099511628211ULL;
  }
  return static_cast<std::size_t>(h);
}

void Config::index_sites() {
  index_.clear();
  index_prefixes_.clear();
  for (std::size_t i = 0; i < sites.size(); ++i) {
    for (const auto& net : sites[i].networks) {
      // First site wins on an identical network, as in the scan (load_config rejects those).
      index_.emplace(net_key(net.network, net.prefix), i);
      const int p = net.prefix + (net.network.v4 ? 96 : 0);
      if (std::find(index_prefixes_.begin(), index_prefixes_.end(), p) == index_prefixes_.end())
        index_prefixes_.push_back(p);
    }
  }
  std::sort(index_prefixes_.begin(), index_prefixes_.end(), std::greater<>());
  indexed_sites_ = sites.size();
}

const Site* Config::site_for(const core::IpAddress& ip) const {
  if (indexed_sites_ != sites.size()) return scan_site_for(ip);
  for (const int p : index_prefixes_) {
    // Prefixes are kept in the 128-bit space so v4 and v6 networks share one ordering.
    const int prefix = ip.v4 ? p - 96 : p;
    if (prefix < 0 || (ip.v4 && prefix > 32)) continue;
    auto it = index_.find(net_key(ip, prefix));
    if (it != index_.end()) return &sites[it->second];
  }
  return nullptr;
}

const Site* Config::scan_site_for(const core::IpAddress& ip) const {
  const Site* best = nullptr;
  int best_prefix = -1;
  for (const auto& s : sites) {
    for (const auto& net : s.networks) {
      if (net.prefix > best_prefix && net.contains(ip)) {
        best = &s;
        best_prefix = net.prefix;
      }
    }
  }
  return best;
}

std::filesystem::path Config::maildir() const {
  if (!notify.maildir.empty()) return notify.maildir;
  return storage.path.parent_path() / "maildir";
}

std::filesystem::path Config::feed_spool() const { return storage.path.parent_path() / "feeds"; }
std::filesystem::path Config::feed_cache() const { return storage.path.parent_path() / "feeds-cache"; }

}  // namespace vigie::config
