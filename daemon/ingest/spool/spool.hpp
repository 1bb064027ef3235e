// The spool (DESIGN.md §3; README.md here): files that sites drop in a directory — log files
// and packet captures — read once into the same pipeline as the network inputs, then moved or
// deleted. The layout names the site:
//
//   <dir>/<site id>/...   every file below a site's directory belongs to that site
//   <dir>/<file>          the site comes from the addresses (sites[].networks), as for syslog
//
// A file is taken once it has not changed for `settle` (an upload in progress keeps touching
// it) and its name is not a temporary one (hidden, *.part, *.tmp, *.filepart, ending in ~).
// What it holds goes to the pipeline through read_file (ingest/file_input.hpp); only when every
// batch of it has been correlated and the resulting alerts stored (Hooks::settled) is it moved
// to done_dir (same relative path) or deleted. A file that cannot be read whole (a truncated
// capture, an unreadable file) goes to failed_dir once what was read of it is settled; one that
// cannot be read at all (an unknown site directory, too large, compressed) goes there at once.
// Every outcome is logged with the file's path and counted (vigie_spool_files_total{outcome}).
//
// Crash: a file is left in place until it is settled, so it is read again at the next start
// (at least once; the alerts it raised before the crash may be raised again). Stop: the file
// being read stops being handed over and stays in place; files read whole wait for the
// daemon's last flush (settle_read) and are then moved as usual.
//
// Thread: one, the spool's (serve); pass() and settle_read() on it or after it ended.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "config/config.hpp"
#include "core/metrics.hpp"
#include "ingest/raw.hpp"

namespace vigie::ingest::spool {

struct Found {
  std::filesystem::path path;
  std::filesystem::path relative;  // to the spool directory: where it goes under done_dir
  std::string site;                // the site directory's id; "" at the top level
  std::string problem;             // set: not read, straight to failed_dir, with this reason
  uintmax_t size = 0;
  std::filesystem::file_time_type mtime{};  // when scanned: a file changed since is not moved
};

// The files of the spool ready at `now`, oldest modification first, at most `limit` of them;
// names in `skip` (paths) are left out. Directories that cannot be listed are logged (once per
// call) and skipped.
[[nodiscard]] std::vector<Found> scan(const config::Spool& spool, const config::Config& cfg,
                                      std::filesystem::file_time_type now, std::size_t limit,
                                      const std::unordered_set<std::string>& skip = {});

class Spool {
 public:
  struct Hooks {
    // Into the pipeline (blocking while it is full); false: stopping, hand nothing more.
    std::function<bool(RawBatch&&)> push;
    // Waits until everything pushed so far is correlated and its alerts are stored; false:
    // stopping before that.
    std::function<bool()> settled;
  };
  // Files handled per scan at most: the rest waits for the next one.
  static constexpr std::size_t kPassFiles = 256;
  // Files that could not be moved away are remembered (not read again) up to this many.
  static constexpr std::size_t kMaxStuck = 10'000;

  Spool(std::shared_ptr<const config::Config> cfg, std::size_t lanes, Hooks hooks, core::Metrics& metrics);

  // One scan: reads every ready file, waits for them to settle, then moves or deletes them.
  // Returns the number of files taken (read, or refused).
  std::size_t pass(const std::atomic<bool>& stop);
  // After a stop, once the pipeline and the store have flushed: the files read whole whose
  // settlement the stop cut short are moved or deleted now.
  void settle_read();
  [[nodiscard]] std::size_t unsettled() const { return read_.size(); }

 private:
  struct Read {
    Found file;
    std::string error;  // the read stopped on an error: failed_dir
  };
  void finish(const Read& r);
  // Moves `file` under `root` at its relative path (a free name if one is taken).
  bool move_under(const Found& file, const std::filesystem::path& root, std::string& why);

  std::shared_ptr<const config::Config> cfg_;
  std::size_t lanes_;
  Hooks hooks_;
  core::Metrics& metrics_;
  std::vector<Read> read_;                 // read, not settled yet
  std::unordered_set<std::string> stuck_;  // could not be moved or deleted: not read again
};

}  // namespace vigie::ingest::spool
