// The state of each indicator feed (table feed_state, schema migration 4): what the feeds
// thread of `serve` (or `vigie feeds refresh`) last read, for `vigie feeds list`. Plain rows:
// the store knows nothing of feed formats (intel/ depends on store, not the reverse).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "store/sqlite.hpp"

namespace vigie::store {

struct FeedState {
  std::string name;
  std::string format;
  std::string source;
  bool spool = false;
  core::TimePoint last_attempt{};  // zero: never
  core::TimePoint last_success{};
  std::string last_error;
  int64_t indicators = 0, records = 0, unsupported = 0, invalid = 0, withdrawn = 0;
  std::string etag, last_modified;  // of the last fetch, for the next conditional request
};

// In one transaction: each row inserted or replaced; rows of feeds not in `states` deleted
// (a feed removed from the configuration or the spool).
[[nodiscard]] core::Result<void> save_feed_states(Db& db, const std::vector<FeedState>& states, core::TimePoint now);
[[nodiscard]] core::Result<std::vector<FeedState>> load_feed_states(Db& db);

}  // namespace vigie::store
