// Event: a flat set of fields named after ECS (DESIGN.md §4). Frequent fields have fixed ids
// and live in an array; any other name goes to a small vector (hash-indexed once it grows).
//
// Values are views, never owned strings: into the raw message (header parts, decoder captures),
// into the rule set (decoder constants), into static storage (PRI digits), or into an Arena for
// what had to be built (unescaped JSON, "sdid.param" names). The event of a batch uses the
// batch's arena (Event(Arena&)); a lone event (tests, `rules test`) makes its own on first use.
// Whoever holds an event keeps what it views alive: the batch travels with its events.
//
// `@timestamp` and `event.ingested` are kept as numbers (`time`, `ingested`) and formatted only
// when read; the view get() returns for them is valid until the next read of the same field.
// An Event belongs to one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/arena.hpp"
#include "core/time.hpp"

namespace vigie::core {

enum class Field : uint8_t {
  timestamp,         // @timestamp (RFC 3339, formatted from Event::time)
  ingested,          // event.ingested (formatted from Event::ingested)
  site,              // observer.site
  source_address,    // log.source.address
  hostname,          // host.hostname
  process_name,      // process.name
  process_pid,       // process.pid
  facility,          // log.syslog.facility.code
  severity,          // log.syslog.severity.code
  message,           // message
  source_ip,         // source.ip
  source_port,       // source.port
  destination_ip,    // destination.ip
  destination_port,  // destination.port
  transport,         // network.transport
  user_name,         // user.name
  event_action,      // event.action
  event_outcome,     // event.outcome
  dns_question,      // dns.question.name
  tls_sni,           // tls.client.server_name
  url_domain,        // url.domain
  url_original,      // url.original
  http_method,       // http.request.method
  user_agent,        // user_agent.original
  hash_md5,          // file.hash.md5
  hash_sha1,         // file.hash.sha1
  hash_sha256,       // file.hash.sha256
  ssh_version,       // ssh.client.version
  priority,          // log.syslog.priority
  count_             // number of fixed fields; not a field
};

inline constexpr std::size_t kFixedFields = static_cast<std::size_t>(Field::count_);

[[nodiscard]] std::string_view field_name(Field f);
[[nodiscard]] std::optional<Field> fixed_field(std::string_view name);

// A field name resolved once (at rule compile time) so lookups on the hot path are an index.
struct FieldRef {
  std::optional<Field> fixed;
  std::string name;      // always the full dotted name
  std::size_t hash = 0;  // of a free-form name (Event::hash_name): looked up without hashing

  [[nodiscard]] static FieldRef of(std::string_view name);
};

// Free-form fields an event keeps at most; more are counted by the decoder that tried
// (DESIGN.md: parsing stays linear in the message whatever its content).
inline constexpr std::size_t kMaxExtraFields = 256;

class Event {
 public:
  Event() = default;
  explicit Event(Arena& arena) : arena_(&arena) {}
  Event(Event&&) noexcept = default;
  Event& operator=(Event&&) noexcept = default;
  // A copy owns what it views: raw, every value and free-form name go to its own arena. Not for
  // the hot path (which moves events); for tests and tools that keep an event past its batch.
  Event(const Event& other);
  Event& operator=(const Event& other);

  TimePoint time{};      // event time (from the message, or reception if absent)
  TimePoint ingested{};  // reception time
  // How many occurrences this message stands for: a relay folding repeats ("message repeated 5
  // times: [ … ]", rsyslog) sends one line for 5; correlations count it that many times.
  uint32_t repeat = 1;
  // The message as received (after framing); evidence in alerts.
  [[nodiscard]] std::string_view raw() const { return raw_; }
  // A view: `r` must outlive the event. A std::string would die first: set_raw_copy() it.
  void set_raw(std::string_view r) { raw_ = r; }
  void set_raw(std::string&&) = delete;

  [[nodiscard]] std::optional<std::string_view> get(Field f) const {
    const auto i = static_cast<std::size_t>(f);
    if ((present_ & (uint64_t{1} << i)) == 0) return std::nullopt;
    if (i < 2) return stamp(i);
    return fixed_[i];
  }
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const;
  // A free-form (not fixed) `name` whose hash_name() the caller kept: no hashing per lookup.
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name, std::size_t hash) const {
    const std::size_t i = find_extra(name, hash);
    if (i == extra_.size()) return std::nullopt;
    return extra_[i].second;
  }
  [[nodiscard]] static std::size_t hash_name(std::string_view name) { return std::hash<std::string_view>{}(name); }
  [[nodiscard]] std::optional<std::string_view> get(const FieldRef& ref) const {
    return ref.fixed ? get(*ref.fixed) : get(std::string_view(ref.name), ref.hash);
  }
  // Empty string if absent.
  [[nodiscard]] std::string_view value(Field f) const { return get(f).value_or(std::string_view{}); }

  // @timestamp and event.ingested become fields, formatted from `time` and `ingested` when read.
  void expose_stamps() { present_ |= 3; }

  // Sets a view: `v` must outlive the event (see the header comment). @timestamp and
  // event.ingested are not set this way: assign `time` / `ingested` and expose_stamps().
  void set(Field f, std::string_view v) {
    const auto i = static_cast<std::size_t>(f);
    if (i < 2) return;
    fixed_[i] = v;
    present_ |= uint64_t{1} << i;
  }
  // `name` and `v` must outlive the event. Returns false when the event already holds
  // kMaxExtraFields free-form fields and `name` is not one of them (nothing set).
  bool set(std::string_view name, std::string_view v);
  // As set(name, v) for a name known not to be a fixed field's (resolved once by the caller:
  // a FieldRef, a decoder's memory of key names), without looking it up again.
  bool set_free(std::string_view name, std::string_view v);
  void set(const FieldRef& ref, std::string_view v) {
    if (ref.fixed)
      set(*ref.fixed, v);
    else
      set_free(std::string_view(ref.name), v);
  }
  // A std::string would be viewed and then die with its owner: say which you mean, a view
  // (std::string_view(s), when s outlives the event) or a copy (set_copy).
  template <class Key, class S, std::enable_if_t<std::is_same_v<std::decay_t<S>, std::string>, int> = 0>
  void set(Key&&, S&&) = delete;

  // Copies `v` (and a free-form `name`) into the event's arena first.
  void set_copy(Field f, std::string_view v) { set(f, arena().copy(v)); }
  bool set_copy(std::string_view name, std::string_view v);
  void set_copy(const FieldRef& ref, std::string_view v) {
    if (ref.fixed)
      set_copy(*ref.fixed, v);
    else
      set_copy(std::string_view(ref.name), v);
  }
  // The message bytes, copied into the arena (a lone event that must own what it views).
  void set_raw_copy(std::string_view r) { raw_ = arena().copy(r); }

  void erase(Field f) { present_ &= ~(uint64_t{1} << static_cast<std::size_t>(f)); }

  // Where copies go: the batch's arena, or the event's own.
  // Empties the event for reuse (a batch's slot), keeping its buffers; copies go to `arena`.
  void reset(Arena& arena) {
    present_ = 0;
    extra_.clear();
    extra_index_.clear();
    raw_ = {};
    time = ingested = TimePoint{};
    repeat = 1;
    own_.reset();
    arena_ = &arena;
  }

  [[nodiscard]] Arena& arena() {
    if (arena_ == nullptr) {
      own_ = std::make_unique<Arena>();
      arena_ = own_.get();
    }
    return *arena_;
  }

  // Visits every present field as (name, value), fixed fields first, in a stable order.
  template <class F>
  void for_each(F&& fn) const {
    for (std::size_t i = 0; i < kFixedFields; ++i)
      if (const auto v = get(static_cast<Field>(i))) fn(field_name(static_cast<Field>(i)), *v);
    for (const auto& [k, v] : extra_) fn(k, v);
  }

 private:
  [[nodiscard]] std::string_view stamp(std::size_t which) const;
  [[nodiscard]] std::size_t find_extra(std::string_view name) const;  // extra_.size() if absent
  [[nodiscard]] std::size_t find_extra(std::string_view name, std::size_t hash) const;
  // Sets free-form `name` (one lookup, one hash: found → replaced, else appended and indexed);
  // `copy`: name and value copied into the arena first (the name only when it is new).
  bool set_extra(std::string_view name, std::string_view v, bool copy);
  void build_index();

  std::string_view raw_;
  std::array<std::string_view, kFixedFields> fixed_{};
  uint64_t present_ = 0;
  std::vector<std::pair<std::string_view, std::string_view>> extra_;
  // name hash → position in extra_ + 1 (0 = empty), open addressing; built once extra_ grows
  // past a handful of fields so a JSON body with hundreds of keys stays linear.
  std::vector<uint16_t> extra_index_;
  Arena* arena_ = nullptr;
  std::unique_ptr<Arena> own_;
  mutable std::array<std::array<char, 40>, 2> stamps_{};  // formatted @timestamp, event.ingested
};

static_assert(kFixedFields <= 64, "presence bitmap is 64 bits");
static_assert(kMaxExtraFields < 0xffff, "extra_index_ holds 16-bit positions");

inline FieldRef FieldRef::of(std::string_view name) {
  const auto fixed = fixed_field(name);
  return FieldRef{fixed, std::string(name), fixed ? 0 : Event::hash_name(name)};
}

}  // namespace vigie::core
