// `vigie serve`: the daemon's lifecycle (systemd Type=notify).
//
// Threads: the Asio thread (syslog listeners, signals), the pipeline's workers and
// correlator, the store thread (single writer: routes, renders and records each alert with
// its outbox rows in one transaction), the notifier thread (sends due deliveries), and this
// main thread, which handles control commands (reload, stop) and the systemd watchdog.
#include <systemd/sd-daemon.h>

#include <asio.hpp>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "app/pipeline.hpp"
#include "core/clock.hpp"
#include "ingest/syslog/server.hpp"
#include "notify/dispatcher.hpp"
#include "notify/notifier.hpp"
#include "store/store.hpp"

namespace vigie::app {
namespace {

enum class Control { reload, stop };

std::chrono::microseconds watchdog_interval() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) return std::chrono::microseconds(usec / 2);
  return std::chrono::seconds(5);
}

void store_loop(core::BoundedQueue<core::Alert>& alerts, notify::Dispatcher& dispatcher, notify::Notifier& notifier,
                core::Metrics& metrics) {
  auto& failures = metrics.counter("vigie_store_errors_total");
  while (auto a = alerts.pop()) {
    // A failed commit is retried a few times (the database may be busy or the disk briefly
    // full); an alert that still cannot be stored is logged in full so it is not lost silently.
    bool stored = false;
    for (int attempt = 0; attempt < 5 && !stored; ++attempt) {
      auto r = dispatcher.on_alert(*a);
      if (r) {
        stored = true;
        break;
      }
      failures++;
      spdlog::error("storing alert {} failed: {}", a->id, r.error().to_string());
      std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
    }
    if (!stored) spdlog::critical("alert not stored: {}", core::to_json(*a));
    notifier.wake();
  }
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
  auto rules = load_rules_or_report(*cfg, cfg->rules.paths);
  if (!rules) return kExitFailed;
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

  core::Metrics metrics;
  core::SystemClock clock;
  core::BoundedQueue<core::Alert> alert_queue(4096);
  core::BoundedQueue<Control> control(16);

  notify::Dispatcher dispatcher(cfg, **store, metrics, clock);
  notify::Notifier notifier(cfg, std::move(*notifier_store), notify::make_sink(*cfg), metrics, clock);
  Pipeline pipeline(cfg, rules, metrics, detect::EvictionClock::reception_time,
                    [&](core::Alert&& a) { alert_queue.push(std::move(a)); });

  asio::io_context io;
  ingest::syslog::SyslogServer server(io, cfg, pipeline.input(), metrics, clock);
  if (auto r = server.start(); !r) {
    spdlog::error("{}", r.error().to_string());
    return kExitFailed;
  }
  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  std::function<void(const asio::error_code&, int)> on_signal = [&](const asio::error_code& ec, int sig) {
    if (ec) return;
    control.push(sig == SIGHUP ? Control::reload : Control::stop);
    if (sig == SIGHUP) signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);

  restore_open_alerts(pipeline, **store, *rules, clock.now());  // before the store thread uses it
  pipeline.start();
  std::thread store_thread([&] { store_loop(alert_queue, dispatcher, notifier, metrics); });
  std::jthread notifier_thread([&](const std::stop_token& st) { notifier.run(st); });
  std::thread io_thread([&] { io.run(); });

  for (const auto& ep : server.local_endpoints()) spdlog::info("listening on {}", ep);
  spdlog::info("vigie ready: {} decoder(s), {} rule(s), storage {}", rules->decoder_count(), rules->rule_count(),
               cfg->storage.path.string());
  sd_notify(0, "READY=1\nSTATUS=running");

  const auto tick = watchdog_interval();
  for (;;) {
    auto cmd = control.pop_for(tick);
    sd_notify(0, "WATCHDOG=1");
    if (!cmd) continue;
    if (*cmd == Control::stop) break;
    sd_notify(0, "RELOADING=1");
    spdlog::info("reloading rules from the configured paths");
    if (auto fresh = load_rules_or_report(*cfg, cfg->rules.paths)) {
      pipeline.reload(fresh);
      spdlog::info("rules reloaded: {} decoder(s), {} rule(s)", fresh->decoder_count(), fresh->rule_count());
    } else {
      metrics.counter("vigie_reload_failures_total")++;
      spdlog::error("reload failed; the previous rule set stays active");
    }
    sd_notify(0, "READY=1");
  }

  spdlog::info("stopping: draining queued events and alerts");
  sd_notify(0, "STOPPING=1");
  // Listeners stop accepting and hand what the kernel already holds to the pipeline, which
  // keeps running meanwhile; io.run() returns once they are done (bounded by their deadline,
  // ServerOptions::stop_deadline). Only then is the pipeline finished.
  asio::post(io, [&] {
    server.stop();
    signals.cancel();
  });
  io_thread.join();
  pipeline.finish();
  alert_queue.close();
  store_thread.join();
  notifier_thread.request_stop();
  notifier.wake();
  notifier_thread.join();
  log_counters(metrics);
  spdlog::info("stopped");
  return kExitOk;
}

}  // namespace vigie::app
