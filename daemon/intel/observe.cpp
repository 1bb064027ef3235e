#include "intel/observe.hpp"

#include <array>
#include <string>

namespace vigie::intel {
namespace {

// ECS names first, then the names Windows events carry as they are (Sysmon, Security).
std::vector<ObservableField> make_observables() {
  const std::pair<std::string_view, IocType> names[] = {
      {"source.ip", IocType::ip},
      {"destination.ip", IocType::ip},
      {"client.ip", IocType::ip},
      {"server.ip", IocType::ip},
      {"IpAddress", IocType::ip},
      {"SourceIp", IocType::ip},
      {"DestinationIp", IocType::ip},
      {"source.domain", IocType::domain},
      {"destination.domain", IocType::domain},
      {"client.domain", IocType::domain},
      {"server.domain", IocType::domain},
      {"dns.question.name", IocType::domain},
      {"tls.client.server_name", IocType::domain},
      {"url.domain", IocType::domain},
      {"QueryName", IocType::domain},
      {"DestinationHostname", IocType::domain},
      {"url.original", IocType::url},
      {"url.full", IocType::url},
      {"file.hash.md5", IocType::md5},
      {"file.hash.sha1", IocType::sha1},
      {"file.hash.sha256", IocType::sha256},
      {"process.hash.md5", IocType::md5},
      {"process.hash.sha1", IocType::sha1},
      {"process.hash.sha256", IocType::sha256},
      {"email.from.address", IocType::email},
      {"email.to.address", IocType::email},
      {"source.user.email", IocType::email},
      {"user.email", IocType::email},
  };
  std::vector<ObservableField> out;
  for (const auto& [name, type] : names) out.push_back({core::FieldRef::of(name), type});
  return out;
}

}  // namespace

const std::vector<ObservableField>& observable_fields() {
  static const std::vector<ObservableField> kFields = make_observables();
  return kFields;
}

const core::FieldRef& hashes_field() {
  static const core::FieldRef kHashes = core::FieldRef::of("Hashes");
  return kHashes;
}

std::optional<IocMatch> find_observable(const IocIndex& index, const core::Event& e) {
  if (index.empty()) return std::nullopt;
  std::optional<IocMatch> out;
  for_each_observable(e, [&](std::string_view field, IocType type, std::string_view value) {
    if (const Indicator* hit = index.find(type, value)) out = IocMatch{hit, field, value};
    return out.has_value();
  });
  return out;
}

void mark_match(core::Event& e, const IocMatch& m) {
  const Indicator& ind = *m.indicator;
  // The observed value and field name are views of this event or of constants; copy them first
  // anyway: set_copy may move the event's storage of free-form fields.
  const std::string observed(m.observed);
  const std::string field(m.field);
  e.set_copy(kThreatValue, ind.value);
  e.set_copy(kThreatType, ioc_type_name(ind.type));
  e.set_copy(kThreatField, field);
  e.set_copy(kThreatObserved, observed);
  e.set_copy(kThreatFeed, ind.feed);
  if (!ind.advisory.empty()) e.set_copy(kThreatReference, ind.advisory);
  if (!ind.description.empty()) e.set_copy(kThreatDescription, ind.description);
  if (!ind.tlp.empty()) e.set_copy(kThreatTlp, ind.tlp);
  if (ind.confidence >= 0) e.set_copy(kThreatConfidence, std::to_string(ind.confidence));
}

}  // namespace vigie::intel
