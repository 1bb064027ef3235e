#include "ingest/syslog/windows.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <iterator>
#include <utility>

#include "core/net.hpp"

namespace vigie::ingest::syslog {
namespace {

constexpr std::string_view kEvtxSystem = "Event.System.";
constexpr std::string_view kEvtxData = "Event.EventData.";
constexpr std::string_view kEvtxUser = "Event.UserData.";
constexpr std::string_view kBeatData = "winlog.event_data.";
constexpr std::string_view kBeatUser = "winlog.user_data.";

// Event.System.<key> (scalars, or an element's attribute) → Sigma's name.
constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kSystem = {{
    {"EventID", "EventID"},
    {"EventID.#text", "EventID"},  // <EventID Qualifiers="16384">7036</EventID>
    {"Channel", "Channel"},
    {"Computer", "Computer"},
    {"Provider.#attributes.Name", "Provider_Name"},
    {"Provider.#attributes.Guid", "Provider_Guid"},
    {"Version", "Version"},
    {"Level", "Level"},
    {"Task", "Task"},
    {"Opcode", "Opcode"},
    {"Keywords", "Keywords"},
    {"EventRecordID", "EventRecordID"},
    {"TimeCreated.#attributes.SystemTime", "@timestamp"},  // the event time (the parser reads it)
    // evtx_dump --separate-json-attributes: attributes in a sibling "<element>_attributes".
    {"Provider_attributes.Name", "Provider_Name"},
    {"Provider_attributes.Guid", "Provider_Guid"},
    {"TimeCreated_attributes.SystemTime", "@timestamp"},
}};

// winlog.<key> → Sigma's name (Winlogbeat's own fields; its ECS fields are left as they are).
constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kBeat = {{
    {"winlog.event_id", "EventID"},
    {"winlog.channel", "Channel"},
    {"winlog.computer_name", "Computer"},
    {"winlog.provider_name", "Provider_Name"},
    {"winlog.provider_guid", "Provider_Guid"},
    {"winlog.record_id", "EventRecordID"},
    {"winlog.version", "Version"},
    {"winlog.opcode", "Opcode"},
}};

// Winlogbeat 6.x (before ECS): the same fields at the top level.
constexpr std::string_view kBeat6Data = "event_data.";
constexpr std::string_view kBeat6User = "user_data.";
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kBeat6 = {{
    {"event_id", "EventID"},
    {"log_name", "Channel"},
    {"computer_name", "Computer"},
    {"source_name", "Provider_Name"},
    {"record_number", "EventRecordID"},
}};

// NXLog to_json() names that differ from Sigma's; the rest (EventID, Channel, EventData names)
// are Sigma's already.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kNxlog = {{
    {"Hostname", "Computer"},
    {"SourceName", "Provider_Name"},
    {"ProviderName", "Provider_Name"},
    {"ProviderGuid", "Provider_Guid"},
}};

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// An EventData/UserData item name Sigma could name: not an attribute, not nested.
bool plain_name(std::string_view n) { return !n.empty() && n.front() != '#' && n.find('.') == std::string_view::npos; }

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Windows writes "-" (and sometimes nothing) for "no value".
bool meaningful(std::string_view v) { return !v.empty() && v != "-"; }

// "1234" but not "0" (IpPort is 0 for a local logon).
bool port(std::string_view v) { return all_digits(v) && v.find_first_not_of('0') != std::string_view::npos; }

}  // namespace

WindowsShape WindowsDecoder::shape(const FieldList& fields) {
  bool nx_id = false;
  bool nx_source = false;
  bool beat6_id = false;
  bool beat6_log = false;
  WindowsShape found = WindowsShape::none;
  for (const auto& [k, v] : fields) {
    if (starts_with(k, kEvtxSystem)) return WindowsShape::evtx;
    if (k == "winlog.event_id" || k == "winlog.channel") found = WindowsShape::winlogbeat;
    if (k == "EventID") nx_id = true;
    if (k == "Channel" || k == "SourceName" || k == "ProviderName") nx_source = true;
    if (k == "event_id") beat6_id = true;
    if (k == "log_name") beat6_log = true;
  }
  if (found != WindowsShape::none) return found;
  if (nx_id && nx_source) return WindowsShape::nxlog;
  return beat6_id && beat6_log ? WindowsShape::winlogbeat6 : WindowsShape::none;
}

WindowsDecoder::WindowsDecoder() {
  owned_.reserve(2 * JsonFlattener::kMaxFields);
  added_.reserve(JsonFlattener::kMaxFields);
}

std::string_view WindowsDecoder::get(const FieldList& fields, WindowsShape sh, std::string_view name) const {
  for (const auto& [k, v] : added_)
    if (k == name) return v;
  if (sh == WindowsShape::nxlog)
    for (const auto& [k, v] : fields)
      if (k == name) return v;
  return {};
}

void WindowsDecoder::add(std::string_view name, std::string_view value) {
  if (added_.size() < JsonFlattener::kMaxFields) added_.emplace_back(name, value);
}

void WindowsDecoder::data_list(std::string_view json) {
  padded_.assign(json);
  padded_.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  simdjson::ondemand::document doc;
  if (parser_.iterate(simdjson::padded_string_view(padded_.data(), padded_.size(), padded_.capacity())).get(doc))
    return;
  simdjson::ondemand::array items;
  if (doc.get_array().get(items)) return;
  // Errors stop the walk: what was read before them is kept (the text came from a body that
  // JsonFlattener already validated, so this is a safeguard, not a path taken).
  for (auto item : items) {
    if (owned_.size() + 2 > owned_.capacity() || added_.size() >= JsonFlattener::kMaxFields) return;
    simdjson::ondemand::object obj;
    if (item.get_object().get(obj)) return;  // unnamed items (plain strings) have no Sigma name
    std::string_view name;
    std::string_view text;
    bool has_text = false;
    std::string name_copy;
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key)) return;
      simdjson::ondemand::value v;
      if (field.value().get(v)) return;
      if (key == "#attributes") {
        simdjson::ondemand::object attrs;
        if (v.get_object().get(attrs)) return;
        for (auto a : attrs) {
          std::string_view akey;
          if (a.unescaped_key().get(akey)) return;
          // Copied at once: the next unescaped string may reuse simdjson's string buffer.
          if (akey == "Name" && !a.value().get_string().get(name)) name_copy.assign(name);
        }
      } else if (key == "#text") {
        simdjson::ondemand::json_type type;
        if (v.type().get(type)) return;
        if (type == simdjson::ondemand::json_type::string) {
          if (v.get_string().get(text)) return;
          has_text = true;
        } else if (type != simdjson::ondemand::json_type::null) {
          // Numbers and booleans as their literal text, as JsonFlattener writes them.
          text = v.raw_json_token();
          while (!text.empty() &&
                 (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' || text.back() == '\t'))
            text.remove_suffix(1);
          has_text = true;
        }
        if (has_text) text = owned_.emplace_back(text);
      }
    }
    if (has_text && plain_name(name_copy)) add(owned_.emplace_back(std::move(name_copy)), text);
  }
}

WindowsShape WindowsDecoder::decode(const FieldList& fields) {
  added_.clear();
  owned_.clear();
  const WindowsShape sh = shape(fields);
  if (sh == WindowsShape::none) return sh;

  std::string_view data_item_name;  // a lone named Data item: Data.#attributes.Name + Data.#text
  std::string_view data_item_text;
  for (const auto& [k, v] : fields) {
    const std::string_view key = k;
    if (sh == WindowsShape::evtx) {
      if (starts_with(key, kEvtxSystem)) {
        const auto rest = key.substr(kEvtxSystem.size());
        for (const auto& [from, to] : kSystem)
          if (rest == from) add(to, v);
      } else if (starts_with(key, kEvtxData)) {
        const auto rest = key.substr(kEvtxData.size());
        if (rest == "Data" && !v.empty() && v.front() == '[')
          data_list(v);
        else if (rest == "Data.#attributes.Name")
          data_item_name = v;
        else if (rest == "Data.#text")
          data_item_text = v;
        else if (plain_name(rest))
          add(rest, v);
      } else if (starts_with(key, kEvtxUser)) {
        // Event.UserData.<Element>.<Name>: Sigma names the item, not its element.
        const auto rest = key.substr(kEvtxUser.size());
        const auto last = rest.rfind('.');
        if (last != std::string_view::npos && rest.find('#') == std::string_view::npos) add(rest.substr(last + 1), v);
      }
    } else if (sh == WindowsShape::winlogbeat) {
      for (const auto& [from, to] : kBeat)
        if (key == from) add(to, v);
      if (starts_with(key, kBeatData) && plain_name(key.substr(kBeatData.size())))
        add(key.substr(kBeatData.size()), v);
      else if (starts_with(key, kBeatUser) && plain_name(key.substr(kBeatUser.size())))
        add(key.substr(kBeatUser.size()), v);
    } else if (sh == WindowsShape::winlogbeat6) {
      for (const auto& [from, to] : kBeat6)
        if (key == from) add(to, v);
      if (starts_with(key, kBeat6Data) && plain_name(key.substr(kBeat6Data.size())))
        add(key.substr(kBeat6Data.size()), v);
      else if (starts_with(key, kBeat6User) && plain_name(key.substr(kBeat6User.size())))
        add(key.substr(kBeat6User.size()), v);
    } else {
      for (const auto& [from, to] : kNxlog)
        if (key == from) add(to, v);
    }
  }
  if (plain_name(data_item_name) && !data_item_text.empty()) add(data_item_name, data_item_text);
  aliases(fields, sh);
  return sh;
}

// ECS names (DESIGN.md §4) so that rules written for syslog (source.ip, user.name) see Windows
// events too. The account: the target of a logon (4624/4625/4771/4776/4740) is the one
// attacked; events without a target (4688) name their subject; Sysmon writes DOMAIN\user.
void WindowsDecoder::aliases(const FieldList& fields, WindowsShape sh) {
  const auto get = [&](std::string_view name) { return this->get(fields, sh, name); };
  // The first of `from` that has a value.
  const auto copy = [&](std::string_view to, std::initializer_list<std::string_view> from) {
    for (const auto f : from)
      if (const auto v = get(f); meaningful(v)) return add(to, v);
  };
  copy("event.code", {"EventID"});
  add("event.module", "windows");
  copy("event.provider", {"Provider_Name"});
  copy("host.hostname", {"Computer"});

  if (const auto t = get("TargetUserName"); meaningful(t)) {
    add("user.name", t);
    copy("user.domain", {"TargetDomainName"});
  } else if (const auto s = get("SubjectUserName"); meaningful(s)) {
    add("user.name", s);
    copy("user.domain", {"SubjectDomainName"});
  } else if (const auto u = get("User"); meaningful(u)) {
    const auto slash = u.find('\\');
    if (slash == std::string_view::npos) {
      add("user.name", u);
    } else {
      add("user.name", u.substr(slash + 1));
      add("user.domain", u.substr(0, slash));
    }
  }

  // Only a valid address becomes source.ip / destination.ip (Windows writes "-", "::1", or
  // nothing); IpAddress (Security) before SourceIp (Sysmon 3).
  const auto ip = [&](std::string_view to, std::initializer_list<std::string_view> from) {
    for (const auto f : from)
      if (const auto v = get(f); meaningful(v) && core::IpAddress::parse(v)) return add(to, v);
  };
  ip("source.ip", {"IpAddress", "SourceIp"});
  ip("destination.ip", {"DestinationIp"});
  const auto port_of = [&](std::string_view to, std::initializer_list<std::string_view> from) {
    for (const auto f : from)
      if (const auto v = get(f); port(v)) return add(to, v);
  };
  port_of("source.port", {"IpPort", "SourcePort"});
  port_of("destination.port", {"DestinationPort"});

  copy("process.executable", {"Image", "NewProcessName"});  // Sysmon; Security 4688
  copy("process.command_line", {"CommandLine"});
  copy("process.parent.executable", {"ParentImage", "ParentProcessName"});
  if (const auto pid = get("ProcessId"); all_digits(pid)) add("process.pid", pid);
}

}  // namespace vigie::ingest::syslog
