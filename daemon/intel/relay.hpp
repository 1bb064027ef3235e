// The advisory relay (DESIGN.md §6, feeds/README.md "Relay"): compares the advisories a feed
// gave with what the store holds of them, and turns new advisories and the updates that matter
// (a new CVE, exploitation reported active, closure) into alerts of rule `vigie-advisory`, which
// go through the normal routing. One mail thread per advisory, and one for every advisory that
// shares a CVE with it, whichever CERT published it. A first sync relays only what was revised
// within `advisories.max_age`; everything is stored, so a restart never sends one again.
//
// Exactly once: an alert's id is derived from its thread and its position in it, so relay()
// returns the alerts first and commit() records the state after they were queued; a crash in
// between gives the same alerts again, which the dispatcher recognises by their id.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/alert.hpp"
#include "core/error.hpp"
#include "intel/advisory.hpp"
#include "store/advisories.hpp"

namespace vigie::intel {

inline constexpr std::string_view kAdvisoryRule = "vigie-advisory";

// The relay's severity of an advisory (feeds/README.md): critical when exploitation is active or
// it is a CERT-FR alert; high for remote code execution or a CERT's alert feed item; else medium.
[[nodiscard]] core::Level advisory_level(const Advisory& a);

// Whether `a` passes the `advisories:` filters (min_level, keywords, products).
[[nodiscard]] bool passes_filters(const Advisory& a, const config::Advisories& opts);

struct RelayCounts {
  std::size_t seen = 0;       // advisories compared
  std::size_t fresh = 0;      // not in the store before
  std::size_t relayed = 0;    // alerts returned
  std::size_t too_old = 0;    // new, not relayed: revised before now - max_age
  std::size_t filtered = 0;   // new, not relayed: the filters said no
  std::size_t unchanged = 0;  // known, nothing that matters changed
};

class AdvisoryRelay {
 public:
  explicit AdvisoryRelay(store::Db& db) : db_(db), store_(db) {}

  // The alerts to queue for `advisories` read from `feed` (its `relay` flag decides whether
  // anything is relayed; everything is stored either way). Call commit() once they are queued.
  [[nodiscard]] core::Result<std::vector<core::Alert>> relay(const std::vector<Advisory>& advisories,
                                                             const config::Feed& feed, const config::Advisories& opts,
                                                             core::TimePoint now);
  [[nodiscard]] core::Result<void> commit(core::TimePoint now);

  [[nodiscard]] const RelayCounts& counts() const { return counts_; }

 private:
  struct Thread {
    store::AdvisoryThread t;
    std::vector<std::string> cves;
    bool touched = false;
  };
  core::Result<Thread*> thread_for(const Advisory& a, const store::AdvisoryRow* prev);
  core::Alert make_alert(const Advisory& a, const config::Feed& feed, Thread& th, std::string change,
                         std::vector<std::string> new_cves);

  store::Db& db_;  // also the exposure inventory's (intel/exposure.hpp)
  store::AdvisoryStore store_;
  std::vector<store::AdvisoryStore::Write> pending_;
  std::vector<Thread> threads_;  // read or opened during this relay() (pass-local)
  RelayCounts counts_;
};

}  // namespace vigie::intel
