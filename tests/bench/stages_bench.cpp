// Where one worker's time goes, stage by stage, on the lines of a log: syslog parsing, then the
// matcher (decoders and detection rules: one scan of each field set, captures, rule evaluation). One thread, one
// Matcher, batches of 512 lines as the pipeline makes them; reading the file and splitting it into messages are not
// timed. Prints key=value lines for deploy/bench.sh.
//
// Usage: bench_stages CONFIG LOG
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "config/config.hpp"
#include "core/metrics.hpp"
#include "detect/engine.hpp"
#include "ingest/decoder.hpp"

using namespace vigie;

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: bench_stages CONFIG LOG\n";
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
  core::Metrics metrics;
  ingest::Decoders decoders(*cfg, metrics);
  detect::Matcher matcher(*rules, metrics);
  std::ifstream in(argv[2], std::ios::binary);
  if (!in) {
    std::cerr << "bench_stages: cannot read " << argv[2] << "\n";
    return 1;
  }
  double parse_s = 0, match_s = 0;
  uint64_t lines = 0, hits_total = 0;
  std::vector<uint32_t> hits;
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
    decoders.for_kind(events.raw.kind)->decode(events);
    parse_s += since(t);
    t = Clock::now();
    for (std::size_t i = 0; i < events.size(); ++i) {
      matcher.process(events[i], hits);
      hits_total += hits.size();
    }
    match_s += since(t);
    events.clear();
  }
  std::printf("lines=%llu\nhits=%llu\nparse_seconds=%.3f\nmatch_seconds=%.3f\n", static_cast<unsigned long long>(lines),
              static_cast<unsigned long long>(hits_total), parse_s, match_s);
  return 0;
}
