// doctest main shared by every unit test executable. Tests that read the corpus of data written
// elsewhere (../shared/corpus, see tests/CMakeLists.txt) sit in doctest suite "corpus": the
// `unit_<module>` entries exclude it, the `corpus_<module>` entries run only it with
// `--needs-corpus`. Without the corpus such a run prints what it looked for and exits 77, which
// ctest reports as skipped (SKIP_RETURN_CODE) — unless VIGIE_REQUIRE_CORPUS=1 (CI), where a
// missing corpus is a failure.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

namespace {
constexpr int kSkipped = 77;
}

int main(int argc, char** argv) {
  std::vector<char*> args;
  bool needs_corpus = false;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--needs-corpus") == 0) needs_corpus = true;
    else args.push_back(argv[i]);
  }
  if (needs_corpus && !std::filesystem::is_directory(VIGIE_CORPUS)) {
    const char* required = std::getenv("VIGIE_REQUIRE_CORPUS");
    if (required != nullptr && std::strcmp(required, "1") == 0) {
      std::fprintf(stderr, "FAILED: corpus required (VIGIE_REQUIRE_CORPUS=1) but not found at %s\n", VIGIE_CORPUS);
      return 1;
    }
    std::printf("SKIPPED: corpus not found at %s (tests of suite \"corpus\" not run)\n", VIGIE_CORPUS);
    return kSkipped;
  }
  doctest::Context context(static_cast<int>(args.size()), args.data());
  return context.run();
}
