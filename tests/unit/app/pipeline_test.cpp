// The threaded pipeline with real workers: results do not depend on worker timing, an IOC swap
// leaves correlation state alone, a reload adopts it.
#include "app/pipeline.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "detect/engine.hpp"
#include "ingest/line_reader.hpp"

using namespace vigie;
using namespace vigie::app;

namespace {

constexpr std::string_view kRules = R"(
decoder: sshd
when: { process.name: sshd }
patterns:
  - regex: 'Failed password for (?:invalid user )?(?P<user>\S+) from (?P<ip>\S+) port (?P<port>\d+)'
    fields: { user.name: user, source.ip: ip, source.port: port, event.action: "=ssh_login", event.outcome: "=failure" }
---
title: SSH failed password
id: ssh-failed
level: low
detection: { s: { event.action: ssh_login, event.outcome: failure }, condition: s }
---
title: SSH brute force
id: ssh-bruteforce
level: high
correlation:
  type: event_count
  rules: [ssh-failed]
  group-by: [source.ip]
  timespan: 5m
  condition: { gte: 10 }
)";

std::shared_ptr<const detect::RuleSet> rules() {
  detect::LoadOptions opts;
  opts.matcher_slots = 2;
  auto r = detect::load_rules_from_string(kRules, "pipeline.yml", config::Detection{}, opts);
  if (!r) {
    for (const auto& e : r.error()) MESSAGE(e.to_string());
    FAIL("rule set did not load");
  }
  return *r;
}

std::shared_ptr<const config::Config> two_workers() {
  auto cfg = std::make_shared<config::Config>();
  cfg->workers = 2;
  return cfg;
}

// Failed password number `i` (event time 10:00:i), in a batch of its own or shared.
ingest::RawMessage failed(int i) {
  const std::string ts = "2026-12-01T10:00:" + std::string(i < 10 ? "0" : "") + std::to_string(i) + "Z";
  return ingest::RawMessage{"<38>1 " + ts + " bastion sshd 4242 - - Failed password for root from 203.0.113.5 port " +
                                std::to_string(40000 + i) + " ssh2",
                            "127.0.0.1", 40000, *core::parse_rfc3339(ts), false};
}

ingest::RawBatch batch_of(int from, int to) {
  ingest::RawBatch b;
  b.input = "file:test";
  for (int i = from; i < to; ++i) b.messages.push_back(failed(i));
  return b;
}

// Alerts in their final state (an update replaces what it updates), written by the correlator
// thread, read after finish().
struct Collected {
  std::vector<core::Alert> alerts;
  std::map<std::string, std::size_t> index;
  Pipeline::AlertSink sink() {
    return [this](core::Alert&& a) {
      auto [it, inserted] = index.try_emplace(a.id, alerts.size());
      if (inserted)
        alerts.push_back(std::move(a));
      else
        alerts[it->second] = std::move(a);
    };
  }
};

// Waits until the correlator has taken its first batch (it creates its first correlator then),
// so that what is pushed afterwards is taken by workers after whatever the test swaps next.
void wait_first_generation(const Pipeline& p) {
  while (p.correlator_generations() == 0) std::this_thread::yield();
}

void check_one_brute_force(const Collected& c) {
  REQUIRE(c.alerts.size() == 1);
  CHECK(c.alerts[0].rule.id == "ssh-bruteforce");
  CHECK(c.alerts[0].count == 10);
  CHECK(c.alerts[0].key == core::KeyValues{{"source.ip", "203.0.113.5"}});
  CHECK(c.alerts[0].first_seen == *core::parse_rfc3339("2026-12-01T10:00:00Z"));
  CHECK(c.alerts[0].last_seen == *core::parse_rfc3339("2026-12-01T10:00:09Z"));
}

}  // namespace

TEST_CASE("ten failed passwords over many small batches on two workers: one brute force, count 10") {
  // Repeated: the split of batches between workers varies from run to run, the result must not.
  for (int round = 0; round < 20; ++round) {
    core::Metrics metrics;
    Collected c;
    Pipeline p(two_workers(), rules(), metrics, detect::EvictionClock::event_time, c.sink());
    p.start();
    for (int i = 0; i < 10; ++i) REQUIRE(p.input().push(batch_of(i, i + 1)));
    p.finish();
    check_one_brute_force(c);
    CHECK(metrics.value("vigie_events_parsed_total") == 10);
    CHECK(p.correlator_generations() == 1);
    if (c.alerts.size() != 1) break;
  }
}

TEST_CASE("swap_iocs in the middle of a brute force does not reset the correlation") {
  core::Metrics metrics;
  Collected c;
  Pipeline p(two_workers(), rules(), metrics, detect::EvictionClock::event_time, c.sink());
  p.start();
  REQUIRE(p.input().push(batch_of(0, 5)));
  wait_first_generation(p);
  const auto before = p.snapshot();
  p.swap_iocs(std::make_shared<const intel::IocIndex>(
      std::vector<intel::Indicator>{{intel::IocType::ip, "198.51.100.1", "test", ""}}));
  CHECK(p.snapshot() != before);
  CHECK(p.snapshot()->rules == before->rules);
  CHECK(p.snapshot()->iocs->size() == 1);
  for (int i = 5; i < 10; ++i) REQUIRE(p.input().push(batch_of(i, i + 1)));
  p.finish();
  CHECK(p.correlator_generations() == 1);
  check_one_brute_force(c);
}

TEST_CASE("reload with the same rules text makes a new correlator that adopts the window") {
  core::Metrics metrics;
  Collected c;
  Pipeline p(two_workers(), rules(), metrics, detect::EvictionClock::event_time, c.sink());
  p.start();
  REQUIRE(p.input().push(batch_of(0, 5)));
  wait_first_generation(p);
  const auto before = p.snapshot();
  p.reload(rules());
  CHECK(p.snapshot()->rules != before->rules);
  CHECK(p.snapshot()->iocs == before->iocs);
  for (int i = 5; i < 10; ++i) REQUIRE(p.input().push(batch_of(i, i + 1)));
  p.finish();
  CHECK(p.correlator_generations() == 2);
  check_one_brute_force(c);
}

TEST_CASE("no worker is stuck on an idle pipeline") {
  core::Metrics metrics;
  Collected c;
  Pipeline p(two_workers(), rules(), metrics, detect::EvictionClock::event_time, c.sink());
  p.start();
  REQUIRE(p.input().push(batch_of(0, 3)));
  p.finish();
  CHECK(p.stuck_workers(std::chrono::steady_clock::now() + std::chrono::hours(1)).empty());
  CHECK(c.alerts.empty());  // 3 < 10
}

TEST_CASE("a correlator that makes no progress is reported stuck, and no longer once it moves") {
  // The sink blocks (a store that does not take alerts): the correlator stays on its batch.
  core::Metrics metrics;
  std::mutex mu;
  std::condition_variable cv;
  bool release = false, entered = false;
  Pipeline::Options opts;
  opts.stuck_after = std::chrono::milliseconds(50);
  Pipeline p(
      two_workers(), rules(), metrics, detect::EvictionClock::event_time,
      [&](core::Alert&&) {
        std::unique_lock lock(mu);
        entered = true;
        cv.notify_all();
        cv.wait(lock, [&] { return release; });
      },
      opts);
  p.start();
  REQUIRE(p.input().push(batch_of(0, 12)));  // a brute force: one alert for the sink
  {
    std::unique_lock lock(mu);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return entered; }));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto stuck = p.stuck_workers(std::chrono::steady_clock::now());
  CHECK(std::find(stuck.begin(), stuck.end(), "correlator") != stuck.end());
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  p.finish();
  CHECK(p.stuck_workers(std::chrono::steady_clock::now() + std::chrono::hours(1)).empty());
}

// A file read as replay reads it: lines viewed in shared read blocks (small ones here, so lines
// span blocks and batches span blocks). The reader is gone before the workers and the
// correlator are done, and the evidence the correlator copies from the events' raw lines must
// still be the lines of the file.
TEST_CASE("lines viewed in shared read blocks stay valid through workers and correlator") {
  const auto path = std::filesystem::temp_directory_path() / ("vigie-pipeline-lines-" + std::to_string(::getpid()));
  std::vector<std::string> want;
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 10; ++i) {
      want.push_back(failed(i).data);
      out << want.back() << (i % 2 ? "\r\n" : "\n");
      out << "<13>1 2026-12-01T10:00:0" << i << "Z bastion cron 1 - - unrelated line number " << i << "\n";
    }
  }
  core::Metrics metrics;
  Collected c;
  Pipeline p(two_workers(), rules(), metrics, detect::EvictionClock::event_time, c.sink());
  p.start();
  {
    const int fd = ::open(path.c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    ingest::BatchPacker packer("file:test", 3, *core::parse_rfc3339("2026-12-01T10:00:30Z"));
    ingest::FileLines lines(fd, 64 * 1024, 256);
    const auto r = lines.run([](std::string_view) { return true; },
                             [&](std::string_view l, bool cut, const ingest::SharedBlock* owner) {
                               if (packer.add(l, cut, owner)) REQUIRE(p.input().push(packer.take()));
                             });
    ::close(fd);
    REQUIRE(r.has_value());
    if (!packer.empty()) REQUIRE(p.input().push(packer.take()));
  }
  p.finish();
  std::filesystem::remove(path);
  check_one_brute_force(c);
  CHECK(c.alerts[0].evidence == want);
  CHECK(metrics.value("vigie_events_parsed_total") == 20);
}
