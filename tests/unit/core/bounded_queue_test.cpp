#include "core/bounded_queue.hpp"

#include <doctest/doctest.h>

#include <thread>

using vigie::core::BoundedQueue;

TEST_CASE("try_push refuses when full and leaves the item intact") {
  BoundedQueue<std::string> q(2);
  std::string a = "a", b = "b", c = "c";
  CHECK(q.try_push(a));
  CHECK(q.try_push(b));
  CHECK_FALSE(q.try_push(c));
  CHECK(c == "c");
  CHECK(q.size() == 2);
  CHECK(*q.pop() == "a");
  CHECK(q.try_push(c));
}

TEST_CASE("push blocks until a consumer makes room") {
  BoundedQueue<int> q(1);
  CHECK(q.push(1));
  std::thread producer([&] { CHECK(q.push(2)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(q.size() == 1);
  CHECK(*q.pop() == 1);
  producer.join();
  CHECK(*q.pop() == 2);
}

TEST_CASE("close wakes consumers and drains what is left") {
  BoundedQueue<int> q(4);
  q.push(7);
  q.close();
  CHECK_FALSE(q.push(8));
  CHECK(*q.pop() == 7);
  CHECK_FALSE(q.pop().has_value());
  CHECK_FALSE(q.pop_for(std::chrono::milliseconds(1)).has_value());
}
