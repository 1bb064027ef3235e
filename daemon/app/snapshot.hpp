// What the workers read, as one immutable object swapped atomically (DESIGN.md §3): the rules,
// the IOC index and the configuration. A worker takes the current snapshot once per batch and
// keeps it for the whole batch; the correlator compares the rule sets of successive batches, so
// a snapshot that only brings a new IOC index leaves correlation state untouched.
#pragma once

#include <memory>

#include "config/config.hpp"
#include "detect/ruleset.hpp"
#include "intel/ioc_index.hpp"

namespace vigie::app {

struct Snapshot {
  std::shared_ptr<const config::Config> config;
  std::shared_ptr<const detect::RuleSet> rules;
  std::shared_ptr<const intel::IocIndex> iocs;  // empty until feeds are loaded
};

}  // namespace vigie::app
