// IocIndex: the indicators of compromise workers look observables up in (DESIGN.md §3, §5). An
// immutable snapshot: built off the hot path from the indicators feeds supplied, then shared
// read-only between threads (std::shared_ptr<const IocIndex>) and swapped as a whole. No
// mutable state after construction: no cache, no lock; every const member is safe to call from
// any number of threads at once.
//
// Structure (daemon/intel/README.md, "IOC index"): one flat open-addressing hash table over the
// normalised keys of every type — text for domains, URLs and e-mails, raw bytes for hashes,
// masked 16-byte addresses for IPs, the CIDR prefix length being part of the key. Address
// lookups probe each prefix length present, longest first; domain lookups probe the name then
// each parent, closest first. Lookups normalise into a stack buffer and do not allocate.
//
// Guards against feed poisoning (too broad, private, public suffix, allowlisted, expired,
// duplicate, over the cap) refuse an indicator at construction and count it in stats().
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/net.hpp"
#include "intel/indicator.hpp"

namespace vigie::intel {

struct IndexOptions {
  // Private, loopback, link-local... ranges that MAY be indicators: an indicator inside one of
  // them is not refused as private_range (default: none may).
  std::vector<core::Cidr> allow_ranges;
  // Values that never match, each told by its shape: an address or CIDR range (an indicator
  // inside it, or a range containing it, is dropped), "scheme://..." a URL, "local@domain" an
  // e-mail, 32/40/64 hex digits a hash, anything else a domain (the name and its subdomains;
  // URLs on that host and e-mails at that domain are dropped too, and so is a listed parent
  // that would cover it). Entries that are none of these are counted in allowlist_invalid.
  std::vector<std::string> allowlist;
  int64_t now = 0;                         // Unix seconds; expires != 0 && expires <= now: left out
  std::size_t max_indicators = 2'000'000;  // cap on indexed indicators; beyond it refused
};

// Every indicator given to the constructor is counted exactly once: indexed, or under the first
// guard that refused it, in this order.
struct IndexStats {
  std::size_t indexed = 0;
  std::size_t invalid = 0;            // empty, or not a valid value of its type
  std::size_t expired = 0;            // expires != 0 && expires <= options.now
  std::size_t too_broad = 0;          // IPv4 range shorter than /8, IPv6 shorter than /16 or spanning IPv4
  std::size_t private_range = 0;      // overlaps a private/loopback/link-local/... range, not allowed
  std::size_t public_suffix = 0;      // a domain that is a public suffix or a single label
  std::size_t allowlisted = 0;        // matched or covered options.allowlist
  std::size_t duplicates = 0;         // same type and normalised value as an indexed one (the first is kept)
  std::size_t over_cap = 0;           // past options.max_indicators
  std::size_t allowlist_invalid = 0;  // entries of options.allowlist that were none of the shapes
};

class IocIndex {
 public:
  IocIndex();  // empty
  explicit IocIndex(std::vector<Indicator> indicators, const IndexOptions& options = {});

  // The indicator listed for `value` (as seen in an event, normalised on the fly), or nullptr.
  // Domains: the name or its closest listed parent. IPs: as find_ip(); a CIDR value finds the
  // longest listed range containing it. Does not allocate, except for URLs longer than 4 KiB
  // (which are refused: nullptr).
  [[nodiscard]] const Indicator* find(IocType type, std::string_view value) const;
  // The exact address if listed, else the longest listed range containing it. IPv4-mapped IPv6
  // addresses are the IPv4 address.
  [[nodiscard]] const Indicator* find_ip(const core::IpAddress& ip) const;

  [[nodiscard]] bool empty() const { return indicators_.empty(); }
  [[nodiscard]] std::size_t size() const { return indicators_.size(); }
  [[nodiscard]] const IndexStats& stats() const { return stats_; }
  // Approximate heap use of the index, indicators' strings included.
  [[nodiscard]] std::size_t memory_bytes() const;
  // What is indexed, in the order given, values as the feeds gave them; find() returns pointers
  // into it.
  [[nodiscard]] const std::vector<Indicator>& indicators() const { return indicators_; }

  // Canonical form of `value` for `type`, or nullopt if it is not a valid one (the rules applied
  // on both sides; README "Normalisation").
  [[nodiscard]] static std::optional<std::string> normalise(IocType type, std::string_view value);

 private:
  // 8 bytes, eight to a cache line: the table's size is what lookups pay for (misses in the
  // caches), more than a second access on a hit (tests/bench/README.md, "IOC index"). An IPv4
  // key is held in its slot; any other key in a record of arena_: entry (4 bytes), kind (1),
  // length (2), the key's bytes.
  struct Slot {
    uint32_t word = 0;  // IPv4 key: the masked address; else the high half of the key's hash
    uint32_t ref = 0;   // 0: empty; kInline | prefix length << 25 | entry: an IPv4 key; else
                        // 1 + the offset of the key's record in arena_
  };
  static constexpr uint32_t kInline = 1U << 31;
  static constexpr uint32_t kMaxEntry = (1U << 25) - 1;  // entries of IPv4 slots: 25 bits
  static constexpr std::size_t kRecordHeader = 7;

  [[nodiscard]] static bool is_inline(const Slot& slot) { return (slot.ref & kInline) != 0; }
  // The slot's key kind and bytes (for an IPv4 slot, the bytes of slot.word).
  [[nodiscard]] uint8_t kind_of_slot(const Slot& slot) const;
  [[nodiscard]] std::string_view key_of(const Slot& slot) const;
  [[nodiscard]] uint32_t entry_of(const Slot& slot) const;  // position in indicators_
  [[nodiscard]] const Indicator* probe(uint8_t kind, const void* key, std::size_t length, uint64_t hash) const;
  [[nodiscard]] const Indicator* probe_v4(uint32_t key, int bits, uint64_t hash) const;
  [[nodiscard]] const Indicator* probe_key(uint8_t kind, std::string_view key, uint64_t hash) const;  // either
  [[nodiscard]] const Indicator* find_net(const uint8_t* bytes, int bits) const;
  [[nodiscard]] const Indicator* find_v4(uint32_t addr, int bits) const;  // addr in network byte order
  // Build only: the indexed indicator with this key, or nullptr after adding `ind` under it.
  const Indicator* insert(uint8_t kind, std::string_view key, Indicator& ind);
  void place(const Slot& slot, uint64_t hash);
  void resize_table(std::size_t entries);

  std::vector<Indicator> indicators_;
  std::string arena_;        // the records of the keys other than IPv4, back to back
  std::vector<Slot> slots_;  // power of two, at most 3/4 full
  uint64_t mask_ = 0;        // slots_.size() - 1
  // IPv4 prefix lengths listed, by /16 block of the address (bit p - 16 for /p, p = 16..32):
  // a lookup probes only the lengths listed in its block. 256 KiB, empty when no v4 key is /16
  // or longer.
  std::vector<uint32_t> v4_blocks_;
  std::vector<uint8_t> v4_short_;  // IPv4 lengths /8../15 listed (of 128: 104..111), longest first
  std::vector<uint8_t> v6_bits_;   // IPv6 lengths listed (of 128), longest first
  uint64_t domain_labels_ = 0;     // bit n: a domain of n labels is listed (bit 63: 63 or more)
  IndexStats stats_;
};

}  // namespace vigie::intel
