// Public API of the detect module (DESIGN.md §5): load rule files into an immutable RuleSet,
// match events with a per-thread Matcher, turn hits into alerts with a single-threaded
// Correlator. Engine chains the two synchronously for `vigie rules test`, `vigie replay` and tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "config/config.hpp"
#include "core/alert.hpp"
#include "core/error.hpp"
#include "core/event.hpp"
#include "core/metrics.hpp"
#include "detect/key_table.hpp"
#include "detect/ruleset.hpp"
#include "detect/watermark.hpp"

namespace vigie::detect {

struct LoadOptions {
  // Memory budget of each RE2::Set (program + DFA cache). When the DFA of a set runs out of it
  // at match time, the matcher counts vigie_regex_errors_total and tries each regex alone.
  int64_t set_max_mem = int64_t{64} << 20;
  // Matcher slots: each worker thread matches with its own copy of every RE2::Set and decoder
  // regex (slot 0 is the original). RE2 keeps a DFA cache per object behind a lock that every
  // thread scanning it takes; copies share nothing. Costs compile time and memory per slot.
  std::size_t matcher_slots = 1;
  // Vectorscan prefilters in front of the RE2::Sets, where this build has Vectorscan
  // (detect/prefilter.hpp). Off: RE2::Set alone (tests compare both).
  bool prefilter = true;
  // The built-in rules (builtin_rules.cpp: the IOC rule, kIocRuleId) join the files' rules
  // unless a file defines the same id. The commands turn them on (app/commands.cpp).
  bool builtin_rules = false;
};

// The built-in rule raised on indicators of compromise (DESIGN.md §5).
inline constexpr std::string_view kIocRuleId = "vigie-ioc-match";

using LoadResult = tl::expected<std::shared_ptr<const RuleSet>, std::vector<core::Error>>;

// paths: files or directories (searched recursively for *.yml and *.yaml, sorted). Reports every
// error found, each with "file:line" and the reason.
[[nodiscard]] LoadResult load_rules(const std::vector<std::filesystem::path>& paths, const config::Detection& detection,
                                    const LoadOptions& options = {});

// Same, from YAML text; `name` stands for the file name in errors and `base_dir` resolves logs_file.
[[nodiscard]] LoadResult load_rules_from_string(std::string_view yaml, const std::string& name,
                                                const config::Detection& detection, const LoadOptions& options = {},
                                                const std::filesystem::path& base_dir = {});

// "N rule(s) and C correlation(s) loaded, M skipped: modifier 'windash' ×30, …" — what
// `check`, `serve` (start, reload) and the other commands report; RuleSet::skipped() has each.
[[nodiscard]] std::string load_summary(const RuleSet& rules);

// What a reload changed, by rule id: rules only in `after` (added), only in `before` (removed),
// in both with a different document (changed, CompiledRule::content). Ids in file order.
struct RuleChanges {
  std::vector<std::string> added, removed, changed;
};
[[nodiscard]] RuleChanges rule_changes(const RuleSet& before, const RuleSet& after);
// "rules reloaded: +2 −1 ~3 (added a, b; removed c; changed d, e, f)", ids cut after a few.
[[nodiscard]] std::string reload_summary(const RuleChanges& changes);

// What decoding did to one event, decoder by decoder, in load order (`vigie rules explain`):
// filled only when asked for, so the hot path pays one null test per decoder.
struct DecodeStep {
  enum class Outcome : uint8_t {
    applied,      // `when` held and a pattern matched (or the kv pairs were accepted)
    when_failed,  // a `when` field is absent or has none of the listed values
    no_source,    // the field the decoder reads is absent
    kv_rejected,  // `kv:` did not accept the line (a required key missing, no pair)
    no_pattern,   // no pattern of the decoder matched
  };
  uint32_t decoder = 0;
  Outcome outcome = Outcome::applied;
  std::string detail;    // when_failed: "process.name is 'cron'"; kv_rejected: the reason
  int32_t pattern = -1;  // applied: index of the pattern that matched (-1: kv pairs only)
  std::vector<std::pair<std::string, std::string>> set;  // fields set, in order (name, value)
};
using DecodeTrace = std::vector<DecodeStep>;

// One per worker thread: holds scratch buffers, never throws, never locks on the hot path.
class Matcher {
 public:
  // `slot` < RuleSet::slots(): which copy of the compiled regexes this thread scans with.
  Matcher(std::shared_ptr<const RuleSet> rules, core::Metrics& metrics, std::size_t slot = 0);

  // Runs decoders (adding fields to e), then detection rules. `hits` is cleared, then receives
  // the indices of matching detection rules in ascending order (including rules only referenced
  // by correlations).
  void process(core::Event& e, std::vector<uint32_t>& hits);

  // Decoders only; returns the indices of the decoders that applied (for `rules explain`).
  void decode(core::Event& e, std::vector<uint32_t>* applied = nullptr);
  // Decoders only, saying for each decoder what it did and why not (`trace` is cleared first).
  void decode(core::Event& e, DecodeTrace& trace);
  // Detection rules only, on an already decoded event.
  void match(const core::Event& e, std::vector<uint32_t>& hits);

  // The IOC index events are looked up in after decoding (intel/observe.hpp: a match becomes
  // threat.* fields) and `|ioc` atoms read; nullptr or empty: none. The caller keeps it alive
  // while events are processed (a pipeline worker: its batch's snapshot).
  void set_iocs(const intel::IocIndex* iocs) { iocs_ = iocs; }

 private:
  // What the scan of one FieldScan found for the current event, kept while the field's value is
  // the same view: the decoders and then the rules of that field read one scan.
  // What a field's text gave, remembered for the next event with the very same text: a scan
  // and the captures of a decoder pattern are pure functions of it, and logs repeat themselves
  // (cron and session lines, the same drop again and again). Direct-mapped, kMemoSlots per
  // scanned field and texts up to kMemoText bytes: memory stays fixed whatever arrives.
  struct Capture {
    uint32_t pattern = 0;  // DecoderPattern::flat
    bool matched = false;
    std::vector<std::pair<int32_t, int32_t>> groups;  // offset, length in the text; -1: unset
  };
  struct Memo {
    std::string text;
    bool filled = false;  // a slot never written holds no text, not the empty one
    bool exact = true;
    std::vector<int> hits;
    std::vector<Capture> captures;  // decoder patterns tried on this text, in the order tried
    std::size_t used = 0;           // captures[0, used) hold: entries are reused, not freed
  };
  static constexpr std::size_t kMemoSlots = 4096;
  static constexpr std::size_t kMemoText = 512;
  struct ScanResult {
    uint32_t event = 0;  // event_ when scanned
    const char* data = nullptr;
    std::size_t size = 0;
    bool exact = true;      // RE2::Set indices; false: prefilter candidates, rules confirm theirs
    std::vector<int> hits;  // ascending
    Memo* memo = nullptr;   // the slot holding this text, if it is memoised
  };
  void begin_event();
  void decode_event(core::Event& e, std::vector<uint32_t>* applied, DecodeTrace* trace = nullptr);
  bool apply_decoder(core::Event& e, uint32_t d, std::vector<uint32_t>* applied, DecodeStep* step);
  void choose_decoders(const core::Event& e, uint32_t from);  // → chosen_
  void choose(uint32_t d);                                    // appends d to chosen_ once
  [[nodiscard]] bool sources_changed(const core::Event& e) const;
  // true: decoder d applied. `step` (tracing only) gets the fields set, or why not.
  bool decode_kv(core::Event& e, uint32_t d, std::string_view text, DecodeStep* step = nullptr);
  // What a kv decoder's key means (its prefixed name, a fixed field, a `map` target), found
  // once per key and decoder; nullptr once kKvNames keys are known.
  struct KvName {
    bool filled = false;
    std::string key;
    std::string name;  // prefix + key ("" without a prefix)
    std::optional<core::Field> fixed;
    const core::FieldRef* mapped = nullptr;  // in the rule set's KvDecoder::map
  };
  static constexpr std::size_t kKvNameSlots = 256;  // open addressing, a power of two
  static constexpr std::size_t kKvNames = 128;      // keys remembered per decoder
  struct KvNames {
    std::vector<KvName> slots;  // kKvNameSlots once used
    std::size_t used = 0;
  };
  const KvName* kv_name(uint32_t d, const KvDecoder& kv, std::string_view key);
  void match_event(const core::Event& e, std::vector<uint32_t>& hits);
  // Scans `text` with scan `s` unless already done for this event and this very view.
  const ScanResult& scan_field(uint32_t s, std::string_view text);
  void scan_text(uint32_t s, std::string_view text, ScanResult& r);
  // The capturing match of `p` on `text` (the field's text, as scanned into `r`), remembered.
  bool capture(const DecoderPattern& p, std::string_view text, const ScanResult& r);
  void count_regex_error(std::string_view kind);
  [[nodiscard]] bool atom_true(uint32_t id, const core::Event& e);

  std::shared_ptr<const RuleSet> rules_;
  core::Metrics& metrics_;
  std::size_t slot_ = 0;
  std::vector<std::atomic<uint64_t>*> hit_counters_;  // per rule, registered up front
  uint32_t event_ = 0;                                // bumped per event: ScanResult validity
  std::vector<ScanResult> scans_;                     // per FieldScan
  const intel::IocIndex* iocs_ = nullptr;
  std::vector<uint32_t> chosen_;                // decoders to try on this event, in order
  bool chosen_sorted_ = true;                   // chosen_ needs no sort (choose)
  std::vector<std::string_view> source_views_;  // per DecoderField: the view chosen_ came from
  std::vector<std::vector<Memo>> memo_;         // per FieldScan, kMemoSlots each (lazily)
  // The hash of each slot's text, apart from the slots: a lookup that misses (a new text)
  // touches 8 bytes in a 32 KiB array instead of a slot line among 400 KiB.
  std::vector<std::vector<std::size_t>> memo_hash_;
  PrefilterScratch scratch_;
  bool prefilter_ok_ = false;  // scratch_ is ready for every prefilter of the rule set
  std::vector<re2::StringPiece> groups_;
  CaptureScratch captures_;
  std::vector<KvPair> kv_pairs_;  // decode_kv scratch: the pairs of kv_scan_'s text
  struct KvScanKey {
    uint32_t event = 0;  // event_ of the scan (0: none)
    const char* data = nullptr;
    std::size_t size = 0;
    char separator = 0;
    bool single_quotes = false;
    KvScanOutcome outcome;
  } kv_scan_;
  std::string kv_name_;
  std::vector<KvNames> kv_names_;  // per decoder
  // Matching scratch: an atom is true for this event iff atom_epoch_[id] == epoch_ (indexed
  // atoms) or computed_epoch_[id] == epoch_ && atom_value_[id] (others, memoised).
  uint32_t epoch_ = 0;
  std::vector<uint32_t> atom_epoch_;
  std::vector<uint32_t> computed_epoch_;
  std::vector<uint8_t> atom_value_;
  std::vector<uint32_t> rule_epoch_;
  std::vector<uint32_t> candidates_;
  std::string folded_;
};

// Single-threaded owner of correlation windows and suppression state. What is counted and
// suppressed is decided on event time, per key; `clock` only decides when untouched state is
// forgotten (detect/watermark.hpp).
//
// Bounded (config::Detection): at most max_keys_per_rule keys per rule and max_keys in all (a
// key = a rule's group-by values; its window and open alerts); past a cap the least recently
// touched key goes first, counted in vigie_correlation_evicted_total{rule}. A window keeps the
// raw line of its latest kMaxEvidence samples only, each cut to max_evidence_bytes, and an
// alert's evidence is at most kMaxEvidence lines and max_evidence_bytes.
class Correlator {
 public:
  Correlator(std::shared_ptr<const RuleSet> rules, core::Metrics& metrics,
             EvictionClock clock = EvictionClock::event_time);

  // A detection rule matched `e`: raises or updates its own alert when it has one, and feeds
  // the correlations that reference it. Alerts are appended to `out`.
  void on_hit(uint32_t rule, const core::Event& e, std::vector<core::Alert>& out);
  // `now` is the eviction clock minus lateness (Watermark::due): forgets window samples older
  // than their timespan and open alerts untouched for their suppress_for, by that clock, and
  // raises the absence correlations whose keys heard nothing for their timespan by then.
  // TimePoint::max() is the end of the input (`finish`, shutdown): everything is forgotten and
  // no absence fires — the input stopped, not the sites.
  void advance(core::TimePoint now, std::vector<core::Alert>& out);

  // After a reload: takes over `old`'s state by rule identity, not position. Open alerts carry
  // over for every rule id the new set still has (a correlation must still be one, and a plain
  // rule still plain), so an attack in progress keeps its alert; a window carries over only when
  // its correlation's definition is unchanged (same fingerprint: type, timespan, threshold,
  // group-by, referenced rule ids; for value_count the counted field) — a changed threshold or span
  // starts counting afresh.
  void adopt(Correlator&& old);
  // After a restart: takes back an alert from the store as open (its rule still exists and has
  // a suppress_for), last touched at `touched` by the eviction clock, so that repeats within
  // suppress_for update it (same id, threaded mails) instead of raising a new one.
  void restore(const core::Alert& a, core::TimePoint touched);

  // Batches: between begin_batch and end_batch, repeats of an open alert are folded — one
  // update per alert, in its state at end_batch (or when the alert leaves the table earlier:
  // eviction, expiry), appended after the new alerts. Each update carries the whole state
  // (count, times, evidence), so a consumer folding updates by id sees what it would have seen
  // from every update; building one costs copies of its evidence and rule, which a storm paid
  // per hit. Outside a batch every update is appended at once (tests, `rules test`).
  void begin_batch() { batching_ = true; }
  void end_batch(std::vector<core::Alert>& out);

  [[nodiscard]] std::size_t keys() const { return states_.size(); }
  [[nodiscard]] std::size_t keys_of(uint32_t rule) const { return states_.size(rule); }
  [[nodiscard]] std::size_t open_windows() const;
  [[nodiscard]] std::size_t window_samples() const;
  [[nodiscard]] std::size_t open_alerts() const;
  // Bytes of raw lines held by window samples (bounded: latest kMaxEvidence per window), and of
  // value_count's counted values (at most kMaxCountedValue each).
  [[nodiscard]] std::size_t sample_bytes() const;
  // Fingerprint of a correlation's definition (0 for plain rules): what adopt compares.
  [[nodiscard]] uint64_t fingerprint(uint32_t rule) const { return fingerprint_[rule]; }

 private:
  struct Sample {
    core::TimePoint time;   // event time: what spans are measured on
    core::TimePoint clock;  // eviction clock (clock_time): when the sample may be forgotten
    std::string raw;        // empty unless among the window's latest kMaxEvidence samples
    std::string value;      // value_count: the counted field's value, cut at kMaxCountedValue bytes
    uint64_t weight = 1;    // occurrences it stands for (Event::repeat; a chained firing's count)
    uint32_t part = 0;      // temporal types: the position of its rule in the correlation's `rules`
  };
  struct Open {
    std::string id;
    uint64_t count = 0;
    core::TimePoint first_seen, last_seen;
    std::vector<std::string> evidence;
    std::size_t evidence_bytes = 0;
    core::TimePoint touched = core::TimePoint::min();
    std::optional<core::IocRef> ioc;
  };
  // The state of one (rule, key): a correlation's window (sorted by time; absence: the latest
  // hit only) and, for any rule, its open alerts by first_seen — usually one; more when a
  // backlog older than the open alert by more than suppress_for arrives (a relay flushing its
  // queue, an older file replayed after a newer one), so that backlog folds into an alert of
  // its own instead of one per line.
  struct State {
    std::vector<Sample> window;
    std::vector<Open> opens;
  };
  using Table = KeyTable<State>;
  using Span = std::vector<std::size_t>;  // indices of the window samples that fired, ascending

  Table::Entry& touch(uint32_t rule, std::string_view key_text);
  // An update of open alert `o` of (rule, key), as raise makes it.
  [[nodiscard]] core::Alert update_of(uint32_t rule, const Open& o, const core::KeyValues& key, std::string site) const;
  // Builds the pending update of alert `id` now (into ready_), if there is one: before its
  // open alert leaves the table.
  void settle(const std::string& id, uint32_t rule, const Open& o);
  void count_eviction(uint32_t rule, std::string_view what);
  // `opens`: the open alerts of (rule, key), where a new one is kept when the rule has a
  // suppress_for. `touched`: the eviction clock now (of the event, or of advance).
  // `ioc`: the indicator the event was matched on (detection rules only), kept by the open alert.
  void raise(uint32_t rule, std::vector<Open>& opens, std::string_view site, core::TimePoint touched,
             const core::KeyValues& key, std::vector<Sample> samples, std::vector<core::Alert>& out,
             std::optional<core::IocRef> ioc = std::nullopt);
  // Correlation `corr` receives a hit of its rule number `part` (a detection rule's match, or
  // the firing of a chained correlation at `time`, standing for `weight` events) on event `e`.
  void feed(uint32_t corr, uint32_t part, const core::Event& e, core::TimePoint time, uint64_t weight,
            std::vector<core::Alert>& out);
  // absence: the key heard again (or its watch moved on) — `st` keeps the latest hit.
  void feed_absence(uint32_t corr, Table::Entry& st, Sample s, std::string_view site, const core::KeyValues& key,
                    std::vector<core::Alert>& out);
  // absence: the watch of `st` found nothing in its timespan by `now` (advance).
  void fire_absence(Table::Entry& st, std::vector<core::Alert>& out);
  // The samples of window `w` that make `spec` fire now that the sample at `pos` came; empty
  // when it does not (correlator_windows.cpp).
  [[nodiscard]] Span fired_span(const std::vector<Sample>& w, std::size_t pos, const CorrelationSpec& spec);
  // event_count: the earliest span [w[i].time, w[i].time + timespan] holding the sample at `pos`
  // and samples weighing `threshold`, as [first, last] indices; nullopt when there is none.
  [[nodiscard]] static std::optional<std::pair<std::size_t, std::size_t>> count_span(const std::vector<Sample>& w,
                                                                                     std::size_t pos,
                                                                                     const CorrelationSpec& spec);
  // value_count (values) and temporal (parts): the earliest span [w[i].time, w[i].time +
  // timespan] holding the sample at `pos` and `need` distinct values or parts, as [first, last]
  // indices; nullopt when there is none.
  [[nodiscard]] static std::optional<std::pair<std::size_t, std::size_t>> distinct_span(const std::vector<Sample>& w,
                                                                                        std::size_t pos,
                                                                                        core::Duration timespan,
                                                                                        uint64_t need, bool parts);
  // temporal_ordered: one sample of each part 0, 1, … n-1 in window order, the last at most
  // timespan after the first, the first as late as possible; empty when there is none.
  [[nodiscard]] Span ordered_chain(const std::vector<Sample>& w, const CorrelationSpec& spec);
  void add_evidence(Open& o, std::string line) const;
  // Keeps a key's open alerts ordered by first_seen, at most kMaxOpenPerKey of them.
  void insert_open(uint32_t rule, std::vector<Open>& opens, Open o);

  std::shared_ptr<const RuleSet> rules_;
  core::Metrics& metrics_;
  std::atomic<uint64_t>& late_;
  EvictionClock clock_;
  core::Duration lateness_;
  std::size_t max_evidence_bytes_;
  Table states_;
  std::vector<uint64_t> fingerprint_;             // per rule
  std::vector<std::atomic<uint64_t>*> evicted_;   // per rule: vigie_correlation_evicted_total{rule}
  core::TimePoint now_ = core::TimePoint::min();  // last advance()
  // Batch mode (begin_batch): updates owed, by alert id, and updates built early.
  struct Pending {
    uint32_t rule = 0;
    std::string key_text;
    std::string id;
    core::KeyValues key;
    std::string site;
  };
  bool batching_ = false;
  std::vector<Pending> pending_;
  std::vector<core::Alert> ready_;
  // ordered_chain scratch: per sample, the chain's previous sample (or npos).
  std::vector<std::size_t> chain_from_;
};

class Engine {
 public:
  Engine(const std::shared_ptr<const RuleSet>& rules, core::Metrics& metrics);
  void process(core::Event& e, std::vector<core::Alert>& out);
  void finish(std::vector<core::Alert>& out);

 private:
  Matcher matcher_;
  Correlator correlator_;
  Watermark watermark_;
  std::vector<uint32_t> hits_;
};

}  // namespace vigie::detect
