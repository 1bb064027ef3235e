// `vigie serve`: the daemon's lifecycle (systemd Type=notify).
//
// Threads: the Asio thread (syslog listeners, signals), the pipeline's workers and
// correlator, the store thread (single writer: routes, renders and records each alert with
// its outbox rows in one transaction), the notifier thread (sends due deliveries), and this
// main thread, which handles control commands (reload, stop), thread failures (Supervisor:
// stop in order, exit 1) and the systemd watchdog (fed only while every thread's heartbeat is
// fresh or idle).
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <asio.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "app/feeds_service.hpp"
#include "app/observables_thread.hpp"
#include "app/pipeline.hpp"
#include "app/reload_status.hpp"
#include "app/spool_service.hpp"
#include "app/store_thread.hpp"
#include "app/supervisor.hpp"
#include "core/bounded_queue.hpp"
#include "core/clock.hpp"
#include "core/heartbeat.hpp"
#include "ingest/pcap/live.hpp"
#include "ingest/syslog/server.hpp"
#include "notify/dispatcher.hpp"
#include "notify/notifier.hpp"
#include "store/alert_json.hpp"
#include "store/db_lock.hpp"
#include "store/store.hpp"

namespace vigie::app {
namespace {

enum class Control { reload, stop, failed };

std::chrono::microseconds watchdog_interval() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) return std::chrono::microseconds(usec / 2);
  return std::chrono::seconds(5);
}

// A thread whose heartbeat is older than this is stuck: the watchdog is no longer fed. Above
// the longest legitimate wait of a busy thread (an SMTP transfer up to notify.smtp.timeout).
std::chrono::nanoseconds stuck_after(const config::Config& cfg) {
  const core::Duration smtp = cfg.notify.smtp ? cfg.notify.smtp->timeout : core::Duration::zero();
  return std::max<std::chrono::nanoseconds>(std::chrono::seconds(60), smtp * 2);
}

// WATCHDOG=1 only while no thread is stuck; each stuck thread is logged once (and again if it
// recovers and gets stuck anew).
// Pipeline workers count too: one busy on a single batch for longer than the pipeline's
// stuck_after (30 s) stops the watchdog like a stuck thread of the heartbeat registry.
void feed_watchdog(const core::Heartbeat& heartbeat, const Pipeline& pipeline, std::chrono::nanoseconds bound,
                   std::vector<std::string>& reported) {
  auto stuck = heartbeat.stuck(bound);
  for (auto& w : pipeline.stuck_workers(std::chrono::steady_clock::now())) stuck.push_back(std::move(w));
  for (const auto& name : stuck)
    if (std::find(reported.begin(), reported.end(), name) == reported.end())
      spdlog::error("thread {} has made no progress for more than {} s; the systemd watchdog is no longer fed", name,
                    std::chrono::duration_cast<std::chrono::seconds>(bound).count());
  for (const auto& name : reported)
    if (std::find(stuck.begin(), stuck.end(), name) == stuck.end())
      spdlog::info("thread {} makes progress again", name);
  reported = std::move(stuck);
  if (reported.empty()) sd_notify(0, "WATCHDOG=1");
}

// Beats the Asio thread's slot from inside its event loop: a handler that blocks the loop
// stops the beats.
void beat_from_io(asio::steady_timer& timer, core::Heartbeat::Slot& slot) {
  slot.beat();
  timer.expires_after(std::chrono::seconds(1));
  timer.async_wait([&](const asio::error_code& ec) {
    if (!ec) beat_from_io(timer, slot);
  });
}

// Every counter and gauge that is not zero, one log line each, in Prometheus text form: what
// an operator reads in the journal after a stop (what came in, what was dropped or malformed,
// and why), until /metrics is scraped instead.
void log_counters(const core::Metrics& metrics) {
  const std::string text = metrics.render();
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    const std::string_view line(text.data() + pos, nl - pos);
    pos = nl + 1;
    if (line.empty() || line.front() == '#') continue;
    const auto sp = line.rfind(' ');
    if (sp == std::string_view::npos || line.substr(sp + 1) == "0") continue;
    spdlog::info("counter {}", line);
  }
}

// DESIGN.md §5 dedup survives a restart: alerts updated within the rule set's longest
// suppress_for are taken back as open, so the same attack updates them instead of mailing anew.
// The feed named in the request file of `vigie feeds refresh NAME` (read and removed); "" for
// every feed.
std::string take_feeds_request(const std::filesystem::path& db) {
  const auto path = feeds_request_path(db);
  std::ifstream in(path);
  std::string name;
  if (in) std::getline(in, name);
  std::error_code ec;
  std::filesystem::remove(path, ec);
  return name;
}

void restore_open_alerts(Pipeline& pipeline, store::Store& store, const detect::RuleSet& rules, core::TimePoint now) {
  core::Duration longest{};
  for (uint32_t i = 0; i < rules.rule_count(); ++i) longest = std::max(longest, rules.compiled(i).suppress_for);
  if (longest <= core::Duration::zero()) return;
  auto recent = store.updated_since(now - longest);
  if (!recent) {
    spdlog::warn("open alerts of the last run not restored: {}", recent.error().to_string());
    return;
  }
  if (!recent->empty()) spdlog::info("{} alert(s) of the last run still open (suppress_for)", recent->size());
  pipeline.restore(std::move(*recent));
}

}  // namespace

int run_serve(const std::filesystem::path& config_path) {
  auto cfg = load_config_or_report(config_path);
  if (!cfg) return kExitFailed;
  auto rules = load_rules_or_report(*cfg, cfg->rules.paths, cfg->worker_threads());
  if (!rules) return kExitFailed;
  spdlog::info("rules: {}", detect::load_summary(*rules));
  // One daemon per database, before anything touches it (migrations, journal replay).
  auto lock = store::DbLock::acquire(cfg->storage.path);
  if (!lock) {
    spdlog::error("{}", lock.error().to_string());
    return kExitFailed;
  }
  auto store = store::Store::open(cfg->storage.path);
  if (!store) {
    spdlog::error("{}", store.error().to_string());
    return kExitFailed;
  }
  auto notifier_store = store::Store::open(cfg->storage.path);
  if (!notifier_store) {
    spdlog::error("{}", notifier_store.error().to_string());
    return kExitFailed;
  }
  auto feeds_store = store::Store::open(cfg->storage.path);  // the feeds thread's connection
  if (!feeds_store) {
    spdlog::error("{}", feeds_store.error().to_string());
    return kExitFailed;
  }
  auto observables_store = store::Store::open(cfg->storage.path);  // the observables writer's
  if (!observables_store) {
    spdlog::error("{}", observables_store.error().to_string());
    return kExitFailed;
  }

  core::Metrics metrics;
  // Rules in force and rules left out (valid Sigma this version cannot run), set at start and
  // at each reload: a rising vigie_rules_skipped after an update of the rules is worth a look.
  const auto count_rules = [&metrics](const detect::RuleSet& rs) {
    metrics.gauge("vigie_rules_loaded") = static_cast<int64_t>(rs.rule_count());
    metrics.gauge("vigie_rules_skipped") = static_cast<int64_t>(rs.skipped().size());
  };
  count_rules(*rules);
  core::SystemClock clock;
  core::BoundedQueue<core::Alert> alert_queue(4096);
  core::BoundedQueue<Control> control(16);
  core::Heartbeat heartbeat;
  Supervisor supervisor([&] {
    Control c = Control::failed;
    (void)control.try_push(c);  // full: the main loop checks supervisor.failed() each tick anyway
  });
  // An alert refused by a closed queue (the store thread failed) is counted and logged whole.
  auto lost = [&](const core::Alert& a) {
    metrics.counter("vigie_alerts_lost_total", {{"reason", "store_thread_failed"}})++;
    spdlog::critical("alert not stored: {}", store::alert_to_json_line(a));
  };

  notify::Dispatcher dispatcher(cfg, **store, metrics, clock);
  notify::Notifier notifier(cfg, std::move(*notifier_store), notify::make_sink(*cfg), metrics, clock);
  AlertProgress alert_progress;  // how far the store thread is: the spool waits on it
  auto queue_alert = [&](core::Alert&& a) {
    if (alert_queue.closed()) return lost(a);
    alert_progress.queued.fetch_add(1, std::memory_order_acq_rel);
    if (!alert_queue.push(std::move(a))) {  // closed meanwhile: `a` is gone with the refused push
      metrics.counter("vigie_alerts_lost_total", {{"reason", "store_thread_failed"}})++;
      spdlog::critical("an alert was not stored: the store thread has failed");
    }
  };
  ObservablesWriter observables(cfg->detection.ioc.retro_hunt, (*observables_store)->db(), metrics, clock);
  Pipeline::Options pipeline_options;
  pipeline_options.observables = [&](ObservableBatch&& rows) { observables.offer(std::move(rows)); };
  pipeline_options.software = [&](SoftwareBatch&& rows) { observables.offer(std::move(rows)); };
  Pipeline pipeline(cfg, rules, metrics, detect::EvictionClock::reception_time, queue_alert, pipeline_options);

  // Local feeds (and the bodies URL feeds fetched before) are read before the first event
  // arrives; fetching waits for the feeds thread, so a slow server never delays the start.
  FeedsService feeds(
      cfg, metrics, clock, [&](std::shared_ptr<const intel::IocIndex> index) { pipeline.swap_iocs(std::move(index)); },
      &(*feeds_store)->db(), queue_alert);
  feeds.pass(true, {}, false, false);

  asio::io_context io;
  ingest::syslog::SyslogServer server(io, cfg, pipeline.input(), metrics, clock);
  if (auto r = server.start(); !r) {
    spdlog::error("{}", r.error().to_string());
    return kExitFailed;
  }
  // Live captures: opened before READY (a missing interface or a refused permission stops the
  // start, naming the interface), each on its own thread once the pipeline runs.
  std::vector<std::unique_ptr<ingest::pcap::LiveCapture>> captures;
  for (const auto& in : cfg->inputs.pcap) {
    captures.push_back(std::make_unique<ingest::pcap::LiveCapture>(in, pipeline.input(), metrics));
    if (auto r = captures.back()->open(); !r) {
      spdlog::error("{}", r.error().to_string());
      return kExitFailed;
    }
  }
  // The spool: its directory checked (created when missing) before READY as well.
  std::unique_ptr<SpoolService> spool;
  if (!cfg->inputs.spool.dir.empty()) {
    spool = std::make_unique<SpoolService>(cfg, pipeline, alert_progress, metrics);
    if (auto r = spool->open(); !r) {
      spdlog::error("{}", r.error().to_string());
      return kExitFailed;
    }
  }
  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  signals.add(SIGUSR1);
  std::function<void(const asio::error_code&, int)> on_signal = [&](const asio::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGUSR1) {  // `vigie feeds refresh|import`: which feed is in the request file
      feeds.request(take_feeds_request(cfg->storage.path));
      signals.async_wait(on_signal);
      return;
    }
    control.push(sig == SIGHUP ? Control::reload : Control::stop);
    if (sig == SIGHUP) signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);

  restore_open_alerts(pipeline, **store, *rules, clock.now());  // before the store thread uses it
  pipeline.start();
  auto& store_beat = heartbeat.add("store");
  auto& notifier_beat = heartbeat.add("notifier");
  auto& io_beat = heartbeat.add("asio");
  asio::steady_timer io_beat_timer(io);
  beat_from_io(io_beat_timer, io_beat);
  std::thread store_thread(supervisor.guard(
      "store",
      [&] {
        return run_store_thread({cfg->storage.path, alert_queue, **store, dispatcher, notifier, metrics, store_beat,
                                 store::WriterOptions{}, &alert_progress.durable});
      },
      [&] {
        // Producers must never block on a consumer that is gone; what is still queued is logged.
        alert_queue.close();
        while (auto a = alert_queue.pop_for(std::chrono::milliseconds(0))) lost(*a);
        store_beat.idle();
      }));
  std::jthread notifier_thread(supervisor.guard(
      "notifier", [&](const std::stop_token& st) { notifier.run(st, &notifier_beat); }, [&] { notifier_beat.idle(); }));
  std::thread io_thread(supervisor.guard(
      "asio", [&] { io.run(); }, [&] { io_beat.idle(); }));
  std::jthread feeds_thread(supervisor.guard("feeds", [&](const std::stop_token& st) { feeds.run(st); }));
  std::thread observables_thread(supervisor.guard("observables", [&] { observables.run(); }));
  std::vector<std::thread> capture_threads;
  for (auto& c : captures) capture_threads.emplace_back(supervisor.guard(c->input(), [&c] { c->run(); }));
  std::thread spool_thread;
  if (spool) spool_thread = std::thread(supervisor.guard("spool", [&] { spool->run(); }));

  for (const auto& ep : server.local_endpoints()) spdlog::info("listening on {}", ep);
  for (const auto& c : captures) spdlog::info("capturing on {}", c->input());
  if (spool) spdlog::info("reading the spool {}", cfg->inputs.spool.dir.string());
  spdlog::info("vigie ready: {} decoder(s), {} rule(s), storage {}", rules->decoder_count(), rules->rule_count(),
               cfg->storage.path.string());
  sd_notify(0, "READY=1\nSTATUS=running");

  const auto tick = watchdog_interval();
  const auto bound = stuck_after(*cfg);
  std::vector<std::string> stuck_reported;
  uint64_t reloads = 0;  // attempts, for `vigie reload` (app/reload_status.hpp)
  for (;;) {
    auto cmd = control.pop_for(tick);
    if (supervisor.failed()) break;
    feed_watchdog(heartbeat, pipeline, bound, stuck_reported);
    if (!cmd) continue;
    if (*cmd == Control::stop || *cmd == Control::failed) break;
    sd_notify(0, "RELOADING=1");
    feeds.request();  // a reload reads every feed again too
    spdlog::info("reloading rules from the configured paths");
    ++reloads;
    const auto asked = std::chrono::steady_clock::now();
    if (auto fresh = load_rules_or_report(*cfg, cfg->rules.paths, cfg->worker_threads())) {
      pipeline.reload(fresh);
      // From the signal to the new set in force (compiled, handed to every worker).
      const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count();
      const std::string changes =
          fmt::format("{} in {:.2f} s", detect::reload_summary(detect::rule_changes(*rules, *fresh)), took);
      spdlog::info("{}; {} decoder(s), {} rule(s)", changes, fresh->decoder_count(), fresh->rule_count());
      write_reload_status(cfg->storage.path, {::getpid(), reloads, true, changes});
      rules = fresh;
      spdlog::info("rules: {}", detect::load_summary(*fresh));
      count_rules(*fresh);
    } else {
      metrics.counter("vigie_reload_failures_total")++;
      spdlog::error("reload failed; the previous rule set stays active");
      write_reload_status(cfg->storage.path, {::getpid(), reloads, false,
                                              "the rules did not compile (errors in the daemon's log); the previous "
                                              "rule set stays active"});
    }
    sd_notify(0, "READY=1");
  }

  if (supervisor.failed())
    spdlog::critical("stopping after a thread failure ({}); exit status 1", supervisor.failure());
  spdlog::info("stopping: draining queued events and alerts");
  sd_notify(0, "STOPPING=1");
  // Listeners stop accepting and hand what the kernel already holds to the pipeline, which
  // keeps running meanwhile; io.run() returns once they are done (bounded by their deadline,
  // ServerOptions::stop_deadline). Only then is the pipeline finished.
  asio::post(io, [&] {
    server.stop();
    signals.cancel();
  });
  asio::post(io, [&] { io_beat_timer.cancel(); });
  io_thread.join();
  // Captures hand over what they hold, marked end_of_capture: the workers end their flows.
  for (auto& c : captures) c->stop();
  for (auto& t : capture_threads) t.join();
  if (spool) {  // it pushes into the pipeline: stopped before the pipeline is
    spool->stop();
    spool_thread.join();
  }
  feeds_thread.request_stop();  // it publishes into the pipeline: stopped before the pipeline is
  feeds_thread.join();
  pipeline.finish();  // the workers hand over what they aggregated
  observables.close();
  observables_thread.join();
  alert_queue.close();
  store_thread.join();
  if (spool) spool->finish(!supervisor.failed() && alert_progress.durable.load() >= alert_progress.queued.load());
  notifier_thread.request_stop();
  notifier.wake();
  notifier_thread.join();
  log_counters(metrics);
  if (supervisor.failed()) {
    spdlog::error("stopped after a thread failure: {}", supervisor.failure());
    return kExitFailed;
  }
  spdlog::info("stopped");
  return kExitOk;
}

}  // namespace vigie::app
