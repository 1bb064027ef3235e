#include "core/event.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/time.hpp"

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

// The event path of issue 5: views and copies, deep copies, caps, stamps formatted when read.

TEST_CASE("set keeps a view, set_copy owns the bytes in the event's arena") {
  std::string source = "10.0.0.1";
  Event e;
  e.set(Field::source_ip, std::string_view(source));
  e.set_copy(Field::destination_ip, source);
  CHECK(e.get(Field::source_ip)->data() == source.data());
  CHECK(e.get(Field::destination_ip)->data() != source.data());
  source[0] = '9';
  CHECK(e.get(Field::source_ip) == "90.0.0.1");       // a view sees the change
  CHECK(e.get(Field::destination_ip) == "10.0.0.1");  // a copy does not
}

TEST_CASE("a copied event owns its bytes: the original and its batch may die first") {
  auto arena = std::make_unique<Arena>();
  auto line = std::make_unique<std::string>("Failed password for root");
  auto original = std::make_unique<Event>(*arena);
  original->set_raw(*line);
  original->set(Field::user_name, std::string_view(*line).substr(20));
  original->set("custom.name", std::string_view(*line).substr(0, 6));
  original->set_copy("json.key", "value");
  Event copy(*original);
  original.reset();
  line->assign(line->size(), 'x');  // overwrite before freeing, so a stale view reads garbage
  line.reset();
  arena.reset();
  CHECK(copy.raw() == "Failed password for root");
  CHECK(copy.get(Field::user_name) == "root");
  CHECK(copy.get("custom.name") == "Failed");
  CHECK(copy.get("json.key") == "value");
  Event assigned;
  assigned = copy;
  CHECK(assigned.get("custom.name") == "Failed");
  CHECK(assigned.get("custom.name")->data() != copy.get("custom.name")->data());
}

TEST_CASE("free-form fields stop at kMaxExtraFields; lookups stay right past the hash threshold") {
  Event e;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < kMaxExtraFields + 10; ++i) names.push_back("f.n" + std::to_string(i));
  for (std::size_t i = 0; i < kMaxExtraFields; ++i) REQUIRE(e.set_copy(names[i], "v" + std::to_string(i)));
  CHECK_FALSE(e.set_copy(names[kMaxExtraFields], "over"));
  CHECK_FALSE(e.set(std::string_view(names[kMaxExtraFields + 1]), "over"));
  CHECK_FALSE(e.get(names[kMaxExtraFields]).has_value());
  CHECK(e.set("f.n3", "replaced"));  // an existing name is still replaceable at the cap
  CHECK(e.get("f.n3") == "replaced");
  for (std::size_t i = 0; i < kMaxExtraFields; ++i) {
    if (i == 3) continue;
    REQUIRE(e.get(names[i]) == "v" + std::to_string(i));
  }
  std::size_t n = 0;
  e.for_each([&](std::string_view k, std::string_view) { n += k.starts_with("f.n") ? 1 : 0; });
  CHECK(n == kMaxExtraFields);
}

TEST_CASE("200 free-form names: each found, replaced in place, absent ones not found") {
  Event e;
  for (int i = 0; i < 200; ++i) REQUIRE(e.set_copy("x." + std::to_string(i), std::to_string(i * 7)));
  for (int i = 0; i < 200; ++i) REQUIRE(e.get("x." + std::to_string(i)) == std::to_string(i * 7));
  for (int i = 200; i < 260; ++i) CHECK_FALSE(e.get("x." + std::to_string(i)).has_value());
  REQUIRE(e.set_copy("x.150", "new"));
  CHECK(e.get("x.150") == "new");
  std::size_t n = 0;
  e.for_each([&](std::string_view k, std::string_view) { n += k.starts_with("x.") ? 1 : 0; });
  CHECK(n == 200);
  // reset() empties the index too
  Arena arena;
  e.reset(arena);
  CHECK_FALSE(e.get("x.10").has_value());
  REQUIRE(e.set("x.10", "again"));
  CHECK(e.get("x.10") == "again");
}

TEST_CASE("@timestamp and event.ingested exist only once exposed, formatted from the numbers") {
  Event e;
  e.time = *parse_rfc3339("2026-12-01T10:00:00Z");
  e.ingested = *parse_rfc3339("2026-12-01T10:00:05Z");
  CHECK_FALSE(e.get(Field::timestamp).has_value());
  CHECK_FALSE(e.get("@timestamp").has_value());
  e.set(Field::timestamp, "ignored");  // not settable as a view
  CHECK_FALSE(e.get(Field::timestamp).has_value());
  e.expose_stamps();
  CHECK(e.get(Field::timestamp) == format_rfc3339(e.time));
  CHECK(e.get("event.ingested") == format_rfc3339(e.ingested));
  e.time = *parse_rfc3339("2027-01-02T03:04:05Z");  // read again: follows the number
  CHECK(e.get("@timestamp") == format_rfc3339(e.time));
  CHECK(e.get(Field::timestamp)->starts_with("2027-01-02T03:04:05"));
}

TEST_CASE("lookups with a kept hash answer as lookups by name, below and past the index threshold") {
  Event e;
  std::vector<std::string> names;
  for (int i = 0; i < 40; ++i) names.push_back("Event.EventData.Name" + std::to_string(i));
  for (std::size_t n = 0; n < names.size(); ++n) {
    REQUIRE(e.set_copy(names[n], "v" + std::to_string(n)));
    // After each insertion (scan mode up to 8 names, then the hash index), every name set so far
    // and some not set yet answer the same both ways.
    for (std::size_t i = 0; i < names.size(); ++i) {
      const auto by_hash = e.get(names[i], Event::hash_name(names[i]));
      REQUIRE(by_hash == e.get(names[i]));
      REQUIRE(by_hash.has_value() == (i <= n));
    }
  }
  // A name set twice keeps one entry with the last value (set_copy of a present name).
  REQUIRE(e.set_copy(names[20], "again"));
  CHECK(e.get(names[20], Event::hash_name(names[20])) == "again");
  std::size_t count = 0;
  e.for_each([&](std::string_view k, std::string_view) { count += k.starts_with("Event.EventData.") ? 1 : 0; });
  CHECK(count == names.size());
  // Names no fixed field could be (their first byte and length) are never fixed; fixed ones are.
  CHECK_FALSE(fixed_field("Channel").has_value());
  CHECK_FALSE(fixed_field("winlog.event_id").has_value());
  CHECK_FALSE(fixed_field("messages").has_value());
  CHECK_FALSE(fixed_field("").has_value());
  CHECK(fixed_field("message") == Field::message);
  CHECK(fixed_field("log.syslog.priority") == Field::priority);
}
