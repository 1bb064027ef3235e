#include "app/feeds_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "intel/relay.hpp"
#include "intel/retro_alert.hpp"
#include "store/feed_state.hpp"

namespace vigie::app {
namespace {

// Spool files appear at any time: they are looked at at least this often.
constexpr auto kMaxSleep = std::chrono::seconds(60);

store::FeedState state_of(const intel::FeedStatus& s) {
  store::FeedState f;
  f.name = s.name;
  f.format = s.format;
  f.source = s.path.string();
  f.spool = s.spool;
  f.last_attempt = s.last_attempt;
  f.last_success = s.last_success;
  f.last_error = s.last_error;
  f.indicators = static_cast<int64_t>(s.indicators);
  f.records = static_cast<int64_t>(s.report.records);
  f.unsupported = static_cast<int64_t>(s.report.unsupported);
  f.invalid = static_cast<int64_t>(s.report.invalid);
  f.withdrawn = static_cast<int64_t>(s.report.withdrawn);
  return f;
}

}  // namespace

std::filesystem::path feeds_request_path(const std::filesystem::path& db) {
  return std::filesystem::path(db.string() + ".feeds-refresh");
}

FeedsService::FeedsService(std::shared_ptr<const config::Config> cfg, core::Metrics& metrics, const core::Clock& clock,
                           Publish publish, store::Db* db, Queue queue)
    : cfg_(std::move(cfg)),
      metrics_(metrics),
      clock_(clock),
      publish_(std::move(publish)),
      db_(db),
      queue_(std::move(queue)) {
  if (db_ == nullptr) return;
  // What the fetches before this start got: their next requests are conditional.
  if (auto rows = store::load_feed_states(*db_))
    for (auto& r : *rows)
      if (!r.etag.empty() || !r.last_modified.empty())
        set_.set_validators(r.name, {std::move(r.etag), std::move(r.last_modified)});
}

void FeedsService::pass(bool force, const std::string& only, bool always_publish, bool fetch) {
  const core::TimePoint now = clock_.now();
  const bool changed = set_.refresh(*cfg_, now, force, only, fetch);
  if (changed || always_publish || now >= next_expiry_) {
    auto index = set_.build_index(*cfg_, now);
    const intel::IndexStats& s = index->stats();
    metrics_.gauge("vigie_ioc_indicators") = static_cast<int64_t>(s.indexed);
    const std::pair<const char*, std::size_t> refused[] = {{"invalid", s.invalid},
                                                           {"too_broad", s.too_broad},
                                                           {"private_range", s.private_range},
                                                           {"public_suffix", s.public_suffix},
                                                           {"allowlisted", s.allowlisted},
                                                           {"expired", s.expired},
                                                           {"duplicate", s.duplicates},
                                                           {"over_cap", s.over_cap}};
    for (const auto& [reason, n] : refused)
      metrics_.gauge("vigie_ioc_refused", {{"reason", reason}}) = static_cast<int64_t>(n);
    next_expiry_ = set_.next_expiry(now);
    index_ = index;
    hunted_ = false;
    publish_(std::move(index));
  }
  for (const auto& st : set_.status()) {
    metrics_.gauge("vigie_feed_indicators", {{"feed", st.name}}) = static_cast<int64_t>(st.indicators);
    metrics_.gauge("vigie_feed_ok", {{"feed", st.name}}) = st.last_error.empty() ? 1 : 0;
  }
  for (auto& read : set_.take_advisories()) unrelayed_.push_back(std::move(read));
  if (relaying_) {
    relay(now);
    if (!hunted_ && index_) hunt(*index_, now);
  }
  record(now);
}

void FeedsService::hunt(const intel::IocIndex& index, core::TimePoint now) {
  hunted_ = true;
  if (db_ == nullptr || !queue_ || !cfg_->detection.ioc.retro_hunt.enabled) return;
  if (!known_) {
    known_.emplace();
    if (auto r = known_->load(*db_); !r) {
      spdlog::error("retro-hunt: indicators hunted for before not read: {}", r.error().to_string());
      known_.reset();
      return;
    }
  }
  auto fresh = known_->fresh(*db_, index.indicators());
  if (!fresh) {
    spdlog::error("retro-hunt: {}", fresh.error().to_string());
    return;
  }
  if (fresh->empty()) return;
  const auto t0 = std::chrono::steady_clock::now();
  std::size_t alerts = 0, truncated = 0;
  for (const intel::Indicator* ind : *fresh) {
    auto found = intel::retro_hunt(*db_, *ind, now);
    if (!found) {
      spdlog::error("retro-hunt of {} {}: {}", intel::ioc_type_name(ind->type), ind->value, found.error().to_string());
      return;  // not remembered: hunted for again at the next pass
    }
    truncated += found->truncated ? 1 : 0;
    // One alert per site: its sightings of every value the indicator matches, together.
    std::map<std::string, intel::RetroHit> per_site;
    for (const auto& h : found->hits) {
      auto [it, fresh_site] = per_site.try_emplace(h.site, h);
      if (fresh_site) continue;
      intel::RetroHit& s = it->second;
      s.first_seen = std::min(s.first_seen, h.first_seen);
      s.last_seen = std::max(s.last_seen, h.last_seen);
      s.count += h.count;
      if (s.observed != h.observed && s.observed.find(h.observed) == std::string::npos && s.observed.size() < 256)
        s.observed += ", " + h.observed;
    }
    for (const auto& [site, hit] : per_site) {
      queue_(intel::retro_alert(*ind, hit, now));
      ++alerts;
    }
  }
  // Remembered once their alerts are queued: a crash before gives the same alerts (same ids) again.
  if (auto r = known_->remember(*db_, *fresh, now); !r)
    spdlog::error("retro-hunt: indicators hunted for not recorded: {}", r.error().to_string());
  metrics_.counter("vigie_retro_hunt_indicators_total") += fresh->size();
  metrics_.counter("vigie_retro_hunt_alerts_total") += alerts;
  spdlog::info("retro-hunt: {} new indicator(s) looked up in the observables in {:.3f} s: {} alert(s){}", fresh->size(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), alerts,
               truncated > 0 ? fmt::format(" ({} with more sightings than listed)", truncated) : "");
}

void FeedsService::relay(core::TimePoint now) {
  if (db_ == nullptr || !queue_) {
    unrelayed_.clear();
    return;
  }
  intel::AdvisoryRelay relay(*db_);
  for (const auto& [name, advisories] : std::exchange(unrelayed_, {})) {
    const auto it =
        std::find_if(cfg_->feeds.begin(), cfg_->feeds.end(), [&](const config::Feed& f) { return f.name == name; });
    if (it == cfg_->feeds.end()) continue;
    auto alerts = relay.relay(advisories, *it, cfg_->advisories, now);
    if (!alerts) {
      spdlog::error("feed {}: advisories not relayed: {}", name, alerts.error().to_string());
      continue;  // nothing recorded: the next read compares with the same state again
    }
    const intel::RelayCounts c = relay.counts();
    // Queued before the state is recorded: a crash in between relays them again under the
    // same ids, which the dispatcher recognises (intel/relay.hpp).
    for (auto& a : *alerts) queue_(std::move(a));
    if (auto r = relay.commit(now); !r) {
      spdlog::error("feed {}: advisory states not recorded: {}", name, r.error().to_string());
      continue;
    }
    metrics_.counter("vigie_advisories_relayed_total", {{"feed", name}}) += c.relayed;
    metrics_.counter("vigie_advisories_seen_total", {{"feed", name}}) += c.fresh;
    if (c.seen > c.unchanged)
      spdlog::info(
          "feed {}: {} advisory(ies), {} new, {} relayed; not relayed: {} older than the first-sync age, {} filtered "
          "out, {} without a change that matters",
          name, c.seen, c.fresh, c.relayed, c.too_old, c.filtered, c.unchanged);
  }
}

void FeedsService::record(core::TimePoint now) {
  if (db_ == nullptr) return;
  std::vector<store::FeedState> rows;
  for (const auto& st : set_.status()) {
    rows.push_back(state_of(st));
    const intel::Validators v = set_.validators(st.name);
    rows.back().etag = v.etag;
    rows.back().last_modified = v.last_modified;
  }
  if (auto r = store::save_feed_states(*db_, rows, now); !r)
    spdlog::error("feed states not recorded: {}", r.error().to_string());
}

void FeedsService::request(std::string only) {
  {
    std::lock_guard lock(mu_);
    requests_.push_back(std::move(only));
  }
  wake_.notify_one();
}

void FeedsService::run(const std::stop_token& st) {
  relaying_ = true;
  relay(clock_.now());
  if (index_) hunt(*index_, clock_.now());
  while (!st.stop_requested()) {
    std::vector<std::string> asked;
    {
      std::unique_lock lock(mu_);
      const core::TimePoint now = clock_.now();
      const core::TimePoint due = std::min({set_.next_due(), next_expiry_, now + kMaxSleep});
      const auto wait = std::max(due - now, core::Duration::zero());
      wake_.wait_for(lock, st,
                     std::chrono::duration_cast<std::chrono::milliseconds>(wait) + std::chrono::milliseconds(1),
                     [&] { return !requests_.empty(); });
      asked.swap(requests_);
    }
    if (st.stop_requested()) break;
    if (asked.empty()) {
      pass(false);
    } else if (std::find(asked.begin(), asked.end(), std::string()) != asked.end()) {
      pass(true);
    } else {
      for (const auto& name : asked) pass(true, name);
    }
  }
}

}  // namespace vigie::app
