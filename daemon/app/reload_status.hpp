// How `vigie reload` learns what became of the reload it asked for: after each attempt, `serve`
// writes a one-line status file beside the database (`vigie.db` → `vigie.db.reload`), replaced
// atomically: "PID GENERATION ok|failed TEXT". The generation counts the daemon's reload
// attempts, so a reader that saw generation g waits for g + 1 from the same PID.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace vigie::app {

struct ReloadStatus {
  long pid = 0;
  uint64_t generation = 0;
  bool ok = false;
  std::string text;  // the reload summary, or why it failed
};

[[nodiscard]] std::filesystem::path reload_status_path(const std::filesystem::path& db);
// Best effort: a status that cannot be written is logged, the reload itself stands.
void write_reload_status(const std::filesystem::path& db, const ReloadStatus& status);
[[nodiscard]] std::optional<ReloadStatus> read_reload_status(const std::filesystem::path& db);

}  // namespace vigie::app
