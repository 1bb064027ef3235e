// Schema migrations, tracked with PRAGMA user_version (= number of migrations applied).
#pragma once

#include "core/error.hpp"
#include "store/sqlite.hpp"

namespace vigie::store {

// Number of migrations this binary knows; a database with a higher user_version was written
// by a newer vigie and is refused rather than half-understood.
[[nodiscard]] int schema_version();

// Applies every missing migration, each in its own transaction together with its
// user_version bump, so a crash leaves the database at a well-defined version.
[[nodiscard]] core::Result<void> migrate(Db& db);

}  // namespace vigie::store
