// SigmaHQ's Linux and Windows folders (../shared/corpus/sigma/rules), loaded unmodified: no rule
// is an error, every skipped one carries file:line and a reason, and the share of files that
// load is printed (deploy/bench.sh reports the same figure).
#include <cstdio>
#include <filesystem>

#include "helpers.hpp"

using namespace vigie;
using namespace vigie::detect;

TEST_SUITE_BEGIN("corpus");

TEST_CASE("SigmaHQ folders load as published: skips carry a reason, nothing is an error") {
  for (const char* folder : {"linux", "windows"}) {
    CAPTURE(folder);
    const auto dir = std::filesystem::path(VIGIE_CORPUS) / "sigma" / "rules" / folder;
    REQUIRE(std::filesystem::is_directory(dir));
    std::size_t files = 0;
    for (const auto& f : std::filesystem::recursive_directory_iterator(dir))
      if (f.is_regular_file() && f.path().extension() == ".yml") ++files;
    auto r = load_rules({dir}, config::Detection{});
    if (!r)
      for (const auto& e : r.error()) MESSAGE(e.to_string());
    REQUIRE(r);
    const auto& rs = *r;
    for (const auto& s : rs->skipped()) {
      CAPTURE(s.to_string());
      CHECK(s.where.rfind(dir.string(), 0) == 0);
      CHECK(s.where.find(".yml:") != std::string::npos);
      CHECK_FALSE(s.what.empty());
      CHECK_FALSE(s.group.empty());
    }
    CHECK(rs->rule_count() + rs->skipped().size() >= files);
    std::printf("sigma %s: %zu of %zu files load (%.1f %%); %s\n", folder, rs->rule_count(), files,
                100.0 * static_cast<double>(rs->rule_count()) / static_cast<double>(files), load_summary(*rs).c_str());
  }
}

TEST_SUITE_END();
