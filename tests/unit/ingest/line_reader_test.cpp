// LineSplitter, BatchPacker and FileLines: the lines `vigie replay` reads, whatever the size of
// the pieces the bytes arrive in, with the rules of the getline loop they replaced.
#include "ingest/line_reader.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace vigie;
using namespace vigie::ingest;

namespace {

using Lines = std::vector<std::pair<std::string, bool>>;

// The reference: std::getline, one CR removed, empty lines skipped, cut at max_size.
Lines reference(const std::string& text, std::size_t max_size) {
  Lines out;
  std::size_t p = 0;
  while (p < text.size()) {
    std::size_t nl = text.find('\n', p);
    std::string line = text.substr(p, nl == std::string::npos ? std::string::npos : nl - p);
    p = nl == std::string::npos ? text.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const bool cut = line.size() > max_size;
    if (cut) line.resize(max_size);
    out.emplace_back(std::move(line), cut);
  }
  return out;
}

// The text fed in pieces of `piece` bytes.
Lines split(const std::string& text, std::size_t max_size, std::size_t piece) {
  Lines out;
  LineSplitter s(max_size);
  const auto on_line = [&](std::string_view l, bool cut) { out.emplace_back(std::string(l), cut); };
  for (std::size_t p = 0; p < text.size(); p += piece) s.feed(std::string_view(text).substr(p, piece), on_line);
  s.finish(on_line);
  return out;
}

struct TempFile {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("vigie-line-reader-" + std::to_string(::getpid()) + ".log");
  explicit TempFile(const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }
  ~TempFile() { std::filesystem::remove(path); }
};

}  // namespace

TEST_CASE("lines: CRLF, empty lines, NUL, a last line without LF, over-long lines — in pieces of any size") {
  const std::string text = std::string("<13>one\r\n\n\r\n<13>two\n") + std::string("<13>a\0b\n", 8) + "<13>" +
                           std::string(40, 'L') + "\r\n" +  // cut: longer than max once the CR is gone
                           std::string(12, 'x') + "\r\n" +  // 12 bytes + CR: exactly max, not cut
                           std::string(13, 'y') + "\n" +    // 13 bytes: cut
                           "\r\r\n" +                       // one CR removed, "\r" kept
                           "<13>last, no LF";
  const std::size_t max = 12;
  const Lines want = reference(text, max);
  REQUIRE(want.size() == 8);
  CHECK(want[2] == std::pair<std::string, bool>(std::string("<13>a\0b", 7), false));
  CHECK(want[3] == std::pair<std::string, bool>("<13>LLLLLLLL", true));
  CHECK(want[4] == std::pair<std::string, bool>(std::string(12, 'x'), false));
  CHECK(want[5].second);
  CHECK(want[6] == std::pair<std::string, bool>("\r", false));
  for (const std::size_t piece : {1UL, 2UL, 3UL, 5UL, 7UL, 13UL, 64UL, 4096UL}) {
    CAPTURE(piece);
    CHECK(split(text, max, piece) == want);
  }
}

TEST_CASE("lines: a line far longer than max_size is cut without being buffered whole") {
  const std::string text = "<13>" + std::string(1 << 20, 'A') + "\n<13>after\n";
  const Lines got = split(text, 16, 1000);
  REQUIRE(got.size() == 2);
  CHECK(got[0] == std::pair<std::string, bool>("<13>AAAAAAAAAAAA", true));
  CHECK(got[1] == std::pair<std::string, bool>("<13>after", false));
  CHECK(got == reference(text, 16));
}

TEST_CASE("a packed batch: lines copied into the batch's one block stay valid when the batch moves") {
  const auto t = *core::parse_rfc3339("2026-12-01T10:00:00Z");
  BatchPacker packer("file:/x.log", 3, t);
  CHECK(packer.empty());
  CHECK_FALSE(packer.add("<13>first", false));
  CHECK_FALSE(packer.add(std::string(100000, 'z'), true));  // forces the block to grow
  CHECK(packer.add("<13>third", false));                    // full
  RawBatch b = packer.take();
  CHECK(packer.empty());
  RawBatch moved = std::move(b);
  REQUIRE(moved.size() == 3);
  CHECK(moved.messages.empty());  // no RawMessage, no string per line
  CHECK(moved.input == "file:/x.log");
  CHECK(moved.kind == BatchKind::syslog_lines);
  CHECK(moved.lines_received == t);
  CHECK(moved.lines[0].text == "<13>first");
  CHECK(moved.lines[1].text == std::string(100000, 'z'));
  CHECK(moved.lines[1].truncated);
  CHECK_FALSE(moved.lines[2].truncated);
  CHECK(moved.lines[2].text == "<13>third");
  for (const auto& l : moved.lines) {
    CHECK(l.text.data() >= moved.block.data());
    CHECK(l.text.data() + l.text.size() <= moved.block.data() + moved.block.size());
  }
  CHECK(moved.bytes() >= moved.block.size());  // the queue's byte budget sees the lines
  // The next batch starts empty and keeps working.
  CHECK_FALSE(packer.add("<13>next", false));
  const RawBatch n = packer.take();
  REQUIRE(n.size() == 1);
  CHECK(n.lines[0].text == "<13>next");
}

TEST_CASE("FileLines reads a file in blocks smaller than its lines and gives the first bytes to sniff") {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "<13>Dec  1 10:00:00 host app: line " + std::to_string(i) + "\r\n";
  text += "<13>tail";
  TempFile f(text);
  const int fd = ::open(f.path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  Lines got;
  std::string head;
  FileLines lines(fd, 64 * 1024, 7);  // 7-byte reads: every line spans reads
  const auto r = lines.run(
      [&](std::string_view h) {
        head = std::string(h);
        return true;
      },
      [&](std::string_view l, bool cut, const SharedBlock*) { got.emplace_back(std::string(l), cut); });
  ::close(fd);
  REQUIRE(r.has_value());
  CHECK(*r);
  CHECK(head == text.substr(0, 7));
  CHECK(got == reference(text, 64 * 1024));
  CHECK(got.size() == 501);
}

TEST_CASE("FileLines: a refused sniff reads no line; an empty file has none") {
  TempFile f("\xd4\xc3\xb2\xa1 not lines\n");
  const int fd = ::open(f.path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  int lines_seen = 0;
  FileLines lines(fd, 1024);
  const auto r = lines.run([](std::string_view h) { return h.substr(0, 4) != "\xd4\xc3\xb2\xa1"; },
                           [&](std::string_view, bool, const SharedBlock*) { ++lines_seen; });
  ::close(fd);
  REQUIRE(r.has_value());
  CHECK_FALSE(*r);
  CHECK(lines_seen == 0);

  TempFile empty("");
  const int fd2 = ::open(empty.path.c_str(), O_RDONLY);
  REQUIRE(fd2 >= 0);
  std::size_t sniffed = 99;
  FileLines none(fd2, 1024);
  const auto r2 = none.run(
      [&](std::string_view h) {
        sniffed = h.size();
        return true;
      },
      [&](std::string_view, bool, const SharedBlock*) { ++lines_seen; });
  ::close(fd2);
  REQUIRE(r2.has_value());
  CHECK(sniffed == 0);
  CHECK(lines_seen == 0);
}

TEST_CASE("FileLines: a read error is reported, not taken for the end of the file") {
  const int fd = ::open(std::filesystem::temp_directory_path().c_str(), O_RDONLY | O_DIRECTORY);
  REQUIRE(fd >= 0);
  FileLines lines(fd, 1024);
  const auto r = lines.run([](std::string_view) { return true; }, [](std::string_view, bool, const SharedBlock*) {});
  ::close(fd);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().what.find("read error") != std::string::npos);
}

TEST_CASE("FileLines + BatchPacker: lines are viewed in the read blocks, which live as long as a batch needs them") {
  std::string text;
  for (int i = 0; i < 300; ++i) text += "<13>Dec  1 10:00:00 host app: message number " + std::to_string(i) + "\n";
  TempFile f(text);
  const int fd = ::open(f.path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  const auto t = *core::parse_rfc3339("2026-12-01T10:00:00Z");
  std::vector<RawBatch> batches;
  std::size_t viewed = 0, copied = 0;
  {
    BatchPacker packer("file:x", 64, t);
    FileLines lines(fd, 1024, 4096);  // lines regularly span two blocks
    const auto r = lines.run([](std::string_view) { return true; },
                             [&](std::string_view l, bool cut, const SharedBlock* owner) {
                               ++(owner != nullptr ? viewed : copied);
                               if (packer.add(l, cut, owner)) batches.push_back(packer.take());
                             });
    REQUIRE(r.has_value());
    if (!packer.empty()) batches.push_back(packer.take());
  }  // the reader and packer are gone: only the batches hold the blocks now
  ::close(fd);
  CHECK(viewed > copied);
  CHECK(copied > 0);  // some lines spanned blocks and were gathered
  std::vector<std::pair<std::string, bool>> got;
  for (const auto& b : batches) {
    CHECK_FALSE(b.shared.empty());
    for (const auto& l : b.lines) {
      // Each line lies in one of its batch's own shared blocks or in its block.
      const char* p = l.text.data();
      const bool in_block =
          !b.block.empty() && p >= b.block.data() && p + l.text.size() <= b.block.data() + b.block.size();
      bool in_shared = false;
      for (const auto& s : b.shared) in_shared = in_shared || (p >= s.get() && p + l.text.size() <= s.get() + 4096);
      CHECK((in_block || in_shared));
      got.emplace_back(std::string(l.text), l.truncated);
    }
  }
  CHECK(got == reference(text, 1024));
}

TEST_CASE("FileLines from a pipe: short reads fill one block before the next") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "<13>line " + std::to_string(i) + "\r\n";
  std::thread writer([&] {
    // Small writes: the reader sees many short reads.
    for (std::size_t p = 0; p < text.size(); p += 100) {
      const std::size_t n = std::min<std::size_t>(100, text.size() - p);
      REQUIRE(::write(fds[1], text.data() + p, n) == static_cast<ssize_t>(n));
    }
    ::close(fds[1]);
  });
  Lines got;
  std::set<const char*> blocks;
  FileLines lines(fds[0], 1024, 8192);
  const auto r = lines.run([](std::string_view) { return true; },
                           [&](std::string_view l, bool cut, const SharedBlock* owner) {
                             if (owner != nullptr) blocks.insert(owner->get());
                             got.emplace_back(std::string(l), cut);
                           });
  writer.join();
  ::close(fds[0]);
  REQUIRE(r.has_value());
  CHECK(got == reference(text, 1024));
  CHECK(blocks.size() <= text.size() / 8192 + 1);  // not one block per read
}
