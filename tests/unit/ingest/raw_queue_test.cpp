// RawQueue (Q1): arrival numbers, lanes by flow or load, bounds in batches and bytes, close.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ingest/raw.hpp"

using namespace vigie::ingest;

namespace {

RawBatch batch(std::string name, uint64_t flow = 0, std::size_t payload = 10) {
  RawBatch b;
  b.input = std::move(name);
  b.flow = flow;
  b.messages.push_back(RawMessage{std::string(payload, 'x'), "127.0.0.1", 514, {}, false});
  return b;
}

// Everything left in `lane` once the queue is closed (pops do not block then).
std::vector<RawBatch> drain(RawQueue& q, std::size_t lane) {
  std::vector<RawBatch> out;
  while (auto b = q.pop_lane(lane)) out.push_back(std::move(*b));
  return out;
}

}  // namespace

TEST_CASE("seq numbers follow push order across lanes") {
  RawQueue q(100, 1 << 20, 3);
  for (int i = 0; i < 9; ++i) REQUIRE(q.push(batch("b" + std::to_string(i))));
  q.close();
  std::vector<bool> seen(9, false);
  for (std::size_t lane = 0; lane < 3; ++lane) {
    uint64_t prev = 0;
    bool first = true;
    for (const auto& b : drain(q, lane)) {
      REQUIRE(b.seq < 9);
      CHECK(b.input == "b" + std::to_string(b.seq));  // numbered in push order
      if (!first) CHECK(b.seq > prev);                // a lane keeps arrival order
      prev = b.seq;
      first = false;
      seen[b.seq] = true;
    }
  }
  for (int i = 0; i < 9; ++i) CHECK(seen[static_cast<std::size_t>(i)]);
}

TEST_CASE("a flow key always lands in the same lane, in order") {
  RawQueue q(100, 1 << 20, 2);
  // Interleaved with unkeyed batches and another flow, which must not move flow 7 elsewhere.
  for (int i = 0; i < 12; ++i) {
    REQUIRE(q.push(batch("f7-" + std::to_string(i), 7)));
    REQUIRE(q.push(batch("any", 0)));
    if (i % 3 == 0) REQUIRE(q.push(batch("f8", 8)));
  }
  q.close();
  std::size_t lanes_with_f7 = 0, lanes_with_f8 = 0;
  for (std::size_t lane = 0; lane < 2; ++lane) {
    int next = 0;
    bool f8 = false;
    for (const auto& b : drain(q, lane)) {
      if (b.flow == 7) CHECK(b.input == "f7-" + std::to_string(next++));
      if (b.flow == 8) f8 = true;
    }
    if (next > 0) {
      ++lanes_with_f7;
      CHECK(next == 12);
    }
    lanes_with_f8 += f8 ? 1 : 0;
  }
  CHECK(lanes_with_f7 == 1);
  CHECK(lanes_with_f8 == 1);
}

TEST_CASE("unkeyed batches spread over idle lanes") {
  RawQueue q(100, 1 << 20, 2);
  for (int i = 0; i < 4; ++i) REQUIRE(q.push(batch("b")));
  q.close();
  CHECK(drain(q, 0).size() == 2);
  CHECK(drain(q, 1).size() == 2);
}

TEST_CASE("capacity in batches: try_push fails when full and leaves the batch untouched") {
  RawQueue q(2, 1 << 20, 1);
  auto a = batch("a"), b = batch("b"), c = batch("c");
  CHECK(q.try_push(a));
  CHECK(q.try_push(b));
  CHECK_FALSE(q.try_push(c));
  CHECK(c.input == "c");
  CHECK(c.messages.size() == 1);
  CHECK(q.size() == 2);
  REQUIRE(q.pop().has_value());
  CHECK(q.try_push(c));
}

TEST_CASE("capacity in bytes: try_push fails when bytes would exceed; an oversized batch passes alone") {
  const std::size_t one = batch("a").bytes();
  RawQueue q(100, one * 2 + one / 2, 1);
  auto a = batch("a"), b = batch("a"), c = batch("a");
  CHECK(q.try_push(a));
  CHECK(q.try_push(b));
  CHECK(q.bytes() == 2 * one);
  CHECK_FALSE(q.try_push(c));  // 3 × one > 2.5 × one, though only 2 of 100 batches are queued
  CHECK(c.messages.size() == 1);
  REQUIRE(q.pop().has_value());
  REQUIRE(q.pop().has_value());
  CHECK(q.bytes() == 0);

  auto huge = batch("huge", 0, one * 10);
  CHECK(q.try_push(huge));  // alone into an empty queue, or it could never pass
  auto small = batch("a");
  CHECK_FALSE(q.try_push(small));  // nothing joins it
  auto got = q.pop();
  REQUIRE(got.has_value());
  CHECK(got->input == "huge");
  CHECK(q.try_push(small));
}

TEST_CASE("close wakes a blocked pop and a blocked push") {
  RawQueue q(1, 1 << 20, 2);
  std::optional<RawBatch> popped = batch("sentinel");
  std::thread popper([&] { popped = q.pop_lane(1); });
  // Lane 0 full (capacity 1 batch, flow 2 goes to lane 0): the next push blocks.
  REQUIRE(q.push(batch("first", 2)));
  bool pushed = true;
  std::thread pusher([&] { pushed = q.push(batch("second", 2)); });
  q.close();
  popper.join();
  pusher.join();
  CHECK_FALSE(popped.has_value());
  CHECK_FALSE(pushed);
  CHECK(q.closed());
  auto late = batch("late");
  CHECK_FALSE(q.try_push(late));
}

TEST_CASE("after close, pops drain what is queued, then return nullopt") {
  RawQueue q(10, 1 << 20, 1);
  REQUIRE(q.push(batch("a")));
  REQUIRE(q.push(batch("b")));
  q.close();
  auto a = q.pop();
  auto b = q.pop_for(std::chrono::milliseconds(1));
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK(a->input == "a");
  CHECK(b->input == "b");
  CHECK_FALSE(q.pop().has_value());
  CHECK_FALSE(q.pop_for(std::chrono::milliseconds(1)).has_value());
  CHECK(q.size() == 0);
}

// A blocked push() is woken once the queue has drained to half (not at every pop): whichever
// bound held it — batches or bytes, odd capacities, a batch larger than half the byte budget —
// it must still get in once there is room. (Each join() below hangs if a wake-up is missed.)
TEST_CASE("a blocked push gets in once the queue drains, whatever bound held it") {
  SUBCASE("capacity in batches, even and odd") {
    for (const std::size_t cap : {1UL, 3UL, 4UL}) {
      CAPTURE(cap);
      RawQueue q(cap, 1 << 20, 1);
      for (std::size_t i = 0; i < cap; ++i) REQUIRE(q.push(batch("fill")));
      bool pushed = false;
      std::thread pusher([&] { pushed = q.push(batch("late")); });
      std::size_t popped = 0;
      // Pop until the pusher got in (at the latest when the queue is empty).
      while (popped < cap) {
        REQUIRE(q.pop().has_value());
        ++popped;
      }
      pusher.join();
      CHECK(pushed);
      auto last = q.pop();
      REQUIRE(last.has_value());
      CHECK(last->input == "late");
    }
  }
  SUBCASE("capacity in bytes, the waiting batch larger than half the budget") {
    const std::size_t one = batch("b").bytes();
    RawQueue q(100, 3 * one, 1);
    for (int i = 0; i < 3; ++i) REQUIRE(q.push(batch("b")));  // the byte budget, exactly
    bool pushed = false;
    std::thread pusher([&] { pushed = q.push(batch("B", 0, 2 * one)); });
    for (int i = 0; i < 3; ++i) REQUIRE(q.pop().has_value());
    pusher.join();
    CHECK(pushed);
    CHECK(q.size() == 1);
  }
}
