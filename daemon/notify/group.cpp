#include "notify/group.hpp"

#include <spdlog/spdlog.h>

#include "notify/dispatcher.hpp"
#include "notify/mime.hpp"
#include "notify/render.hpp"

namespace vigie::notify {
namespace {
constexpr std::size_t kBatch = 100;  // groups per store query; a pass loops until none is due
constexpr core::Duration kRetryFailedGroup = std::chrono::minutes(1);
}  // namespace

core::KeyValues group_values(const std::vector<std::string>& group_by, const core::Alert& a) {
  core::KeyValues out;
  out.reserve(group_by.size());
  for (const auto& f : group_by) {
    std::string v;
    if (f == "rule.id") {
      v = a.rule.id;
    } else if (f == "rule.title") {
      v = a.rule.title;
    } else if (f == "level") {
      v = std::string(core::level_name(a.rule.level));
    } else if (f == "tlp") {
      v = a.rule.tlp.empty() ? "AMBER" : a.rule.tlp;
    } else if (f == "observer.site" || f == "site") {
      v = a.site;
    } else {
      const std::string_view name = std::string_view(f).starts_with("key.") ? std::string_view(f).substr(4) : f;
      for (const auto& [k, value] : a.key)
        if (k == name) v = value;
    }
    out.emplace_back(f, std::move(v));
  }
  return out;
}

GroupDecision decide_group(const store::GroupState& g, core::TimePoint now, core::Duration open_for) {
  using Kind = store::GroupOutcome::Kind;
  if (g.alert_count == 0) return {Kind::close, false, now};
  if (g.changed_count > 0) {
    // At most one mail per group_interval, whatever brought the group forward.
    if (g.last_sent && now < *g.last_sent + g.group_interval)
      return {Kind::wait, false, *g.last_sent + g.group_interval};
    return {Kind::mail, false, now + g.repeat_interval};
  }
  const core::TimePoint repeat_at = g.last_sent ? *g.last_sent + g.repeat_interval : now;
  if (now < repeat_at) return {Kind::wait, false, repeat_at};
  // Unchanged for repeat_interval: a reminder while an alert of the group is still open (a
  // repeat of it would still update it), else the group is over; a later alert with the same
  // values starts a new group and a new mail thread.
  if (g.last_update + open_for > now) return {Kind::mail, true, now + g.repeat_interval};
  return {Kind::close, false, now};
}

std::string group_message_id(const store::GroupState& g, int64_t n, const std::string& hostname) {
  std::string who = "group|" + g.receiver;
  for (const auto& r : g.recipients) who += "|" + r;
  const std::string hex = core::make_alert_id(who, g.key, g.created);
  const std::string host = msgid_atom(hostname);
  if (n <= 0) return "<group-" + hex + "@" + host + ">";
  return "<group-" + hex + "." + std::to_string(n) + "@" + host + ">";
}

GroupFlusher::GroupFlusher(std::shared_ptr<const config::Config> cfg, Templates templates, core::Metrics& m)
    : cfg_(std::move(cfg)),
      templates_(std::move(templates)),
      metrics_(m),
      hostname_(mail_hostname(*cfg_)),
      from_(mail_from(*cfg_)) {}

core::Result<store::GroupOutcome> GroupFlusher::outcome(const store::GroupState& g, core::TimePoint now) {
  const GroupDecision dec = decide_group(g, now, cfg_->detection.suppress_for);
  store::GroupOutcome out;
  out.kind = dec.kind;
  out.next = dec.next;
  if (dec.kind != store::GroupOutcome::Kind::mail) return out;

  // The group's site, when all its listed alerts share one: its name and time zone.
  const config::Site* site = nullptr;
  const core::TimeZone* zone = nullptr;
  bool one_site = true;
  for (const auto& m : g.members) one_site = one_site && m.alert.site == g.members.front().alert.site;
  if (one_site && !g.members.empty()) site = cfg_->site(g.members.front().alert.site);
  if (site) {
    if (auto z = zones_.get(site->timezone)) zone = *z;
  }
  MailParams p{from_, hostname_, g.recipients, site, zone, g.mails > 0, now};
  p.message_id = group_message_id(g, g.mails, hostname_);
  p.thread_root = group_message_id(g, 0, hostname_);

  core::Result<RenderedMail> mail = core::fail("group mail", "not rendered");
  if (g.alert_count == 1 && g.members.size() == 1) {
    // A group of one alert reads like today's single-alert mail, in the group's thread.
    mail = render_mail(templates_, g.members.front().alert, p);
  } else {
    GroupMail gm;
    gm.key = g.key;
    gm.alert_count = g.alert_count;
    gm.kind = dec.reminder ? GroupMailKind::reminder : g.mails > 0 ? GroupMailKind::update : GroupMailKind::first;
    for (const auto& m : g.members)
      // New / updated only mean something after a first mail: in the first one every alert is new.
      gm.members.push_back({&m.alert, g.mails > 0 && m.notified_count == 0,
                            g.mails > 0 && m.notified_count > 0 && m.alert.count > m.notified_count});
    mail = render_group_mail(templates_, gm, p);
  }
  if (!mail) return tl::unexpected(mail.error());
  if (g.alert_count > g.members.size())
    metrics_.counter("vigie_notify_group_unlisted_total", {{"receiver", g.receiver}}) +=
        static_cast<uint64_t>(g.alert_count - g.members.size());
  const char* kind = dec.reminder ? "reminder" : g.mails > 0 ? "update" : "first";
  metrics_.counter("vigie_notify_group_mails_total", {{"receiver", g.receiver}, {"kind", kind}})++;
  metrics_.counter("vigie_deliveries_queued_total", {{"receiver", g.receiver}})++;
  spdlog::info("group {} of {} ({} alert(s)): {} mail queued, Message-ID {}", g.id, g.receiver, g.alert_count, kind,
               mail->message_id);
  out.alert_id = g.members.front().alert.id;
  out.message_id = std::move(mail->message_id);
  out.message = std::move(mail->bytes);
  return out;
}

std::size_t GroupFlusher::flush_due(store::Db& db, core::TimePoint now) {
  store::Groups groups(db);
  std::size_t queued = 0;
  for (int round = 0; round < 1000; ++round) {
    auto due = groups.due(now, kBatch);
    if (!due) {
      spdlog::error("notification groups: {}", due.error().to_string());
      metrics_.counter("vigie_notify_group_errors_total")++;
      return queued;
    }
    for (const int64_t id : *due) {
      bool mailed = false;
      auto r = groups.flush(id, now, kGroupListLimit, [&](const store::GroupState& g) {
        auto o = outcome(g, now);
        mailed = o && o->kind == store::GroupOutcome::Kind::mail;
        return o;
      });
      if (!r) {
        // Tried again a minute later (the mail is not lost: the group and its alerts stay),
        // so one broken group neither holds up the others nor fills the log every second.
        spdlog::error("notification group {}: {}; trying again in 1 min", id, r.error().to_string());
        metrics_.counter("vigie_notify_group_errors_total")++;
        if (auto p = groups.postpone(id, now + kRetryFailedGroup); !p) {
          spdlog::error("notification group {}: {}", id, p.error().to_string());
          return queued;
        }
        continue;
      }
      queued += mailed ? 1 : 0;
    }
    if (due->size() < kBatch) break;
  }
  if (auto n = groups.open_count())
    metrics_.gauge("vigie_notify_groups_open").store(static_cast<int64_t>(*n), std::memory_order_relaxed);
  return queued;
}

}  // namespace vigie::notify
