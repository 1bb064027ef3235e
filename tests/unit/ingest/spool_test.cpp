// The spool (ingest/spool/spool.hpp) on a real directory: which files a scan takes and in what
// order, the site a sub-directory gives their batches, and what becomes of each file — moved
// under done_dir at the same relative path, deleted, or put in failed_dir — only once the
// settled hook says what it held went through; a stop leaves the file being read in place.
#include "ingest/spool/spool.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

using namespace vigie;
using namespace vigie::ingest;
namespace fs = std::filesystem;

namespace {

struct Dir {
  fs::path root;
  Dir() {
    static int n = 0;
    root = fs::temp_directory_path() / ("vigie-spool-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(root);
    fs::create_directories(root);
  }
  ~Dir() { fs::remove_all(root); }
  fs::path write(const fs::path& rel, const std::string& body, std::chrono::seconds age = std::chrono::seconds(60)) {
    const fs::path p = root / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << body;
    fs::last_write_time(p, fs::file_time_type::clock::now() - age);
    return p;
  }
};

std::shared_ptr<config::Config> config_for(const fs::path& dir) {
  auto cfg = std::make_shared<config::Config>();
  cfg->inputs.spool.dir = dir;
  cfg->inputs.spool.done_dir = dir / ".done";
  cfg->inputs.spool.failed_dir = dir / ".failed";
  cfg->inputs.spool.settle = std::chrono::seconds(5);
  config::Site s;
  s.id = "ch-quimper";
  cfg->sites.push_back(s);
  return cfg;
}

std::vector<std::string> names(const std::vector<spool::Found>& found) {
  std::vector<std::string> out;
  for (const auto& f : found) out.push_back(f.relative.string() + (f.problem.empty() ? "" : " !"));
  return out;
}

// The first bytes of a little-endian pcap file (Ethernet), then a record that promises 60
// bytes and holds 10: libpcap reports the file truncated.
std::string truncated_pcap() {
  std::string s;
  const auto u32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  u32(0xa1b2c3d4);
  s += std::string("\x02\x00\x04\x00", 4);
  u32(0);
  u32(0);
  u32(65535);
  u32(1);
  u32(1'700'000'000);
  u32(0);
  u32(60);
  u32(60);
  s += std::string(10, '\0');
  return s;
}

}  // namespace

TEST_CASE("scan: settled files, oldest first; temporary names, links, done and failed directories left out") {
  Dir d;
  auto cfg = config_for(d.root);
  d.write("ch-quimper/b.log", "x\n", std::chrono::seconds(100));
  d.write("ch-quimper/2026/12/a.log", "x\n", std::chrono::seconds(200));
  d.write("top.log", "x\n", std::chrono::seconds(50));
  d.write("ch-quimper/fresh.log", "x\n", std::chrono::seconds(0));  // still being written
  d.write("ch-quimper/.upload.log.Xa3Bc", "x\n");                   // rsync's temporary name
  d.write("ch-quimper/c.log.part", "x\n");
  d.write("ch-quimper/c.log~", "x\n");
  d.write("ch-quimper/.hidden/d.log", "x\n");
  d.write(".done/ch-quimper/old.log", "x\n");
  d.write(".failed/old.log", "x\n");
  fs::create_symlink("/etc/passwd", d.root / "ch-quimper" / "link.log");
  d.write("nowhere/e.log", "x\n", std::chrono::seconds(10));  // not a site id
  d.write("ch-quimper/f.log.gz", "x\n", std::chrono::seconds(20));

  const auto found = spool::scan(cfg->inputs.spool, *cfg, fs::file_time_type::clock::now(), 100);
  CHECK(names(found) == std::vector<std::string>{"ch-quimper/2026/12/a.log", "ch-quimper/b.log", "top.log",
                                                 "ch-quimper/f.log.gz !", "nowhere/e.log !"});
  REQUIRE(found.size() == 5);
  CHECK(found[0].site == "ch-quimper");
  CHECK(found[2].site.empty());
  CHECK(found[3].problem.find("compressed") != std::string::npos);
  CHECK(found[4].problem == "the directory nowhere is not the id of a site (sites[].id)");
  CHECK(names(spool::scan(cfg->inputs.spool, *cfg, fs::file_time_type::clock::now(), 2)).size() == 2);

  cfg->inputs.spool.max_file_size = 1;
  const auto big = spool::scan(cfg->inputs.spool, *cfg, fs::file_time_type::clock::now(), 100);
  REQUIRE_FALSE(big.empty());
  CHECK(big[0].problem.find("max_file_size") != std::string::npos);
}

TEST_CASE("pass: batches carry the site; files move under done_dir once settled, failed ones to failed_dir") {
  Dir d;
  auto cfg = config_for(d.root);
  cfg->inputs.spool.settle = std::chrono::seconds(0);
  d.write("ch-quimper/auth.log", "<38>Dec  4 10:00:00 srv sshd[1]: one\n<38>Dec  4 10:00:01 srv sshd[1]: two\n");
  d.write("ch-quimper/again/auth.log", "<38>Dec  4 10:00:02 srv sshd[1]: three\n");
  d.write(".done/ch-quimper/auth.log", "an earlier day's\n");  // the name is taken
  d.write("ch-quimper/cut.pcap", truncated_pcap());
  d.write("nowhere/x.log", "never read\n");

  core::Metrics metrics;
  std::vector<RawBatch> pushed;
  int settles = 0;
  bool settle_ok = true;
  spool::Spool s(cfg, 1,
                 {[&](RawBatch&& b) {
                    pushed.push_back(std::move(b));
                    return true;
                  },
                  [&] {
                    ++settles;
                    // Nothing moved before the pipeline is done with it.
                    CHECK(fs::exists(d.root / "ch-quimper" / "auth.log"));
                    return settle_ok;
                  }},
                 metrics);
  std::atomic<bool> stop{false};
  CHECK(s.pass(stop) == 4);
  CHECK(settles == 1);

  std::size_t lines = 0;
  bool capture_ended = false;
  for (const auto& b : pushed) {
    CHECK(b.site == "ch-quimper");
    CHECK(b.input == "spool:ch-quimper");
    lines += b.lines.size();
    capture_ended = capture_ended || (b.kind == BatchKind::packets && b.end_of_capture);
  }
  CHECK(lines == 3);
  CHECK(capture_ended);  // what was read of the truncated capture ends its flows as usual

  CHECK_FALSE(fs::exists(d.root / "ch-quimper" / "auth.log"));
  CHECK(fs::exists(d.root / ".done" / "ch-quimper" / "auth.log.1"));
  CHECK(fs::exists(d.root / ".done" / "ch-quimper" / "again" / "auth.log"));
  CHECK(fs::exists(d.root / ".failed" / "ch-quimper" / "cut.pcap"));
  CHECK(fs::exists(d.root / ".failed" / "nowhere" / "x.log"));
  CHECK(metrics.total("vigie_spool_files_total") == 4);
  CHECK(metrics.counter("vigie_spool_files_total", {{"outcome", "failed"}}).load() == 2);
  CHECK(metrics.counter("vigie_spool_records_total", {{"kind", "lines"}}).load() == 3);

  // Nothing left: a second pass takes nothing and settles nothing.
  pushed.clear();
  CHECK(s.pass(stop) == 0);
  CHECK(settles == 1);
  CHECK(pushed.empty());
}

TEST_CASE("pass: unsettled files stay until settle_read; after: delete removes them") {
  Dir d;
  auto cfg = config_for(d.root);
  cfg->inputs.spool.settle = std::chrono::seconds(0);
  cfg->inputs.spool.after = config::Spool::After::remove;
  d.write("top.log", "<38>Dec  4 10:00:00 srv sshd[1]: one\n");
  core::Metrics metrics;
  spool::Spool s(cfg, 1, {[](RawBatch&&) { return true; }, [] { return false; }}, metrics);
  std::atomic<bool> stop{false};
  CHECK(s.pass(stop) == 1);
  CHECK(s.unsettled() == 1);
  CHECK(fs::exists(d.root / "top.log"));
  s.settle_read();
  CHECK(s.unsettled() == 0);
  CHECK_FALSE(fs::exists(d.root / "top.log"));
  CHECK_FALSE(fs::exists(d.root / ".done"));
}

TEST_CASE("pass: a stop while a file is read leaves it in the spool, not settled") {
  Dir d;
  auto cfg = config_for(d.root);
  cfg->inputs.spool.settle = std::chrono::seconds(0);
  std::string body;
  for (int i = 0; i < 5000; ++i) body += "<38>Dec  4 10:00:00 srv sshd[1]: line " + std::to_string(i) + "\n";
  d.write("ch-quimper/big.log", body);
  core::Metrics metrics;
  std::atomic<bool> stop{false};
  int batches = 0;
  spool::Spool s(cfg, 1,
                 {[&](RawBatch&&) {
                    stop = ++batches == 2;
                    return !stop.load();
                  },
                  [] { return true; }},
                 metrics);
  CHECK(s.pass(stop) == 1);
  CHECK(batches == 2);  // nothing handed after the refusal
  CHECK(s.unsettled() == 0);
  CHECK(fs::exists(d.root / "ch-quimper" / "big.log"));
  CHECK(metrics.total("vigie_spool_files_total") == 0);
}

TEST_CASE("pass: a file rewritten while it was settled stays for the next scan; one removed is gone") {
  Dir d;
  auto cfg = config_for(d.root);
  cfg->inputs.spool.settle = std::chrono::seconds(0);
  const auto path = d.write("ch-quimper/auth.log", "<38>Dec  4 10:00:00 srv sshd[1]: one\n");
  const auto other = d.write("ch-quimper/old.log", "<38>Dec  4 10:00:00 srv sshd[1]: two\n");
  core::Metrics metrics;
  int settles = 0;
  spool::Spool s(cfg, 1,
                 {[](RawBatch&&) { return true; },
                  [&] {
                    if (++settles == 1) {  // the site uploads auth.log again meanwhile; old.log is removed
                      std::ofstream(path, std::ios::app) << "<38>Dec  4 10:00:01 srv sshd[1]: three\n";
                      fs::remove(other);
                    }
                    return true;
                  }},
                 metrics);
  std::atomic<bool> stop{false};
  CHECK(s.pass(stop) == 2);
  CHECK(fs::exists(path));
  CHECK(metrics.counter("vigie_spool_files_total", {{"outcome", "changed"}}).load() == 1);
  CHECK(metrics.counter("vigie_spool_files_total", {{"outcome", "gone"}}).load() == 1);
  fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::seconds(60));
  CHECK(s.pass(stop) == 1);  // read again, whole, then moved
  CHECK_FALSE(fs::exists(path));
  CHECK(fs::exists(d.root / ".done" / "ch-quimper" / "auth.log"));
}
