#include "core/event.hpp"

#include <doctest/doctest.h>

using namespace vigie::core;

TEST_CASE("fixed and free-form fields are reachable by name and by id") {
  Event e;
  e.set("source.ip", "10.0.0.1");
  e.set(Field::user_name, "root");
  e.set("custom.thing", "x");
  CHECK(e.get(Field::source_ip) == "10.0.0.1");
  CHECK(e.get("user.name") == "root");
  CHECK(e.get("custom.thing") == "x");
  CHECK_FALSE(e.get("absent").has_value());
  CHECK(e.get(FieldRef::of("custom.thing")) == "x");
  e.set("custom.thing", "y");
  CHECK(e.get("custom.thing") == "y");
  int n = 0;
  e.for_each([&](std::string_view, std::string_view) { ++n; });
  CHECK(n == 3);
  e.erase(Field::user_name);
  CHECK_FALSE(e.get(Field::user_name).has_value());
}

TEST_CASE("every fixed field name round-trips") {
  for (std::size_t i = 0; i < kFixedFields; ++i) {
    const auto f = static_cast<Field>(i);
    CHECK(fixed_field(field_name(f)) == f);
  }
}
