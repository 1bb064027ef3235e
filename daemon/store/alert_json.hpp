// Alerts as one JSON object per line, both ways: the journal of alerts not stored yet
// (journal.hpp) writes them and reads them back.
//
// The shape is DESIGN.md §8's (`core::to_json`) plus what a mail needs that §8 leaves out:
// "rule":{"tlp","description"} and "update". The reader accepts core::to_json's output too
// (missing fields keep their defaults) and ignores unknown keys, so a journal written by
// another version still replays. Invalid UTF-8 in a value was replaced by U+FFFD on the way
// out (core::JsonWriter), the only change a round trip makes.
#pragma once

#include <string>
#include <string_view>

#include <simdjson.h>

#include "core/alert.hpp"
#include "core/error.hpp"

namespace vigie::store {

[[nodiscard]] std::string alert_to_json_line(const core::Alert& a);

// One parser (simdjson: one per thread); owned by whoever reads, e.g. the Journal.
class AlertJsonReader {
 public:
  // `text` is one JSON object (no newline). Errors say what was wrong, never throw.
  [[nodiscard]] core::Result<core::Alert> parse(std::string_view text);

 private:
  simdjson::ondemand::parser parser_;
  std::string padded_;
};

}  // namespace vigie::store
