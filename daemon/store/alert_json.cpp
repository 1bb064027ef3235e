#include "store/alert_json.hpp"

#include "core/json.hpp"

namespace vigie::store {
namespace {

namespace od = simdjson::ondemand;

core::Result<void> bad(std::string_view what) { return core::fail("", "alert JSON: " + std::string(what)); }

core::Result<void> string_of(od::value v, std::string& out, std::string_view field) {
  std::string_view s;
  if (v.get_string().get(s)) return bad(std::string(field) + " is not a string");
  out.assign(s);
  return {};
}

core::Result<void> time_of(od::value v, core::TimePoint& out, std::string_view field) {
  std::string s;
  if (auto r = string_of(v, s, field); !r) return r;
  auto t = core::parse_rfc3339(s);
  if (!t) return bad(std::string(field) + " is not an RFC 3339 time");
  out = *t;
  return {};
}

core::Result<void> strings_of(od::value v, std::vector<std::string>& out, std::string_view field) {
  od::array arr;
  if (v.get_array().get(arr)) return bad(std::string(field) + " is not an array");
  for (auto item : arr) {
    std::string_view s;
    if (item.get_string().get(s)) return bad(std::string(field) + " holds a non-string");
    out.emplace_back(s);
  }
  return {};
}

core::Result<void> rule_of(od::value v, core::RuleInfo& rule) {
  od::object obj;
  if (v.get_object().get(obj)) return bad("rule is not an object");
  for (auto field : obj) {
    std::string_view k;
    if (field.unescaped_key().get(k)) return bad("bad key in rule");
    core::Result<void> r;
    if (k == "id") {
      r = string_of(field.value(), rule.id, "rule.id");
    } else if (k == "title") {
      r = string_of(field.value(), rule.title, "rule.title");
    } else if (k == "level") {
      std::string s;
      r = string_of(field.value(), s, "rule.level");
      if (r) {
        auto level = core::parse_level(s);
        if (!level) return bad("unknown rule.level " + s);
        rule.level = *level;
      }
    } else if (k == "tags") {
      r = strings_of(field.value(), rule.tags, "rule.tags");
    } else if (k == "tlp") {
      r = string_of(field.value(), rule.tlp, "rule.tlp");
    } else if (k == "description") {
      r = string_of(field.value(), rule.description, "rule.description");
    }
    if (!r) return r;
  }
  return {};
}

core::Result<void> key_of(od::value v, core::KeyValues& key) {
  od::object obj;
  if (v.get_object().get(obj)) return bad("key is not an object");
  for (auto field : obj) {
    std::string_view k;
    std::string_view s;
    if (field.unescaped_key().get(k)) return bad("bad field name in key");
    if (field.value().get_string().get(s)) return bad("key value is not a string");
    key.emplace_back(std::string(k), std::string(s));
  }
  return {};
}

core::Result<void> ioc_of(od::value v, std::optional<core::IocRef>& out) {
  if (v.is_null()) return {};
  od::object obj;
  if (v.get_object().get(obj)) return bad("ioc is neither null nor an object");
  core::IocRef i;
  for (auto field : obj) {
    std::string_view k;
    if (field.unescaped_key().get(k)) return bad("bad field name in ioc");
    if (k == "confidence") {
      int64_t n = -1;
      if (!field.value().is_null() && field.value().get_int64().get(n)) return bad("ioc.confidence is not an integer");
      i.confidence = static_cast<int>(n);
      continue;
    }
    std::string* target = k == "type"          ? &i.type
                          : k == "value"       ? &i.value
                          : k == "field"       ? &i.field
                          : k == "observed"    ? &i.observed
                          : k == "feed"        ? &i.feed
                          : k == "reference"   ? &i.reference
                          : k == "description" ? &i.description
                          : k == "tlp"         ? &i.tlp
                                               : nullptr;
    if (target == nullptr) continue;  // a later version's key
    if (auto r2 = string_of(field.value(), *target, "ioc." + std::string(k)); !r2) return r2;
  }
  out = std::move(i);
  return {};
}

core::Result<void> advisory_of(od::value v, std::optional<core::AdvisoryRef>& out) {
  if (v.is_null()) return {};
  od::object obj;
  if (v.get_object().get(obj)) return bad("advisory is neither null nor an object");
  core::AdvisoryRef a;
  for (auto field : obj) {
    std::string_view k;
    if (field.unescaped_key().get(k)) return bad("bad field name in advisory");
    const std::string where = "advisory." + std::string(k);
    core::Result<void> r;
    if (k == "alert" || k == "exploited" || k == "exposure_known") {
      bool& flag = k == "alert" ? a.alert : k == "exploited" ? a.exploited : a.exposure_known;
      if (field.value().get_bool().get(flag)) return bad(where + " is not a boolean");
    } else if (k == "seq") {
      uint64_t n = 0;
      if (field.value().get_uint64().get(n)) return bad(where + " is not a non-negative integer");
      a.seq = static_cast<uint32_t>(n);
    } else if (k == "published" || k == "revised" || k == "closed") {
      core::TimePoint& t = k == "published" ? a.published : k == "revised" ? a.revised : a.closed;
      if (!field.value().is_null()) r = time_of(field.value(), t, where);
    } else if (auto* list = k == "cves"       ? &a.cves
                            : k == "risks"    ? &a.risks
                            : k == "affected" ? &a.affected
                            : k == "fixes"    ? &a.fixes
                            : k == "exposed"  ? &a.exposed
                            : k == "new_cves" ? &a.new_cves
                                              : nullptr) {
      r = strings_of(field.value(), *list, where);
    } else if (auto* text = k == "feed"        ? &a.feed
                            : k == "reference" ? &a.reference
                            : k == "title"     ? &a.title
                            : k == "summary"   ? &a.summary
                            : k == "solution"  ? &a.solution
                            : k == "link"      ? &a.link
                            : k == "change"    ? &a.change
                            : k == "thread"    ? &a.thread
                                               : nullptr) {
      r = string_of(field.value(), *text, where);
    }  // else: a later version's key
    if (!r) return r;
  }
  out = std::move(a);
  return {};
}

core::Result<void> field_of(std::string_view k, od::value v, core::Alert& a) {
  if (k == "id") return string_of(v, a.id, "id");
  if (k == "rule") return rule_of(v, a.rule);
  if (k == "site") return string_of(v, a.site, "site");
  if (k == "key") return key_of(v, a.key);
  if (k == "count") {
    uint64_t n = 0;
    if (v.get_uint64().get(n)) return bad("count is not a non-negative integer");
    a.count = n;
    return {};
  }
  if (k == "first_seen") return time_of(v, a.first_seen, "first_seen");
  if (k == "last_seen") return time_of(v, a.last_seen, "last_seen");
  if (k == "summary") return string_of(v, a.summary, "summary");
  if (k == "evidence") return strings_of(v, a.evidence, "evidence");
  if (k == "update") {
    if (v.get_bool().get(a.update)) return bad("update is not a boolean");
    return {};
  }
  if (k == "ioc") return ioc_of(v, a.ioc);
  if (k == "advisory") return advisory_of(v, a.advisory);
  return {};  // keys of later versions
}

}  // namespace

std::string alert_to_json_line(const core::Alert& a) {
  core::JsonWriter w;
  w.begin_object();
  w.key("id").value(a.id);
  w.key("rule").begin_object();
  w.key("id").value(a.rule.id);
  w.key("title").value(a.rule.title);
  w.key("level").value(core::level_name(a.rule.level));
  w.key("tags").begin_array();
  for (const auto& t : a.rule.tags) w.value(t);
  w.end_array();
  w.key("tlp").value(a.rule.tlp);
  w.key("description").value(a.rule.description);
  w.end_object();
  w.key("site").value(a.site);
  w.key("key").begin_object();
  for (const auto& [k, v] : a.key) w.key(k).value(v);
  w.end_object();
  w.key("count").value(a.count);
  w.key("first_seen").value(core::format_rfc3339(a.first_seen));
  w.key("last_seen").value(core::format_rfc3339(a.last_seen));
  w.key("summary").value(a.summary);
  w.key("evidence").begin_array();
  for (const auto& e : a.evidence) w.value(e);
  w.end_array();
  w.key("update").value(a.update);
  w.key("ioc");
  if (a.ioc)
    core::write_ioc(w, *a.ioc);
  else
    w.null();
  w.key("advisory");
  if (a.advisory)
    core::write_advisory(w, *a.advisory);
  else
    w.null();
  w.end_object();
  return w.take();
}

core::Result<core::Alert> AlertJsonReader::parse(std::string_view text) {
  padded_.assign(text);
  padded_.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  od::document doc;
  if (parser_.iterate(simdjson::padded_string_view(padded_.data(), padded_.size(), padded_.capacity())).get(doc))
    return core::fail("", "alert JSON: not JSON");
  od::object obj;
  if (doc.get_object().get(obj)) return core::fail("", "alert JSON: not an object");
  core::Alert a;
  a.count = 0;
  for (auto field : obj) {
    std::string_view k;
    if (field.unescaped_key().get(k)) return core::fail("", "alert JSON: malformed");
    if (auto r = field_of(k, field.value(), a); !r) return tl::unexpected(r.error());
  }
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS)
    return core::fail("", "alert JSON: trailing content after the object");
  if (a.id.empty() || a.rule.id.empty()) return core::fail("", "alert JSON: no id or no rule.id");
  return a;
}

}  // namespace vigie::store
