// The journal of alerts not stored yet: what the store thread keeps when SQLite cannot commit
// (disk full, I/O error, database locked for too long), so that an alert is never only logged.
//
// Format: one alert per line, alert_json.hpp's JSON, appended and fdatasync'd before append()
// returns. Replaying reads every line in order; a later line of the same alert id carries its
// newer state (the reader folds). A last line without its newline is a write torn by a crash:
// read() reports it (ReadStats::torn) and the next append() cuts it off first; any other line
// that does not parse is counted (ReadStats::corrupt) and skipped. clear() empties the file
// once every entry is committed.
//
// A full disk: the file keeps a preallocated reserve past its end (fallocate KEEP_SIZE, the
// blocks are the journal's but the size does not show them), so appends land in space taken
// while the disk still had some. The reserve is topped up after each append when possible.
//
// Thread contract: one thread (the store thread) owns a Journal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "core/alert.hpp"
#include "core/error.hpp"
#include "store/alert_json.hpp"

namespace vigie::store {

// The journal beside a database: `vigie.db` → `vigie.db-unstored.jsonl`.
[[nodiscard]] std::filesystem::path journal_path(const std::filesystem::path& db);

inline constexpr std::size_t kJournalReserve = std::size_t{1} << 20;  // 1 MiB ≈ 500+ alerts

class Journal {
 public:
  struct ReadStats {
    std::size_t entries = 0;  // lines read back as alerts
    std::size_t corrupt = 0;  // complete lines that are not an alert: skipped
    bool torn = false;        // the last line had no newline (interrupted write): skipped
  };

  // Opens or creates the file (and its directory); takes the reserve if the disk allows.
  [[nodiscard]] static core::Result<std::unique_ptr<Journal>> open(const std::filesystem::path& file,
                                                                   std::size_t reserve = kJournalReserve);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Appends one line per alert, then fdatasync. On error nothing of this call stays in the
  // file (a partial write is cut off again).
  [[nodiscard]] core::Result<void> append(const std::vector<const core::Alert*>& alerts);
  // Every entry, in file order. Does not change the file.
  [[nodiscard]] core::Result<ReadStats> read(const std::function<void(core::Alert&&)>& fn);
  // Empties the file (every entry is committed) and takes the reserve again.
  [[nodiscard]] core::Result<void> clear();

  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] uint64_t size() const { return size_; }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  Journal(std::filesystem::path p, int fd, uint64_t size, std::size_t reserve);
  void top_up_reserve();
  core::Result<void> cut_torn_tail();
  void truncated_back();

  std::filesystem::path path_;
  int fd_ = -1;
  uint64_t size_ = 0;         // bytes in the file
  uint64_t reserved_to_ = 0;  // the file's blocks are allocated up to here
  std::size_t reserve_;
  bool tail_checked_ = false;  // the torn tail (if any) was cut before appending
  AlertJsonReader reader_;
};

}  // namespace vigie::store
