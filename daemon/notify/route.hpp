// Routing (DESIGN.md §6 notify.routes): which receivers get an alert, and with which timing.
// Pure functions of the configuration and the alert: no I/O, any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "core/alert.hpp"

namespace vigie::notify {

struct Target {
  std::string receiver;                 // receiver name
  std::vector<std::string> recipients;  // its `to` + the site's contacts when to_site_contacts
  core::Duration group_wait{};          // from the route that selected the receiver
  core::Duration repeat_interval{};
  std::vector<std::string> group_by;  // empty: one mail thread per alert
  core::Duration group_interval{};
};

// Routes are tried in order; the first that matches wins unless it sets continue_matching.
// A route matches when every key of its `match` accepts the alert (level, rule.id,
// observer.site: the value is one of the listed ones; tags: any alert tag is listed); an
// empty match accepts everything. A receiver selected twice is kept once (the first route's
// timing); an address already given to an earlier target is not repeated; targets left
// without recipients are dropped and their receiver names appended to `skipped`.
[[nodiscard]] std::vector<Target> route(const config::Config& cfg, const core::Alert& a,
                                        std::vector<std::string>& skipped);
[[nodiscard]] std::vector<Target> route(const config::Config& cfg, const core::Alert& a);

[[nodiscard]] bool route_matches(const config::Route& r, const core::Alert& a);

}  // namespace vigie::notify
