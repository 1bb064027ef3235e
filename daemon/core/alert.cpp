#include "core/alert.hpp"

#include <array>
#include <cstdio>

#include "core/json.hpp"

namespace vigie::core {
namespace {
constexpr std::array<std::string_view, 5> kLevels = {"informational", "low", "medium", "high", "critical"};
}

std::string_view level_name(Level l) { return kLevels[static_cast<std::size_t>(l)]; }

std::optional<Level> parse_level(std::string_view s) {
  for (std::size_t i = 0; i < kLevels.size(); ++i)
    if (kLevels[i] == s) return static_cast<Level>(i);
  return std::nullopt;
}

std::string make_alert_id(std::string_view rule_id, const KeyValues& key, TimePoint first_seen) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;  // separator so ("ab","c") != ("a","bc")
    h *= 1099511628211ULL;
  };
  mix(rule_id);
  for (const auto& [k, v] : key) {
    mix(k);
    mix(v);
  }
  mix(std::to_string(first_seen.time_since_epoch().count()));
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

void write_ioc(JsonWriter& w, const IocRef& i) {
  w.begin_object();
  w.key("type").value(i.type);
  w.key("value").value(i.value);
  w.key("field").value(i.field);
  w.key("observed").value(i.observed);
  w.key("feed").value(i.feed);
  w.key("reference").value(i.reference);
  w.key("description").value(i.description);
  w.key("tlp").value(i.tlp);
  w.key("confidence");
  if (i.confidence >= 0)
    w.value(static_cast<int64_t>(i.confidence));
  else
    w.null();
  w.end_object();
}

std::string to_json(const IocRef& i) {
  JsonWriter w;
  write_ioc(w, i);
  return w.take();
}

void write_advisory(JsonWriter& w, const AdvisoryRef& a) {
  const auto strings = [&](const char* key, const std::vector<std::string>& v) {
    w.key(key).begin_array();
    for (const auto& s : v) w.value(s);
    w.end_array();
  };
  const auto time = [&](const char* key, TimePoint t) {
    w.key(key);
    if (t == TimePoint{})
      w.null();
    else
      w.value(format_rfc3339(t));
  };
  w.begin_object();
  w.key("feed").value(a.feed);
  w.key("reference").value(a.reference);
  w.key("title").value(a.title);
  w.key("summary").value(a.summary);
  w.key("solution").value(a.solution);
  w.key("link").value(a.link);
  w.key("alert").value(a.alert);
  w.key("exploited").value(a.exploited);
  time("published", a.published);
  time("revised", a.revised);
  time("closed", a.closed);
  strings("cves", a.cves);
  strings("risks", a.risks);
  strings("affected", a.affected);
  strings("fixes", a.fixes);
  strings("exposed", a.exposed);
  w.key("exposure_known").value(a.exposure_known);
  w.key("change").value(a.change);
  strings("new_cves", a.new_cves);
  w.key("thread").value(a.thread);
  w.key("seq").value(static_cast<uint64_t>(a.seq));
  w.end_object();
}

std::string to_json(const AdvisoryRef& a) {
  JsonWriter w;
  write_advisory(w, a);
  return w.take();
}

std::optional<std::string> parse_tlp(std::string_view text) {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  std::string up(text);
  for (char& c : up) c = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  if (up.rfind("TLP:", 0) == 0 || up.rfind("TLP ", 0) == 0) up.erase(0, 4);
  if (up == "WHITE" || up == "CLEAR") return "CLEAR";
  if (up == "GREEN" || up == "AMBER" || up == "AMBER+STRICT" || up == "RED") return up;
  return std::nullopt;
}

int tlp_rank(std::string_view tlp) {
  static constexpr std::string_view kOrder[] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};
  if (tlp == "WHITE") return 0;
  for (std::size_t i = 0; i < std::size(kOrder); ++i)
    if (tlp == kOrder[i]) return static_cast<int>(i);
  return 2;
}

std::string to_json(const Alert& a) {
  JsonWriter w;
  w.begin_object();
  w.key("id").value(a.id);
  w.key("rule").begin_object();
  w.key("id").value(a.rule.id);
  w.key("title").value(a.rule.title);
  w.key("level").value(level_name(a.rule.level));
  w.key("tags").begin_array();
  for (const auto& t : a.rule.tags) w.value(t);
  w.end_array();
  w.end_object();
  w.key("site").value(a.site);
  w.key("key").begin_object();
  for (const auto& [k, v] : a.key) w.key(k).value(v);
  w.end_object();
  w.key("count").value(a.count);
  w.key("first_seen").value(format_rfc3339(a.first_seen));
  w.key("last_seen").value(format_rfc3339(a.last_seen));
  w.key("summary").value(a.summary);
  w.key("evidence").begin_array();
  for (const auto& e : a.evidence) w.value(e);
  w.end_array();
  w.key("ioc");
  if (a.ioc)
    write_ioc(w, *a.ioc);
  else
    w.null();
  w.key("advisory");
  if (a.advisory)
    write_advisory(w, *a.advisory);
  else
    w.null();
  w.end_object();
  return w.take();
}

}  // namespace vigie::core
