#include "ingest/spool/spool.hpp"

#include <algorithm>
#include <array>
#include <system_error>

#include <spdlog/spdlog.h>

#include "ingest/file_input.hpp"

namespace vigie::ingest::spool {
namespace fs = std::filesystem;
namespace {

bool ends_with(std::string_view s, std::string_view end) {
  return s.size() >= end.size() && s.substr(s.size() - end.size()) == end;
}

// Names an upload in progress goes by: scp and sftp clients, rsync (.name.XXXXXX), editors.
bool temporary(std::string_view name) {
  return name.empty() || name.front() == '.' || name.back() == '~' || ends_with(name, ".part") ||
         ends_with(name, ".tmp") || ends_with(name, ".filepart") || ends_with(name, ".crdownload");
}

// Compressed files are refused by name rather than read as lines of garbage.
bool compressed(std::string_view name) {
  constexpr std::array<std::string_view, 7> kSuffixes = {".gz", ".xz", ".zst", ".bz2", ".lz4", ".zip", ".7z"};
  return std::any_of(kSuffixes.begin(), kSuffixes.end(), [&](std::string_view s) { return ends_with(name, s); });
}

struct Candidate {
  Found found;
  fs::file_time_type mtime;
};

// One regular file (not a link, not temporary), if it has settled.
void consider(const fs::directory_entry& e, const fs::path& root, const config::Spool& spool, std::string site,
              std::string problem, fs::file_time_type now, std::vector<Candidate>& out) {
  std::error_code ec;
  const std::string name = e.path().filename().string();
  if (temporary(name)) return;
  const auto st = e.symlink_status(ec);
  if (ec || !fs::is_regular_file(st)) return;
  const auto mtime = e.last_write_time(ec);
  if (ec || mtime > now - std::chrono::duration_cast<fs::file_time_type::duration>(spool.settle)) return;
  Candidate c{{e.path(), e.path().lexically_relative(root), std::move(site), std::move(problem), e.file_size(ec)},
              mtime};
  if (ec) return;  // gone meanwhile
  c.found.mtime = mtime;
  if (c.found.problem.empty() && c.found.size > spool.max_file_size)
    c.found.problem = "larger than inputs.spool.max_file_size (" + std::to_string(c.found.size) + " bytes)";
  if (c.found.problem.empty() && compressed(name))
    c.found.problem = "a compressed file: decompress it before dropping it in the spool";
  out.push_back(std::move(c));
}

}  // namespace

std::vector<Found> scan(const config::Spool& spool, const config::Config& cfg, fs::file_time_type now,
                        std::size_t limit, const std::unordered_set<std::string>& skip) {
  std::vector<Candidate> all;
  std::error_code ec;
  fs::directory_iterator top(spool.dir, ec);
  if (ec) {
    spdlog::error("spool: {}: cannot list: {}", spool.dir.string(), ec.message());
    return {};
  }
  for (const fs::directory_iterator end; top != end; top.increment(ec)) {
    if (ec) break;
    const fs::directory_entry& e = *top;
    const std::string name = e.path().filename().string();
    if (temporary(name) || e.path() == spool.done_dir || e.path() == spool.failed_dir) continue;
    std::error_code dir_ec;
    if (!e.is_directory(dir_ec) || e.is_symlink(dir_ec)) {
      consider(e, spool.dir, spool, "", "", now, all);
      continue;
    }
    // A site's directory, read whole (hidden sub-directories excepted).
    const config::Site* site = cfg.site(name);
    const std::string problem =
        site != nullptr ? "" : "the directory " + name + " is not the id of a site (sites[].id)";
    fs::recursive_directory_iterator it(e.path(), fs::directory_options::skip_permission_denied, dir_ec);
    for (const fs::recursive_directory_iterator rend; !dir_ec && it != rend; it.increment(dir_ec)) {
      const fs::directory_entry& f = *it;
      std::error_code f_ec;
      if (f.is_directory(f_ec)) {
        if (temporary(f.path().filename().string()) || f.path() == spool.done_dir || f.path() == spool.failed_dir)
          it.disable_recursion_pending();
        continue;
      }
      consider(f, spool.dir, spool, site != nullptr ? name : "", problem, now, all);
    }
    if (dir_ec) spdlog::error("spool: {}: cannot list: {}", e.path().string(), dir_ec.message());
  }
  if (ec) spdlog::error("spool: {}: cannot list: {}", spool.dir.string(), ec.message());
  std::erase_if(all, [&](const Candidate& c) { return skip.count(c.found.path.string()) > 0; });
  std::sort(all.begin(), all.end(), [](const Candidate& a, const Candidate& b) {
    return a.mtime != b.mtime ? a.mtime < b.mtime : a.found.path < b.found.path;
  });
  if (all.size() > limit) all.resize(limit);
  std::vector<Found> out;
  out.reserve(all.size());
  for (auto& c : all) out.push_back(std::move(c.found));
  return out;
}

Spool::Spool(std::shared_ptr<const config::Config> cfg, std::size_t lanes, Hooks hooks, core::Metrics& metrics)
    : cfg_(std::move(cfg)), lanes_(lanes), hooks_(std::move(hooks)), metrics_(metrics) {}

std::size_t Spool::pass(const std::atomic<bool>& stop) {
  const config::Spool& spool = cfg_->inputs.spool;
  const auto found = scan(spool, *cfg_, fs::file_time_type::clock::now(), kPassFiles, stuck_);
  metrics_.gauge("vigie_spool_ready") = static_cast<int64_t>(found.size());
  std::size_t taken = 0;
  for (const Found& f : found) {
    if (stop.load()) break;
    ++taken;
    if (!f.problem.empty()) {
      spdlog::error("spool: {}: {}; not read", f.path.string(), f.problem);
      finish(Read{f, f.problem});
      continue;
    }
    FileInput in;
    in.input = f.site.empty() ? "spool" : "spool:" + f.site;
    in.site = f.site;
    in.max_message_size = cfg_->inputs.max_message_size;
    in.lanes = lanes_;
    in.received = std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now());
    const FileRead read = read_file(f.path, in, hooks_.push, metrics_);
    if (read.stopped) {
      spdlog::warn("spool: {}: stopping while it was read; it stays in the spool and is read again at the next start",
                   f.path.string());
      return taken;
    }
    metrics_.counter("vigie_spool_records_total", {{"kind", read.capture ? "frames" : "lines"}}) += read.records;
    metrics_.counter("vigie_spool_bytes_total") += f.size;
    spdlog::info("spool: {}: {} {}{}", f.path.string(), read.records, read.capture ? "frame(s)" : "line(s)",
                 f.site.empty() ? "" : " of site " + f.site);
    read_.push_back(Read{f, read.error ? read.error->what : ""});
    if (read.error) spdlog::error("spool: {}", read.error->to_string());
  }
  // Only once what they held is correlated and stored do the files leave the spool.
  if (!read_.empty() && hooks_.settled()) settle_read();
  return taken;
}

void Spool::settle_read() {
  for (const Read& r : read_) finish(r);
  read_.clear();
}

void Spool::finish(const Read& r) {
  const config::Spool& spool = cfg_->inputs.spool;
  std::string why;
  const char* outcome = r.error.empty() ? "done" : "failed";
  bool ok = false;
  // Rewritten since it was read (a site uploading again under the same name): what it holds now
  // was not read, so it stays for the next scan; gone: nothing left to move.
  std::error_code ec;
  const auto size = fs::file_size(r.file.path, ec);
  const auto mtime = ec ? fs::file_time_type{} : fs::last_write_time(r.file.path, ec);
  if (ec == std::errc::no_such_file_or_directory) {
    spdlog::warn("spool: {}: removed by someone else after it was read", r.file.path.string());
    metrics_.counter("vigie_spool_files_total", {{"outcome", "gone"}})++;
    return;
  }
  if (!ec && r.file.problem.empty() && (size != r.file.size || mtime != r.file.mtime)) {
    spdlog::info("spool: {}: changed since it was read; read again at the next scan", r.file.path.string());
    metrics_.counter("vigie_spool_files_total", {{"outcome", "changed"}})++;
    return;
  }
  if (!r.error.empty()) {
    ok = move_under(r.file, spool.failed_dir, why);
  } else if (spool.after == config::Spool::After::move) {
    ok = move_under(r.file, spool.done_dir, why);
  } else {
    ok = fs::remove(r.file.path, ec) || !ec;
    if (!ok) why = "cannot delete: " + ec.message();
  }
  if (!ok) {
    // Not read again while this daemon runs; after a restart it is (at least once).
    outcome = "stuck";
    spdlog::error("spool: {}: {}; it is not read again until the next start", r.file.path.string(), why);
    if (stuck_.size() < kMaxStuck) stuck_.insert(r.file.path.string());
  }
  metrics_.counter("vigie_spool_files_total", {{"outcome", outcome}})++;
}

bool Spool::move_under(const Found& file, const fs::path& root, std::string& why) {
  std::error_code ec;
  fs::path target = root / file.relative;
  fs::create_directories(target.parent_path(), ec);
  if (ec) {
    why = "cannot create " + target.parent_path().string() + ": " + ec.message();
    return false;
  }
  // A name already taken (a site sending capture.pcap every day) gets a number.
  const fs::path base = target;
  for (int n = 1; fs::exists(target, ec) && n < 1000; ++n) target = base.string() + "." + std::to_string(n);
  if (fs::exists(target, ec)) {  // never over a file already there
    why = "no free name beside " + base.string();
    return false;
  }
  fs::rename(file.path, target, ec);
  if (ec == std::errc::cross_device_link) {
    ec.clear();
    if (fs::copy_file(file.path, target, ec)) fs::remove(file.path, ec);
  }
  if (ec) {
    why = "cannot move to " + target.string() + ": " + ec.message();
    return false;
  }
  spdlog::info("spool: {} moved to {}", file.path.string(), target.string());
  return true;
}

}  // namespace vigie::ingest::spool
