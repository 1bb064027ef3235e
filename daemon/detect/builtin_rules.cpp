// The built-in rule of DESIGN.md §5: an alert whenever an observable of an event is an indicator
// of compromise of the loaded IOC index. The matcher writes a match as threat.* fields
// (intel/observe.hpp); this rule reads them like any other. A rule file defining the same id
// replaces it (an administrator changing its level, suppression or grouping).
#include "detect/builder.hpp"

namespace vigie::detect {
namespace {

constexpr std::string_view kIocRule = R"yaml(
title: Indicator of compromise seen
id: vigie-ioc-match
status: stable
description: >
  An address, domain, URL, hash or e-mail address seen in this site's events is an indicator of
  compromise published by a feed (see the indicator below: its feed, the advisory or event it
  came with, its confidence). Contact with a known command-and-control server, phishing domain
  or malware hash usually means a compromised machine: find the host that made it, isolate it
  if the indicator is recent and confident, and check the advisory for what else to look for.
author: Vigie
level: high
tlp: AMBER
suppress_for: 1h
group-by: [observer.site, threat.indicator.value]
tags: [vigie.ioc]
falsepositives:
  - an indicator that names shared infrastructure (a CDN, a cloud provider's address): add it to detection.ioc.allowlist
detection:
  ioc: { threat.indicator.type: [ip, domain, url, md5, sha1, sha256, email] }
  condition: ioc
)yaml";

}  // namespace

void RuleSetBuilder::add_builtin_rules() {
  if (!rs_->find_rule(kIocRuleId)) add_text(kIocRule, "built-in rule " + std::string(kIocRuleId), {});
}

}  // namespace vigie::detect
