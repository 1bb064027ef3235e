#include "core/event.hpp"

#include <algorithm>

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
};

}  // namespace

std::string_view field_name(Field f) { return kNames[static_cast<std::size_t>(f)]; }

std::optional<Field> fixed_field(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<Field>(i);
  return std::nullopt;
}

std::optional<std::string_view> Event::get(std::string_view name) const {
  if (auto f = fixed_field(name)) return get(*f);
  auto it = std::find_if(extra_.begin(), extra_.end(), [&](const auto& kv) { return kv.first == name; });
  if (it == extra_.end()) return std::nullopt;
  return std::string_view(it->second);
}

void Event::set(std::string_view name, std::string v) {
  if (auto f = fixed_field(name)) {
    set(*f, std::move(v));
    return;
  }
  auto it = std::find_if(extra_.begin(), extra_.end(), [&](const auto& kv) { return kv.first == name; });
  if (it != extra_.end()) it->second = std::move(v);
  else extra_.emplace_back(std::string(name), std::move(v));
}

}  // namespace vigie::core
