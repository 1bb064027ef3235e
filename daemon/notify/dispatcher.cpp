#include "notify/dispatcher.hpp"

#include <unistd.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "notify/group.hpp"
#include "notify/render.hpp"
#include "notify/route.hpp"

namespace vigie::notify {

std::string mail_hostname(const config::Config& cfg) {
  if (!cfg.notify.hostname.empty()) return cfg.notify.hostname;
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) == 0 && buf[0] != '\0') return buf;
  return "localhost";
}

std::string mail_from(const config::Config& cfg) {
  if (cfg.notify.smtp && !cfg.notify.smtp->from.empty()) return cfg.notify.smtp->from;
  return "Vigie <vigie@" + mail_hostname(cfg) + ">";
}

Templates mail_templates(const config::Config& cfg) {
  auto t = load_templates(cfg.notify.language, cfg.notify.templates_dir);
  if (!t) {
    spdlog::error("mail templates: {}; using the built-in French templates", t.error().to_string());
    t = load_templates("fr", {});
  }
  return std::move(*t);
}

Dispatcher::Dispatcher(std::shared_ptr<const config::Config> cfg, store::Store& store, core::Metrics& m,
                       const core::Clock& clock)
    : cfg_(std::move(cfg)), store_(store), metrics_(m), clock_(clock) {
  templates_ = mail_templates(*cfg_);
  hostname_ = mail_hostname(*cfg_);
  from_ = mail_from(*cfg_);
}

std::vector<Target> Dispatcher::targets(const core::Alert& a) {
  std::vector<std::string> skipped;
  auto targets = route(*cfg_, a, skipped);
  for (const auto& name : skipped) {
    metrics_.counter("vigie_notify_skipped_total", {{"receiver", name}, {"reason", "no_recipients"}})++;
    spdlog::debug("alert {}: receiver {} has no recipients, skipped", a.id, name);
  }
  return targets;
}

core::Result<void> Dispatcher::on_advisory(const core::Alert& a, core::TimePoint now) {
  auto known = store_.find_alert(a.id);
  if (!known) return tl::unexpected(known.error());
  if (known->has_value()) {
    spdlog::info("advisory {} ({}): already relayed as alert {}, not sent again", a.advisory->reference,
                 a.advisory->change, a.id);
    return {};
  }
  const std::string thread = a.advisory->thread.empty() ? a.id : a.advisory->thread;
  std::vector<store::NewDelivery> deliveries;
  for (const auto& t : targets(a)) {
    MailParams p{from_, hostname_, t.recipients, nullptr, nullptr, a.advisory->seq > 0, now};
    p.language = templates_.language;
    p.message_id = advisory_message_id(thread, a.advisory->seq, hostname_);
    p.thread_root = advisory_message_id(thread, 0, hostname_);
    auto mail = render_mail(templates_, a, p);
    if (!mail) return tl::unexpected(mail.error());
    deliveries.push_back({t.receiver, t.recipients, mail->message_id, std::move(mail->bytes), now, false});
  }
  return record(a, deliveries, now);
}

core::Result<void> Dispatcher::on_alert(const core::Alert& a) {
  const core::TimePoint now = clock_.now();
  if (a.advisory) return on_advisory(a, now);
  const auto targets = this->targets(a);

  auto last = store_.last_notified(a.id);
  if (!last) return tl::unexpected(last.error());
  // "Update" is about the mail thread, not a.update: an alert never mailed before (no route,
  // or the first occurrence had no recipients) starts its thread with its first mail.
  const bool update = last->has_value();

  const config::Site* site = cfg_->site(a.site);
  const core::TimeZone* zone = nullptr;
  if (site) {
    if (auto z = zones_.get(site->timezone)) zone = *z;
  }

  // group_wait exists to collect before sending: a first mail still waiting is rendered again
  // with the alert as it is now (same Message-ID), so it goes out with the latest count.
  std::vector<std::string> waiting;
  if (update) {
    auto w = store_.waiting_receivers(a.id, now);
    if (!w) return tl::unexpected(w.error());
    waiting = std::move(*w);
  }

  std::vector<store::NewDelivery> deliveries;
  for (const auto& t : targets) {
    if (!t.group_by.empty()) {
      // Grouped route: the alert joins its group in this transaction; the notifier renders
      // the group's mail when it is due (notify/group.hpp).
      store::NewDelivery join{t.receiver, t.recipients, {}, {}, now};
      join.group = store::GroupJoin{store::key_json(group_values(t.group_by, a)), t.group_wait, t.group_interval,
                                    t.repeat_interval};
      deliveries.push_back(std::move(join));
      continue;
    }
    const bool still_waiting = std::find(waiting.begin(), waiting.end(), t.receiver) != waiting.end();
    core::TimePoint not_before = now;
    if (!update)
      not_before = now + t.group_wait;
    else if (!still_waiting && now - **last < t.repeat_interval)
      continue;
    MailParams p{from_, hostname_, t.recipients, site, zone, update && !still_waiting, now};
    auto mail = render_mail(templates_, a, p);
    if (!mail) return tl::unexpected(mail.error());
    deliveries.push_back(
        {t.receiver, t.recipients, mail->message_id, std::move(mail->bytes), not_before, still_waiting});
  }

  return record(a, deliveries, now);
}

core::Result<void> Dispatcher::record(const core::Alert& a, const std::vector<store::NewDelivery>& deliveries,
                                      core::TimePoint now) {
  if (auto r = store_.record(a, deliveries, now); !r) return r;
  std::vector<std::string> queued;
  for (const auto& d : deliveries)
    if (!d.replaces_waiting && !d.group) queued.push_back(d.receiver);
  auto count = [this, queued = std::move(queued), level = std::string(core::level_name(a.rule.level))] {
    for (const auto& r : queued) metrics_.counter("vigie_deliveries_queued_total", {{"receiver", r}})++;
    metrics_.counter("vigie_alerts_stored_total", {{"level", level}})++;
  };
  if (store_.in_batch())
    staged_counts_.push_back(std::move(count));  // counted once the batch is committed
  else
    count();
  return {};
}

void Dispatcher::batch_committed() {
  for (const auto& count : staged_counts_) count();
  staged_counts_.clear();
}

void Dispatcher::batch_rolled_back() { staged_counts_.clear(); }

}  // namespace vigie::notify
