// FeedSet: feeds read from their files on schedule, the last good read kept when a read fails,
// spool files read as feeds, a feed leaving the configuration or the spool stops matching.
#include "intel/feeds.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <fstream>

using namespace vigie;
using namespace vigie::intel;
namespace fs = std::filesystem;

namespace {

struct Dir {
  fs::path path;
  Dir() {
    static std::atomic<int> n{0};
    path = fs::temp_directory_path() / ("vigie-feeds-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::create_directories(path);
  }
  ~Dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path write(const std::string& name, const std::string& text) const {
    const auto p = path / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::trunc) << text;
    return p;
  }
};

core::TimePoint at(int64_t s) { return core::TimePoint(std::chrono::seconds(s)); }

config::Config config_with(const Dir& d, const fs::path& file) {
  config::Config cfg;
  cfg.storage.path = d.path / "vigie.db";
  config::Feed f;
  f.name = "local";
  f.format = "csv";
  f.path = file;
  f.tlp = "GREEN";
  f.confidence = 70;
  f.every = std::chrono::minutes(5);
  cfg.feeds.push_back(f);
  return cfg;
}

}  // namespace

TEST_CASE("a feed is read, read again when its file changes, and keeps its last good read on error") {
  Dir d;
  const auto file = d.write("local.csv", "type,indicator\nip,198.51.100.23\ndomain,evil[.]example\n");
  const auto cfg = config_with(d, file);
  FeedSet set;
  CHECK(set.refresh(cfg, at(1000)));
  auto index = set.build_index(cfg, at(1000));
  CHECK(index->size() == 2);
  const Indicator* hit = index->find(IocType::domain, "www.evil.example");
  REQUIRE(hit);
  CHECK(hit->feed == "local");
  CHECK(hit->tlp == "GREEN");  // the feed's default
  CHECK(hit->confidence == 70);
  // Not due yet, and unchanged when due: nothing read.
  CHECK_FALSE(set.refresh(cfg, at(1010)));
  CHECK_FALSE(set.refresh(cfg, at(1400)));
  CHECK(set.next_due() == at(1400) + std::chrono::minutes(5));
  // Changed: read again on its schedule; the removed indicator stops matching.
  d.write("local.csv", "type,indicator\nip,198.51.100.99\n");
  CHECK(set.refresh(cfg, at(1800)));
  index = set.build_index(cfg, at(1800));
  CHECK(index->find(IocType::ip, "198.51.100.99"));
  CHECK_FALSE(index->find(IocType::ip, "198.51.100.23"));
  // A broken file: the error is kept, the indicators in force stay.
  d.write("local.csv", "");
  CHECK_FALSE(set.refresh(cfg, at(2200), true));
  auto st = set.status();
  REQUIRE(st.size() == 1);
  CHECK_FALSE(st[0].last_error.empty());
  CHECK(st[0].indicators == 1);
  CHECK(st[0].last_success == at(1800));
  CHECK(set.build_index(cfg, at(2200))->find(IocType::ip, "198.51.100.99"));
  // A missing file: the same.
  fs::remove(file);
  CHECK_FALSE(set.refresh(cfg, at(2600), true));
  CHECK(set.status()[0].last_error.find(file.string()) != std::string::npos);
  CHECK(set.build_index(cfg, at(2600))->size() == 1);
}

TEST_CASE("spool files are feeds; configured names win; a feed that goes away stops matching") {
  Dir d;
  const auto file = d.write("local.csv", "type,indicator\nip,198.51.100.23\n");
  auto cfg = config_with(d, file);
  d.write("feeds/extra.list", "# dropped by vigie feeds import\n203.0.113.7\nbad[.]example\n");
  d.write("feeds/local.list", "192.0.2.200\n");  // same name as a configured feed: ignored
  d.write("feeds/notes.txt", "203.0.113.8\n");   // not <name>.<format>: ignored
  FeedSet set;
  CHECK(set.refresh(cfg, at(0)));
  auto index = set.build_index(cfg, at(0));
  CHECK(index->size() == 3);
  const Indicator* hit = index->find(IocType::ip, "203.0.113.7");
  REQUIRE(hit);
  CHECK(hit->feed == "extra");
  CHECK(index->find(IocType::domain, "bad.example"));
  CHECK_FALSE(index->find(IocType::ip, "192.0.2.200"));
  CHECK_FALSE(index->find(IocType::ip, "203.0.113.8"));
  auto st = set.status();
  REQUIRE(st.size() == 2);
  CHECK(std::count_if(st.begin(), st.end(), [](const FeedStatus& s) { return s.spool; }) == 1);
  // The spool file removed, the configured feed disabled: nothing left.
  fs::remove(d.path / "feeds/extra.list");
  cfg.feeds[0].enabled = false;
  CHECK(set.refresh(cfg, at(60)));
  CHECK(set.build_index(cfg, at(60))->empty());
  CHECK(set.status().empty());
}

TEST_CASE("the index applies the configuration's guards, and indicators expire") {
  Dir d;
  const auto file = d.write("local.stix", R"({"type":"bundle","id":"bundle--1","objects":[
    {"type":"indicator","spec_version":"2.1","id":"indicator--a","created":"2026-01-01T00:00:00Z",
     "modified":"2026-01-01T00:00:00Z","pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix",
     "valid_from":"2026-01-01T00:00:00Z","valid_until":"2026-06-01T00:00:00Z"},
    {"type":"indicator","spec_version":"2.1","id":"indicator--b","created":"2026-01-01T00:00:00Z",
     "modified":"2026-01-01T00:00:00Z","pattern":"[ipv4-addr:value = '10.1.2.3']","pattern_type":"stix",
     "valid_from":"2026-01-01T00:00:00Z"},
    {"type":"indicator","spec_version":"2.1","id":"indicator--c","created":"2026-01-01T00:00:00Z",
     "modified":"2026-01-01T00:00:00Z","pattern":"[domain-name:value = 'cdn.example']","pattern_type":"stix",
     "valid_from":"2026-01-01T00:00:00Z"}]})");
  auto cfg = config_with(d, file);
  cfg.feeds[0].format = "stix";
  cfg.detection.ioc.allowlist = {"cdn.example"};
  FeedSet set;
  REQUIRE(set.refresh(cfg, at(0)));
  const auto may = core::TimePoint(std::chrono::sys_days(std::chrono::year(2026) / 5 / 1).time_since_epoch());
  auto index = set.build_index(cfg, may);
  CHECK(index->find(IocType::ip, "198.51.100.1"));
  CHECK_FALSE(index->find(IocType::ip, "10.1.2.3"));  // private: refused unless allowed
  CHECK(index->stats().private_range == 1);
  CHECK(index->stats().allowlisted == 1);
  const auto june = core::TimePoint(std::chrono::sys_days(std::chrono::year(2026) / 6 / 1).time_since_epoch());
  CHECK(set.next_expiry(may) == june);
  CHECK(set.next_expiry(june) == core::TimePoint::max());
  index = set.build_index(cfg, june);
  CHECK_FALSE(index->find(IocType::ip, "198.51.100.1"));
  CHECK(index->stats().expired == 1);
  cfg.detection.ioc.allow_ranges = {*core::Cidr::parse("10.0.0.0/8")};
  CHECK(set.build_index(cfg, may)->find(IocType::ip, "10.1.2.3"));
}
