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
//   Winlogbeat 6.x: event_id with log_name, source_name, computer_name, event_data.* at the top
// Output: the Sigma names (EventID, Channel, Provider_Name,
// Computer, the EventData names...) and the ECS aliases (event.code, event.module, host.hostname,
// user.name, user.domain, source.ip, source.port, destination.ip, destination.port,
// process.executable, process.command_line, process.parent.executable, process.pid), to set before
// the body's fields: a name the body also has takes the body's value (what the shipper wrote
// wins). The body's nested names are kept.
//
// Contract: one instance per thread (owns a simdjson parser for Data lists); never throws;
// bounded: at most JsonFlattener::kMaxFields names are added per event.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "ingest/syslog/json_fields.hpp"

namespace vigie::ingest::syslog {

enum class WindowsShape { none, evtx, nxlog, winlogbeat, winlogbeat6 };

// Names and values viewing the body's FieldList, the decoder's own storage or constants.
using FieldViews = std::vector<std::pair<std::string_view, std::string_view>>;

class WindowsDecoder {
 public:
  WindowsDecoder();

  // Finds the shape of `fields` (one JSON body) and, for a Windows event, the names to add.
  // added() views `fields` and this decoder: valid until the next decode() or a change of
  // `fields`. The caller sets added() before the body's own fields, so that the body wins where
  // it names the same field (a shipper's own user.name) and Sigma's names come first under the
  // event's field cap.
  WindowsShape decode(const FieldList& fields);
  [[nodiscard]] const FieldViews& added() const { return added_; }

 private:
  static WindowsShape shape(const FieldList& fields);
  void add(std::string_view name, std::string_view value);
  // Event.EventData.Data given as a JSON list of named items.
  void data_list(std::string_view json);
  void aliases(const FieldList& fields, WindowsShape shape);
  // The value of `name` among the additions, then (NXLog: Sigma's names are the body's) in the
  // body; empty if absent. Linear: a few dozen names, cheaper than hashing them all.
  [[nodiscard]] std::string_view get(const FieldList& fields, WindowsShape shape, std::string_view name) const;

  simdjson::ondemand::parser parser_;
  std::string padded_;  // Data list copy with simdjson padding, reused
  // Names and values read from a Data list. Capacity reserved once and never exceeded, so its
  // strings never move while added_ views them.
  std::vector<std::string> owned_;
  FieldViews added_;  // at most JsonFlattener::kMaxFields
};

}  // namespace vigie::ingest::syslog
