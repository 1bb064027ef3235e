#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <vector>

#include "helpers.hpp"
#include "store/alert_json.hpp"
#include "store/journal.hpp"

using namespace vigie;
using test::alert_from;

namespace {

std::vector<core::Alert> read_all(store::Journal& j, store::Journal::ReadStats* stats = nullptr) {
  std::vector<core::Alert> out;
  auto r = j.read([&](core::Alert&& a) { out.push_back(std::move(a)); });
  REQUIRE_MESSAGE(r, r.error().to_string());
  if (stats) *stats = *r;
  return out;
}

void append_raw(const test::fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::app);
  out << bytes;
}

}  // namespace

TEST_CASE("an alert survives the JSON round trip whole, microseconds and extra fields included") {
  auto a = alert_from("183.62.140.253", 12);
  a.first_seen += std::chrono::microseconds(123457);
  a.key.emplace_back("user.name", "ro\"ot\n");
  a.rule.tlp = "RED";
  a.rule.description = "descr ≠ ascii";
  a.evidence.push_back("second line\twith tab");
  store::AlertJsonReader reader;
  auto back = reader.parse(store::alert_to_json_line(a));
  REQUIRE_MESSAGE(back, back.error().to_string());
  CHECK(back->id == a.id);
  CHECK(back->rule.id == a.rule.id);
  CHECK(back->rule.title == a.rule.title);
  CHECK(back->rule.level == a.rule.level);
  CHECK(back->rule.tags == a.rule.tags);
  CHECK(back->rule.tlp == "RED");
  CHECK(back->rule.description == a.rule.description);
  CHECK(back->site == a.site);
  CHECK(back->key == a.key);
  CHECK(back->count == 12);
  CHECK(back->first_seen == a.first_seen);
  CHECK(back->last_seen == a.last_seen);
  CHECK(back->summary == a.summary);
  CHECK(back->evidence == a.evidence);
  CHECK(back->update);
}

TEST_CASE("the reader takes core::to_json output and refuses what is not an alert") {
  const auto a = alert_from("10.0.0.1");
  store::AlertJsonReader reader;
  auto back = reader.parse(core::to_json(a));
  REQUIRE_MESSAGE(back, back.error().to_string());
  CHECK(back->id == a.id);
  CHECK(back->rule.tlp == "AMBER");  // the default: §8 JSON has no tlp
  CHECK(back->count == a.count);
  CHECK_FALSE(reader.parse("{\"id\":\"x\"}"));  // no rule id
  CHECK_FALSE(reader.parse("[1,2]"));
  CHECK_FALSE(reader.parse("{\"id\":\"x\",\"rule\":{\"id\":\"r\"},\"count\":-1}"));
  CHECK_FALSE(reader.parse("{\"id\":\"x\",\"rule\":{\"id\":\"r\"}} trailing"));
  CHECK_FALSE(reader.parse(store::alert_to_json_line(a).substr(0, 40)));
}

TEST_CASE("journal: spilled alerts are read back in order, and clear() empties it") {
  test::StoreDir d;
  const auto p = store::journal_path(d.path / "vigie.db");
  CHECK(p.filename() == "vigie.db-unstored.jsonl");
  auto j = store::Journal::open(p);
  REQUIRE_MESSAGE(j, j.error().to_string());
  CHECK((*j)->empty());
  const auto a = alert_from("10.0.0.1");
  const auto b = alert_from("10.0.0.2");
  const auto a2 = alert_from("10.0.0.1", 30);
  REQUIRE((*j)->append({&a, &b}));
  REQUIRE((*j)->append({&a2}));
  CHECK_FALSE((*j)->empty());

  // A second open (a restart) sees the same entries.
  auto again = store::Journal::open(p);
  REQUIRE(again);
  store::Journal::ReadStats stats;
  const auto got = read_all(**again, &stats);
  REQUIRE(got.size() == 3);
  CHECK(stats.entries == 3);
  CHECK_FALSE(stats.torn);
  CHECK(got[0].id == a.id);
  CHECK(got[1].id == b.id);
  CHECK(got[2].count == 30);

  REQUIRE((*again)->clear());
  CHECK((*again)->empty());
  CHECK(test::fs::file_size(p) == 0);
  CHECK(read_all(**again).empty());
}

TEST_CASE("journal: a torn last line is reported, skipped, and cut before the next append") {
  test::StoreDir d;
  const auto p = d.path / "j.jsonl";
  const auto a = alert_from("10.0.0.1");
  const auto b = alert_from("10.0.0.2");
  const auto line_b = store::alert_to_json_line(b);
  append_raw(p, store::alert_to_json_line(a) + "\n" + line_b.substr(0, line_b.size() / 2));

  auto j = store::Journal::open(p);
  REQUIRE(j);
  store::Journal::ReadStats stats;
  auto got = read_all(**j, &stats);
  CHECK(got.size() == 1);
  CHECK(stats.torn);
  CHECK(stats.corrupt == 0);

  const auto c = alert_from("10.0.0.3");
  REQUIRE((*j)->append({&c}));
  got = read_all(**j, &stats);
  REQUIRE(got.size() == 2);
  CHECK_FALSE(stats.torn);
  CHECK(stats.corrupt == 0);  // the torn half was cut, not glued to the new line
  CHECK(got[1].id == c.id);
}

TEST_CASE("journal: a complete line that is not an alert is counted and skipped") {
  test::StoreDir d;
  const auto p = d.path / "j.jsonl";
  const auto a = alert_from("10.0.0.1");
  append_raw(p, "garbage\n" + store::alert_to_json_line(a) + "\n\n");
  auto j = store::Journal::open(p);
  REQUIRE(j);
  store::Journal::ReadStats stats;
  auto got = read_all(**j, &stats);
  CHECK(got.size() == 1);
  CHECK(stats.corrupt == 1);
  CHECK_FALSE(stats.torn);
}

TEST_CASE("journal: space is reserved past the end for appends on a full disk") {
  test::StoreDir d;
  // Filesystems without fallocate only lose the reserve, not the journal.
  const auto probe = d.path / "probe";
  const int fd = ::open(probe.c_str(), O_RDWR | O_CREAT, 0600);
  REQUIRE(fd >= 0);
  const bool supported = ::fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 4096) == 0;
  ::close(fd);
  if (!supported) {
    MESSAGE("skipped: the temporary directory's filesystem has no fallocate");
    return;
  }
  const auto p = d.path / "j.jsonl";
  auto j = store::Journal::open(p, 256 * 1024);
  REQUIRE(j);
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  CHECK(st.st_size == 0);
  CHECK(st.st_blocks * 512 >= 256 * 1024);
  const auto a = alert_from("10.0.0.1");
  REQUIRE((*j)->append({&a}));
  REQUIRE((*j)->clear());
  REQUIRE(::stat(p.c_str(), &st) == 0);
  CHECK(st.st_blocks * 512 >= 256 * 1024);  // taken again after emptying
}

TEST_CASE("journal: a path that is not a regular file is refused with its name") {
  test::StoreDir d;
  test::fs::create_directories(d.path / "dir.jsonl");
  auto j = store::Journal::open(d.path / "dir.jsonl");
  REQUIRE_FALSE(j);
  CHECK(j.error().to_string().find("dir.jsonl") != std::string::npos);
}
