#include "intel/relay.hpp"

#include "intel/exposure.hpp"

#include "intel/formats.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace vigie::intel {
namespace {

// Case-insensitive for ASCII letters; other bytes compare as they are ("é" ≠ "É").
bool contains(std::string_view text, std::string_view needle) {
  return detail::lower(text).find(detail::lower(needle)) != std::string::npos;
}

core::TimePoint at(int64_t unix_seconds) {
  return unix_seconds == 0
             ? core::TimePoint{}
             : core::TimePoint{std::chrono::duration_cast<core::Duration>(std::chrono::seconds(unix_seconds))};
}

int64_t seconds(core::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// Of `now`, what is not in `before` (both sorted).
std::vector<std::string> added(const std::vector<std::string>& now, const std::vector<std::string>& before) {
  std::vector<std::string> out;
  std::set_difference(now.begin(), now.end(), before.begin(), before.end(), std::back_inserter(out));
  return out;
}

std::string affected_text(const AffectedSystem& s) {
  std::string name = s.vendor;
  if (!s.product.empty() && !contains(name, s.product)) name += (name.empty() ? "" : " ") + s.product;
  if (s.description.empty() || s.description == name) return name;
  if (name.empty() || contains(s.description, name)) return s.description;
  return name + " : " + s.description;
}

store::AdvisoryRow row_of(const Advisory& a, std::string thread) {
  store::AdvisoryRow r;
  r.feed = a.feed;
  r.reference = a.reference;
  r.title = a.title;
  r.published = a.published;
  r.revised = std::max(a.revised, a.published);
  r.closed = a.closed;
  r.exploited = a.exploited;
  r.cves = a.cves;
  r.thread = std::move(thread);
  return r;
}

}  // namespace

core::Level advisory_level(const Advisory& a) {
  if (a.exploited || (a.alert && a.reference.rfind("CERTFR-", 0) == 0)) return core::Level::critical;
  const bool rce = std::any_of(a.risks.begin(), a.risks.end(), [](const std::string& r) {
    return contains(r, "cution de code arbitraire à distance") || contains(r, "remote code execution");
  });
  if (rce || a.alert) return core::Level::high;
  return core::Level::medium;
}

bool passes_filters(const Advisory& a, const config::Advisories& opts) {
  if (advisory_level(a) < opts.min_level) return false;
  const auto any_in = [&](const std::vector<std::string>& words, bool text) {
    if (words.empty()) return true;
    return std::any_of(words.begin(), words.end(), [&](const std::string& w) {
      if (contains(a.title, w)) return true;
      if (text && (contains(a.summary, w) ||
                   std::any_of(a.cves.begin(), a.cves.end(), [&](const std::string& c) { return contains(c, w); })))
        return true;
      return std::any_of(a.affected.begin(), a.affected.end(), [&](const AffectedSystem& s) {
        return contains(s.vendor, w) || contains(s.product, w) || contains(s.description, w);
      });
    });
  };
  return any_in(opts.keywords, true) && any_in(opts.products, false);
}

core::Result<AdvisoryRelay::Thread*> AdvisoryRelay::thread_for(const Advisory& a, const store::AdvisoryRow* prev) {
  const std::string id = prev ? prev->thread : "";
  for (auto& th : threads_) {
    if (!id.empty() && th.t.id == id) return &th;
    if (id.empty() && std::any_of(a.cves.begin(), a.cves.end(), [&](const std::string& c) {
          return std::binary_search(th.cves.begin(), th.cves.end(), c);
        }))
      return &th;
  }
  auto found = id.empty() ? store_.thread_of_cves(a.cves) : store_.thread(id);
  if (!found) return tl::unexpected(found.error());
  if (!*found) return static_cast<Thread*>(nullptr);
  auto cves = store_.thread_cves((*found)->id);
  if (!cves) return tl::unexpected(cves.error());
  threads_.push_back({std::move(**found), std::move(*cves)});
  return &threads_.back();
}

core::Alert AdvisoryRelay::make_alert(const Advisory& a, const config::Feed& feed, Thread& th, std::string change,
                                      std::vector<std::string> new_cves) {
  core::Alert al;
  al.id = th.t.seq == 0 ? th.t.id
                        : core::make_alert_id(kAdvisoryRule, {{"thread", th.t.id}, {"seq", std::to_string(th.t.seq)}},
                                              core::TimePoint{});
  al.rule.id = kAdvisoryRule;
  al.rule.title = a.title;
  al.rule.level = change == "closed" ? core::Level::informational : advisory_level(a);
  al.rule.tags = {"advisory", feed.name};
  al.rule.tlp = feed.tlp;
  al.key = {{"advisory", a.reference}};
  al.count = th.t.seq + 1;
  al.first_seen = at(a.published);
  al.last_seen = at(std::max(a.revised, a.published));
  al.summary = a.summary;
  al.update = th.t.seq > 0;
  core::AdvisoryRef r;
  r.feed = a.feed;
  r.reference = a.reference;
  r.title = a.title;
  r.summary = a.summary;
  r.solution = a.solution;
  r.link = a.link;
  r.alert = a.alert;
  r.exploited = a.exploited;
  r.published = at(a.published);
  r.revised = at(a.revised);
  r.closed = at(a.closed);
  r.cves = a.cves;
  r.risks = a.risks;
  for (const auto& s : a.affected)
    if (auto t = affected_text(s); !t.empty() && std::find(r.affected.begin(), r.affected.end(), t) == r.affected.end())
      r.affected.push_back(std::move(t));
  for (const auto& v : a.vendor_advisories) r.fixes.push_back(v.title.empty() ? v.url : v.title + " — " + v.url);
  // Which sites run what it names: the inventory at the time of the mail.
  if (auto exposed = find_exposed(db_, a)) {
    r.exposed = exposure_lines(*exposed);
    r.exposure_known = exposed->ranges;
  } else {
    spdlog::warn("advisory {}: exposure not looked up: {}", a.reference, exposed.error().to_string());
  }
  r.change = std::move(change);
  r.new_cves = std::move(new_cves);
  r.thread = th.t.seq == 0 ? "" : th.t.id;
  r.seq = th.t.seq;
  al.advisory = std::move(r);
  // The thread now holds this advisory's CVEs.
  std::vector<std::string> merged;
  std::set_union(th.cves.begin(), th.cves.end(), a.cves.begin(), a.cves.end(), std::back_inserter(merged));
  th.cves = std::move(merged);
  th.touched = true;
  return al;
}

core::Result<std::vector<core::Alert>> AdvisoryRelay::relay(const std::vector<Advisory>& advisories,
                                                            const config::Feed& feed, const config::Advisories& opts,
                                                            core::TimePoint now) {
  std::vector<core::Alert> out;
  const int64_t oldest = seconds(now) - std::chrono::duration_cast<std::chrono::seconds>(opts.max_age).count();
  std::vector<std::string> done;  // references of this call: a feed listing one twice counts once
  for (const Advisory& a : advisories) {
    if (a.reference.empty() || std::find(done.begin(), done.end(), a.reference) != done.end()) continue;
    done.push_back(a.reference);
    ++counts_.seen;
    auto prev = store_.find(feed.name, a.reference);
    if (!prev) return tl::unexpected(prev.error());
    const store::AdvisoryRow* p = prev->has_value() ? &**prev : nullptr;
    const int64_t revised = std::max(a.revised, a.published);
    if (p && p->revised == revised && p->closed == a.closed && p->exploited == a.exploited && p->cves == a.cves &&
        p->title == a.title) {
      ++counts_.unchanged;
      continue;
    }
    counts_.fresh += p ? 0 : 1;
    store::AdvisoryRow row = row_of(a, p ? p->thread : "");
    std::optional<core::Alert> alert;
    if (feed.relay && p && !p->thread.empty()) {
      // An update of an advisory already relayed: mailed when it matters.
      std::string change;
      std::vector<std::string> fresh_cves = added(a.cves, p->cves);
      if (a.closed != 0 && p->closed == 0)
        change = "closed";
      else if (a.exploited && !p->exploited)
        change = "exploited";
      else if (!fresh_cves.empty())
        change = "cves";
      if (!change.empty()) {
        auto th = thread_for(a, p);
        if (!th) return tl::unexpected(th.error());
        if (*th != nullptr) {
          ++(*th)->t.seq;
          alert = make_alert(a, feed, **th, std::move(change), std::move(fresh_cves));
        }
      } else {
        ++counts_.unchanged;
      }
    } else if (feed.relay && revised < oldest) {
      ++counts_.too_old;
    } else if (feed.relay) {
      // Not relayed before: joins the thread of a CVE it shares, or opens one if the filters
      // let it through.
      auto th = thread_for(a, nullptr);
      if (!th) return tl::unexpected(th.error());
      if (*th != nullptr) {
        Thread& t = **th;
        std::vector<std::string> fresh_cves = added(a.cves, t.cves);
        const bool same_feed = t.t.opened_by.rfind(feed.name + ":", 0) == 0;
        ++t.t.seq;
        alert = make_alert(a, feed, t,
                           a.exploited ? "exploited"
                           : same_feed ? "revised"
                                       : "also",
                           std::move(fresh_cves));
      } else if (!passes_filters(a, opts)) {
        ++counts_.filtered;
      } else {
        Thread t;
        t.t.id = core::make_alert_id(kAdvisoryRule, {{"thread", feed.name + ":" + a.reference}}, core::TimePoint{});
        t.t.opened_by = feed.name + ":" + a.reference;
        threads_.push_back(std::move(t));
        alert = make_alert(a, feed, threads_.back(), "new", {});
      }
    }
    std::optional<store::AdvisoryThread> th_write;
    if (alert) {
      ++counts_.relayed;
      const std::string& tid = alert->advisory->thread.empty() ? alert->id : alert->advisory->thread;
      row.thread = tid;
      for (const auto& th : threads_)
        if (th.t.id == tid) th_write = th.t;
      out.push_back(std::move(*alert));
    }
    pending_.push_back({std::move(row), std::move(th_write)});
  }
  return out;
}

core::Result<void> AdvisoryRelay::commit(core::TimePoint now) {
  auto r = store_.save(pending_, now);
  pending_.clear();
  threads_.clear();
  counts_ = {};
  return r;
}

}  // namespace vigie::intel
