#include "intel/observe.hpp"

#include <array>
#include <string>

namespace vigie::intel {
namespace {

struct Observable {
  core::FieldRef field;
  IocType type;
};

// ECS names first, then the names Windows events carry as they are (Sysmon, Security).
std::vector<Observable> make_observables() {
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
  std::vector<Observable> out;
  for (const auto& [name, type] : names) out.push_back({core::FieldRef::of(name), type});
  return out;
}

const std::vector<Observable>& observables() {
  static const std::vector<Observable> list = make_observables();
  return list;
}

// Sysmon's `Hashes`: "SHA1=…,MD5=…,SHA256=…,IMPHASH=…" (the algorithms its config names).
std::optional<IocMatch> find_in_hashes(const IocIndex& index, std::string_view hashes, std::string_view field) {
  while (!hashes.empty()) {
    const auto comma = hashes.find(',');
    const std::string_view item = hashes.substr(0, comma);
    hashes = comma == std::string_view::npos ? std::string_view() : hashes.substr(comma + 1);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view algo = item.substr(0, eq);
    const std::string_view value = item.substr(eq + 1);
    std::optional<IocType> type;
    if (algo == "MD5" || algo == "md5") type = IocType::md5;
    if (algo == "SHA1" || algo == "sha1") type = IocType::sha1;
    if (algo == "SHA256" || algo == "sha256") type = IocType::sha256;
    if (!type) continue;
    if (const Indicator* hit = index.find(*type, value)) return IocMatch{hit, field, value};
  }
  return std::nullopt;
}

}  // namespace

std::optional<IocMatch> find_observable(const IocIndex& index, const core::Event& e) {
  if (index.empty()) return std::nullopt;
  for (const auto& o : observables()) {
    const auto v = e.get(o.field);
    if (!v || v->empty()) continue;
    if (const Indicator* hit = index.find(o.type, *v)) return IocMatch{hit, o.field.name, *v};
  }
  static const core::FieldRef hashes = core::FieldRef::of("Hashes");
  if (const auto v = e.get(hashes)) return find_in_hashes(index, *v, hashes.name);
  return std::nullopt;
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
