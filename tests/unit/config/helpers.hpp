// Shared by the config tests: write a YAML text to a fresh file and load it.
#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "config/config.hpp"

namespace vigie::config::test {

// A directory unique to this process and call, removed by the destructor.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> n{0};
    path_ = std::filesystem::temp_directory_path() /
            ("vigie-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, std::string_view text) const {
    const auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p;
  }

 private:
  std::filesystem::path path_;
};

inline std::filesystem::path data(const std::string& name) {
  return std::filesystem::path(VIGIE_TEST_DATA) / "config" / name;
}

// Loads `yaml` from <tmp>/vigie.yml; the file's directory is the TempDir.
inline auto load_text(const TempDir& dir, std::string_view yaml) { return load_config(dir.write("vigie.yml", yaml)); }

// The errors of a load that must fail (a successful load fails the test).
inline std::vector<core::Error> errors_of(const TempDir& dir, std::string_view yaml) {
  auto r = load_text(dir, yaml);
  REQUIRE_MESSAGE(!r.has_value(), "expected errors for:\n" << yaml);
  return r.error();
}

// The one error of a load that must fail with exactly one error; checks its line and that its
// text contains `needle`.
inline void expect_one_error(std::string_view yaml, int line, std::string_view needle) {
  TempDir dir;
  const auto errors = errors_of(dir, yaml);
  std::string all;
  for (const auto& e : errors) all += e.to_string() + "\n";
  INFO("errors:\n" << all);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].where == (dir.path() / "vigie.yml").string() + ":" + std::to_string(line));
  CHECK(errors[0].what.find(needle) != std::string::npos);
}

inline std::shared_ptr<const Config> load_ok(std::string_view yaml) {
  TempDir dir;
  auto r = load_text(dir, yaml);
  if (!r) {
    std::string all;
    for (const auto& e : r.error()) all += e.to_string() + "\n";
    FAIL("unexpected errors:\n" << all);
    return nullptr;
  }
  return *r;
}

}  // namespace vigie::config::test
