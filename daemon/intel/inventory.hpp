// The exposure inventory's sightings (daemon/intel/README.md, "Exposure"): the software events
// show — SSH identification strings, HTTP Server headers, TLS certificates of appliances,
// packages named in logs — aggregated per (site, host, source, string) on the worker that saw
// them, then handed to the observables writer (app/observables_thread.hpp), which upserts them
// into the store's `software` table (store/software.hpp).
//
// Only a site's own software counts: a server banner is kept when the server's address lies in
// the site's networks (or the site names none: a spool-only site), so that the banners of every
// external server a site's clients reach do not fill its inventory. TLS certificates are kept
// only when they name a known appliance (identify_software); any certificate would be noise.
//
// Thread: an InventoryAggregator belongs to one worker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "config/config.hpp"
#include "core/event.hpp"
#include "store/software.hpp"

namespace vigie::intel {

struct InventoryStats {
  uint64_t observed = 0;  // sightings aggregated
  uint64_t foreign = 0;   // server software outside the site's networks: not the site's
  uint64_t dropped = 0;   // new entries not kept: the cap was reached before the next take()
};

class InventoryAggregator {
 public:
  static constexpr std::size_t kDefaultMaxEntries = 10'000;
  static constexpr std::size_t kMaxRaw = 256;  // bytes of a string kept (banners are short)

  explicit InventoryAggregator(const config::Config& cfg, std::size_t max_entries = kDefaultMaxEntries)
      : cfg_(cfg), max_entries_(max_entries) {}

  // The software `e` shows, at `site`, seen at e.time.
  void add(const core::Event& e, std::string_view site);
  // What is aggregated, read by identify_software; empties the aggregator.
  [[nodiscard]] std::vector<store::SoftwareRow> take();

  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  [[nodiscard]] const InventoryStats& stats() const { return stats_; }

 private:
  struct Entry {
    int64_t first = 0, last = 0, count = 0;
  };
  using Key = std::tuple<std::string, std::string, std::string, std::string>;  // site, host, source, raw
  void sight(std::string_view site, std::string_view host, std::string_view source, std::string_view raw, int64_t at,
             bool server);

  const config::Config& cfg_;
  std::size_t max_entries_;
  std::map<Key, Entry, std::less<>> entries_;
  InventoryStats stats_;
};

}  // namespace vigie::intel
