// Observables: the fields of an event that can hold an indicator (addresses, domains, URLs,
// hashes, e-mail addresses), looked up in the IOC index on the hot path (DESIGN.md §5: the
// built-in IOC rule and the `|ioc` modifier). A match is written into the event as ECS `threat.*`
// fields, so that rules, correlation, the alert and its mail read it like any other field.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "core/event.hpp"
#include "intel/ioc_index.hpp"

namespace vigie::intel {

// An event field that may hold an indicator, and the type it holds.
struct ObservableField {
  core::FieldRef field;
  IocType type;
};

// The observable fields, in lookup order: addresses, domains, URLs, hashes, e-mail (ECS names
// first, then the names Windows events carry as they are). Sysmon's `Hashes` comes after them.
[[nodiscard]] const std::vector<ObservableField>& observable_fields();
[[nodiscard]] const core::FieldRef& hashes_field();

// Parts of one `Hashes` value looked at (MD5, SHA1 and SHA256 parts; others are skipped
// without counting): Sysmon writes at most one of each, so more is not a Sysmon event and is
// not worth a key each.
inline constexpr std::size_t kMaxHashParts = 6;
// Most observables one event yields: what a consumer keeping them per event must have room for.
[[nodiscard]] inline std::size_t max_observables_per_event() { return observable_fields().size() + kMaxHashParts; }

// Calls fn(field name, type, value) for every non-empty observable of `e`, in lookup order,
// then for the MD5/SHA1/SHA256 parts of `Hashes` ("SHA1=…,MD5=…,SHA256=…,IMPHASH=…"), until
// fn returns true; returns whether it did. The one list the IOC lookup and the retro-hunt
// aggregator (observables.hpp) both read. Values are views of the event.
template <class Fn>
bool for_each_observable(const core::Event& e, Fn&& fn) {
  for (const auto& o : observable_fields()) {
    const auto v = e.get(o.field);
    if (v && !v->empty() && fn(std::string_view(o.field.name), o.type, *v)) return true;
  }
  const auto hashes = e.get(hashes_field());
  if (!hashes) return false;
  std::string_view rest = *hashes;
  std::size_t parts = 0;
  while (!rest.empty() && parts < kMaxHashParts) {
    const auto comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view algo = item.substr(0, eq), value = item.substr(eq + 1);
    std::optional<IocType> type;
    if (algo == "MD5" || algo == "md5") type = IocType::md5;
    if (algo == "SHA1" || algo == "sha1") type = IocType::sha1;
    if (algo == "SHA256" || algo == "sha256") type = IocType::sha256;
    if (!type || value.empty()) continue;
    ++parts;
    if (fn(std::string_view(hashes_field().name), *type, value)) return true;
  }
  return false;
}

struct IocMatch {
  const Indicator* indicator = nullptr;
  std::string_view field;     // the event field that held it
  std::string_view observed;  // its value there (for a domain, the full name seen)
};

// The first observable field of `e`, in a fixed order (addresses, domains, URLs, hashes,
// e-mail), whose value is in `index`; nullopt when none is or the index is empty.
[[nodiscard]] std::optional<IocMatch> find_observable(const IocIndex& index, const core::Event& e);

// Writes the match as `threat.indicator.*` and `threat.feed.name`, copied into the event's
// arena (the index may be swapped while the event is still on its way to the correlator).
void mark_match(core::Event& e, const IocMatch& m);

// The fields mark_match sets.
inline constexpr std::string_view kThreatValue = "threat.indicator.value";
inline constexpr std::string_view kThreatType = "threat.indicator.type";
inline constexpr std::string_view kThreatField = "threat.indicator.matched.field";
inline constexpr std::string_view kThreatObserved = "threat.indicator.matched.atomic";
inline constexpr std::string_view kThreatFeed = "threat.feed.name";
inline constexpr std::string_view kThreatReference = "threat.indicator.reference";
inline constexpr std::string_view kThreatDescription = "threat.indicator.description";
inline constexpr std::string_view kThreatTlp = "threat.indicator.marking.tlp";
inline constexpr std::string_view kThreatConfidence = "threat.indicator.confidence";

}  // namespace vigie::intel
