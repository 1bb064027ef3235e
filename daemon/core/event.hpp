// Event: a flat set of fields named after ECS (DESIGN.md §4). Frequent fields have fixed ids
// and live in an array; any other name goes to a small vector. Values are owned strings
// (short ones stay in the SSO buffer); an Event belongs to one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.hpp"

namespace vigie::core {

enum class Field : uint8_t {
  timestamp,         // @timestamp (RFC 3339, mirrors Event::time)
  ingested,          // event.ingested
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
  count_             // number of fixed fields; not a field
};

inline constexpr std::size_t kFixedFields = static_cast<std::size_t>(Field::count_);

[[nodiscard]] std::string_view field_name(Field f);
[[nodiscard]] std::optional<Field> fixed_field(std::string_view name);

// A field name resolved once (at rule compile time) so lookups on the hot path are an index.
struct FieldRef {
  std::optional<Field> fixed;
  std::string name;  // always the full dotted name

  [[nodiscard]] static FieldRef of(std::string_view name) {
    return FieldRef{fixed_field(name), std::string(name)};
  }
};

class Event {
 public:
  TimePoint time{};      // event time (from the message, or reception if absent)
  TimePoint ingested{};  // reception time
  std::string raw;       // the message as received (after framing); evidence in alerts

  [[nodiscard]] std::optional<std::string_view> get(Field f) const {
    const auto i = static_cast<std::size_t>(f);
    if ((present_ & (uint64_t{1} << i)) == 0) return std::nullopt;
    return std::string_view(fixed_[i]);
  }
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const;
  [[nodiscard]] std::optional<std::string_view> get(const FieldRef& ref) const {
    return ref.fixed ? get(*ref.fixed) : get(std::string_view(ref.name));
  }
  // Empty string if absent.
  [[nodiscard]] std::string_view value(Field f) const { return get(f).value_or(std::string_view{}); }

  void set(Field f, std::string v) {
    const auto i = static_cast<std::size_t>(f);
    fixed_[i] = std::move(v);
    present_ |= uint64_t{1} << i;
  }
  void set(std::string_view name, std::string v);
  void set(const FieldRef& ref, std::string v) {
    if (ref.fixed) set(*ref.fixed, std::move(v));
    else set(std::string_view(ref.name), std::move(v));
  }
  void erase(Field f) { present_ &= ~(uint64_t{1} << static_cast<std::size_t>(f)); }

  // Visits every present field as (name, value), fixed fields first, in a stable order.
  template <class F>
  void for_each(F&& fn) const {
    for (std::size_t i = 0; i < kFixedFields; ++i)
      if (present_ & (uint64_t{1} << i)) fn(field_name(static_cast<Field>(i)), std::string_view(fixed_[i]));
    for (const auto& [k, v] : extra_) fn(std::string_view(k), std::string_view(v));
  }

 private:
  std::array<std::string, kFixedFields> fixed_{};
  uint64_t present_ = 0;
  std::vector<std::pair<std::string, std::string>> extra_;
};

static_assert(kFixedFields <= 64, "presence bitmap is 64 bits");

}  // namespace vigie::core
