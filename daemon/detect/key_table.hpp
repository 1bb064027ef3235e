// KeyTable: the bounded store behind the Correlator's state (DESIGN.md §3: every structure keyed
// by input has a cap; the oldest entry is evicted first and counted).
//
// Entries are keyed by (group, key text) — group = rule index, key text = serialized group-by
// values, i.e. text an attacker chooses. One hash lookup finds an entry; two intrusive orders
// keep "least recently touched first": one over the whole table, one per group. Creating an
// entry beyond a cap evicts the least recently touched entry of its group (per-group cap) or of
// the table (global cap) first, through a callback that counts it — O(1), never a scan.
//
//   index_ : "group(4 bytes) + key" ──► node of lru_
//   lru_   : Entry ◄──► Entry ◄──► ...        (whole table, oldest touch first)
//   groups_[g] : Entry* ◄──► Entry* ◄──► ...  (one group, oldest touch first)
//
// Single-threaded (the correlator thread owns it). Entry addresses are stable until erased.
#pragma once

#include <cstdint>
#include <cstring>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vigie::detect {

template <class V>
class KeyTable {
 public:
  struct Entry {
    uint32_t group = 0;
    std::string id;  // 4 bytes of group, then the key text: the index key (views into it)
    V value{};
    typename std::list<Entry*>::iterator in_group{};

    [[nodiscard]] std::string_view key() const { return std::string_view(id).substr(sizeof(uint32_t)); }
  };
  using List = std::list<Entry>;
  using iterator = typename List::iterator;

  // Caps of 0 are taken as 1: a table always holds the entry being touched.
  KeyTable(std::size_t groups, std::size_t max_per_group, std::size_t max_total)
      : groups_(groups), max_per_group_(max_per_group ? max_per_group : 1), max_total_(max_total ? max_total : 1) {}
  KeyTable(KeyTable&&) noexcept = default;
  KeyTable& operator=(KeyTable&&) noexcept = default;
  KeyTable(const KeyTable&) = delete;
  KeyTable& operator=(const KeyTable&) = delete;

  [[nodiscard]] std::size_t size() const { return lru_.size(); }
  [[nodiscard]] std::size_t size(uint32_t group) const { return group < groups_.size() ? groups_[group].size() : 0; }
  [[nodiscard]] bool empty() const { return lru_.empty(); }

  // Least recently touched first.
  iterator begin() { return lru_.begin(); }
  iterator end() { return lru_.end(); }
  [[nodiscard]] typename List::const_iterator begin() const { return lru_.begin(); }
  [[nodiscard]] typename List::const_iterator end() const { return lru_.end(); }

  // Without touching it; nullptr when absent.
  [[nodiscard]] Entry* find(uint32_t group, std::string_view key) {
    make_id(group, key);
    const auto it = index_.find(std::string_view(scratch_));
    return it == index_.end() ? nullptr : &*it->second;
  }

  // Finds or creates the entry and makes it the most recently touched. Creating one past a cap
  // first calls `on_evict(Entry&, bool group_cap)` on the victim (group_cap: the per-group cap,
  // else the global one was reached), then erases it. The returned reference stays
  // valid until that entry is erased.
  template <class OnEvict>
  Entry& touch(uint32_t group, std::string_view key, OnEvict&& on_evict) {
    make_id(group, key);
    if (const auto it = index_.find(std::string_view(scratch_)); it != index_.end()) {
      Entry& e = *it->second;
      lru_.splice(lru_.end(), lru_, it->second);
      auto& g = groups_[e.group];
      g.splice(g.end(), g, e.in_group);
      return e;
    }
    if (groups_[group].size() >= max_per_group_) {
      Entry& victim = *groups_[group].front();
      on_evict(victim, true);
      erase(victim);
    } else if (lru_.size() >= max_total_) {
      Entry& victim = lru_.front();
      on_evict(victim, false);
      erase(victim);
    }
    lru_.emplace_back();
    const auto node = std::prev(lru_.end());
    Entry& e = *node;
    e.group = group;
    e.id = scratch_;
    e.in_group = groups_[group].insert(groups_[group].end(), &e);
    index_.emplace(std::string_view(e.id), node);
    return e;
  }

  // Erases `e` (found or touched before); returns the entry that followed it in lru_ order.
  iterator erase(Entry& e) {
    const auto it = index_.find(std::string_view(e.id));
    const auto node = it->second;
    index_.erase(it);
    groups_[e.group].erase(e.in_group);
    return lru_.erase(node);
  }

 private:
  void make_id(uint32_t group, std::string_view key) {
    scratch_.resize(sizeof group);
    std::memcpy(scratch_.data(), &group, sizeof group);
    scratch_.append(key);
  }

  List lru_;
  std::unordered_map<std::string_view, iterator> index_;  // views into Entry::id (stable in lru_)
  std::vector<std::list<Entry*>> groups_;
  std::size_t max_per_group_;
  std::size_t max_total_;
  std::string scratch_;  // lookup key, reused
};

}  // namespace vigie::detect
