#include <doctest/doctest.h>
#include <unistd.h>

#include <fstream>

#include "helpers.hpp"
#include "store/db_lock.hpp"

using namespace vigie;

TEST_CASE("one holder per database: a second lock names the first holder's PID") {
  test::StoreDir d;
  const auto db = d.path / "vigie.db";
  auto first = store::DbLock::acquire(db);
  REQUIRE_MESSAGE(first, first.error().to_string());
  std::ifstream in(store::lock_path(db));
  std::string pid;
  in >> pid;
  CHECK(pid == std::to_string(::getpid()));

  // flock belongs to the open file: a second open in this same process conflicts like another
  // process would.
  auto second = store::DbLock::acquire(db);
  REQUIRE_FALSE(second);
  const auto msg = second.error().to_string();
  CHECK(msg.find("pid " + std::to_string(::getpid())) != std::string::npos);
  CHECK(msg.find("vigie.db") != std::string::npos);

  // Another database in the same directory is independent.
  CHECK(store::DbLock::acquire(d.path / "other.db"));

  first->reset();
  auto third = store::DbLock::acquire(db);
  CHECK_MESSAGE(third, "released when its holder goes away");
}
