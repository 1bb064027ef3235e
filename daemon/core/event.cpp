#include "core/event.hpp"

#include <algorithm>
#include <unordered_map>

namespace vigie::core {
namespace {

constexpr std::array<std::string_view, kFixedFields> kNames = {
    "@timestamp",
    "event.ingested",
    "observer.site",
    "log.source.address",
    "host.hostname",
    "process.name",
    "process.pid",
    "log.syslog.facility.code",
    "log.syslog.severity.code",
    "message",
    "source.ip",
    "source.port",
    "destination.ip",
    "destination.port",
    "network.transport",
    "user.name",
    "event.action",
    "event.outcome",
    "dns.question.name",
    "tls.client.server_name",
    "url.domain",
    "url.original",
    "http.request.method",
    "user_agent.original",
    "file.hash.md5",
    "file.hash.sha1",
    "file.hash.sha256",
    "ssh.client.version",
    "log.syslog.priority",
};

// Free-form fields are looked up by a scan while an event has few of them; past this many, by
// the hash index.
constexpr std::size_t kScanLimit = 8;

std::size_t name_hash(std::string_view s) { return Event::hash_name(s); }

}  // namespace

std::string_view field_name(Field f) { return kNames[static_cast<std::size_t>(f)]; }

std::optional<Field> fixed_field(std::string_view name) {
  // Called for every free-form name a decoder or a JSON body sets: one hash lookup, not a scan,
  // and none for a name whose first byte and length no fixed name has (Sigma's Windows names,
  // `Event.EventData.*`, `winlog.*`: most of a JSON body).
  static const auto* const kByName = [] {
    auto* m = new std::unordered_map<std::string_view, Field>();
    for (std::size_t i = 0; i < kNames.size(); ++i) m->emplace(kNames[i], static_cast<Field>(i));
    return m;
  }();
  static const auto kLengths = [] {  // first byte → bit L set if a fixed name of length L starts so
    std::array<uint64_t, 256> t{};
    for (const auto n : kNames)
      t[static_cast<unsigned char>(n[0])] |= uint64_t{1} << std::min<std::size_t>(n.size(), 63);
    return t;
  }();
  if (name.empty() ||
      (kLengths[static_cast<unsigned char>(name[0])] & (uint64_t{1} << std::min<std::size_t>(name.size(), 63))) == 0)
    return std::nullopt;
  const auto it = kByName->find(name);
  if (it == kByName->end()) return std::nullopt;
  return it->second;
}

std::string_view Event::stamp(std::size_t which) const {
  auto& buf = stamps_[which];
  const std::size_t n = format_rfc3339(which == 0 ? time : ingested, buf.data());
  return {buf.data(), n};
}

std::size_t Event::find_extra(std::string_view name) const {
  return find_extra(name, extra_index_.empty() ? 0 : name_hash(name));
}

std::size_t Event::find_extra(std::string_view name, std::size_t hash) const {
  if (extra_index_.empty()) {
    for (std::size_t i = 0; i < extra_.size(); ++i)
      if (extra_[i].first == name) return i;
    return extra_.size();
  }
  const std::size_t mask = extra_index_.size() - 1;
  for (std::size_t h = hash & mask;; h = (h + 1) & mask) {
    const uint16_t slot = extra_index_[h];
    if (slot == 0) return extra_.size();
    if (extra_[slot - 1].first == name) return slot - 1;
  }
}

std::optional<std::string_view> Event::get(std::string_view name) const {
  if (auto f = fixed_field(name)) return get(*f);
  const std::size_t i = find_extra(name);
  if (i == extra_.size()) return std::nullopt;
  return extra_[i].second;
}

bool Event::set(std::string_view name, std::string_view v) {
  if (auto f = fixed_field(name)) {
    set(*f, v);
    return true;
  }
  return set_extra(name, v, false);
}

bool Event::set_free(std::string_view name, std::string_view v) { return set_extra(name, v, false); }

bool Event::set_copy(std::string_view name, std::string_view v) {
  if (auto f = fixed_field(name)) {
    set_copy(*f, v);
    return true;
  }
  return set_extra(name, v, true);
}

// A JSON body sets ~100 free-form fields per event: the name is hashed once, and the probe that
// finds it absent is where it goes.
bool Event::set_extra(std::string_view name, std::string_view v, bool copy) {
  std::size_t h = 0;
  if (extra_index_.empty()) {
    for (auto& [k, old] : extra_)
      if (k == name) {
        old = copy ? arena().copy(v) : v;
        return true;
      }
  } else {
    const std::size_t mask = extra_index_.size() - 1;
    for (h = name_hash(name) & mask;; h = (h + 1) & mask) {
      const uint16_t slot = extra_index_[h];
      if (slot == 0) break;
      if (extra_[slot - 1].first == name) {
        extra_[slot - 1].second = copy ? arena().copy(v) : v;
        return true;
      }
    }
  }
  if (extra_.size() >= kMaxExtraFields) return false;
  if (copy) {
    Arena& a = arena();
    name = a.copy(name);
    v = a.copy(v);
  }
  extra_.emplace_back(name, v);
  if (!extra_index_.empty())
    extra_index_[h] = static_cast<uint16_t>(extra_.size());
  else if (extra_.size() == kScanLimit + 1)
    build_index();
  return true;
}

void Event::build_index() {
  // A table twice the cap: probes stay short and it is built once per event.
  extra_index_.assign(2 * 256, 0);
  static_assert(2 * 256 >= 2 * kMaxExtraFields);
  for (std::size_t i = 0; i < extra_.size(); ++i) {
    std::size_t h = name_hash(extra_[i].first) & (extra_index_.size() - 1);
    while (extra_index_[h] != 0) h = (h + 1) & (extra_index_.size() - 1);
    extra_index_[h] = static_cast<uint16_t>(i + 1);
  }
}

Event::Event(const Event& other) { *this = other; }

Event& Event::operator=(const Event& other) {
  if (this == &other) return *this;
  own_ = std::make_unique<Arena>();
  arena_ = own_.get();
  time = other.time;
  ingested = other.ingested;
  repeat = other.repeat;
  raw_ = arena_->copy(other.raw_);
  present_ = other.present_;
  for (std::size_t i = 0; i < kFixedFields; ++i) fixed_[i] = arena_->copy(other.fixed_[i]);
  extra_.clear();
  extra_index_.clear();
  for (const auto& [k, v] : other.extra_) set(arena_->copy(k), arena_->copy(v));
  return *this;
}

}  // namespace vigie::core
