#include "ingest/syslog/framer.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace vigie::ingest::syslog;
using namespace std::string_literals;

namespace {

std::vector<Frame> frame_all(TcpFramer& f, std::string_view bytes, bool close = true) {
  std::vector<Frame> out;
  f.feed(bytes, out);
  if (close) f.finish(out);
  return out;
}

std::vector<std::string> texts(const std::vector<Frame>& frames) {
  std::vector<std::string> out;
  for (const auto& fr : frames) out.push_back(fr.data);
  return out;
}

}  // namespace

TEST_CASE("octet counting and newline framing, mixed on one connection") {
  // The byte stream of Zeek's tcp-syslog trace: both framings alternate.
  const std::string stream =
      "51 <13>Oct 11 22:14:15 mymachine su: 'su root' failed "
      "<14>Oct 11 22:14:16 mymachine su: 'su root' failed\n"
      "50 <15>Oct 11 22:14:17 mymachine su: 'su bob' failed "
      "<16>Oct 11 22:14:18 mymachine su: 'su bob' failed\n";
  const std::vector<std::string> expected = {
      "<13>Oct 11 22:14:15 mymachine su: 'su root' failed ", "<14>Oct 11 22:14:16 mymachine su: 'su root' failed",
      "<15>Oct 11 22:14:17 mymachine su: 'su bob' failed ", "<16>Oct 11 22:14:18 mymachine su: 'su bob' failed"};
  TcpFramer whole(1024);
  CHECK(texts(frame_all(whole, stream)) == expected);

  // Every split point of the stream into two reads gives the same frames.
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    TcpFramer f(1024);
    std::vector<Frame> out;
    f.feed(std::string_view(stream).substr(0, cut), out);
    f.feed(std::string_view(stream).substr(cut), out);
    CHECK(f.at_boundary());
    f.finish(out);
    CHECK_MESSAGE(texts(out) == expected, "split at byte " << cut);
  }
  // And one byte per read.
  TcpFramer bytewise(1024);
  std::vector<Frame> out;
  for (char c : stream) bytewise.feed(std::string_view(&c, 1), out);
  CHECK(texts(out) == expected);
  const auto counts = bytewise.take_counts();
  CHECK(counts.truncated == 0);
  CHECK(counts.bad_octet_count == 0);
}

TEST_CASE("newline framing accepts LF, CR LF and NUL and skips empty frames") {
  TcpFramer f(1024);
  const auto out = frame_all(f, "<13>one\r\n<13>two\n\n\r\n<13>three\0<13>four"s);
  CHECK(texts(out) == std::vector<std::string>{"<13>one", "<13>two", "<13>three", "<13>four"});
  for (const auto& fr : out) CHECK_FALSE(fr.truncated);
  // The last line without LF is delivered at close and is not an anomaly.
  const auto c = f.take_counts();
  CHECK(c.incomplete_frame == 0);
  CHECK(c.truncated == 0);
}

TEST_CASE("an octet-counted frame may contain LF and NUL") {
  TcpFramer f(1024);
  const auto out = frame_all(f, "9 <13>a\nb\0c"s);
  REQUIRE(out.size() == 1);
  CHECK(out[0].data == "<13>a\nb\0c"s);
}

TEST_CASE("messages longer than the maximum are truncated, flagged and counted") {
  SUBCASE("newline framed: the rest of the line is discarded") {
    TcpFramer f(10);
    const auto out = frame_all(f, std::string(25, 'x') + "\n<13>next\n");
    REQUIRE(out.size() == 2);
    CHECK(out[0].data == std::string(10, 'x'));
    CHECK(out[0].truncated);
    CHECK(out[1].data == "<13>next");
    CHECK_FALSE(out[1].truncated);
    CHECK(f.take_counts().truncated == 1);
  }
  SUBCASE("octet counted: the rest of the frame is discarded, framing continues") {
    TcpFramer f(10);
    const auto out = frame_all(f, "20 <13>" + std::string(16, 'y') + "\n5 <13>z");
    REQUIRE(out.size() == 2);
    CHECK(out[0].data == "<13>" + std::string(6, 'y'));
    CHECK(out[0].truncated);
    CHECK(out[1].data == "<13>z");
    CHECK(f.take_counts().truncated == 1);
  }
  SUBCASE("exactly the maximum is not truncated") {
    TcpFramer f(10);
    const auto out = frame_all(f, std::string(10, 'x') + "\n");
    REQUIRE(out.size() == 1);
    CHECK_FALSE(out[0].truncated);
    CHECK(f.take_counts().truncated == 0);
  }
}

TEST_CASE("lines that start with digits are lines, not octet counts") {
  // Messages without PRI, newline framed: an ISO timestamp, an epoch, a count in the text.
  const std::vector<std::string> lines = {"2024-11-22T10:00:00+01:00 srv sshd[1]: Failed password for root",
                                          "1700000000 srv app: started",
                                          "10 retries left for user bob",
                                          "12x",
                                          "0 ",
                                          "42"};
  std::string stream;
  for (const auto& l : lines) stream += l + "\n";
  stream += "<13>after";
  TcpFramer f(1024);
  auto want = lines;
  want.push_back("<13>after");
  CHECK(texts(frame_all(f, stream)) == want);
  const auto c = f.take_counts();
  CHECK(c.bad_octet_count == 0);
  CHECK(c.incomplete_frame == 0);
  // Split anywhere, the same lines.
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    TcpFramer g(1024);
    std::vector<Frame> out;
    g.feed(std::string_view(stream).substr(0, cut), out);
    g.feed(std::string_view(stream).substr(cut), out);
    g.finish(out);
    CHECK_MESSAGE(texts(out) == want, "split at byte " << cut);
  }
}

TEST_CASE("impossible octet counts before a PRI are counted; the frame is kept as a line") {
  TcpFramer f(1024);
  // Zero length, a 12-digit count, a count above the absurdity limit (few digits).
  const auto out = frame_all(f, "0 <13>a\n999999999999 <13>b\n200000000 <13>c\n<13>ok\n");
  CHECK(texts(out) == std::vector<std::string>{"0 <13>a", "999999999999 <13>b", "200000000 <13>c", "<13>ok"});
  const auto c = f.take_counts();
  CHECK(c.bad_octet_count == 3);
  CHECK(c.truncated == 0);
  // take_counts resets.
  CHECK(f.take_counts().bad_octet_count == 0);
}

TEST_CASE("half a frame when the peer closes") {
  SUBCASE("octet counted: delivered as-is, flagged truncated, counted") {
    TcpFramer f(1024);
    const auto out = frame_all(f, "100 <13>only part");
    REQUIRE(out.size() == 1);
    CHECK(out[0].data == "<13>only part");
    CHECK(out[0].truncated);
    CHECK(f.take_counts().incomplete_frame == 1);
  }
  SUBCASE("after the octet count, before the message: nothing to deliver, counted") {
    TcpFramer f(1024);
    CHECK(frame_all(f, "12 ").empty());
    CHECK(f.take_counts().incomplete_frame == 1);
  }
  SUBCASE("digits only: a last line without LF") {
    TcpFramer f(1024);
    CHECK(texts(frame_all(f, "12")) == std::vector<std::string>{"12"});
    CHECK(f.take_counts().incomplete_frame == 0);
  }
  SUBCASE("newline framed: delivered, not flagged") {
    TcpFramer f(1024);
    const auto out = frame_all(f, "<13>no newline\r");
    REQUIRE(out.size() == 1);
    CHECK(out[0].data == "<13>no newline");
    CHECK_FALSE(out[0].truncated);
  }
  SUBCASE("nothing buffered: nothing delivered") {
    TcpFramer f(1024);
    CHECK(frame_all(f, "<13>a\n").size() == 1);
    const auto c = f.take_counts();
    CHECK(c.incomplete_frame == 0);
  }
}
