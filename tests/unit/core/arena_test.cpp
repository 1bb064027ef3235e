#include "core/arena.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace vigie::core;

TEST_CASE("arena copies are stable across growth and a move of the arena") {
  Arena a;
  std::vector<std::string_view> views;
  for (int i = 0; i < 5000; ++i) views.push_back(a.copy("value-" + std::to_string(i)));
  const std::string big(Arena::kChunk * 2, 'b');  // larger than a chunk: its own
  const auto bv = a.copy(big);
  Arena moved(std::move(a));
  for (int i = 0; i < 5000; ++i) REQUIRE(views[static_cast<std::size_t>(i)] == "value-" + std::to_string(i));
  CHECK(bv == big);
  CHECK(moved.used() >= big.size());
}

TEST_CASE("concat, empty copies and used()") {
  Arena a;
  CHECK(a.copy("").empty());
  CHECK(a.used() == 0);
  CHECK(a.concat("", "", "").empty());
  const auto v = a.concat("sd@1", ".", "param");
  CHECK(v == "sd@1.param");
  CHECK(a.used() == v.size());
  CHECK(a.concat("ab", "cd") == "abcd");
}
