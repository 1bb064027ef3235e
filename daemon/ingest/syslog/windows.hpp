// Windows events in the JSON shapes shippers write, renamed to Sigma's Windows field names and
// given ECS aliases (daemon/ingest/README.md, "Windows events").
//
// Input: the fields JsonFlattener made of one JSON body (dotted names). Shapes recognised:
//   evtx_dump   Event.System.{EventID,Channel,Computer,Provider.#attributes.Name,...},
//               Event.EventData.<Name> (or Event.EventData.Data as a list of
//               {"#attributes":{"Name":..},"#text":..}), Event.UserData.<Element>.<Name>
//   NXLog       to_json() flat keys: EventID with Channel/SourceName/ProviderName, Hostname,
//               EventData names at the top level
//   Winlogbeat  winlog.{event_id,channel,provider_name,computer_name,event_data.*,user_data.*}
// Output: the same fields, preceded by the Sigma names (EventID, Channel, Provider_Name,
// Computer, the EventData names...) and the ECS aliases (event.code, event.module, host.hostname,
// user.name, user.domain, source.ip, source.port, destination.ip, destination.port,
// process.executable, process.command_line, process.parent.executable, process.pid). A name the
// body already has is never overwritten: what the shipper wrote wins. Nested names are kept.
//
// Contract: one instance per thread (owns a simdjson parser for Data lists); never throws;
// bounded: at most JsonFlattener::kMaxFields names are added per event.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include <simdjson.h>

#include "ingest/syslog/json_fields.hpp"

namespace vigie::ingest::syslog {

enum class WindowsShape { none, evtx, nxlog, winlogbeat };

class WindowsDecoder {
 public:
  // Adds the Sigma names and ECS aliases to `fields` when they hold a Windows event; returns the
  // shape recognised (none: `fields` untouched).
  WindowsShape decode(FieldList& fields);

  WindowsDecoder() { added_.reserve(JsonFlattener::kMaxFields); }

 private:
  WindowsShape shape(const FieldList& fields) const;
  // Queues `name` = `value` unless the body or an earlier addition has that name.
  void add(std::string_view name, std::string_view value);
  // Event.EventData.Data given as a JSON list of named items.
  void data_list(std::string_view json);
  void aliases();
  // The value of `name` in the body or among the additions; empty if absent.
  [[nodiscard]] std::string_view get(std::string_view name) const;

  simdjson::ondemand::parser parser_;
  std::string padded_;  // Data list copy with simdjson padding, reused
  // Name → value of this event's body fields and additions. The views point into the body's
  // FieldList (untouched until the end of decode) and into added_, whose capacity is reserved
  // once and never exceeded, so its strings never move while viewed.
  std::unordered_map<std::string_view, std::string_view> values_;
  FieldList added_;  // scratch: the names to add, in order
};

}  // namespace vigie::ingest::syslog
