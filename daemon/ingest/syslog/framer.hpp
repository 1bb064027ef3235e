// Splits a TCP byte stream into syslog messages (RFC 6587). The framing is detected per frame:
// a frame of the form "LEN SP <" is octet-counted (an octet-counted frame carries a whole
// syslog message, which starts with its PRI), anything else is non-transparent (terminated by
// LF, CR LF or NUL) — including lines that merely start with digits, as a message without PRI
// does ("2024-11-22T10:00:00 host app: ...", "10 retries left"). Senders that mix both on one
// connection (seen in the wild, and in Zeek's tcp-syslog trace) are handled. State table:
// README.md.
//
// Contract: one framer per connection, used by the connection's owning thread only. Never
// fails and never drops bytes it was given: oversize messages are cut at max_message_size and
// flagged; an impossible octet count ("0 <…", "999999999999 <…") is counted and the frame is
// read as a line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigie::ingest::syslog {

struct Frame {
  std::string data;
  bool truncated = false;  // cut at the maximum size, or octet-counted and incomplete at close
};

// Anomalies since the last take_counts(); the caller turns them into metrics and logs.
struct FramerCounts {
  uint64_t truncated = 0;         // messages cut at max_message_size
  uint64_t bad_octet_count = 0;   // "LEN SP <" with LEN zero, over 10 digits or over kMaxOctetCount
  uint64_t incomplete_frame = 0;  // connection closed inside an octet-counted frame or its LEN
};

class TcpFramer {
 public:
  // Octet counts above this are treated as garbage rather than as a message to truncate:
  // no syslog sender produces 100 MB messages, but a desynchronised stream produces big numbers.
  static constexpr uint64_t kMaxOctetCount = 100u * 1024 * 1024;

  explicit TcpFramer(std::size_t max_message_size) : max_(max_message_size == 0 ? 1 : max_message_size) {}

  // Appends every frame completed by `bytes` to `out`.
  void feed(std::string_view bytes, std::vector<Frame>& out);
  // The peer closed: delivers what is buffered (octet-counted: flagged truncated and counted).
  void finish(std::vector<Frame>& out);
  [[nodiscard]] FramerCounts take_counts();
  // True between frames (nothing buffered, no frame in progress).
  [[nodiscard]] bool at_boundary() const { return state_ == State::start; }

 private:
  enum class State { start, length, length_sp, octets, line };

  std::size_t on_start(std::string_view in);
  std::size_t on_length(std::string_view in);
  std::size_t on_length_sp(std::string_view in);
  std::size_t on_octets(std::string_view in, std::vector<Frame>& out);
  std::size_t on_line(std::string_view in, std::vector<Frame>& out);
  void append(std::string_view chunk);
  void emit(std::vector<Frame>& out);

  const std::size_t max_;
  State state_ = State::start;
  uint64_t length_ = 0;     // octet count being read, then bytes of the frame still to come
  std::size_t digits_ = 0;  // digits read in `length` (also kept in buf_ in case it is a line)
  std::string buf_;
  bool truncated_ = false;
  FramerCounts counts_;
};

}  // namespace vigie::ingest::syslog
