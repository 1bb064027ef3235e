// `vigie rules explain`: each line through the parser, Matcher and Correlator serve uses, with
// what they did said out loud (detect/explain.hpp): the fields the parser set, each decoder's
// outcome and the fields it set, the rules that matched, those that nearly matched and why, and
// the alerts the lines raise in order (a correlation fires on the line that completes it).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>

#include "app/commands.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/metrics.hpp"
#include "detect/explain.hpp"
#include "ingest/syslog/parser.hpp"

namespace vigie::app {
namespace {

using detect::DecodeStep;
using detect::NearMiss;

const char* outcome_name(DecodeStep::Outcome o) {
  switch (o) {
    case DecodeStep::Outcome::applied:
      return "applied";
    case DecodeStep::Outcome::when_failed:
      return "when_failed";
    case DecodeStep::Outcome::no_source:
      return "no_source";
    case DecodeStep::Outcome::kv_rejected:
      return "kv_rejected";
    case DecodeStep::Outcome::no_pattern:
      return "no_pattern";
  }
  return "?";
}

const char* kind_name(NearMiss::Kind k) {
  switch (k) {
    case NearMiss::Kind::logsource:
      return "logsource";
    case NearMiss::Kind::one_test:
      return "one_test";
    case NearMiss::Kind::filtered:
      return "filtered";
  }
  return "?";
}

std::string span(core::Duration d) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (s % 3600 == 0 && s > 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0 && s > 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

std::string values_text(const NearMiss& nm) {
  std::string out;
  for (const auto& [name, v] : nm.values)
    out += (out.empty() ? "" : ", ") + name + (v ? " is '" + *v + "'" : " is absent");
  return out;
}

// What happens to a matching rule's hit: its own alert, and the correlations counting it.
std::string fate(const detect::RuleSet& rs, uint32_t r) {
  const auto& c = rs.compiled(r);
  std::string s = c.alerts ? "raises its own alert" : "no alert of its own";
  for (uint32_t k : c.correlations) {
    const auto& corr = rs.compiled(k);
    s += "; counted by " + corr.info.id + " (" +
         (corr.corr.type == detect::CorrelationType::value_count ? "distinct " + corr.corr.field.name + " " : "") +
         "≥ " + std::to_string(corr.corr.threshold) + " in " + span(corr.corr.timespan) + ")";
  }
  return s;
}

std::string alert_text(const core::Alert& a) {
  std::string s = a.rule.id + " {";
  for (std::size_t i = 0; i < a.key.size(); ++i) s += (i ? ", " : "") + a.key[i].first + ": " + a.key[i].second;
  return s + "} count=" + std::to_string(a.count) + (a.update ? " (update)" : " (new)");
}

struct Line {
  std::size_t number = 0;
  std::string raw;
  std::vector<std::pair<std::string, std::string>> parsed;  // fields before the decoders
  std::vector<std::pair<std::string, std::string>> fields;  // fields after them
  std::map<std::string, std::string> set_by;                // field → the last decoder that set it
  detect::Explanation ex;
  std::vector<core::Alert> alerts;
};

void print_text(const detect::RuleSet& rs, const Line& l) {
  std::printf("line %zu: %s\n  parsed:\n", l.number, l.raw.c_str());
  for (const auto& [k, v] : l.parsed) std::printf("    %s = %s\n", k.c_str(), v.c_str());
  std::printf("  decoders:\n");
  for (const auto& step : l.ex.decoders) {
    const auto& d = rs.decoders()[step.decoder];
    std::printf("    %-12s %s: ", d.name.c_str(), d.where.c_str());
    switch (step.outcome) {
      case DecodeStep::Outcome::applied:
        if (step.pattern >= 0)
          std::printf("applied (pattern %d), %zu field(s) set\n", step.pattern + 1, step.set.size());
        else
          std::printf("applied (key=value pairs), %zu field(s) set\n", step.set.size());
        break;
      case DecodeStep::Outcome::when_failed:
        std::printf("not applied: when failed: %s\n", step.detail.c_str());
        break;
      case DecodeStep::Outcome::no_source:
        std::printf("not applied: %s\n", step.detail.c_str());
        break;
      case DecodeStep::Outcome::kv_rejected:
        std::printf("not applied: kv: %s\n", step.detail.c_str());
        break;
      case DecodeStep::Outcome::no_pattern:
        std::printf("not applied: no pattern matched\n");
        break;
    }
  }
  std::printf("  fields:\n");
  for (const auto& [k, v] : l.fields) {
    const auto by = l.set_by.find(k);
    std::printf("    %s = %s  [%s]\n", k.c_str(), v.c_str(), by == l.set_by.end() ? "parser" : by->second.c_str());
  }
  std::printf("  matched:%s\n", l.ex.matched.empty() ? " none" : "");
  for (uint32_t r : l.ex.matched)
    std::printf("    %s %s — %s; %s\n", rs.rule(r).id.c_str(), rs.compiled(r).where.c_str(), rs.rule(r).title.c_str(),
                fate(rs, r).c_str());
  std::printf("  near misses:%s\n", l.ex.near_misses.empty() ? " none" : "");
  for (const auto& nm : l.ex.near_misses) {
    const auto& id = rs.rule(nm.rule).id;
    const std::string test = nm.test.empty() ? "" : " '" + nm.test + "'";
    switch (nm.kind) {
      case NearMiss::Kind::logsource:
        std::printf("    %s: the detection holds but logsource %s excludes the event:%s (%s) fails: %s\n", id.c_str(),
                    nm.part.c_str(), test.c_str(), nm.where.c_str(), values_text(nm).c_str());
        break;
      case NearMiss::Kind::one_test:
        std::printf("    %s: selection '%s' fails only on%s (%s): %s\n", id.c_str(), nm.part.c_str(), test.c_str(),
                    nm.where.c_str(), values_text(nm).c_str());
        break;
      case NearMiss::Kind::filtered:
        std::printf("    %s: would match, but selection '%s' (%s) holds and excludes the event: %s\n", id.c_str(),
                    nm.part.c_str(), nm.where.c_str(), values_text(nm).c_str());
        break;
    }
  }
  std::printf("  alerts:%s\n", l.alerts.empty() ? " none" : "");
  for (const auto& a : l.alerts) std::printf("    %s\n", alert_text(a).c_str());
}

void pairs(core::JsonWriter& w, const std::vector<std::pair<std::string, std::string>>& kv) {
  w.begin_object();
  for (const auto& [k, v] : kv) w.key(k).value(v);
  w.end_object();
}

void print_json(const detect::RuleSet& rs, const Line& l) {
  core::JsonWriter w;
  w.begin_object().key("line").value(static_cast<uint64_t>(l.number)).key("raw").value(l.raw);
  w.key("parsed");
  pairs(w, l.parsed);
  w.key("decoders").begin_array();
  for (const auto& step : l.ex.decoders) {
    const auto& d = rs.decoders()[step.decoder];
    w.begin_object().key("decoder").value(d.name).key("where").value(d.where);
    w.key("outcome").value(outcome_name(step.outcome));
    if (!step.detail.empty()) w.key("detail").value(step.detail);
    if (step.pattern >= 0) w.key("pattern").value(static_cast<int64_t>(step.pattern + 1));
    w.key("set").begin_array();
    for (const auto& [k, v] : step.set) w.begin_object().key("field").value(k).key("value").value(v).end_object();
    w.end_array().end_object();
  }
  w.end_array().key("fields").begin_array();
  for (const auto& [k, v] : l.fields) {
    const auto by = l.set_by.find(k);
    w.begin_object().key("field").value(k).key("value").value(v);
    w.key("set_by").value(by == l.set_by.end() ? std::string("parser") : by->second).end_object();
  }
  w.end_array().key("matched").begin_array();
  for (uint32_t r : l.ex.matched) {
    const auto& c = rs.compiled(r);
    w.begin_object().key("rule").value(c.info.id).key("where").value(c.where).key("alerts").value(c.alerts);
    w.key("correlations").begin_array();
    for (uint32_t k : c.correlations) w.value(rs.rule(k).id);
    w.end_array().end_object();
  }
  w.end_array().key("near_misses").begin_array();
  for (const auto& nm : l.ex.near_misses) {
    w.begin_object().key("rule").value(rs.rule(nm.rule).id).key("kind").value(kind_name(nm.kind));
    w.key("part").value(nm.part).key("test").value(nm.test).key("where").value(nm.where);
    w.key("values").begin_object();
    for (const auto& [k, v] : nm.values) {
      w.key(k);
      if (v)
        w.value(*v);
      else
        w.null();
    }
    w.end_object().end_object();
  }
  w.end_array().key("alerts").begin_array();
  for (const auto& a : l.alerts) {
    w.begin_object().key("rule").value(a.rule.id).key("count").value(a.count).key("update").value(a.update);
    w.key("key");
    pairs(w, a.key);
    w.end_object();
  }
  w.end_array().end_object();
  std::printf("%s\n", w.str().c_str());
}

std::vector<std::pair<std::string, std::string>> fields_of(const core::Event& e) {
  std::vector<std::pair<std::string, std::string>> out;
  e.for_each([&](std::string_view k, std::string_view v) { out.emplace_back(std::string(k), std::string(v)); });
  return out;
}

}  // namespace

int run_rules_explain(const RulesExplainOptions& opts) {
  std::vector<std::string> lines = opts.lines;
  if (!opts.file.empty()) {
    std::ifstream in(opts.file);
    if (!in) {
      std::fprintf(stderr, "vigie: cannot read %s\n", opts.file.c_str());
      return kExitFailed;
    }
    for (std::string s; std::getline(in, s);) {
      if (!s.empty() && s.back() == '\r') s.pop_back();
      if (!s.empty()) lines.push_back(std::move(s));
    }
  }
  if (lines.empty()) {
    std::fprintf(stderr, "vigie: rules explain needs --line or --file\n");
    return kExitUsage;
  }
  auto [cfg, rules, exit_code] = load_for_rule_command(opts.config, opts.paths);
  if (!rules) return exit_code;

  // The serve engine, one line after the other: parser, Matcher, Correlator.
  core::Metrics metrics;
  ingest::syslog::SyslogParser parser(cfg, metrics);
  detect::Matcher matcher(rules, metrics);
  detect::Correlator correlator(rules, metrics);
  const auto received = core::SystemClock{}.now();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    Line l;
    l.number = i + 1;
    l.raw = lines[i];
    ingest::RawMessage raw;
    raw.data = lines[i];
    raw.received = received;
    auto e = parser.parse(raw, "explain");
    l.parsed = fields_of(e);
    l.ex = detect::explain(matcher, *rules, e);
    l.fields = fields_of(e);
    for (const auto& step : l.ex.decoders)
      for (const auto& [k, v] : step.set) l.set_by[k] = rules->decoders()[step.decoder].name;
    for (uint32_t r : l.ex.matched) correlator.on_hit(r, e, l.alerts);
    if (opts.json)
      print_json(*rules, l);
    else
      print_text(*rules, l);
  }
  return kExitOk;
}

}  // namespace vigie::app
