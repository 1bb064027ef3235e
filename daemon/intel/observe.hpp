// Observables: the fields of an event that can hold an indicator (addresses, domains, URLs,
// hashes, e-mail addresses), looked up in the IOC index on the hot path (DESIGN.md §5: the
// built-in IOC rule and the `|ioc` modifier). A match is written into the event as ECS `threat.*`
// fields, so that rules, correlation, the alert and its mail read it like any other field.
#pragma once

#include <optional>
#include <string_view>

#include "core/event.hpp"
#include "intel/ioc_index.hpp"

namespace vigie::intel {

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
