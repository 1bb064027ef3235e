#include <doctest/doctest.h>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "helpers.hpp"
#include "notify/dispatcher.hpp"
#include "notify/notifier.hpp"
#include "store/store.hpp"

using namespace vigie;
using namespace std::chrono_literals;

namespace {

// A sink that fails while `fail` is set and records what it accepted.
class FakeSink final : public notify::Sink {
 public:
  bool fail = false;
  bool permanent = false;           // with fail: the destination's final no
  std::vector<std::string> refuse;  // recipients refused while the others get it
  std::vector<std::string> later;   // recipients refused for now
  std::vector<store::OutboxItem> accepted;
  notify::SendResult send(const store::OutboxItem& item, const std::stop_token& /*stop*/) override {
    if (fail) return notify::send_failed(core::Error{"fake", "refused"}, permanent);
    accepted.push_back(item);
    return notify::Delivered{refuse, later};
  }
};

struct Fixture {
  test::TempDir dir;
  std::shared_ptr<config::Config> cfg = test::sample_config(dir.path);
  core::Metrics metrics;
  core::ManualClock clock{test::at(1'700'000'100)};
  std::unique_ptr<store::Store> store = store::Store::open(cfg->storage.path).value();
};

}  // namespace

TEST_CASE("a new alert queues one mail per target, not before group_wait") {
  Fixture f;
  f.cfg->notify.routes[0].group_wait = 30s;
  notify::Dispatcher d(f.cfg, *f.store, f.metrics, f.clock);
  const auto a = test::sample_alert();
  REQUIRE(d.on_alert(a));
  CHECK(f.store->pending_count().value() == 2);
  CHECK(f.store->due(f.clock.now() + 29s, 10).value().empty());
  auto due = f.store->due(f.clock.now() + 30s, 10).value();
  REQUIRE(due.size() == 2);
  CHECK(due[0].message_id == "<" + a.id + "@vigie.test>");
  CHECK(due[1].message_id == due[0].message_id);
  CHECK(test::header_of(due[1].message, "To") == "rssi@ch-quimper.example");
  CHECK(f.store->find_alert(a.id).value().has_value());
}

TEST_CASE("an update during group_wait goes into the waiting mail instead of a later one") {
  Fixture f;
  f.cfg->notify.routes[0].group_wait = 30s;
  notify::Dispatcher d(f.cfg, *f.store, f.metrics, f.clock);
  auto a = test::sample_alert();
  REQUIRE(d.on_alert(a));
  f.clock.advance(10s);
  auto u = a;
  u.update = true;
  u.count = 20;
  REQUIRE(d.on_alert(u));
  CHECK(f.store->pending_count().value() == 2);  // replaced, not added
  auto due = f.store->due(f.clock.now() + 20s, 10).value();
  REQUIRE(due.size() == 2);
  for (const auto& item : due) {
    CHECK(item.message_id == "<" + a.id + "@vigie.test>");  // still the first mail of the thread
    CHECK(test::header_of(item.message, "In-Reply-To").empty());
    const auto body = test::qp_decode(test::body_of(item.message));
    CHECK(body.find("Occurrences    : 20") != std::string::npos);  // the count at send time
  }
  // Once the mail is due the notifier may have taken it: a later update no longer rewrites it.
  f.clock.advance(20s);
  auto v = u;
  v.count = 30;
  REQUIRE(d.on_alert(v));
  for (const auto& item : f.store->due(f.clock.now(), 10).value())
    CHECK(test::qp_decode(test::body_of(item.message)).find("Occurrences    : 20") != std::string::npos);
}

TEST_CASE("an update mails again only after repeat_interval; otherwise it is just stored") {
  Fixture f;
  f.cfg->notify.routes[0].repeat_interval = 1h;
  notify::Dispatcher d(f.cfg, *f.store, f.metrics, f.clock);
  auto a = test::sample_alert();
  REQUIRE(d.on_alert(a));
  auto u = a;
  u.update = true;
  u.count = 20;
  f.clock.advance(10min);
  REQUIRE(d.on_alert(u));
  CHECK(f.store->pending_count().value() == 2);
  CHECK(f.store->find_alert(a.id).value()->count == 20);

  u.count = 30;
  f.clock.advance(1h);
  REQUIRE(d.on_alert(u));
  auto due = f.store->due(f.clock.now(), 10).value();
  REQUIRE(due.size() == 4);
  CHECK(due[2].message_id == "<" + a.id + ".30@vigie.test>");
  CHECK(test::header_of(due[2].message, "In-Reply-To") == "<" + a.id + "@vigie.test>");
}

TEST_CASE("notifier: marks sent only after the sink accepted; failures back off and stay pending") {
  Fixture f;
  f.cfg->notify.retry_initial = 5s;
  f.cfg->notify.retry_max = 60s;
  notify::Dispatcher d(f.cfg, *f.store, f.metrics, f.clock);
  REQUIRE(d.on_alert(test::sample_alert()));
  auto sink = std::make_unique<FakeSink>();
  auto* fake = sink.get();
  fake->fail = true;
  notify::Notifier n(f.cfg, store::Store::open(f.cfg->storage.path).value(), std::move(sink), f.metrics, f.clock);
  CHECK(n.deliver_due() == 0);
  CHECK(f.store->pending_count().value() == 2);
  CHECK(f.store->due(f.clock.now() + 4s, 10).value().empty());  // at least retry_initial later
  CHECK(f.metrics.value("vigie_deliveries_total", {{"receiver", "regional-list"}, {"status", "retry"}}) == 1);

  fake->fail = false;
  f.clock.advance(5s);
  CHECK(n.deliver_due() == 2);
  CHECK(fake->accepted.size() == 2);
  CHECK(f.store->pending_count().value() == 0);
  CHECK(f.metrics.value("vigie_deliveries_total", {{"receiver", "site-contacts"}, {"status", "sent"}}) == 1);
  CHECK(f.metrics.gauge("vigie_outbox_pending").load() == 0);

  for (int attempt = 1; attempt < 12; ++attempt) {
    const auto b = n.backoff(attempt);
    CHECK(b >= 5s);
    CHECK(b <= 60s);
  }
}

TEST_CASE("notifier gives up after kGiveUpAfter and marks the delivery failed") {
  Fixture f;
  notify::Dispatcher d(f.cfg, *f.store, f.metrics, f.clock);
  REQUIRE(d.on_alert(test::sample_alert()));
  auto sink = std::make_unique<FakeSink>();
  sink->fail = true;
  notify::Notifier n(f.cfg, store::Store::open(f.cfg->storage.path).value(), std::move(sink), f.metrics, f.clock);
  f.clock.advance(notify::kGiveUpAfter);
  CHECK(n.deliver_due() == 0);
  CHECK(f.store->pending_count().value() == 0);
  CHECK(f.metrics.value("vigie_deliveries_total", {{"receiver", "regional-list"}, {"status", "failed"}}) == 1);
}

TEST_CASE("notifier: a permanent refusal fails at once; refused recipients are counted, the rest sent") {
  Fixture f;
  notify::Dispatcher d(f.cfg, *f.store, f.metrics, f.clock);
  REQUIRE(d.on_alert(test::sample_alert()));
  auto sink = std::make_unique<FakeSink>();
  auto* fake = sink.get();
  fake->fail = true;
  fake->permanent = true;
  notify::Notifier n(f.cfg, store::Store::open(f.cfg->storage.path).value(), std::move(sink), f.metrics, f.clock);
  CHECK(n.deliver_due() == 0);
  CHECK(f.store->pending_count().value() == 0);  // no 72 h of retries
  CHECK(f.metrics.value("vigie_deliveries_total", {{"receiver", "regional-list"}, {"status", "failed"}}) == 1);

  auto again = test::sample_alert();
  again.id = "another-alert";
  REQUIRE(d.on_alert(again));
  fake->fail = false;
  fake->refuse = {"rssi@ch-quimper.example: 550 5.1.1 unknown"};
  CHECK(n.deliver_due() == 2);
  CHECK(f.store->pending_count().value() == 0);
  CHECK(f.metrics.value("vigie_delivery_recipients_refused_total", {{"receiver", "site-contacts"}}) == 1);

  // Refused for now: the same message again, for that address only, after a backoff.
  auto third = test::sample_alert();
  third.id = "third-alert";
  REQUIRE(d.on_alert(third));
  fake->refuse.clear();
  fake->later = {"rssi@ch-quimper.example"};
  CHECK(n.deliver_due() == 2);
  REQUIRE(f.store->pending_count().value() == 2);          // the fake defers that address on both targets
  CHECK(f.store->due(f.clock.now(), 10).value().empty());  // after a backoff, not at once
  f.clock.advance(notify::kGiveUpAfter / 2);
  const auto retried = f.store->due(f.clock.now(), 10).value();
  REQUIRE(retried.size() == 2);
  for (const auto& item : retried) {
    CHECK(item.recipients == std::vector<std::string>{"rssi@ch-quimper.example"});
    CHECK(item.message_id == "<third-alert@vigie.test>");
  }
}

TEST_CASE("end to end with a real SMTP server: refused, then restart, then delivered once") {
  Fixture f;
  const auto port = test::free_port();
  f.cfg->notify.smtp = config::Smtp{};
  f.cfg->notify.smtp->url = "smtp://127.0.0.1:" + std::to_string(port);
  f.cfg->notify.smtp->starttls = config::StartTls::never;
  f.cfg->notify.smtp->timeout = 5s;
  notify::Dispatcher d(f.cfg, *f.store, f.metrics, f.clock);
  const auto a = test::sample_alert();
  REQUIRE(d.on_alert(a));
  {
    // No server yet: the items stay pending with a later next_attempt.
    notify::Notifier n(f.cfg, store::Store::open(f.cfg->storage.path).value(), notify::make_sink(*f.cfg), f.metrics,
                       f.clock);
    CHECK(n.deliver_due() == 0);
    CHECK(f.store->pending_count().value() == 2);
    CHECK(f.store->due(f.clock.now(), 10).value().empty());
  }
  // "Restart": a fresh notifier and store connection, the server is up now.
  test::SmtpServer server(f.dir.path / "mbox", {}, {});
  REQUIRE(server.ready());
  REQUIRE(server.port() != port);
  f.cfg->notify.smtp->url = server.url();
  f.clock.advance(f.cfg->notify.retry_max);
  notify::Notifier n(f.cfg, store::Store::open(f.cfg->storage.path).value(), notify::make_sink(*f.cfg), f.metrics,
                     f.clock);
  CHECK(n.deliver_due() == 2);
  CHECK(n.deliver_due() == 0);
  const auto msgs = test::maildir_messages(f.dir.path / "mbox");
  REQUIRE(msgs.size() == 2);
  for (const auto& m : msgs) CHECK(test::header_of(m, "Message-ID") == "<" + a.id + "@vigie.test>");
}

TEST_CASE("make_sink: maildir under the storage directory when no SMTP is configured") {
  Fixture f;
  auto sink = notify::make_sink(*f.cfg);
  auto* maildir = dynamic_cast<notify::MaildirSink*>(sink.get());
  REQUIRE(maildir != nullptr);
  CHECK(maildir->dir() == f.dir.path / "maildir");
  f.cfg->notify.smtp = config::Smtp{};
  CHECK(dynamic_cast<notify::SmtpSink*>(notify::make_sink(*f.cfg).get()) != nullptr);
}
