// Matcher: the per-event hot path. One RE2::Set scan per scanned field tells which decoder
// patterns and which rule pattern atoms match; decoders capture, then only candidate rules run.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "detect/engine.hpp"
#include "detect/pattern.hpp"
#include "intel/observe.hpp"

namespace vigie::detect {
namespace {

// Decoded values bound for an address field are checked (detect/pattern.hpp: classify_address):
// a host name goes to the matching .domain field, anything else is left out and counted.
// Returns false when the value must not be set as is; `value` may be moved to the domain field.
// `step` (tracing only) records the domain field set instead.
bool place_address(core::Event& e, const Decoder& dec, const core::FieldRef& target, std::string_view value,
                   core::Metrics& metrics, DecodeStep* step) {
  if (!target.fixed || (*target.fixed != core::Field::source_ip && *target.fixed != core::Field::destination_ip))
    return true;
  switch (classify_address(value)) {
    case AddressKind::ip:
      return true;
    case AddressKind::host: {
      const std::string_view domain = *target.fixed == core::Field::source_ip ? "source.domain" : "destination.domain";
      e.set(domain, value);
      if (step) step->set.emplace_back(domain, value);
      return false;
    }
    case AddressKind::invalid:
      break;
  }
  const uint64_t n =
      metrics.counter("vigie_decoder_invalid_address_total", {{"decoder", dec.name}, {"field", target.name}})
          .fetch_add(1, std::memory_order_relaxed) +
      1;
  if ((n & (n - 1)) == 0)  // rate-limited: 1st, 2nd, 4th, 8th...
    spdlog::warn("decoder {}: '{}' is neither an IP address nor a host name, {} not set ({} such values so far)",
                 dec.name, value.substr(0, 64), target.name, n);
  return false;
}

}  // namespace

Matcher::Matcher(std::shared_ptr<const RuleSet> rules, core::Metrics& metrics, std::size_t slot)
    : rules_(std::move(rules)), metrics_(metrics), slot_(slot < rules_->slots() ? slot : 0) {
  const RuleSet& rs = *rules_;
  hit_counters_.resize(rs.rules_.size(), nullptr);
  for (std::size_t r = 0; r < rs.rules_.size(); ++r)
    if (!rs.rules_[r].is_correlation)
      hit_counters_[r] = &metrics_.counter("vigie_rule_hits_total", {{"rule", rs.rules_[r].info.id}});
  scans_.resize(rs.scans_.size());
  source_views_.resize(rs.decoder_fields_.size());
  memo_.resize(rs.scans_.size());
  memo_hash_.resize(rs.scans_.size());
  prefilter_ok_ = true;
  for (const auto& fs : rs.scans_)
    if (fs.prefilter && !scratch_.prepare(*fs.prefilter)) prefilter_ok_ = false;
  atom_epoch_.assign(rs.atoms_.size(), 0);
  computed_epoch_.assign(rs.atoms_.size(), 0);
  atom_value_.assign(rs.atoms_.size(), 0);
  rule_epoch_.assign(rs.rules_.size(), 0);
  int groups = 0;
  for (const auto& d : rs.decoders_)
    for (const auto& p : d.patterns) groups = std::max(groups, p.groups);
  groups_.resize(static_cast<std::size_t>(groups) + 1);
  kv_names_.resize(rs.decoders_.size());
}

void Matcher::process(core::Event& e, std::vector<uint32_t>& hits) {
  begin_event();
  decode_event(e, nullptr);
  match_event(e, hits);
}

void Matcher::decode(core::Event& e, std::vector<uint32_t>* applied) {
  begin_event();
  decode_event(e, applied);
}

void Matcher::decode(core::Event& e, DecodeTrace& trace) {
  trace.clear();
  begin_event();
  decode_event(e, nullptr, &trace);
}

void Matcher::match(const core::Event& e, std::vector<uint32_t>& hits) {
  begin_event();
  match_event(e, hits);
}

void Matcher::begin_event() {
  if (++event_ == 0) {  // wrapped: no ScanResult may look current
    for (auto& r : scans_) r.event = 0;
    kv_scan_ = {};
    event_ = 1;
  }
}

void Matcher::count_regex_error(std::string_view kind) {
  const std::string k(kind);
  const uint64_t n = metrics_.counter("vigie_regex_errors_total", {{"kind", k}}).fetch_add(1) + 1;
  // Rate-limited: the 1st, 2nd, 4th, 8th... occurrence is logged.
  if ((n & (n - 1)) == 0)
    spdlog::warn("RE2::Set match failed ({}), fell back to single regexes; {} such failures so far", k, n);
}

const Matcher::ScanResult& Matcher::scan_field(uint32_t s, std::string_view text) {
  ScanResult& r = scans_[s];
  // Views of one event never change their bytes (batch buffer, arena, rule set constants), so
  // the same view is the same text.
  if (r.event == event_ && r.data == text.data() && r.size == text.size()) return r;
  r.event = event_;
  r.data = text.data();
  r.size = text.size();
  r.exact = true;
  r.memo = nullptr;
  Memo* memo = nullptr;
  if (text.size() <= kMemoText) {
    auto& slots = memo_[s];
    auto& hashes = memo_hash_[s];
    if (slots.empty()) {
      slots.resize(kMemoSlots);
      hashes.assign(kMemoSlots, 0);
    }
    const std::size_t h = std::hash<std::string_view>{}(text);
    const std::size_t slot = h % kMemoSlots;
    memo = &slots[slot];
    if (hashes[slot] == h && memo->filled && memo->text == text) {
      r.exact = memo->exact;
      r.hits = memo->hits;
      r.memo = memo;
      return r;
    }
    hashes[slot] = h;
  }
  scan_text(s, text, r);
  if (memo != nullptr) {
    memo->text.assign(text.data(), text.size());
    memo->filled = true;
    memo->exact = r.exact;
    memo->hits = r.hits;
    memo->used = 0;
    r.memo = memo;
  }
  return r;
}

void Matcher::scan_text(uint32_t s, std::string_view text, ScanResult& r) {
  const FieldScan& fs = rules_->scans_[s];
  if (fs.prefilter && prefilter_ok_) {
    std::string repaired;  // written only for invalid UTF-8
    if (fs.prefilter->candidates(matchable(text, repaired), scratch_, r.hits)) {
      r.exact = false;
      return;
    }
    count_regex_error("prefilter");  // then RE2::Set decides, as without a prefilter
  }
  // A field that decoders read matches one of their patterns on most lines: ask which at once.
  if (const auto kind = scan_set(rules_->set_in(slot_, fs), fs.singles, text, r.hits, fs.decoder_patterns == 0);
      !kind.empty())
    count_regex_error(kind);
}

bool Matcher::capture(const DecoderPattern& p, std::string_view text, const ScanResult& r) {
  const int n = p.groups + 1;
  // r.memo holds r's text (a slot changes only with scan_field of this field, which sets r);
  // the text captured from must be that view, not a repaired copy.
  Memo* memo = r.memo != nullptr && r.data == text.data() && r.size == text.size() ? r.memo : nullptr;
  if (memo != nullptr)
    for (std::size_t k = 0; k < memo->used; ++k) {
      const Capture& c = memo->captures[k];
      if (c.pattern != p.flat) continue;
      if (!c.matched) return false;
      for (int i = 0; i < n; ++i) {
        const auto [off, len] = c.groups[static_cast<std::size_t>(i)];
        groups_[static_cast<std::size_t>(i)] =
            off < 0 ? re2::StringPiece() : re2::StringPiece(text.data() + off, static_cast<std::size_t>(len));
      }
      return true;
    }
  const bool matched =
      p.at_start ? captures_.match_at(rules_->regex_in(slot_, p), p.twin.get(), text, 0, groups_.data(), n)
                 : captures_.leftmost(rules_->regex_in(slot_, p), p.twin.get(), p.lead, text, groups_.data(), n);
  if (memo != nullptr) {
    if (memo->used == memo->captures.size()) memo->captures.emplace_back();
    Capture& c = memo->captures[memo->used++];
    c.pattern = p.flat;
    c.matched = matched;
    c.groups.clear();
    if (matched)
      for (int i = 0; i < n; ++i) {
        const auto& g = groups_[static_cast<std::size_t>(i)];
        c.groups.emplace_back(g.data() == nullptr ? -1 : static_cast<int32_t>(g.data() - text.data()),
                              static_cast<int32_t>(g.size()));
      }
  }
  return matched;
}

// Decoders run in file order, each on the fields the previous ones left. Off the trace, only
// the decoders that may apply are tried: those with a candidate in the scan of their source
// field (done for the rules anyway, and remembered per text), and those that cannot be told by
// a scan (DecoderField::filtered). A decoder that changes a scanned source field makes the
// following decoders be chosen again on the new text.
void Matcher::decode_event(core::Event& e, std::vector<uint32_t>* applied, DecodeTrace* trace) {
  const RuleSet& rs = *rules_;
  if (trace) {
    for (uint32_t d = 0; d < rs.decoders_.size(); ++d) {
      DecodeStep& step = trace->emplace_back();
      step.decoder = d;
      apply_decoder(e, d, applied, &step);
    }
  } else {
    choose_decoders(e, 0);
    for (std::size_t i = 0; i < chosen_.size(); ++i) {
      const uint32_t d = chosen_[i];
      if (apply_decoder(e, d, applied, nullptr) && sources_changed(e)) {
        choose_decoders(e, d + 1);
        i = static_cast<std::size_t>(-1);
      }
    }
  }
  // Decoded fields are what observables are: look them up once they are all set.
  if (iocs_ != nullptr && !iocs_->empty())
    if (const auto m = intel::find_observable(*iocs_, e)) intel::mark_match(e, *m);
}

void Matcher::choose_decoders(const core::Event& e, uint32_t from) {
  const RuleSet& rs = *rules_;
  chosen_.clear();
  chosen_sorted_ = true;
  for (std::size_t f = 0; f < rs.decoder_fields_.size(); ++f) {
    const DecoderField& df = rs.decoder_fields_[f];
    const auto v = df.filtered ? e.get(df.field) : std::nullopt;
    source_views_[f] = v ? *v : std::string_view();
    if (!v) continue;
    const ScanResult& r = scan_field(static_cast<uint32_t>(df.scan), *v);
    const FieldScan& fs = rs.scans_[static_cast<std::size_t>(df.scan)];
    for (const int h : r.hits) {
      if (static_cast<uint32_t>(h) >= fs.decoder_patterns) break;  // rule atoms follow
      if (const uint32_t d = df.owner[static_cast<std::size_t>(h)]; d >= from) choose(d);
    }
  }
  for (const uint32_t d : rs.unfiltered_decoders_)
    if (d >= from) choose(d);
  if (!chosen_sorted_) {
    std::sort(chosen_.begin(), chosen_.end());
    chosen_.erase(std::unique(chosen_.begin(), chosen_.end()), chosen_.end());
  }
}

// Hits come sorted and a field's decoder patterns are numbered in decoder order, so one field's
// decoders arrive in order, each once per pattern that hit: only a second field (or an
// unfiltered decoder) can make the list need sorting.
void Matcher::choose(uint32_t d) {
  if (!chosen_.empty() && d <= chosen_.back()) {
    if (d == chosen_.back()) return;
    chosen_sorted_ = false;
  }
  chosen_.push_back(d);
}

bool Matcher::sources_changed(const core::Event& e) const {
  const RuleSet& rs = *rules_;
  for (std::size_t f = 0; f < rs.decoder_fields_.size(); ++f) {
    const DecoderField& df = rs.decoder_fields_[f];
    if (!df.filtered) continue;
    const auto v = e.get(df.field);
    const std::string_view was = source_views_[f];
    if (v ? (v->data() != was.data() || v->size() != was.size()) : was.data() != nullptr) return true;
  }
  return false;
}

// One decoder on `e`: whether it set anything. `step` (tracing only) records why it did or did
// not apply.
bool Matcher::apply_decoder(core::Event& e, uint32_t d, std::vector<uint32_t>* applied, DecodeStep* step) {
  const RuleSet& rs = *rules_;
  const Decoder& dec = rs.decoders_[d];
  bool when = true;
  for (const auto& [field, values] : dec.when) {
    const auto v = e.get(field);
    if (!v || std::find(values.begin(), values.end(), *v) == values.end()) {
      when = false;
      if (step) {
        step->outcome = DecodeStep::Outcome::when_failed;
        step->detail = field.name + (v ? " is '" + std::string(*v) + "'" : " is absent") + ", wants ";
        for (std::size_t i = 0; i < values.size(); ++i) step->detail += (i ? " or '" : "'") + values[i] + "'";
      }
      break;
    }
  }
  if (!when) return false;
  const DecoderField& df = rs.decoder_fields_[dec.source];
  const auto field = e.get(df.field);
  if (!field) {
    if (step) step->outcome = DecodeStep::Outcome::no_source, step->detail = df.field.name + " is absent";
    return false;
  }
  // Candidates only (a prefilter's are not confirmed): the capturing match of each decoder
  // confirms them, lowest index first. A field a decoder rewrote is a new view, scanned again.
  const auto& cands = scan_field(static_cast<uint32_t>(df.scan), *field).hits;
  bool kv_applied = false;
  if (dec.kv) {  // pairs first: a pattern beside them may refine what they set
    if (dec.kv_entry >= 0 && !std::binary_search(cands.begin(), cands.end(), dec.kv_entry)) {
      if (step) {
        const auto& req = dec.kv->require;
        const auto longest =
            std::max_element(req.begin(), req.end(), [](const auto& a, const auto& b) { return a.size() < b.size(); });
        step->outcome = DecodeStep::Outcome::kv_rejected;
        step->detail = "required key '" + *longest + "' missing";
      }
    } else {
      kv_applied = decode_kv(e, d, *field, step);
    }
    if (kv_applied && applied) applied->push_back(d);
    if (dec.patterns.empty()) return kv_applied;
  }
  const auto no_pattern = [&] {
    if (step && !kv_applied) step->outcome = DecodeStep::Outcome::no_pattern;
  };
  const auto first = static_cast<int>(dec.set_base);
  const auto end = first + static_cast<int>(dec.patterns.size());
  auto it = std::lower_bound(cands.begin(), cands.end(), first);
  if (it == cands.end() || *it >= end) {
    no_pattern();
    return kv_applied;
  }
  std::string repaired;  // written only for invalid UTF-8; captures then come from it
  const std::string_view text = matchable(*field, repaired);
  static const ScanResult kNoMemo;
  const ScanResult& memo = text.data() == field->data() ? scans_[static_cast<std::size_t>(df.scan)] : kNoMemo;
  // The lowest-index pattern of the decoder that matches wins (a prefilter candidate that
  // does not match is passed over).
  const DecoderPattern* p = nullptr;
  for (; it != cands.end() && *it < end; ++it) {
    const DecoderPattern& c = dec.patterns[static_cast<std::size_t>(*it - first)];
    if (capture(c, text, memo)) {
      p = &c;
      break;
    }
  }
  if (p == nullptr) {
    no_pattern();
    return kv_applied;
  }
  if (step) {
    step->outcome = DecodeStep::Outcome::applied;
    step->pattern = static_cast<int32_t>(p - dec.patterns.data());
  }
  // Captures are views into the source text, which stays alive when a target replaces the
  // source field itself (the event only drops its view); constants live in the rule set. A
  // repaired copy (invalid UTF-8) dies here: what is captured from it goes to the arena.
  const bool copy = text.data() != field->data();
  for (const DecoderAssign& a : p->assigns) {
    if (a.group < 0) {
      e.set(a.target, std::string_view(a.literal));
      if (step) step->set.emplace_back(a.target.name, a.literal);
    } else if (const auto& g = groups_[static_cast<std::size_t>(a.group)]; g.data() != nullptr) {
      std::string_view value(g.data(), g.size());
      if (a.transform != Transform::none) {
        const std::string_view t = apply_transform(a.transform, value, e.arena());
        if (t.data() == value.data() && copy)
          value = e.arena().copy(value);
        else
          value = t;
      } else if (copy) {
        value = e.arena().copy(value);
      }
      if (place_address(e, dec, a.target, value, metrics_, step)) {
        e.set(a.target, value);
        if (step) step->set.emplace_back(a.target.name, value);
      }
    }
  }
  if (applied && (applied->empty() || applied->back() != d)) applied->push_back(d);
  return true;
}

const Matcher::KvName* Matcher::kv_name(uint32_t d, const KvDecoder& kv, std::string_view key) {
  auto& table = kv_names_[d];
  if (table.slots.empty()) table.slots.resize(kKvNameSlots);
  uint32_t h = 2166136261U;  // FNV-1a: keys are short
  for (const char c : key) h = (h ^ static_cast<unsigned char>(c)) * 16777619U;
  for (std::size_t i = 0; i < kKvNameSlots; ++i) {
    KvName& n = table.slots[(h + i) & (kKvNameSlots - 1)];
    if (n.filled) {
      if (n.key == key) return &n;
      continue;
    }
    if (table.used == kKvNames) return nullptr;  // full: the caller resolves the name itself
    if (++table.used == kKvNames) {
      const std::string& name = rules_->decoders_[d].name;
      metrics_.counter("vigie_decoder_kv_names_full_total", {{"decoder", name}})
          .fetch_add(1, std::memory_order_relaxed);
      spdlog::info("decoder {}: {} distinct keys seen by one worker; further keys are resolved pair by pair", name,
                   kKvNames);
    }
    n.filled = true;
    n.key.assign(key);
    const auto m = kv.map.find(key);
    n.mapped = m == kv.map.end() ? nullptr : &m->second;
    if (!kv.prefix.empty()) {
      n.name = kv.prefix + n.key;
      n.fixed = core::fixed_field(n.name);
    }
    return &n;
  }
  return nullptr;
}

// A decoder's `kv:` pairs (detect/kv.hpp). Values are views into the source text (an unescaped
// quoted value and a prefixed name go to the arena). Counted: more pairs than kKvMaxPairs or
// than the event can hold (truncated), unterminated quotes and bad keys (malformed) — once per
// line, and only on lines the decoder accepts (`require`), so other programs' lines add nothing.
bool Matcher::decode_kv(core::Event& e, uint32_t d, std::string_view text, DecodeStep* step) {
  const Decoder& dec = rules_->decoders_[d];
  const KvDecoder& kv = *dec.kv;
  const auto reject = [&](std::string why) {
    if (step) step->outcome = DecodeStep::Outcome::kv_rejected, step->detail = std::move(why);
    return false;
  };
  // Decoders of one source view and separator share a scan (FortiGate's and Stormshield's
  // decoders both read every message).
  if (kv_scan_.event != event_ || kv_scan_.data != text.data() || kv_scan_.size != text.size() ||
      kv_scan_.separator != kv.syntax.separator || kv_scan_.single_quotes != kv.syntax.single_quotes) {
    kv_scan_ = {event_,
                text.data(),
                text.size(),
                kv.syntax.separator,
                kv.syntax.single_quotes,
                scan_kv(text, kv.syntax, kv_pairs_)};
  }
  const KvScanOutcome outcome = kv_scan_.outcome;
  if (kv_pairs_.empty()) return reject("no key=value pair");
  for (const std::string& key : kv.require)
    if (std::none_of(kv_pairs_.begin(), kv_pairs_.end(), [&](const KvPair& p) { return p.key == key; }))
      return reject("required key '" + key + "' missing");
  if (step) step->outcome = DecodeStep::Outcome::applied;
  bool truncated = outcome.truncated;
  if (kv.lead) {
    std::string_view lead = text.substr(0, static_cast<std::size_t>(kv_pairs_.front().key.data() - text.data()));
    while (!lead.empty() && (lead.back() == ' ' || lead.back() == '\t' || lead.back() == kv.syntax.separator))
      lead.remove_suffix(1);
    while (!lead.empty() && (lead.front() == ' ' || lead.front() == '\t')) lead.remove_prefix(1);
    if (!lead.empty()) {
      e.set(*kv.lead, lead);
      if (step) step->set.emplace_back(kv.lead->name, lead);
    }
  }
  const bool transforms = !kv.transforms.empty() || !kv.stem_transforms.empty();
  // Sets a mapped field, and the prefixed copy under `name` (already in the arena).
  const auto set_pair = [&](const core::FieldRef* mapped, std::optional<core::Field> fixed, std::string_view name,
                            std::string_view value) {
    if (mapped && !value.empty() && place_address(e, dec, *mapped, value, metrics_, step)) {
      e.set(*mapped, value);
      if (step) step->set.emplace_back(mapped->name, value);
    }
    if (kv.prefix.empty()) return;
    if (fixed)
      e.set(*fixed, value);
    else if (!e.set_free(name, value)) {
      truncated = true;
      return;
    }
    if (step) step->set.emplace_back(std::string(name), value);
  };
  for (const KvPair& p : kv_pairs_) {
    std::string_view value = kv_unescape(p.value, p.escaped, e.arena());
    if (transforms)
      if (const Transform t = kv.transform_for(p.key); t != Transform::none && !(p.quoted && t == Transform::hex))
        value = apply_transform(t, value, e.arena());
    // What the key means is remembered per decoder (kKvNames keys: memory stays fixed whatever
    // keys arrive); past that, it is resolved for this pair alone. Names are copied into the
    // arena: events outlive this matcher (they travel to the correlator).
    if (const KvName* n = kv_name(d, kv, p.key)) {
      set_pair(n->mapped, n->fixed, n->fixed || kv.prefix.empty() ? std::string_view() : e.arena().copy(n->name),
               value);
      continue;
    }
    const auto m = kv.map.find(p.key);
    kv_name_.assign(kv.prefix).append(p.key);
    const auto fixed = kv.prefix.empty() ? std::nullopt : core::fixed_field(kv_name_);
    set_pair(m == kv.map.end() ? nullptr : &m->second, fixed,
             fixed || kv.prefix.empty() ? std::string_view() : e.arena().copy(kv_name_), value);
  }
  const auto count = [&](const char* name, const char* what) {
    const uint64_t n = metrics_.counter(name, {{"decoder", dec.name}}).fetch_add(1, std::memory_order_relaxed) + 1;
    if ((n & (n - 1)) == 0)  // rate-limited: 1st, 2nd, 4th, 8th...
      spdlog::warn("decoder {}: {} ({} such lines so far)", dec.name, what, n);
  };
  if (truncated) count("vigie_decoder_kv_truncated_total", "more key=value pairs than kept, the rest not set");
  if (outcome.malformed) count("vigie_decoder_kv_malformed_total", "unterminated quote or invalid key passed over");
  return true;
}

bool Matcher::atom_true(uint32_t id, const core::Event& e) {
  const Atom& a = rules_->atoms_[id];
  if (a.indexed()) return atom_epoch_[id] == epoch_;
  if (computed_epoch_[id] != epoch_) {
    computed_epoch_[id] = epoch_;
    atom_value_[id] = rules_->eval_atom(a, e, iocs_) ? 1 : 0;
  }
  return atom_value_[id] != 0;
}

void Matcher::match_event(const core::Event& e, std::vector<uint32_t>& hits) {
  hits.clear();
  const RuleSet& rs = *rules_;
  if (++epoch_ == 0) {  // wrapped after 2^32 events: forget every stamp once
    std::fill(atom_epoch_.begin(), atom_epoch_.end(), 0);
    std::fill(computed_epoch_.begin(), computed_epoch_.end(), 0);
    std::fill(rule_epoch_.begin(), rule_epoch_.end(), 0);
    epoch_ = 1;
  }
  candidates_.clear();
  auto candidate = [&](uint32_t r) {
    if (rule_epoch_[r] == epoch_) return;
    rule_epoch_[r] = epoch_;
    candidates_.push_back(r);
  };
  auto mark = [&](uint32_t atom) {
    atom_epoch_[atom] = epoch_;
    for (uint32_t r : rs.atom_rules_[atom]) candidate(r);
  };
  for (const FieldIndex& fi : rs.fields_) {
    // Hundreds of names (the SigmaHQ Windows tree) looked up per event: FieldRef keeps their hash.
    const auto v = e.get(fi.field);
    if (!v) continue;
    if (fi.scan >= 0) {
      const auto s = static_cast<uint32_t>(fi.scan);
      const ScanResult& r = scan_field(s, *v);  // done already when decoders read the field
      const auto& singles = rs.scans_[s].singles;
      std::string repaired;  // prefilter candidates are confirmed on what RE2 can read
      const std::string_view text = r.exact ? std::string_view() : matchable(*v, repaired);
      const re2::StringPiece piece(text.data(), text.size());
      for (auto it = std::lower_bound(r.hits.begin(), r.hits.end(), static_cast<int>(fi.base)); it != r.hits.end();
           ++it) {
        const auto idx = static_cast<std::size_t>(*it);
        if (!r.exact && !RE2::PartialMatch(piece, *singles[idx])) continue;
        mark(fi.set_atoms[idx - fi.base]);
      }
    }
    if (!fi.folded.empty()) {
      ascii_fold(*v, folded_);
      if (auto it = fi.folded.find(folded_); it != fi.folded.end())
        for (uint32_t atom : it->second) mark(atom);
    }
    if (!fi.cased.empty()) {
      folded_.assign(v->data(), v->size());
      if (auto it = fi.cased.find(folded_); it != fi.cased.end())
        for (uint32_t atom : it->second) mark(atom);
    }
  }
  for (uint32_t r : rs.always_) candidate(r);
  for (uint32_t r : candidates_) {
    const Expr& x = rs.rules_[r].expr;
    if (eval_expr(x, x.root, [&](uint32_t atom) { return atom_true(atom, e); })) {
      hits.push_back(r);
      hit_counters_[r]->fetch_add(1, std::memory_order_relaxed);
    }
  }
  std::sort(hits.begin(), hits.end());
}

}  // namespace vigie::detect
