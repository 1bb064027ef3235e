// Correlator windows: what makes each correlation type fire (DESIGN.md §5), on event time, per
// key. A window holds the samples of one (correlation, key), sorted by event time (equal times
// keep arrival order); a sample is a hit of one of the correlation's rules — a detection rule's
// match, or the firing of a correlation chained into this one — and weighs the occurrences it
// stands for (a folded "message repeated N times" line weighs N).
//
//   event_count       samples weighing `threshold` within `timespan`
//   value_count       `threshold` distinct values of the field within `timespan` (weight ignored)
//   temporal          hits of `threshold` of the rules (default: all) within `timespan`, any order
//   temporal_ordered  a hit of each rule in the listed order, the last within `timespan` of the first
//   absence           only the latest hit is kept; fires when nothing came for `timespan`
//
// Firing resets the window, raises the correlation's alert (unless it only feeds others), then
// feeds the correlations chained on it with one sample: the firing's latest event time, the
// triggering event's line and fields, the weight of what fired.
#include <algorithm>
#include <unordered_map>

#include "detect/correlator_util.hpp"
#include "detect/engine.hpp"

namespace vigie::detect {
using corr_util::add_sat;
using corr_util::cut_evidence;

namespace {

// Samples one window may hold, whatever its threshold: stamps spread wider than the timespan
// (forged, or a clock gone wrong) never reach the threshold but would all be kept until the
// eviction clock moves on. The earliest is forgotten first.
constexpr std::size_t kMinWindowCap = 1'000;

}  // namespace

void Correlator::feed(uint32_t corr, uint32_t part, const core::Event& e, core::TimePoint time, uint64_t weight,
                      std::vector<core::Alert>& out) {
  const CompiledRule& c = rules_->compiled(corr);
  const CorrelationSpec& spec = c.corr;
  std::string value;
  if (spec.type == CorrelationType::value_count) {
    const auto v = e.get(spec.field);
    if (!v) return;  // an event without the counted field does not count (and creates no state)
    value.assign(v->substr(0, kMaxCountedValue));
    weight = 1;  // a repeated line brings no new value
  }
  std::string text;
  auto key = corr_util::make_key(c.group_by, part < spec.part_keys.size() ? spec.part_keys[part] : c.group_by, e, text);
  Table::Entry& st = touch(corr, text);
  const auto clock = clock_time(e, clock_);
  const auto site = e.value(core::Field::site);
  if (spec.type == CorrelationType::absence) {
    feed_absence(corr, st, Sample{time, clock, cut_evidence(e.raw(), max_evidence_bytes_), {}, 1, part}, site, key,
                 out);
    return;
  }
  auto& w = st.value.window;
  const std::size_t cap = std::max<std::size_t>(kMinWindowCap, 4 * spec.threshold);
  if (w.size() >= cap) {
    w.erase(w.begin());
    count_eviction(corr, "earliest sample of a full window");
  }
  // Sorted by time; equal times keep arrival order.
  const auto at =
      std::upper_bound(w.begin(), w.end(), time, [](core::TimePoint t, const Sample& s) { return t < s.time; });
  const auto pos = static_cast<std::size_t>(at - w.begin());
  // Only the latest kMaxEvidence samples keep their line (evidence takes at most that many).
  const bool keeps_raw = w.size() < core::kMaxEvidence || pos + core::kMaxEvidence > w.size();
  w.insert(at, Sample{time, clock, keeps_raw ? cut_evidence(e.raw(), max_evidence_bytes_) : "", std::move(value),
                      weight, part});
  if (keeps_raw && w.size() > core::kMaxEvidence) std::string().swap(w[w.size() - core::kMaxEvidence - 1].raw);
  const Span fired = fired_span(w, pos, spec);
  if (fired.empty()) return;
  std::vector<Sample> samples;
  samples.reserve(fired.size());
  uint64_t total = 0;
  core::TimePoint last = core::TimePoint::min();
  for (const std::size_t i : fired) {
    total += w[i].weight;
    last = std::max(last, w[i].time);
    samples.push_back(std::move(w[i]));
  }
  w.clear();
  w.shrink_to_fit();
  if (c.alerts) raise(corr, st.value.opens, site, clock, key, std::move(samples), out);
  if (st.value.opens.empty()) states_.erase(st);  // nothing left to remember
  // Chains: st may be gone; what the outer correlations need is in e, last and total.
  for (std::size_t i = 0; i < c.correlations.size(); ++i)
    feed(c.correlations[i], c.correlation_parts[i], e, last, total, out);
}

void Correlator::feed_absence(uint32_t corr, Table::Entry& st, Sample s, std::string_view site,
                              const core::KeyValues& key, std::vector<core::Alert>& out) {
  auto& w = st.value.window;
  if (!w.empty()) {
    const core::Duration span = rules_->compiled(corr).corr.timespan;
    if (add_sat(w.back().clock, span) < s.clock) {
      // Heard again after a silence longer than the timespan that advance did not see end
      // (nothing else moved the clock meanwhile): the silence is reported now, once.
      std::vector<Sample> one;
      one.push_back(std::move(w.back()));
      w.clear();
      if (rules_->compiled(corr).alerts) raise(corr, st.value.opens, site, s.clock, key, std::move(one), out);
    } else if (s.clock < w.back().clock) {
      return;  // an older line than the latest heard: the watch runs from the latest
    }
  }
  w.clear();
  w.push_back(std::move(s));
}

void Correlator::fire_absence(Table::Entry& st, std::vector<core::Alert>& out) {
  const uint32_t rule = st.group;
  const core::KeyValues key = corr_util::parse_key_text(st.key());
  std::string site;
  for (const auto& [name, value] : key)
    if (name == core::field_name(core::Field::site)) site = value;
  std::vector<Sample> one;
  one.push_back(std::move(st.value.window.back()));
  st.value.window.clear();
  // The watch of this key ends here: the next hit starts a new one.
  if (rules_->compiled(rule).alerts) raise(rule, st.value.opens, site, now_, key, std::move(one), out);
}

Correlator::Span Correlator::fired_span(const std::vector<Sample>& w, std::size_t pos, const CorrelationSpec& spec) {
  std::optional<std::pair<std::size_t, std::size_t>> range;
  switch (spec.type) {
    case CorrelationType::event_count:
      range = count_span(w, pos, spec);
      break;
    case CorrelationType::value_count:
      range = distinct_span(w, pos, spec.timespan, spec.threshold, false);
      break;
    case CorrelationType::temporal:
      range = distinct_span(w, pos, spec.timespan, spec.threshold, true);
      break;
    case CorrelationType::temporal_ordered:
      return ordered_chain(w, spec);
    case CorrelationType::absence:
      break;
  }
  Span out;
  if (range)
    for (std::size_t i = range->first; i <= range->second; ++i) out.push_back(i);
  return out;
}

std::optional<std::pair<std::size_t, std::size_t>> Correlator::count_span(const std::vector<Sample>& w, std::size_t pos,
                                                                          const CorrelationSpec& spec) {
  // Before this sample no span of `timespan` weighed `threshold` (the window is reset when one
  // does), so a span reaching it now contains the new sample: look for the earliest span
  // [w[i].time, w[i].time + timespan] with i <= pos that does. Both ends only move forward.
  const uint64_t need = spec.threshold;
  std::size_t i = 0;
  while (add_sat(w[i].time, spec.timespan) < w[pos].time) ++i;
  std::size_t end = i;  // one past the span's last sample
  uint64_t sum = 0;     // weight of [i, end)
  for (; i <= pos; ++i) {
    const auto limit = add_sat(w[i].time, spec.timespan);
    while (end <= pos) sum += w[end++].weight;  // the span holds the new sample
    while (sum < need && end < w.size() && w[end].time <= limit) sum += w[end++].weight;
    if (sum >= need) return std::pair{i, end - 1};
    sum -= w[i].weight;
  }
  return std::nullopt;
}

std::optional<std::pair<std::size_t, std::size_t>> Correlator::distinct_span(const std::vector<Sample>& w,
                                                                             std::size_t pos, core::Duration timespan,
                                                                             uint64_t need, bool parts) {
  if (w.size() < need) return std::nullopt;
  // As for event_count, a span reaching `need` distinct values now holds the new sample. The
  // spans holding it start at i in [lo, pos] and end at the last sample within timespan of
  // w[i]; both ends only move forward, so one pass with a count per value (O(window)) tries
  // them all, earliest first. Temporal counts parts (rule positions) instead of values.
  std::size_t i = 0;
  while (add_sat(w[i].time, timespan) < w[pos].time) ++i;
  std::unordered_map<std::string_view, uint32_t> seen;
  std::vector<uint32_t> part_count;
  std::size_t distinct = 0;
  const auto enter = [&](const Sample& s) {
    if (!parts) {
      distinct += ++seen[s.value] == 1 ? 1 : 0;
      return;
    }
    if (s.part >= part_count.size()) part_count.resize(s.part + 1, 0);
    distinct += ++part_count[s.part] == 1 ? 1 : 0;
  };
  const auto leave = [&](const Sample& s) {
    if (!parts) {
      if (const auto it = seen.find(s.value); --it->second == 0) seen.erase(it), --distinct;
      return;
    }
    if (--part_count[s.part] == 0) --distinct;
  };
  std::size_t end = i;  // one past the span's last sample
  for (; i <= pos; ++i) {
    const auto limit = add_sat(w[i].time, timespan);
    while (end < w.size() && w[end].time <= limit) enter(w[end++]);
    if (distinct >= need) return std::pair{i, end - 1};
    leave(w[i]);
  }
  return std::nullopt;
}

Correlator::Span Correlator::ordered_chain(const std::vector<Sample>& w, const CorrelationSpec& spec) {
  // One pass in window order: best[k] is the sample ending the chain of parts 0..k that started
  // latest so far (a later start leaves more room in the span; for equal starts the earlier
  // end, which more samples follow). A sample of part k extends best[k-1]'s chain; a chain of
  // all the parts whose first and last samples are at most timespan apart fires.
  constexpr std::size_t npos = static_cast<std::size_t>(-1);
  const std::size_t n = spec.rules.size();
  std::vector<std::size_t> best(n, npos);
  std::vector<core::TimePoint> start(n, core::TimePoint::min());
  chain_from_.assign(w.size(), npos);
  for (std::size_t j = 0; j < w.size(); ++j) {
    const std::size_t k = w[j].part;
    if (k >= n || (k > 0 && best[k - 1] == npos)) continue;
    const core::TimePoint begins = k == 0 ? w[j].time : start[k - 1];
    if (best[k] != npos && begins <= start[k]) continue;
    best[k] = j;
    start[k] = begins;
    chain_from_[j] = k == 0 ? npos : best[k - 1];
    if (k + 1 == n && w[j].time <= add_sat(begins, spec.timespan)) {
      Span chain;
      for (std::size_t at = j; at != npos; at = chain_from_[at]) chain.push_back(at);
      std::reverse(chain.begin(), chain.end());
      return chain;
    }
  }
  return {};
}

}  // namespace vigie::detect
