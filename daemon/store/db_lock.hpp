// One daemon per database: `serve` holds an exclusive flock on a file beside the database
// (`vigie.db` → `vigie.db.lock`) that holds its PID, for as long as it runs. The kernel drops
// the lock when the process ends, however it ends (kill -9 included), so a stale file never
// blocks a restart; the PID inside is only there to name the holder in the refusal.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/error.hpp"

namespace vigie::store {

[[nodiscard]] std::filesystem::path lock_path(const std::filesystem::path& db);
// The PID of the process holding `db`'s lock (0: held, no PID written); nullopt when nobody
// holds it (`vigie reload` finds the daemon to signal this way).
[[nodiscard]] std::optional<long> lock_holder(const std::filesystem::path& db);

class DbLock {
 public:
  // Takes the lock without waiting and writes this process's PID into the file. If another
  // process holds it, the error names the database and that process's PID.
  [[nodiscard]] static core::Result<std::unique_ptr<DbLock>> acquire(const std::filesystem::path& db);
  ~DbLock();  // releases the lock (the file stays; its PID is stale but harmless)
  DbLock(const DbLock&) = delete;
  DbLock& operator=(const DbLock&) = delete;

 private:
  explicit DbLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace vigie::store
