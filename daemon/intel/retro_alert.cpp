#include "intel/retro_alert.hpp"

#include <fmt/format.h>

#include "core/time.hpp"

namespace vigie::intel {

core::Alert retro_alert(const Indicator& ind, const RetroHit& hit, core::TimePoint indexed) {
  core::TimePoint published = indexed;
  const core::TimePoint feed_date{std::chrono::seconds(ind.first_seen)};
  if (ind.first_seen > 0 && feed_date < indexed) published = feed_date;
  const auto days = std::chrono::floor<std::chrono::days>(published - hit.first_seen).count();
  core::Alert a;
  a.rule.id = kRetroRule;
  a.rule.title = "Indicator of compromise seen before its publication";
  a.rule.level = core::Level::high;
  a.rule.tags = {"ioc", "retro-hunt"};
  a.rule.description =
      "An indicator of compromise that a feed has just published had already been seen at this site, before "
      "anyone knew it for a threat: nothing matched it then. The hosts that contacted it may have been "
      "compromised since: find them in the site's logs around the first and last sighting below, and check "
      "the advisory for what else to look for.";
  // The strictest of the indicator's marking and the rule's (AMBER).
  a.rule.tlp = core::tlp_rank(ind.tlp) > core::tlp_rank("AMBER") ? ind.tlp : "AMBER";
  a.site = hit.site;
  a.key = {{"observer.site", hit.site}, {"threat.indicator.value", ind.value}};
  a.count = static_cast<uint64_t>(std::max<int64_t>(hit.count, 1));
  a.first_seen = hit.first_seen;
  a.last_seen = hit.last_seen;
  a.summary = fmt::format("{} {} ({}{}{}) seen {} day(s) before its publication at site {}: {} time(s), {} to {}",
                          ioc_type_name(ind.type), hit.observed, ind.feed, ind.advisory.empty() ? "" : ", ",
                          ind.advisory, std::max<int64_t>(days, 0), hit.site, a.count,
                          core::format_rfc3339(hit.first_seen), core::format_rfc3339(hit.last_seen));
  core::IocRef r;
  r.type = std::string(ioc_type_name(ind.type));
  r.value = ind.value;
  r.field = "observables";
  r.observed = hit.observed;
  r.feed = ind.feed;
  r.reference = ind.advisory;
  r.description = ind.description;
  r.tlp = ind.tlp;
  r.confidence = ind.confidence;
  a.ioc = std::move(r);
  a.id = core::make_alert_id(a.rule.id, a.key, a.first_seen);
  return a;
}

}  // namespace vigie::intel
