#include <doctest/doctest.h>

#include <stdexcept>
#include <stop_token>
#include <thread>

#include "app/supervisor.hpp"

using namespace vigie;

TEST_CASE("a thread whose body throws is reported with its name, cleaned up, and the main loop woken") {
  int woken = 0;
  app::Supervisor sup([&] { ++woken; });
  bool cleaned = false;
  std::thread t(sup.guard(
      "store", [] { throw std::runtime_error("database disk image is malformed"); }, [&] { cleaned = true; }));
  t.join();  // reaching here: no std::terminate
  CHECK(sup.failed());
  CHECK(sup.failure() == "thread store: database disk image is malformed");
  CHECK(cleaned);
  CHECK(woken == 1);
}

TEST_CASE("a body returning an error fails the same way; the first failure is the one reported") {
  app::Supervisor sup({});
  std::thread(sup.guard("store", []() -> core::Result<void> {
    return core::fail("j.jsonl", "Is a directory");
  })).join();
  std::thread(sup.guard("notifier", [] { throw 42; })).join();
  CHECK(sup.failed());
  CHECK(sup.failure() == "thread store: j.jsonl: Is a directory");
}

TEST_CASE("bodies that end normally, with or without arguments, report nothing") {
  int woken = 0;
  app::Supervisor sup([&] { ++woken; });
  int ran = 0;
  std::thread(sup.guard("asio", [&] { ++ran; })).join();
  std::thread(sup.guard("store", [&]() -> core::Result<void> {
    ++ran;
    return {};
  })).join();
  std::jthread(sup.guard("notifier", [&](const std::stop_token&) { ++ran; })).join();
  CHECK(ran == 3);
  CHECK_FALSE(sup.failed());
  CHECK(sup.failure().empty());
  CHECK(woken == 0);
}
