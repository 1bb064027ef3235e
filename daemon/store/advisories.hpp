// The advisories the feeds thread has seen (tables advisories, advisory_threads, advisory_cves):
// what intel/relay.hpp compares each new read with, so that only new advisories and updates
// that matter are mailed, once — across restarts — and the same CVE from two CERTs is one
// mail thread. Plain rows: the store knows nothing of feed formats (intel/ depends on store).
// Written by one thread (the feeds thread of `serve`, or `vigie feeds refresh` without a daemon).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "store/sqlite.hpp"

namespace vigie::store {

struct AdvisoryRow {
  std::string feed;
  std::string reference;
  std::string title;
  int64_t published = 0, revised = 0, closed = 0;  // Unix seconds; closed 0 while open
  bool exploited = false;
  std::vector<std::string> cves;  // sorted
  std::string thread;             // id of the thread's first alert; "" never relayed
};

struct AdvisoryThread {
  std::string id;
  uint32_t seq = 0;       // mails sent in the thread so far, minus one (0: only the first)
  std::string opened_by;  // "feed:reference" of the advisory that opened it
};

class AdvisoryStore {
 public:
  explicit AdvisoryStore(Db& db) : db_(db) {}

  [[nodiscard]] core::Result<std::optional<AdvisoryRow>> find(const std::string& feed, const std::string& reference);
  // The thread one of `cves` already belongs to (the oldest when several do).
  [[nodiscard]] core::Result<std::optional<AdvisoryThread>> thread_of_cves(const std::vector<std::string>& cves);
  [[nodiscard]] core::Result<std::optional<AdvisoryThread>> thread(const std::string& id);
  // CVEs already bound to a thread.
  [[nodiscard]] core::Result<std::vector<std::string>> thread_cves(const std::string& id);

  struct Write {
    AdvisoryRow row;                       // inserted or replaced
    std::optional<AdvisoryThread> thread;  // created or its seq updated
  };
  // In one transaction: every row, every thread, and each relayed row's CVEs bound to its thread
  // (a CVE keeps the first thread it was bound to).
  [[nodiscard]] core::Result<void> save(const std::vector<Write>& writes, core::TimePoint now);

  [[nodiscard]] core::Result<int64_t> count(const std::string& feed);

 private:
  Db& db_;
};

}  // namespace vigie::store
