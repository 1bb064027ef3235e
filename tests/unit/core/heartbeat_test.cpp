#include <doctest/doctest.h>

#include "core/heartbeat.hpp"

using namespace vigie;
using namespace std::chrono_literals;

TEST_CASE("heartbeat: a busy slot without a beat within the bound is stuck; an idle one never is") {
  int64_t now = 0;
  core::Heartbeat hb([&] { return now; });
  auto& store = hb.add("store");
  auto& worker = hb.add("worker-1");
  CHECK(hb.stuck(10s).empty());

  now += 11'000'000'000;  // 11 s later
  auto stuck = hb.stuck(10s);
  REQUIRE(stuck.size() == 2);  // registered busy and silent since
  CHECK(stuck[0] == "store");

  store.beat();
  worker.idle();  // blocked on an empty queue: healthy however long it waits
  now += 60'000'000'000;
  stuck = hb.stuck(10s);
  REQUIRE(stuck.size() == 1);
  CHECK(stuck[0] == "store");

  store.beat();
  CHECK(hb.stuck(10s).empty());
  worker.beat();  // took work: busy again, the clock runs from this beat
  now += 5'000'000'000;
  CHECK(hb.stuck(10s).empty());
  now += 6'000'000'000;
  CHECK(hb.stuck(10s) == std::vector<std::string>{"store", "worker-1"});
}
