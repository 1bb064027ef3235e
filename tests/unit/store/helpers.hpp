// Shared fixtures for the store tests: a temporary directory and a sample alert.
#pragma once

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "core/alert.hpp"

namespace vigie::test {

namespace fs = std::filesystem;

struct StoreDir {
  fs::path path;
  StoreDir() {
    static int n = 0;
    path = fs::temp_directory_path() / ("vigie-storew-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~StoreDir() { fs::remove_all(path); }
};

inline core::TimePoint at_s(int64_t seconds) { return core::TimePoint{std::chrono::seconds(seconds)}; }

// A distinct alert per `source`, `count` hits.
inline core::Alert alert_from(const std::string& source, uint64_t count = 10) {
  core::Alert a;
  a.rule = {"ssh-bruteforce", "SSH brute force", core::Level::high, {"attack.t1110"}, "many failures", "AMBER"};
  a.site = "ch-quimper";
  a.key = {{"observer.site", "ch-quimper"}, {"source.ip", source}};
  a.count = count;
  a.first_seen = at_s(1'700'000'000);
  a.last_seen = at_s(1'700'000'060) + std::chrono::seconds(count);
  a.summary = std::to_string(count) + " failures from " + source;
  a.evidence = {"Failed password for root from " + source + " port 1"};
  a.id = core::make_alert_id(a.rule.id, a.key, a.first_seen);
  a.update = count > 10;
  return a;
}

}  // namespace vigie::test
