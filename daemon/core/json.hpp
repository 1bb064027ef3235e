// A small JSON writer (simdjson only parses). Produces compact, valid UTF-8 JSON: invalid
// UTF-8 in values is replaced by U+FFFD so one bad log line never yields unparseable output.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigie::core {

// Appends `s` as a quoted JSON string.
void json_quote(std::string& out, std::string_view s);

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view v);
  JsonWriter& value(const char* v) { return value(std::string_view(v)); }
  JsonWriter& value(int64_t v);
  JsonWriter& value(uint64_t v);
  JsonWriter& value(int v) { return value(static_cast<int64_t>(v)); }
  JsonWriter& value(bool v);
  JsonWriter& null();
  [[nodiscard]] const std::string& str() const { return out_; }
  [[nodiscard]] std::string take() { return std::move(out_); }

 private:
  void comma();
  std::string out_;
  bool need_comma_ = false;
};

// Replaces invalid UTF-8 sequences with U+FFFD; returns true if the input was valid.
bool sanitize_utf8(std::string_view in, std::string& out);

}  // namespace vigie::core
