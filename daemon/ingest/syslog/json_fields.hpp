// A message body that is a JSON object becomes fields (DESIGN.md §4): nested objects flatten
// to dotted names ({"source":{"ip":"x"}} and {"source.ip":"x"} give the same field), arrays
// keep their raw JSON text, numbers their literal text, booleans "true"/"false", nulls are
// skipped. Anything that is not one complete JSON object is left alone (it is a plain message).
//
// Names and values are copied once, into the arena the caller gives (the event's), so the list
// is views: no string is allocated per field.
//
// Contract: owns a simdjson on-demand parser, so one instance per thread (simdjson's rule).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "core/arena.hpp"

namespace vigie::ingest::syslog {

using FieldList = std::vector<std::pair<std::string_view, std::string_view>>;

class JsonFlattener {
 public:
  static constexpr int kMaxDepth = 32;  // deeper objects are kept as raw JSON text
  // Fields kept per body; the rest is still parsed (validity) but dropped, and truncated() says
  // so: a body of a million keys costs one pass, not a million fields.
  static constexpr std::size_t kMaxFields = 256;

  // True and `out` filled (replaced) when `text` (whitespace-trimmed) is one JSON object; its
  // names and values view `arena`. False: `out` is empty (what was copied stays in the arena).
  bool flatten(std::string_view text, FieldList& out, core::Arena& arena);
  // Whether the last successful flatten() dropped fields beyond kMaxFields.
  [[nodiscard]] bool truncated() const { return truncated_; }

 private:
  bool object(simdjson::ondemand::object obj, std::string& prefix, int depth, FieldList& out);
  bool value(simdjson::ondemand::value v, std::string& name, int depth, FieldList& out);

  simdjson::ondemand::parser parser_;
  bool add(FieldList& out, const std::string& name, std::string_view value);

  core::Arena* arena_ = nullptr;  // where the current flatten() copies names and values
  std::string padded_;            // input copy with SIMDJSON_PADDING spare bytes, reused
  std::string prefix_;            // the dotted name being built, reused
  bool truncated_ = false;
};

}  // namespace vigie::ingest::syslog
