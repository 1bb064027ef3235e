#include "config/reader.hpp"

#include <algorithm>
#include <charconv>

namespace vigie::config::detail {

void Diagnostics::error(int line, std::string what) {
  std::string where = line > 0 ? file_ + ":" + std::to_string(line) : file_;
  entries_.push_back(Entry{line, core::Error{std::move(where), std::move(what)}});
}

std::vector<core::Error> Diagnostics::take() {
  std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) { return a.line < b.line; });
  std::vector<core::Error> out;
  out.reserve(entries_.size());
  for (auto& e : entries_) out.push_back(std::move(e.error));
  entries_.clear();
  return out;
}

int line_of(const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  return m.is_null() ? 0 : m.line + 1;
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

const char* type_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
      return "nothing";
    default:
      return "a scalar";
  }
}

}  // namespace

std::optional<std::string_view> closest(std::string_view key, std::initializer_list<std::string_view> known) {
  std::optional<std::string_view> best;
  std::size_t best_d = 0;
  for (auto k : known) {
    const std::size_t d = edit_distance(key, k);
    if (!best || d < best_d) {
      best = k;
      best_d = d;
    }
  }
  // Two edits catch swapped or doubled letters; more would suggest unrelated words.
  if (best && best_d <= std::min<std::size_t>(2, best->size() / 2)) return best;
  return std::nullopt;
}

std::string Value::field(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void Value::error(const std::string& what) const { diag_->error(line_, path_.empty() ? what : path_ + ": " + what); }

void Value::error_verbatim(std::string what) const { diag_->error(line_, std::move(what)); }

bool Value::expect_scalar(const char* what) const {
  if (node_.IsScalar()) return true;
  error(std::string("expected ") + what + ", found " + type_name(node_));
  return false;
}

std::optional<std::string> Value::string() const {
  if (!expect_scalar("a string")) return std::nullopt;
  return node_.Scalar();
}

std::optional<bool> Value::boolean() const {
  if (!expect_scalar("true or false")) return std::nullopt;
  bool b = false;
  if (!YAML::convert<bool>::decode(node_, b)) {
    error("expected true or false, found '" + node_.Scalar() + "'");
    return std::nullopt;
  }
  return b;
}

std::optional<int64_t> Value::integer(int64_t min, int64_t max) const {
  if (!expect_scalar("an integer")) return std::nullopt;
  const std::string& s = node_.Scalar();
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) {
    error("expected an integer, found '" + s + "'");
    return std::nullopt;
  }
  if (v < min || v > max) {
    error("must be between " + std::to_string(min) + " and " + std::to_string(max) + ", found " + s);
    return std::nullopt;
  }
  return v;
}

std::optional<core::Duration> Value::duration(bool allow_zero) const {
  if (!expect_scalar("a duration")) return std::nullopt;
  const std::string& s = node_.Scalar();
  auto d = core::parse_duration(s);
  if (!d) {
    error("invalid duration '" + s + "' (expected a number and a unit: 250ms, 30s, 5m, 4h, 1d)");
    return std::nullopt;
  }
  if (!allow_zero && d->count() == 0) {
    error("must be longer than zero");
    return std::nullopt;
  }
  return d;
}

std::optional<std::vector<std::string>> Value::strings(bool scalar_is_list) const {
  if (node_.IsNull()) return std::vector<std::string>{};
  if (scalar_is_list && node_.IsScalar()) return std::vector<std::string>{node_.Scalar()};
  if (!node_.IsSequence()) {
    error(std::string("expected a list, found ") + type_name(node_));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  std::size_t i = 0;
  for (const auto& item : node_) {
    if (item.IsScalar()) {
      out.push_back(item.Scalar());
    } else {
      Value(*diag_, item, path_ + "[" + std::to_string(i) + "]", line_of(item) > 0 ? line_of(item) : line_)
          .error(std::string("expected a string, found ") + type_name(item));
      ok = false;
    }
    ++i;
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::vector<Value>> Value::sequence() const {
  if (node_.IsNull()) return std::vector<Value>{};
  if (!node_.IsSequence()) {
    error(std::string("expected a list, found ") + type_name(node_));
    return std::nullopt;
  }
  std::vector<Value> out;
  std::size_t i = 0;
  for (const auto& item : node_) {
    const int line = line_of(item);
    out.emplace_back(*diag_, item, path_ + "[" + std::to_string(i++) + "]", line > 0 ? line : line_);
  }
  return out;
}

std::optional<Map> Value::map(std::initializer_list<std::string_view> known) const {
  Map out;
  if (node_.IsNull()) return out;
  if (!node_.IsMap()) {
    error(std::string("expected a mapping, found ") + type_name(node_));
    return std::nullopt;
  }
  const std::string where = path_.empty() ? "at top level" : "in " + path_;
  for (const auto& kv : node_) {
    const int line = line_of(kv.first) > 0 ? line_of(kv.first) : line_;
    if (!kv.first.IsScalar()) {
      diag_->error(line, "a key " + where + " is not a string");
      continue;
    }
    const std::string& key = kv.first.Scalar();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string what = "unknown key '" + key + "' ";
      what += where;
      if (auto guess = closest(key, known)) what.append(" (did you mean '").append(*guess).append("'?)");
      diag_->error(line, std::move(what));
      continue;
    }
    if (out.get(key)) {
      // yaml-cpp keeps both entries; which one wins would be an accident of the library.
      diag_->error(line, "duplicate key '" + key + "' " += where);
      continue;
    }
    out.entries_.emplace_back(key, Value(*diag_, kv.second, field(key), line));
  }
  return out;
}

std::optional<Value> Map::get(std::string_view key) const {
  for (const auto& [k, v] : entries_)
    if (k == key) return v;
  return std::nullopt;
}

void Map::reject_unsupported(std::string_view key) const {
  if (auto v = get(key)) v->error_verbatim(v->path() + " is not supported by this version");
}

}  // namespace vigie::config::detail
