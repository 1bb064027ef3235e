// Helpers shared by correlator.cpp and correlator_windows.cpp (internal to the detect module):
// saturating time arithmetic, the serialized group-by key, evidence cutting.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "core/alert.hpp"
#include "core/event.hpp"
#include "core/time.hpp"

namespace vigie::detect::corr_util {

// t + d without overflow (saturates): event times come from the network and may be extreme.
inline core::TimePoint add_sat(core::TimePoint t, core::Duration d) {
  int64_t out = 0;
  if (__builtin_add_overflow(t.time_since_epoch().count(), d.count(), &out))
    return d.count() > 0 ? core::TimePoint::max() : core::TimePoint::min();
  return core::TimePoint(core::Duration(out));
}

// The map key of group-by values: unit and record separators cannot occur in field names.
inline std::string key_text(const core::KeyValues& key) {
  std::string text;
  for (const auto& [name, value] : key) {
    text += name;
    text += '\x1f';
    text += value;
    text += '\x1e';
  }
  return text;
}

// The group-by values back from key_text (absence fires from advance, with no event at hand).
inline core::KeyValues parse_key_text(std::string_view text) {
  core::KeyValues key;
  while (!text.empty()) {
    const auto unit = text.find('\x1f');
    const auto record = text.find('\x1e', unit == std::string_view::npos ? 0 : unit);
    if (unit == std::string_view::npos || record == std::string_view::npos) break;
    key.emplace_back(std::string(text.substr(0, unit)), std::string(text.substr(unit + 1, record - unit - 1)));
    text.remove_prefix(record + 1);
  }
  return key;
}

// The key of `e` under group-by `names`, each read from the field at the same position of
// `fields` (the name itself, or its alias for the rule that hit).
inline core::KeyValues make_key(const std::vector<core::FieldRef>& names, const std::vector<core::FieldRef>& fields,
                                const core::Event& e, std::string& text) {
  core::KeyValues key;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto v = e.get(i < fields.size() ? fields[i] : names[i]);
    if (!v) continue;  // absent fields are left out of the key (their absence still separates keys)
    key.emplace_back(names[i].name, std::string(*v));
  }
  text = key_text(key);
  return key;
}

// A line cut to at most `max` bytes, ending with a marker that says how much was cut; the cut
// falls on a UTF-8 sequence boundary. Empty when `max` cannot hold the marker and one byte.
inline std::string cut_evidence(std::string_view line, std::size_t max) {
  if (line.size() <= max) return std::string(line);
  const std::string longest = fmt::format(" [… {} bytes cut]", line.size());
  if (max <= longest.size()) return {};
  std::size_t keep = max - longest.size();
  while (keep > 0 && (static_cast<unsigned char>(line[keep]) & 0xc0) == 0x80) --keep;
  std::string out(line.substr(0, keep));
  out += fmt::format(" [… {} bytes cut]", line.size() - keep);
  return out;
}

}  // namespace vigie::detect::corr_util
