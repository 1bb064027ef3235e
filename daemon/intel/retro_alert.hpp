// The alert of a retro-hunt hit (rule `vigie-ioc-retro`, feeds/README.md "Retro-hunt"): an
// indicator that just arrived had been seen at a site before — "seen N days before publication".
// One alert per (indicator, site); it cites the indicator like the live IOC rule does (IocRef,
// threat fields in the key), and carries the sightings' first and last time and count.
#pragma once

#include <string_view>

#include "core/alert.hpp"
#include "intel/indicator.hpp"
#include "intel/observables.hpp"

namespace vigie::intel {

inline constexpr std::string_view kRetroRule = "vigie-ioc-retro";

// `published`: when the indicator was published (its feed's date when it gives one and that is
// not later than `indexed`, else `indexed`, when Vigie first indexed it).
[[nodiscard]] core::Alert retro_alert(const Indicator& ind, const RetroHit& hit, core::TimePoint indexed);

}  // namespace vigie::intel
