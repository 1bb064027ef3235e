// bench_re2set: the matching limit for `vigie replay` — one RE2::Set of all the rule pack's
// patterns, unanchored, matched against every line of a log file held in memory, on one
// thread. Nothing else is done per line (no parsing, no fields, no alert), so this is the
// ceiling any RE2-based engine can reach on this machine with these patterns.
//
// Usage: bench_re2set [--max-mem-mb N] [--hits K] PATTERNS LOG
//   PATTERNS  one RE2 pattern per line (blank lines and lines starting with '#' skipped)
//   LOG       the lines to match (one event per line, '\n' separated)
// Output (stdout, one `key=value` per line, for deploy/bench.sh): patterns, lines, bytes,
// compile_seconds, seconds, lines_per_s, mb_per_s, cpu_seconds, cpu_lines_per_s, matched_lines,
// matches; then with --hits, the K patterns that matched most lines. Exit status 1 on a bad
// pattern, an unreadable file or a DFA out-of-memory (a silent miss would make the figure
// meaningless).
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

struct Options {
  std::string patterns_path;
  std::string log_path;
  int64_t max_mem_mb = 256;
  std::size_t top_hits = 0;
};

void usage() { std::cerr << "usage: bench_re2set [--max-mem-mb N] [--hits K] PATTERNS LOG\n"; }

bool parse_args(int argc, char** argv, Options& opt) {
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--max-mem-mb" || arg == "--hits") && i + 1 < argc) {
      char* end = nullptr;
      const long long v = std::strtoll(argv[++i], &end, 10);
      if (end == nullptr || *end != '\0' || v < 0) return false;
      if (arg == "--hits")
        opt.top_hits = static_cast<std::size_t>(v);
      else
        opt.max_mem_mb = v;
    } else if (!arg.empty() && arg[0] == '-') {
      return false;
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() != 2) return false;
  opt.patterns_path = positional[0];
  opt.log_path = positional[1];
  return true;
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = std::move(ss).str();
  return !in.bad();
}

// Splits on '\n' (a trailing '\r' is kept: the engine sees the line as written).
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  lines.reserve(text.size() / 100 + 1);
  while (!text.empty()) {
    const auto nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// CPU time of this (single-threaded) process: unlike wall time, it does not grow when other
// processes share the cores, so it is the figure to compare on a busy machine.
double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  if (!parse_args(argc, argv, opt)) {
    usage();
    return 2;
  }
  std::string pattern_text, log_text;
  if (!read_file(opt.patterns_path, pattern_text)) {
    std::cerr << opt.patterns_path << ": cannot read\n";
    return 1;
  }
  if (!read_file(opt.log_path, log_text)) {
    std::cerr << opt.log_path << ": cannot read\n";
    return 1;
  }

  RE2::Options re_opt;
  re_opt.set_log_errors(false);
  re_opt.set_max_mem(opt.max_mem_mb << 20);
  RE2::Set set(re_opt, RE2::UNANCHORED);
  std::vector<std::string> patterns;
  const auto compile_start = std::chrono::steady_clock::now();
  std::size_t line_no = 0;
  for (const auto p : split_lines(pattern_text)) {
    ++line_no;
    if (p.empty() || p[0] == '#') continue;
    std::string error;
    if (set.Add(re2::StringPiece(p.data(), p.size()), &error) < 0) {
      std::cerr << opt.patterns_path << ":" << line_no << ": " << error << "\n";
      return 1;
    }
    patterns.emplace_back(p);
  }
  if (!set.Compile()) {
    std::cerr << opt.patterns_path << ": RE2::Set compile failed (out of memory?)\n";
    return 1;
  }
  const double compile_seconds = seconds_since(compile_start);

  const auto lines = split_lines(log_text);
  std::vector<uint64_t> hits(patterns.size(), 0);
  std::vector<int> matched;
  uint64_t matched_lines = 0, matches = 0;
  RE2::Set::ErrorInfo info{};
  const double cpu_start = cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  for (const auto line : lines) {
    matched.clear();
    if (set.Match(re2::StringPiece(line.data(), line.size()), &matched, &info)) {
      ++matched_lines;
      matches += matched.size();
      for (const int i : matched) ++hits[static_cast<std::size_t>(i)];
    } else if (info.kind != RE2::Set::kNoError) {
      std::cerr << opt.log_path << ": RE2::Set::Match failed (kind " << static_cast<int>(info.kind)
                << ", DFA out of memory at --max-mem-mb " << opt.max_mem_mb << ")\n";
      return 1;
    }
  }
  const double seconds = seconds_since(start);
  const double cpu = cpu_seconds() - cpu_start;

  const auto n = static_cast<double>(lines.size());
  const double wall = seconds > 0 ? seconds : 1e-9;
  const double cpu_safe = cpu > 0 ? cpu : 1e-9;
  std::printf("patterns=%zu\nlines=%zu\nbytes=%zu\ncompile_seconds=%.3f\nseconds=%.3f\n", patterns.size(), lines.size(),
              log_text.size(), compile_seconds, seconds);
  std::printf("lines_per_s=%.0f\nmb_per_s=%.1f\ncpu_seconds=%.3f\ncpu_lines_per_s=%.0f\n", n / wall,
              static_cast<double>(log_text.size()) / wall / 1e6, cpu, n / cpu_safe);
  std::printf("matched_lines=%llu\nmatches=%llu\n", static_cast<unsigned long long>(matched_lines),
              static_cast<unsigned long long>(matches));
  if (opt.top_hits > 0) {
    std::vector<std::pair<uint64_t, std::size_t>> order;
    for (std::size_t i = 0; i < hits.size(); ++i)
      if (hits[i] > 0) order.emplace_back(hits[i], i);
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::printf("patterns_hit=%zu\n", order.size());
    for (std::size_t k = 0; k < order.size() && k < opt.top_hits; ++k)
      std::printf("hit %8llu  #%zu  %s\n", static_cast<unsigned long long>(order[k].first), order[k].second + 1,
                  patterns[order[k].second].c_str());
  }
  return 0;
}
