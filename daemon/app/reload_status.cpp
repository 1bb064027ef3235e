// The status file of `vigie reload` (reload_status.hpp).
#include "app/reload_status.hpp"

#include <fstream>

#include <spdlog/spdlog.h>

namespace vigie::app {

std::filesystem::path reload_status_path(const std::filesystem::path& db) {
  return std::filesystem::path(db.string() + ".reload");
}

void write_reload_status(const std::filesystem::path& db, const ReloadStatus& status) {
  const auto path = reload_status_path(db);
  const auto tmp = std::filesystem::path(path.string() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << status.pid << ' ' << status.generation << ' ' << (status.ok ? "ok" : "failed") << ' ' << status.text << '\n';
    if (!out.flush()) {
      spdlog::warn("cannot write {}: the reload's outcome is only in this log", tmp.string());
      return;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) spdlog::warn("cannot write {}: {}", path.string(), ec.message());
}

std::optional<ReloadStatus> read_reload_status(const std::filesystem::path& db) {
  std::ifstream in(reload_status_path(db));
  ReloadStatus s;
  std::string outcome;
  if (!(in >> s.pid >> s.generation >> outcome)) return std::nullopt;
  s.ok = outcome == "ok";
  std::getline(in >> std::ws, s.text);
  return s;
}

}  // namespace vigie::app
