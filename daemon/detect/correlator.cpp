// Correlator: alert dedup/suppression and event_count / value_count windows. Spans and suppression are
// measured on event time, per key; forgetting untouched state follows the eviction clock
// (detect/watermark.hpp); the number of keys is capped (detect/key_table.hpp).
//
//   hit(rule, e) ──► rule raises its own alerts? ──► raise(rule, key = group-by values)
//               └──► each correlation counting it ──► window[(corr, key)] += (e.time, e.raw[, value])
//                          a span of `timespan` holds `threshold` samples (event_count) or
//                          `threshold` distinct values of the field (value_count)?
//                                                              ──► raise(corr, key), window reset
//   raise: an open alert of (rule, key) whose [first_seen − suppress_for, last_seen + suppress_for)
//          meets the samples ──► update (same id, first_seen/last_seen widened)
//          otherwise ──► new alert, id = make_alert_id(rule id, key, first_seen), open as well
#include <algorithm>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "detect/engine.hpp"

namespace vigie::detect {
namespace {

// Open alerts one key may hold at once (one per stretch of time more than suppress_for apart):
// a sender stamping each line hours apart would otherwise make one key's list grow per line.
constexpr std::size_t kMaxOpenPerKey = 16;
// Samples one window may hold, whatever its threshold: stamps spread wider than the timespan
// (forged, or a clock gone wrong) never reach the threshold but would all be kept until the
// eviction clock moves on. The earliest is forgotten first.
constexpr std::size_t kMinWindowCap = 1'000;

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
  const bool values = r.corr.type == CorrelationType::value_count;
  f.add(values ? "value_count" : "event_count");
  if (values) f.add(r.corr.field.name);
  f.add(static_cast<int64_t>(r.corr.timespan.count()));
  f.add(static_cast<int64_t>(r.corr.threshold));
  for (const auto& g : r.group_by) f.add(g.name);
  f.add("rules");
  for (const uint32_t i : r.corr.rules) f.add(rs.rule(i).id);
  return f.h;
}

// A line cut to at most `max` bytes, ending with a marker that says how much was cut; the cut
// falls on a UTF-8 sequence boundary. Empty when `max` cannot hold the marker and one byte.
std::string cut_evidence(std::string_view line, std::size_t max) {
  if (line.size() <= max) return std::string(line);
  const std::string longest = fmt::format(" [… {} bytes cut]", line.size());
  if (max <= longest.size()) return {};
  std::size_t keep = max - longest.size();
  while (keep > 0 && (static_cast<unsigned char>(line[keep]) & 0xc0) == 0x80) --keep;
  std::string out(line.substr(0, keep));
  out += fmt::format(" [… {} bytes cut]", line.size() - keep);
  return out;
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
  if (r.alerts) {
    std::string text;
    auto key = make_key(r.group_by, e, text);
    std::vector<Sample> one;
    one.push_back({e.time, clock_time(e, clock_), cut_evidence(e.raw(), max_evidence_bytes_)});
    if (r.suppress_for <= core::Duration::zero()) {
      std::vector<Open> none;  // nothing to remember: no key is created (nor another evicted)
      raise(rule, none, e, key, std::move(one), out);
    } else {
      auto& st = touch(rule, text);
      raise(rule, st.value.opens, e, key, std::move(one), out);
      if (st.value.opens.empty()) states_.erase(st);
    }
  }
  for (uint32_t c : r.correlations) count_in_window(c, e, out);
}

void Correlator::count_in_window(uint32_t corr, const core::Event& e, std::vector<core::Alert>& out) {
  const CompiledRule& c = rules_->compiled(corr);
  const CorrelationSpec& spec = c.corr;
  const bool values = spec.type == CorrelationType::value_count;
  std::string value;
  if (values) {
    const auto v = e.get(spec.field);
    if (!v) return;  // an event without the counted field does not count (and creates no state)
    value.assign(v->substr(0, kMaxCountedValue));
  }
  std::string text;
  auto key = make_key(c.group_by, e, text);
  Table::Entry& st = touch(corr, text);
  auto& w = st.value.window;
  const std::size_t cap = std::max<std::size_t>(kMinWindowCap, 4 * spec.threshold);
  if (w.size() >= cap) {
    w.erase(w.begin());
    count_eviction(corr, "earliest sample of a full window");
  }
  // Sorted by time; equal times keep arrival order.
  const auto at =
      std::upper_bound(w.begin(), w.end(), e.time, [](core::TimePoint t, const Sample& s) { return t < s.time; });
  const auto pos = static_cast<std::size_t>(at - w.begin());
  // Only the latest kMaxEvidence samples keep their line (evidence takes at most that many).
  const bool keeps_raw = w.size() < core::kMaxEvidence || pos + core::kMaxEvidence > w.size();
  w.insert(at, Sample{e.time, clock_time(e, clock_), keeps_raw ? cut_evidence(e.raw(), max_evidence_bytes_) : "",
                      std::move(value)});
  if (keeps_raw && w.size() > core::kMaxEvidence) std::string().swap(w[w.size() - core::kMaxEvidence - 1].raw);
  const auto span = values ? distinct_span(w, pos, spec.timespan, spec.threshold) : count_span(w, pos, spec);
  if (!span) return;
  std::vector<Sample> fired(std::make_move_iterator(w.begin() + static_cast<std::ptrdiff_t>(span->first)),
                            std::make_move_iterator(w.begin() + static_cast<std::ptrdiff_t>(span->second + 1)));
  w.clear();
  w.shrink_to_fit();
  raise(corr, st.value.opens, e, key, std::move(fired), out);
  if (st.value.opens.empty()) states_.erase(st);  // nothing left to remember
}

std::optional<std::pair<std::size_t, std::size_t>> Correlator::count_span(const std::vector<Sample>& w, std::size_t pos,
                                                                          const CorrelationSpec& spec) {
  // Before this sample no span of `timespan` held `threshold` samples (the window is reset when
  // one does), so a span reaching the threshold now contains the new sample: look for the
  // earliest span [w[i].time, w[i].time + timespan] with i <= pos that reaches it.
  const uint64_t need = spec.threshold;
  for (std::size_t i = 0; i <= pos; ++i) {
    if (add_sat(w[i].time, spec.timespan) < w[pos].time) continue;  // too old to share a span
    if (i + need > w.size()) break;
    const std::size_t last = i + need - 1;
    if (last < pos || add_sat(w[i].time, spec.timespan) < w[last].time) continue;
    return std::pair{i, last};
  }
  return std::nullopt;
}

std::optional<std::pair<std::size_t, std::size_t>> Correlator::distinct_span(const std::vector<Sample>& w,
                                                                             std::size_t pos, core::Duration timespan,
                                                                             uint64_t need) {
  if (w.size() < need) return std::nullopt;
  // As for event_count, a span reaching `need` distinct values now holds the new sample. The
  // spans holding it start at i in [lo, pos] and end at the last sample within timespan of
  // w[i]; both ends only move forward, so one pass with a count per value (O(window)) tries
  // them all, earliest first.
  std::size_t i = 0;
  while (add_sat(w[i].time, timespan) < w[pos].time) ++i;
  std::unordered_map<std::string_view, uint32_t> seen;
  std::size_t end = i;  // one past the span's last sample
  for (; i <= pos; ++i) {
    const auto limit = add_sat(w[i].time, timespan);
    while (end < w.size() && w[end].time <= limit) ++seen[w[end++].value];
    if (seen.size() >= need) return std::pair{i, end - 1};
    if (const auto it = seen.find(w[i].value); --it->second == 0) seen.erase(it);
  }
  return std::nullopt;
}

void Correlator::add_evidence(Open& o, std::string line) const {
  if (line.empty() || o.evidence.size() >= core::kMaxEvidence || o.evidence_bytes >= max_evidence_bytes_) return;
  if (line.size() > max_evidence_bytes_ - o.evidence_bytes)
    line = cut_evidence(line, max_evidence_bytes_ - o.evidence_bytes);
  if (line.empty()) return;
  o.evidence_bytes += line.size();
  o.evidence.push_back(std::move(line));
}

void Correlator::raise(uint32_t rule, std::vector<Open>& opens, const core::Event& e, const core::KeyValues& key,
                       std::vector<Sample> samples, std::vector<core::Alert>& out) {
  const CompiledRule& r = rules_->compiled(rule);
  core::TimePoint first = samples.front().time, last = samples.front().time;
  for (const auto& s : samples) {
    first = std::min(first, s.time);
    last = std::max(last, s.time);
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
    o.count += samples.size();
    o.first_seen = std::min(o.first_seen, first);
    o.last_seen = std::max(o.last_seen, last);
    o.touched = std::max(o.touched, clock_time(e, clock_));
    for (auto& s : samples) add_evidence(o, std::move(s.raw));
    std::string site(e.value(core::Field::site));
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
    o.count = samples.size();
    o.first_seen = first;
    o.last_seen = last;
    o.touched = clock_time(e, clock_);
    for (auto& s : samples) add_evidence(o, std::move(s.raw));
    a.id = o.id;
    a.count = o.count;
    a.first_seen = first;
    a.last_seen = last;
    a.evidence = o.evidence;
    if (r.suppress_for > core::Duration::zero()) insert_open(rule, opens, std::move(o));
    metrics_.counter("vigie_alerts_total", {{"level", std::string(core::level_name(r.info.level))}})
        .fetch_add(1, std::memory_order_relaxed);
  }
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

core::Alert Correlator::update_of(uint32_t rule, const Open& o, const core::KeyValues& key, std::string site) const {
  const CompiledRule& r = rules_->compiled(rule);
  core::Alert a;
  a.update = true;
  a.id = o.id;
  a.count = o.count;
  a.first_seen = o.first_seen;
  a.last_seen = o.last_seen;
  a.evidence = o.evidence;
  a.rule = r.info;
  a.site = std::move(site);
  a.key = key;
  a.summary = r.info.title;
  for (std::size_t i = 0; i < key.size(); ++i) {
    a.summary += i == 0 ? " — " : ", ";
    a.summary += key[i].first + "=" + key[i].second;
  }
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
