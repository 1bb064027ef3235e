// Shared helpers for the detect unit tests: rule sets from inline YAML, hand-built events.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "detect/engine.hpp"

namespace vigie::detect::test {

inline std::shared_ptr<const RuleSet> load(std::string_view yaml, const LoadOptions& opts = {},
                                           const config::Detection& det = {}) {
  auto r = load_rules_from_string(yaml, "test.yml", det, opts, VIGIE_TEST_DATA "/detect");
  if (!r) {
    for (const auto& e : r.error()) MESSAGE(e.to_string());
    FAIL("rule set did not load");
  }
  return *r;
}

// Errors as "where: what" strings; empty if the set loaded.
inline std::vector<std::string> errors_of(std::string_view yaml) {
  std::vector<std::string> out;
  auto r = load_rules_from_string(yaml, "bad.yml", config::Detection{}, {}, VIGIE_TEST_DATA "/detect");
  if (!r)
    for (const auto& e : r.error()) out.push_back(e.to_string());
  return out;
}

// Skipped rules as "where: what" strings (the set loaded); {"load failed"} if it did not.
inline std::vector<std::string> skips_of(std::string_view yaml) {
  auto r = load_rules_from_string(yaml, "bad.yml", config::Detection{}, {}, VIGIE_TEST_DATA "/detect");
  if (!r) return {"load failed"};
  std::vector<std::string> out;
  for (const auto& s : (*r)->skipped()) out.push_back(s.to_string());
  return out;
}

inline bool any_contains(const std::vector<std::string>& v, std::string_view needle) {
  for (const auto& s : v)
    if (s.find(needle) != std::string::npos) return true;
  return false;
}

// Failed passwords and the brute force counting them (3 in 5 minutes, per site and source):
// the correlation most tests of windows, caps and eviction use.
inline constexpr std::string_view kSshBruteForce = R"(
title: SSH failed password
id: ssh-failed
level: low
detection: { s: { event.action: ssh_login, event.outcome: failure }, condition: s }
---
title: SSH brute force
id: ssh-bruteforce
level: high
correlation:
  type: event_count
  rules: [ssh-failed]
  group-by: [observer.site, source.ip]
  timespan: 5m
  condition: { gte: 3 }
)";

inline core::TimePoint at_s(int64_t seconds) { return core::TimePoint(std::chrono::seconds(seconds)); }

inline core::Event event(std::initializer_list<std::pair<std::string, std::string>> fields, int64_t seconds = 0) {
  core::Event e;
  e.time = at_s(seconds);
  e.ingested = e.time;
  for (const auto& [k, v] : fields) e.set_copy(std::string_view(k), v);
  if (auto m = e.get(core::Field::message)) e.set_raw(*m);
  return e;
}

// Ids of the detection rules matching `e` (after decoders).
inline std::vector<std::string> hits(const std::shared_ptr<const RuleSet>& rs, core::Event e) {
  core::Metrics metrics;
  Matcher m(rs, metrics);
  std::vector<uint32_t> idx;
  m.process(e, idx);
  std::vector<std::string> out;
  for (uint32_t i : idx) out.push_back(rs->rule(i).id);
  return out;
}

inline bool fires(const std::shared_ptr<const RuleSet>& rs, std::string_view id, core::Event e) {
  for (const auto& h : hits(rs, std::move(e)))
    if (h == id) return true;
  return false;
}

}  // namespace vigie::detect::test
