// Correlator: alert dedup/suppression, and the state of correlations. Spans and suppression are
// measured on event time, per key; forgetting untouched state follows the eviction clock
// (detect/watermark.hpp); the number of keys is capped (detect/key_table.hpp). The windows
// (what makes each correlation type fire) are in correlator_windows.cpp.
//
//   hit(rule, e) ──► rule raises its own alerts? ──► raise(rule, key = group-by values)
//               └──► each correlation counting it ──► feed: window[(corr, key)] += sample
//                          fires (correlator_windows.cpp)? ──► raise(corr, key) if it alerts,
//                          window reset, and each correlation chained on it is fed in turn
//   advance(now) ──► absence keys silent for their timespan ──► raise; old samples forgotten
//   raise: an open alert of (rule, key) whose [first_seen − suppress_for, last_seen + suppress_for)
//          meets the samples ──► update (same id, first_seen/last_seen widened)
//          otherwise ──► new alert, id = make_alert_id(rule id, key, first_seen), open as well
#include <algorithm>
#include <cstdlib>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "detect/correlator_util.hpp"
#include "detect/engine.hpp"
#include "intel/observe.hpp"

namespace vigie::detect {
namespace {

// What a new alert and each of its updates say alike: the rule, the site, the key and the
// summary "title — field=value, field=value".
void describe(core::Alert& a, const CompiledRule& r, const core::KeyValues& key, std::string site) {
  a.rule = r.info;
  // An alert on an indicator carries the stricter of the rule's and the indicator's TLP.
  if (a.ioc && !a.ioc->tlp.empty() && core::tlp_rank(a.ioc->tlp) > core::tlp_rank(a.rule.tlp)) a.rule.tlp = a.ioc->tlp;
  a.site = std::move(site);
  a.key = key;
  a.summary = r.info.title;
  for (std::size_t i = 0; i < key.size(); ++i) {
    a.summary += i == 0 ? " — " : ", ";
    a.summary += key[i].first + "=" + key[i].second;
  }
}

// The indicator intel::mark_match wrote into the event, if any.
std::optional<core::IocRef> ioc_of(const core::Event& e) {
  static const core::FieldRef value = core::FieldRef::of(intel::kThreatValue);
  const auto v = e.get(value);
  if (!v) return std::nullopt;
  const auto text = [&](std::string_view name) { return std::string(e.get(name).value_or("")); };
  core::IocRef ref;
  ref.value = std::string(*v);
  ref.type = text(intel::kThreatType);
  ref.field = text(intel::kThreatField);
  ref.observed = text(intel::kThreatObserved);
  ref.feed = text(intel::kThreatFeed);
  ref.reference = text(intel::kThreatReference);
  ref.description = text(intel::kThreatDescription);
  ref.tlp = text(intel::kThreatTlp);
  const std::string confidence = text(intel::kThreatConfidence);
  if (!confidence.empty()) ref.confidence = std::atoi(confidence.c_str());
  return ref;
}

}  // namespace
using corr_util::add_sat;
using corr_util::cut_evidence;
using corr_util::key_text;

namespace {

// Open alerts one key may hold at once (one per stretch of time more than suppress_for apart):
// a sender stamping each line hours apart would otherwise make one key's list grow per line.
constexpr std::size_t kMaxOpenPerKey = 16;
// 64-bit FNV-1a, fed field by field (each followed by a separator byte).
struct Fnv {
  uint64_t h = 14695981039346656037ULL;
  void add(std::string_view s) {
    for (const unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
    h = (h ^ 0xffU) * 1099511628211ULL;
  }
  void add(int64_t n) { add(std::to_string(n)); }
};

// What a window's samples mean: the same fingerprint means the samples kept count towards the
// same threshold in the same span for the same key. Title, level, suppress_for, generate do not
// enter (they change alerts, not what was counted).
uint64_t fingerprint_of(const RuleSet& rs, const CompiledRule& r) {
  if (!r.is_correlation) return 0;
  Fnv f;
  f.add(correlation_type_name(r.corr.type));
  if (r.corr.type == CorrelationType::value_count) f.add(r.corr.field.name);
  f.add(static_cast<int64_t>(r.corr.timespan.count()));
  f.add(static_cast<int64_t>(r.corr.threshold));
  for (const auto& g : r.group_by) f.add(g.name);
  f.add("rules");
  for (const uint32_t i : r.corr.rules) f.add(rs.rule(i).id);
  // Aliases change which field a key is read from (a window without aliases adds nothing).
  if (!r.corr.aliases.empty()) {
    f.add("aliases");
    for (const auto& fields : r.corr.part_keys)
      for (const auto& k : fields) f.add(k.name);
  }
  return f.h;
}

}  // namespace

Correlator::Correlator(std::shared_ptr<const RuleSet> rules, core::Metrics& metrics, EvictionClock clock)
    : rules_(std::move(rules)),
      metrics_(metrics),
      late_(metrics.counter("vigie_events_late_total")),
      clock_(clock),
      lateness_(rules_->detection().lateness),
      max_evidence_bytes_(rules_->detection().max_evidence_bytes),
      states_(rules_->rule_count(), rules_->detection().max_keys_per_rule, rules_->detection().max_keys) {
  fingerprint_.resize(rules_->rule_count());
  evicted_.resize(rules_->rule_count());
  for (uint32_t i = 0; i < rules_->rule_count(); ++i) {
    const CompiledRule& r = rules_->compiled(i);
    fingerprint_[i] = fingerprint_of(*rules_, r);
    // Rules that keep state: correlations, and plain rules raising alerts with a suppress_for.
    if (r.is_correlation || (r.alerts && r.suppress_for > core::Duration::zero()))
      evicted_[i] = &metrics_.counter("vigie_correlation_evicted_total", {{"rule", r.info.id}});
  }
}

std::size_t Correlator::open_windows() const {
  std::size_t n = 0;
  for (const auto& st : states_) n += st.value.window.empty() ? 0 : 1;
  return n;
}

std::size_t Correlator::window_samples() const {
  std::size_t n = 0;
  for (const auto& st : states_) n += st.value.window.size();
  return n;
}

std::size_t Correlator::open_alerts() const {
  std::size_t n = 0;
  for (const auto& st : states_) n += st.value.opens.size();
  return n;
}

std::size_t Correlator::sample_bytes() const {
  std::size_t n = 0;
  for (const auto& st : states_)
    for (const auto& s : st.value.window) n += s.raw.size() + s.value.size();
  return n;
}

void Correlator::count_eviction(uint32_t rule, std::string_view what) {
  auto* counter = evicted_[rule];
  if (counter == nullptr)
    counter = evicted_[rule] = &metrics_.counter("vigie_correlation_evicted_total", {{"rule", rules_->rule(rule).id}});
  const uint64_t n = counter->fetch_add(1, std::memory_order_relaxed) + 1;
  // Rate-limited: the 1st, 2nd, 4th, 8th... eviction of a rule is logged.
  if ((n & (n - 1)) == 0)
    spdlog::warn(
        "correlation state of rule {} evicted ({}); {} eviction(s) so far for this rule "
        "(detection.max_keys_per_rule = {}, max_keys = {})",
        rules_->rule(rule).id, what, n, rules_->detection().max_keys_per_rule, rules_->detection().max_keys);
}

Correlator::Table::Entry& Correlator::touch(uint32_t rule, std::string_view key_text) {
  return states_.touch(rule, key_text, [&](Table::Entry& victim, bool rule_cap) {
    if (!pending_.empty())
      for (const Open& o : victim.value.opens) settle(o.id, victim.group, o);
    count_eviction(victim.group, rule_cap ? "least recently touched key of the rule, max_keys_per_rule reached"
                                          : "least recently touched key of all rules, max_keys reached");
  });
}

void Correlator::on_hit(uint32_t rule, const core::Event& e, std::vector<core::Alert>& out) {
  if (rule >= rules_->rule_count()) return;
  const CompiledRule& r = rules_->compiled(rule);
  if (r.is_correlation) return;
  // Late: stamped more than `lateness` before it arrived (serve), or behind the stream (replay).
  const bool late = clock_ == EvictionClock::reception_time ? add_sat(e.time, lateness_) < e.ingested : e.time < now_;
  if (late) late_.fetch_add(1, std::memory_order_relaxed);
  const uint64_t weight = std::max<uint32_t>(e.repeat, 1);
  if (r.alerts) {
    std::string text;
    auto key = corr_util::make_key(r.group_by, r.group_by, e, text);
    std::vector<Sample> one;
    one.push_back({e.time, clock_time(e, clock_), cut_evidence(e.raw(), max_evidence_bytes_), {}, weight});
    const auto site = e.value(core::Field::site);
    auto ioc = ioc_of(e);
    if (r.suppress_for <= core::Duration::zero()) {
      std::vector<Open> none;  // nothing to remember: no key is created (nor another evicted)
      raise(rule, none, site, clock_time(e, clock_), key, std::move(one), out, std::move(ioc));
    } else {
      auto& st = touch(rule, text);
      raise(rule, st.value.opens, site, clock_time(e, clock_), key, std::move(one), out, std::move(ioc));
      if (st.value.opens.empty()) states_.erase(st);
    }
  }
  for (std::size_t i = 0; i < r.correlations.size(); ++i)
    feed(r.correlations[i], r.correlation_parts[i], e, e.time, weight, out);
}

void Correlator::add_evidence(Open& o, std::string line) const {
  if (line.empty() || o.evidence.size() >= core::kMaxEvidence || o.evidence_bytes >= max_evidence_bytes_) return;
  if (line.size() > max_evidence_bytes_ - o.evidence_bytes)
    line = cut_evidence(line, max_evidence_bytes_ - o.evidence_bytes);
  if (line.empty()) return;
  o.evidence_bytes += line.size();
  o.evidence.push_back(std::move(line));
}

void Correlator::raise(uint32_t rule, std::vector<Open>& opens, std::string_view site_of_event, core::TimePoint touched,
                       const core::KeyValues& key, std::vector<Sample> samples, std::vector<core::Alert>& out,
                       std::optional<core::IocRef> ioc) {
  const CompiledRule& r = rules_->compiled(rule);
  core::TimePoint first = samples.front().time, last = samples.front().time;
  uint64_t count = 0;
  for (const auto& s : samples) {
    first = std::min(first, s.time);
    last = std::max(last, s.time);
    count += s.weight;
  }
  core::Alert a;
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
    o.count += count;
    o.first_seen = std::min(o.first_seen, first);
    o.last_seen = std::max(o.last_seen, last);
    o.touched = std::max(o.touched, touched);
    for (auto& s : samples) add_evidence(o, std::move(s.raw));
    std::string site(site_of_event);
    if (!batching_ || r.suppress_for <= core::Duration::zero()) {
      out.push_back(update_of(rule, o, key, std::move(site)));
      return;
    }
    const auto owed = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) { return p.id == o.id; });
    if (owed == pending_.end()) {
      pending_.push_back(Pending{rule, key_text(key), o.id, key, std::move(site)});
    } else {
      owed->site = std::move(site);  // the latest event's, as an immediate update would say
    }
    return;
  } else {
    Open o;
    o.id = core::make_alert_id(r.info.id, key, first);
    o.count = count;
    o.first_seen = first;
    o.last_seen = last;
    o.touched = touched;
    for (auto& s : samples) add_evidence(o, std::move(s.raw));
    o.ioc = std::move(ioc);
    a.ioc = o.ioc;
    a.id = o.id;
    a.count = o.count;
    a.first_seen = first;
    a.last_seen = last;
    a.evidence = o.evidence;
    if (r.suppress_for > core::Duration::zero()) insert_open(rule, opens, std::move(o));
    metrics_.counter("vigie_alerts_total", {{"level", std::string(core::level_name(r.info.level))}})
        .fetch_add(1, std::memory_order_relaxed);
  }
  describe(a, r, key, std::string(site_of_event));
  out.push_back(std::move(a));
}

core::Alert Correlator::update_of(uint32_t rule, const Open& o, const core::KeyValues& key, std::string site) const {
  const CompiledRule& r = rules_->compiled(rule);
  core::Alert a;
  a.update = true;
  a.id = o.id;
  a.count = o.count;
  a.first_seen = o.first_seen;
  a.last_seen = o.last_seen;
  a.evidence = o.evidence;
  a.ioc = o.ioc;
  describe(a, r, key, std::move(site));
  return a;
}

void Correlator::settle(const std::string& id, uint32_t rule, const Open& o) {
  const auto owed = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) { return p.id == id; });
  if (owed == pending_.end() || owed->rule != rule) return;
  ready_.push_back(update_of(rule, o, owed->key, std::move(owed->site)));
  pending_.erase(owed);
}

void Correlator::end_batch(std::vector<core::Alert>& out) {
  batching_ = false;
  for (auto& a : ready_) out.push_back(std::move(a));
  ready_.clear();
  for (auto& p : pending_) {
    const Table::Entry* st = states_.find(p.rule, p.key_text);
    if (st == nullptr) continue;  // cannot happen: leaving the table settles what is owed
    for (const Open& o : st->value.opens)
      if (o.id == p.id) out.push_back(update_of(p.rule, o, p.key, std::move(p.site)));
  }
  pending_.clear();
}

void Correlator::adopt(Correlator&& old) {
  if (old.batching_ || !old.ready_.empty()) {  // what the old one owes is still owed
    old.end_batch(ready_);
  }
  // Oldest touched first, so the new table keeps the old order (and evicts the oldest if its
  // caps are lower).
  for (auto& st : old.states_) {
    const CompiledRule& was = old.rules_->compiled(st.group);
    const auto n = rules_->find_rule(was.info.id);
    if (!n || rules_->compiled(*n).is_correlation != was.is_correlation) continue;
    const bool same_window = was.is_correlation && fingerprint_[*n] == old.fingerprint_[st.group];
    if (st.value.opens.empty() && (!same_window || st.value.window.empty())) continue;
    auto& to = touch(*n, st.key()).value;
    to.opens = std::move(st.value.opens);
    if (same_window) to.window = std::move(st.value.window);
  }
  now_ = std::max(now_, old.now_);
  old.states_ = Table(old.rules_->rule_count(), 1, 1);
}

void Correlator::restore(const core::Alert& a, core::TimePoint touched) {
  const auto idx = rules_->find_rule(a.rule.id);
  if (!idx || rules_->compiled(*idx).suppress_for <= core::Duration::zero()) return;
  Open o;
  o.id = a.id;
  o.count = a.count;
  o.first_seen = a.first_seen;
  o.last_seen = a.last_seen;
  for (const auto& line : a.evidence) add_evidence(o, line);
  o.touched = touched;
  auto& st = touch(*idx, key_text(a.key));
  insert_open(*idx, st.value.opens, std::move(o));
}

void Correlator::insert_open(uint32_t rule, std::vector<Open>& opens, Open o) {
  if (opens.size() >= kMaxOpenPerKey) {
    // The least recently touched open alert of the key goes first.
    const auto gone = std::min_element(opens.begin(), opens.end(),
                                       [](const Open& x, const Open& y) { return x.touched < y.touched; });
    if (!pending_.empty()) settle(gone->id, rule, *gone);
    opens.erase(gone);
    count_eviction(rule, "least recently touched open alert of a key");
  }
  const auto at = std::find_if(opens.begin(), opens.end(), [&](const Open& x) { return x.first_seen > o.first_seen; });
  opens.insert(at, std::move(o));
}

void Correlator::advance(core::TimePoint now, std::vector<core::Alert>& out) {
  // What is owed goes out first: an open alert may be forgotten below.
  if (batching_) {
    end_batch(out);
    batching_ = true;
  }
  now_ = std::max(now_, now);
  for (auto it = states_.begin(); it != states_.end();) {
    const CompiledRule& r = rules_->compiled(it->group);
    // Samples the clock says are older than the span: in serve, received more than `timespan`
    // ago. Each sample's own reception decides, never another sample's stamp (a 2099 stamp in
    // the key must not push out the real ones).
    auto& w = it->value.window;
    // absence: the latest hit of the key is older than the span by the clock — nothing came.
    // At the end of the input (max) the sites did not stop: the watches are dropped silently.
    if (r.is_correlation && r.corr.type == CorrelationType::absence && !w.empty() && now_ != core::TimePoint::max() &&
        add_sat(w.back().clock, r.corr.timespan) < now_)
      fire_absence(*it, out);
    if (!w.empty()) {
      const auto span = r.corr.timespan;
      w.erase(std::remove_if(w.begin(), w.end(), [&](const Sample& s) { return add_sat(s.clock, span) < now_; }),
              w.end());
    }
    auto& list = it->value.opens;
    if (!list.empty()) {
      const auto sf = r.suppress_for;
      list.erase(
          std::remove_if(list.begin(), list.end(), [&](const Open& o) { return add_sat(o.touched, sf) <= now_; }),
          list.end());
    }
    // A key left with neither is forgotten.
    it = w.empty() && list.empty() ? states_.erase(*it) : std::next(it);
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
