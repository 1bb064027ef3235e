// Correlator: alert dedup/suppression and event_count windows. Spans and suppression are
// measured on event time, per key; forgetting untouched state follows the eviction clock
// (detect/watermark.hpp).
//
//   hit(rule, e) ──► rule raises its own alerts? ──► raise(rule, key = group-by values)
//               └──► each correlation counting it ──► window[(corr, key)] += (e.time, e.raw)
//                          a span of `timespan` holds `threshold` samples? ──► raise(corr, key),
//                                                                             window reset
//   raise: an open alert of (rule, key) whose [first_seen − suppress_for, last_seen + suppress_for)
//          meets the samples ──► update (same id, first_seen/last_seen widened)
//          otherwise ──► new alert, id = make_alert_id(rule id, key, first_seen), open as well
#include <algorithm>
#include <limits>

#include "detect/engine.hpp"

namespace vigie::detect {
namespace {

// t + d without overflow (saturates): event times come from the network and may be extreme.
core::TimePoint add_sat(core::TimePoint t, core::Duration d) {
  int64_t out = 0;
  if (__builtin_add_overflow(t.time_since_epoch().count(), d.count(), &out))
    return d.count() > 0 ? core::TimePoint::max() : core::TimePoint::min();
  return core::TimePoint(core::Duration(out));
}

// The map key of group-by values: unit and record separators cannot occur in field names.
std::string key_text(const core::KeyValues& key) {
  std::string text;
  for (const auto& [name, value] : key) {
    text += name;
    text += '\x1f';
    text += value;
    text += '\x1e';
  }
  return text;
}

core::KeyValues make_key(const std::vector<core::FieldRef>& group_by, const core::Event& e, std::string& text) {
  core::KeyValues key;
  for (const auto& f : group_by) {
    const auto v = e.get(f);
    if (!v) continue;  // absent fields are left out of the key (their absence still separates keys)
    key.emplace_back(f.name, std::string(*v));
  }
  text = key_text(key);
  return key;
}

}  // namespace

Correlator::Correlator(std::shared_ptr<const RuleSet> rules, core::Metrics& metrics, EvictionClock clock)
    : rules_(std::move(rules)),
      metrics_(metrics),
      late_(metrics.counter("vigie_events_late_total")),
      clock_(clock),
      lateness_(rules_->detection().lateness) {}

void Correlator::on_hit(uint32_t rule, const core::Event& e, std::vector<core::Alert>& out) {
  if (rule >= rules_->rule_count()) return;
  const CompiledRule& r = rules_->compiled(rule);
  if (r.is_correlation) return;
  // Late: stamped more than `lateness` before it arrived (serve), or behind the stream (replay).
  const bool late = clock_ == EvictionClock::reception_time ? add_sat(e.time, lateness_) < e.ingested : e.time < now_;
  if (late) late_.fetch_add(1, std::memory_order_relaxed);
  if (r.alerts) {
    std::string text;
    auto key = make_key(r.group_by, e, text);
    std::vector<Sample> one;
    one.push_back({e.time, clock_time(e, clock_), std::string(e.raw)});
    raise(rule, e, key, text, std::move(one), out);
  }
  for (uint32_t c : r.correlations) count_in_window(c, e, out);
}

void Correlator::count_in_window(uint32_t corr, const core::Event& e, std::vector<core::Alert>& out) {
  const CompiledRule& c = rules_->compiled(corr);
  const CorrelationSpec& spec = c.corr;
  std::string text;
  auto key = make_key(c.group_by, e, text);
  auto it = windows_.try_emplace({corr, text}).first;
  auto& w = it->second;
  // Sorted by time; equal times keep arrival order.
  const auto at =
      std::upper_bound(w.begin(), w.end(), e.time, [](core::TimePoint t, const Sample& s) { return t < s.time; });
  const auto pos = static_cast<std::size_t>(at - w.begin());
  w.insert(at, Sample{e.time, clock_time(e, clock_), std::string(e.raw)});
  // Before this sample no span of `timespan` held `threshold` samples (the window is reset when
  // one does), so a span reaching the threshold now contains the new sample: look for the
  // earliest span [w[i].time, w[i].time + timespan] with i <= pos that reaches it.
  const uint64_t need = spec.threshold;
  for (std::size_t i = 0; i <= pos; ++i) {
    if (add_sat(w[i].time, spec.timespan) < w[pos].time) continue;  // too old to share a span
    if (i + need > w.size()) break;
    const std::size_t last = i + need - 1;
    if (last < pos || add_sat(w[i].time, spec.timespan) < w[last].time) continue;
    std::vector<Sample> fired(std::make_move_iterator(w.begin() + static_cast<std::ptrdiff_t>(i)),
                              std::make_move_iterator(w.begin() + static_cast<std::ptrdiff_t>(last + 1)));
    windows_.erase(it);
    raise(corr, e, key, text, std::move(fired), out);
    return;
  }
}

void Correlator::raise(uint32_t rule, const core::Event& e, const core::KeyValues& key, const std::string& key_text,
                       std::vector<Sample> samples, std::vector<core::Alert>& out) {
  const CompiledRule& r = rules_->compiled(rule);
  core::TimePoint first = samples.front().time, last = samples.front().time;
  for (const auto& s : samples) {
    first = std::min(first, s.time);
    last = std::max(last, s.time);
  }
  auto append = [](std::vector<std::string>& evidence, std::vector<Sample>& from) {
    for (auto& s : from)
      if (evidence.size() < core::kMaxEvidence) evidence.push_back(std::move(s.raw));
  };
  core::Alert a;
  auto& opens = open_[{rule, key_text}];
  // An update when these samples fall within suppress_for of an open alert, on either side: a
  // late event (older than the alert's first sample) updates it too, and moves first_seen.
  const auto match =
      r.suppress_for <= core::Duration::zero()
          ? opens.end()
          : std::find_if(opens.begin(), opens.end(), [&](const Open& o) {
              return first < add_sat(o.last_seen, r.suppress_for) && add_sat(last, r.suppress_for) > o.first_seen;
            });
  if (match != opens.end()) {
    Open& o = *match;
    o.count += samples.size();
    o.first_seen = std::min(o.first_seen, first);
    o.last_seen = std::max(o.last_seen, last);
    o.touched = std::max(o.touched, clock_time(e, clock_));
    append(o.evidence, samples);
    a.update = true;
    a.id = o.id;
    a.count = o.count;
    a.first_seen = o.first_seen;
    a.last_seen = o.last_seen;
    a.evidence = o.evidence;
  } else {
    Open o;
    o.id = core::make_alert_id(r.info.id, key, first);
    o.count = samples.size();
    o.first_seen = first;
    o.last_seen = last;
    o.touched = clock_time(e, clock_);
    append(o.evidence, samples);
    a.id = o.id;
    a.count = o.count;
    a.first_seen = first;
    a.last_seen = last;
    a.evidence = o.evidence;
    if (r.suppress_for > core::Duration::zero()) insert_open(opens, std::move(o));
    metrics_.counter("vigie_alerts_total", {{"level", std::string(core::level_name(r.info.level))}})
        .fetch_add(1, std::memory_order_relaxed);
  }
  if (opens.empty()) open_.erase({rule, key_text});
  a.rule = r.info;
  a.site = std::string(e.value(core::Field::site));
  a.key = key;
  a.summary = r.info.title;
  for (std::size_t i = 0; i < key.size(); ++i) {
    a.summary += i == 0 ? " — " : ", ";
    a.summary += key[i].first + "=" + key[i].second;
  }
  out.push_back(std::move(a));
}

void Correlator::adopt(Correlator&& old) {
  // Old rule index → new one, by id; nullopt when the rule is gone or changed kind.
  const auto remap = [&](uint32_t i) -> std::optional<uint32_t> {
    const auto& r = old.rules_->compiled(i);
    const auto n = rules_->find_rule(r.info.id);
    if (!n || rules_->compiled(*n).is_correlation != r.is_correlation) return std::nullopt;
    return n;
  };
  for (auto& [key, w] : old.windows_)
    if (const auto n = remap(key.first)) windows_.insert_or_assign({*n, key.second}, std::move(w));
  for (auto& [key, list] : old.open_)
    if (const auto n = remap(key.first)) open_.insert_or_assign({*n, key.second}, std::move(list));
  now_ = std::max(now_, old.now_);
  old.windows_.clear();
  old.open_.clear();
}

void Correlator::restore(const core::Alert& a, core::TimePoint touched) {
  const auto idx = rules_->find_rule(a.rule.id);
  if (!idx || rules_->compiled(*idx).suppress_for <= core::Duration::zero()) return;
  Open o;
  o.id = a.id;
  o.count = a.count;
  o.first_seen = a.first_seen;
  o.last_seen = a.last_seen;
  o.evidence = a.evidence;
  o.touched = touched;
  insert_open(open_[{*idx, key_text(a.key)}], std::move(o));
}

void Correlator::insert_open(std::vector<Open>& opens, Open o) {
  const auto at = std::find_if(opens.begin(), opens.end(), [&](const Open& x) { return x.first_seen > o.first_seen; });
  opens.insert(at, std::move(o));
}

void Correlator::advance(core::TimePoint now, std::vector<core::Alert>& /*out*/) {
  now_ = std::max(now_, now);
  for (auto it = windows_.begin(); it != windows_.end();) {
    const auto span = rules_->compiled(it->first.first).corr.timespan;
    // Samples the clock says are older than the span: in serve, received more than `timespan`
    // ago. Each sample's own reception decides, never another sample's stamp (a 2099 stamp in
    // the key must not push out the real ones). A window left empty is forgotten.
    auto& w = it->second;
    w.erase(std::remove_if(w.begin(), w.end(), [&](const Sample& s) { return add_sat(s.clock, span) < now_; }),
            w.end());
    it = w.empty() ? windows_.erase(it) : std::next(it);
  }
  for (auto it = open_.begin(); it != open_.end();) {
    const auto sf = rules_->compiled(it->first.first).suppress_for;
    auto& list = it->second;
    list.erase(std::remove_if(list.begin(), list.end(), [&](const Open& o) { return add_sat(o.touched, sf) <= now_; }),
               list.end());
    it = list.empty() ? open_.erase(it) : std::next(it);
  }
}

Engine::Engine(const std::shared_ptr<const RuleSet>& rules, core::Metrics& metrics)
    : matcher_(rules, metrics),
      correlator_(rules, metrics, EvictionClock::event_time),
      watermark_(rules->detection().lateness, EvictionClock::event_time) {}

void Engine::process(core::Event& e, std::vector<core::Alert>& out) {
  matcher_.process(e, hits_);
  for (uint32_t r : hits_) correlator_.on_hit(r, e, out);
  watermark_.add(e);  // the same watermark as the serve pipeline (detect/watermark.hpp)
  if (const auto w = watermark_.due()) correlator_.advance(*w, out);
}

void Engine::finish(std::vector<core::Alert>& out) { correlator_.advance(core::TimePoint::max(), out); }

}  // namespace vigie::detect
