#include "ingest/syslog/json_fields.hpp"

namespace vigie::ingest::syslog {
namespace {

std::string_view trim(std::string_view s) {
  const auto ws = " \t\r\n";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

// RFC 8259 §6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
bool json_number(std::string_view s) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > from;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0')
    ++i;
  else if (!digits())
    return false;
  if (i < s.size() && s[i] == '.' && (++i, !digits())) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

}  // namespace

bool JsonFlattener::flatten(std::string_view text, FieldList& out, core::Arena& arena) {
  out.clear();
  text = trim(text);
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return false;
  padded_.assign(text);
  padded_.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  simdjson::ondemand::document doc;
  if (parser_.iterate(simdjson::padded_string_view(padded_.data(), padded_.size(), padded_.capacity())).get(doc))
    return false;
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return false;
  arena_ = &arena;
  prefix_.clear();
  truncated_ = false;
  // A valid location after the object means trailing content: not one JSON object.
  if (!object(obj, prefix_, 0, out) || doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    out.clear();
    return false;
  }
  return true;
}

bool JsonFlattener::add(FieldList& out, const std::string& name, std::string_view value) {
  if (out.size() >= kMaxFields) {
    truncated_ = true;
    return true;
  }
  // Views of simdjson's buffers die with the next parse: copied. (An empty value is a view of
  // nothing, not of the buffer.)
  out.emplace_back(arena_->copy(name), arena_->copy(value));
  return true;
}

bool JsonFlattener::object(simdjson::ondemand::object obj, std::string& prefix, int depth, FieldList& out) {
  const std::size_t base = prefix.size();
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    prefix.resize(base);
    if (base > 0) prefix.push_back('.');
    prefix.append(key);
    if (!value(field.value(), prefix, depth, out)) return false;
  }
  prefix.resize(base);
  return true;
}

bool JsonFlattener::value(simdjson::ondemand::value v, std::string& name, int depth, FieldList& out) {
  simdjson::ondemand::json_type type;
  if (v.type().get(type)) return false;
  std::string_view text;
  switch (type) {
    case simdjson::ondemand::json_type::object: {
      simdjson::ondemand::object obj;
      if (v.get_object().get(obj)) return false;
      if (depth + 1 >= kMaxDepth) {
        if (obj.raw_json().get(text)) return false;
        return add(out, name, text);
      }
      return object(obj, name, depth + 1, out);
    }
    case simdjson::ondemand::json_type::array: {
      simdjson::ondemand::array arr;
      if (v.get_array().get(arr) || arr.raw_json().get(text)) return false;
      return add(out, name, trim(text));
    }
    case simdjson::ondemand::json_type::string:
      if (v.get_string().get(text)) return false;
      return add(out, name, text);
    case simdjson::ondemand::json_type::number: {
      // Keep the literal: "1.50" stays "1.50", and numbers no machine type holds
      // (123456789012345678901234567890, 1e400) stay exact — simdjson's get_number() would
      // refuse those, so the literal is checked against the JSON grammar instead.
      const std::string_view literal = trim(v.raw_json_token());
      if (!json_number(literal)) return false;
      return add(out, name, literal);
    }
    case simdjson::ondemand::json_type::boolean: {
      bool b = false;
      if (v.get_bool().get(b)) return false;
      return add(out, name, b ? "true" : "false");
    }
    case simdjson::ondemand::json_type::null:
      return !v.is_null().error();
  }
  return false;
}

}  // namespace vigie::ingest::syslog
