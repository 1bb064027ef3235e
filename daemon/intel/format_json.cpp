// The MISP feed format (manifest and event files), with simdjson's DOM API — one parser per call,
// the document lives as long as the call. Mappings and skip rules: feeds/README.md, "Formats".
// The STIX reader is format_stix.cpp.
#include <simdjson.h>

#include <utility>

#include "intel/formats.hpp"
#include "intel/json_util.hpp"

namespace vigie::intel {

using detail::add_error;
using detail::flag_at;
using detail::int_at;
using detail::parse_json;
using detail::str_at;
using detail::str_or;

namespace {

namespace dom = simdjson::dom;

// ---- MISP ----------------------------------------------------------------------------------

// The strictest TLP among an array of MISP tags [{"name": "tlp:amber"}, ...]; empty if none.
std::string tag_tlp(dom::object o) {
  std::string tlp;
  dom::array tags;
  if (o.at_key("Tag").get_array().get(tags)) return tlp;
  for (auto t : tags) {
    dom::object tag;
    if (t.get_object().get(tag)) continue;
    if (auto level = detail::tlp_level(str_or(tag, "name")); level && str_or(tag, "name").substr(0, 4) == "tlp:")
      tlp = detail::stricter_tlp(tlp, *level);
  }
  return tlp;
}

// Event UUIDs name files (<uuid>.json): only 8-4-4-4-12 hex digits, so a manifest cannot point
// a reader outside the feed directory.
bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (dash ? c != '-' : !hex) return false;
  }
  return true;
}

// The values a MISP attribute type carries for Vigie: composite types split, the port or file name
// dropped. Empty: a type Vigie does not index.
std::vector<std::pair<IocType, std::string_view>> misp_values(std::string_view type, std::string_view value) {
  const auto bar = value.find('|');
  const auto first = value.substr(0, bar);
  const auto rbar = value.rfind('|');
  const auto last = rbar == std::string_view::npos ? std::string_view{} : value.substr(rbar + 1);
  const auto second = bar == std::string_view::npos ? std::string_view{} : value.substr(bar + 1);
  if (type == "ip-src" || type == "ip-dst") return {{IocType::ip, value}};
  if (type == "ip-src|port" || type == "ip-dst|port")
    return {{IocType::ip, bar == std::string_view::npos ? "" : first}};
  if (type == "domain" || type == "hostname") return {{IocType::domain, value}};
  if (type == "domain|ip") return {{IocType::domain, first}, {IocType::ip, second}};
  if (type == "url" || type == "uri") return {{IocType::url, value}};
  if (type == "md5") return {{IocType::md5, value}};
  if (type == "sha1") return {{IocType::sha1, value}};
  if (type == "sha256") return {{IocType::sha256, value}};
  if (type == "filename|md5") return {{IocType::md5, last}};
  if (type == "filename|sha1") return {{IocType::sha1, last}};
  if (type == "filename|sha256") return {{IocType::sha256, last}};
  if (type == "email" || type == "email-src" || type == "email-dst") return {{IocType::email, value}};
  return {};
}

// The array at `key`, left nullopt when absent (an empty list); false when it is not an array.
bool array_at(dom::object o, std::string_view key, std::optional<dom::array>& out) {
  auto field = o.at_key(key);
  if (field.error() == simdjson::NO_SUCH_FIELD) return true;
  dom::array arr;
  if (field.get_array().get(arr)) return false;
  out = arr;
  return true;
}

struct MispEvent {
  std::string advisory;  // info, or the uuid when there is none
  std::string tlp;       // the event's tag, else the options' default
};

void misp_attribute(dom::element element, const std::string& where, bool object_deleted, const MispEvent& event,
                    const FormatOptions& opts, ParseReport& report, std::vector<Indicator>& out) {
  ++report.records;
  dom::object a;
  const auto bad = [&](std::string_view label, std::string why) {
    ++report.invalid;
    add_error(report, std::string(label) + ": " + why);
  };
  if (element.get_object().get(a)) return bad(where, "not an object");
  const std::string label = str_at(a, "uuid") ? "attribute " + std::string(str_or(a, "uuid")) : where;
  if (object_deleted || flag_at(a, "deleted")) return void(++report.withdrawn);
  if (!flag_at(a, "to_ids")) return void(++report.unsupported);  // context, not for detection
  const auto type = str_at(a, "type");
  const auto value = str_at(a, "value");
  if (!type || !value) return bad(label, "no type or no value");
  const auto parts = misp_values(*type, *value);
  if (parts.empty()) return void(++report.unsupported);
  std::vector<Indicator> got;
  for (const auto& [t, part] : parts) {
    std::string v = refang(detail::trim(part));
    if (const auto why = detail::invalid_reason(t, v); !why.empty())
      return bad(label, std::string(*type) + " " + detail::quoted(*value) + ": " + std::string(why));
    got.push_back(detail::make_indicator(t, std::move(v), opts));
  }
  const auto tlp = tag_tlp(a);
  auto first = detail::parse_time(str_or(a, "first_seen"));
  if (!first) first = int_at(a, "timestamp");
  for (auto& ind : got) {
    ind.advisory = event.advisory;
    ind.description = str_or(a, "comment");
    ind.tlp = tlp.empty() ? event.tlp : tlp;
    ind.first_seen = first.value_or(0);
    out.push_back(std::move(ind));
  }
}

}  // namespace

tl::expected<std::vector<MispEventRef>, std::string> parse_misp_manifest(std::string_view body, ParseReport& report) {
  dom::parser parser;
  auto root = parse_json(parser, body);
  if (!root) return tl::unexpected(root.error());
  dom::object manifest;
  if (root->get_object().get(manifest))
    return tl::unexpected(std::string("not a MISP manifest (the top level is not an object)"));
  std::vector<MispEventRef> out;
  for (auto [key, value] : manifest) {
    ++report.records;
    dom::object e;
    if (!is_uuid(key) || value.get_object().get(e)) {
      ++report.invalid;
      add_error(report, detail::quoted(key) + (is_uuid(key) ? ": not an object" : ": not an event UUID"));
      continue;
    }
    out.push_back({std::string(key), std::string(str_or(e, "info")), int_at(e, "timestamp").value_or(0), tag_tlp(e)});
  }
  return out;
}

Parsed parse_misp_event(std::string_view body, const FormatOptions& opts, ParseReport& report) {
  dom::parser parser;
  auto root = parse_json(parser, body);
  if (!root) return tl::unexpected(root.error());
  dom::object event;
  if (root->at_key("Event").get_object().get(event))
    return tl::unexpected(std::string("not a MISP event (no \"Event\" object)"));
  MispEvent ev;
  ev.advisory = str_at(event, "info") && !str_or(event, "info").empty() ? str_or(event, "info") : str_or(event, "uuid");
  ev.tlp = tag_tlp(event);
  if (ev.tlp.empty()) ev.tlp = opts.tlp;
  std::optional<dom::array> attributes, objects;
  if (!array_at(event, "Attribute", attributes) || !array_at(event, "Object", objects))
    return tl::unexpected(std::string("MISP event: Attribute or Object is not an array"));
  std::vector<Indicator> out;
  std::size_t i = 0;
  if (attributes)
    for (auto a : *attributes)
      misp_attribute(a, "Attribute[" + std::to_string(i++) + "]", false, ev, opts, report, out);
  std::size_t j = 0;
  if (objects)
    for (auto element : *objects) {
      const std::string where = "Object[" + std::to_string(j++) + "]";
      dom::object o;
      std::optional<dom::array> nested;
      if (element.get_object().get(o) || !array_at(o, "Attribute", nested)) {
        ++report.records;
        ++report.invalid;
        add_error(report, where + ": not an object with an Attribute array");
        continue;
      }
      const bool deleted = flag_at(o, "deleted");  // a deleted object withdraws its attributes
      i = 0;
      if (nested)
        for (auto a : *nested)
          misp_attribute(a, where + ".Attribute[" + std::to_string(i++) + "]", deleted, ev, opts, report, out);
    }
  return out;
}

}  // namespace vigie::intel
