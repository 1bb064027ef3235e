// Where one worker's time goes, stage by stage, on the lines of a log: syslog parsing, then the
// matcher (decoders and detection rules: one scan of each field set, captures, rule evaluation). One thread, one
// Matcher, batches of 512 lines as the pipeline makes them; reading the file and splitting it into messages are not
// timed. Prints key=value lines for deploy/bench.sh.
//
// Beside them, RE2::Set alone on the same patterns (`sets_seconds`): each scanned field's set
// (RuleSet::set_patterns, compiled once more here) matched against that field's value in every
// event that has it, asking which patterns match, nothing remembered between events. Collecting
// the values is not timed; only the Match calls are.
//
// Usage: bench_stages CONFIG LOG [--no-sets] [--dump-sets DIR]; per-set lines ("set FIELD: ...") precede
// the totals.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <re2/set.h>

#include "config/config.hpp"
#include "core/metrics.hpp"
#include "detect/engine.hpp"
#include "ingest/decoder.hpp"

using namespace vigie;

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// CPU time of this thread: on a shared machine the wall clock of a stage also counts the time
// other processes held the core; the CPU time does not.
double thread_cpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  // --no-sets: skip the RE2::Set-alone pass (profiles of the matcher alone); --dump-sets DIR:
  // each set's patterns to DIR/<field>-<n>.txt, one per line (bench_re2set reads them).
  bool no_sets = false;
  std::string dump_dir;
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--no-sets")
      no_sets = true;
    else if (a == "--dump-sets" && i + 1 < argc)
      dump_dir = argv[++i];
    else
      argc = 0;  // usage
  }
  if (argc < 3) {
    std::cerr << "usage: bench_stages CONFIG LOG [--no-sets] [--dump-sets DIR]\n";
    return 2;
  }
  auto cfg = config::load_config(argv[1]);
  if (!cfg) {
    for (const auto& e : cfg.error()) std::cerr << e.to_string() << "\n";
    return 1;
  }
  detect::LoadOptions options;  // as serve and replay load them (app/cmd_check.cpp)
  options.prefilter = (*cfg)->detection.prefilter;
  auto rules = detect::load_rules((*cfg)->rules.paths, (*cfg)->detection, options);
  if (!rules) {
    for (const auto& e : rules.error()) std::cerr << e.to_string() << "\n";
    return 1;
  }
  std::vector<std::pair<core::FieldRef, std::unique_ptr<RE2::Set>>> sets;
  std::size_t set_patterns = 0;
  for (const auto& sp : (*rules)->set_patterns()) {
    auto set = std::make_unique<RE2::Set>(*sp.options, RE2::UNANCHORED);
    for (const auto& p : *sp.patterns)
      if (set->Add(p, nullptr) < 0) {
        std::cerr << "bench_stages: a pattern of field " << sp.field << " does not compile alone: " << p << "\n";
        return 1;
      }
    if (!set->Compile()) {
      std::cerr << "bench_stages: the set of field " << sp.field << " does not compile\n";
      return 1;
    }
    set_patterns += sp.patterns->size();
    if (!dump_dir.empty()) {
      std::ofstream o(dump_dir + "/" + std::string(sp.field) + "-" + std::to_string(sets.size()) + ".txt");
      for (const auto& p : *sp.patterns) o << p << "\n";
    }
    sets.emplace_back(core::FieldRef::of(sp.field), std::move(set));
  }
  core::Metrics metrics;
  ingest::Decoders decoders(*cfg, metrics);
  detect::Matcher matcher(*rules, metrics);
  std::ifstream in(argv[2], std::ios::binary);
  if (!in) {
    std::cerr << "bench_stages: cannot read " << argv[2] << "\n";
    return 1;
  }
  double parse_s = 0, match_s = 0, sets_s = 0, parse_cpu = 0, match_cpu = 0, sets_cpu = 0;
  uint64_t lines = 0, hits_total = 0, set_values = 0, set_matches = 0;
  std::vector<uint32_t> hits;
  std::vector<std::pair<std::size_t, std::string_view>> values;  // (set, field value) of a batch
  std::vector<int> matched;
  std::vector<double> set_s(sets.size(), 0.0);
  std::vector<uint64_t> set_n(sets.size(), 0), set_m(sets.size(), 0);
  ingest::EventBatch events;
  std::string line;
  bool more = true;
  while (more) {
    events.raw = ingest::RawBatch{};
    events.raw.input = "file:bench";
    while (events.raw.messages.size() < 512 && (more = static_cast<bool>(std::getline(in, line))))
      events.raw.messages.push_back(ingest::RawMessage{line, "", 0, core::TimePoint{}, false});
    if (events.raw.messages.empty()) break;
    lines += events.raw.messages.size();
    auto t = Clock::now();
    double c = thread_cpu();
    decoders.for_kind(events.raw.kind)->decode(events);
    parse_s += since(t);
    parse_cpu += thread_cpu() - c;
    t = Clock::now();
    c = thread_cpu();
    for (std::size_t i = 0; i < events.size(); ++i) {
      matcher.process(events[i], hits);
      hits_total += hits.size();
    }
    match_s += since(t);
    match_cpu += thread_cpu() - c;
    values.clear();
    for (std::size_t i = 0; i < events.size() && !no_sets; ++i)
      for (std::size_t k = 0; k < sets.size(); ++k)
        if (const auto v = events[i].get(sets[k].first)) values.emplace_back(k, *v);
    set_values += values.size();
    t = Clock::now();
    c = thread_cpu();
    for (const auto& [k, v] : values) {
      const auto tk = Clock::now();
      matched.clear();
      if (sets[k].second->Match(re2::StringPiece(v.data(), v.size()), &matched, nullptr)) set_m[k] += matched.size();
      set_s[k] += since(tk);
      ++set_n[k];
    }
    sets_s += since(t);
    sets_cpu += thread_cpu() - c;
    events.clear();
  }
  for (std::size_t k = 0; k < sets.size(); ++k) {
    set_matches += set_m[k];
    std::printf("set %s: patterns=%zu values=%llu matches=%llu seconds=%.3f\n", sets[k].first.name.c_str(),
                (*rules)->set_patterns()[k].patterns->size(), static_cast<unsigned long long>(set_n[k]),
                static_cast<unsigned long long>(set_m[k]), set_s[k]);
  }
  std::printf("lines=%llu\nhits=%llu\nparse_seconds=%.3f\nmatch_seconds=%.3f\n", static_cast<unsigned long long>(lines),
              static_cast<unsigned long long>(hits_total), parse_s, match_s);
  std::printf("sets=%zu\nset_patterns=%zu\nset_values=%llu\nset_matches=%llu\nsets_seconds=%.3f\n", sets.size(),
              set_patterns, static_cast<unsigned long long>(set_values), static_cast<unsigned long long>(set_matches),
              sets_s);
  std::printf("parse_cpu_seconds=%.3f\nmatch_cpu_seconds=%.3f\nsets_cpu_seconds=%.3f\n", parse_cpu, match_cpu,
              sets_cpu);
  std::printf("rules=%zu\nalways_evaluated=%zu\natoms=%zu\n", (*rules)->rule_count(), (*rules)->always_evaluated(),
              (*rules)->atom_count());
  return 0;
}
