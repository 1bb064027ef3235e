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

std::size_t name_hash(std::string_view s) { return std::hash<std::string_view>{}(s); }

}  // namespace

std::string_view field_name(Field f) { return kNames[static_cast<std::size_t>(f)]; }

std::optional<Field> fixed_field(std::string_view name) {
  // Called for every free-form name a decoder or a JSON body sets: one hash lookup, not a scan.
  static const auto* const kByName = [] {
    auto* m = new std::unordered_map<std::string_view, Field>();
    for (std::size_t i = 0; i < kNames.size(); ++i) m->emplace(kNames[i], static_cast<Field>(i));
    return m;
  }();
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
  if (extra_index_.empty()) {
    for (std::size_t i = 0; i < extra_.size(); ++i)
      if (extra_[i].first == name) return i;
    return extra_.size();
  }
  const std::size_t mask = extra_index_.size() - 1;
  for (std::size_t h = name_hash(name) & mask;; h = (h + 1) & mask) {
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
  return set_free(name, v);
}

bool Event::set_free(std::string_view name, std::string_view v) {
  if (extra_index_.empty()) {
    if (const std::size_t i = find_extra(name); i != extra_.size()) {
      extra_[i].second = v;
      return true;
    }
    extra_.emplace_back(name, v);
    if (extra_.size() == kScanLimit + 1) {
      // A table twice the cap: probes stay short and it is built once per event.
      extra_index_.assign(2 * 256, 0);
      static_assert(2 * 256 >= 2 * kMaxExtraFields);
      for (std::size_t i = 0; i < extra_.size(); ++i) {
        std::size_t h = name_hash(extra_[i].first) & (extra_index_.size() - 1);
        while (extra_index_[h] != 0) h = (h + 1) & (extra_index_.size() - 1);
        extra_index_[h] = static_cast<uint16_t>(i + 1);
      }
    }
    return true;
  }
  // One hash: the probe that misses the name ends on the slot the new field takes.
  const std::size_t mask = extra_index_.size() - 1;
  std::size_t h = name_hash(name) & mask;
  for (; extra_index_[h] != 0; h = (h + 1) & mask)
    if (auto& f = extra_[extra_index_[h] - 1u]; f.first == name) {
      f.second = v;
      return true;
    }
  if (extra_.size() >= kMaxExtraFields) return false;
  extra_.emplace_back(name, v);
  extra_index_[h] = static_cast<uint16_t>(extra_.size());
  return true;
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

bool Event::set_copy(std::string_view name, std::string_view v) {
  if (auto f = fixed_field(name)) {
    set_copy(*f, v);
    return true;
  }
  if (const std::size_t i = find_extra(name); i != extra_.size()) {
    extra_[i].second = arena().copy(v);
    return true;
  }
  if (extra_.size() >= kMaxExtraFields) return false;
  Arena& a = arena();
  return set(a.copy(name), a.copy(v));
}

}  // namespace vigie::core
