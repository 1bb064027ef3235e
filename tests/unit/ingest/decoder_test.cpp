// EventBatch and Decoders: one event per record, views into the batch, hand-over of what the
// events view, slots reused.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "ingest/decoder.hpp"

using namespace vigie;
using namespace vigie::ingest;
using core::Field;

namespace {

RawBatch lines(std::initializer_list<std::string> texts) {
  RawBatch b;
  b.kind = BatchKind::syslog_lines;
  b.input = "udp://127.0.0.1:5514";
  for (const auto& t : texts)
    b.messages.push_back(RawMessage{t, "127.0.0.1", 40000, *core::parse_rfc3339("2026-12-01T10:00:00Z"), false});
  return b;
}

bool inside(std::string_view v, const std::string& owner) {
  return v.data() >= owner.data() && v.data() + v.size() <= owner.data() + owner.size();
}

}  // namespace

TEST_CASE("a syslog_lines batch decodes to one event per message, viewing the batch") {
  core::Metrics metrics;
  Decoders decoders(std::make_shared<config::Config>(), metrics);
  BatchDecoder* d = decoders.for_kind(BatchKind::syslog_lines);
  REQUIRE(d != nullptr);
  EventBatch events;
  events.raw = lines({"<38>1 2026-12-01T10:00:01Z h1 sshd 11 - - Failed password for root",
                      "<38>1 2026-12-01T10:00:02Z h2 cron 22 - - job done", "<13>Dec  1 10:00:03 h3 app: third"});
  d->decode(events);
  REQUIRE(events.size() == 3);
  CHECK(events[0].get(Field::process_name) == "sshd");
  CHECK(events[1].get(Field::hostname) == "h2");
  CHECK(events[2].get(Field::message) == "third");
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& data = events.raw.messages[i].data;
    CHECK(events[i].raw() == data);
    CHECK(inside(events[i].raw(), data));  // a view, not a copy
    CHECK(inside(*events[i].get(Field::message), data));
    CHECK(inside(*events[i].get(Field::hostname), data));
  }
}

TEST_CASE("release() hands over records and arena: events stay valid after the batch is reused") {
  core::Metrics metrics;
  Decoders decoders(std::make_shared<config::Config>(), metrics);
  BatchDecoder* d = decoders.for_kind(BatchKind::syslog_lines);
  REQUIRE(d != nullptr);
  EventBatch events;
  // SD params become "sdid.name" fields built in the arena: they must survive too.
  events.raw = lines({R"(<38>1 2026-12-01T10:00:01Z h1 sshd 11 - [ex@1 user="alice"] first line)"});
  d->decode(events);
  REQUIRE(events.size() == 1);
  const core::Event* slot = &events[0];
  core::Event kept = std::move(events[0]);  // what the pipeline does with a hit
  auto backing = events.release();
  REQUIRE(backing.arena != nullptr);
  CHECK(events.size() == 0);
  CHECK(events.raw.messages.empty());

  events.raw = lines({R"(<38>1 2026-12-01T10:00:02Z zz other 99 - [ex@1 user="mallory"] second line)"});
  d->decode(events);
  REQUIRE(events.size() == 1);
  CHECK(&events[0] == slot);  // the slot is reused
  CHECK(events[0].get("ex@1.user") == "mallory");

  CHECK(kept.get(Field::message) == "first line");
  CHECK(kept.get(Field::hostname) == "h1");
  CHECK(kept.get("ex@1.user") == "alice");
  CHECK(inside(kept.raw(), backing.raw.messages[0].data));
}

TEST_CASE("clear() reuses the slots for the next batch") {
  core::Metrics metrics;
  Decoders decoders(std::make_shared<config::Config>(), metrics);
  BatchDecoder* d = decoders.for_kind(BatchKind::syslog_lines);
  EventBatch events;
  events.raw = lines({"<13>1 - a b - - - one", "<13>1 - a b - - - two"});
  d->decode(events);
  REQUIRE(events.size() == 2);
  const core::Event* first = &events[0];
  events.clear();
  CHECK(events.size() == 0);
  events.raw = lines({"<13>1 - a b - - - three"});
  d->decode(events);
  REQUIRE(events.size() == 1);
  CHECK(&events[0] == first);
  CHECK(events[0].get(Field::message) == "three");
  CHECK_FALSE(events[0].get("log.syslog.procid").has_value());  // nothing left from the old event
}
