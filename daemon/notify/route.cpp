#include "notify/route.hpp"

#include <algorithm>
#include <cctype>

#include <spdlog/spdlog.h>

namespace vigie::notify {
namespace {

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool same_address(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

const config::Receiver* find_receiver(const config::Config& cfg, std::string_view name) {
  for (const auto& r : cfg.notify.receivers)
    if (r.name == name) return &r;
  return nullptr;
}

}  // namespace

bool route_matches(const config::Route& r, const core::Alert& a) {
  for (const auto& entry : r.match) {
    const auto& field = entry.first;
    const auto& accepted = entry.second;  // a plain reference: lambdas may capture it (C++20 bindings: not in clang 14)
    if (field == "level") {
      if (!contains(accepted, core::level_name(a.rule.level))) return false;
    } else if (field == "rule.id") {
      if (!contains(accepted, a.rule.id)) return false;
    } else if (field == "observer.site" || field == "site") {
      if (!contains(accepted, a.site)) return false;
    } else if (field == "tags") {
      if (std::none_of(a.rule.tags.begin(), a.rule.tags.end(), [&](const auto& t) { return contains(accepted, t); }))
        return false;
    } else {
      // Config validation rejects unknown keys; a route that slipped through never matches
      // rather than matching everything.
      return false;
    }
  }
  return true;
}

std::vector<Target> route(const config::Config& cfg, const core::Alert& a, std::vector<std::string>& skipped) {
  std::vector<Target> out;
  std::vector<std::string> seen_receivers;
  std::vector<std::string> seen_addresses;
  const config::Site* site = cfg.site(a.site);
  for (const auto& r : cfg.notify.routes) {
    if (!route_matches(r, a)) continue;
    for (const auto& name : r.receivers) {
      if (contains(seen_receivers, name)) continue;
      seen_receivers.push_back(name);
      const config::Receiver* rec = find_receiver(cfg, name);
      if (!rec) {
        spdlog::warn("route names unknown receiver '{}'", name);
        skipped.push_back(name);
        continue;
      }
      Target t{rec->name, {}, r.group_wait, r.repeat_interval, r.group_by, r.group_interval};
      auto add = [&](const std::string& addr) {
        for (const auto& s : seen_addresses)
          if (same_address(s, addr)) return;
        seen_addresses.push_back(addr);
        t.recipients.push_back(addr);
      };
      for (const auto& addr : rec->to) add(addr);
      if (rec->to_site_contacts && site)
        for (const auto& addr : site->contacts) add(addr);
      if (t.recipients.empty()) {
        skipped.push_back(rec->name);
        continue;
      }
      out.push_back(std::move(t));
    }
    if (!r.continue_matching) break;
  }
  return out;
}

std::vector<Target> route(const config::Config& cfg, const core::Alert& a) {
  std::vector<std::string> skipped;
  return route(cfg, a, skipped);
}

}  // namespace vigie::notify
