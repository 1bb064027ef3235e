// Route group_by: group keys, the group_wait / group_interval / repeat_interval timing on an
// injected clock, and what a group mail holds.
#include <doctest/doctest.h>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "helpers.hpp"
#include "notify/dispatcher.hpp"
#include "notify/group.hpp"
#include "notify/notifier.hpp"
#include "store/sqlite.hpp"
#include "store/store.hpp"

using namespace vigie;
using namespace std::chrono_literals;

namespace {

class RecordingSink final : public notify::Sink {
 public:
  std::vector<store::OutboxItem> accepted;
  notify::SendResult send(const store::OutboxItem& item, const std::stop_token& /*stop*/) override {
    accepted.push_back(item);
    return notify::Delivered{};
  }
  // Mails sent to `to` (the To header), in order.
  std::vector<std::string> to(const std::string& addr) const {
    std::vector<std::string> out;
    for (const auto& i : accepted)
      if (test::header_of(i.message, "To") == addr) out.push_back(i.message);
    return out;
  }
};

core::Alert alert_from(const std::string& ip, uint64_t count = 10) {
  auto a = test::sample_alert();
  a.key = {{"observer.site", "ch-quimper"}, {"source.ip", ip}};
  a.count = count;
  a.id = core::make_alert_id(a.rule.id, a.key, a.first_seen);
  return a;
}

std::string body(const std::string& msg) { return test::qp_decode(test::body_of(msg)); }
std::string subject(const std::string& msg) { return test::decode_2047(test::header_of(msg, "Subject")); }

struct Fixture {
  test::TempDir dir;
  std::shared_ptr<config::Config> cfg = test::sample_config(dir.path);
  core::Metrics metrics;
  core::ManualClock clock{test::at(1'700'000'100)};
  std::unique_ptr<store::Store> store = store::Store::open(cfg->storage.path).value();
  RecordingSink* sink = nullptr;
  std::unique_ptr<notify::Notifier> notifier;

  explicit Fixture(core::Duration repeat = 4h) {
    auto& r = cfg->notify.routes[0];
    r.group_by = {"rule.id"};
    r.group_wait = 30s;
    r.group_interval = 5min;
    r.repeat_interval = repeat;
  }
  notify::Dispatcher& dispatcher() {
    if (!d_) d_ = std::make_unique<notify::Dispatcher>(cfg, *store, metrics, clock);
    return *d_;
  }
  // Like a restart: a fresh notifier on its own connection.
  notify::Notifier& fresh_notifier() {
    auto s = std::make_unique<RecordingSink>();
    sink = s.get();
    notifier = std::make_unique<notify::Notifier>(cfg, store::Store::open(cfg->storage.path).value(), std::move(s),
                                                  metrics, clock);
    return *notifier;
  }

 private:
  std::unique_ptr<notify::Dispatcher> d_;
};

}  // namespace

TEST_CASE("group_values: alert fields, key fields, and absent ones") {
  const auto a = test::sample_alert();
  const auto v = notify::group_values(
      {"rule.id", "observer.site", "level", "tlp", "source.ip", "key.observer.site", "user.name", "rule.title"}, a);
  REQUIRE(v.size() == 8);
  CHECK(v[0] == std::pair<std::string, std::string>{"rule.id", "ssh-bruteforce"});
  CHECK(v[1].second == "ch-quimper");
  CHECK(v[2].second == "high");
  CHECK(v[3].second == "AMBER");
  CHECK(v[4].second == "183.62.140.253");
  CHECK(v[5].second == "ch-quimper");
  CHECK(v[6].second.empty());  // not in this alert's key: groups with the others without it
  CHECK(v[7].second == "SSH brute force");
  // Two sources of one rule: same values for [rule.id], different for [source.ip].
  CHECK(notify::group_values({"rule.id"}, alert_from("10.0.0.1")) ==
        notify::group_values({"rule.id"}, alert_from("10.0.0.2")));
  CHECK(notify::group_values({"source.ip"}, alert_from("10.0.0.1")) !=
        notify::group_values({"source.ip"}, alert_from("10.0.0.2")));
}

TEST_CASE("decide_group: group_interval between mails, repeat_interval while open, then closed") {
  using Kind = store::GroupOutcome::Kind;
  store::GroupState g;
  g.group_interval = 5min;
  g.repeat_interval = 1h;
  g.alert_count = 3;
  g.changed_count = 3;
  const auto t0 = test::at(1'000'000);
  auto d = notify::decide_group(g, t0, 2h);  // first mail
  CHECK(d.kind == Kind::mail);
  CHECK_FALSE(d.reminder);
  CHECK(d.next == t0 + 1h);

  g.last_sent = t0;
  g.last_update = t0 + 1min;
  d = notify::decide_group(g, t0 + 1min, 2h);  // changed, but the last mail is too recent
  CHECK(d.kind == Kind::wait);
  CHECK(d.next == t0 + 5min);
  d = notify::decide_group(g, t0 + 5min, 2h);
  CHECK(d.kind == Kind::mail);

  g.changed_count = 0;
  d = notify::decide_group(g, t0 + 10min, 2h);  // unchanged: nothing before repeat_interval
  CHECK(d.kind == Kind::wait);
  CHECK(d.next == t0 + 1h);
  d = notify::decide_group(g, t0 + 1h, 2h);  // unchanged for repeat_interval, alerts still open
  CHECK(d.kind == Kind::mail);
  CHECK(d.reminder);
  d = notify::decide_group(g, t0 + 1h, 30min);  // nothing open any more: the group is over
  CHECK(d.kind == Kind::close);
  g.alert_count = 0;
  CHECK(notify::decide_group(g, t0, 2h).kind == Kind::close);
}

TEST_CASE("50 alerts of one rule routed with group_by [rule.id]: one mail per receiver listing all 50") {
  Fixture f;
  std::vector<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    const auto a = alert_from("203.0.113." + std::to_string(i + 1));
    ids.push_back(a.id);
    REQUIRE(f.dispatcher().on_alert(a));
    f.clock.advance(100ms);
  }
  CHECK(f.store->list_alerts(100).value().size() == 50);  // the store holds every alert
  CHECK(f.store->pending_count().value() == 0);           // no mail per alert

  auto& n = f.fresh_notifier();  // the groups survive a restart: they are rows, not memory
  f.clock.set(test::at(1'700'000'100) + 29s);
  CHECK(n.deliver_due() == 0);  // group_wait counts from the group's first alert
  f.clock.set(test::at(1'700'000'100) + 30s);
  CHECK(n.deliver_due() == 2);
  CHECK(n.deliver_due() == 0);
  const auto regional = f.sink->to("alertes-ssi@listes.example");
  REQUIRE(regional.size() == 1);
  const std::string first = regional[0];
  const std::string text = body(first);
  for (const auto& id : ids) CHECK(text.find(id) != std::string::npos);
  CHECK(text.find("203.0.113.50") != std::string::npos);
  CHECK(text.find("[nouvelle]") == std::string::npos);  // every alert is new in a first mail
  CHECK(text.find("[mise à jour]") == std::string::npos);
  CHECK(subject(first) == "[VIGIE][TLP:AMBER][HIGH] ch-quimper — 50 alertes « SSH brute force »");
  const std::string root = test::header_of(first, "Message-ID");
  CHECK(root.rfind("<group-", 0) == 0);
  CHECK(test::header_of(first, "In-Reply-To").empty());
  REQUIRE(f.sink->to("rssi@ch-quimper.example").size() == 1);
  CHECK(f.metrics.value("vigie_notify_group_mails_total", {{"receiver", "regional-list"}, {"kind", "first"}}) == 1);

  // One alert grows, another source appears: one update mail, not before group_interval.
  auto grown = alert_from("203.0.113.7", 25);
  grown.update = true;
  f.clock.advance(1min);
  REQUIRE(f.dispatcher().on_alert(grown));
  const auto late = alert_from("198.51.100.9");
  REQUIRE(f.dispatcher().on_alert(late));
  CHECK(n.deliver_due() == 0);
  f.clock.set(test::at(1'700'000'100) + 30s + 5min - 1s);
  CHECK(n.deliver_due() == 0);
  f.clock.set(test::at(1'700'000'100) + 30s + 5min);
  CHECK(n.deliver_due() == 2);
  const auto again = f.sink->to("alertes-ssi@listes.example");
  REQUIRE(again.size() == 2);
  CHECK(test::header_of(again[1], "In-Reply-To") == root);
  CHECK(test::header_of(again[1], "References") == root);
  CHECK(test::header_of(again[1], "Message-ID") != root);
  CHECK(subject(again[1]).find("51 alertes") != std::string::npos);
  CHECK(subject(again[1]).find("(mise à jour)") != std::string::npos);
  const std::string update = body(again[1]);
  CHECK(update.find(late.id + " [nouvelle]") != std::string::npos);
  CHECK(update.find(grown.id + " [mise à jour]") != std::string::npos);
  CHECK(update.find("25 événement(s)") != std::string::npos);

  // Nothing changes any more: no mail at the next group_interval; with the default
  // suppress_for (1 h) shorter than repeat_interval (4 h) the group then closes, unmailed.
  f.clock.advance(10min);
  CHECK(n.deliver_due() == 0);
  f.clock.advance(4h);
  CHECK(n.deliver_due() == 0);
  CHECK(f.store->list_alerts(100).value().size() == 51);
  // A later alert of the same rule starts a new group: a new thread after group_wait.
  REQUIRE(f.dispatcher().on_alert(alert_from("192.0.2.1")));
  f.clock.advance(30s);
  CHECK(n.deliver_due() == 2);
  const auto third = f.sink->to("alertes-ssi@listes.example");
  REQUIRE(third.size() == 3);
  CHECK(test::header_of(third[2], "In-Reply-To").empty());
  CHECK(test::header_of(third[2], "Message-ID") != root);
}

TEST_CASE("an unchanged group with open alerts is mailed again after repeat_interval") {
  Fixture f(1h);
  f.cfg->detection.suppress_for = 3h;  // alerts stay open longer than repeat_interval
  REQUIRE(f.dispatcher().on_alert(alert_from("203.0.113.1")));
  REQUIRE(f.dispatcher().on_alert(alert_from("203.0.113.2")));
  auto& n = f.fresh_notifier();
  f.clock.advance(30s);
  CHECK(n.deliver_due() == 2);
  f.clock.advance(59min);
  CHECK(n.deliver_due() == 0);
  f.clock.advance(1min);
  CHECK(n.deliver_due() == 2);
  const auto mails = f.sink->to("alertes-ssi@listes.example");
  REQUIRE(mails.size() == 2);
  CHECK(subject(mails[1]).find("(rappel)") != std::string::npos);
  CHECK(body(mails[1]).find("RAPPEL") != std::string::npos);
  CHECK(test::header_of(mails[1], "In-Reply-To") == test::header_of(mails[0], "Message-ID"));
  CHECK(f.metrics.value("vigie_notify_group_mails_total", {{"receiver", "regional-list"}, {"kind", "reminder"}}) == 1);
  f.clock.advance(1h);
  CHECK(n.deliver_due() == 2);  // still open (suppress_for 3 h): another reminder
  f.clock.advance(3h);
  CHECK(n.deliver_due() == 0);  // no update for more than suppress_for: closed
}

TEST_CASE("a group of one alert keeps the single-alert mail, in the group's thread") {
  Fixture f;
  f.cfg->notify.language = "en";
  const auto a = alert_from("203.0.113.1");
  REQUIRE(f.dispatcher().on_alert(a));
  auto& n = f.fresh_notifier();
  f.clock.advance(30s);
  CHECK(n.deliver_due() == 2);
  const auto mails = f.sink->to("alertes-ssi@listes.example");
  REQUIRE(mails.size() == 1);
  CHECK(subject(mails[0]) == "[VIGIE][TLP:AMBER][HIGH] ch-quimper — SSH brute force from 203.0.113.1");
  CHECK(body(mails[0]).find("Failed password for root") != std::string::npos);  // evidence, as for one alert
  CHECK(test::header_of(mails[0], "Message-ID").rfind("<group-", 0) == 0);
}

TEST_CASE("to_site_contacts: a site's contacts only ever get their own site's alerts") {
  Fixture f;
  f.cfg->sites.push_back({"ch-brest", "CHU de Brest", {}, "Europe/Paris", {"rssi@chu-brest.example"}, ""});
  auto a = alert_from("203.0.113.1");
  auto b = alert_from("203.0.113.2");
  b.site = "ch-brest";
  b.key = {{"observer.site", "ch-brest"}, {"source.ip", "203.0.113.2"}};
  b.id = core::make_alert_id(b.rule.id, b.key, b.first_seen);
  REQUIRE(f.dispatcher().on_alert(a));
  REQUIRE(f.dispatcher().on_alert(b));
  auto& n = f.fresh_notifier();
  f.clock.advance(30s);
  CHECK(n.deliver_due() == 3);  // the list once (both sites), each site's contacts once
  const auto regional = f.sink->to("alertes-ssi@listes.example");
  REQUIRE(regional.size() == 1);
  CHECK(subject(regional[0]).find("2 sites — 2 alertes") != std::string::npos);
  const auto quimper = f.sink->to("rssi@ch-quimper.example");
  const auto brest = f.sink->to("rssi@chu-brest.example");
  REQUIRE(quimper.size() == 1);
  REQUIRE(brest.size() == 1);
  CHECK(body(quimper[0]).find("203.0.113.2") == std::string::npos);
  CHECK(body(brest[0]).find("203.0.113.1") == std::string::npos);
}

TEST_CASE("routes without group_by keep one mail thread per alert") {
  Fixture f;
  f.cfg->notify.routes[0].group_by.clear();
  REQUIRE(f.dispatcher().on_alert(alert_from("203.0.113.1")));
  REQUIRE(f.dispatcher().on_alert(alert_from("203.0.113.2")));
  CHECK(f.store->pending_count().value() == 4);  // queued at once, as before
  auto& n = f.fresh_notifier();
  f.clock.advance(30s);
  CHECK(n.deliver_due() == 4);
}

TEST_CASE("a group that cannot be rendered is retried later and does not hold up the others") {
  Fixture f;
  f.cfg->notify.routes[0].group_by = {"source.ip"};  // one group per source
  const auto broken = alert_from("203.0.113.1");
  REQUIRE(f.dispatcher().on_alert(broken));
  f.clock.advance(1s);
  REQUIRE(f.dispatcher().on_alert(alert_from("203.0.113.2")));
  REQUIRE(f.store->db().exec("UPDATE alerts SET key = 'not json' WHERE id = '" + broken.id + "'"));
  auto& n = f.fresh_notifier();
  f.clock.advance(30s);
  CHECK(n.deliver_due() == 2);  // the good group, for both receivers
  CHECK(f.metrics.value("vigie_notify_group_errors_total") == 2);
  CHECK(n.deliver_due() == 0);  // not again at once
  CHECK(f.metrics.value("vigie_notify_group_errors_total") == 2);
  REQUIRE(f.store->db().exec("UPDATE alerts SET key = '[]' WHERE id = '" + broken.id + "'"));
  f.clock.advance(1min);
  CHECK(n.deliver_due() == 2);  // repaired: its mail goes, nothing was lost
}
