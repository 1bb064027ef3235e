// IocIndex: the indicators of compromise workers look observables up in (DESIGN.md §3, §5). An
// immutable snapshot: built off the hot path from the indicators feeds supplied, then shared
// read-only (std::shared_ptr<const IocIndex>) and swapped as a whole. Empty until feeds are
// loaded. Lookups are one hash probe per candidate value; domains also match their parents
// (an indicator `evil.example` matches `a.b.evil.example`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vigie::intel {

enum class IocType : uint8_t { ip, domain, url, md5, sha1, sha256 };

[[nodiscard]] std::string_view ioc_type_name(IocType t);
[[nodiscard]] std::optional<IocType> ioc_type(std::string_view name);

struct Indicator {
  IocType type = IocType::ip;
  std::string value;     // as the feed gave it
  std::string feed;      // feed name
  std::string advisory;  // reference of the advisory that supplied it, may be empty
};

class IocIndex {
 public:
  IocIndex() = default;
  // Values are normalised (addresses in canonical form, domains and hashes lower-cased, a
  // domain's trailing dot removed); an indicator whose value is not valid for its type is
  // skipped and counted in rejected(). A value listed twice keeps its first indicator.
  explicit IocIndex(std::vector<Indicator> indicators);

  // The indicator for `value` of type `type`, or nullptr. For domains, the closest listed parent
  // counts too.
  [[nodiscard]] const Indicator* find(IocType type, std::string_view value) const;

  [[nodiscard]] std::size_t size() const { return indicators_.size(); }
  [[nodiscard]] std::size_t rejected() const { return rejected_; }

  // Canonical form of `value` for `type`, or nullopt if it is not one (used on both sides).
  [[nodiscard]] static std::optional<std::string> normalise(IocType type, std::string_view value);

 private:
  struct Key {
    IocType type;
    std::string value;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
      return std::hash<std::string>{}(k.value) ^ (static_cast<std::size_t>(k.type) * 0x9e3779b97f4a7c15ULL);
    }
  };
  [[nodiscard]] const Indicator* lookup(IocType type, std::string value) const;

  std::vector<Indicator> indicators_;
  std::unordered_map<Key, std::size_t, KeyHash> by_value_;  // → position in indicators_
  std::size_t rejected_ = 0;
};

}  // namespace vigie::intel
