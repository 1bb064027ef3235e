#include "helpers.hpp"

#include "detect/condition.hpp"

using namespace vigie;
using namespace vigie::detect;
using namespace vigie::detect::test;

namespace {

// Selections a..c test user.name, process.name, host.hostname for "x"; _f tests message.
std::shared_ptr<const RuleSet> with_condition(const std::string& condition) {
  return load(R"(
title: t
id: r
detection:
  sel_a: { user.name: x }
  sel_b: { process.name: x }
  sel_c: { host.hostname: x }
  _f: { message: x }
  condition: )" +
              condition + "\n");
}

// Truth table helper: which of a, b, c, f hold.
bool eval(const std::string& condition, bool a, bool b, bool c, bool f = false) {
  auto rs = with_condition(condition);
  core::Event e;
  if (a) e.set(core::Field::user_name, "x");
  if (b) e.set(core::Field::process_name, "x");
  if (c) e.set(core::Field::hostname, "x");
  if (f) e.set(core::Field::message, "x");
  return fires(rs, "r", e);
}

}  // namespace

TEST_CASE("and, or, not") {
  CHECK(eval("sel_a and sel_b", true, true, false));
  CHECK_FALSE(eval("sel_a and sel_b", true, false, false));
  CHECK(eval("sel_a or sel_b", false, true, false));
  CHECK_FALSE(eval("sel_a or sel_b", false, false, true));
  CHECK(eval("not sel_a", false, false, false));
  CHECK_FALSE(eval("not sel_a", true, false, false));
  CHECK(eval("sel_a AND NOT sel_b", true, false, false));
}

TEST_CASE("precedence: not > and > or; parentheses override") {
  // a or b and c == a or (b and c)
  CHECK(eval("sel_a or sel_b and sel_c", true, false, false));
  CHECK_FALSE(eval("sel_a or sel_b and sel_c", false, true, false));
  CHECK_FALSE(eval("(sel_a or sel_b) and sel_c", true, false, false));
  CHECK(eval("(sel_a or sel_b) and sel_c", true, false, true));
  // not a and b == (not a) and b
  CHECK(eval("not sel_a and sel_b", false, true, false));
  CHECK_FALSE(eval("not sel_a and sel_b", false, false, false));
  CHECK(eval("not (sel_a and sel_b)", true, false, false));
  CHECK(eval("not not sel_a", true, false, false));
}

TEST_CASE("1 of / all of with patterns and them") {
  CHECK(eval("1 of sel_*", false, false, true));
  CHECK_FALSE(eval("1 of sel_*", false, false, false, true));
  CHECK(eval("all of sel_*", true, true, true));
  CHECK_FALSE(eval("all of sel_*", true, true, false));
  CHECK(eval("1 of them", false, true, false));
  CHECK_FALSE(eval("1 of them", false, false, false, true));  // `them` skips _f
  CHECK(eval("all of them", true, true, true, false));
  CHECK(eval("all of sel_a and not 1 of _*", true, false, false, false));
  CHECK_FALSE(eval("all of sel_a and not 1 of _*", true, false, false, true));
}

TEST_CASE("negated conditions are evaluated even when nothing indexed matches") {
  CHECK(eval("not 1 of them", false, false, false));
  CHECK(eval("not sel_a or sel_b", false, false, false));
}

TEST_CASE("parse errors name the column") {
  const std::vector<std::string> names = {"a", "b"};
  auto bad = parse_condition("a and (b", names);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().find("column 9") != std::string::npos);
  CHECK(parse_condition("a and and b", names).error().find("column 7") != std::string::npos);
  CHECK(parse_condition("a or c", names).error().find("unknown identifier 'c'") != std::string::npos);
  CHECK(parse_condition("1 of x*", names).error().find("matches no search identifier") != std::string::npos);
  CHECK(parse_condition("2 of them", names).error().find("only '1 of'") != std::string::npos);
  CHECK(parse_condition("a b", names).error().find("unexpected 'b'") != std::string::npos);
  CHECK_FALSE(parse_condition("", names));
  CHECK(parse_condition("(a) or not (b and a)", names));
}
